// Activity: every change this device saw (by syncs) or made, newest first, filtered by
// person, dataset and kind; a task's history from any row; the list as CSV.
import { useEffect, useMemo, useState } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { ActivityCursor, ActivityKind, ActivityQuery } from "../types";
import { api, asUserError, call } from "../api";
import { queryKeys } from "../queries/keys";
import { useNews } from "../queries/hooks";
import { useDatasets, datasetName } from "../useDatasets";
import { describe, sourceWords } from "../model/activity";
import { displayName } from "../model/board";
import { dateTime } from "../model/format";
import { Empty, ErrorNote } from "../components/Empty";
import { ExportButton } from "../components/ExportButton";
import { TaskHistory } from "../components/TaskHistory";
import { DatasetSelect } from "../components/DatasetSelect";

const KINDS: { value: ActivityKind | ""; label: string }[] = [
  { value: "", label: "All changes" },
  { value: "status", label: "Status changes" },
  { value: "assignee", label: "Assignments" },
  { value: "stage", label: "Stage changes" },
  { value: "action", label: "This device's actions" },
];

export function Activity() {
  const { datasets } = useDatasets();
  const { clear } = useNews();
  const [person, setPerson] = useState("");
  const [dataset, setDataset] = useState("");
  const [kind, setKind] = useState<ActivityKind | "">("");
  const [history, setHistory] = useState<string | null>(null);
  // Looking at the activity is reading the news.
  useEffect(() => {
    clear();
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const people = useMemo(
    () => [...new Set(datasets.flatMap((d) => d.users.map(([email]) => email)))].sort(),
    [datasets],
  );
  const query: ActivityQuery = {
    person: person || null,
    dataset_id: dataset || null,
    kinds: kind ? [kind] : [],
    since: null,
    before: null,
    limit: 100,
  };
  const pages = useInfiniteQuery({
    queryKey: queryKeys.activity(query),
    queryFn: ({ pageParam }) => call(api.activity({ ...query, before: pageParam })),
    initialPageParam: null as ActivityCursor | null,
    getNextPageParam: (last) => last.next,
  });
  const entries = pages.data?.pages.flatMap((p) => p.entries) ?? [];

  return (
    <section className="view" aria-label="Activity">
      <header className="view-head">
        <h1>Activity</h1>
        <span className="muted">What this device saw in syncs and did itself, kept 90 days.</span>
        <div className="spacer" />
        <ExportButton what={{ what: "activity", query }} />
      </header>
      <div className="filters" role="group" aria-label="Filter the activity">
        <label>
          Person{" "}
          <select value={person} onChange={(e) => setPerson(e.target.value)} data-testid="activity-person">
            <option value="">Everyone</option>
            {people.map((p) => (
              <option key={p} value={p}>
                {displayName(p)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Dataset{" "}
          <DatasetSelect
            datasets={datasets}
            value={dataset || null}
            onChange={(id) => setDataset(id ?? "")}
            allowAll
            testId="activity-dataset"
          />
        </label>
        <label>
          Kind{" "}
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value as ActivityKind | "")}
            data-testid="activity-kind"
          >
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {pages.error && <ErrorNote message={asUserError(pages.error).message} />}
      {pages.isSuccess && entries.length === 0 && (
        <Empty title="Nothing recorded yet">
          Changes appear here from the second sync on: who got which task, status changes, reviews with their reasons,
          and how your own actions ended.
        </Empty>
      )}
      {entries.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Recorded changes">
          <table className="data" data-testid="activity-list">
            <thead>
              <tr>
                <th scope="col">Seen</th>
                <th scope="col">Task</th>
                <th scope="col">Change</th>
                <th scope="col">Person</th>
                <th scope="col">Dataset</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="activity-row">
                  <td>
                    <time dateTime={new Date(e.at).toISOString()}>{dateTime(e.at)}</time>
                  </td>
                  <td>
                    <button
                      className="link mono"
                      onClick={() => setHistory(e.task_id)}
                      title={`History of ${e.task_id}`}
                      data-testid="activity-task"
                    >
                      {e.task_id}
                    </button>
                  </td>
                  <td>{describe(e)}</td>
                  <td>{e.person ? displayName(e.person) : "—"}</td>
                  <td>
                    {datasetName(
                      datasets.find((d) => d.dataset_id === e.dataset_id),
                      e.dataset_id,
                    )}
                  </td>
                  <td className="muted">{sourceWords(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {pages.hasNextPage && (
            <button
              className="secondary"
              onClick={() => void pages.fetchNextPage()}
              disabled={pages.isFetchingNextPage}
              data-testid="activity-more"
            >
              {pages.isFetchingNextPage ? "Loading…" : "Show older changes"}
            </button>
          )}
        </div>
      )}
      {history && <TaskHistory taskId={history} onClose={() => setHistory(null)} />}
    </section>
  );
}
