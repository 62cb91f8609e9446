//! The properties every input is checked against, one function per parser. Any input:
//! no panic, and the streaming scanner agrees with serde_json ([`task_list_oracle`]).
//! A generated answer: its own parser returns exactly what was generated.

use std::fmt;
use std::io::{self, Read};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dtasks_core::clock::now_millis;
use dtasks_core::wire::{
    RETRY_AFTER_CAP, StreamError, Task, parse_action_response, parse_dataset, parse_datasets,
    parse_delayed_tasks, parse_error_body, parse_retry_after, parse_user_tasks,
    stream_dataset_tasks,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::generate::{DelayedBy, Expect};

/// What a parser made of an input, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    Refused,
    /// The parser never refuses (`parse_error_body` shows any body as text).
    Read,
}

/// A property check: `Err` says which property the input broke.
type Check = fn(&[u8], Option<&Expect>, &mut StdRng) -> Result<Verdict, String>;

/// The parsers under test and their checks, in the report's order.
pub const CHECKS: [(&str, Check); 10] = [
    ("stream_dataset_tasks", check_task_list),
    ("Task::from_raw", check_from_raw),
    ("Task::from_raw_in", check_from_raw_in),
    ("parse_action_response", check_action_response),
    ("parse_user_tasks", check_user_tasks),
    ("parse_delayed_tasks", check_delayed_tasks),
    ("parse_datasets", check_datasets),
    ("parse_dataset", check_dataset),
    ("parse_error_body", check_error_body),
    ("parse_retry_after", check_retry_after),
];

fn verdict<T, E>(result: &Result<T, E>) -> Verdict {
    if result.is_ok() {
        Verdict::Accepted
    } else {
        Verdict::Refused
    }
}

/// `Err` with both values when they differ.
fn same<T: PartialEq + fmt::Debug + ?Sized>(
    what: &str,
    got: &T,
    expected: &T,
) -> Result<(), String> {
    if got == expected {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, expected {expected:?}"))
    }
}

// ---------------------------------------------------------------------------------------
// The streaming scanner against serde_json

/// The top-level members of an object, in order, duplicates kept (serde_json's `Value`
/// keeps only the last of two equal keys).
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(MembersVisitor)
    }
}

/// What serde_json makes of an answer to endpoint 1: its tasks, or why it is none.
///
/// The rule the scanner must follow: one JSON text (whitespace after it, nothing else),
/// an object with exactly one `tasks` member — a second makes the answer ambiguous, so
/// it is refused — holding an array of objects that `Task::from_raw_in` accepts. The
/// other members are checked as serde_json checks a value it skips, like a task's unknown
/// fields: grammar and UTF-8 (a number out of `f64`'s range or an unpaired `\u`
/// surrogate is fine there; serde_json's `Value` would refuse both).
pub fn task_list_oracle(body: &[u8], dataset_id: &str) -> Result<Vec<Task>, String> {
    let Members(members) = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let mut lists = members.iter().filter(|(key, _)| key == "tasks");
    let list = lists.next().ok_or("no tasks member")?;
    if lists.next().is_some() {
        return Err("two tasks members".into());
    }
    let items: Vec<&RawValue> = serde_json::from_str(list.1.get()).map_err(|e| e.to_string())?;
    items
        .iter()
        .map(|item| {
            if !item.get().starts_with('{') {
                return Err(format!("element {} is not an object", item.get()));
            }
            Task::from_raw_in(item.get(), Some(dataset_id)).map_err(|e| e.to_string())
        })
        .collect()
}

/// A reader that hands its input out in random pieces (single bytes, a few, hundreds or
/// all at once) and now and then fails with `Interrupted`, which must be retried.
struct Chunked<'a> {
    rest: &'a [u8],
    rng: StdRng,
    max_piece: usize,
}

impl<'a> Chunked<'a> {
    fn new(input: &'a [u8], rng: &mut StdRng) -> Self {
        let max_piece = [1, 8, 512, usize::MAX][rng.random_range(0..4)];
        Chunked {
            rest: input,
            rng: StdRng::seed_from_u64(rng.random()),
            max_piece,
        }
    }
}

impl Read for Chunked<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.rng.random_ratio(1, 50) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let most = self.max_piece.min(out.len()).min(self.rest.len());
        let n = if most == 0 {
            0
        } else {
            self.rng.random_range(1..=most)
        };
        out[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

/// Streams `input` through the scanner in random pieces; the receiver refuses the task
/// at `refuse_at`, if given. Returns the result and the tasks received.
fn stream(
    input: &[u8],
    dataset_id: &str,
    refuse_at: Option<usize>,
    rng: &mut StdRng,
) -> (Result<usize, StreamError<&'static str>>, Vec<Task>) {
    let mut received = Vec::new();
    let result = stream_dataset_tasks(dataset_id, Chunked::new(input, rng), |task| {
        let refuse = refuse_at == Some(received.len());
        received.push(task);
        if refuse { Err("refused") } else { Ok(()) }
    });
    (result, received)
}

/// Any input: the scanner returns exactly the tasks serde_json reads, in order, or
/// refuses what serde_json does not read as a task list (a cut, a stray byte, a second
/// list: never a shorter valid list). A receiver's refusal stops it at once.
fn check_task_list(
    input: &[u8],
    expect: Option<&Expect>,
    rng: &mut StdRng,
) -> Result<Verdict, String> {
    let dataset_id = match expect {
        Some(Expect::TaskList { dataset_id, .. }) => dataset_id.as_str(),
        _ => "ds-path",
    };
    let oracle = task_list_oracle(input, dataset_id);
    if let Some(Expect::TaskList { tasks, .. }) = expect {
        // The generator's claim and serde_json's reading must agree, or the test is wrong.
        same("generated vs serde_json", &tasks.is_ok(), &oracle.is_ok())?;
        if let (Ok(generated), Ok(read)) = (tasks, &oracle) {
            same("generated vs serde_json", generated, read)?;
        }
    }
    let (result, received) = stream(input, dataset_id, None, rng);
    match (&oracle, result) {
        (Ok(tasks), Ok(count)) => {
            same("tasks", &received, tasks)?;
            same("count", &count, &tasks.len())?;
            check_refusing_receiver(input, dataset_id, tasks, rng)?;
        }
        (Err(_), Err(StreamError::Malformed(_))) => {}
        (Ok(tasks), Err(e)) => {
            return Err(format!(
                "refused a valid list of {} tasks: {e:?}",
                tasks.len()
            ));
        }
        (Err(why), Ok(count)) => {
            return Err(format!(
                "took a malformed list ({why}) for a valid one of {count} tasks"
            ));
        }
        (Err(why), Err(e)) => {
            return Err(format!("malformed ({why}) but refused as {e:?}"));
        }
    }
    Ok(verdict(&oracle))
}

/// A receiver that refuses one task stops the stream there, with its error.
fn check_refusing_receiver(
    input: &[u8],
    dataset_id: &str,
    tasks: &[Task],
    rng: &mut StdRng,
) -> Result<(), String> {
    if tasks.is_empty() || !rng.random_ratio(1, 8) {
        return Ok(());
    }
    let at = rng.random_range(0..tasks.len());
    let (result, received) = stream(input, dataset_id, Some(at), rng);
    if !matches!(result, Err(StreamError::Sink("refused"))) {
        return Err(format!("a receiver refusing task #{at}: {result:?}"));
    }
    same("tasks up to the refusal", &received[..], &tasks[..=at])
}

/// Every strict prefix of a valid list that cuts more than trailing whitespace is
/// refused: a truncated answer is never a shorter list. Returns how many were fed.
pub fn check_prefixes(input: &[u8], dataset_id: &str) -> Result<u64, String> {
    let end = input.trim_ascii_end().len();
    for cut in 0..end {
        if let Ok(count) = stream_dataset_tasks(dataset_id, &input[..cut], |_| Ok::<_, ()>(())) {
            return Err(format!(
                "took the first {cut} of {} bytes for a list of {count} tasks",
                input.len()
            ));
        }
    }
    Ok(end as u64)
}

// ---------------------------------------------------------------------------------------
// The other parsers

/// Any input: a task read on its own keeps its text as `raw`. A generated bare action
/// answer reads as generated.
fn check_from_raw(
    input: &[u8],
    expect: Option<&Expect>,
    _: &mut StdRng,
) -> Result<Verdict, String> {
    let text = String::from_utf8_lossy(input);
    let task = Task::from_raw(&text);
    if let Ok(task) = &task {
        same("raw", &task.raw.as_str(), &&*text)?;
    }
    if let Some(Expect::Action {
        task: expected,
        bare: true,
    }) = expect
    {
        let expected = Task {
            raw: text.to_string(),
            ..expected.clone()
        };
        same("task", &task.as_ref().ok(), &Some(&expected))?;
    }
    Ok(verdict(&task))
}

/// Any input: read in a dataset's list, a task reads as on its own, except that one
/// naming no dataset takes the path's.
fn check_from_raw_in(input: &[u8], _: Option<&Expect>, _: &mut StdRng) -> Result<Verdict, String> {
    let text = String::from_utf8_lossy(input);
    let path = "ds-path";
    let in_list = Task::from_raw_in(&text, Some(path));
    match (&in_list, Task::from_raw(&text)) {
        (Ok(listed), Ok(alone)) => same("in a list vs alone", listed, &alone)?,
        (Ok(listed), Err(_)) => same(
            "dataset of a task naming none",
            &listed.dataset_id.as_str(),
            &path,
        )?,
        (Err(e), Ok(_)) => return Err(format!("refused in a list, read alone: {e}")),
        (Err(_), Err(_)) => {}
    }
    Ok(verdict(&in_list))
}

/// Any input: the task read is a piece of the answer. A generated answer reads as such.
fn check_action_response(
    input: &[u8],
    expect: Option<&Expect>,
    _: &mut StdRng,
) -> Result<Verdict, String> {
    let task = parse_action_response(input);
    if let Ok(task) = &task
        && !String::from_utf8_lossy(input).contains(&task.raw)
    {
        return Err(format!("raw {:?} is not part of the answer", task.raw));
    }
    if let Some(Expect::Action { task: expected, .. }) = expect {
        same("task", &task.as_ref().ok(), &Some(expected))?;
    }
    Ok(verdict(&task))
}

fn check_user_tasks(
    input: &[u8],
    expect: Option<&Expect>,
    _: &mut StdRng,
) -> Result<Verdict, String> {
    let tasks = parse_user_tasks(input);
    if let Some(Expect::UserTasks(expected)) = expect {
        same("tasks", &tasks.as_ref().ok(), &Some(expected))?;
    }
    Ok(verdict(&tasks))
}

/// A generated list reads as generated; a delay derived from the due date is the time
/// since it at the moment of the parse (0 if it is ahead), without overflow.
fn check_delayed_tasks(
    input: &[u8],
    expect: Option<&Expect>,
    _: &mut StdRng,
) -> Result<Verdict, String> {
    let before = now_millis();
    let delayed = parse_delayed_tasks(input);
    let after = now_millis();
    let Some(Expect::Delayed(expected)) = expect else {
        return Ok(verdict(&delayed));
    };
    let delayed = delayed.map_err(|e| format!("refused a valid list: {e}"))?;
    same("count", &delayed.len(), &expected.len())?;
    for (got, (task, by)) in delayed.iter().zip(expected) {
        same("task", &got.task, task)?;
        let since = |now: i64, due: i64| now.saturating_sub(due).max(0);
        let (least, most) = match *by {
            DelayedBy::Given(ms) => (ms, ms),
            DelayedBy::SinceDue(due) => (since(before, due), since(after, due)),
            DelayedBy::Zero => (0, 0),
        };
        if !(least..=most).contains(&got.delayed_by_millis) {
            return Err(format!(
                "delayed_by_millis {} of {by:?} not in {least}..={most}",
                got.delayed_by_millis
            ));
        }
    }
    Ok(Verdict::Accepted)
}

fn check_datasets(
    input: &[u8],
    expect: Option<&Expect>,
    _: &mut StdRng,
) -> Result<Verdict, String> {
    let datasets = parse_datasets(input);
    if let Some(Expect::Datasets(expected)) = expect {
        same("datasets", &datasets.as_ref().ok(), &Some(expected))?;
    }
    Ok(verdict(&datasets))
}

/// Any input: a dataset read keeps the answer as `raw`. A generated one reads as such.
fn check_dataset(input: &[u8], expect: Option<&Expect>, _: &mut StdRng) -> Result<Verdict, String> {
    let dataset = parse_dataset(input);
    if let Ok(dataset) = &dataset {
        same(
            "raw",
            &dataset.raw,
            &String::from_utf8_lossy(input).into_owned(),
        )?;
    }
    if let Some(Expect::Dataset(expected)) = expect {
        same("dataset", &dataset.as_ref().ok(), &Some(expected))?;
    }
    Ok(verdict(&dataset))
}

/// Any input: read, never refused. A generated JSON error reads as such; a page that is
/// not JSON becomes a short single-line excerpt.
fn check_error_body(
    input: &[u8],
    expect: Option<&Expect>,
    _: &mut StdRng,
) -> Result<Verdict, String> {
    let body = parse_error_body(input);
    match expect {
        Some(Expect::ErrorBody(Some(expected))) => same("error body", &body, expected)?,
        Some(Expect::ErrorBody(None)) => {
            same("task ids of a text body", &body.task_ids, &Vec::new())?;
            let chars = body.message.chars().count();
            if chars == 0 || chars > 201 || body.message.chars().any(char::is_control) {
                return Err(format!(
                    "not a short single-line excerpt: {:?}",
                    body.message
                ));
            }
        }
        _ => {}
    }
    Ok(Verdict::Read)
}

/// A moment between 3000 years before 1970 and 3000 years after.
fn random_now(rng: &mut StdRng) -> SystemTime {
    let secs = Duration::from_secs(rng.random_range(0..100_000_000_000));
    if rng.random_bool(0.5) {
        UNIX_EPOCH + secs
    } else {
        UNIX_EPOCH.checked_sub(secs).unwrap_or(UNIX_EPOCH)
    }
}

/// Any input, at any moment: no wait longer than the cap; any run of digits is a wait
/// (a number past `u64` is the cap). A generated value reads as generated.
fn check_retry_after(
    input: &[u8],
    expect: Option<&Expect>,
    rng: &mut StdRng,
) -> Result<Verdict, String> {
    let value = String::from_utf8_lossy(input);
    let now = match expect {
        Some(Expect::RetryAfter { now, .. } | Expect::OddRetryAfter { now }) => *now,
        _ => random_now(rng),
    };
    let wait = parse_retry_after(&value, now);
    if wait.is_some_and(|w| w > RETRY_AFTER_CAP) {
        return Err(format!("wait {wait:?} is past the cap"));
    }
    let trimmed = value.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) && wait.is_none() {
        return Err("a number of seconds was not read".into());
    }
    if let Some(Expect::RetryAfter { wait: expected, .. }) = expect {
        same("wait", &wait, expected)?;
    }
    Ok(if wait.is_some() {
        Verdict::Accepted
    } else {
        Verdict::Refused
    })
}
