//! Endpoint 1's answer, `{"tasks": [...], ...}`, read as a stream: a dataset may hold a
//! million tasks (300 MB of JSON), so the list is never held whole. A small scanner finds
//! each element of the `tasks` array in the incoming bytes (tracking nesting and strings
//! only), and serde_json parses each element from a slice — several times faster than
//! driving serde_json from a `Read`. Everything around the elements is checked against
//! JSON's grammar as it streams by, so an answer serde_json would not read as one task
//! list (cut short, a stray or missing bracket, quote or comma, a second `tasks`) is
//! refused, never taken for a shorter list; each task is fully validated by serde. The
//! fuzz test `tests/core/fuzz.rs` holds it to serde_json's reading.

use std::io::{self, Read};

use super::Task;
use tokens::{Element, Number, StringScan};

mod tokens;

const CHUNK: usize = 256 * 1024;

/// Why reading a streamed task list stopped.
#[derive(Debug)]
pub enum StreamError<E> {
    /// Reading the body failed (the connection broke).
    Io(io::Error),
    /// The body is not a well-formed task list.
    Malformed(String),
    /// `on_task` refused a task.
    Sink(E),
}

/// Calls `on_task` for each task of `dataset_id`'s list in `reader`, in order; returns how
/// many. An element without a `dataset_id` belongs to `dataset_id` (the path names it).
/// An answer that is not one JSON object with exactly one `tasks` array of tasks is
/// [`StreamError::Malformed`], found at the latest when the answer ends: tasks already
/// handed to `on_task` must then be dropped.
pub fn stream_dataset_tasks<R: Read, E>(
    dataset_id: &str,
    mut reader: R,
    mut on_task: impl FnMut(Task) -> Result<(), E>,
) -> Result<usize, StreamError<E>> {
    let mut scanner = Scanner::default();
    // `buf[..end]` holds unconsumed bytes; the buffer is zeroed once and reused, never
    // re-zeroed per read (reads from a socket are often a few KiB).
    let mut buf: Vec<u8> = vec![0; CHUNK];
    let mut end = 0usize;
    let mut count = 0usize;
    loop {
        if buf.len() - end < CHUNK / 4 {
            buf.resize(buf.len() + CHUNK, 0);
        }
        let n = loop {
            match reader.read(&mut buf[end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(StreamError::Io(e)),
            }
        };
        if n == 0 {
            return scanner.finish(count).map_err(StreamError::Malformed);
        }
        let filled = end;
        end += n;
        let mut emit = |element: &[u8]| -> Result<(), StreamError<E>> {
            let text = std::str::from_utf8(element)
                .map_err(|e| StreamError::Malformed(format!("task #{count}: {e}")))?;
            let task = Task::from_raw_in(text, Some(dataset_id))
                .map_err(|e| StreamError::Malformed(format!("task #{count}: {e}")))?;
            on_task(task).map_err(StreamError::Sink)?;
            count += 1;
            Ok(())
        };
        let keep_from = scanner.scan(&buf[..end], filled, &mut emit)?;
        // Move a partial element (or key) to the front for the next read.
        buf.copy_within(keep_from..end, 0);
        end -= keep_from;
        scanner.shift(keep_from);
    }
}

/// Where the scanner is in JSON's grammar, outside the task elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Expect {
    /// The answer's opening `{`.
    #[default]
    Start,
    /// A member name or `}` (just after `{`).
    KeyOrEnd,
    /// A member name (after `,` in an object).
    Key,
    /// The `:` after a member name.
    Colon,
    /// A value (after `:`, or after `,` in an array).
    Value,
    /// A value or `]` (just after `[`).
    ValueOrEnd,
    /// A `,` or the end of the enclosing object or array.
    CommaOrEnd,
    /// Nothing but whitespace: the answer's object is closed.
    Done,
}

impl Expect {
    /// What was expected, for an error message.
    fn describe(self) -> &'static str {
        match self {
            Expect::Start => "the answer's '{'",
            Expect::KeyOrEnd => "a member name or '}'",
            Expect::Key => "a member name",
            Expect::Colon => "':'",
            Expect::Value | Expect::ValueOrEnd => "a value",
            Expect::CommaOrEnd => "',' or a closing bracket",
            Expect::Done => "the end of the answer",
        }
    }
}

/// Where the answer's `tasks` member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Tasks {
    #[default]
    NotSeen,
    /// Its name was read: its value comes next.
    Named,
    /// Inside the array.
    Open,
    /// After the array's `]`.
    Closed,
}

/// A string, number or literal being read outside the task elements.
#[derive(Debug, Clone, Copy)]
enum Token {
    String(StringScan),
    Number(Number),
    /// `true`, `false` or `null`: the bytes still to come.
    Literal(&'static [u8]),
}

/// Finds the task elements and checks everything around them against JSON's grammar as
/// the bytes stream by, as serde_json checks a value it skips (so a number out of `f64`'s
/// range or an unpaired `\u` surrogate passes, as in a task's unknown fields). Memory is
/// the nesting depth plus the element or member name being read.
#[derive(Default)]
struct Scanner {
    expect: Expect,
    token: Option<Token>,
    /// The open objects and arrays (`{` or `[`), outermost first. A task element's own
    /// nesting is its [`Element`]'s.
    stack: Vec<u8>,
    tasks: Tasks,
    /// Start of the top-level member name being read.
    key_start: Option<usize>,
    /// The task element being read.
    element: Option<Element>,
}

impl Scanner {
    /// Scans `buf[from..]`; returns the index before which nothing is needed any more.
    fn scan<E>(
        &mut self,
        buf: &[u8],
        from: usize,
        emit: &mut impl FnMut(&[u8]) -> Result<(), StreamError<E>>,
    ) -> Result<usize, StreamError<E>> {
        let mut i = from;
        while i < buf.len() {
            // Inside an element only its end is looked for (the hot path): serde checks it.
            if let Some(element) = &mut self.element {
                match element.find_end(buf, i) {
                    Some(end) => {
                        let start = element.start;
                        self.element = None;
                        self.expect = Expect::CommaOrEnd;
                        emit(&buf[start..=end])?;
                        i = end + 1;
                    }
                    None => i = buf.len(),
                }
                continue;
            }
            // The plain run of a long string (a padding field, say) is skipped in one go.
            if let Some(Token::String(s)) = &self.token {
                i += s.plain_run(&buf[i..]);
                if i == buf.len() {
                    break;
                }
            }
            if self.step(buf, i).map_err(StreamError::Malformed)? {
                i += 1;
            }
        }
        Ok(self
            .element
            .as_ref()
            .map(|e| e.start)
            .or(self.key_start)
            .unwrap_or(buf.len()))
    }

    /// Reads `buf[i]` outside the elements; `false` when it ended a number and belongs
    /// to what follows.
    fn step(&mut self, buf: &[u8], i: usize) -> Result<bool, String> {
        let b = buf[i];
        match &mut self.token {
            Some(Token::String(s)) => {
                if s.push(b)? {
                    self.token = None;
                    if let Some(start) = self.key_start.take() {
                        self.top_level_key(&buf[start..=i])?;
                    }
                }
            }
            Some(Token::Number(n)) => match n.next(b) {
                Some(next) => *n = next,
                None if n.is_complete() => {
                    self.token = None;
                    return Ok(false);
                }
                None => return Err(format!("invalid number (found {:?})", b as char)),
            },
            Some(Token::Literal(rest)) => {
                if rest[0] != b {
                    return Err(format!("invalid literal (found {:?})", b as char));
                }
                *rest = &rest[1..];
                if rest.is_empty() {
                    self.token = None;
                }
            }
            None => self.structure(b, i)?,
        }
        Ok(true)
    }

    /// A byte between tokens: whitespace, a bracket, a separator or a token's start.
    fn structure(&mut self, b: u8, i: usize) -> Result<(), String> {
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            return Ok(());
        }
        match (self.expect, b) {
            (Expect::Start, b'{') => self.open(b),
            (Expect::Start, _) => return Err("the answer is not a JSON object".into()),
            (Expect::Done, _) => {
                return Err(format!(
                    "unexpected data after the end of the list: {:?}",
                    b as char
                ));
            }
            (Expect::KeyOrEnd, b'}') | (Expect::ValueOrEnd, b']') => self.close(b)?,
            (Expect::CommaOrEnd, b'}' | b']') => self.close(b)?,
            (Expect::KeyOrEnd | Expect::Key, b'"') => {
                if self.stack.len() == 1 {
                    self.key_start = Some(i);
                }
                self.token = Some(Token::String(StringScan::default()));
                self.expect = Expect::Colon;
            }
            (Expect::Colon, b':') => self.expect = Expect::Value,
            (Expect::CommaOrEnd, b',') => {
                self.expect = if self.stack.last() == Some(&b'{') {
                    Expect::Key
                } else {
                    Expect::Value
                };
            }
            (Expect::Value | Expect::ValueOrEnd, _) => self.value(b, i)?,
            (expect, _) => {
                return Err(format!(
                    "{} expected, found {:?}",
                    expect.describe(),
                    b as char
                ));
            }
        }
        Ok(())
    }

    /// The first byte of a value.
    fn value(&mut self, b: u8, i: usize) -> Result<(), String> {
        match self.tasks {
            // At the list's own level every value is a task: an object, read by serde.
            Tasks::Open if b == b'{' => {
                self.element = Some(Element::new(i));
                return Ok(());
            }
            Tasks::Open => {
                return Err(format!(
                    "task list element is not an object (found {:?})",
                    b as char
                ));
            }
            Tasks::Named if b == b'[' => self.tasks = Tasks::Open,
            Tasks::Named => return Err("\"tasks\" is not an array".into()),
            Tasks::NotSeen | Tasks::Closed => {}
        }
        self.expect = Expect::CommaOrEnd;
        self.token = Some(match b {
            b'{' | b'[' => {
                self.open(b);
                return Ok(());
            }
            b'"' => Token::String(StringScan::default()),
            b'-' => Token::Number(Number::Minus),
            b'0' => Token::Number(Number::Zero),
            b'1'..=b'9' => Token::Number(Number::Int),
            b't' => Token::Literal(b"rue"),
            b'f' => Token::Literal(b"alse"),
            b'n' => Token::Literal(b"ull"),
            _ => return Err(format!("a value expected, found {:?}", b as char)),
        });
        Ok(())
    }

    fn open(&mut self, bracket: u8) {
        self.stack.push(bracket);
        self.expect = if bracket == b'{' {
            Expect::KeyOrEnd
        } else {
            Expect::ValueOrEnd
        };
    }

    fn close(&mut self, bracket: u8) -> Result<(), String> {
        let open = self.stack.pop().unwrap_or_default();
        if !matches!((open, bracket), (b'{', b'}') | (b'[', b']')) {
            return Err(format!("{:?} closes {:?}", bracket as char, open as char));
        }
        if self.tasks == Tasks::Open && self.stack.len() == 1 {
            self.tasks = Tasks::Closed;
        }
        self.expect = if self.stack.is_empty() {
            Expect::Done
        } else {
            Expect::CommaOrEnd
        };
        Ok(())
    }

    /// A member name of the answer's object, quotes included. Rule: a second `tasks`
    /// member is refused (serde_json would keep the last, other readers the first: the
    /// answer is ambiguous).
    fn top_level_key(&mut self, quoted: &[u8]) -> Result<(), String> {
        let is_tasks = if quoted.contains(&b'\\') {
            serde_json::from_slice::<String>(quoted).map_err(|e| format!("a member name: {e}"))?
                == "tasks"
        } else {
            quoted == b"\"tasks\""
        };
        if is_tasks {
            if self.tasks != Tasks::NotSeen {
                return Err("the answer has two \"tasks\" lists".into());
            }
            self.tasks = Tasks::Named;
        }
        Ok(())
    }

    /// The buffer lost its first `n` bytes.
    fn shift(&mut self, n: usize) {
        if let Some(element) = &mut self.element {
            element.start -= n;
        }
        self.key_start = self.key_start.map(|s| s - n);
    }

    fn finish(&self, count: usize) -> Result<usize, String> {
        match self.expect {
            Expect::Start => Err("the answer is empty".into()),
            Expect::Done if self.tasks == Tasks::Closed => Ok(count),
            Expect::Done => Err("the answer has no \"tasks\" list".into()),
            _ => Err(format!(
                "the answer ends early (truncated after {count} tasks)"
            )),
        }
    }
}

#[cfg(test)]
mod tests;
