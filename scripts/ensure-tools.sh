#!/usr/bin/env bash
# Installs what `make run` and `make test` need on a fresh Debian/Ubuntu machine that has only Rust.
# Idempotent and quiet when everything is present. Usage: ensure-tools.sh [run|test]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
purpose="${1:-run}"

# System packages: PostgreSQL server + libpq for diesel, Python for the test servers and tools,
# Node.js/npm for a working wasm-opt (Debian's binaryen 108 silently breaks the page).
pkgs=(postgresql libpq-dev pkg-config ca-certificates)
# Tests: the browser, and a real IMAP server (Dovecot) for inbound mail.
[ "$purpose" = test ] && pkgs+=(chromium chromium-driver dovecot-imapd)
command -v python3 >/dev/null || pkgs+=(python3)
# Node.js from elsewhere (e.g. NodeSource) ships its own npm and conflicts with Debian's package.
command -v npm >/dev/null || pkgs+=(nodejs npm)
apt_ensure "${pkgs[@]}"

# Rust: the wasm target, and the wasm-bindgen CLI pinned to the crate version in Cargo.lock.
rustup target list --installed | grep -qx wasm32-unknown-unknown || {
  log "adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown; }
want="$(locked_version wasm-bindgen)"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (was: ${have:-none})"
  # --locked fails here: one of its pinned dependencies is missing from the registry mirror.
  cargo install -q wasm-bindgen-cli --version "$want" --force
fi

# wasm-opt from the npm package binaryen, kept inside the project.
if [ ! -x "$TOOLS/node/node_modules/.bin/wasm-opt" ]; then
  log "installing binaryen (wasm-opt) from npm"
  mkdir -p "$TOOLS/node"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/node" binaryen@132.0.0 >/dev/null
fi

# The browser-test driver (uses Debian's chromium; never downloads a browser).
if [ "$purpose" = test ] && [ ! -f "$TOOLS/node/node_modules/playwright-core/package.json" ]; then
  # playwright-core 1.65 needs Node 20; Debian 12's own Node.js is 18, which 1.49 supports.
  version=1.65.1
  [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || version=1.49.1
  log "installing playwright-core $version from npm"
  mkdir -p "$TOOLS/node"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/node" "playwright-core@$version" >/dev/null
fi

# The generated-client tests: TypeScript types and client from the spec, type-checked with tsc.
if [ "$purpose" = test ] && [ ! -f "$TOOLS/node/node_modules/openapi-fetch/package.json" ]; then
  log "installing openapi-typescript, openapi-fetch and typescript from npm"
  mkdir -p "$TOOLS/node"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/node" \
    openapi-typescript@7.13.0 openapi-fetch@0.17.0 typescript@5.9.3 @types/node@20 >/dev/null
fi

# Python tools in a private virtualenv: the SMTP server for tests, the compose-file validator,
# and an S3-compatible server for the storage tests.
if [ ! -x "$TOOLS/venv/bin/python" ]; then
  log "creating the Python virtualenv in .tools/venv"
  python3 -m venv "$TOOLS/venv" 2>/dev/null || { rm -rf "$TOOLS/venv"; apt_ensure python3-venv; python3 -m venv "$TOOLS/venv"; }
fi
if [ "$purpose" = test ] && ! "$TOOLS/venv/bin/python" -c 'import aiosmtpd, check_jsonschema, moto.server, openapi_python_client, schemathesis' 2>/dev/null; then
  log "installing aiosmtpd, check-jsonschema, moto (S3 server), openapi-python-client and schemathesis"
  "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check 'aiosmtpd==1.4.6' 'check-jsonschema==0.39.0' 'moto[server]==5.1.*' \
    'openapi-python-client==0.29.1' 'schemathesis==4.32.5'
fi
