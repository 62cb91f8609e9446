#!/usr/bin/env bash
# The fast loop, before a commit (under 3 minutes on a warm target directory): Rust
# formatting, clippy with warnings as errors, the unit tests of every crate; the UI's type
# check, lint, format check and unit tests. The full suite (integration, crash, e2e) is
# `./scripts/test.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "rustfmt"
cargo fmt --all --check
step "clippy"
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings
step "unit tests (Rust; the shell's include the bindings check)"
cargo test --workspace --locked --quiet --lib --bins
(
  cd ui
  step "typecheck (UI)"
  npm run --silent typecheck
  step "lint (UI)"
  npm run --silent lint
  step "format (UI)"
  npm run --silent format:check
  step "unit tests (UI)"
  npm run --silent test
)
printf '\ncheck: all green\n'
