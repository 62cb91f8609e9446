// The window: the session decides between the connect screen and the workspace; the
// workspace has a sidebar of views, the view, and the status bar that is always shown.
import { useEffect, useState } from "react";
import type { SessionInfo } from "./types";
import { api, call } from "./api";
import { dialogOpen, isTyping } from "./keys";
import { useNews, useOpenedNotice, useSession, useShellEvents, useSyncStatus } from "./queries/hooks";
import { useErrorToast } from "./components/Toast";
import { Connect } from "./views/Connect";
import { MyTasks } from "./views/MyTasks";
import { Board } from "./views/Board";
import { Delayed } from "./views/Delayed";
import { Overview } from "./views/Overview";
import { SyncCentre } from "./views/SyncCentre";
import { Activity } from "./views/Activity";
import { StatusBar } from "./components/StatusBar";
import { ToastHost } from "./components/Toast";
import { ShortcutHelp } from "./components/ShortcutHelp";

export type ViewId = "my" | "board" | "delayed" | "overview" | "activity" | "sync";

const NAV: { id: ViewId; label: string; key: string }[] = [
  { id: "my", label: "My tasks", key: "1" },
  { id: "board", label: "Board", key: "2" },
  { id: "delayed", label: "Delayed", key: "3" },
  { id: "overview", label: "Overview", key: "4" },
  { id: "activity", label: "Activity", key: "5" },
  { id: "sync", label: "Sync centre", key: "6" },
];

export function App() {
  useShellEvents();
  const { session, error } = useSession();
  if (session === undefined || session.mode === "opening") {
    return <div className="splash">{error ?? "Opening…"}</div>;
  }
  if (session.mode === "signed_out") return <Connect startError={session.start_error} />;
  // Toasts (and their undo buttons) belong to a session: a new one starts with none.
  const key = `${session.mode}:${session.email}:${session.server}`;
  return (
    <ToastHost key={key}>
      <Workspace session={session} />
    </ToastHost>
  );
}

function Workspace({ session }: { session: SessionInfo }) {
  // The demo's manager starts on the board; anyone else on their tasks.
  const [view, setView] = useState<ViewId>(
    session.mode === "demo" && session.demo_role !== "annotator" ? "board" : "my",
  );
  const [help, setHelp] = useState(false);
  const [connecting, setConnecting] = useState(false);
  const status = useSyncStatus();
  const { news } = useNews();
  // A clicked notification: its decisions in the sync centre, its tasks in My tasks.
  const opened = useOpenedNotice();
  const [followed, setFollowed] = useState<number | null>(null);
  if (opened && opened.at !== followed) {
    setFollowed(opened.at);
    setView(opened.notice.kind === "needs_decision" ? "sync" : "my");
  }
  const newsCount = news.reduce((n, x) => n + x.task_ids.length, 0);
  const toastError = useErrorToast();

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e) || dialogOpen() || e.ctrlKey || e.metaKey || e.altKey) return;
      const nav = NAV.find((n) => n.key === e.key);
      if (nav) {
        setView(nav.id);
        e.preventDefault();
      } else if (e.key === "?") {
        setHelp((h) => !h);
        e.preventDefault();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  if (connecting) return <Connect onCancel={() => setConnecting(false)} onDone={() => setConnecting(false)} />;

  const me = session.email ?? "";
  return (
    <div className="app">
      {session.mode === "demo" && (
        <div className="banner" role="status" data-testid="demo-banner">
          <strong>Demo data.</strong> A sample workspace served by the built-in Deepen emulator; nothing here reaches
          Deepen. You are its {session.demo_role === "annotator" ? "annotator" : "manager"}.
          <button
            className="link"
            data-testid="demo-switch"
            onClick={() =>
              void call(api.startDemo(session.demo_role === "annotator" ? "manager" : "annotator")).catch(toastError)
            }
          >
            {session.demo_role === "annotator" ? "See the manager's board" : "See an annotator's day"}
          </button>
          <button className="link" onClick={() => setConnecting(true)}>
            Connect your Deepen account
          </button>
        </div>
      )}
      {session.needs_token && (
        <div className="banner warn" role="alert">
          No sign-in token for {session.email} on this computer: you can work offline, and changes sync once you sign in
          again.
          <button className="link" onClick={() => setConnecting(true)}>
            Sign in
          </button>
        </div>
      )}
      <div className="main">
        <nav className="sidebar" aria-label="Views">
          <div className="brand">
            <span className="logo" aria-hidden="true">
              ✓
            </span>{" "}
            Deepen Tasks
          </div>
          {NAV.map((n) => (
            <button
              key={n.id}
              className={view === n.id ? "nav active" : "nav"}
              aria-current={view === n.id ? "page" : undefined}
              onClick={() => setView(n.id)}
              data-testid={`nav-${n.id}`}
            >
              <span>{n.label}</span>
              {n.id === "activity" && newsCount > 0 && (
                <span className="count" aria-label={`${newsCount} new`} data-testid="news-badge">
                  {newsCount}
                </span>
              )}
              {n.id === "sync" && status && status.needs_attention > 0 && (
                <span className="count attention" aria-label={`${status.needs_attention} need attention`}>
                  {status.needs_attention}
                </span>
              )}
              <kbd>{n.key}</kbd>
            </button>
          ))}
          <div className="spacer" />
          <div className="who" title={session.server ? `${me} on ${session.server}` : me}>
            <div className="email">{me}</div>
            <button className="link" onClick={() => call(api.signOut()).catch(toastError)} data-testid="sign-out">
              {session.mode === "demo" ? "Leave demo" : "Sign out"}
            </button>
          </div>
          <button className="link help-link" onClick={() => setHelp(true)}>
            Keyboard shortcuts <kbd>?</kbd>
          </button>
        </nav>
        <main className="content">
          {view === "my" && (
            <MyTasks
              key={opened?.at ?? 0}
              me={me}
              only={opened && opened.notice.kind !== "needs_decision" ? opened.notice.task_ids : undefined}
            />
          )}
          {view === "board" && <Board />}
          {view === "delayed" && <Delayed />}
          {view === "overview" && <Overview />}
          {view === "activity" && <Activity />}
          {view === "sync" && <SyncCentre status={status} demo={session.mode === "demo"} />}
        </main>
      </div>
      <StatusBar status={status} onOpen={() => setView("sync")} />
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
