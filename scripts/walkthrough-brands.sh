#!/usr/bin/env bash
# Brands of their own (issue 27), against a running demo (`cargo run -- serve --demo`, its
# SQLite database and DNS records file in data/): a user applies as a reseller, staff
# approve it with a brand, its owner paints the brand and adds a teammate as a second
# owner, the brand answers on its subdomain; a client who chose Russian reads Russian
# while the partner reads English; the Acme brand proves its sender domain before its own
# address is used; the TLS ask says yes for the new brand only. Needs curl, jq, python3.
# STAFF_PASSWORD is the platform admin's, printed when the demo first started. Run it
# once per fresh demo database (the accounts it signs up are fixed).
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8080}
DB=${DB:-data/gateway.db}
DNS_FILE=${DNS_FILE:-data/dns-records.txt}
STAFF_EMAIL=${STAFF_EMAIL:-admin@localhost.localdomain}
: "${STAFF_PASSWORD:?set STAFF_PASSWORD to the platform admin password printed when the demo first started}"
PW=demo-password-1
gql() { # host token query [variables]
  curl -s "$BASE/graphql" -H "Host: $1" -H 'content-type: application/json' ${2:+-H "Authorization: Bearer $2"} \
    -d "$(jq -nc --arg q "$3" --argjson v "${4:-{\}}" '{query:$q, variables:$v}')"
}
login() { # host email password
  gql "$1" "" 'mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) { accessToken } }' \
    "$(jq -nc --arg e "$2" --arg p "$3" '{e: $e, p: $p}')" | jq -r .data.logIn.accessToken; }
signup() { # host email language [invitation token] [referral code]
  gql "$1" "" 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }' \
    "$(jq -nc --arg e "$2" --arg l "$3" --arg t "${4:-}" --arg r "${5:-}" --arg p "$PW" \
      '{i: {email: $e, password: $p, displayName: $e, language: $l,
            invitationToken: (if $t == "" then null else $t end),
            referralCode: (if $r == "" then null else $r end)}}')" | jq -r .data.signUp.accessToken; }
link_token() { # email kind: the token of the newest such link in the outbox
  python3 - "$DB" "$1" "$2" <<'PY'
import re, sqlite3, sys
db, to, kind = sys.argv[1:]
row = sqlite3.connect(db).execute(
    "select body_text from outbox_messages where recipient = ? and kind = ? order by id desc limit 1",
    (to, kind)).fetchone()
print(re.search(r"token=([A-Za-z0-9_-]+)", row[0]).group(1))
PY
}
subjects() { # email: the subjects of the emails written to it
  python3 - "$DB" "$1" <<'PY'
import sqlite3, sys
for kind, subject in sqlite3.connect(sys.argv[1]).execute(
        "select kind, subject from outbox_messages where recipient = ? and channel = 'EMAIL' order by id",
        (sys.argv[2],)):
    print(f"   {kind}: {subject}")
PY
}

STAFF=$(login localhost "$STAFF_EMAIL" "$STAFF_PASSWORD")
[ "$STAFF" != null ] || { echo "staff could not sign in: check STAFF_EMAIL / STAFF_PASSWORD" >&2; exit 1; }

echo "1. Rita signs up on the platform and applies as a reseller (white label):"
RITA=$(signup localhost rita@bony.example EN)
P=$(gql localhost "$RITA" 'mutation { applyAsPartner(input: {organizationName: "BonyChat LLC", contactName: "Rita", contactEmail: "rita@bony.example", whiteLabel: true}) { partner { id status whiteLabelReseller createdAt reviewDueAt } } }')
echo "$P" | jq -c .data.applyAsPartner.partner
PID=$(jq -r .data.applyAsPartner.partner.id <<<"$P")

echo "2. Staff's queue (oldest due first), then the brand is approved:"
gql localhost "$STAFF" '{ partners(status: PENDING) { edges { node { contactName whiteLabelReseller reviewDueAt } } } }' | jq -c '.data.partners.edges[].node'
B=$(gql localhost "$STAFF" 'mutation($p: ID!) { approveResellerBrand(input: {partnerId: $p, slug: "bony", displayName: "BonyChat"}) { brand { id slug primaryDomain } partner { status tier } } }' "{\"p\":\"$PID\"}")
echo "$B" | jq -c .data.approveResellerBrand
BRAND=$(jq -r .data.approveResellerBrand.brand.id <<<"$B")
BHOST=$(jq -r .data.approveResellerBrand.brand.primaryDomain <<<"$B")

echo "3. Rita, owner of BonyChat LLC, finds the brand in her organization and paints it:"
O=$(gql localhost "$RITA" '{ viewer { organizations { id viewerRole brand { id slug } } } }')
jq -c '.data.viewer.organizations[0]' <<<"$O"
ORG=$(jq -r '.data.viewer.organizations[0].id' <<<"$O")
gql localhost "$RITA" 'mutation($b: ID!) { updateTenant(input: {id: $b, primaryColor: "#7B2CBF", accentColor: "#FFC300"}) { tenant { branding { primaryColor accentColor } } } }' "{\"b\":\"$BRAND\"}" | jq -c .data

echo "4. She invites Max as a second owner; he joins through the emailed link and administers the brand too:"
gql localhost "$RITA" 'mutation($o: ID!) { inviteMember(input: {organizationId: $o, email: "max@bony.example", role: OWNER, language: EN}) { invitation { status } } }' "{\"o\":\"$ORG\"}" | jq -c .data
MAX=$(signup localhost max@bony.example EN "$(link_token max@bony.example INVITATION)")
gql localhost "$MAX" 'mutation($b: ID!) { updateTenant(input: {id: $b, supportEmail: "help@bony.example"}) { tenant { branding { supportEmail } } } }' "{\"b\":\"$BRAND\"}" | jq -c .data
echo "   someone outside the organization gets nothing:"
NOBODY=$(signup localhost nobody@example.com EN)
gql localhost "$NOBODY" 'mutation($b: ID!) { updateTenant(input: {id: $b, primaryColor: "#000000"}) { tenant { slug } } }' "{\"b\":\"$BRAND\"}" | jq -c '.errors[0].extensions.code'

echo "5. The brand's sign-in page answers on $BHOST at once:"
gql "$BHOST" "" '{ tenant { displayName branding { primaryColor accentColor supportEmail } } }' | jq -c .data

echo "6. On Acme, the partner reads English; a client who chose Russian on the referral link reads Russian:"
PARTNER=$(login acme.localhost partner@acme.example "$PW")
gql acme.localhost "$PARTNER" 'mutation { updateAccount(input: {language: EN}) { user { language } } }' | jq -c .data
REF=$(gql acme.localhost "$PARTNER" '{ viewer { organizations { partner { referralCode } } } }' | jq -r '.data.viewer.organizations[0].partner.referralCode')
signup acme.localhost olga@client.example RU "" "$REF" >/dev/null
PID2=$(gql acme.localhost "$PARTNER" '{ viewer { organizations { partner { id } } } }' | jq -r '.data.viewer.organizations[0].partner.id')
gql acme.localhost "$PARTNER" 'mutation($p: ID!) { createClient(input: {partnerId: $p, fullName: "Ivan Petrov", email: "ivan@client.example", language: RU}) { client { origin } } }' "{\"p\":\"$PID2\"}" | jq -c .data
echo "   olga@ (signed up in Russian):"; subjects olga@client.example
echo "   ivan@ (created by the partner, Russian):"; subjects ivan@client.example
gql acme.localhost "" 'mutation($t: String!, $p: String!) { resetPassword(input: {token: $t, newPassword: $p}) { user { email } } }' \
  "{\"t\":\"$(link_token ivan@client.example SET_PASSWORD)\",\"p\":\"$PW\"}" >/dev/null
IVAN=$(login acme.localhost ivan@client.example "$PW")
echo "   the bell, once the notification worker ran (a few seconds):"
for _ in $(seq 30); do
  N=$(gql acme.localhost "$IVAN" '{ notifications(first: 3) { edges { node { title } } } }' | jq -c '[.data.notifications.edges[].node.title]')
  [ "$N" != "[]" ] && break; sleep 1
done
echo "   ivan@:    $N"
gql acme.localhost "$PARTNER" '{ notifications(first: 3) { edges { node { title } } } }' | jq -c '"   partner@: " + ([.data.notifications.edges[].node.title] | tostring)' -r

echo "7. Acme's sender domain is proven before its own address is used:"
ACME=$(login acme.localhost owner@acme.example "$PW")
ACME_ID=$(gql acme.localhost "$ACME" '{ tenant { id } }' | jq -r .data.tenant.id)
M=$(gql acme.localhost "$ACME" '{ tenant { mailDomain { domain status inUse records { purpose type name value } } } }')
echo "$M" | jq -c .data.tenant.mailDomain
NAME=$(jq -r '.data.tenant.mailDomain.records[] | select(.purpose == "VERIFY") | .name' <<<"$M")
VALUE=$(jq -r '.data.tenant.mailDomain.records[] | select(.purpose == "VERIFY") | .value' <<<"$M")
echo "$NAME TXT \"$VALUE\"" >> "$DNS_FILE"
gql acme.localhost "$ACME" 'mutation($t: ID!) { verifyTenantMailDomain(input: {tenantId: $t}) { tenant { mailDomain { status inUse verifiedAt } } } }' "{\"t\":\"$ACME_ID\"}" | jq -c .data

echo "8. The TLS ask: yes for the new brand's subdomain, no for a host nobody has:"
echo "   $BHOST: $(curl -s -o /dev/null -w '%{http_code}' "$BASE/tls/ask?domain=$BHOST")"
echo "   nobody.localhost: $(curl -s -o /dev/null -w '%{http_code}' "$BASE/tls/ask?domain=nobody.localhost")"
