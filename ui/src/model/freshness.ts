// How fresh a dataset's tasks are, in words: "Updated 3 min ago", "Not refreshed yet", or,
// when its last pull failed, that it could not be refreshed (its tasks are as they were)
// and when it is tried next.
import type { DatasetInfo } from "../types";
import { ago, inTime } from "./format";

export interface Freshness {
  text: string;
  /** The last pull of it failed: the tasks shown are older than the rest. */
  failed: boolean;
  /** The failure as the core noted it, for a tooltip. */
  detail: string | null;
}

export function freshness(
  d: Pick<DatasetInfo, "tasks_pulled_at" | "pull_error" | "pull_failed_at" | "next_pull_at">,
  now: number,
): Freshness {
  const updated = d.tasks_pulled_at === null ? "never refreshed" : `updated ${ago(d.tasks_pulled_at, now)}`;
  if (d.pull_error !== null) {
    const when = d.pull_failed_at === null ? "" : ` ${ago(d.pull_failed_at, now)}`;
    const next = d.next_pull_at === null ? "at the next sync" : inTime(d.next_pull_at, now);
    return {
      text: `Could not refresh${when}; showing what was ${updated}. Next try ${next}`,
      failed: true,
      detail: d.pull_error,
    };
  }
  const text = d.tasks_pulled_at === null ? "Not refreshed yet" : `Updated ${ago(d.tasks_pulled_at, now)}`;
  return { text, failed: false, detail: null };
}
