#!/usr/bin/env bash
# Builds and starts the Deepen Tasks desktop app. With no account configured (or with
# --demo) it opens in demo mode on the built-in Deepen emulator with sample data.
# Installs what a fresh Debian machine lacks first (scripts/setup.sh). Runs the optimized
# build (profile `release`, tuned in Cargo.toml to build in minutes on 2 cores; a rebuild
# after a change is incremental).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
(cd ui && npm run --silent build)
cargo build --release -p deepen-tasks --locked
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display here; starting under a virtual one (xvfb-run)" >&2
  exec xvfb-run -a -s "-screen 0 1280x800x24" ./target/release/deepen-tasks "$@"
fi
exec ./target/release/deepen-tasks "$@"
