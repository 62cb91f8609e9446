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

/// A task element being read: only its end is found here (tracking strings and nesting);
/// serde_json reads and checks the element whole.
#[derive(Debug)]
struct Element {
    start: usize,
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Element {
    /// An element whose `{` is at `start`.
    fn new(start: usize) -> Self {
        Element {
            start,
            depth: 1,
            in_string: false,
            escaped: false,
        }
    }

    /// The index of the element's last byte, if it is in `buf[from..]`.
    fn find_end(&mut self, buf: &[u8], from: usize) -> Option<usize> {
        for (offset, &b) in buf[from..].iter().enumerate() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Some(from + offset);
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// A string outside the task elements, checked as serde_json checks one it skips: valid
/// escapes, no control characters, UTF-8.
#[derive(Debug, Clone, Copy, Default)]
struct StringScan {
    /// After a backslash.
    escape: bool,
    /// Hex digits still due in a `\u` escape.
    hex_left: u8,
    /// UTF-8 continuation bytes still due, and the range the next one must be in.
    utf8_left: u8,
    utf8_next: (u8, u8),
}

impl StringScan {
    /// Takes the string's next byte; `true` at its closing quote.
    fn push(&mut self, b: u8) -> Result<bool, String> {
        if self.utf8_left > 0 {
            let (low, high) = self.utf8_next;
            if !(low..=high).contains(&b) {
                return Err("invalid UTF-8 in a string".into());
            }
            self.utf8_left -= 1;
            self.utf8_next = (0x80, 0xbf);
        } else if self.hex_left > 0 {
            if !b.is_ascii_hexdigit() {
                return Err("invalid \\u escape in a string".into());
            }
            self.hex_left -= 1;
        } else if self.escape {
            self.escape = false;
            match b {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                b'u' => self.hex_left = 4,
                _ => return Err(format!("invalid escape '\\{}' in a string", b as char)),
            }
        } else {
            match b {
                b'"' => return Ok(true),
                b'\\' => self.escape = true,
                0x00..=0x1f => return Err("control character in a string".into()),
                0x80..=0xff => self.start_utf8(b)?,
                _ => {}
            }
        }
        Ok(false)
    }

    /// How many of `bytes` cannot change the string's state: printable ASCII other than
    /// `"` and `\`, outside an escape or a UTF-8 sequence.
    fn plain_run(&self, bytes: &[u8]) -> usize {
        if self.escape || self.hex_left > 0 || self.utf8_left > 0 {
            return 0;
        }
        bytes
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b))
            .unwrap_or(bytes.len())
    }

    /// A UTF-8 lead byte: how many continuation bytes follow and the range of the first,
    /// which rules out overlong forms, surrogates and code points past U+10FFFF.
    fn start_utf8(&mut self, lead: u8) -> Result<(), String> {
        let (left, next) = match lead {
            0xc2..=0xdf => (1, (0x80, 0xbf)),
            0xe0 => (2, (0xa0, 0xbf)),
            0xe1..=0xec | 0xee..=0xef => (2, (0x80, 0xbf)),
            0xed => (2, (0x80, 0x9f)),
            0xf0 => (3, (0x90, 0xbf)),
            0xf1..=0xf3 => (3, (0x80, 0xbf)),
            0xf4 => (3, (0x80, 0x8f)),
            _ => return Err("invalid UTF-8 in a string".into()),
        };
        self.utf8_left = left;
        self.utf8_next = next;
        Ok(())
    }
}

/// Where a number is in JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Number {
    Minus,
    Zero,
    Int,
    Dot,
    Frac,
    Exp,
    ExpSign,
    ExpDigits,
}

impl Number {
    /// The state after `b`, or `None` if `b` cannot continue the number.
    fn next(self, b: u8) -> Option<Number> {
        use Number::*;
        match (self, b) {
            (Minus, b'0') => Some(Zero),
            (Minus | Int, b'0'..=b'9') => Some(Int),
            (Zero | Int, b'.') => Some(Dot),
            (Dot | Frac, b'0'..=b'9') => Some(Frac),
            (Zero | Int | Frac, b'e' | b'E') => Some(Exp),
            (Exp, b'+' | b'-') => Some(ExpSign),
            (Exp | ExpSign | ExpDigits, b'0'..=b'9') => Some(ExpDigits),
            _ => None,
        }
    }

    /// Whether the number may end here.
    fn is_complete(self) -> bool {
        matches!(
            self,
            Number::Zero | Number::Int | Number::Frac | Number::ExpDigits
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TASK: &str =
        r#"{"task_id":"t\"1}","dataset_id":"d","status":"ready","x":{"y":[1,{"z":"]"}]}}"#;

    fn ids(body: &[u8]) -> Result<Vec<String>, StreamError<()>> {
        let mut out = Vec::new();
        stream_dataset_tasks("d", body, |t| {
            out.push(t.task_id);
            Ok(())
        })?;
        Ok(out)
    }

    fn ids_trickled(body: &[u8]) -> Result<Vec<String>, StreamError<()>> {
        let mut out = Vec::new();
        stream_dataset_tasks("d", Trickle(body), |t| {
            out.push(t.task_id);
            Ok(())
        })?;
        Ok(out)
    }

    /// A reader that hands out one byte at a time: every split point is exercised.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            match self.0.split_first() {
                Some((b, rest)) if !out.is_empty() => {
                    out[0] = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn finds_every_task_whatever_surrounds_it() {
        let body = format!(
            r#" {{"meta":{{"tasks":[1]}},"note":"a \"tasks\": [","tasks":[ {TASK} , {TASK}],"more":[{{}}]}} "#
        );
        assert_eq!(ids(body.as_bytes()).unwrap(), vec![r#"t"1}"#; 2]);
        let mut n = 0;
        stream_dataset_tasks("d", Trickle(body.as_bytes()), |_| {
            n += 1;
            Ok::<_, ()>(())
        })
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(ids(br#"{"tasks":[]}"#).unwrap().len(), 0);
    }

    #[test]
    fn refuses_what_is_not_a_complete_task_list() {
        let body = format!(r#"{{"tasks":[{TASK},{TASK}]}}"#);
        for cut in [1, body.len() / 2, body.len() - 1] {
            assert!(
                matches!(ids(&body.as_bytes()[..cut]), Err(StreamError::Malformed(_))),
                "cut at {cut}"
            );
        }
        for bad in [
            &b""[..],
            b"<html>502</html>",
            b"<<garbage>>",
            br#"{"tasks":{}}"#,
            br#"{"tasks":[1,2]}"#,
            br#"{"items":[]}"#,
            br#"{"tasks":[{"task_id":5,"dataset_id":"d","status":"ready"}]}"#,
            br#"{"tasks":[]} trailing"#,
        ] {
            assert!(
                matches!(ids(bad), Err(StreamError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    /// Answers the fuzz test found taken for a valid (sometimes shorter) list before the
    /// scanner checked the grammar around the elements, and answers it refused that
    /// serde_json reads as a list. Each in one read and one byte at a time.
    #[test]
    fn reads_exactly_what_serde_json_reads_as_one_list() {
        let refused = [
            // Ambiguous: serde_json keeps the last list, the scanner took the first.
            format!(r#"{{"tasks":[],"tasks":[{TASK}]}}"#),
            format!(r#"{{"tasks":[{TASK}],"tasks":5}}"#),
            format!(r#"{{"tasks":[{TASK}{TASK}]}}"#),
            format!(r#"{{"tasks":[,{TASK},,]}}"#),
            format!(r#"{{"tasks":[{TASK},]}}"#),
            format!(r#"{{"tasks" [{TASK}]}}"#),
            format!(r#"{{"tasks":[{TASK}]]"#),
            format!(r#"{{"tasks":[{TASK}], garbage}}"#),
            format!(r#"{{"x":[1}},"tasks":[{TASK}]}}"#),
            format!(r#"{{"x":01,"tasks":[{TASK}]}}"#),
            format!(r#"{{"x":tru,"tasks":[{TASK}]}}"#),
            format!(r#"{{"x":"\q","tasks":[{TASK}]}}"#),
            format!(r#"{{"x":"\u12","tasks":[{TASK}]}}"#),
            format!("{{\"x\":\"\u{1}\",\"tasks\":[{TASK}]}}"),
            format!("\u{c}{{\"tasks\":[{TASK}]}}"),
            format!(r#"{{"\ud800":1,"tasks":[{TASK}]}}"#),
        ];
        for body in &refused {
            for result in [ids(body.as_bytes()), ids_trickled(body.as_bytes())] {
                assert!(
                    matches!(result, Err(StreamError::Malformed(_))),
                    "{body}: {result:?}"
                );
            }
        }
        let mut invalid_utf8 = format!(r#"{{"x":"é","tasks":[{TASK}]}}"#).into_bytes();
        invalid_utf8[6] = 0xff;
        assert!(matches!(ids(&invalid_utf8), Err(StreamError::Malformed(_))));

        for body in [
            format!(r#"{{"t\u0061sks":[{TASK}]}}"#),
            format!(r#"{{"a":{{"tasks":[]}},"tasks":[{TASK}],"b":[-0.5e+7,1E999,true,null]}}"#),
            format!(r#"{{"x":"\ud800 é \"tasks\": [","tasks":[{TASK}]}}"#),
        ] {
            assert_eq!(ids(body.as_bytes()).unwrap(), [r#"t"1}"#], "{body}");
            assert_eq!(
                ids_trickled(body.as_bytes()).unwrap(),
                [r#"t"1}"#],
                "{body}"
            );
        }
    }

    #[test]
    fn an_element_without_its_dataset_takes_the_one_the_path_names() {
        let body = br#"{"tasks":[{"task_id":"a","status":"ready"},{"task_id":"b","dataset_id":"other","status":"ready"}]}"#;
        let mut datasets = Vec::new();
        stream_dataset_tasks("d7", &body[..], |t| {
            datasets.push(t.dataset_id);
            Ok::<_, ()>(())
        })
        .unwrap();
        // The second names its own: the pull refuses a list that mixes datasets.
        assert_eq!(datasets, ["d7", "other"]);
        // Outside a dataset's list (user tasks, an action's answer) the field is required.
        assert!(Task::from_raw(r#"{"task_id":"a","status":"ready"}"#).is_err());
    }

    #[test]
    fn a_refusing_receiver_stops_the_stream() {
        let body = format!(r#"{{"tasks":[{TASK},{TASK}]}}"#);
        let mut seen = 0;
        let result = stream_dataset_tasks("d", body.as_bytes(), |_| {
            seen += 1;
            Err("disk full")
        });
        assert!(matches!(result, Err(StreamError::Sink("disk full"))));
        assert_eq!(seen, 1);
    }
}
