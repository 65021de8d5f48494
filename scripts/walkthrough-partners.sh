#!/usr/bin/env bash
# The partner walkthrough against a running demo server (`cargo run -- serve --demo`): the
# three ways a client is attached to the demo partner on Acme, the partner's "my clients",
# the created client's email in the outbox, and "log in as client" with its limits.
# Needs curl and jq. Run it once per fresh demo database (the emails it signs up are fixed).
set -euo pipefail
URL=${URL:-http://127.0.0.1:8080/graphql}
HOST=${HOST:-acme.localhost}
PW=demo-password-1
gql() { # token query [variables]
  curl -s "$URL" -H "Host: $HOST" -H 'content-type: application/json' ${1:+-H "Authorization: Bearer $1"} \
    -d "$(jq -nc --arg q "$2" --argjson v "${3:-{\}}" '{query:$q, variables:$v}')"
}
login() { gql "" 'mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) { accessToken } }' \
  "{\"e\":\"$1\",\"p\":\"$PW\"}" | jq -r .data.logIn.accessToken; }
signup() { # email [referral code]
  gql "" 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }' \
    "$(jq -nc --arg e "$1" --arg r "${2:-}" --arg p "$PW" '{i: {email: $e, password: $p, displayName: $e, referralCode: (if $r == "" then null else $r end)}}')" \
    | jq -r .data.signUp.accessToken; }

PARTNER=$(login partner@acme.example)
P=$(gql "$PARTNER" '{ viewer { organizations { partner { id tier referralCode serviceManagerCode referralLink } } } }' | jq -c '.data.viewer.organizations[0].partner')
echo "partner: $P"
PID=$(jq -r .id <<<"$P"); REF=$(jq -r .referralCode <<<"$P"); SM=$(jq -r .serviceManagerCode <<<"$P")

echo "1. created by the partner:"
gql "$PARTNER" 'mutation($p: ID!) { createClient(input: {partnerId: $p, fullName: "Cleo Client", email: "cleo@client.example", phone: "+79995554433", country: "RU"}) { client { origin access } } }' "{\"p\":\"$PID\"}" | jq -c .data
OWNER=$(login owner@acme.example)
gql "$OWNER" '{ outboxMessages(recipient: "cleo@client.example") { edges { node { kind subject sender } } } }' | jq -c .data

echo "2a. a new user signs up with the referral code:"
RITA=$(signup rita@client.example "$REF")
gql "$RITA" '{ viewer { myPartner { name origin access contacts { email } } } }' | jq -c .data

echo "2b. an existing user opens the referral link and says Yes:"
EVE=$(signup eve@client.example)
PROMPT=$(gql "$EVE" 'mutation($c: String!) { joinPartner(input: {code: $c}) { prompt { id } } }' "{\"c\":\"$REF\"}" | jq -r .data.joinPartner.prompt.id)
gql "$EVE" 'mutation($p: ID!) { respondToPartnerInvitation(input: {promptId: $p, accept: true}) { partner { origin access } } }' "{\"p\":\"$PROMPT\"}" | jq -c .data

echo "3. an existing user confirms the service-manager link:"
SAM=$(signup sam@client.example)
gql "$SAM" 'mutation($c: String!) { acceptServiceManager(input: {code: $c}) { partner { origin access contacts { email } } } }' "{\"c\":\"$SM\"}" | jq -c .data

echo "my clients:"
gql "$PARTNER" 'query($p: ID!) { partner(id: $p) { clients { totalCount edges { node { origin access user { email } } } } } }' "{\"p\":\"$PID\"}" | jq -c .data

echo "log in as Sam (consented):"
SAM_ID=$(gql "$SAM" '{ viewer { id } }' | jq -r .data.viewer.id)
AS_SAM=$(gql "$PARTNER" 'mutation($p: ID!, $c: ID!) { impersonateClient(input: {partnerId: $p, clientId: $c, reason: "Set up the line", minutes: 15}) { accessToken } }' "{\"p\":\"$PID\",\"c\":\"$SAM_ID\"}" | jq -r .data.impersonateClient.accessToken)
gql "$AS_SAM" '{ viewer { email } }' | jq -c .data
gql "$AS_SAM" 'mutation { changePassword(input: {currentPassword: "x", newPassword: "yyyyyyyyyyyy"}) { user { id } } }' | jq -c '.errors[0].extensions.code'
gql "$AS_SAM" 'mutation { endImpersonation { ended } }' | jq -c .data
echo "log in as Rita (no consent):"
RITA_ID=$(gql "$RITA" '{ viewer { id } }' | jq -r .data.viewer.id)
gql "$PARTNER" 'mutation($p: ID!, $c: ID!) { impersonateClient(input: {partnerId: $p, clientId: $c, reason: "x"}) { accessToken } }' "{\"p\":\"$PID\",\"c\":\"$RITA_ID\"}" | jq -c '.errors[0].extensions.code'
