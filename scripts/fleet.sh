#!/usr/bin/env bash
# The long fleet of issue 8: CLIENTS sync clients (default 100: a manager, a reviewer,
# annotators on two workspaces each) against one emulator for SECONDS (default 600) while
# every link flaps and the server has bursts of 5xx, lost answers and slowness; then
# exactly-once, nothing lost and convergence are checked. Prints a Markdown table for
# docs/benchmarks.md; exits 1 when an invariant broke. CI runs 12 clients for 60 s
# (tests/fleet/tests/fleet.rs). The debug profile is fine: the core and every dependency
# are compiled optimized in it (Cargo.toml).
#   scripts/fleet.sh [CLIENTS] [SECONDS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --locked -q -p dtasks-fleet -- --clients "${1:-100}" --seconds "${2:-600}" --seed "${3:-1}"
