// The sync centre's model: what each queued action is doing, in words.
import type { Op } from "../types";
import { displayName } from "./board";

export type OpView = "needs_attention" | "held" | "syncing" | "retrying" | "pending";

/** An action waits behind an earlier action of the same task that needs a decision: the
 * order of one task's changes is kept, so it is held, not just pending. */
export function opViews(ops: readonly Op[]): Map<string, OpView> {
  const blocked = new Set<string>();
  const views = new Map<string, OpView>();
  for (const op of ops) {
    let view: OpView;
    if (op.state === "needs_attention") view = "needs_attention";
    else if (blocked.has(op.task_id)) view = "held";
    else if (op.state === "in_flight") view = "syncing";
    else if (op.attempts > 0) view = "retrying";
    else view = "pending";
    if (op.state === "needs_attention") blocked.add(op.task_id);
    views.set(op.op_id, view);
  }
  return views;
}

export const OP_VIEW_LABEL: Record<OpView, string> = {
  needs_attention: "Needs your decision",
  held: "Waiting on your decision on an earlier action",
  syncing: "Sending",
  retrying: "Will try again",
  pending: "Waiting to send",
};

export function describeOp(op: Pick<Op, "kind" | "task_id" | "assignee" | "reject_reason">): string {
  switch (op.kind) {
    case "submit":
      return `Submit ${op.task_id}`;
    case "accept":
      return `Accept ${op.task_id}`;
    case "reject":
      return op.reject_reason ? `Reject ${op.task_id}: “${op.reject_reason}”` : `Reject ${op.task_id}`;
    case "assign":
      return op.assignee ? `Assign ${op.task_id} to ${displayName(op.assignee)}` : `Unassign ${op.task_id}`;
  }
}

/** Why an action that needs attention offers only *Discard* (the core's choices say so):
 * `null` when more can work. */
export function onlyDiscardWhy(op: Pick<Op, "choices">): string | null {
  return op.choices.length === 1 && op.choices[0] === "discard"
    ? "Trying again cannot change Deepen's answer, so the only choice left is to discard this change."
    : null;
}
