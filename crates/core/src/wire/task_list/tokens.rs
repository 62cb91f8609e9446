//! The JSON pieces the task-list scanner reads byte by byte as they stream by: a task
//! element (only its end is found; serde_json reads it whole), a string, a number.

/// A task element being read: only its end is found here (tracking strings and nesting);
/// serde_json reads and checks the element whole.
#[derive(Debug)]
pub(super) struct Element {
    /// Where its `{` is in the scanner's buffer.
    pub(super) start: usize,
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Element {
    /// An element whose `{` is at `start`.
    pub(super) fn new(start: usize) -> Self {
        Element {
            start,
            depth: 1,
            in_string: false,
            escaped: false,
        }
    }

    /// The index of the element's last byte, if it is in `buf[from..]`.
    pub(super) fn find_end(&mut self, buf: &[u8], from: usize) -> Option<usize> {
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
pub(super) struct StringScan {
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
    pub(super) fn push(&mut self, b: u8) -> Result<bool, String> {
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
    pub(super) fn plain_run(&self, bytes: &[u8]) -> usize {
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
    pub(super) fn start_utf8(&mut self, lead: u8) -> Result<(), String> {
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
pub(super) enum Number {
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
    pub(super) fn next(self, b: u8) -> Option<Number> {
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
    pub(super) fn is_complete(self) -> bool {
        matches!(
            self,
            Number::Zero | Number::Int | Number::Frac | Number::ExpDigits
        )
    }
}
