//! A local release server for the update tests: an updater manifest and artifacts signed
//! with a key the test makes (minisign, as `tauri signer sign` signs), served over plain
//! HTTP on 127.0.0.1. Shared by `src-tauri/tests/updates.rs` and the e2e tests.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use minisign::{KeyPair, PublicKey, SecretKey};

/// A release key made for one test.
pub struct ReleaseKey {
    pk: PublicKey,
    sk: SecretKey,
}

impl ReleaseKey {
    pub fn generate() -> Self {
        let KeyPair { pk, sk } = KeyPair::generate_unencrypted_keypair().expect("a key pair");
        Self { pk, sk }
    }

    /// The public key as `tauri.conf.json` holds it: minisign's key file, in base64.
    pub fn public(&self) -> String {
        let text = self.pk.to_box().expect("public key box").into_string();
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    /// The signature of `artifact` for `version`, as the manifest holds it: minisign's
    /// signature file in base64, its trusted comment naming the version (as the Tauri CLI's).
    pub fn sign(&self, artifact: &[u8], version: &str) -> String {
        self.sign_with_comment(
            artifact,
            &format!("timestamp:1764460800\tfile:deepen-tasks.AppImage\tversion:{version}"),
        )
    }

    /// A signature whose trusted comment does not name a version (as older Tauri CLIs
    /// signed).
    pub fn sign_without_version(&self, artifact: &[u8]) -> String {
        self.sign_with_comment(artifact, "timestamp:1764460800\tfile:deepen-tasks.AppImage")
    }

    fn sign_with_comment(&self, artifact: &[u8], trusted: &str) -> String {
        let signature = minisign::sign(
            Some(&self.pk),
            &self.sk,
            artifact,
            Some(trusted),
            Some("signature from tauri secret key"),
        )
        .expect("a signature");
        base64::engine::general_purpose::STANDARD.encode(signature.into_string())
    }
}

/// An artifact the AppImage installer accepts (an ELF file), distinct per `tag`.
pub fn artifact(tag: &str) -> Vec<u8> {
    let mut bytes = b"\x7fELF Deepen Tasks ".to_vec();
    bytes.extend_from_slice(tag.as_bytes());
    bytes.resize(4096, 0);
    bytes
}

/// Files by path, served on 127.0.0.1 until the process ends.
pub struct ReleaseServer {
    port: u16,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    requests: Arc<AtomicUsize>,
}

impl ReleaseServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().unwrap().port();
        let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let requests = Arc::new(AtomicUsize::new(0));
        let (served, counted) = (files.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                // Headers up to the blank line; a GET has no body.
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
                let body = served.lock().unwrap().get(&path).cloned();
                let head = match &body {
                    Some(b) => format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        b.len()
                    ),
                    None => {
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_string()
                    }
                };
                let _ = stream.write_all(head.as_bytes());
                if let Some(b) = body {
                    let _ = stream.write_all(&b);
                }
            }
        });
        Self {
            port,
            files,
            requests,
        }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The manifest's URL (what the app's update endpoint is set to).
    pub fn manifest_url(&self) -> String {
        self.url("/latest.json")
    }

    /// Requests answered so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Publishes `version`: `artifact` at its own path and a manifest naming it with
    /// `signature`.
    pub fn publish(&self, version: &str, artifact: &[u8], signature: &str) {
        let artifact_path = format!("/deepen-tasks_{version}_amd64.AppImage");
        let manifest = serde_json::json!({
            "version": version,
            "notes": "Faster board; fixes a crash when the disk is full.",
            "pub_date": "2026-11-30T08:00:00Z",
            "platforms": {
                format!("linux-{}", std::env::consts::ARCH): {
                    "url": self.url(&artifact_path),
                    "signature": signature,
                }
            }
        });
        let mut files = self.files.lock().unwrap();
        files.insert(artifact_path, artifact.to_vec());
        files.insert("/latest.json".into(), manifest.to_string().into_bytes());
    }
}
