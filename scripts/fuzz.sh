#!/usr/bin/env bash
# The long fuzz run of the wire parsers (issue 8): the task-list scanner and every other
# parser of dtasks_core::wire get a million generated and mutated answers (by default),
# in release, one thread per core; prints the figures docs/benchmarks.md quotes. The CI
# test `fuzz` (crates/core/tests/core/fuzz.rs) runs the same cases on a short budget.
#
#   ./scripts/fuzz.sh [CASES [SEED]]
#
# DTASKS_FUZZ_THREADS sets the threads. A failure prints the seed, the case and the input,
# and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
export DTASKS_FUZZ_CASES="${1:-${DTASKS_FUZZ_CASES:-1000000}}"
if [ $# -ge 2 ]; then
  export DTASKS_FUZZ_SEED="$2"
fi
exec cargo run --release --locked --quiet -p dtasks-core --example fuzz_wire
