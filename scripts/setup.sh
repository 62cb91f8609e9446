#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for building and testing Deepen Tasks.
# Idempotent: packages already present are not touched; safe to run on every CI run.
set -euo pipefail

packages=(
  build-essential pkg-config libssl-dev   # Rust crates that build C (SQLite, TLS)
  python3 curl                            # a second SQLite client in a test; the demo script
  dbus dbus-x11 gnome-keyring libsecret-tools  # a real Secret Service for the credential test
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "setup: cargo is missing; install Rust with rustup" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt >/dev/null 2>&1 || true
