#!/usr/bin/env bash
# `make run`: prerequisites, a private PostgreSQL cluster in .data/postgres (unless DATABASE_URL
# is set), release builds of the SPA and the server, migrations, a first admin, then serve on
# http://127.0.0.1:8080 with emails written to .data/mail (unless HELPDESK_SMTP_URL is set).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

bash scripts/ensure-tools.sh run
mkdir -p .data

if [ -z "${DATABASE_URL:-}" ]; then
  log "starting the private PostgreSQL cluster in .data/postgres"
  admin_url="$(bash scripts/pg.sh start "$ROOT/.data/postgres")"
  if ! psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = 'helpdesk'" | grep -q 1; then
    psql -q "$admin_url" -c "CREATE DATABASE helpdesk"
  fi
  export DATABASE_URL="${admin_url%/postgres}/helpdesk"
fi

# A stable JWT secret keeps sessions valid across restarts.
if [ -z "${HELPDESK_JWT_SECRET:-}" ]; then
  [ -s .data/jwt_secret ] || (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > .data/jwt_secret)
  HELPDESK_JWT_SECRET="$(cat .data/jwt_secret)"; export HELPDESK_JWT_SECRET
fi
export HELPDESK_MAIL_DIR="${HELPDESK_MAIL_DIR:-$ROOT/.data/mail}"
export HELPDESK_LOG_DIR="${HELPDESK_LOG_DIR:-$ROOT/.data/logs}"
export HELPDESK_STORAGE="${HELPDESK_STORAGE:-$ROOT/.data/attachments}"
export HELPDESK_WEB_DIR="${HELPDESK_WEB_DIR:-$ROOT/web-ui/dist}"

bash scripts/build-web.sh
log "building the server (release)"
cargo build -q --release -p helpdesk-api --bin helpdesk
bin="${CARGO_TARGET_DIR:-$ROOT/target}/release/helpdesk"

"$bin" migrate
password="$(head -c 32 /dev/urandom | base64 | tr -d '\n/+=' | cut -c1-20)"
created="$(printf '%s\n' "$password" | "$bin" create-admin --if-none --email admin@helpdesk.test --name "Administrator" --username admin)"
if [ -n "$created" ]; then
  printf '\n  First admin created. Sign in with\n    username: admin\n    password: %s\n  (shown once; change it under Profile)\n\n' "$password"
fi

# Optional demo data: `make run HELPDESK_SEED_TICKETS=500` seeds once, into an empty database.
if [ -n "${HELPDESK_SEED_TICKETS:-}" ]; then
  if [ -n "$(psql "$DATABASE_URL" -tAc 'SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM tickets)' 2>/dev/null)" ]; then
    log "seeding $HELPDESK_SEED_TICKETS demo tickets"
    "$bin" seed --tickets "$HELPDESK_SEED_TICKETS"
  else
    log "not seeding: the database already has tickets (demo data goes into an empty database only)"
  fi
fi

log "serving on ${HELPDESK_BIND:-127.0.0.1:8080} (Ctrl-C stops; the database keeps its data)"
exec "$bin" serve
