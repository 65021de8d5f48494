#!/usr/bin/env bash
# HTTPS on the brands' own hosts: Debian's caddy, with its internal CA, in front of a
# running demo (`cargo run -- serve --demo`), gets certificates on demand only for the
# hosts the gateway allows (`GET /tls/ask`, docs/domains.md). It fetches the Acme brand
# over HTTPS on its platform subdomain, checks the certificate against Caddy's CA, and
# shows that an unknown host gets no certificate. Installs caddy (apt) when missing;
# needs curl. GATEWAY is the demo's address, PORT the HTTPS port Caddy listens on.
set -euo pipefail
GATEWAY=${GATEWAY:-127.0.0.1:8080}
PORT=${PORT:-8443}
HTTP_PORT=${HTTP_PORT:-8081}
BRAND=${BRAND:-acme.localhost}
if ! command -v caddy >/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get install -y -q caddy >/dev/null
fi
curl -sf "http://$GATEWAY/readyz" >/dev/null || { echo "no gateway at $GATEWAY: start the demo first" >&2; exit 1; }
WORK=$(mktemp -d)
cat > "$WORK/Caddyfile" <<EOF
{
	admin off
	local_certs
	skip_install_trust
	http_port $HTTP_PORT
	https_port $PORT
	on_demand_tls {
		ask http://$GATEWAY/tls/ask
	}
}

https:// {
	tls {
		on_demand
	}
	reverse_proxy $GATEWAY
}
EOF
XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" \
  caddy run --config "$WORK/Caddyfile" --adapter caddyfile >"$WORK/caddy.log" 2>&1 &
CADDY=$!
trap 'kill $CADDY 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do
  (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.2
done
at() { echo "--resolve $1:$PORT:127.0.0.1 https://$1:$PORT/graphql"; }
ROOT="$WORK/data/caddy/pki/authorities/local/root.crt"
# The first handshake has Caddy ask the gateway, then issue from its CA.
# shellcheck disable=SC2046
curl -sk -o /dev/null $(at "$BRAND") || true
for _ in $(seq 50); do [ -f "$ROOT" ] && break; sleep 0.2; done
echo "== $BRAND over HTTPS, the certificate checked against Caddy's CA"
# shellcheck disable=SC2046
curl -sS --cacert "$ROOT" $(at "$BRAND") -H 'content-type: application/json' \
  -d '{"query":"{ tenant { slug displayName } }"}'
echo
echo "== an unknown host: the gateway says no, so there is no certificate"
# shellcheck disable=SC2046
if curl -sS --cacert "$ROOT" -o /dev/null $(at nobody.localhost) 2>"$WORK/err"; then
  echo "unexpected: nobody.localhost was served" >&2; exit 1
fi
cat "$WORK/err"
echo "== the gateway's answers: $BRAND $(curl -s -o /dev/null -w '%{http_code}' "http://$GATEWAY/tls/ask?domain=$BRAND"), nobody.localhost $(curl -s -o /dev/null -w '%{http_code}' "http://$GATEWAY/tls/ask?domain=nobody.localhost")"
