//! What an operation changed, said in views: every `Workspace` operation and every sync
//! round reports the views it changed, so a front end re-reads exactly those (the desktop
//! window refreshes the matching queries; see `docs/architecture.md`, "View changes").

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// One view that changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "view", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ViewChange {
    /// Task lists and counts of a dataset.
    Tasks {
        /// The dataset.
        dataset_id: String,
        /// The people whose task lists gained, lost or changed tasks (`None` in the list:
        /// the unassigned tasks); `None`: any list of the dataset (after a pull, say).
        assignees: Option<Vec<Option<String>>>,
        /// Whether statuses changed (counts by status and status-filtered lists); false
        /// when only assignees moved.
        statuses: bool,
    },
    /// The delayed list.
    Delayed,
    /// The queue of actions.
    Queue,
    /// The list of datasets (names, users, stages, when pulled).
    Datasets,
    /// The sync status (connectivity, queue counts, last sync).
    Status,
}

/// A set of view changes, merged as they are added (a dataset changed for anyone absorbs
/// changes for some people).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    tasks: BTreeMap<String, TaskChange>,
    others: BTreeSet<ViewChange>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct TaskChange {
    /// `None`: anyone.
    assignees: Option<BTreeSet<Option<String>>>,
    statuses: bool,
}

impl Changes {
    /// No change.
    pub fn none() -> Self {
        Self::default()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty() && self.others.is_empty()
    }

    /// Adds one change.
    pub fn add(&mut self, change: ViewChange) -> &mut Self {
        match change {
            ViewChange::Tasks {
                dataset_id,
                assignees,
                statuses,
            } => {
                let entry = self.tasks.entry(dataset_id).or_insert_with(|| TaskChange {
                    assignees: Some(BTreeSet::new()),
                    statuses: false,
                });
                entry.statuses |= statuses;
                match (assignees, &mut entry.assignees) {
                    (Some(people), Some(known)) => known.extend(people),
                    (None, slot) => *slot = None,
                    (Some(_), None) => {}
                }
            }
            other => {
                self.others.insert(other);
            }
        }
        self
    }

    /// Task lists of `dataset_id` held by `assignees` changed.
    pub fn tasks_of<'a>(
        &mut self,
        dataset_id: &str,
        assignees: impl IntoIterator<Item = Option<&'a str>>,
        statuses: bool,
    ) -> &mut Self {
        self.add(ViewChange::Tasks {
            dataset_id: dataset_id.to_string(),
            assignees: Some(
                assignees
                    .into_iter()
                    .map(|a| a.map(str::to_string))
                    .collect(),
            ),
            statuses,
        })
    }

    /// Every task list of `dataset_id` may have changed.
    pub fn whole_dataset(&mut self, dataset_id: &str) -> &mut Self {
        self.add(ViewChange::Tasks {
            dataset_id: dataset_id.to_string(),
            assignees: None,
            statuses: true,
        })
    }

    /// Adds every change of `other`.
    pub fn merge(&mut self, other: Changes) -> &mut Self {
        for change in other.into_vec() {
            self.add(change);
        }
        self
    }

    /// The changes, in a stable order.
    pub fn into_vec(self) -> Vec<ViewChange> {
        let tasks = self
            .tasks
            .into_iter()
            .map(|(dataset_id, c)| ViewChange::Tasks {
                dataset_id,
                assignees: c.assignees.map(|set| set.into_iter().collect()),
                statuses: c.statuses,
            });
        tasks.chain(self.others).collect()
    }
}

impl From<ViewChange> for Changes {
    fn from(change: ViewChange) -> Self {
        let mut changes = Changes::none();
        changes.add(change);
        changes
    }
}

impl FromIterator<ViewChange> for Changes {
    fn from_iter<I: IntoIterator<Item = ViewChange>>(iter: I) -> Self {
        let mut changes = Changes::none();
        for c in iter {
            changes.add(c);
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_merge_and_a_whole_dataset_absorbs_them() {
        let mut c = Changes::none();
        c.tasks_of("ds1", [Some("ana"), None], false);
        c.tasks_of("ds1", [Some("bo")], false);
        c.add(ViewChange::Queue);
        assert_eq!(
            c.clone().into_vec(),
            vec![
                ViewChange::Tasks {
                    dataset_id: "ds1".into(),
                    assignees: Some(vec![None, Some("ana".into()), Some("bo".into())]),
                    statuses: false,
                },
                ViewChange::Queue,
            ]
        );
        c.whole_dataset("ds1");
        c.tasks_of("ds1", [Some("chidi")], false);
        assert_eq!(
            c.into_vec()[0],
            ViewChange::Tasks {
                dataset_id: "ds1".into(),
                assignees: None,
                statuses: true,
            }
        );
    }
}

/// What an operation returns: its result and the views it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed<T> {
    /// The operation's result.
    pub value: T,
    /// The views it changed.
    pub changes: Changes,
}

impl<T> Changed<T> {
    /// A result and what it changed.
    pub fn new(value: T, changes: Changes) -> Self {
        Self { value, changes }
    }

    /// The result alone.
    pub fn into_value(self) -> T {
        self.value
    }
}

impl<T> std::ops::Deref for Changed<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}
