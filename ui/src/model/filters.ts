// The "My tasks" filters and how they become a query of the core's view.
import type { TaskQuery } from "../types";
import { OPEN_STATUSES } from "./vocabulary";

export interface MyTaskFilters {
  datasetId: string | null;
  stageId: string | null;
  /** A single status, or null for "all open" (or all, with showDone). */
  status: string | null;
  delayedOnly: boolean;
  showDone: boolean;
  text: string;
  /** Only these tasks, whatever their status (the tasks a notification named). */
  taskIds: string[];
}

export const NO_FILTERS: MyTaskFilters = {
  datasetId: null,
  stageId: null,
  status: null,
  delayedOnly: false,
  showDone: false,
  text: "",
  taskIds: [],
};

export function myTasksQuery(me: string, f: MyTaskFilters, page: { limit: number; offset: number }): TaskQuery {
  let statuses: string[];
  if (f.status) statuses = [f.status];
  else if (f.showDone || f.taskIds.length > 0) statuses = [];
  else statuses = [...OPEN_STATUSES];
  const text = f.text.trim();
  return {
    task_ids: f.taskIds,
    dataset_id: f.datasetId,
    stage_id: f.stageId,
    statuses,
    // Open tasks, and those the user just acted on until Deepen has the change (they show
    // with their badge, and can be taken back).
    or_pending: !f.status && !f.showDone && f.taskIds.length === 0,
    assignee: { kind: "is", email: me },
    delayed_only: f.delayedOnly,
    text: text === "" ? null : text,
    sort: "due",
    limit: page.limit,
    offset: page.offset,
  };
}

export function activeFilterCount(f: MyTaskFilters): number {
  return (
    [f.datasetId, f.stageId, f.status].filter((v) => v !== null).length +
    (f.delayedOnly ? 1 : 0) +
    (f.showDone ? 1 : 0) +
    (f.text.trim() ? 1 : 0) +
    (f.taskIds.length > 0 ? 1 : 0)
  );
}
