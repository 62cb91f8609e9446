#!/usr/bin/env bash
# Builds the installers with the Tauri bundler, from the optimized build (profile
# `release`, tuned for 2 cores in Cargo.toml): a .deb, an .rpm and an .AppImage, each with
# the desktop entry, the icons and the app's metadata of tauri.conf.json, into
# target/release/bundle/{deb,rpm,appimage}/.
#
#   scripts/package.sh               # all three
#   scripts/package.sh deb rpm       # some of them
#
# With TAURI_SIGNING_PRIVATE_KEY (and _PASSWORD) set, the updater's artifacts are signed
# too (a .sig next to each installer); docs/releasing.md says how a release is cut.
# The AppImage needs linuxdeploy, which the bundler downloads from GitHub on first use
# (into ~/.cache/tauri); where GitHub cannot be reached it is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

bundles=("$@")
[ ${#bundles[@]} -gt 0 ] || bundles=(deb rpm appimage)

if [[ " ${bundles[*]} " == *" appimage "* ]] && [ ! -e "${XDG_CACHE_HOME:-$HOME/.cache}/tauri/linuxdeploy-x86_64.AppImage" ] &&
  ! curl -fsS -o /dev/null --max-time 10 https://github.com; then
  echo "package: GitHub cannot be reached, so the bundler cannot fetch linuxdeploy: no AppImage this time" >&2
  bundles=("${bundles[@]/appimage/}")
fi
list=$(printf '%s\n' "${bundles[@]}" | grep -v '^$' | paste -sd, -)
[ -n "$list" ] || { echo "package: nothing to build" >&2; exit 1; }

config=()
if [ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  config=(--config '{"bundle":{"createUpdaterArtifacts":true}}')
else
  echo "package: TAURI_SIGNING_PRIVATE_KEY is not set: the installers are built, not signed for the updater" >&2
fi

(cd ui && npm run --silent build)

# The Tauri CLI wants the config next to the app's Cargo.toml; ours is at the workspace
# root (the app's build reads it there). For the bundler's run, a copy in src-tauri/ with
# its relative paths rebased, removed afterwards.
staged=src-tauri/tauri.conf.json
trap 'rm -f "$staged"' EXIT
python3 - tauri.conf.json "$staged" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["build"]["frontendDist"] = "../" + config["build"]["frontendDist"]
config["bundle"]["icon"] = ["../" + p for p in config["bundle"]["icon"]]
json.dump(config, open(sys.argv[2], "w"), indent=2)
PY

start=$(date +%s)
(cd src-tauri && ../ui/node_modules/.bin/tauri build --ci --bundles "$list" "${config[@]}" -- --locked)
echo "package: built in $(($(date +%s) - start)) s:"
find target/release/bundle \( -name '*.deb' -o -name '*.rpm' -o -name '*.AppImage' -o -name '*.sig' \) \
  -newermt "@$start" -printf '  %p  %s bytes\n'
# The bundler patched target/release/deepen-tasks with the last package's type (the
# updater reads it to know how it was installed); the copy scripts/run.sh starts must
# not claim to be a package, so cargo links a fresh one next time.
rm -f target/release/deepen-tasks
