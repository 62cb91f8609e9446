//! Printing the activity record: a task's history, the activity list, the review figures.

use std::path::Path;

use dtasks_core::activity::{ActivityEntry, ActivityPage, ReviewQuery, ReviewRow};

use super::{Out, date_time};
use crate::wording;

impl Out {
    pub fn history(&self, task: &str, entries: &[ActivityEntry]) {
        if self.json {
            return self.print_json(&entries);
        }
        if entries.is_empty() {
            return println!(
                "nothing recorded of {task} yet: changes are recorded from this device's first sync on, for 90 days"
            );
        }
        for e in entries {
            println!(
                "{}  {:<13} {}",
                date_time(e.at),
                wording::source(e.source),
                wording::change(e)
            );
        }
    }

    pub fn activity(&self, page: &ActivityPage) {
        if self.json {
            return self.print_json(page);
        }
        if page.entries.is_empty() {
            return println!("no recorded change matches");
        }
        println!(
            "{:<23}  {:<28} {:<12} {:<24} CHANGE",
            "SEEN", "TASK", "DATASET", "PERSON"
        );
        for e in &page.entries {
            println!(
                "{:<23}  {:<28} {:<12} {:<24} {}{}",
                date_time(e.at),
                e.task_id,
                e.dataset_id,
                e.person.as_deref().unwrap_or("-"),
                wording::change(e),
                if e.source == dtasks_core::activity::Source::Device {
                    " (this device)"
                } else {
                    ""
                }
            );
        }
        if page.next.is_some() {
            println!("(older changes not shown: raise --limit, or --csv for all of them)");
        }
    }

    pub fn review(&self, rows: &[ReviewRow], query: &ReviewQuery) {
        if self.json {
            return self.print_json(&rows);
        }
        let days = (query.to - query.from) / (24 * 3600 * 1000);
        if rows.is_empty() {
            return println!("no submission or review seen in the last {days} days");
        }
        println!(
            "{:<28} {:>9} {:>8} {:>8} {:>7} {:>18} {:>18}",
            "PERSON", "SUBMITTED", "ACCEPTED", "REJECTED", "REJECT", "REVIEW WAIT", "REJECTED FOR"
        );
        for r in rows {
            println!(
                "{:<28} {:>9} {:>8} {:>8} {:>7} {:>18} {:>18}",
                r.person,
                r.submitted,
                r.accepted,
                r.rejected,
                r.reject_rate
                    .map_or_else(|| "-".to_string(), |rate| format!("{:.0} %", rate * 100.0)),
                r.median_review_ms
                    .map_or_else(|| "-".to_string(), wording::duration),
                r.median_rejected_ms
                    .map_or_else(|| "-".to_string(), wording::duration),
            );
        }
        println!(
            "(last {days} days, medians; from what this device observed in its syncs: times are when it first saw each change)"
        );
    }

    pub fn exported(&self, rows: u64, path: &Path) {
        if self.json {
            return self.print_json(&serde_json::json!({ "rows": rows, "file": path }));
        }
        println!("wrote {rows} row(s) to {}", path.display());
    }
}
