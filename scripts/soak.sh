#!/usr/bin/env bash
# The crash soak of issue 8: `dtasks sync` killed with SIGKILL at random moments KILLS times
# (default 1,000) against the emulator with latency, 5xx and lost answers, the queue
# refilled as it goes; then exactly-once and nothing lost are checked against the
# emulator's journal. Prints kills, kills that landed mid-request, and durations for
# docs/benchmarks.md (the whole output is kept in target/soak.log). CI runs the same test
# with 36 kills.
#   scripts/soak.sh [KILLS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
export DTASKS_CRASH_KILLS="${1:-1000}" DTASKS_CRASH_SEED="${2:-42}" DTASKS_CRASH_FINAL_WAIT=900
mkdir -p target
set +e
cargo test -p dtasks-cli --test crash --locked -- --nocapture >target/soak.log 2>&1
status=$?
set -e
grep -E -A4 '^crash test|^test |panicked' target/soak.log | grep -v '^ *[0-9]*: \|^ *at '
exit "$status"
