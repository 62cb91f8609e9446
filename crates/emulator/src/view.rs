//! How the emulator's state looks on the wire: TaskResource (with two extra fields the
//! client must tolerate), DelayedTask, DatasetResource, and the streamed body of a
//! dataset's task list (chunks of ~1000 tasks, so a million tasks never sit in one
//! string).

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use bytes::Bytes;
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use crate::model::{DatasetMeta, Reasons, State, Task, TaskRef, UnitNaming, UserInfo};

/// Tasks serialized per streamed chunk.
const CHUNK: usize = 1000;

/// Writes TaskResource JSON by hand, from pieces prepared once per dataset: a million
/// tasks are served in about a second (release) without generic serializer overhead.
///
/// Field order: the `docs/api-contract.md` fields, then two extras a real server may well add
/// (`priority`, and `frame_index` for file tasks / `track_length` for label tasks), then
/// `delayed_by_millis` for DelayedTask.
pub(crate) struct TaskWriter<'a> {
    meta: &'a DatasetMeta,
    /// `{"task_id":"ds1-f`
    head: Vec<u8>,
    /// Per stage: `-Labelling","dataset_id":"ds1","task_type":"file","stage_id":"Labelling","status":"`
    stages: Vec<Vec<u8>>,
    /// Per user: the email as a JSON string literal.
    assignees: Vec<Vec<u8>>,
    /// Reject reasons of the dataset's tasks.
    reasons: Option<&'a Reasons>,
}

/// `s` as a JSON string literal, with its quotes.
fn literal(s: &str) -> Vec<u8> {
    serde_json::to_vec(s).unwrap_or_else(|_| b"\"\"".to_vec())
}

/// `s` JSON-escaped, without quotes.
fn escaped(s: &str) -> Vec<u8> {
    let mut v = literal(s);
    v.pop();
    v.remove(0);
    v
}

fn push_uint(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for _ in (buf.len() - i)..width {
        out.push(b'0');
    }
    out.extend_from_slice(&buf[i..]);
}

fn push_int(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    push_uint(out, n.unsigned_abs(), 0);
}

impl<'a> TaskWriter<'a> {
    pub fn new(meta: &'a DatasetMeta, users: &[UserInfo]) -> Self {
        let mut head = b"{\"task_id\":\"".to_vec();
        head.extend_from_slice(&escaped(&meta.id));
        head.push(b'-');
        head.push(if meta.mode == crate::model::LabellingMode::FrameByFrame {
            b'f'
        } else {
            b'l'
        });
        let stages = meta
            .stages
            .iter()
            .map(|st| {
                let mut v = vec![b'-'];
                v.extend_from_slice(&escaped(&st.stage_id));
                v.extend_from_slice(b"\",\"dataset_id\":");
                v.extend_from_slice(&literal(&meta.id));
                v.extend_from_slice(b",\"task_type\":\"");
                v.extend_from_slice(meta.task_type().as_bytes());
                v.extend_from_slice(b"\",\"stage_id\":");
                v.extend_from_slice(&literal(&st.stage_id));
                v.extend_from_slice(b",\"status\":\"");
                v
            })
            .collect();
        let assignees = users.iter().map(|u| literal(&u.email)).collect();
        TaskWriter {
            meta,
            head,
            stages,
            assignees,
            reasons: None,
        }
    }

    /// Writes the `reject_reason` of rejected tasks from `reasons`.
    pub fn with_reasons(mut self, reasons: &'a Reasons) -> Self {
        self.reasons = Some(reasons);
        self
    }

    /// Appends one task's JSON to `out`.
    pub fn write(&self, out: &mut Vec<u8>, index: usize, task: &Task, delayed_by: Option<i64>) {
        let meta = self.meta;
        let (unit, stage) = meta.split(index);
        out.extend_from_slice(&self.head);
        push_uint(out, unit as u64, 4);
        out.extend_from_slice(&self.stages[stage]);
        out.extend_from_slice(task.status.as_str().as_bytes());
        out.extend_from_slice(b"\",\"assignee\":");
        match task.assignee.and_then(|u| self.assignees.get(u as usize)) {
            Some(email) => out.extend_from_slice(email),
            None => out.extend_from_slice(b"null"),
        }
        let file = match meta.naming {
            UnitNaming::Frame => Some(("frame_", 4, ".json")),
            UnitNaming::Scan => Some(("scan_", 6, ".pcd")),
            UnitNaming::Image => Some(("img_", 5, ".jpg")),
            UnitNaming::Track => None,
        };
        out.extend_from_slice(b",\"file_id\":");
        match file {
            Some((prefix, width, suffix)) => {
                out.push(b'"');
                out.extend_from_slice(prefix.as_bytes());
                push_uint(out, unit as u64, width);
                out.extend_from_slice(suffix.as_bytes());
                out.extend_from_slice(b"\",\"label_id\":null");
            }
            None => {
                out.extend_from_slice(b"null,\"label_id\":\"");
                out.extend_from_slice(meta.track_class(unit).as_bytes());
                out.push(b'-');
                push_uint(out, unit as u64, 4);
                out.push(b'"');
            }
        }
        out.extend_from_slice(b",\"label_set_id\":\"default\",\"updated_at_millis\":");
        push_int(out, task.updated_at_millis);
        out.extend_from_slice(b",\"due_at_millis\":");
        push_int(out, task.due_at_millis);
        out.extend_from_slice(b",\"priority\":\"");
        out.extend_from_slice(meta.priority(unit).as_bytes());
        if file.is_some() {
            out.extend_from_slice(b"\",\"frame_index\":");
            push_uint(out, unit as u64, 0);
        } else {
            out.extend_from_slice(b"\",\"track_length\":");
            push_uint(out, meta.track_length(unit), 0);
        }
        if task.status == crate::model::Status::Rejected
            && let Some(reason) = self.reasons.and_then(|r| r.get(&index))
        {
            out.extend_from_slice(b",\"reject_reason\":");
            out.extend_from_slice(&literal(reason));
        }
        if let Some(by) = delayed_by {
            out.extend_from_slice(b",\"delayed_by_millis\":");
            push_int(out, by);
        }
        out.push(b'}');
    }
}

/// The TaskResource of one task as a JSON value.
pub(crate) fn task_value(state: &State, r: TaskRef) -> Value {
    let ds = &state.datasets[r.dataset];
    let mut out = Vec::with_capacity(400);
    TaskWriter::new(&ds.meta, &state.users)
        .with_reasons(&ds.reasons)
        .write(&mut out, r.index, &ds.tasks[r.index], None);
    serde_json::from_slice(&out).unwrap_or(Value::Null)
}

/// The body of endpoints 2–4: the task, wrapped as `{"task": ...}` when configured.
pub(crate) fn task_response(state: &State, r: TaskRef) -> Value {
    let task = task_value(state, r);
    if state.wrap_task_responses {
        json!({ "task": task })
    } else {
        task
    }
}

/// DatasetResource.
pub(crate) fn dataset_value(meta: &DatasetMeta) -> Value {
    json!({
        "dataset_id": meta.id,
        "dataset_name": meta.name,
        "labelling_mode": meta.mode,
        "pipeline_spec": meta.stages,
        "user_scopes": meta.user_scopes,
        "created_at_millis": meta.created_at_millis,
        "task_count": meta.units * meta.stage_count(),
    })
}

/// Is this task delayed at `now`, and by how much.
pub(crate) fn delayed_by(task: &Task, now: i64) -> Option<i64> {
    use crate::model::Status;
    let open = !matches!(task.status, Status::Accepted | Status::Submitted);
    (open && task.due_at_millis < now).then(|| now - task.due_at_millis)
}

/// A task picked for a list body: dataset position, task index, delayed_by_millis.
pub(crate) type Listed = (usize, usize, Option<i64>);

/// `{"<key>": [tasks...]}` for the tasks picked.
pub(crate) fn task_list_body(state: &State, lists: &[(&str, Vec<Listed>)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(360 * lists.iter().map(|l| l.1.len()).sum::<usize>() + 64);
    let writers: Vec<TaskWriter<'_>> = state
        .datasets
        .iter()
        .map(|d| TaskWriter::new(&d.meta, &state.users).with_reasons(&d.reasons))
        .collect();
    out.push(b'{');
    for (n, (key, items)) in lists.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let _ = serde_json::to_writer(&mut out, key);
        out.extend_from_slice(b":[");
        for (i, (ds, index, delayed)) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let task = &state.datasets[*ds].tasks[*index];
            writers[*ds].write(&mut out, *index, task, *delayed);
        }
        out.push(b']');
    }
    out.push(b'}');
    out
}

/// The streamed `{"tasks": [...]}` body of endpoint 1, from a snapshot.
pub(crate) fn stream_task_list(
    meta: Arc<DatasetMeta>,
    tasks: Arc<Vec<Task>>,
    reasons: Arc<Reasons>,
    users: Arc<Vec<UserInfo>>,
) -> Body {
    let chunks = tasks.len().div_ceil(CHUNK).max(1);
    let stream = futures_util::stream::iter(0..chunks).map(move |c| {
        let writer = TaskWriter::new(&meta, &users).with_reasons(&reasons);
        let start = c * CHUNK;
        let end = (start + CHUNK).min(tasks.len());
        let mut out = Vec::with_capacity((end - start) * 360 + 16);
        if c == 0 {
            out.extend_from_slice(b"{\"tasks\":[");
        }
        for i in start..end {
            if i > 0 {
                out.push(b',');
            }
            writer.write(&mut out, i, &tasks[i], None);
        }
        if c + 1 == chunks {
            out.extend_from_slice(b"]}");
        }
        Ok::<Bytes, Infallible>(Bytes::from(out))
    });
    Body::from_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{EmulatorConfig, seed_state};

    #[test]
    fn written_tasks_are_valid_json_and_ids_round_trip() {
        let state = seed_state(&EmulatorConfig {
            files: 12,
            labels: 3,
            stages: vec!["Label \"raw\"".into(), "Q\\A é".into()],
            ..Default::default()
        });
        for (ds, d) in state.datasets.iter().enumerate() {
            for index in 0..d.tasks.len() {
                let v = task_value(&state, TaskRef { dataset: ds, index });
                let id = v["task_id"].as_str().expect("task_id");
                assert_eq!(id, d.meta.task_id(index));
                assert_eq!(state.find_task(id), Some(TaskRef { dataset: ds, index }));
                let (_, stage) = d.meta.split(index);
                assert_eq!(v["stage_id"], d.meta.stages[stage].stage_id.as_str());
                assert_eq!(v["updated_at_millis"], d.tasks[index].updated_at_millis);
            }
        }
        let meta = &state.datasets[0].meta;
        assert_eq!(meta.index_of("ds1-f0001-Label \"raw\""), Some(2));
        assert_eq!(meta.index_of("ds1-f1-Label \"raw\""), None);
        assert_eq!(meta.index_of("ds1-f0012-Label \"raw\""), None);
        assert_eq!(meta.index_of("ds1-l0001-Label \"raw\""), None);
    }

    #[test]
    fn streamed_list_is_one_json_document() {
        let state = seed_state(&EmulatorConfig {
            files: 2100,
            ..Default::default()
        });
        let d = &state.datasets[0];
        let body = stream_task_list(
            d.meta.clone(),
            d.tasks.clone(),
            d.reasons.clone(),
            state.users.clone(),
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bytes = rt.block_on(axum::body::to_bytes(body, usize::MAX)).unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["tasks"].as_array().unwrap().len(), 4200);
        let empty = stream_task_list(
            d.meta.clone(),
            Arc::new(Vec::new()),
            d.reasons.clone(),
            state.users.clone(),
        );
        let bytes = rt
            .block_on(axum::body::to_bytes(empty, usize::MAX))
            .unwrap();
        assert_eq!(&bytes[..], b"{\"tasks\":[]}");
    }
}
