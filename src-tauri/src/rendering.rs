//! Painting without a GPU. WebKitGTK composites the page through OpenGL; where no GPU is
//! there (a virtual machine, a remote desktop, CI under Xvfb) that OpenGL is Mesa's software
//! rasterizer (llvmpipe), and compositing through it made every frame of a scrolling list
//! cost 45–230 ms, growing with the area scrolled — an empty div of the list's size scrolled
//! as slowly as the list (docs/benchmarks.md, "Scrolling long lists"). Painting straight
//! into the window instead (WebKit's hardware acceleration policy "never") scrolls the same
//! list at display rate. So without a GPU the webview paints without compositing, unless
//! `WEBKIT_DISABLE_COMPOSITING_MODE` already says what WebKit is to do, or
//! `DTASKS_COMPOSITING=1` asks for compositing anyway.

use std::ffi::OsStr;
use std::path::Path;

/// Whether OpenGL here is software: `LIBGL_ALWAYS_SOFTWARE` asks for it, or no GPU render
/// node (`/dev/dri/renderD*`) exists.
pub fn software_gl(libgl_always_software: Option<&OsStr>, dri: &Path) -> bool {
    if libgl_always_software.is_some_and(|v| !v.is_empty() && v != "0" && v != "false") {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(dri) else {
        return true;
    };
    !entries
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
}

/// Whether the webview is to paint without compositing (see the module's note).
pub fn paint_without_compositing() -> bool {
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_some()
        || std::env::var_os("DTASKS_COMPOSITING").is_some_and(|v| v == "1")
    {
        return false;
    }
    software_gl(
        std::env::var_os("LIBGL_ALWAYS_SOFTWARE").as_deref(),
        Path::new("/dev/dri"),
    )
}

/// A plugin that applies the choice to each webview as it is created, before its page is
/// shown (WebKit takes the setting when it starts the page's web process).
pub fn plugin<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("rendering")
        .on_webview_ready(|webview| apply(&webview))
        .build()
}

#[cfg(target_os = "linux")]
fn apply<R: tauri::Runtime>(webview: &tauri::Webview<R>) {
    if !paint_without_compositing() {
        return;
    }
    tracing::info!("no GPU: the webview paints without compositing");
    let done = webview.with_webview(|webview| {
        use webkit2gtk::{SettingsExt, WebViewExt};
        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
            settings
                .set_hardware_acceleration_policy(webkit2gtk::HardwareAccelerationPolicy::Never);
        }
    });
    if let Err(e) = done {
        tracing::warn!(error = %e, "cannot set the webview's rendering");
    }
}

/// Other platforms composite as their webview decides.
#[cfg(not(target_os = "linux"))]
fn apply<R: tauri::Runtime>(_webview: &tauri::Webview<R>) {}

#[cfg(test)]
mod tests {
    use super::software_gl;
    use std::ffi::OsStr;

    #[test]
    fn software_gl_without_a_render_node_or_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let dri = dir.path().join("dri");
        assert!(software_gl(None, &dri), "no /dev/dri at all");
        std::fs::create_dir(&dri).unwrap();
        std::fs::write(dri.join("card0"), "").unwrap();
        assert!(software_gl(None, &dri), "a display card but no render node");
        std::fs::write(dri.join("renderD128"), "").unwrap();
        assert!(!software_gl(None, &dri), "a GPU render node");
        assert!(!software_gl(Some(OsStr::new("0")), &dri));
        assert!(software_gl(Some(OsStr::new("1")), &dri), "asked for");
    }
}
