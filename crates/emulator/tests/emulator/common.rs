//! Shared test fixtures: a served emulator plus a reqwest client and JSON helpers.

use deepen_emulator::{
    Control, DatasetSpec, Emulator, EmulatorConfig, LabellingMode, Role, RunningEmulator,
};
use serde_json::Value;

pub struct Env {
    pub emu: RunningEmulator,
    pub http: reqwest::Client,
    pub base: String,
    pub control: Control,
}

/// A response as the tests look at it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:.200}", self.text))
    }
}

impl Env {
    pub async fn start() -> Env {
        Env::start_with(&EmulatorConfig::default()).await
    }

    pub async fn start_with(config: &EmulatorConfig) -> Env {
        let emu = Emulator::seeded(config).serve(0).await.expect("serve");
        let control = emu.control();
        Env {
            base: emu.base_url(),
            http: reqwest::Client::new(),
            emu,
            control,
        }
    }

    pub fn token(&self, role: Role) -> String {
        self.control.user(role).token
    }

    pub fn email(&self, role: Role) -> String {
        self.control.user(role).email
    }

    /// The annotators in seeding order.
    pub fn annotators(&self) -> Vec<deepen_emulator::UserInfo> {
        self.control
            .users()
            .into_iter()
            .filter(|u| u.role == Role::Annotator)
            .collect()
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let resp = req.send().await.expect("request failed");
        Reply {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        }
    }

    pub async fn get(&self, token: &str, path: &str) -> Reply {
        self.send(
            self.http
                .get(format!("{}{path}", self.base))
                .bearer_auth(token),
        )
        .await
    }

    pub async fn post(&self, token: &str, path: &str, body: Option<Value>) -> Reply {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        self.send(req).await
    }

    pub async fn action(&self, token: &str, verb: &str, task_id: &str) -> Reply {
        self.post(token, &format!("/tasks/{task_id}/{verb}"), None)
            .await
    }

    /// A fresh frame dataset: first stage ready, round-robin assigned to the
    /// annotators, later stages waiting and assigned to the reviewer.
    pub fn fresh_dataset(&self, units: usize, stages: &[&str], assign: bool) -> String {
        self.control.add_dataset(DatasetSpec {
            name: "Test frames".into(),
            mode: LabellingMode::FrameByFrame,
            units,
            stages: stages.iter().map(|s| s.to_string()).collect(),
            assign,
        })
    }

    pub fn status(&self, task_id: &str) -> String {
        self.field(task_id, "status")
    }

    pub fn field(&self, task_id: &str, field: &str) -> String {
        let task = self.control.task(task_id).expect("task exists");
        match &task[field] {
            Value::String(s) => s.clone(),
            Value::Null => "null".into(),
            other => other.to_string(),
        }
    }
}
