//! Runs fuzz cases: each case, from its seed alone, generates an answer (proptest),
//! mutates it seven times in ten, and feeds it to every parser's checks; tallies the
//! figures, and on a failure shrinks the input and says how to reproduce it.

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::check::{CHECKS, Verdict, check_prefixes};
use super::generate::{Expect, Kind, Layout, generate};
use super::mutate::mutate;

/// The seed when `DTASKS_FUZZ_SEED` does not give one.
pub const DEFAULT_SEED: u64 = 20_261_201;

/// How many cases to run from which seed, on how many threads.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    pub seed: u64,
    pub cases: u64,
    pub threads: u64,
}

impl Config {
    /// `DTASKS_FUZZ_CASES`, `DTASKS_FUZZ_SEED` and `DTASKS_FUZZ_THREADS`, or the defaults
    /// (one thread per core).
    pub fn from_env(default_cases: u64) -> Config {
        let cores = thread::available_parallelism().map_or(1, |n| n.get() as u64);
        let var = |name: &str, default: u64| match std::env::var(name) {
            Ok(v) => v
                .replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
            Err(_) => default,
        };
        Config {
            seed: var("DTASKS_FUZZ_SEED", DEFAULT_SEED),
            cases: var("DTASKS_FUZZ_CASES", default_cases),
            threads: var("DTASKS_FUZZ_THREADS", cores).max(1),
        }
    }
}

/// Runs the cases `0..config.cases`, split between the threads (cases are independent);
/// stops at the first failure.
pub fn run(config: &Config) -> Result<Stats, Box<Failure>> {
    let stop = AtomicBool::new(false);
    let one_thread = |first: u64| -> Result<Stats, Box<Failure>> {
        let mut stats = Stats::default();
        let mut case = first;
        while case < config.cases && !stop.load(Ordering::Relaxed) {
            run_case(config.seed, case, &mut stats).inspect_err(|_| {
                stop.store(true, Ordering::Relaxed);
            })?;
            case += config.threads;
        }
        Ok(stats)
    };
    thread::scope(|s| {
        let threads: Vec<_> = (0..config.threads)
            .map(|first| s.spawn(move || one_thread(first)))
            .collect();
        let mut total = Stats::default();
        for thread in threads {
            total.add(&thread.join().expect("checks catch panics")?);
        }
        Ok(total)
    })
}

/// Inputs fed to one parser and what it made of them.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub inputs: u64,
    pub accepted: u64,
    pub refused: u64,
}

/// The figures of a run.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub parsers: [Counts; CHECKS.len()],
    /// Cases whose answer went to the parsers as generated (valid).
    pub generated: u64,
    /// Cases whose answer was mutated first.
    pub mutated: u64,
    /// Strict prefixes of valid task lists fed to the scanner, besides the cases (all
    /// refused, or the run stops).
    pub prefixes: u64,
}

impl Stats {
    /// Adds another run's figures (a thread's).
    fn add(&mut self, other: &Stats) {
        for (mine, theirs) in self.parsers.iter_mut().zip(&other.parsers) {
            mine.inputs += theirs.inputs;
            mine.accepted += theirs.accepted;
            mine.refused += theirs.refused;
        }
        self.generated += other.generated;
        self.mutated += other.mutated;
        self.prefixes += other.prefixes;
    }

    /// Inputs fed to all the parsers together, prefixes included.
    pub fn total_inputs(&self) -> u64 {
        self.parsers.iter().map(|c| c.inputs).sum::<u64>() + self.prefixes
    }

    fn count(&mut self, parser: usize, verdict: Verdict) {
        let c = &mut self.parsers[parser];
        c.inputs += 1;
        match verdict {
            Verdict::Accepted => c.accepted += 1,
            Verdict::Refused => c.refused += 1,
            Verdict::Read => {}
        }
    }

    /// The figures as Markdown, for `docs/benchmarks.md`.
    pub fn report(&self, config: &Config, elapsed: Duration) -> String {
        let secs = elapsed.as_secs_f64();
        let mut out = format!(
            "seed {}, {} cases ({} valid as generated, {} mutated), {} thread(s), {:.1} s\n\n\
             | parser | inputs | accepted | refused |\n|---|---|---|---|\n",
            config.seed,
            thousands(config.cases),
            thousands(self.generated),
            thousands(self.mutated),
            config.threads,
            secs,
        );
        for ((name, _), c) in CHECKS.iter().zip(&self.parsers) {
            let inputs = thousands(c.inputs);
            out += &if c.accepted + c.refused == c.inputs {
                let (accepted, refused) = (thousands(c.accepted), thousands(c.refused));
                format!("| `{name}` | {inputs} | {accepted} | {refused} |\n")
            } else {
                format!("| `{name}` (never refuses) | {inputs} | — | — |\n")
            };
        }
        let prefixes = thousands(self.prefixes);
        out += &format!(
            "| `stream_dataset_tasks`, every prefix of 1 in 32 valid lists (up to 8 KiB) \
             | {prefixes} | 0 | {prefixes} |\n",
        );
        let total = self.total_inputs();
        out += &format!(
            "\n{} inputs in all, {} inputs/s\n",
            thousands(total),
            thousands((total as f64 / secs.max(1e-9)) as u64),
        );
        out
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// An input that broke a property, with what it takes to reproduce it.
#[derive(Debug)]
pub struct Failure {
    pub seed: u64,
    pub case: u64,
    pub parser: &'static str,
    pub message: String,
    pub input: Vec<u8>,
    /// A smaller input that still fails (with its message), when shrinking found one.
    pub minimized: Option<(Vec<u8>, String)>,
}

/// The bytes as a Rust byte-string literal, to paste into a regression test.
fn escaped(bytes: &[u8]) -> String {
    let body: String = bytes
        .iter()
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    format!("b\"{body}\"")
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", self.parser, self.message)?;
        writeln!(
            f,
            "seed {}, case {} (DTASKS_FUZZ_SEED={} DTASKS_FUZZ_CASES={} reproduces it)",
            self.seed,
            self.case,
            self.seed,
            self.case + 1
        )?;
        writeln!(
            f,
            "input ({} bytes): {}",
            self.input.len(),
            escaped(&self.input)
        )?;
        if let Some((input, message)) = &self.minimized {
            writeln!(
                f,
                "shrunk to {} bytes ({message}): {}",
                input.len(),
                escaped(input)
            )?;
        }
        Ok(())
    }
}

/// The longest valid list whose every prefix is fed to the scanner (that costs the
/// square of its length).
const MAX_PREFIXED: usize = 8 * 1024;

/// The RNG of one case: a case is reproduced from the seed and its number alone.
fn case_rng(seed: u64, case: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ case.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// Runs case number `case` of the run seeded `seed`, adding to `stats`.
fn run_case(seed: u64, case: u64, stats: &mut Stats) -> Result<(), Box<Failure>> {
    let mut rng = case_rng(seed, case);
    let mut runner = TestRunner::new_with_rng(
        RunnerConfig::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &rng.random::<[u8; 32]>()),
    );
    let generated = generate(
        Kind::pick(&mut rng),
        &mut runner,
        &mut Layout::new(&mut rng),
    );
    let (input, expect) = if rng.random_bool(0.3) {
        stats.generated += 1;
        (generated.bytes, Some(generated.expect))
    } else {
        stats.mutated += 1;
        let donor = generate(
            Kind::pick(&mut rng),
            &mut runner,
            &mut Layout::new(&mut rng),
        );
        let mut bytes = generated.bytes;
        mutate(&mut bytes, &donor.bytes, &mut rng);
        (bytes, None)
    };
    let check_seed = rng.random();
    let fail = |parser: usize, message: String, input: &[u8]| {
        Box::new(Failure {
            seed,
            case,
            parser: CHECKS[parser].0,
            message,
            input: input.to_vec(),
            minimized: shrink(input, parser, check_seed),
        })
    };
    for parser in 0..CHECKS.len() {
        match check_one(parser, &input, expect.as_ref(), check_seed) {
            Ok(verdict) => stats.count(parser, verdict),
            Err(message) => return Err(fail(parser, message, &input)),
        }
    }
    if let Some(Expect::TaskList {
        dataset_id,
        tasks: Ok(_),
    }) = &expect
        && input.len() <= MAX_PREFIXED
        && rng.random_ratio(1, 32)
    {
        stats.prefixes += check_prefixes(&input, dataset_id).map_err(|m| fail(0, m, &input))?;
    }
    Ok(())
}

/// One parser's checks on one input; a panic is a failure like any other.
fn check_one(
    parser: usize,
    input: &[u8],
    expect: Option<&Expect>,
    check_seed: u64,
) -> Result<Verdict, String> {
    let mut rng = StdRng::seed_from_u64(check_seed ^ parser as u64);
    let check = CHECKS[parser].1;
    panic::catch_unwind(AssertUnwindSafe(|| check(input, expect, &mut rng))).unwrap_or_else(
        |panic| {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("panicked: {what}"))
        },
    )
}

/// Removes slices of a failing input, halving their size, while the same parser still
/// fails on what is left (as any input: without the generator's expectations).
fn shrink(input: &[u8], parser: usize, check_seed: u64) -> Option<(Vec<u8>, String)> {
    const MAX_TRIES: usize = 5_000;
    // Panics are expected while shrinking: silenced, one shrink at a time (the hook is
    // the process's).
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let fails = |candidate: &[u8]| check_one(parser, candidate, None, check_seed).err();
    let mut best = input.to_vec();
    let mut message = fails(&best);
    let mut chunk = best.len().div_ceil(2).max(1);
    let mut tries = 0;
    while message.is_some() && tries < MAX_TRIES {
        let mut removed = false;
        let mut at = 0;
        while at < best.len() && tries < MAX_TRIES {
            tries += 1;
            let candidate = [&best[..at], &best[(at + chunk).min(best.len())..]].concat();
            match fails(&candidate) {
                Some(m) => (best, message, removed) = (candidate, Some(m), true),
                None => at += chunk,
            }
        }
        if chunk == 1 && !removed {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    panic::set_hook(hook);
    message.map(|m| (best, m))
}
