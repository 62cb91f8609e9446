fn main() {
    // The config sits at the workspace root (next to Cargo.toml), not in src-tauri/.
    // Declaring the app's commands makes Tauri check them against the capabilities
    // (undeclared commands would be allowed to every window).
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "session",
            "connect",
            "sign_out",
            "start_demo",
            "datasets",
            "tasks",
            "counts",
            "act",
            "assign",
            "balance",
            "queue",
            "resolve",
            "sync_status",
            "sync_now",
        ]));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build failed: {error:#}");
    }
}
