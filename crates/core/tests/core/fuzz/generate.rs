//! Valid answers of every kind the wire module reads, generated with proptest strategies
//! and written out with random layout (whitespace, escapes, member order), together with
//! what each answer's own parser must make of it.
//!
//! Shared by the CI test (`tests/core/fuzz.rs`) and the long run
//! (`examples/fuzz_wire.rs`): keep it free of anything only one of them uses.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dtasks_core::wire::{
    Dataset, DatasetSummary, ErrorBody, RETRY_AFTER_CAP, Stage, Task, TaskStatus, UserScope,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

// ---------------------------------------------------------------------------------------
// JSON values and their layout

/// A JSON value as generated; [`Layout`] writes it out.
#[derive(Debug, Clone)]
pub enum Json {
    Null,
    Bool(bool),
    /// Any number the grammar allows, as text (some are out of `f64`'s range: skipped
    /// values are checked for grammar only).
    Number(String),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
    /// Text already written: a task, whose exact text the parsers must keep as `raw`.
    Raw(String),
}

/// How a document is laid out: the random choices of whitespace and escapes.
pub struct Layout<'a> {
    rng: &'a mut StdRng,
    /// Chance of whitespace at each place JSON allows it.
    spacing: f64,
    /// Chance of writing a character that needs no escape as an escape.
    escaping: f64,
}

impl<'a> Layout<'a> {
    /// A layout with a random amount of whitespace and escaping for one document.
    pub fn new(rng: &'a mut StdRng) -> Self {
        let spacing = [0.0, 0.1, 0.6][rng.random_range(0..3)];
        let escaping = [0.0, 0.05, 0.4][rng.random_range(0..3)];
        Layout {
            rng,
            spacing,
            escaping,
        }
    }

    /// The text of `value`.
    pub fn text(&mut self, value: &Json) -> String {
        let mut out = String::new();
        self.space(&mut out);
        self.write(value, &mut out);
        self.space(&mut out);
        out
    }

    /// The text of an object with these members, in a random order.
    pub fn object(&mut self, mut members: Vec<(String, Json)>) -> String {
        members.shuffle(self.rng);
        let mut out = String::new();
        self.write(&Json::Object(members), &mut out);
        out
    }

    fn write(&mut self, value: &Json, out: &mut String) {
        match value {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::Str(s) => self.string(s, out),
            Json::Raw(text) => out.push_str(text),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    self.separator(i, out);
                    self.write(item, out);
                }
                self.space(out);
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    self.separator(i, out);
                    self.string(key, out);
                    self.space(out);
                    out.push(':');
                    self.space(out);
                    self.write(value, out);
                }
                self.space(out);
                out.push('}');
            }
        }
    }

    fn separator(&mut self, index: usize, out: &mut String) {
        self.space(out);
        if index > 0 {
            out.push(',');
            self.space(out);
        }
    }

    fn space(&mut self, out: &mut String) {
        while self.rng.random_bool(self.spacing) {
            out.push([' ', '\t', '\n', '\r'][self.rng.random_range(0..4)]);
        }
    }

    /// A JSON string: what must be escaped is, in one of the allowed spellings, and any
    /// other character may be (`\u` escapes, surrogate pairs beyond the BMP, `\/`).
    fn string(&mut self, s: &str, out: &mut String) {
        out.push('"');
        for c in s.chars() {
            let short = match c {
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '\n' => Some("\\n"),
                '\r' => Some("\\r"),
                '\t' => Some("\\t"),
                '\u{8}' => Some("\\b"),
                '\u{c}' => Some("\\f"),
                '/' => Some("\\/"),
                _ => None,
            };
            let must = c == '"' || c == '\\' || c < ' ';
            if !must && !self.rng.random_bool(self.escaping) {
                out.push(c);
            } else if let Some(short) = short.filter(|_| self.rng.random_bool(0.7)) {
                out.push_str(short);
            } else {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    if self.rng.random_bool(0.5) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    } else {
                        out.push_str(&format!("\\u{unit:04X}"));
                    }
                }
            }
        }
        out.push('"');
    }
}

// ---------------------------------------------------------------------------------------
// Strategies for the pieces

/// Every member name some parser knows: never generated as an unknown member, where it
/// would be a duplicate or change the meaning (`task` makes an action answer "wrapped").
const KNOWN: [&str; 27] = [
    "task_id",
    "dataset_id",
    "task_type",
    "stage_id",
    "status",
    "assignee",
    "file_id",
    "label_id",
    "updated_at_millis",
    "due_at_millis",
    "delayed_by_millis",
    "task",
    "tasks",
    "file_tasks",
    "label_tasks",
    "delayed tasks",
    "delayed_tasks",
    "datasets",
    "dataset_name",
    "labelling_mode",
    "pipeline_spec",
    "user_scopes",
    "can_edit",
    "email",
    "scopes",
    "error",
    "task_ids",
];

/// Text with the characters that trouble a scanner: quotes, backslashes, brackets,
/// control characters, non-ASCII, and the text `"tasks": [` itself.
fn text() -> impl Strategy<Value = String> {
    const STRUCTURAL: [&str; 11] = [
        "{", "}", "[", "]", "\"", "\\", "\\\"", ":", ",", "/", "\\u0000",
    ];
    const ODD: [char; 11] = [
        '\0', '\n', '\t', '\u{1f}', '\u{7f}', 'é', '中', '😀', '\u{2028}', '\u{feff}', '\u{fffd}',
    ];
    let piece = prop_oneof![
        5 => "[a-zA-Z0-9_ .-]{1,8}",
        1 => Just("tasks".to_string()),
        1 => Just("\"tasks\": [".to_string()),
        2 => prop::sample::select(&STRUCTURAL[..]).prop_map(String::from),
        2 => prop::sample::select(&ODD[..]).prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..5).prop_map(|pieces| pieces.concat())
}

/// An id: usually plain, sometimes any [`text`].
fn id() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[a-z0-9-]{1,12}", 1 => text()]
}

/// The name of an unknown member.
fn unknown_key() -> impl Strategy<Value = String> {
    text().prop_filter("a known member name", |k| !KNOWN.contains(&k.as_str()))
}

/// Any number JSON's grammar allows, in range or not.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,8})?([eE][+-]?[0-9]{1,4})?",
    ]
}

/// Any JSON value, a few levels deep.
fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        number().prop_map(Json::Number),
        text().prop_map(Json::Str),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec((text(), inner), 0..4).prop_map(Json::Object),
        ]
    })
}

/// Unknown members of an object.
fn unknown_members() -> impl Strategy<Value = Vec<(String, Json)>> {
    prop::collection::vec((unknown_key(), json()), 0..3)
}

/// A millisecond timestamp, extremes included.
fn millis() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => 0..4_000_000_000_000i64,
        1 => any::<i64>(),
        1 => prop::sample::select(&[i64::MIN, i64::MAX, -1, 0][..]),
    ]
}

/// A member that may be left out, `null`, or given.
#[derive(Debug, Clone)]
pub enum Field<T> {
    Absent,
    Null,
    Value(T),
}

impl<T> Field<T> {
    fn get(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            Field::Absent | Field::Null => None,
        }
    }

    /// Adds the member `name` unless it is left out.
    fn push(&self, name: &str, members: &mut Vec<(String, Json)>, json: impl Fn(&T) -> Json) {
        match self {
            Field::Absent => {}
            Field::Null => members.push((name.to_string(), Json::Null)),
            Field::Value(v) => members.push((name.to_string(), json(v))),
        }
    }
}

fn field<T: std::fmt::Debug + Clone>(
    value: impl Strategy<Value = T>,
) -> impl Strategy<Value = Field<T>> {
    prop_oneof![
        1 => Just(Field::Absent),
        1 => Just(Field::Null),
        3 => value.prop_map(Field::Value),
    ]
}

fn string<S: AsRef<str>>(s: &S) -> Json {
    Json::Str(s.as_ref().to_string())
}

fn integer(n: &i64) -> Json {
    Json::Number(n.to_string())
}

// ---------------------------------------------------------------------------------------
// Tasks

/// A TaskResource as generated.
#[derive(Debug, Clone)]
pub struct TaskModel {
    task_id: String,
    dataset_id: Field<String>,
    task_type: Field<String>,
    stage_id: Field<String>,
    status: String,
    assignee: Field<String>,
    file_id: Field<String>,
    label_id: Field<String>,
    updated_at_millis: Field<i64>,
    due_at_millis: Field<i64>,
    unknown: Vec<(String, Json)>,
}

fn status() -> impl Strategy<Value = String> {
    const KNOWN_STATUSES: [&str; 6] = [
        "waiting",
        "ready",
        "in_progress",
        "rejected",
        "submitted",
        "accepted",
    ];
    prop_oneof![
        3 => prop::sample::select(&KNOWN_STATUSES[..]).prop_map(String::from),
        1 => text(),
    ]
}

/// A task; `own_dataset` makes it name its dataset (outside a dataset's list it must).
fn task(own_dataset: bool) -> impl Strategy<Value = TaskModel> {
    let dataset = if own_dataset {
        id().prop_map(Field::Value).boxed()
    } else {
        field(id()).boxed()
    };
    let ids = (id(), dataset, field(text()), field(id()), status());
    let more = (
        field(text()),
        field(id()),
        field(id()),
        field(millis()),
        field(millis()),
        unknown_members(),
    );
    (ids, more).prop_map(
        |(
            (task_id, dataset_id, task_type, stage_id, status),
            (assignee, file_id, label_id, updated_at_millis, due_at_millis, unknown),
        )| TaskModel {
            task_id,
            dataset_id,
            task_type,
            stage_id,
            status,
            assignee,
            file_id,
            label_id,
            updated_at_millis,
            due_at_millis,
            unknown,
        },
    )
}

impl TaskModel {
    fn members(&self) -> Vec<(String, Json)> {
        let mut m = vec![
            ("task_id".to_string(), string(&self.task_id)),
            ("status".to_string(), string(&self.status)),
        ];
        self.dataset_id.push("dataset_id", &mut m, string);
        self.task_type.push("task_type", &mut m, string);
        self.stage_id.push("stage_id", &mut m, string);
        self.assignee.push("assignee", &mut m, string);
        self.file_id.push("file_id", &mut m, string);
        self.label_id.push("label_id", &mut m, string);
        self.updated_at_millis
            .push("updated_at_millis", &mut m, integer);
        self.due_at_millis.push("due_at_millis", &mut m, integer);
        m.extend(self.unknown.iter().cloned());
        m
    }

    /// The task as the parsers must read it from `raw` (its written text), in a list of
    /// `path_dataset` if any; `None` when it names no dataset and the path none either.
    fn expected(&self, raw: String, path_dataset: Option<&str>) -> Option<Task> {
        let dataset_id = self
            .dataset_id
            .get()
            .cloned()
            .or(path_dataset.map(String::from))?;
        let task_type = self.task_type.get().cloned().unwrap_or_else(|| {
            if self.label_id.get().is_some() {
                "label"
            } else {
                "file"
            }
            .to_string()
        });
        Some(Task {
            task_id: self.task_id.clone(),
            dataset_id,
            task_type,
            stage_id: self.stage_id.get().cloned().unwrap_or_default(),
            status: TaskStatus::parse(&self.status),
            assignee: self.assignee.get().cloned(),
            file_id: self.file_id.get().cloned(),
            label_id: self.label_id.get().cloned(),
            updated_at_millis: self.updated_at_millis.get().copied(),
            due_at_millis: self.due_at_millis.get().copied(),
            raw,
        })
    }
}

/// Tasks written out: the text of each and what it must read as.
fn write_tasks(
    tasks: &[TaskModel],
    path_dataset: Option<&str>,
    layout: &mut Layout<'_>,
) -> (Vec<Json>, Vec<Task>) {
    tasks
        .iter()
        .map(|t| {
            let raw = layout.object(t.members());
            let expected = t
                .expected(raw.clone(), path_dataset)
                .expect("names a dataset");
            (Json::Raw(raw), expected)
        })
        .unzip()
}

// ---------------------------------------------------------------------------------------
// Documents

/// The kinds of answer the wire module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Endpoint 1, `{"tasks": [...]}`, read by the streaming scanner.
    TaskList,
    /// Endpoint 5.
    UserTasks,
    /// Endpoint 6.
    Delayed,
    /// Endpoints 2-4, bare or wrapped.
    Action,
    /// Endpoint 9.
    Datasets,
    /// Endpoint 10.
    Dataset,
    /// An error answer, JSON or not.
    ErrorBody,
    /// A `Retry-After` header.
    RetryAfter,
}

impl Kind {
    /// A kind, task lists half of the time (the scanner is the hand-written parser).
    pub fn pick(rng: &mut StdRng) -> Kind {
        const OTHERS: [Kind; 7] = [
            Kind::UserTasks,
            Kind::Delayed,
            Kind::Action,
            Kind::Datasets,
            Kind::Dataset,
            Kind::ErrorBody,
            Kind::RetryAfter,
        ];
        if rng.random_bool(0.5) {
            Kind::TaskList
        } else {
            OTHERS[rng.random_range(0..OTHERS.len())]
        }
    }
}

/// What a generated answer's own parser must return.
#[derive(Debug, Clone)]
pub enum Expect {
    /// `Ok(tasks)` from the scanner with this path, or a refusal (`Err`).
    TaskList {
        dataset_id: String,
        tasks: Result<Vec<Task>, ()>,
    },
    UserTasks(Vec<Task>),
    Delayed(Vec<(Task, DelayedBy)>),
    /// The task of an action's answer; `bare` when it is not wrapped.
    Action {
        task: Task,
        bare: bool,
    },
    Datasets(Vec<DatasetSummary>),
    Dataset(Dataset),
    /// The error body, when it is JSON.
    ErrorBody(Option<ErrorBody>),
    /// A `Retry-After` value at `now` and the wait it asks for.
    RetryAfter {
        now: SystemTime,
        wait: Option<Duration>,
    },
    /// A date-like `Retry-After` value with odd fields: only the bounds are known.
    OddRetryAfter {
        now: SystemTime,
    },
}

/// How late a delayed task must read as.
#[derive(Debug, Clone, Copy)]
pub enum DelayedBy {
    /// Given by the server.
    Given(i64),
    /// Derived from this due date and the time of the parse.
    SinceDue(i64),
    /// Neither: 0.
    Zero,
}

/// A generated answer and what it must read as.
#[derive(Debug, Clone)]
pub struct Generated {
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

/// Draws one value from a strategy with the runner's seeded RNG.
fn draw<S: Strategy>(strategy: S, runner: &mut TestRunner) -> S::Value {
    strategy
        .new_tree(runner)
        .expect("the strategies do not give up")
        .current()
}

/// A valid answer of `kind`.
pub fn generate(kind: Kind, runner: &mut TestRunner, layout: &mut Layout<'_>) -> Generated {
    match kind {
        Kind::TaskList => task_list(runner, layout),
        Kind::UserTasks => user_tasks(runner, layout),
        Kind::Delayed => delayed(runner, layout),
        Kind::Action => action(runner, layout),
        Kind::Datasets => datasets(runner, layout),
        Kind::Dataset => dataset(runner, layout),
        Kind::ErrorBody => error_body(runner, layout),
        Kind::RetryAfter => retry_after(runner, layout),
    }
}

fn document(members: Vec<(String, Json)>, layout: &mut Layout<'_>) -> Vec<u8> {
    let text = layout.object(members);
    let mut padded = String::new();
    layout.space(&mut padded);
    padded.push_str(&text);
    layout.space(&mut padded);
    padded.into_bytes()
}

fn task_list(runner: &mut TestRunner, layout: &mut Layout<'_>) -> Generated {
    let (dataset_id, mut tasks, unknown, second, big) = draw(
        (
            id(),
            prop::collection::vec(task(false), 0..5),
            unknown_members(),
            // A second `tasks` member makes the answer ambiguous: it must be refused.
            prop::option::weighted(0.05, json()),
            // Now and then a task larger than the scanner's first buffer (256 KiB).
            prop::option::weighted(0.002, 200_000..400_000usize),
        ),
        runner,
    );
    if let (Some(len), Some(first)) = (big, tasks.first_mut()) {
        let padding = Json::Str("x".repeat(len));
        first.unknown.push(("padding".to_string(), padding));
    }
    let (items, expected) = write_tasks(&tasks, Some(&dataset_id), layout);
    let mut members = unknown;
    members.push(("tasks".to_string(), Json::Array(items)));
    let tasks = match second {
        Some(value) => {
            members.push(("tasks".to_string(), value));
            Err(())
        }
        None => Ok(expected),
    };
    Generated {
        bytes: document(members, layout),
        expect: Expect::TaskList { dataset_id, tasks },
    }
}

fn user_tasks(runner: &mut TestRunner, layout: &mut Layout<'_>) -> Generated {
    let list = || prop::option::weighted(0.8, prop::collection::vec(task(true), 0..4));
    let (file, label, unknown) = draw((list(), list(), unknown_members()), runner);
    let mut members = unknown;
    let mut expected = Vec::new();
    for (name, tasks) in [("file_tasks", file), ("label_tasks", label)] {
        if let Some(tasks) = tasks {
            let (items, mut read) = write_tasks(&tasks, None, layout);
            members.push((name.to_string(), Json::Array(items)));
            expected.append(&mut read);
        }
    }
    Generated {
        bytes: document(members, layout),
        expect: Expect::UserTasks(expected),
    }
}

fn delayed(runner: &mut TestRunner, layout: &mut Layout<'_>) -> Generated {
    let (key, list, unknown) = draw(
        (
            prop::sample::select(&["delayed tasks", "delayed_tasks"][..]),
            prop::collection::vec((task(true), field(millis())), 0..4),
            unknown_members(),
        ),
        runner,
    );
    let mut items = Vec::new();
    let mut expected = Vec::new();
    for (task, delayed_by) in list {
        let mut task_members = task.members();
        delayed_by.push("delayed_by_millis", &mut task_members, integer);
        let raw = layout.object(task_members);
        let by = match (delayed_by.get(), task.due_at_millis.get()) {
            (Some(&by), _) => DelayedBy::Given(by),
            (None, Some(&due)) => DelayedBy::SinceDue(due),
            (None, None) => DelayedBy::Zero,
        };
        expected.push((task.expected(raw.clone(), None).expect("named"), by));
        items.push(Json::Raw(raw));
    }
    let mut members = unknown;
    members.push((key.to_string(), Json::Array(items)));
    Generated {
        bytes: document(members, layout),
        expect: Expect::Delayed(expected),
    }
}

fn action(runner: &mut TestRunner, layout: &mut Layout<'_>) -> Generated {
    let (task, wrapped, unknown) = draw((task(true), any::<bool>(), unknown_members()), runner);
    let raw = layout.object(task.members());
    let expected = task.expected(raw.clone(), None).expect("named");
    let bytes = if wrapped {
        let mut members = unknown;
        members.push(("task".to_string(), Json::Raw(raw)));
        document(members, layout)
    } else {
        layout.text(&Json::Raw(raw)).into_bytes()
    };
    Generated {
        bytes,
        expect: Expect::Action {
            task: expected,
            bare: !wrapped,
        },
    }
}

fn datasets(runner: &mut TestRunner, layout: &mut Layout<'_>) -> Generated {
    let entry = (id(), field(text()), unknown_members());
    let (list, unknown) = draw(
        (prop::collection::vec(entry, 0..4), unknown_members()),
        runner,
    );
    let mut items = Vec::new();
    let mut expected = Vec::new();
    for (dataset_id, name, mut members) in list {
        members.push(("dataset_id".to_string(), string(&dataset_id)));
        name.push("dataset_name", &mut members, string);
        items.push(Json::Object(members));
        expected.push(DatasetSummary {
            dataset_id,
            dataset_name: name.get().cloned(),
        });
    }
    let mut members = unknown;
    members.push(("datasets".to_string(), Json::Array(items)));
    Generated {
        bytes: document(members, layout),
        expect: Expect::Datasets(expected),
    }
}

fn dataset(runner: &mut TestRunner, layout: &mut Layout<'_>) -> Generated {
    let stage = (id(), field(any::<bool>()), unknown_members());
    let scope = (
        text(),
        prop::option::of(prop::collection::vec(text(), 0..3)),
        unknown_members(),
    );
    let ((dataset_id, name, mode), (stages, scopes, unknown)) = draw(
        (
            (id(), field(text()), field(text())),
            (
                prop::option::of(prop::collection::vec(stage, 0..3)),
                prop::option::of(prop::collection::vec(scope, 0..3)),
                unknown_members(),
            ),
        ),
        runner,
    );
    let mut members = unknown;
    members.push(("dataset_id".to_string(), string(&dataset_id)));
    name.push("dataset_name", &mut members, string);
    mode.push("labelling_mode", &mut members, string);
    let mut pipeline_spec = Vec::new();
    if let Some(stages) = stages {
        let mut items = Vec::new();
        for (stage_id, can_edit, mut stage_members) in stages {
            stage_members.push(("stage_id".to_string(), string(&stage_id)));
            can_edit.push("can_edit", &mut stage_members, |b| Json::Bool(*b));
            items.push(Json::Object(stage_members));
            pipeline_spec.push(Stage {
                stage_id,
                can_edit: can_edit.get().copied(),
            });
        }
        members.push(("pipeline_spec".to_string(), Json::Array(items)));
    }
    let mut user_scopes = Vec::new();
    if let Some(scopes) = scopes {
        let mut items = Vec::new();
        for (email, names, mut scope_members) in scopes {
            scope_members.push(("email".to_string(), string(&email)));
            if let Some(names) = &names {
                let list = names.iter().map(string).collect();
                scope_members.push(("scopes".to_string(), Json::Array(list)));
            }
            items.push(Json::Object(scope_members));
            user_scopes.push(UserScope {
                email,
                scopes: names.unwrap_or_default(),
            });
        }
        members.push(("user_scopes".to_string(), Json::Array(items)));
    }
    let bytes = document(members, layout);
    let raw = String::from_utf8(bytes.clone()).expect("written as text");
    Generated {
        bytes,
        expect: Expect::Dataset(Dataset {
            dataset_id,
            dataset_name: name.get().cloned(),
            labelling_mode: mode.get().cloned(),
            pipeline_spec,
            user_scopes,
            raw,
        }),
    }
}

/// An `error` value and the message it must read as.
fn error_value() -> impl Strategy<Value = (Json, String)> {
    prop_oneof![
        3 => text().prop_map(|s| (Json::Str(s.clone()), s)),
        1 => Just((Json::Null, "null".to_string())),
        1 => any::<bool>().prop_map(|b| (Json::Bool(b), b.to_string())),
        1 => any::<i64>().prop_map(|n| (Json::Number(n.to_string()), n.to_string())),
        1 => prop::collection::vec(text(), 0..3).prop_map(|items| {
            let message = serde_json::to_string(&items).expect("strings");
            (Json::Array(items.into_iter().map(Json::Str).collect()), message)
        }),
    ]
}

/// Text that is not JSON: an HTML error page or any text.
fn html() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        text(),
        "<[a-z]{1,5}( [a-z]+=\"[^\"]{0,6}\")?>",
        "</[a-z]{1,5}>",
        Just("\n".to_string()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| format!("<{}", p.concat()))
}

fn error_body(runner: &mut TestRunner, layout: &mut Layout<'_>) -> Generated {
    let json_body = (
        error_value(),
        prop::option::of(prop::collection::vec(id(), 0..3)),
        unknown_members(),
    );
    let (body, page) = draw((prop::option::weighted(0.8, json_body), html()), runner);
    let Some(((error, message), task_ids, unknown)) = body else {
        return Generated {
            bytes: page.into_bytes(),
            expect: Expect::ErrorBody(None),
        };
    };
    let mut members = unknown;
    members.push(("error".to_string(), error));
    if let Some(ids) = &task_ids {
        members.push((
            "task_ids".to_string(),
            Json::Array(ids.iter().map(string).collect()),
        ));
    }
    Generated {
        bytes: document(members, layout),
        expect: Expect::ErrorBody(Some(ErrorBody {
            message,
            task_ids: task_ids.unwrap_or_default(),
        })),
    }
}

// ---------------------------------------------------------------------------------------
// Retry-After

/// A header value: seconds (any number of digits), a date in one of HTTP's three
/// formats, or a date-like string with odd fields.
#[derive(Debug, Clone)]
enum RetryModel {
    Seconds(String),
    Date { offset_secs: i64, format: u8 },
    Odd(String),
}

fn retry_model() -> impl Strategy<Value = RetryModel> {
    prop_oneof![
        2 => "[0-9]{1,30}".prop_map(RetryModel::Seconds),
        2 => (-100_000_000..100_000_000i64, 0..3u8)
            .prop_map(|(offset_secs, format)| RetryModel::Date { offset_secs, format }),
        1 => odd_date().prop_map(RetryModel::Odd),
    ]
}

/// Dates with fields out of range, in all three formats and none.
fn odd_date() -> impl Strategy<Value = String> {
    let fields = (
        "[A-Z][a-z]{2,8}",
        0..100u32,
        "[A-Z][a-z]{2}",
        0..10_000u32,
        (0..100u32, 0..100u32, 0..100u32),
    );
    (fields, 0..4u8).prop_map(|((day, d, mon, year, (h, m, s)), format)| match format {
        0 => format!("{day}, {d:02} {mon} {year:04} {h:02}:{m:02}:{s:02} GMT"),
        1 => format!(
            "{day}, {d:02}-{mon}-{:02} {h:02}:{m:02}:{s:02} GMT",
            year % 100
        ),
        2 => format!("{day} {mon} {d:>2} {h:02}:{m:02}:{s:02} {year:04}"),
        _ => format!("{day} {d} {mon} {year} {h}:{m}:{s}"),
    })
}

/// A date in HTTP's three formats: IMF-fixdate, RFC 850, asctime.
fn http_date(at: SystemTime, format: u8) -> String {
    let imf = httpdate::fmt_http_date(at); // "Sun, 06 Nov 1994 08:49:37 GMT"
    let f: Vec<&str> = imf.split(' ').collect();
    let (wday, day, mon, year, time) = (f[0].trim_end_matches(','), f[1], f[2], f[3], f[4]);
    match format {
        0 => imf.clone(),
        1 => {
            let long = [
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            ]
            .into_iter()
            .find(|name| name.starts_with(wday))
            .expect("a weekday");
            format!("{long}, {day}-{mon}-{} {time} GMT", &year[2..])
        }
        _ => format!(
            "{wday} {mon} {:>2} {time} {year}",
            day.trim_start_matches('0')
        ),
    }
}

fn retry_after(runner: &mut TestRunner, layout: &mut Layout<'_>) -> Generated {
    // Whole seconds between 2000 and 2060, so that RFC 850's two-digit years are exact.
    let (now_secs, model) = draw((946_684_800..2_840_140_800u64, retry_model()), runner);
    let now = UNIX_EPOCH + Duration::from_secs(now_secs);
    let (value, wait) = match model {
        RetryModel::Seconds(digits) => {
            let wait = digits
                .parse::<u64>()
                .map_or(RETRY_AFTER_CAP, Duration::from_secs)
                .min(RETRY_AFTER_CAP);
            (digits, Some(wait))
        }
        RetryModel::Date {
            offset_secs,
            format,
        } => {
            let offset = Duration::from_secs(offset_secs.unsigned_abs());
            let at = if offset_secs >= 0 {
                now + offset
            } else {
                now - offset
            };
            let wait = Duration::from_secs(offset_secs.max(0) as u64).min(RETRY_AFTER_CAP);
            (http_date(at, format), Some(wait))
        }
        RetryModel::Odd(text) => {
            return Generated {
                bytes: text.into_bytes(),
                expect: Expect::OddRetryAfter { now },
            };
        }
    };
    // Header values may come with spaces or tabs around them.
    let mut padded = String::new();
    if layout.rng.random_bool(0.3) {
        padded.push(' ');
    }
    padded.push_str(&value);
    if layout.rng.random_bool(0.3) {
        padded.push('\t');
    }
    Generated {
        bytes: padded.into_bytes(),
        expect: Expect::RetryAfter { now, wait },
    }
}
