// Overview: per dataset, tasks by stage and status, and the workload of each person.
import { useMemo } from "react";
import { useQueries } from "@tanstack/react-query";
import type { Count, DatasetInfo } from "../types";
import { api, call } from "../api";
import { queryKeys } from "../queries/keys";
import { useCounts, useShown } from "../queries/hooks";
import { useDatasets, datasetName } from "../useDatasets";
import { inLifeCycleOrder, STATUSES, statusClass, statusLabel } from "../model/vocabulary";
import { displayName } from "../model/board";
import { Empty, ErrorNote } from "../components/Empty";
import { freshness } from "../model/freshness";
import { useNow } from "../useNow";
import { ReviewPanel } from "./ReviewPanel";

export function Overview() {
  const { datasets, error, loading } = useDatasets();
  // Every dataset's charts are on screen: each is refreshed every round while shown.
  useShown(
    datasets.map((d) => d.dataset_id),
    false,
  );
  if (error) return <ErrorNote message={error} />;
  return (
    <section className="view" aria-label="Overview">
      <header className="view-head">
        <h1>Overview</h1>
        <span className="muted">
          {datasets.length} dataset{datasets.length === 1 ? "" : "s"}
        </span>
      </header>
      {!loading && datasets.length === 0 && (
        <Empty title="No dataset yet">Datasets appear here after the first sync.</Empty>
      )}
      {/* Focusable so the keyboard can scroll it. */}
      <div className="overview" tabIndex={0} role="region" aria-label="Datasets">
        {datasets.length > 0 && <ReviewPanel datasets={datasets} />}
        {datasets.map((d) => (
          <DatasetCharts key={d.dataset_id} dataset={d} />
        ))}
      </div>
    </section>
  );
}

interface StageCounts {
  stage: string;
  byStatus: Count[];
}

/** The stages' bars show together, once every stage is counted. */
function allStages(stages: string[]) {
  return (results: { data?: Count[] }[]): StageCounts[] | undefined =>
    results.every((r) => r.data !== undefined)
      ? results.map((r, i) => ({ stage: stages[i]!, byStatus: r.data! }))
      : undefined;
}

function DatasetCharts({ dataset }: { dataset: DatasetInfo }) {
  const id = dataset.dataset_id;
  const combine = useMemo(() => allStages(dataset.stages), [dataset.stages]);
  const stages = useQueries({
    queries: dataset.stages.map((stage) => ({
      queryKey: queryKeys.counts(id, stage, "status"),
      queryFn: () => call(api.counts(id, stage, "status")),
    })),
    combine,
  });
  const people = useCounts(id, null, "assignee");
  const maxStage = useMemo(
    () => Math.max(1, ...(stages ?? []).map((s) => s.byStatus.reduce((n, c) => n + c.count, 0))),
    [stages],
  );
  // The known statuses, and any other Deepen reports (shown, in a neutral colour).
  const statuses = useMemo(
    () => inLifeCycleOrder([...STATUSES, ...(stages ?? []).flatMap((s) => s.byStatus.flatMap((c) => c.key ?? []))]),
    [stages],
  );
  const workload = (people.data ?? []).filter((c) => c.key !== null).sort((a, b) => b.count - a.count);
  const unassigned = (people.data ?? []).find((c) => c.key === null)?.count ?? 0;
  const maxPerson = Math.max(1, ...workload.map((c) => c.count));

  return (
    <article className="card chart-card" data-testid="overview-dataset">
      <h2>{datasetName(dataset, dataset.dataset_id)}</h2>
      <div className="muted small-text">
        {dataset.task_count} tasks · {dataset.labelling_mode?.replace(/_/g, " ") ?? "mode unknown"}
      </div>
      <Fresh dataset={dataset} />
      <h3>Tasks by stage and status</h3>
      <div className="stacked" role="img" aria-label="Tasks by stage and status">
        {(stages ?? []).map((s) => {
          const total = s.byStatus.reduce((n, c) => n + c.count, 0);
          return (
            <div className="stacked-row" key={s.stage} data-testid="stage-bar">
              <span className="stacked-label ellipsis">{s.stage}</span>
              <div className="stacked-bar" style={{ width: `${(100 * total) / maxStage}%` }}>
                {statuses.map((st) => {
                  const n = s.byStatus.find((c) => c.key === st)?.count ?? 0;
                  if (!n) return null;
                  return (
                    <span
                      key={st}
                      className={`seg ${statusClass(st)}`}
                      style={{ flexGrow: n }}
                      title={`${statusLabel(st)}: ${n}`}
                    />
                  );
                })}
              </div>
              <span className="stacked-total">{total}</span>
            </div>
          );
        })}
      </div>
      <div className="legend">
        {statuses.map((st) => (
          <span key={st}>
            <i className={`swatch ${statusClass(st)}`} /> {statusLabel(st)}
          </span>
        ))}
      </div>
      <h3>Workload per person</h3>
      <div className="bars" role="img" aria-label="Tasks per person">
        {workload.map((c) => (
          <div className="bar-row" key={c.key} data-testid="person-bar">
            <span className="stacked-label ellipsis">{displayName(c.key!)}</span>
            <div className="bar" style={{ width: `${(100 * c.count) / maxPerson}%` }} />
            <span className="stacked-total">{c.count}</span>
          </div>
        ))}
        {unassigned > 0 && <div className="muted small-text">{unassigned} unassigned</div>}
      </div>
    </article>
  );
}

/** How fresh the dataset's tasks are; a failed refresh says so, with the cause on hover. */
function Fresh({ dataset }: { dataset: DatasetInfo }) {
  const now = useNow();
  const f = freshness(dataset, now);
  return (
    <div
      className={f.failed ? "freshness failed small-text" : "freshness muted small-text"}
      data-testid="dataset-freshness"
      title={f.detail ?? undefined}
    >
      {f.text}
    </div>
  );
}
