// The window's side of the bridge: the generated commands, unwrapped into promises that
// reject with a readable error. What to re-query when data changes is in ./queries.
import { commands } from "./bindings";
import type { ShellError } from "./types";

export class UserError extends Error {
  readonly kind: ShellError["kind"];
  constructor(e: ShellError) {
    super(e.message);
    this.kind = e.kind;
  }
}

type Res<T> = { status: "ok"; data: T } | { status: "error"; error: ShellError };

/** Unwraps a command's result. A failure of the bridge itself becomes a readable error. */
export async function call<T>(p: Promise<Res<T>>): Promise<T> {
  let r: Res<T>;
  try {
    r = await p;
  } catch (e) {
    throw new UserError({ kind: "other", message: `The app could not answer: ${String(e)}` });
  }
  if (r.status === "error") throw new UserError(r.error);
  return r.data;
}

/** Any failure as a UserError (commands already reject with one). */
export function asUserError(e: unknown): UserError {
  return e instanceof UserError ? e : new UserError({ kind: "other", message: String(e) });
}

export const api = commands;
