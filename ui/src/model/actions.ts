// Whether a status action (submit, accept, reject) can apply to the chosen tasks, known
// before anything is sent or typed: from the action vocabulary (the statuses each action
// is allowed from, the core's rules generated into the bindings) and each row's status as
// the user sees it (their own pending change laid over).
import { ACTION_VOCABULARY } from "../bindings";
import type { TaskRow } from "../types";
import { statusLabel, type StatusAction } from "./vocabulary";

const VERB: Record<StatusAction, string> = { submit: "submitted", accept: "accepted", reject: "rejected" };

function allowedFrom(kind: StatusAction): readonly string[] {
  return ACTION_VOCABULARY.find((a) => a.kind === kind)?.allowed_from ?? [];
}

/** "ready, in progress or rejected". */
function alternatives(statuses: readonly string[]): string {
  const words = statuses.map((s) => statusLabel(s).toLowerCase());
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** Why `kind` cannot apply to `rows`, in words; `null` when it can to every one of them. */
export function refusal(kind: StatusAction, rows: readonly TaskRow[]): string | null {
  if (rows.length === 0) return "Select tasks first (x or Space), or move to one with ↑ ↓.";
  const from = allowedFrom(kind);
  const blocked = rows.filter((r) => !from.includes(r.status));
  if (blocked.length === 0) return null;
  const rule = `only ${alternatives(from)} tasks can be ${VERB[kind]}`;
  if (rows.length === 1) return `${rows[0]!.task_id} is ${statusLabel(rows[0]!.status).toLowerCase()}: ${rule}.`;
  return `${blocked.length} of the ${rows.length} chosen tasks cannot be ${VERB[kind]}: ${rule}.`;
}

/** "Submit", "Submit 3". */
export function actionLabel(label: string, count: number): string {
  return count > 1 ? `${label} ${count}` : label;
}
