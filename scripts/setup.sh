#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for building and testing Deepen Tasks.
# Idempotent: packages already present are not touched; safe to run on every CI run.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential pkg-config libssl-dev   # Rust crates that build C (SQLite, TLS)
  python3 curl                            # a second SQLite client in a test; the demo script
  dbus dbus-x11 gnome-keyring libsecret-tools  # a real Secret Service for the credential test
  # The desktop app (Tauri on WebKitGTK)
  libwebkit2gtk-4.1-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev libgtk-3-dev
  libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  # Its end-to-end tests: a virtual display, WebKit's WebDriver, screenshots
  xvfb xauth webkit2gtk-driver imagemagick
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

# tauri-driver: WebDriver for the app's end-to-end tests.
if ! command -v tauri-driver >/dev/null || ! tauri-driver --help 2>&1 | grep -q -- "--native-port"; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi

# The web UI's packages (Node 20.19+ for Vite 8).
command -v npm >/dev/null || { echo "setup: Node.js 20.19+ with npm is missing (https://nodejs.org)" >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  { echo "setup: Node.js $(node --version) is too old; Vite 8 needs 20.19 or newer" >&2; exit 1; }
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: installing the UI's npm packages"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
