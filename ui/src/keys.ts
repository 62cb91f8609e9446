// Keyboard shortcuts and messages shared by the views.
import { UserError } from "./api";

/** A modal dialog is open: page shortcuts wait. */
export function dialogOpen(): boolean {
  return document.querySelector(".dialog") !== null;
}

export function errorText(e: unknown): string {
  return e instanceof UserError ? e.message : String(e);
}

export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable;
}
