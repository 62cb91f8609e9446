//! "Copy diagnostics": what a bug report needs — the app's version, the platform, the
//! session's mode, the sync status, the queue's counts and the last lines of the log — as
//! plain text for the clipboard. Emails are masked (`m…@example.com`) and anything after
//! `Bearer` dropped, in the report and in every log line as it is written; a token never
//! reaches a log in the first place (`Sensitive`).

use std::path::Path;

use crate::session::AppState;

/// The log file the log plugin writes (`lib.rs`), in the app's log folder.
pub const LOG_FILE: &str = "deepen-tasks.log";
/// How many of the log's last lines go into a report.
const LOG_LINES: usize = 60;

/// The report, as text.
pub fn report(state: &AppState, log_dir: Option<&Path>) -> String {
    let info = state.info();
    let mut out = vec![
        format!("Deepen Tasks {}", env!("CARGO_PKG_VERSION")),
        format!(
            "platform: {} {} ({})",
            std::env::consts::OS,
            std::env::consts::ARCH,
            std::env::consts::FAMILY
        ),
        format!("session: {:?}", info.mode).to_lowercase(),
        format!("server: {}", info.server.as_deref().unwrap_or("none")),
    ];
    match state.session().map(|s| s.workspace.status()) {
        Ok(Ok(status)) => {
            out.push(format!(
                "sync: {:?}; pending {}, needs attention {}; last synced at {}",
                status.connectivity,
                status.pending,
                status.needs_attention,
                status
                    .last_sync_at
                    .map_or("never".to_string(), |at| at.to_string())
            ));
            if let Some(error) = &status.last_error {
                out.push(format!("last error: {error}"));
            }
        }
        Ok(Err(e)) => out.push(format!("sync status unreadable: {e}")),
        Err(_) => out.push("sync: no workspace open".into()),
    }
    out.push(String::new());
    match log_dir.map(|dir| last_lines(&dir.join(LOG_FILE), LOG_LINES)) {
        Some(Ok(lines)) => {
            out.push(format!("last {} log lines:", lines.len()));
            out.extend(lines);
        }
        Some(Err(e)) => out.push(format!("log unreadable: {e}")),
        None => out.push("no log folder".into()),
    }
    mask(&out.join("\n"))
}

/// The last `n` lines of a text file.
fn last_lines(path: &Path, n: usize) -> std::io::Result<Vec<String>> {
    let text = std::fs::read(path)?;
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    Ok(lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| l.to_string())
        .collect())
}

/// Emails masked to their first letter and domain; whatever follows `Bearer` dropped (the
/// log formatter applies it to every line, and the report to everything it gathers).
pub fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = match line.find("Bearer ") {
            Some(at) => format!("{}Bearer …", &line[..at]),
            None => line.to_string(),
        };
        out.push_str(&mask_emails(&line));
    }
    out
}

fn mask_emails(line: &str) -> String {
    let is_local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find('@') {
        let (before, after) = rest.split_at(at);
        let local_start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_local(*c))
            .last()
            .map_or(before.len(), |(i, _)| i);
        let has_domain = after[1..].starts_with(|c: char| c.is_alphanumeric());
        if local_start < before.len() && has_domain {
            out.push_str(&before[..local_start]);
            out.extend(before[local_start..].chars().next());
            out.push('…');
        } else {
            out.push_str(before);
        }
        out.push('@');
        rest = &after[1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_bearer_tokens_are_masked() {
        assert_eq!(
            mask("no token for maya.admin@example.com (and bo@x.io)"),
            "no token for m…@example.com (and b…@x.io)"
        );
        assert_eq!(mask("a @ b, @handle, x@"), "a @ b, @handle, x@");
        assert_eq!(
            mask("sent Authorization: Bearer tok-secret\nnext"),
            "sent Authorization: Bearer …\nnext"
        );
    }

    #[test]
    fn the_report_names_the_version_and_the_last_log_lines() {
        let dir = tempfile::tempdir().unwrap();
        let lines: Vec<String> = (0..100)
            .map(|i| format!("line {i} for ana@example.com"))
            .collect();
        std::fs::write(dir.path().join(LOG_FILE), lines.join("\n")).unwrap();
        let state = AppState::new(dir.path(), false);
        let text = report(&state, Some(dir.path()));
        assert!(text.starts_with(&format!("Deepen Tasks {}", env!("CARGO_PKG_VERSION"))));
        assert!(text.contains("sync: no workspace open"), "{text}");
        assert!(text.contains("line 99 for a…@example.com"), "{text}");
        assert!(
            !text.contains("line 39 "),
            "only the last {LOG_LINES} lines"
        );
        assert!(!text.contains("ana@"), "{text}");
    }
}
