import { describe, expect, it, vi } from "vitest";
import { QueryClient, QueryObserver } from "@tanstack/react-query";
import type { ViewChange } from "../types";
import { columnQuery, UNASSIGNED } from "../model/board";
import { myTasksQuery, NO_FILTERS } from "../model/filters";
import { OPEN_STATUSES } from "../model/vocabulary";
import { affects, invalidateViews, resetForSession } from "./invalidate";
import { queryKeys, type TaskListQuery } from "./keys";

const list = (q: ReturnType<typeof myTasksQuery>): TaskListQuery => {
  const { limit: _l, offset: _o, ...rest } = q;
  void _l;
  void _o;
  return rest;
};

/** The board of ds1 (stage Labelling, open tasks), page 0 of each column. */
const column = (dataset: string, who: string) =>
  queryKeys.taskPage(columnQuery(dataset, "Labelling", [...OPEN_STATUSES], who), 0);

const keys = {
  ana: column("ds1", "ana@x"),
  bo: column("ds1", "bo@x"),
  chidi: column("ds1", "chidi@x"),
  unassigned: column("ds1", UNASSIGNED),
  anaDs2: column("ds2", "ana@x"),
  boardLoads: queryKeys.counts("ds1", "Labelling", "assignee"),
  overviewByStatus: queryKeys.counts("ds1", "Labelling", "status"),
  overviewByStage: queryKeys.counts("ds1", null, "stage"),
  overviewPeople: queryKeys.counts("ds1", null, "assignee"),
  ds2People: queryKeys.counts("ds2", null, "assignee"),
  myTasksAna: queryKeys.taskPage(list(myTasksQuery("ana@x", NO_FILTERS, { limit: 0, offset: 0 })), 0),
  myTasksChidi: queryKeys.taskPage(list(myTasksQuery("chidi@x", NO_FILTERS, { limit: 0, offset: 0 })), 0),
  delayed: queryKeys.taskPage(
    {
      task_ids: [],
      dataset_id: null,
      stage_id: null,
      statuses: [],
      assignee: null,
      delayed_only: true,
      text: null,
      sort: "overdue",
    },
    0,
  ),
  datasets: queryKeys.datasets(),
  queue: queryKeys.queue(),
  status: queryKeys.status(),
  session: queryKeys.session(),
};
type Name = keyof typeof keys;

/** A client with every key cached (inactive, fresh); the names of those a change hits. */
async function hits(...changes: ViewChange[]): Promise<Name[]> {
  const client = new QueryClient();
  for (const key of Object.values(keys)) client.setQueryData(key, { cached: true });
  await invalidateViews(client, changes);
  return (Object.keys(keys) as Name[]).filter((n) => client.getQueryState(keys[n])?.isInvalidated).sort();
}

const assign: ViewChange = { view: "tasks", dataset_id: "ds1", assignees: ["ana@x", "bo@x"], statuses: false };

describe("invalidateViews", () => {
  it("an assign from ana to bo in ds1 hits their columns and the board's loads, nothing else", async () => {
    const client = new QueryClient();
    for (const key of Object.values(keys)) client.setQueryData(key, { cached: true });
    await invalidateViews(client, [assign]);
    const invalidated = (key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated;
    expect(invalidated(keys.ana)).toBe(true);
    expect(invalidated(keys.bo)).toBe(true);
    expect(invalidated(keys.chidi)).toBe(false);
    expect(invalidated(keys.anaDs2)).toBe(false);
    expect(invalidated(keys.overviewByStatus)).toBe(false);
    expect(invalidated(keys.overviewByStage)).toBe(false);
    expect(invalidated(keys.boardLoads)).toBe(true);
    expect(await hits(assign)).toEqual(
      (["ana", "bo", "boardLoads", "delayed", "myTasksAna", "overviewPeople"] as Name[]).sort(),
    );
  });

  it("unassigning hits the Unassigned column", async () => {
    expect(await hits({ view: "tasks", dataset_id: "ds1", assignees: ["ana@x", null], statuses: false })).toContain(
      "unassigned",
    );
    expect(await hits(assign)).not.toContain("unassigned");
  });

  it("a status change hits counts by status and stage of its dataset", async () => {
    const got = await hits({ view: "tasks", dataset_id: "ds1", assignees: ["ana@x"], statuses: true });
    expect(got).toEqual(
      (
        [
          "ana",
          "boardLoads",
          "delayed",
          "myTasksAna",
          "overviewByStage",
          "overviewByStatus",
          "overviewPeople",
        ] as Name[]
      ).sort(),
    );
  });

  it("a pull (any list of the dataset) hits every list and count of it, and lists across datasets", async () => {
    const got = await hits({ view: "tasks", dataset_id: "ds2", assignees: null, statuses: true });
    expect(got).toEqual((["anaDs2", "delayed", "ds2People", "myTasksAna", "myTasksChidi"] as Name[]).sort());
  });

  it("delayed, queue, datasets and status hit their own views", async () => {
    expect(await hits({ view: "delayed" })).toEqual(["delayed"]);
    expect(await hits({ view: "queue" })).toEqual(["queue"]);
    expect(await hits({ view: "datasets" })).toEqual(["datasets"]);
    expect(await hits({ view: "status" })).toEqual(["status"]);
    expect(await hits()).toEqual([]);
  });

  it("refetches the lists on screen and only marks the others", async () => {
    const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, networkMode: "always" } } });
    const fetched = { ana: 0, bo: 0 };
    const shown = new QueryObserver(client, { queryKey: keys.ana, queryFn: async () => ++fetched.ana });
    const unsubscribe = shown.subscribe(() => undefined);
    await vi.waitFor(() => expect(shown.getCurrentResult().data).toBe(1));
    await client.prefetchQuery({ queryKey: keys.bo, queryFn: async () => ++fetched.bo });
    await invalidateViews(client, [assign]);
    expect(fetched).toEqual({ ana: 2, bo: 1 });
    expect(client.getQueryState(keys.bo)?.isInvalidated).toBe(true);
    expect(shown.getCurrentResult().data).toBe(2);
    unsubscribe();
  });
});

describe("affects", () => {
  it("a delayed-only list of My tasks counts as delayed", () => {
    const q = list(myTasksQuery("chidi@x", { ...NO_FILTERS, delayedOnly: true }, { limit: 0, offset: 0 }));
    expect(affects({ view: "delayed" }, queryKeys.tasks(q))).toBe(true);
    expect(affects({ view: "delayed" }, keys.myTasksChidi)).toBe(false);
  });
  it("ignores keys it does not know", () => {
    expect(affects(assign, ["something", 1])).toBe(false);
  });
});

describe("resetForSession", () => {
  it("forgets everything but the session, which is asked again", async () => {
    const client = new QueryClient();
    for (const key of Object.values(keys)) client.setQueryData(key, { cached: true });
    await resetForSession(client);
    expect(client.getQueryData(keys.ana)).toBeUndefined();
    expect(client.getQueryData(keys.datasets)).toBeUndefined();
    expect(client.getQueryData(keys.session)).toEqual({ cached: true });
    expect(client.getQueryState(keys.session)?.isInvalidated).toBe(true);
  });
});
