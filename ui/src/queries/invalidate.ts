// Which cached views a change announced by the shell affects. Pure: a key and a change
// in, yes or no out; invalidateViews marks the hits stale (the ones on screen refetch).
import type { QueryClient } from "@tanstack/react-query";
import type { AssigneeFilter, ViewChange } from "../types";
import { parseKey } from "./keys";

/** Does a list showing `filter`'s tasks gain or lose tasks when `assignees` change? */
function assigneeHit(filter: AssigneeFilter | null, assignees: (string | null)[] | null): boolean {
  if (filter === null || assignees === null) return true;
  return filter.kind === "unassigned" ? assignees.includes(null) : assignees.includes(filter.email);
}

export function affects(change: ViewChange, queryKey: readonly unknown[]): boolean {
  const key = parseKey(queryKey);
  // The activity record grows with every change of tasks and every action that ends.
  if (key.view === "insight") return change.view === "tasks" || change.view === "queue";
  switch (change.view) {
    case "tasks":
      if (key.view === "tasks") {
        const { dataset_id, assignee } = key.scope;
        return (dataset_id === null || dataset_id === change.dataset_id) && assigneeHit(assignee, change.assignees);
      }
      if (key.view === "counts") {
        if (key.dataset_id !== change.dataset_id) return false;
        // Every task change moves tasks between people or statuses: counts by assignee
        // follow assignments; by status or stage only a change of status.
        return key.by === "assignee" || change.statuses;
      }
      return false;
    case "delayed":
      return key.view === "tasks" && key.rest.delayed_only;
    case "queue":
    case "datasets":
    case "status":
      return key.view === change.view;
  }
}

/** Marks every query a change affects as stale; those on screen refetch at once, the
 * others when they are shown again. */
export function invalidateViews(client: QueryClient, changes: readonly ViewChange[]): Promise<void> {
  if (changes.length === 0) return Promise.resolve();
  return client.invalidateQueries({ predicate: (q) => changes.some((c) => affects(c, q.queryKey)) });
}

/** Another account (or none) is open: forget everything but the session, which is asked
 * again (kept meanwhile, so the window does not flash back to "Opening…"). */
export function resetForSession(client: QueryClient): Promise<void> {
  return Promise.all([
    client.resetQueries({ predicate: (q) => q.queryKey[0] !== "session" }),
    client.invalidateQueries({ queryKey: ["session"] }),
  ]).then(() => undefined);
}
