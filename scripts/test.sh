#!/usr/bin/env bash
# Runs every test of Deepen Tasks: formatting, lints, and the whole workspace's tests
# (unit, emulator, sync against the emulator, CLI scenarios, the kill -9 crash test),
# with the credential test against a real gnome-keyring in a private D-Bus session.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo build --workspace --all-targets --locked

export DTASKS_REQUIRE_KEYRING=1
# As root (CI), the full-disk test mounts a small tmpfs; elsewhere it says why it skips.
[ "$(id -u)" -ne 0 ] || export DTASKS_REQUIRE_TMPFS=1
unset DEEPEN_TOKEN DTASKS_HOME
# A keyring of its own for this run (a fresh login keyring, unlocked with a throwaway
# password), so a reused machine's keyring never gets in the way.
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
XDG_DATA_HOME="$keyring_home" dbus-run-session -- sh -c '
  printf "ci-keyring-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --workspace --locked --no-fail-fast
'
