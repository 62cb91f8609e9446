// A long task list fetched page by page for the rows on screen (virtualized views): one
// query per page, keyed ["tasks", scope, rest, page]. Pages already loaded stay shown
// while a fresh copy loads (an invalidated query keeps its data), so a re-query after a
// change never blanks the list or moves it; pages past the end of a list that shrank are
// dropped. A new query (other filters) starts over.
import { useCallback, useMemo, useState, useSyncExternalStore } from "react";
import {
  hashKey,
  notifyManager,
  useQueries,
  useQueryClient,
  type QueryClient,
  type UseQueryResult,
} from "@tanstack/react-query";
import type { TaskPage, TaskRow } from "../types";
import { api, asUserError, call, type UserError } from "../api";
import { PAGE_SIZE, pagesFor } from "../model/paging";
import { queryKeys, type TaskListQuery } from "./keys";

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

/** What the cache holds of one list: its pages and the total of the latest answer. */
interface ListSnapshot {
  total: number | null;
  pages: ReadonlyMap<number, TaskRow[]>;
  /** Which pages, of when: equal signatures mean equal snapshots. */
  signature: string;
}

const EMPTY: ListSnapshot = { total: null, pages: new Map(), signature: "" };

/** Reads a list's pages from the query cache (also the pages not on screen, which stay
 * cached) and tells when they change. */
function listStore(client: QueryClient, listHash: string) {
  const cache = client.getQueryCache();
  // A page's key is the list's key plus its index: its hash starts like the list's.
  const prefix = `${listHash.slice(0, -1)},`;
  let snapshot = EMPTY;
  // While watched, the snapshot is read again only after one of the list's queries changed
  // (React reads it at every render: a scrolling list renders at every frame).
  let watchers = 0;
  let stale = true;
  const read = (): ListSnapshot => {
    if (watchers > 0 && !stale) return snapshot;
    stale = false;
    const found: { page: number; data: TaskPage; at: number }[] = [];
    for (const q of cache.getAll()) {
      if (!q.queryHash.startsWith(prefix) || q.state.data === undefined) continue;
      found.push({ page: q.queryKey[3] as number, data: q.state.data as TaskPage, at: q.state.dataUpdatedAt });
    }
    const signature = found.map((f) => `${f.page}@${f.at}`).join(",");
    if (signature === snapshot.signature) return snapshot;
    let latest = found[0];
    for (const f of found) if (latest && f.at > latest.at) latest = f;
    const total = latest ? latest.data.total : null;
    const pages = new Map<number, TaskRow[]>();
    // Pages past the end of a list that shrank hold rows that are gone.
    for (const f of found) if (total !== null && f.page * PAGE_SIZE < total) pages.set(f.page, f.data.rows);
    snapshot = { total, pages, signature };
    return snapshot;
  };
  return {
    subscribe: (changed: () => void) => {
      // Cache events can come while a component renders (a query is built): tell React
      // after the cache's batch, as TanStack's own hooks do.
      const notify = notifyManager.batchCalls(changed);
      watchers += 1;
      stale = true;
      const unsubscribe = cache.subscribe((e) => {
        if (!e.query.queryHash.startsWith(prefix)) return;
        stale = true;
        notify();
      });
      return () => {
        watchers -= 1;
        unsubscribe();
      };
    },
    read,
  };
}

/** The pages to observe for the rows on screen: a page of margin each side once the
 * total is known, never none (so the total keeps being refreshed). */
function wantedPages([first, last]: readonly [number, number], total: number | null): number[] {
  if (total === null) return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  if (total === 0) return [0];
  const lastPage = Math.floor((total - 1) / PAGE_SIZE);
  return pagesFor(Math.min(first, lastPage) * PAGE_SIZE, Math.min(last * PAGE_SIZE, total - 1), total);
}

const firstError = (results: UseQueryResult[]): UserError | null => {
  const failed = results.find((r) => r.error);
  return failed ? asUserError(failed.error) : null;
};

export function usePagedTasks(query: TaskListQuery): PagedTasks {
  const client = useQueryClient();
  const listHash = hashKey(queryKeys.tasks(query));
  const store = useMemo(() => listStore(client, listHash), [client, listHash]);
  const { total, pages } = useSyncExternalStore(store.subscribe, store.read);
  // The pages of the rows on screen.
  const [onScreen, setOnScreen] = useState<readonly [number, number]>([0, 0]);

  const error = useQueries({
    queries: wantedPages(onScreen, total).map((page) => ({
      queryKey: queryKeys.taskPage(query, page),
      queryFn: () => call(api.tasks({ ...query, limit: PAGE_SIZE, offset: page * PAGE_SIZE })),
    })),
    combine: firstError,
  });

  const show = useCallback((start: number, end: number) => {
    const first = Math.floor(start / PAGE_SIZE);
    const last = Math.max(first, Math.floor(end / PAGE_SIZE));
    setOnScreen((old) => (old[0] === first && old[1] === last ? old : [first, last]));
  }, []);

  const rowAt = useCallback((index: number) => pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE], [pages]);

  const loadedRows = useCallback(() => {
    const rows: TaskRow[] = [];
    for (const p of [...pages.keys()].sort((a, b) => a - b)) rows.push(...pages.get(p)!);
    return rows;
  }, [pages]);
  const loadedIds = useCallback(() => loadedRows().map((r) => r.task_id), [loadedRows]);

  // One object while nothing changes: views pass it down to memoized parts.
  return useMemo(
    () => ({ total, rowAt, show, error, loadedIds, loadedRows }),
    [total, rowAt, show, error, loadedIds, loadedRows],
  );
}
