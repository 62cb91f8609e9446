// The window's queries (one per view of the shell's data) and the shell's events that
// keep them current.
import { useEffect } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { events } from "../bindings";
import type { CountBy, DataChanged, Notice, Op, Preferences, SyncStatus, UpdateState } from "../types";
import { api, asUserError, call, type UserError } from "../api";
import { queryKeys } from "./keys";
import { invalidateViews, resetForSession } from "./invalidate";

/** Listens to the shell: data changes refresh what they affect, a new session starts
 * over, sync status updates go straight into the cache. Mounted once, at the root. */
export function useShellEvents(): void {
  const client = useQueryClient();
  useEffect(() => {
    const unlisten = [
      events.dataChanged.listen((e) => {
        const views = (e.payload as DataChanged | null)?.views;
        // A shell that does not say what changed: everything shown may have.
        if (views) void invalidateViews(client, views);
        else void client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "session" });
      }),
      events.sessionChanged.listen(() => void resetForSession(client)),
      events.syncStatusChanged.listen((e) => {
        // The event is the newest word: a status asked for before it must not land after it
        // (a round's end undone by an answer from mid-round would leave "Syncing…" shown).
        void client.cancelQueries({ queryKey: queryKeys.status() });
        client.setQueryData(queryKeys.status(), e.payload);
      }),
      events.updateStateChanged.listen((e) => client.setQueryData(queryKeys.update(), e.payload)),
      // A notification was clicked: the window shows what it named.
      events.noticeOpened.listen((e) =>
        client.setQueryData(queryKeys.opened(), { notice: e.payload.notice, at: Date.now() }),
      ),
      // News for the badge: kept until the user opens the activity view.
      events.newsArrived.listen((e) =>
        client.setQueryData<Notice[]>(queryKeys.news(), (old) => [...(old ?? []), ...e.payload.notices]),
      ),
    ];
    // Once listening, ask for the session again: a change announced before the listener
    // was in place (the start opening finishing early) would otherwise be missed.
    void unlisten[1]!.then(() => client.invalidateQueries({ queryKey: queryKeys.session() }));
    return () => {
      for (const un of unlisten) void un.then((f) => f());
    };
  }, [client]);
}

export function useSession() {
  const q = useQuery({ queryKey: queryKeys.session(), queryFn: () => call(api.session()) });
  return { session: q.data, error: q.error ? asUserError(q.error).message : null };
}

/** The sync status (null until known); the shell pushes every change of it. */
export function useSyncStatus(): SyncStatus | null {
  const q = useQuery({ queryKey: queryKeys.status(), queryFn: () => call(api.syncStatus()) });
  return q.data ?? null;
}

/** What the app knows about updates (the shell pushes every change of it). */
export function useUpdateState(): UpdateState | null {
  const q = useQuery({ queryKey: queryKeys.update(), queryFn: () => call(api.updateState()) });
  return q.data ?? null;
}

export function useCounts(datasetId: string | null, stageId: string | null, by: CountBy) {
  return useQuery({
    queryKey: queryKeys.counts(datasetId ?? "", stageId, by),
    queryFn: () => call(api.counts(datasetId!, stageId, by)),
    enabled: datasetId !== null,
  });
}

/** This workspace's preferences, and a way to change them (the sync task follows at once). */
export function usePreferences() {
  const client = useQueryClient();
  const q = useQuery({ queryKey: queryKeys.preferences(), queryFn: () => call(api.preferences()) });
  const save = async (preferences: Preferences) => {
    await call(api.setPreferences(preferences));
    client.setQueryData(queryKeys.preferences(), preferences);
  };
  return { preferences: q.data ?? null, error: q.error ? asUserError(q.error) : null, save };
}

/** Tells the sync task what the view on screen shows (refreshed every round while
 * shown); nothing once the view is gone. One view is on screen at a time. */
export function useShown(datasetIds: string[], delayed: boolean): void {
  const key = datasetIds.join("\u0000");
  useEffect(() => {
    const dataset_ids = key === "" ? [] : key.split("\u0000");
    void call(api.setShown({ dataset_ids, delayed })).catch(() => {});
    return () => void call(api.setShown({ dataset_ids: [], delayed: false })).catch(() => {});
  }, [key, delayed]);
}

export function useQueue(): { ops: Op[] | undefined; error: UserError | null } {
  const q = useQuery({ queryKey: queryKeys.queue(), queryFn: () => call(api.queue()) });
  return { ops: q.data, error: q.error ? asUserError(q.error) : null };
}

/** News the shell sent since the user last looked (the badge), and a way to clear it. */
export function useNews(): { news: Notice[]; clear: () => void } {
  const client = useQueryClient();
  const q = useQuery({ queryKey: queryKeys.news(), queryFn: () => [] as Notice[], staleTime: Infinity });
  return { news: q.data ?? [], clear: () => void client.setQueryData(queryKeys.news(), []) };
}

/** The notification the user clicked last (null before any), to show what it named. */
export function useOpenedNotice(): { notice: Notice; at: number } | null {
  const q = useQuery({
    queryKey: queryKeys.opened(),
    queryFn: () => null as { notice: Notice; at: number } | null,
    staleTime: Infinity,
  });
  return q.data ?? null;
}
