#!/usr/bin/env bash
# `make test`: prerequisites, formatting, clippy, every test against a throwaway PostgreSQL
# cluster, the OpenAPI drift check (a test), and an offline check of docker-compose.yml.
# Runs non-interactively, as root or not, on a fresh Debian/Ubuntu machine with only Rust.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$SECONDS

bash scripts/ensure-tools.sh test

log "checking formatting"
cargo fmt --all -- --check

log "clippy (warnings are errors)"
cargo clippy -q --workspace --exclude helpdesk-web-ui --all-targets -- -D warnings
cargo clippy -q -p helpdesk-web-ui --target wasm32-unknown-unknown -- -D warnings

log "building the server and the web UI"
cargo build -q -p helpdesk-api --bin helpdesk
bash scripts/build-web.sh

log "validating docker-compose.yml"
"$TOOLS/venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml

log "starting a throwaway PostgreSQL cluster"
pgdir="$(mktemp -d /tmp/helpdesk-test-pg.XXXXXX)/data"
cleanup() { bash scripts/pg.sh stop "$pgdir"; rm -rf "$(dirname "$pgdir")"; }
trap cleanup EXIT
DATABASE_URL="$(bash scripts/pg.sh start "$pgdir" --throwaway)"
export DATABASE_URL
export HELPDESK_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/helpdesk"

log "starting an S3-compatible server (moto) for the storage tests"
s3_port="$(free_port)"
"$TOOLS/venv/bin/moto_server" -H 127.0.0.1 -p "$s3_port" > "$(dirname "$pgdir")/moto.log" 2>&1 &
s3_pid=$!
cleanup() { kill "$s3_pid" 2>/dev/null || true; bash scripts/pg.sh stop "$pgdir"; rm -rf "$(dirname "$pgdir")"; }
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null && break; sleep 0.2; done
export HELPDESK_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"

log "running the tests"
cargo test -q --workspace --exclude helpdesk-web-ui

log "all checks passed in $((SECONDS - started)) s"
