#!/usr/bin/env bash
# The organizations walkthrough against a running demo server (`cargo run -- serve --demo`):
# the Acme owner creates an organization and a space, invites a manager and an agent, they
# accept from `viewer.pendingInvitations`, and each one's access matches docs/permissions.md.
# Needs curl, jq and python3. Run it once per fresh demo database (the emails it signs up
# are fixed). Invitations by id need a verified email; until mail is delivered (issue 10),
# the verification links are read from the demo's SQLite outbox ($DB).
set -euo pipefail
URL=${URL:-http://127.0.0.1:8080/graphql}
HOST=${HOST:-acme.localhost}
gql() { # token query variables
  curl -s "$URL" -H "Host: $HOST" -H 'content-type: application/json' ${1:+-H "Authorization: Bearer $1"} \
    -d "$(jq -nc --arg q "$2" --argjson v "${3:-{\}}" '{query:$q, variables:$v}')"
}
DB=${DB:-data/gateway.db}
link_token() { # email kind: the token of the newest such link in the outbox
  python3 - "$DB" "$1" "$2" <<'PY'
import re, sqlite3, sys
db, to, kind = sys.argv[1:]
row = sqlite3.connect(db).execute(
    "select body_text from outbox_messages where recipient = ? and kind = ? order by id desc limit 1",
    (to, kind)).fetchone()
print(re.search(r"token=(\S+)", row[0]).group(1))
PY
}
verify() { gql "" 'mutation($t: String!) { verifyEmail(input: {token: $t}) { user { email emailVerified } } }' \
  "{\"t\":\"$(link_token "$1" VERIFY_EMAIL)\"}" | jq -c .data.verifyEmail.user; }
signup() { gql "" 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }' \
  "{\"i\":{\"email\":\"$1\",\"password\":\"demo-password-1\",\"displayName\":\"$1\"}}" | jq -r .data.signUp.accessToken; }
OWNER=$(gql "" 'mutation { logIn(input: {email: "owner@acme.example", password: "demo-password-1"}) { accessToken } }' | jq -r .data.logIn.accessToken)
ORG=$(gql "$OWNER" 'mutation { createOrganization(input: {name: "Acme Support", country: "RU"}) { organization { id } } }' | jq -r .data.createOrganization.organization.id)
SALES=$(gql "$OWNER" 'mutation($o: ID!) { createSpace(input: {organizationId: $o, name: "Sales"}) { space { id } } }' "{\"o\":\"$ORG\"}" | jq -r .data.createSpace.space.id)
MANAGER=$(signup mia@acme.example); AGENT=$(signup alex@acme.example)
verify mia@acme.example; verify alex@acme.example
gql "$OWNER" 'mutation($o: ID!, $s: ID!) { inviteMember(input: {organizationId: $o, email: "mia@acme.example", spaceRoles: [{spaceId: $s, role: MANAGER}]}) { invitation { id status } } }' "{\"o\":\"$ORG\",\"s\":\"$SALES\"}"; echo
gql "$OWNER" 'mutation($o: ID!, $s: ID!) { inviteMember(input: {organizationId: $o, email: "alex@acme.example", spaceRoles: [{spaceId: $s, role: AGENT}]}) { invitation { id } } }' "{\"o\":\"$ORG\",\"s\":\"$SALES\"}"; echo
for T in "$MANAGER" "$AGENT"; do
  INV=$(gql "$T" '{ viewer { pendingInvitations { id organizationName role } } }' | jq -r '.data.viewer.pendingInvitations[0].id')
  gql "$T" 'mutation($i: ID!) { acceptInvitation(input: {invitationId: $i}) { organization { name viewerRole } member { spaces { role space { name } } } } }' "{\"i\":\"$INV\"}"; echo
done
echo "manager edits the space:"; gql "$MANAGER" 'mutation($s: ID!) { updateSpace(input: {id: $s, name: "Sales EU"}) { space { name viewerRole } } }' "{\"s\":\"$SALES\"}"; echo
echo "agent edits the space:";   gql "$AGENT" 'mutation($s: ID!) { updateSpace(input: {id: $s, name: "Mine"}) { space { name } } }' "{\"s\":\"$SALES\"}" | jq -c '.errors[0].extensions'
echo "owner lists members:";     gql "$OWNER" 'query($o: ID!) { organization(id: $o) { members { totalCount edges { node { role user { email } spaces { role space { name } } } } } } }' "{\"o\":\"$ORG\"}" | jq -c .data
echo "audit log:";               gql "$OWNER" 'query($o: ID!) { auditLog(organizationId: $o) { edges { node { action actor { email } } } } }' "{\"o\":\"$ORG\"}" | jq -c '[.data.auditLog.edges[].node.action]'
