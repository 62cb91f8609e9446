//! The core's integration tests (one test binary, one module per area): real SQLite files,
//! the real emulator over HTTP on 127.0.0.1, a real credential store.

mod common;

mod activity;
mod bad_input;
mod changes;
mod compression;
mod conditional;
mod credentials;
mod fuzz;
mod migration;
mod model;
mod paging;
mod partial_pull;
mod permissions;
mod private_files;
mod queue_and_view;
mod refresh_by_need;
mod safe_urls;
mod sync_conflicts;
mod sync_faults;
mod sync_offline;
