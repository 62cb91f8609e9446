#!/usr/bin/env bash
# Runs every test of Deepen Tasks: formatting and lints (Rust and the UI), the UI's unit
# tests, and the whole workspace's tests — unit, emulator, sync against the emulator, CLI
# scenarios, the kill -9 crash test, the app's commands through real IPC, the bindings
# check, and the end-to-end tests of the real app in a real webview under Xvfb — with the
# credential test against a real gnome-keyring in a private D-Bus session.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

# The UI first: the app embeds ui/dist at compile time.
(
  cd ui
  npm run --silent typecheck
  npm run --silent lint
  npm run --silent format:check
  npm run --silent test
  npm run --silent build
)

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo build --workspace --all-targets --locked

export DTASKS_REQUIRE_KEYRING=1 DTASKS_REQUIRE_E2E=1
# As root (CI), the full-disk test mounts a small tmpfs; elsewhere it says why it skips.
[ "$(id -u)" -ne 0 ] || export DTASKS_REQUIRE_TMPFS=1
unset DEEPEN_TOKEN DTASKS_HOME DTASKS_APP_DIR DTASKS_METERED DTASKS_REQUEST_TIMEOUT DTASKS_UPDATE_ENDPOINT DTASKS_UPDATE_PUBKEY
# A keyring (and config folders) of its own for this run (a fresh login keyring, unlocked
# with a throwaway password), so a reused machine's state never gets in the way.
run_home=$(mktemp -d)
trap 'rm -rf "$run_home"' EXIT
export XDG_DATA_HOME="$run_home/data" XDG_CONFIG_HOME="$run_home/config" XDG_CACHE_HOME="$run_home/cache"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
xvfb-run -a -s "-screen 0 1920x1080x24" dbus-run-session -- sh -c '
  printf "ci-keyring-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --workspace --locked --no-fail-fast
'
