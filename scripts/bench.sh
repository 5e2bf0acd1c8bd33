#!/usr/bin/env bash
# The benchmark harness: seeds N tickets (default 1,000,000) into a throwaway PostgreSQL cluster,
# starts the release server, and measures ticket-list latency for the first page and for a page
# deep in the list (reached by following cursors), plus a full-text search.
# Usage: scripts/bench.sh [N]       (`make bench`, `make bench N=200000`)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
tickets="${1:-1000000}"

bash scripts/ensure-tools.sh run
cargo build -q --release -p helpdesk-api --bin helpdesk
bin="${CARGO_TARGET_DIR:-$ROOT/target}/release/helpdesk"

pgdir="$(mktemp -d /tmp/helpdesk-bench-pg.XXXXXX)/data"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; bash scripts/pg.sh stop "$pgdir"; rm -rf "$(dirname "$pgdir")"; }
trap cleanup EXIT
admin_url="$(bash scripts/pg.sh start "$pgdir" --throwaway)"
psql -q "$admin_url" -c "CREATE DATABASE bench"
export DATABASE_URL="${admin_url%/postgres}/bench" HELPDESK_BCRYPT_COST=4 RUST_LOG=warn

log "seeding $tickets tickets"
seed_started=$SECONDS
"$bin" seed --tickets "$tickets" >/dev/null
seed_seconds=$((SECONDS - seed_started))

out="$(mktemp)"
HELPDESK_BIND=127.0.0.1:0 HELPDESK_WEB_DIR=/nonexistent HELPDESK_BCRYPT_COST=12 "$bin" serve > "$out" 2>/dev/null &
server_pid=$!
for _ in $(seq 1 100); do grep -q listening "$out" 2>/dev/null && break; sleep 0.1; done
base="$(sed -n 's/.*listening on //p' "$out" | head -n 1)"
token="$(curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"login":"demo.agent1","password":"demo-password-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

# Median of 7 requests, in milliseconds.
median_ms() {
  for _ in $(seq 1 7); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$1"
  done | sort -n | sed -n 4p | awk '{printf "%.1f", $1 * 1000}'
}

# The cursor after `rows` rows of a list, following next_cursor in pages of 100.
cursor_after() {
  local query="$1" rows="$2" cursor="" hops=$(( $2 / 100 ))
  for _ in $(seq 1 "$hops"); do
    cursor="$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/tickets?$query&limit=100${cursor:+&cursor=$cursor}" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"] or "")')"
  done
  echo "$cursor"
}

deep=25000
printf '\nseeded %s tickets in %s s\n\n' "$tickets" "$seed_seconds"
printf '%-34s %12s %22s\n' "GET /api/v1/tickets (limit=25)" "page 1 (ms)" "after $deep rows (ms)"
for sort in created_at queue sla_due priority; do
  c="$(cursor_after "sort=$sort" "$deep")"
  printf '%-34s %12s %22s\n' "sort=$sort" "$(median_ms "$base/api/v1/tickets?sort=$sort&limit=25")" \
    "$(median_ms "$base/api/v1/tickets?sort=$sort&limit=25&cursor=$c")"
done
printf '%-34s %12s\n' "q=Drucker (full text)" "$(median_ms "$base/api/v1/tickets?q=Drucker&limit=25")"
printf '%-34s %12s\n' "status=open&sla_status=breached" "$(median_ms "$base/api/v1/tickets?status=open&sla_status=breached&limit=25")"
printf '%-34s %12s\n' "GET /api/v1/tickets/stats" "$(median_ms "$base/api/v1/tickets/stats")"

# Median of 7 JSON POSTs (no session), in milliseconds; `{i}` in the body becomes 1..7.
median_post_ms() {
  for i in $(seq 1 7); do
    curl -s -o /dev/null -w '%{time_total}\n' -H 'content-type: application/json' -d "${2//\{i\}/$i}" "$1"
  done | sort -n | sed -n 4p | awk '{printf "%.1f", $1 * 1000}'
}
printf '\n%-50s %8s\n' "bcrypt (cost 12) only where it is needed" "ms"
printf '%-50s %8s\n' "POST /auth/password-reset/confirm, bogus token" \
  "$(median_post_ms "$base/api/v1/auth/password-reset/confirm" '{"token":"bogus{i}","new_password":"a-fresh-start-2026"}')"
printf '%-50s %8s\n' "POST /auth/register (hashes the password)" \
  "$(median_post_ms "$base/api/v1/auth/register" '{"full_name":"B","email":"bench{i}@example.com","username":"bench{i}","password":"a-fresh-start-2026"}')"
