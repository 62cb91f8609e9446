//! The workspace's reading of its activity record, for the front ends: a task's history,
//! the activity list, the review panel, and CSV exports of any list or panel (see
//! [`crate::activity`] for what the record holds and [`crate::export`] for the format).
//! Every query reads through the mirror's reading connection: it never waits for a pull.

use std::path::Path;

use crate::activity::{ActivityEntry, ActivityPage, ActivityQuery, ReviewQuery, ReviewRow};
use crate::export::{self, Export};
use crate::view::TaskQuery;
use crate::workspace::{Workspace, WorkspaceError};

/// Writing CSV into memory fails only on a record with another field count than the
/// header, which the export functions never write.
const IN_MEMORY: &str = "CSV written into memory";

/// Rows read per query while exporting a task list.
const EXPORT_PAGE: u32 = 10_000;

impl Workspace {
    /// Everything recorded of one task, oldest first; `UnknownTasks` when the mirror has
    /// neither the task nor anything recorded of it.
    pub fn task_history(&self, task_id: &str) -> Result<Vec<ActivityEntry>, WorkspaceError> {
        let mirror = self.store().mirror_reader();
        let history = mirror.task_history(task_id)?;
        if history.is_empty() && mirror.task(task_id)?.is_none() {
            return Err(WorkspaceError::UnknownTasks(vec![task_id.to_string()]));
        }
        Ok(history)
    }

    /// A page of the activity list, newest first.
    pub fn activity(&self, query: &ActivityQuery) -> Result<ActivityPage, WorkspaceError> {
        Ok(self.store().mirror_reader().activity(query)?)
    }

    /// The review panel: per person, for a period.
    pub fn review(&self, query: &ReviewQuery) -> Result<Vec<ReviewRow>, WorkspaceError> {
        Ok(self.store().mirror_reader().review(query)?)
    }

    /// The address of `task_id` in Deepen's web tool (see `wire::web_task_url`).
    pub fn web_task_url(&self, task_id: &str) -> Result<String, WorkspaceError> {
        let account = self.account().ok_or(WorkspaceError::NotConnected)?;
        let task = self
            .store()
            .mirror_reader()
            .task(task_id)?
            .ok_or_else(|| WorkspaceError::UnknownTasks(vec![task_id.to_string()]))?;
        Ok(account
            .web_task_url(&task.dataset_id, &task.task_id)?
            .to_string())
    }

    /// Writes `what` as CSV to `path` (whole or not at all); gives the rows written.
    pub fn export_csv(&self, what: &Export, path: &Path) -> Result<u64, WorkspaceError> {
        let (bytes, rows) = self.csv(what)?;
        export::write_file(path, &bytes)?;
        Ok(rows)
    }

    /// `what` as CSV, with the number of rows (a front end writing it somewhere else than
    /// a file: standard output).
    pub fn csv(&self, what: &Export) -> Result<(Vec<u8>, u64), WorkspaceError> {
        let mut bytes = Vec::new();
        let rows = match what {
            Export::Tasks { query } => {
                let rows = self.all_tasks(query)?;
                export::tasks_csv(&rows, &mut bytes).expect(IN_MEMORY);
                rows.len()
            }
            Export::Review { query } => {
                let rows = self.review(query)?;
                export::review_csv(&rows, &mut bytes).expect(IN_MEMORY);
                rows.len()
            }
            Export::Activity { query } => {
                let entries = self.all_activity(query)?;
                export::activity_csv(&entries, &mut bytes).expect(IN_MEMORY);
                entries.len()
            }
        };
        Ok((bytes, rows as u64))
    }

    fn all_tasks(&self, query: &TaskQuery) -> Result<Vec<crate::TaskRow>, WorkspaceError> {
        let mut rows = Vec::new();
        loop {
            let page = self.tasks(&TaskQuery {
                limit: EXPORT_PAGE,
                offset: rows.len() as u32,
                ..query.clone()
            })?;
            let last = page.rows.len() < EXPORT_PAGE as usize;
            rows.extend(page.rows);
            if last {
                return Ok(rows);
            }
        }
    }

    fn all_activity(&self, query: &ActivityQuery) -> Result<Vec<ActivityEntry>, WorkspaceError> {
        let mut entries = Vec::new();
        let mut before = query.before;
        loop {
            let page = self.activity(&ActivityQuery {
                before,
                limit: 1_000,
                ..query.clone()
            })?;
            entries.extend(page.entries);
            match page.next {
                Some(next) => before = Some(next),
                None => return Ok(entries),
            }
        }
    }
}
