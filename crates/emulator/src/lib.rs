//! deepen-emulator: a faithful, stateful local server of the Deepen v2 Tasks API
//! (see `docs/api-contract.md`), with fault injection, for the client's tests and the demo mode.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use deepen_emulator::{Emulator, EmulatorConfig, Role};
//! let running = Emulator::seeded(&EmulatorConfig::default()).serve(0).await?;
//! let admin = running.control().user(Role::Admin);
//! println!("{} as {}", running.base_url(), admin.token);
//! running.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Layout: `model` (state and ids), `seed` (deterministic worlds), `rules` (life cycle and
//! assignment), `view` (wire JSON), `faults`, `journal` (journal and stats), `persist`
//! (save files), `control` (`Emulator`, `Control`), `server` (listener), `http` (routes;
//! `http/conditional.rs`: `ETag` / `Last-Modified` and 304s).
//!
//! Like a service behind a standard web stack it compresses answers and tags every GET for
//! conditional requests, none of which the Deepen docs promise: `Faults::no_compression`,
//! `no_etag` and `no_last_modified` turn each off, so the client is tested both ways.

mod control;
mod faults;
mod http;
mod journal;
mod model;
mod persist;
mod rules;
mod seed;
mod server;
mod view;

pub use control::{Control, Emulator};
pub use faults::{CorruptKind, Corruption, Faults, OfflineMode, RateLimit};
pub use journal::{JournalEntry, Stats};
pub use model::{LabellingMode, Role, UserInfo};
pub use rules::{Action, ApiFailure};
pub use seed::{DatasetSpec, EmulatorConfig, base_millis};
pub use server::RunningEmulator;
