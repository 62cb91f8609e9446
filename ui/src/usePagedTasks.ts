// A long task list fetched page by page for the rows on screen (virtualized views).
// Pages already shown stay until their fresh copy arrives, so a re-query after a change
// never blanks the list or moves it.
import { useCallback, useEffect, useRef, useState } from "react";
import type { TaskQuery, TaskRow } from "./types";
import { api, call, UserError } from "./api";
import { PAGE_SIZE, pagesFor } from "./model/paging";

export interface PagedTasks {
  total: number | null;
  rowAt: (index: number) => TaskRow | undefined;
  /** Tell which rows are on screen; missing pages are fetched. */
  show: (start: number, end: number) => void;
  error: UserError | null;
  /** Rows loaded so far, in order (for selection ranges and keyboard moves). */
  loadedIds: () => string[];
  loadedRows: () => TaskRow[];
}

export function usePagedTasks(query: Omit<TaskQuery, "limit" | "offset">, version: number): PagedTasks {
  const key = JSON.stringify(query);
  const [pages, setPages] = useState<Map<number, TaskRow[]>>(new Map());
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<UserError | null>(null);
  const fresh = useRef<Set<number>>(new Set());
  const inFlight = useRef<Set<number>>(new Set());
  const generation = useRef(0);
  const visible = useRef<[number, number]>([0, PAGE_SIZE]);
  const queryRef = useRef(query);
  const lastKey = useRef(key);

  const fetchPage = useCallback((page: number, gen: number) => {
    if (inFlight.current.has(page)) return;
    inFlight.current.add(page);
    call(api.tasks({ ...queryRef.current, limit: PAGE_SIZE, offset: page * PAGE_SIZE })).then(
      (res) => {
        if (gen !== generation.current) return;
        inFlight.current.delete(page);
        fresh.current.add(page);
        setTotal(res.total);
        setError(null);
        setPages((old) => {
          const next = new Map(old);
          next.set(page, res.rows);
          // Pages past the end of a list that shrank hold rows that are gone.
          for (const p of next.keys()) if (p * PAGE_SIZE >= res.total) next.delete(p);
          return next;
        });
      },
      (e: unknown) => {
        if (gen !== generation.current) return;
        inFlight.current.delete(page);
        setError(e instanceof UserError ? e : new UserError({ kind: "other", message: String(e) }));
      },
    );
  }, []);

  const fill = useCallback(() => {
    const [start, end] = visible.current;
    const wanted = total === null ? [Math.floor(start / PAGE_SIZE)] : pagesFor(start, end, total);
    for (const p of wanted) if (!fresh.current.has(p)) fetchPage(p, generation.current);
  }, [fetchPage, total]);

  // A new query starts over; a data change refreshes the pages in place.
  useEffect(() => {
    queryRef.current = JSON.parse(key) as Omit<TaskQuery, "limit" | "offset">;
    generation.current += 1;
    fresh.current = new Set();
    inFlight.current = new Set();
    if (lastKey.current !== key) {
      lastKey.current = key;
      setPages(new Map());
      setTotal(null);
    }
    const [start, end] = visible.current;
    const first = Math.floor(start / PAGE_SIZE);
    fetchPage(first, generation.current);
    for (let p = first + 1; p <= Math.floor(end / PAGE_SIZE); p++) fetchPage(p, generation.current);
  }, [key, version, fetchPage]);

  useEffect(() => {
    fill();
  }, [fill]);

  const show = useCallback(
    (start: number, end: number) => {
      visible.current = [start, end];
      fill();
    },
    [fill],
  );

  const rowAt = useCallback(
    (index: number) => pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    [pages],
  );

  const loadedRows = useCallback(() => {
    const rows: TaskRow[] = [];
    for (const p of [...pages.keys()].sort((a, b) => a - b)) rows.push(...pages.get(p)!);
    return rows;
  }, [pages]);
  const loadedIds = useCallback(() => loadedRows().map((r) => r.task_id), [loadedRows]);

  return { total, rowAt, show, error, loadedIds, loadedRows };
}
