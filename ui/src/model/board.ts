// The dataset board's model: its columns, multi-selection, what a drop does, and undo.
// Pure functions; the components only render and forward events.
import type { Count, DatasetInfo, TaskQuery } from "../types";

export const UNASSIGNED = "";

export interface Column {
  /** The assignee's email, or UNASSIGNED. */
  id: string;
  title: string;
  /** Tasks in this column under the board's filters. */
  load: number;
}

/** The people who work a dataset's tasks (labellers, reviewers): the board's columns. */
export function assignableUsers(dataset: Pick<DatasetInfo, "workers">): string[] {
  return [...dataset.workers].sort((a, b) => a.localeCompare(b));
}

/** "Unassigned" first, then each person, with their load; people with work but not in
 * the dataset's user list (removed since) still get a column so no task is hidden. */
export function columnsOf(users: string[], loads: Count[]): Column[] {
  const byKey = new Map<string, number>();
  for (const c of loads) byKey.set(c.key ?? UNASSIGNED, c.count);
  const people = new Set(users);
  for (const c of loads) if (c.key !== null && c.count > 0) people.add(c.key);
  const columns: Column[] = [{ id: UNASSIGNED, title: "Unassigned", load: byKey.get(UNASSIGNED) ?? 0 }];
  for (const email of [...people].sort((a, b) => a.localeCompare(b))) {
    columns.push({ id: email, title: displayName(email), load: byKey.get(email) ?? 0 });
  }
  return columns;
}

/** The task list of one column: a person's (or the unassigned) tasks of a stage. */
export function columnQuery(
  datasetId: string,
  stageId: string,
  statuses: string[],
  columnId: string,
): Omit<TaskQuery, "limit" | "offset"> {
  return {
    task_ids: [],
    dataset_id: datasetId,
    stage_id: stageId,
    statuses,
    assignee: columnId === UNASSIGNED ? { kind: "unassigned" } : { kind: "is", email: columnId },
    delayed_only: false,
    text: null,
    sort: "due",
  };
}

/** "ana.silva@example.com" → "Ana Silva". */
export function displayName(email: string): string {
  const local = email.split("@")[0] ?? email;
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

export interface Card {
  taskId: string;
  column: string;
}

/** Selection after a click: plain click selects one, ctrl/cmd toggles, shift extends
 * from the anchor within the same column's visible order. */
export function clickSelect(
  selected: ReadonlySet<string>,
  anchor: string | null,
  clicked: string,
  order: readonly string[],
  mods: { toggle: boolean; range: boolean },
): { selected: Set<string>; anchor: string } {
  if (mods.range && anchor !== null) {
    const a = order.indexOf(anchor);
    const b = order.indexOf(clicked);
    if (a >= 0 && b >= 0) {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      const next = new Set(selected);
      for (const id of order.slice(lo, hi + 1)) next.add(id);
      return { selected: next, anchor };
    }
  }
  if (mods.toggle) {
    const next = new Set(selected);
    if (next.has(clicked)) next.delete(clicked);
    else next.add(clicked);
    return { selected: next, anchor: clicked };
  }
  return { selected: new Set([clicked]), anchor: clicked };
}

export interface Move {
  taskId: string;
  from: string;
}

/** What dropping `dragged` on `target` moves: the whole selection when the dragged card
 * is part of it, else the card alone; cards already in the target stay. */
export function movesForDrop(
  dragged: Card,
  target: string,
  selected: ReadonlySet<string>,
  columnOf: (taskId: string) => string | undefined,
): Move[] {
  const ids = selected.has(dragged.taskId) ? [...selected] : [dragged.taskId];
  const moves: Move[] = [];
  for (const taskId of ids) {
    const from = taskId === dragged.taskId ? dragged.column : columnOf(taskId);
    if (from !== undefined && from !== target) moves.push({ taskId, from });
  }
  return moves;
}

export interface UndoEntry {
  label: string;
  moves: Move[];
}

/** The assignments that put the moved tasks back, grouped per former column. */
export function undoAssignments(entry: UndoEntry): { assignee: string | null; taskIds: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const m of entry.moves) {
    const list = groups.get(m.from) ?? [];
    list.push(m.taskId);
    groups.set(m.from, list);
  }
  return [...groups].map(([from, taskIds]) => ({
    assignee: from === UNASSIGNED ? null : from,
    taskIds,
  }));
}

export function moveLabel(moves: Move[], target: string): string {
  const who = target === UNASSIGNED ? "Unassigned" : displayName(target);
  return moves.length === 1 ? `Moved ${moves[0]!.taskId} to ${who}` : `Moved ${moves.length} tasks to ${who}`;
}

/** "Gave 4 tasks to Ana Silva (3) and Bo Chen (1)": what a balance did, naming the people. */
export function balanceSummary(shares: readonly { assignee: string; task_ids: readonly string[] }[]): string {
  const given = shares.filter((s) => s.task_ids.length > 0);
  const total = given.reduce((n, s) => n + s.task_ids.length, 0);
  const names = given.map((s) => `${displayName(s.assignee)} (${s.task_ids.length})`);
  const who =
    names.length <= 1 ? (names[0] ?? "nobody") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `Gave ${total} task${total === 1 ? "" : "s"} to ${who}`;
}
