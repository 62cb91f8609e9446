include!("src/command_names.rs");

fn main() {
    // The config sits at the workspace root (next to Cargo.toml), not in src-tauri/.
    // Declaring the app's commands makes Tauri check them against the capabilities
    // (undeclared commands would be allowed to every window).
    println!("cargo:rerun-if-changed=src/command_names.rs");
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build failed: {error:#}");
    }
}
