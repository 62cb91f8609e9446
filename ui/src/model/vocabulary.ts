// Task statuses, in one place: which there are (in life-cycle order), which are open or
// done, how each reads and which colour it has. A status Deepen adds later is shown as it
// is spelled, humanized, in a neutral colour; never an error.
// The list itself is the core's (crates/core/src/wire/vocabulary.rs), generated into the
// bindings.
import { ACTION_VOCABULARY, STATUS_VOCABULARY } from "../bindings";
import type { ActionKind, KnownTaskStatus } from "../types";

export type { KnownTaskStatus };

/** Every known status, in life-cycle order. */
export const STATUSES: readonly KnownTaskStatus[] = STATUS_VOCABULARY.map((s) => s.status);

/** Statuses an annotator still has work in. */
export const OPEN_STATUSES: readonly KnownTaskStatus[] = STATUS_VOCABULARY.filter((s) => s.open).map((s) => s.status);

/** Done work (submitted for review, accepted): hidden from My tasks unless asked for. */
export const DONE_STATUSES: readonly KnownTaskStatus[] = STATUS_VOCABULARY.filter((s) => s.done).map((s) => s.status);

const KNOWN: ReadonlySet<string> = new Set(STATUSES);

export function isKnownStatus(status: string): status is KnownTaskStatus {
  return KNOWN.has(status);
}

/** "in_progress" → "In progress"; any status, known or not. */
export function statusLabel(status: string): string {
  const words = status.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The CSS class that colours a status (styles.css: `s-<status>`, `s-other` if unknown). */
export function statusClass(status: string): string {
  return isKnownStatus(status) ? `s-${status}` : "s-other";
}

/** Statuses in life-cycle order: the known ones first, then any other, by name. */
export function inLifeCycleOrder(statuses: Iterable<string>): string[] {
  const seen = new Set(statuses);
  const unknown = [...seen].filter((s) => !isKnownStatus(s)).sort();
  return [...STATUSES.filter((s) => seen.has(s)), ...unknown];
}

/** The actions that change a task's status (submit, accept, reject): not a reassignment. */
export type StatusAction = Exclude<(typeof ACTION_VOCABULARY)[number], { target: null }>["kind"];

/** The status an action leads to (`null`: a reassignment keeps the status). */
export function targetStatus(kind: ActionKind): KnownTaskStatus | null {
  return ACTION_VOCABULARY.find((a) => a.kind === kind)?.target ?? null;
}
