// The activity record in words: what a recorded change says, for a person reading the
// list or a task's history. Pure functions; the record's vocabulary comes from the core.
import type { ActivityEntry } from "../types";
import { statusLabel } from "./vocabulary";
import { displayName } from "./board";
import { duration } from "./format";

const ACTION_WORDS: Record<string, string> = {
  submit: "Submit",
  accept: "Accept",
  reject: "Reject",
  assign: "Reassignment",
};

const OUTCOME_WORDS: Record<string, string> = {
  done: "reached Deepen",
  needs_decision: "needs your decision",
  discarded: "was taken back",
};

const who = (email: string | null): string => (email ? displayName(email) : "nobody");

/** One recorded change in a sentence. */
export function describe(e: ActivityEntry): string {
  switch (e.kind) {
    case "status": {
      const base = `${statusLabel(e.old ?? "?")} → ${statusLabel(e.new ?? "?")}`;
      return e.note ? `${base}: “${e.note}”` : base;
    }
    case "assignee":
      return e.old === null ? `Given to ${who(e.new)}` : `Moved from ${who(e.old)} to ${who(e.new)}`;
    case "stage":
      return `Stage ${e.old ?? "?"} → ${e.new ?? "?"}`;
    case "action": {
      const action = ACTION_WORDS[e.old ?? ""] ?? e.old ?? "Action";
      const outcome = OUTCOME_WORDS[e.new ?? ""] ?? e.new ?? "";
      return e.note ? `${action} ${outcome}: ${e.note}` : `${action} ${outcome}`;
    }
  }
}

/** Who brought the change, in words. */
export function sourceWords(e: ActivityEntry): string {
  return e.source === "device" ? "this device" : "seen in a sync";
}

/** A median time for the review panel, or a dash when none was seen. */
export function medianWords(ms: number | null): string {
  return ms === null ? "—" : duration(ms);
}

/** A rate as a percentage, or a dash when nothing was reviewed. */
export function rateWords(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 100)} %`;
}

/** The periods the review panel offers, in days. */
export const PERIODS = [7, 30, 90] as const;
