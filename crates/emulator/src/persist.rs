//! The save file: the whole `State` (users, tokens, datasets with their compact task
//! rows, journal) as one JSON document. Faults and request stats are runtime only.

use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::journal::JournalEntry;
use crate::model::{Dataset, DatasetMeta, Reasons, State, Task, UserInfo};

const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Saved<D> {
    format: u32,
    seed: u64,
    client_id: String,
    wrap_task_responses: bool,
    users: Vec<UserInfo>,
    /// token -> email
    tokens: BTreeMap<String, String>,
    datasets: Vec<D>,
    journal: Vec<JournalEntry>,
}

#[derive(Serialize)]
struct SavedDatasetRef<'a> {
    meta: &'a DatasetMeta,
    tasks: &'a [Task],
    reasons: &'a Reasons,
}

#[derive(Deserialize)]
struct SavedDataset {
    meta: DatasetMeta,
    tasks: Vec<Task>,
    #[serde(default)]
    reasons: Reasons,
}

pub(crate) fn save(state: &State, path: &Path) -> anyhow::Result<()> {
    let saved = Saved {
        format: FORMAT,
        seed: state.seed,
        client_id: state.client_id.clone(),
        wrap_task_responses: state.wrap_task_responses,
        users: state.users.to_vec(),
        tokens: state
            .tokens
            .iter()
            .filter_map(|(t, u)| Some((t.clone(), state.user(*u)?.email.clone())))
            .collect(),
        datasets: state
            .datasets
            .iter()
            .map(|d| SavedDatasetRef {
                meta: &d.meta,
                tasks: &d.tasks,
                reasons: &d.reasons,
            })
            .collect(),
        journal: state.journal.clone(),
    };
    // Write beside the target, then rename: a crash never leaves half a state file.
    let tmp = path.with_extension("tmp-save");
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut out = BufWriter::new(file);
    serde_json::to_writer(&mut out, &saved).context("writing emulator state")?;
    out.flush()?;
    drop(out);
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

pub(crate) fn load(path: &Path) -> anyhow::Result<State> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let saved: Saved<SavedDataset> = serde_json::from_reader(BufReader::new(file))
        .with_context(|| format!("reading emulator state {}", path.display()))?;
    if saved.format != FORMAT {
        bail!("unsupported emulator state format {}", saved.format);
    }
    let mut tokens = BTreeMap::new();
    for (token, email) in saved.tokens {
        let user = saved
            .users
            .iter()
            .position(|u| u.email == email)
            .with_context(|| format!("token of unknown user {email}"))?;
        tokens.insert(token, user as u32);
    }
    let user_count = saved.users.len() as u32;
    let mut datasets = Vec::with_capacity(saved.datasets.len());
    for d in saved.datasets {
        if d.tasks.len() != d.meta.units * d.meta.stage_count() {
            bail!("dataset {} has {} task rows", d.meta.id, d.tasks.len());
        }
        if d.tasks
            .iter()
            .any(|t| t.assignee.is_some_and(|a| a >= user_count))
        {
            bail!(
                "dataset {} has a task assigned to an unknown user",
                d.meta.id
            );
        }
        datasets.push(Dataset {
            meta: Arc::new(d.meta),
            tasks: Arc::new(d.tasks),
            reasons: Arc::new(d.reasons),
        });
    }
    Ok(State {
        seed: saved.seed,
        client_id: saved.client_id,
        wrap_task_responses: saved.wrap_task_responses,
        users: Arc::new(saved.users),
        tokens,
        datasets,
        journal: saved.journal,
    })
}
