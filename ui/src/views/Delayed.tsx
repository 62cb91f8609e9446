// Delayed: every task past its due date that Deepen reports as delayed, most overdue first.
import { useMemo, useRef } from "react";
import { usePagedTasks } from "../queries/usePagedTasks";
import { useShown } from "../queries/hooks";
import { useVirtualRows } from "../useVirtualRows";
import { HEAD_HEIGHT, ListHead } from "../components/ListHead";
import { datasetName, useDatasets } from "../useDatasets";
import { duration } from "../model/format";
import { displayName } from "../model/board";
import { StatusPill, SyncBadge } from "../components/TaskBadges";
import { Empty, ErrorNote } from "../components/Empty";

const ROW_HEIGHT = 44;

export function Delayed() {
  const { datasets } = useDatasets();
  const byId = useMemo(() => new Map(datasets.map((d) => [d.dataset_id, d])), [datasets]);
  const query = useMemo(
    () => ({
      task_ids: [],
      dataset_id: null,
      stage_id: null,
      statuses: [],
      assignee: null,
      delayed_only: true,
      text: null,
      sort: "overdue" as const,
    }),
    [],
  );
  const list = usePagedTasks(query);
  // The delayed list is refreshed every round while it is shown.
  useShown([], true);
  const total = list.total ?? 0;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualRows(total, scroller, ROW_HEIGHT, 12, list.show, HEAD_HEIGHT);
  const items = virtualizer.getVirtualItems();

  return (
    <section className="view" aria-label="Delayed tasks">
      <header className="view-head">
        <h1>Delayed</h1>
        <span className="muted">
          {list.total === null ? "" : `${total} task${total === 1 ? "" : "s"} past due, most overdue first`}
        </span>
      </header>
      {list.error && <ErrorNote message={list.error.message} />}
      {list.total === 0 ? (
        <Empty title="Nothing is delayed">
          Every task is within its due date. Delayed tasks show up here after each sync.
        </Empty>
      ) : (
        // Focusable so the keyboard can scroll it (arrows, Page Down) and a screen reader can enter it.
        <div
          className="list"
          ref={scroller}
          role="table"
          aria-label="Delayed tasks"
          aria-rowcount={total + 1}
          tabIndex={0}
        >
          <div className="list-inner" style={{ height: virtualizer.getTotalSize() }}>
            <ListHead
              className="delayed"
              columns={["Late by", "Task", "Dataset", "Stage", "Status", "Assignee", "Sync"]}
            />
            {items.map((item) => {
              const row = list.rowAt(item.index);
              const style = { top: item.start };
              if (!row) return <div key={item.key} className="row-line placeholder" style={style} aria-hidden="true" />;
              return (
                <div
                  key={item.key}
                  className="row-line delayed"
                  style={style}
                  role="row"
                  aria-rowindex={item.index + 2}
                  data-testid="delayed-row"
                  data-task-id={row.task_id}
                >
                  <span role="cell" className="overdue strong">
                    {row.delayed_by_millis !== null ? `${duration(row.delayed_by_millis)} late` : "late"}
                  </span>
                  <span role="cell" className="task-id mono" title={row.task_id}>
                    {row.task_id}
                  </span>
                  <span
                    role="cell"
                    className="ellipsis dataset"
                    title={datasetName(byId.get(row.dataset_id), row.dataset_id)}
                  >
                    {datasetName(byId.get(row.dataset_id), row.dataset_id)}
                  </span>
                  <span role="cell" className="stage">
                    {row.stage_id}
                  </span>
                  <span role="cell">
                    <StatusPill status={row.status} />
                  </span>
                  <span role="cell" className="ellipsis" title={row.assignee ?? undefined}>
                    {row.assignee ? displayName(row.assignee) : "Unassigned"}
                  </span>
                  <span role="cell">
                    <SyncBadge row={row} />
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      )}
    </section>
  );
}
