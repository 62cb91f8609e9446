// Overview: per dataset, tasks by stage and status, and the workload of each person.
import { useMemo } from "react";
import type { Count, DatasetInfo } from "../types";
import { api, call, useLoad } from "../api";
import { useDatasets, datasetName } from "../useDatasets";
import { STATUSES, statusLabel } from "../model/badges";
import { displayName } from "../model/board";
import { Empty, ErrorNote } from "../components/Empty";

export function Overview({ version }: { version: number }) {
  const { datasets, error, loading } = useDatasets(version);
  if (error) return <ErrorNote message={error} />;
  return (
    <section className="view" aria-label="Overview">
      <header className="view-head">
        <h1>Overview</h1>
        <span className="muted">{datasets.length} dataset{datasets.length === 1 ? "" : "s"}</span>
      </header>
      {!loading && datasets.length === 0 && <Empty title="No dataset yet">Datasets appear here after the first sync.</Empty>}
      <div className="overview">
        {datasets.map((d) => (
          <DatasetCharts key={d.dataset_id} dataset={d} version={version} />
        ))}
      </div>
    </section>
  );
}

interface StageCounts {
  stage: string;
  byStatus: Count[];
}

function DatasetCharts({ dataset, version }: { dataset: DatasetInfo; version: number }) {
  const stages = useLoad(
    async (): Promise<StageCounts[]> =>
      Promise.all(
        dataset.stages.map(async (stage) => ({
          stage,
          byStatus: await call(api.counts(dataset.dataset_id, stage, "status")),
        })),
      ),
    `${dataset.dataset_id}/${dataset.stages.join(",")}`,
    version,
  );
  const people = useLoad(() => call(api.counts(dataset.dataset_id, null, "assignee")), dataset.dataset_id, version);
  const maxStage = useMemo(
    () => Math.max(1, ...(stages.data ?? []).map((s) => s.byStatus.reduce((n, c) => n + c.count, 0))),
    [stages.data],
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
      <h3>Tasks by stage and status</h3>
      <div className="stacked" role="img" aria-label="Tasks by stage and status">
        {(stages.data ?? []).map((s) => {
          const total = s.byStatus.reduce((n, c) => n + c.count, 0);
          return (
            <div className="stacked-row" key={s.stage} data-testid="stage-bar">
              <span className="stacked-label ellipsis">{s.stage}</span>
              <div className="stacked-bar" style={{ width: `${(100 * total) / maxStage}%` }}>
                {STATUSES.map((st) => {
                  const n = s.byStatus.find((c) => c.key === st)?.count ?? 0;
                  if (!n) return null;
                  return (
                    <span
                      key={st}
                      className={`seg s-${st}`}
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
        {STATUSES.map((st) => (
          <span key={st}>
            <i className={`swatch s-${st}`} /> {statusLabel(st)}
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
