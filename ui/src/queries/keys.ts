// Every query key of the window, in one place. Keys name what a view shows, so a change
// the shell announces can be matched to the views it affects (see invalidate.ts):
//   ["session"], ["datasets"], ["queue"], ["status"], ["preferences"], ["diagnostics"], ["update"]
//   ["tasks", scope, rest]            a task list; + page index for one page of it
//   ["counts", dataset_id, stage_id | null, by]  (or "balance", people…: a balance preview)
//   ["insight", "activity" | "review" | "history", …]  the activity record's views
//   ["news"]                          notices the shell sent (the in-app badge)
import type { ActivityQuery, AssigneeFilter, CountBy, ReviewQuery, SortKey, TaskQuery } from "../types";

/** A task list as a view asks for it (pages are cut from it). */
export type TaskListQuery = Omit<TaskQuery, "limit" | "offset">;

/** Whose and which dataset's tasks a list shows (`null`: any). */
export interface TaskScope {
  dataset_id: string | null;
  assignee: AssigneeFilter | null;
}

/** The rest of a list's filters and its order. */
export interface TaskRest {
  task_ids: string[];
  stage_id: string | null;
  statuses: string[];
  delayed_only: boolean;
  text: string | null;
  sort: SortKey;
}

export type TaskListKey = readonly ["tasks", TaskScope, TaskRest];
export type TaskPageKey = readonly ["tasks", TaskScope, TaskRest, number];
export type CountsKey = readonly ["counts", string, string | null, CountBy];

export const queryKeys = {
  session: () => ["session"] as const,
  datasets: () => ["datasets"] as const,
  queue: () => ["queue"] as const,
  status: () => ["status"] as const,
  preferences: () => ["preferences"] as const,
  diagnostics: () => ["diagnostics"] as const,
  update: () => ["update"] as const,
  /** What balancing a stage over these people would do (short-lived: the dialog's). */
  balancePreview: (datasetId: string, stageId: string, people: readonly string[]) =>
    ["counts", datasetId, stageId, "balance", ...people] as const,
  /** A whole task list: every page of it starts with this key. */
  tasks: (q: TaskListQuery): TaskListKey => [
    "tasks",
    { dataset_id: q.dataset_id ?? null, assignee: q.assignee ?? null },
    {
      task_ids: q.task_ids,
      stage_id: q.stage_id ?? null,
      statuses: q.statuses,
      delayed_only: q.delayed_only,
      text: q.text ?? null,
      sort: q.sort,
    },
  ],
  taskPage: (q: TaskListQuery, page: number): TaskPageKey => [...queryKeys.tasks(q), page],
  counts: (datasetId: string, stageId: string | null, by: CountBy): CountsKey => ["counts", datasetId, stageId, by],
  activity: (q: ActivityQuery) => ["insight", "activity", q] as const,
  review: (q: ReviewQuery) => ["insight", "review", q] as const,
  history: (taskId: string) => ["insight", "history", taskId] as const,
  news: () => ["news"] as const,
  opened: () => ["opened"] as const,
};

/** A key read back: which view it belongs to and its parameters. */
export type ParsedKey =
  | { view: "tasks"; scope: TaskScope; rest: TaskRest; page: number | null }
  | { view: "counts"; dataset_id: string; stage_id: string | null; by: CountBy }
  | { view: "session" | "datasets" | "queue" | "status" | "preferences" | "insight" }
  | { view: "unknown" };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

export function parseKey(key: readonly unknown[]): ParsedKey {
  const [view, a, b, c] = key;
  switch (view) {
    case "session":
    case "datasets":
    case "queue":
    case "status":
    case "preferences":
    case "insight":
      return { view };
    case "tasks":
      if (!isObject(a) || !isObject(b)) return { view: "unknown" };
      return {
        view: "tasks",
        scope: a as unknown as TaskScope,
        rest: b as unknown as TaskRest,
        page: typeof c === "number" ? c : null,
      };
    case "counts":
      if (typeof a !== "string") return { view: "unknown" };
      return { view: "counts", dataset_id: a, stage_id: (b as string | null) ?? null, by: c as CountBy };
    default:
      return { view: "unknown" };
  }
}
