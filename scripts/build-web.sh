#!/usr/bin/env bash
# Builds the SPA into web-ui/dist: cargo (wasm32, size-optimised profile) -> wasm-bindgen (pinned
# to Cargo.lock) -> wasm-opt from npm binaryen (Debian's breaks the page) -> content-hashed names,
# gzip siblings, index.html. Skips the post-processing when the wasm did not change.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

target_dir="${CARGO_TARGET_DIR:-$ROOT/target}"
profile=wasm-release
log "building the web UI (wasm32, $profile)"
cargo build -q -p helpdesk-web-ui --target wasm32-unknown-unknown --profile "$profile"
wasm="$target_dir/wasm32-unknown-unknown/$profile/helpdesk-web-ui.wasm"
dist="$ROOT/web-ui/dist"
stamp="$(cat "$wasm" web-ui/index.html web-ui/style.css web-ui/favicon.svg scripts/build-web.sh | sha256sum | cut -c1-32)"
if [ -f "$dist/.stamp" ] && [ "$(cat "$dist/.stamp")" = "$stamp" ]; then
  log "web UI unchanged"
  exit 0
fi

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$work" --out-name app "$wasm"
"$TOOLS/node/node_modules/.bin/wasm-opt" -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue "$work/app_bg.wasm" -o "$work/app_bg.opt.wasm"

hash() { sha256sum "$1" | cut -c1-16; }
rm -rf "$dist.new"; mkdir -p "$dist.new"
wasm_name="app_bg-$(hash "$work/app_bg.opt.wasm").wasm"
cp "$work/app_bg.opt.wasm" "$dist.new/$wasm_name"
js_name="app-$(hash "$work/app.js").js"
cp "$work/app.js" "$dist.new/$js_name"
printf "import init from './%s';\ninit({ module_or_path: '/%s' });\n" "$js_name" "$wasm_name" > "$work/boot.js"
boot_name="boot-$(hash "$work/boot.js").js"
cp "$work/boot.js" "$dist.new/$boot_name"
style_name="style-$(hash web-ui/style.css).css"
cp web-ui/style.css "$dist.new/$style_name"
cp web-ui/favicon.svg "$dist.new/favicon.svg"
sed -e "s|{{WASM}}|$wasm_name|g" -e "s|{{JS}}|$js_name|g" -e "s|{{BOOT}}|$boot_name|g" -e "s|{{STYLE}}|$style_name|g" \
  web-ui/index.html > "$dist.new/index.html"
for f in "$dist.new"/*.wasm "$dist.new"/*.js "$dist.new"/*.css; do gzip -9 -k -n "$f"; done
echo "$stamp" > "$dist.new/.stamp"
rm -rf "$dist"; mv "$dist.new" "$dist"
raw=$(stat -c %s "$dist/$wasm_name"); gz=$(stat -c %s "$dist/$wasm_name.gz")
log "web UI built: $wasm_name $raw bytes, $gz bytes gzipped"
