// The window's side of the bridge: the generated commands, unwrapped into promises that
// reject with a readable error, and hooks that re-query when the shell says data changed.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { commands, events } from "./bindings";
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

export const api = commands;

/** Counts changes announced by the shell (DataChanged); effects depend on it to re-query. */
export function useDataVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const un = events.dataChanged.listen(() => setVersion((v) => v + 1));
    return () => {
      void un.then((f) => f());
    };
  }, []);
  return version;
}

export interface Loaded<T> {
  data: T | undefined;
  error: UserError | null;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `key` changes or data changes; keeps the last data while reloading
 * (no layout jumps) and drops answers that arrive out of order. */
export function useLoad<T>(load: () => Promise<T>, key: string, version: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<UserError | null>(null);
  const [nonce, setNonce] = useState(0);
  const [answered, setAnswered] = useState<string | null>(null);
  const request = `${key}\u0000${version}\u0000${nonce}`;
  const seq = useRef(0);
  const loadRef = useRef(load);
  useLayoutEffect(() => {
    loadRef.current = load;
  });
  useEffect(() => {
    const mine = ++seq.current;
    loadRef.current().then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(null);
        setAnswered(request);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(e instanceof UserError ? e : new UserError({ kind: "other", message: String(e) }));
        setAnswered(request);
      },
    );
  }, [request]);
  const loading = answered !== request;
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, error, loading, reload };
}
