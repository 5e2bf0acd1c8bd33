#!/usr/bin/env bash
# The benchmark harness: seeds N tickets (default 1,000,000) into a throwaway PostgreSQL cluster,
# starts the release server, and measures ticket-list latency for the first page and for a page
# deep in the list (reached by following cursors), a full-text search, the SLA filters and the
# SLA and volume reports (#12), webhook delivery throughput (#13), inbound mail from IMAP (#14);
# then the peak memory
# of one person's data export (P12) with 10,000 tickets and 1 GiB of files.
# Throughput (#15): every common operation under `wrk` at 16 connections with notifications on
# (a real SMTP sink) and normal durability (fsync, synchronous_commit on), the search terms of
# known frequency, the mail outbox's backlog and drain; the table and its charts are written to
# docs/benchmarks.md (scripts/bench/report.py).
# Usage: scripts/bench.sh [N]       (`make bench`, `make bench N=200000`);
#        BENCH_ONLY=throughput scripts/bench.sh [N] measures only the throughput table;
#        BENCH_BIN=path BENCH_SAVE=file measures another build (e.g. an older commit) and keeps
#        its results in `file` instead of writing docs/benchmarks.md; the report shows
#        docs/benchmarks/before.jsonl, when present, as "before".
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
tickets="${1:-1000000}"

bash scripts/ensure-tools.sh run
if [ -n "${BENCH_BIN:-}" ]; then
  bin="$(readlink -f "$BENCH_BIN")"
else
  cargo build -q --release -p helpdesk-api --bin helpdesk
  bin="${CARGO_TARGET_DIR:-$ROOT/target}/release/helpdesk"
fi

pgdir="$(mktemp -d /tmp/helpdesk-bench-pg.XXXXXX)/data"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  if [ -n "${sink_pid:-}" ]; then kill "$sink_pid" 2>/dev/null || true; fi
  bash scripts/pg.sh stop "$pgdir"; rm -rf "$(dirname "$pgdir")"
}
# Starts the release server with the extra environment given ("VAR=value" ...); sets
# `server_pid` and `base`, stopping a server started before.
start_server() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  local out; out="$(mktemp)"
  env HELPDESK_BIND=127.0.0.1:0 HELPDESK_WEB_DIR=/nonexistent HELPDESK_BCRYPT_COST=12 HELPDESK_RATE_LIMIT_PER_MINUTE=10000000 \
    HELPDESK_STORAGE="$(dirname "$pgdir")/files" "$@" "$bin" serve > "$out" 2>/dev/null &
  server_pid=$!
  for _ in $(seq 1 100); do grep -q listening "$out" 2>/dev/null && break; sleep 0.1; done
  base="$(sed -n 's/.*listening on //p' "$out" | head -n 1)"
}
# A session token for `login`.
sign_in() {
  curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"demo-password-2026\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
trap cleanup EXIT
admin_url="$(bash scripts/pg.sh start "$pgdir" --throwaway)"
psql -q "$admin_url" -c "CREATE DATABASE bench"
export DATABASE_URL="${admin_url%/postgres}/bench" HELPDESK_BCRYPT_COST=4 RUST_LOG=warn

log "seeding $tickets tickets"
seed_started=$SECONDS
"$bin" seed --tickets "$tickets" >/dev/null
seed_seconds=$((SECONDS - seed_started))
# Seeded without fsync; measured with normal durability.
bash scripts/pg.sh stop "$pgdir"
bash scripts/pg.sh start "$pgdir" >/dev/null

start_server
token="$(sign_in demo.agent1)"

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
if [ -z "${BENCH_ONLY:-}" ]; then
printf '%-34s %12s %22s\n' "GET /api/v1/tickets (limit=25)" "page 1 (ms)" "after $deep rows (ms)"
for sort in created_at queue sla_due priority; do
  c="$(cursor_after "sort=$sort" "$deep")"
  printf '%-34s %12s %22s\n' "sort=$sort" "$(median_ms "$base/api/v1/tickets?sort=$sort&limit=25")" \
    "$(median_ms "$base/api/v1/tickets?sort=$sort&limit=25&cursor=$c")"
done
printf '%-34s %12s\n' "q=Drucker (full text)" "$(median_ms "$base/api/v1/tickets?q=Drucker&limit=25")"
# The queue's views as the web UI asks for them (#16), and search by number, requester, company.
active="status=new&status=open&status=pending"
printf '%-34s %12s\n' "queue view: all open" "$(median_ms "$base/api/v1/tickets?$active&sort=queue&limit=25")"
printf '%-34s %12s\n' "queue view: unassigned" "$(median_ms "$base/api/v1/tickets?$active&assignee_id=none&sort=queue&limit=25")"
printf '%-34s %12s\n' "queue view: mine" "$(median_ms "$base/api/v1/tickets?$active&assignee_id=me&sort=queue&limit=25")"
printf '%-34s %12s\n' "queue view: last update" "$(median_ms "$base/api/v1/tickets?$active&sort=updated_at&limit=25")"
printf '%-34s %12s\n' "queue view: closed" "$(median_ms "$base/api/v1/tickets?status=resolved&status=closed&sort=queue&limit=25")"
number="$(psql -qtA "$DATABASE_URL" -c "SELECT number FROM tickets ORDER BY id OFFSET 500000 LIMIT 1")"
person="$(psql -qtA "$DATABASE_URL" -c "SELECT split_part(full_name, ' ', 1) FROM users WHERE role = 'customer' ORDER BY id OFFSET 100 LIMIT 1")"
company="$(psql -qtA "$DATABASE_URL" -c "SELECT left(split_part(name, ' ', 1), 4) FROM organizations ORDER BY id LIMIT 1")"
for q in "%23$number" "$person" "$company"; do
  printf '%-34s %12s\n' "q=$q (number, name, company)" "$(median_ms "$base/api/v1/tickets?q=$q&sort=queue&limit=25")"
done
for status in on_track at_risk breached paused met; do
  printf '%-34s %12s\n' "sla_status=$status" "$(median_ms "$base/api/v1/tickets?sla_status=$status&limit=25")"
  printf '%-34s %12s\n' "sla_status=$status&sort=queue" "$(median_ms "$base/api/v1/tickets?sla_status=$status&sort=queue&limit=25")"
  printf '%-34s %12s\n' "sla_status=$status&sort=sla_due" "$(median_ms "$base/api/v1/tickets?sla_status=$status&sort=sla_due&limit=25")"
done
printf '%-34s %12s\n' "status=open&sla_status=breached" "$(median_ms "$base/api/v1/tickets?status=open&sla_status=breached&limit=25")"
year="from=$(date -u -d '-365 days' +%Y-%m-%dT00:00:00Z)&to=$(date -u -d '+1 day' +%Y-%m-%dT00:00:00Z)"
for group in tier priority category agent; do
  printf '%-34s %12s\n' "reports/sla (1 year, $group)" "$(median_ms "$base/api/v1/reports/sla?$year&group_by=$group")"
done
printf '%-34s %12s\n' "reports/volume (1 year, day)" "$(median_ms "$base/api/v1/reports/volume?$year&interval=day")"
printf '%-34s %12s\n' "reports/volume (2 years, week)" \
  "$(median_ms "$base/api/v1/reports/volume?from=$(date -u -d '-730 days' +%Y-%m-%dT00:00:00Z)&to=$(date -u -d '+1 day' +%Y-%m-%dT00:00:00Z)&interval=week")"
printf '%-34s %12s\n' "GET /api/v1/tickets/stats" "$(median_ms "$base/api/v1/tickets/stats")"
fi

# Throughput (#15): wrk, 2 threads, 16 connections, 5 s warm-up then 20 s measured, per
# operation; notifications on (every create and comment queues mail to a local SMTP sink).
apt_ensure wrk
results="$(dirname "$pgdir")/results.jsonl"
sink_count="$(dirname "$pgdir")/smtp.count"
sink_out="$(dirname "$pgdir")/smtp.out"
"$TOOLS/venv/bin/python" -c 'import aiosmtpd' 2>/dev/null || "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check 'aiosmtpd==1.4.6'
"$TOOLS/venv/bin/python" scripts/bench/smtp_counter.py "$sink_count" > "$sink_out" &
sink_pid=$!
for _ in $(seq 1 50); do grep -q PORT "$sink_out" 2>/dev/null && break; sleep 0.1; done
grep -q PORT "$sink_out" || die "the SMTP sink did not start"
start_server HELPDESK_SMTP_URL="smtp://127.0.0.1:$(awk '/PORT/ {print $2}' "$sink_out")" HELPDESK_SMTP_CONNECTIONS=16
token="$(sign_in demo.agent1)"
customer="$(psql -qtA "$DATABASE_URL" -c "SELECT username FROM users WHERE role = 'customer' ORDER BY id LIMIT 1")"
customer_token="$(sign_in "$customer")"
ids="$(dirname "$pgdir")/ids.txt"
active="$(dirname "$pgdir")/active.txt"
psql -qtA "$DATABASE_URL" -c "SELECT id FROM tickets ORDER BY random() LIMIT 10000" > "$ids"
psql -qtA "$DATABASE_URL" -c "SELECT id FROM tickets WHERE status IN ('new', 'open', 'pending') AND NOT archived ORDER BY random() LIMIT 10000" > "$active"
deep_list="$(cursor_after "sort=created_at" 25000)"
# wrk_run NAME SECONDS [VAR=value ...]: one measured run; appends {"op": NAME, ...} to results.
wrk_run() {
  local name="$1" seconds="$2"; shift 2
  env WRK_TOKEN="$token" "$@" wrk -t2 -c16 -d5s -s scripts/bench/wrk.lua "$base" >/dev/null
  local line
  line="$(env WRK_TOKEN="$token" "$@" wrk -t2 -c16 -d"${seconds}s" -s scripts/bench/wrk.lua "$base" | tail -n 1)"
  printf '{"op": "%s", %s\n' "$name" "${line#\{}" >> "$results"
}
wrk_run "get ticket" 20 WRK_PATH='/api/v1/tickets/{id}' WRK_IDS="$ids"
wrk_run "list 50, first page" 20 WRK_PATH='/api/v1/tickets?limit=50'
wrk_run "list 50, after 25,000 rows" 20 WRK_PATH="/api/v1/tickets?limit=50&cursor=$deep_list"
wrk_run "search a common word (Drucker)" 20 WRK_PATH='/api/v1/tickets?q=Drucker&limit=25'
wrk_run "search a rare word (Plotter)" 20 WRK_PATH='/api/v1/tickets?q=Plotter&limit=25'
wrk_run "search a word nobody wrote" 20 WRK_PATH='/api/v1/tickets?q=Kaffeemaschine&limit=25'
wrk_run "dashboard stats" 20 WRK_PATH='/api/v1/tickets/stats'
# Search terms of known frequency (the seed puts devices into descriptions; four tickets get a
# word of their own): alone (median of 7) and under load (p99 at 16 connections, 5 s each);
# measured before the write load, whose tickets all say the same and would otherwise stand
# between the newest matches and the top of the list.
psql -q "$DATABASE_URL" -c "UPDATE tickets SET description = description || ' Einzelstück ' || w
  FROM (VALUES (11, 'Zapfhahn'), (22, 'Lochkarte'), (33, 'Rechenschieber'), (44, 'Telefax')) AS v(n, w)
  WHERE tickets.id = (SELECT id FROM tickets ORDER BY id OFFSET v.n LIMIT 1)"
for term in Kaffeemaschine Zeitmaschine Hoverboard Flaschenpost Zapfhahn Lochkarte Rechenschieber Telefax \
            Plotter Beamer Headset Dockingstation Monitor Tastatur Router Webcam Rückruf Team Screenshots update; do
  found="$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM tickets WHERE search @@ (websearch_to_tsquery('german', '$term') || websearch_to_tsquery('english', '$term'))")"
  encoded="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$term")"
  alone="$(median_ms "$base/api/v1/tickets?q=$encoded&limit=25")"
  line="$(env WRK_TOKEN="$token" WRK_PATH="/api/v1/tickets?q=$encoded&limit=25" wrk -t2 -c16 -d5s -s scripts/bench/wrk.lua "$base" | tail -n 1)"
  printf '{"op": "search", "term": "%s", "tickets": %s, "alone_ms": %s, %s\n' "$term" "$found" "$alone" "${line#\{}" >> "$results"
done
load_started="$(date +%s.%N)"
wrk_run "create ticket" 20 WRK_TOKEN="$customer_token" WRK_METHOD=POST WRK_PATH='/api/v1/tickets' \
  WRK_BODY='{"subject":"Bench {n}","description":"Der Drucker im zweiten Stock druckt nicht."}'
wrk_run "add comment" 20 WRK_METHOD=POST WRK_PATH='/api/v1/tickets/{id}/comments' WRK_IDS="$active" \
  WRK_BODY='{"body":"Wir kümmern uns darum ({n})."}'
load_seconds="$(awk -v a="$load_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
# The outbox after the write load: what is left, and how long it takes to drain.
backlog="$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM emails WHERE status = 'pending'")"
queued="$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM emails")"
drain_started="$(date +%s.%N)"
while [ "$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM emails WHERE status = 'pending'")" != 0 ]; do sleep 0.2; done
drain_seconds="$(awk -v a="$drain_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
sleep 1
read -r received distinct < "$sink_count"
printf '{"op": "mail after the write load", "backlog": %s, "drain_seconds": %s, "load_seconds": %s, "queued": %s, "received": %s, "distinct": %s}\n' \
  "$backlog" "$drain_seconds" "$load_seconds" "$queued" "$received" "$distinct" >> "$results"
# Mail throughput alone: 20,000 queued at once, sent over 16 pooled connections.
psql -q "$DATABASE_URL" -c "INSERT INTO emails (recipient, subject, template, text_body, html_body)
  SELECT 'reader' || g || '@example.org', 'Bench ' || g, 'ticket_created', 'Hallo', '<p>Hallo</p>' FROM generate_series(1, 20000) g"
mail_started="$(date +%s.%N)"
while [ "$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM emails WHERE status = 'pending'")" != 0 ]; do sleep 0.2; done
mail_seconds="$(awk -v a="$mail_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
printf '{"op": "mail outbox alone", "mails": 20000, "seconds": %s}\n' "$mail_seconds" >> "$results"
rss_kb="$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")"
printf '{"op": "server peak memory", "mib": %s}\n' "$((rss_kb / 1024))" >> "$results"

kill "$sink_pid" 2>/dev/null || true
printf '\n'
if [ -n "${BENCH_SAVE:-}" ]; then
  cp "$results" "$BENCH_SAVE"
else
  "$(python_real)" scripts/bench/report.py "$results" "$tickets" docs/benchmarks.md
fi
[ "${BENCH_ONLY:-}" = throughput ] && exit 0
start_server

# Webhook delivery (#13): one instance works off 20,000 queued deliveries (one per ticket, as
# events of many tickets are) to a loopback receiver; deliveries per second until none is pending.
receiver_out="$(dirname "$pgdir")/receiver.out"
"$(python_real)" scripts/bench/webhook_receiver.py > "$receiver_out" &
receiver_pid=$!
for _ in $(seq 1 50); do grep -q PORT "$receiver_out" 2>/dev/null && break; sleep 0.1; done
receiver_port="$(awk '/PORT/ {print $2}' "$receiver_out")"
start_server HELPDESK_WEBHOOK_ALLOW_PRIVATE=true
psql -q "$DATABASE_URL" -c "INSERT INTO webhooks (owner_id, url, event_types, secret)
  SELECT id, 'http://127.0.0.1:$receiver_port/hook', ARRAY['ticket.updated'], 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  FROM users WHERE username = 'demo.agent1'"
hooks_started="$(date +%s.%N)"
psql -q "$DATABASE_URL" -c "INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, ticket_id, payload)
  SELECT (SELECT max(id) FROM webhooks), 'msg_bench' || g, 'ticket.updated', g,
         jsonb_build_object('id', 'msg_bench' || g, 'type', 'ticket.updated', 'data', jsonb_build_object('ticket', jsonb_build_object('id', g)))
  FROM generate_series(1, 20000) g"
while [ "$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'")" != 0 ]; do
  sleep 0.2
done
hooks_seconds="$(awk -v a="$hooks_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
delivered="$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'")"
kill "$receiver_pid" 2>/dev/null
printf '\n%-50s %s\n' "webhook deliveries (20,000 to a loopback receiver)" \
  "$delivered delivered in $hooks_seconds s = $(awk -v n="$delivered" -v t="$hooks_seconds" 'BEGIN { printf "%d", n / t }') deliveries/s"
start_server

# Inbound mail (#14): one instance ingests 10,000 messages (distinct senders, every tenth with a
# PDF) from a local IMAP mailbox (Dovecot, Maildir): from the server's start until all are in
# `Processed`, each a ticket with its confirmation mail queued.
apt_ensure dovecot-imapd
imap_dir="$(dirname "$pgdir")/imap"
imap_port="$(free_port)"
dovecot_pid="$(bash scripts/bench/dovecot.sh "$imap_dir" "$imap_port")"
maildir="$imap_dir/home/support/Maildir"
python3 scripts/bench/fill_maildir.py "$maildir" 10000
if [ "$(id -u)" -eq 0 ]; then chown -R dovecot:dovecot "$imap_dir/home"; fi
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$imap_port") 2>/dev/null && break; sleep 0.1; done
ingest_started="$(date +%s.%N)"
start_server HELPDESK_IMAP_URL="imap://support:bench@127.0.0.1:$imap_port/INBOX" HELPDESK_IMAP_POLL_SECONDS=5 \
  HELPDESK_INBOUND_MAX_PER_SENDER_PER_HOUR=100000
processed=0
for _ in $(seq 1 3600); do
  processed="$( (find "$maildir/.Processed" -type f \( -path '*/cur/*' -o -path '*/new/*' \) 2>/dev/null || true) | wc -l)"
  [ "$processed" -ge 10000 ] && break
  sleep 0.5
done
ingest_seconds="$(awk -v a="$ingest_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
kill "$dovecot_pid" 2>/dev/null || true
printf '%-50s %s\n' "inbound mail (10,000 by IMAP, 1 in 10 with a PDF)" \
  "$processed processed in $ingest_seconds s = $(awk -v n="$processed" -v t="$ingest_seconds" 'BEGIN { printf "%d", n / t }') mails/s"
start_server

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

# P12 export: one customer requests 10,000 tickets and has 1 GiB of files (20 uploads of 50 MiB);
# the export is read to the end by a fresh server, whose peak resident memory (VmHWM) is reported.
export_tickets=$(( tickets < 10000 ? tickets : 10000 ))
customer="$(psql -qtA "$DATABASE_URL" -c "SELECT username FROM users WHERE role = 'customer' ORDER BY id LIMIT 1")"
psql -q "$DATABASE_URL" -c "UPDATE tickets SET requester_id = (SELECT id FROM users WHERE username = '$customer')
  WHERE id IN (SELECT id FROM tickets ORDER BY id LIMIT $export_tickets)"
upload_env=(HELPDESK_MAX_UPLOAD_BYTES=$((60 * 1024 * 1024)) HELPDESK_UPLOAD_QUOTA_MB_PER_DAY=2000)
start_server "${upload_env[@]}"
token="$(sign_in "$customer")"
ticket="$(psql -qtA "$DATABASE_URL" -c "SELECT t.id FROM tickets t JOIN users u ON u.id = t.requester_id
  WHERE u.username = '$customer' AND t.status <> 'closed' ORDER BY t.id LIMIT 1")"
blob="$(dirname "$pgdir")/blob.txt"
head -c $((37 * 1024 * 1024)) /dev/urandom | base64 -w 76 | head -c $((50 * 1024 * 1024)) > "$blob"
for i in $(seq 1 20); do
  curl -sf -o /dev/null -H "Authorization: Bearer $token" -F "file=@$blob;filename=part$i.txt" \
    "$base/api/v1/tickets/$ticket/attachments" || { echo "upload $i failed" >&2; exit 1; }
done
start_server "${upload_env[@]}"
token="$(sign_in "$customer")"
before_kb="$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")"
read -r export_bytes export_seconds < <(curl -s -o /dev/null -w '%{size_download} %{time_total}\n' \
  -H "Authorization: Bearer $token" "$base/api/v1/me/export")
peak_kb="$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")"
printf '\n%-50s %s\n' "GET /api/v1/me/export ($export_tickets tickets, 20 x 50 MiB files)" \
  "$((export_bytes / 1024 / 1024)) MiB in ${export_seconds%.*} s; server peak RSS $((before_kb / 1024)) MiB before, $((peak_kb / 1024)) MiB after"
