#!/usr/bin/env bash
# Schemathesis against the running service's own OpenAPI document, with all its default
# checks: `tools/fuzz_api.sh sqlite|postgres [examples per operation]`. Starts `platsa serve`
# (debug build) on a throw-away database with the demo municipality, creates an admin token,
# and fails on any failure. Installs Schemathesis with pip into target/schemathesis-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
examples="${2:-50}"
venv="${CARGO_TARGET_DIR:-target}/schemathesis-venv"
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi
venv=$(cd "$venv" && pwd)
cargo build --locked -q --bin platsa
bin="${CARGO_TARGET_DIR:-target}/debug/platsa"

work=$(mktemp -d)
# A port nothing listens on now (the OS picks it).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  if [ "$backend" = postgres ]; then
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
if [ "$backend" = postgres ]; then
  db="platsa_fuzz_$$_$RANDOM"
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
else
  export DATABASE_URL="sqlite://$work/platsa.db"
fi
export PLATSA_INDEX_DIR="$work/index" PLATSA_LISTEN="127.0.0.1:$port" RUST_LOG=warn
"$bin" serve --demo >"$work/serve.log" 2>&1 &
pid=$!
ready=""
for _ in $(seq 1 240); do
  if curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "platsa serve did not become ready; its log:" >&2
  tail -n 50 "$work/serve.log" >&2
  exit 1
fi
token=$("$bin" token create --role admin --name Schemathesis | tail -n 1)
echo "== schemathesis on $backend: $examples examples per operation"
status=0
# From the throw-away directory: Schemathesis keeps a cache (and replays what it stored)
# where it runs, and every run here starts fresh.
root=$(pwd)
(cd "$work" && "$venv/bin/st" --config-file "$root/tools/schemathesis.toml" run "http://127.0.0.1:$port/api/openapi.json" \
  -H "Authorization: Bearer $token" \
  --max-examples "$examples" --workers 1 --seed 1 \
  --report junit --report-dir "$work/report") || status=$?
if [ "$status" != 0 ]; then
  echo "== the service's log (warnings and errors):"
  tail -n 50 "$work/serve.log"
fi
exit "$status"
