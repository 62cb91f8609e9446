//! What a window manager does to the app's window, over X11 (Xvfb has no window
//! manager): the close button's request (`WM_DELETE_WINDOW`, which WebDriver cannot send),
//! and whether the window is on screen.

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt, EventMask, MapState, Window,
};
use x11rb::rust_connection::RustConnection;

pub struct Desktop {
    conn: RustConnection,
    root: Window,
}

impl Desktop {
    /// The display of `$DISPLAY` (the test's Xvfb).
    pub fn connect() -> Self {
        let (conn, screen) = x11rb::connect(None).expect("the X display");
        let root = conn.setup().roots[screen].root;
        Self { conn, root }
    }

    /// The top-level windows titled `title`.
    pub fn windows_titled(&self, title: &str) -> Vec<Window> {
        let tree = self.conn.query_tree(self.root).unwrap().reply().unwrap();
        tree.children
            .into_iter()
            .filter(|w| self.title(*w).as_deref() == Some(title))
            .collect()
    }

    fn title(&self, window: Window) -> Option<String> {
        let reply = self
            .conn
            .get_property(false, window, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 256)
            .ok()?
            .reply()
            .ok()?;
        String::from_utf8(reply.value).ok()
    }

    /// Whether `window` is shown (mapped and viewable).
    pub fn is_shown(&self, window: Window) -> bool {
        self.conn
            .get_window_attributes(window)
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|a| a.map_state == MapState::VIEWABLE)
    }

    /// Asks `window` to close, as a window manager does when its close button is clicked.
    pub fn request_close(&self, window: Window) {
        let atom = |name: &[u8]| {
            self.conn
                .intern_atom(false, name)
                .unwrap()
                .reply()
                .unwrap()
                .atom
        };
        let protocols = atom(b"WM_PROTOCOLS");
        let delete = atom(b"WM_DELETE_WINDOW");
        let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
        self.conn
            .send_event(false, window, EventMask::NO_EVENT, event)
            .unwrap();
        self.conn.flush().unwrap();
    }
}
