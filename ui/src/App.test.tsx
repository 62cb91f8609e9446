// The window against a fake shell: the workspace opens, the board shows its columns and
// cards, and a DataChanged naming a column re-queries that column only.
import { afterEach, expect, it, vi } from "vitest";
import { act, cleanup, render, screen, waitFor } from "@testing-library/react";
import { QueryClientProvider } from "@tanstack/react-query";
import type { TaskQuery, TaskRow } from "./types";
import { createQueryClient } from "./queries/client";
import { App } from "./App";
import { ToastHost } from "./components/Toast";

const shell = vi.hoisted(() => ({
  listeners: new Map<string, (e: { payload: unknown }) => void>(),
  tasksAsked: [] as TaskQuery[],
  shown: [] as { dataset_ids: string[]; delayed: boolean }[],
  metered: false,
  installs: 0,
  syncNows: 0,
  /** When set, `syncStatus` answers only when the test says, with `syncing: true`. */
  slowStatus: null as null | { answer: null | (() => void) },
}));

// The shell's commands and events are faked; the generated vocabulary is the real one.
vi.mock("./bindings", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./bindings")>();
  const ok = (data: unknown) => Promise.resolve({ status: "ok", data });
  const row = (id: string, assignee: string | null): Partial<TaskRow> => ({
    task_id: id,
    dataset_id: "ds1",
    stage_id: "Labelling",
    status: "ready",
    assignee,
    pending_state: null,
    due_at_millis: null,
  });
  const event = (name: string) => ({
    listen: (cb: (e: { payload: unknown }) => void) => {
      shell.listeners.set(name, cb);
      return Promise.resolve(() => shell.listeners.delete(name));
    },
  });
  return {
    ...actual,
    commands: {
      session: () =>
        ok({
          mode: "demo",
          email: "me@x",
          server: "http://demo",
          client_id: null,
          needs_token: false,
          start_error: null,
          demo_role: "manager",
        }),
      datasets: () =>
        ok([
          {
            dataset_id: "ds1",
            dataset_name: "First",
            labelling_mode: null,
            stages: ["Labelling"],
            users: [],
            workers: ["ana@x", "bo@x"],
            task_count: 3,
            tasks_listable: true,
            tasks_pulled_at: null,
            may_reassign: true,
          },
        ]),
      counts: () => ok([{ key: "ana@x", count: 1 }]),
      tasks: (q: TaskQuery) => {
        shell.tasksAsked.push(q);
        const who = q.assignee?.kind === "is" ? q.assignee.email : null;
        return ok({ rows: [row(`${who ?? "none"}-1`, who)], total: 1 });
      },
      syncStatus: () => {
        if (shell.slowStatus) {
          return new Promise((resolve) => {
            shell.slowStatus!.answer = () =>
              resolve({
                status: "ok",
                data: {
                  connectivity: "offline",
                  syncing: true,
                  pending: 2,
                  needs_attention: 0,
                  last_sync_at: null,
                  last_error: null,
                  metered: false,
                },
              });
          });
        }
        return ok({
          connectivity: "online",
          syncing: false,
          pending: 0,
          needs_attention: 0,
          last_sync_at: null,
          last_error: null,
          metered: shell.metered,
        });
      },
      queue: () => ok([]),
      syncNow: () => {
        shell.syncNows += 1;
        return ok(null);
      },
      setShown: (shown: { dataset_ids: string[]; delayed: boolean }) => {
        shell.shown.push(shown);
        return ok(null);
      },
      preferences: () =>
        ok({
          metered: shell.metered,
          follow_system_metered: true,
          notify: { assigned: true, rejected: true, late: true, needs_decision: true },
        }),
      review: () => ok([]),
      desktopSettings: () => ok({ tray: false, start_at_login: false }),
      activity: () =>
        ok({
          entries: [
            {
              id: 1,
              at: 0,
              source: "server",
              kind: "status",
              task_id: "t9",
              dataset_id: "ds1",
              person: "ana@x",
              old: "submitted",
              new: "rejected",
              note: "Boxes too loose",
            },
          ],
          next: null,
        }),
      diagnostics: () => ok("Deepen Tasks 0.1.0\nsession: demo"),
      updateState: () => ok({ state: "unchecked" }),
      checkForUpdate: () => ok({ state: "unchecked" }),
      installUpdate: () => {
        shell.installs += 1;
        return ok(null);
      },
      setPreferences: (p: { metered: boolean }) => {
        shell.metered = p.metered;
        return ok(null);
      },
    },
    events: {
      dataChanged: event("data-changed"),
      sessionChanged: event("session-changed"),
      syncStatusChanged: event("sync-status-changed"),
      updateStateChanged: event("update-state-changed"),
      newsArrived: event("news-arrived"),
      noticeOpened: event("notice-opened"),
    },
  };
});

afterEach(cleanup);

/** The window, as the shell opens it: the demo's banner once it is up. */
async function openApp() {
  render(
    <QueryClientProvider client={createQueryClient()}>
      <ToastHost>
        <App />
      </ToastHost>
    </QueryClientProvider>,
  );
  await screen.findByTestId("demo-banner");
}

it("opens the demo on the board and re-queries only the columns a change names", async () => {
  await openApp();
  await waitFor(() => expect(document.querySelectorAll("[data-testid=board-column]")).toHaveLength(3));
  const columns = [...document.querySelectorAll("[data-testid=board-column]")].map((c) =>
    c.getAttribute("data-assignee"),
  );
  expect(columns).toEqual(["", "ana@x", "bo@x"]);
  // The board tells the sync task which dataset is on screen.
  expect(shell.shown.at(-1)).toEqual({ dataset_ids: ["ds1"], delayed: false });
  await waitFor(() =>
    expect([...document.querySelectorAll("[data-testid=column-count]")].map((c) => c.textContent)).toEqual([
      "1",
      "1",
      "1",
    ]),
  );
  const asked = () => shell.tasksAsked.map((q) => (q.assignee?.kind === "is" ? q.assignee.email : "unassigned"));
  const before = asked().length;
  act(() =>
    shell.listeners.get("data-changed")!({
      payload: { views: [{ view: "tasks", dataset_id: "ds1", assignees: ["ana@x"], statuses: false }] },
    }),
  );
  await waitFor(() => expect(asked().slice(before)).toContain("ana@x"));
  expect(asked().slice(before)).not.toContain("bo@x");
  expect(asked().slice(before)).not.toContain("unassigned");

  // Every view opens from its key.
  const press = (key: string) => act(() => void window.dispatchEvent(new KeyboardEvent("keydown", { key })));
  press("1");
  await waitFor(() => expect(screen.getByTestId("task-total").textContent).toBe("1 task"));
  press("3");
  await screen.findByRole("heading", { name: "Delayed" });
  await waitFor(() => expect(shell.shown.at(-1)).toEqual({ dataset_ids: [], delayed: true }));
  press("4");
  await waitFor(() => expect(screen.getAllByTestId("stage-bar")).toHaveLength(1));
  // The overview shows every dataset's charts.
  expect(shell.shown.at(-1)).toEqual({ dataset_ids: ["ds1"], delayed: false });
  await screen.findByText("No submission or review seen in this period.");
  expect(screen.getByTestId("review-caveat").textContent).toContain("what this device observed");
  // News while the window is in front: a badge on Activity, cleared by looking.
  act(() =>
    shell.listeners.get("news-arrived")!({
      payload: {
        shown: false,
        notices: [{ kind: "assigned", dataset_id: "ds1", dataset_name: "First", task_ids: ["a", "b"], reasons: [] }],
      },
    }),
  );
  expect((await screen.findByTestId("news-badge")).textContent).toBe("2");
  press("5");
  await screen.findByText("Submitted → Rejected: “Boxes too loose”");
  await waitFor(() => expect(screen.queryByTestId("news-badge")).toBeNull());
  press("6");
  await screen.findByText("Everything is synced");
  // The sync centre shows no dataset: nothing needs refreshing every round.
  expect(shell.shown.at(-1)).toEqual({ dataset_ids: [], delayed: false });
  // The metered switch saves the preference the sync task follows.
  const metered = await screen.findByRole<HTMLInputElement>("checkbox", { name: "Metered connection" });
  expect(metered.checked).toBe(false);
  act(() => metered.click());
  await waitFor(() => expect(shell.metered).toBe(true));
  await waitFor(() => expect(metered.checked).toBe(true));
  // "Copy diagnostics" puts the shell's report on the clipboard.
  const copied: string[] = [];
  document.execCommand = vi.fn((command: string) => {
    const area = [...document.querySelectorAll("textarea")].at(-1)!;
    copied.push(`${command}: ${area.value}`);
    return true;
  });
  await waitFor(() => expect(screen.getByTestId("copy-diagnostics")).toBeTruthy());
  await new Promise((r) => setTimeout(r, 50));
  screen.getByTestId("copy-diagnostics").focus();
  act(() => screen.getByTestId("copy-diagnostics").click());
  expect(copied).toEqual(["copy: Deepen Tasks 0.1.0\nsession: demo"]);
  expect(document.activeElement).toBe(screen.getByTestId("copy-diagnostics"));
  await screen.findByText("Diagnostics copied: paste them into your bug report.");
  // Updates: never checked in demo mode; an update the shell offers shows in the status
  // bar and is installed only when asked.
  const check = screen.getByTestId<HTMLButtonElement>("check-update");
  expect(check.disabled).toBe(true);
  expect(check.title).toBe("Updates are not checked in demo mode.");
  act(() =>
    shell.listeners.get("update-state-changed")!({
      payload: {
        state: "available",
        offer: { version: "9.9.9", current_version: "0.1.0", notes: "Faster board.", cannot_install: null },
      },
    }),
  );
  await screen.findByText("Update 9.9.9 available");
  expect(screen.getByTestId("update-summary").textContent).toBe("Deepen Tasks 9.9.9 is available (you have 0.1.0).");
  expect(shell.installs).toBe(0);
  act(() => screen.getByRole("button", { name: "Install 9.9.9 and restart" }).click());
  await waitFor(() => expect(shell.installs).toBe(1));
});

/** The engine's status as the shell sends it: offline, with `syncing` as given. */
function sendOfflineStatus(syncing: boolean) {
  act(() =>
    shell.listeners.get("sync-status-changed")!({
      payload: {
        connectivity: "offline",
        syncing,
        pending: 2,
        needs_attention: 0,
        last_sync_at: null,
        last_error: null,
        metered: false,
      },
    }),
  );
}

it("asks for a sync when Sync now is clicked while a round is running", async () => {
  await openApp();
  // A background round is running (an offline probe, say) when the network comes back:
  // the click must not be lost, or the next try waits for the probe's long wait.
  sendOfflineStatus(true);
  const button = await screen.findByTestId<HTMLButtonElement>("sync-now");
  await waitFor(() => expect(button.getAttribute("aria-busy")).toBe("true"));
  expect(screen.getByTestId("connectivity").textContent).toBe("Offline");
  expect(button.disabled).toBe(false);
  const before = shell.syncNows;
  act(() => button.click());
  await waitFor(() => expect(shell.syncNows).toBe(before + 1));
});

it("keeps the status bar still through a round that ends at once, and says a longer one", async () => {
  await openApp();
  const button = await screen.findByTestId<HTMLButtonElement>("sync-now");
  const bar = screen.getByTestId("status-bar");
  // An offline probe: a round of a few milliseconds, every few seconds.
  sendOfflineStatus(true);
  await new Promise((r) => setTimeout(r, 100));
  expect(button.textContent).toBe("Sync now");
  expect(bar.className).not.toContain("syncing");
  sendOfflineStatus(false);
  await new Promise((r) => setTimeout(r, 600));
  expect(button.textContent).toBe("Sync now");
  expect(button.getAttribute("aria-busy")).toBe("false");
  expect(bar.dataset.syncing).toBe("false");
  expect(screen.getByTestId("connectivity").textContent).toBe("Offline");
  // A round that lasts shows as busy, and the link's state stays as judged.
  sendOfflineStatus(true);
  await waitFor(() => expect(button.textContent).toBe("Syncing…"));
  expect(bar.dataset.syncing).toBe("true");
  expect(screen.getByTestId("connectivity").textContent).toBe("Offline");
  sendOfflineStatus(false);
  await waitFor(() => expect(button.textContent).toBe("Sync now"));
});

it("never lets an answer asked for mid-round undo the news that the round ended", async () => {
  await openApp();
  const button = await screen.findByTestId<HTMLButtonElement>("sync-now");
  sendOfflineStatus(true);
  await waitFor(() => expect(button.textContent).toBe("Syncing…"));
  // Mid-round, a change re-asks for the status; its answer (still syncing) comes late.
  const slow: { answer: null | (() => void) } = { answer: null };
  shell.slowStatus = slow;
  act(() => shell.listeners.get("data-changed")!({ payload: { views: [{ view: "status" }] } }));
  await waitFor(() => expect(slow.answer).not.toBeNull());
  shell.slowStatus = null;
  sendOfflineStatus(false);
  await waitFor(() => expect(button.textContent).toBe("Sync now"));
  act(() => slow.answer!());
  await new Promise((r) => setTimeout(r, 600));
  expect(button.textContent).toBe("Sync now");
  expect(screen.getByTestId("status-bar").dataset.round).toBe("false");
});
