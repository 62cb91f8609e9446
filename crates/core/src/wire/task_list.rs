//! Endpoint 1's answer, `{"tasks": [...], ...}`, read as a stream: a dataset may hold a
//! million tasks (300 MB of JSON), so the list is never held whole. A small scanner finds
//! each element of the `tasks` array in the incoming bytes (tracking nesting and strings
//! only), and serde_json parses each element from a slice — several times faster than
//! driving serde_json from a `Read`. Everything outside the array is checked for balance
//! and skipped; each task is fully validated by serde.

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

#[derive(Default)]
struct Scanner {
    depth: usize,
    in_string: bool,
    escaped: bool,
    started: bool,
    closed: bool,
    /// At depth 1, whether the next string is a key.
    expect_key: bool,
    /// Start of the key string being read at depth 1.
    key_start: Option<usize>,
    last_key_is_tasks: bool,
    in_tasks: bool,
    seen_tasks: bool,
    /// Start of the array element being read.
    element_start: Option<usize>,
}

impl Scanner {
    /// Scans `buf[from..]`; returns the index before which nothing is needed any more.
    /// One function on purpose (longer than our ~80-line rule): a byte-at-a-time state
    /// machine on the pull's hot path, whose states read best side by side.
    fn scan<E>(
        &mut self,
        buf: &[u8],
        from: usize,
        emit: &mut impl FnMut(&[u8]) -> Result<(), StreamError<E>>,
    ) -> Result<usize, StreamError<E>> {
        let bad = |what: String| Err(StreamError::Malformed(what));
        let mut i = from;
        while i < buf.len() {
            let b = buf[i];
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if let Some(start) = self.key_start.take() {
                        self.last_key_is_tasks = &buf[start + 1..i] == b"tasks";
                    }
                }
                i += 1;
                continue;
            }
            if self.closed {
                if !b.is_ascii_whitespace() {
                    return bad(format!(
                        "unexpected data after the end of the list: {:?}",
                        b as char
                    ));
                }
                i += 1;
                continue;
            }
            if !self.started {
                match b {
                    b'{' => {
                        self.started = true;
                        self.depth = 1;
                        self.expect_key = true;
                    }
                    b if b.is_ascii_whitespace() => {}
                    _ => return bad("the answer is not a JSON object".into()),
                }
                i += 1;
                continue;
            }
            // Inside the tasks array, at its own level: elements start and end here.
            if self.in_tasks && self.depth == 2 && self.element_start.is_none() {
                match b {
                    b'{' => self.element_start = Some(i),
                    b']' => {
                        self.in_tasks = false;
                        self.depth = 1;
                        i += 1;
                        continue;
                    }
                    b',' => {
                        i += 1;
                        continue;
                    }
                    b if b.is_ascii_whitespace() => {
                        i += 1;
                        continue;
                    }
                    _ => {
                        return bad(format!(
                            "task list element is not an object (found {:?})",
                            b as char
                        ));
                    }
                }
            }
            match b {
                b'"' => {
                    self.in_string = true;
                    if self.depth == 1 && self.expect_key {
                        self.key_start = Some(i);
                        self.expect_key = false;
                    }
                }
                b'{' | b'[' => {
                    if self.depth == 1 && b == b'[' && self.last_key_is_tasks && !self.seen_tasks {
                        self.in_tasks = true;
                        self.seen_tasks = true;
                    } else if self.depth == 1 && self.last_key_is_tasks && !self.seen_tasks {
                        return bad("\"tasks\" is not an array".into());
                    }
                    self.depth += 1;
                }
                b'}' | b']' => {
                    if self.depth == 0 {
                        return bad("unbalanced brackets".into());
                    }
                    self.depth -= 1;
                    if self.in_tasks && self.depth == 2 && b == b'}' {
                        let start = self.element_start.take().expect("an element was open");
                        emit(&buf[start..=i])?;
                    }
                    if self.depth == 0 {
                        self.closed = true;
                    }
                }
                b',' if self.depth == 1 => {
                    self.expect_key = true;
                    self.last_key_is_tasks = false;
                }
                b':' if self.depth == 1 => {}
                _ => {}
            }
            i += 1;
        }
        Ok(self.element_start.or(self.key_start).unwrap_or(buf.len()))
    }

    /// The buffer lost its first `n` bytes.
    fn shift(&mut self, n: usize) {
        self.element_start = self.element_start.map(|s| s - n);
        self.key_start = self.key_start.map(|s| s - n);
    }

    fn finish(&self, count: usize) -> Result<usize, String> {
        if !self.started {
            return Err("the answer is empty".into());
        }
        if !self.closed || self.in_string {
            return Err(format!(
                "the answer ends early (truncated after {count} tasks)"
            ));
        }
        if !self.seen_tasks {
            return Err("the answer has no \"tasks\" list".into());
        }
        Ok(count)
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
