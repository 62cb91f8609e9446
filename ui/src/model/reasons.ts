// Why an action needs the user's decision, in words. The core records the reason as data
// (AttentionReason); the window words it for a person, naming the action (op.kind).
import type { AttentionReason, ActionKind } from "../types";
import { statusLabel, targetStatus } from "./vocabulary";

/** What reasonText needs of an action (an Op once its reason is generated as data). */
export interface ReasonOp {
  kind: ActionKind;
  reason: AttentionReason | null;
}

/** "can no longer be submitted": the status a status action leads to (the vocabulary's);
 * a reassignment leaves the status, so it has a word of its own. */
const past = (kind: ActionKind): string => targetStatus(kind)?.replace(/_/g, " ") ?? "reassigned";

const VERB: Record<ActionKind, string> = {
  submit: "submit",
  accept: "accept",
  reject: "reject",
  assign: "reassign",
};

/** The action as a noun: "the answer to your submit was lost". */
const NOUN: Record<ActionKind, string> = {
  submit: "submit",
  accept: "accept",
  reject: "reject",
  assign: "reassignment",
};

/** An assignee in a sentence: the email, or "nobody". */
const who = (email: string | null) => email ?? "nobody";

export function reasonText(op: ReasonOp): string {
  const r = op.reason;
  if (r === null) return "Deepen did not accept this change.";
  switch (r.kind) {
    case "reassigned_elsewhere":
      return (
        `Someone else reassigned this task to ${who(r.now_assignee)} after you moved it from ${who(r.from)} ` +
        `to ${who(r.to)}. Overwrite to assign it to ${who(r.to)} anyway, or discard your change.`
      );
    case "changed_after_lost_answer":
      return (
        `The task changed on the server after you acted (it is now "${statusLabel(r.status)}"), and the answer ` +
        `to your ${NOUN[op.kind]} was lost, so it is not known whether it was applied. Retry to send it again, ` +
        `or discard it.`
      );
    case "no_longer_allowed":
      return (
        `The task is now "${statusLabel(r.status)}" on the server (someone else changed it), so it can no ` +
        `longer be ${past(op.kind)}.`
      );
    case "keeps_failing":
      return `Tried ${r.attempts} times without success; the server keeps failing (${r.error}). Retry later or discard it.`;
    case "refused":
      return `${refusal(op.kind, r.http_status)} Deepen said: ${r.server_says}`;
    case "text":
      return r.text;
  }
}

/** What a refusal by the server means, by its HTTP status. */
function refusal(kind: ActionKind, httpStatus: number): string {
  const what = `${VERB[kind]} this task`;
  switch (httpStatus) {
    case 403:
      return `Deepen does not allow you to ${what} (it may be assigned to someone else now).`;
    case 404:
      return "The task no longer exists on Deepen.";
    case 409:
      if (kind === "assign") return "The task is already submitted or accepted, so it can no longer be reassigned.";
      return `Deepen refused to ${what}.`;
    default:
      return `Deepen refused to ${what}.`;
  }
}
