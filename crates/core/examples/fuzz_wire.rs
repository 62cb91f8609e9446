//! The long fuzz run of the wire parsers (issue 8): the same cases as the CI test
//! `tests/core/fuzz.rs` (whose modules it includes), a million by default, on every core.
//! Prints the figures for `docs/benchmarks.md`; on a failure, the seed, the case and the
//! input, and exits 1.
//!
//! `./scripts/fuzz.sh` runs it in release; `DTASKS_FUZZ_CASES`, `DTASKS_FUZZ_SEED` and
//! `DTASKS_FUZZ_THREADS` change the run.

#[path = "../tests/core/fuzz/check.rs"]
mod check;
#[path = "../tests/core/fuzz/generate.rs"]
mod generate;
#[path = "../tests/core/fuzz/mutate.rs"]
mod mutate;
#[path = "../tests/core/fuzz/run.rs"]
mod run;

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let config = run::Config::from_env(1_000_000);
    eprintln!(
        "fuzzing the wire parsers: {} cases from seed {} on {} threads",
        config.cases, config.seed, config.threads
    );
    let started = Instant::now();
    match run::run(&config) {
        Ok(stats) => {
            println!("{}", stats.report(&config, started.elapsed()));
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("wire fuzzing failed:\n{failure}");
            ExitCode::FAILURE
        }
    }
}
