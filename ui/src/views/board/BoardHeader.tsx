// The board's header: dataset, stage and status filter, the selection, undo and balance.
import type { DatasetInfo } from "../../types";
import { OpenInDeepen } from "../../components/OpenInDeepen";
import { STATUSES, statusLabel } from "../../model/vocabulary";
import { DatasetSelect } from "../../components/DatasetSelect";

export function BoardHeader({
  datasets,
  dataset,
  stage,
  statusFilter,
  selectedCount,
  selectedOne,
  canUndo,
  onDataset,
  onStage,
  onStatusFilter,
  onUndo,
  onBalance,
}: {
  datasets: DatasetInfo[];
  dataset: DatasetInfo;
  stage: string;
  statusFilter: string;
  selectedCount: number;
  /** The one selected card's task, when exactly one is selected. */
  selectedOne: string | null;
  canUndo: boolean;
  onDataset: (id: string) => void;
  onStage: (stage: string) => void;
  onStatusFilter: (filter: string) => void;
  onUndo: () => void;
  onBalance: () => void;
}) {
  return (
    <header className="view-head">
      <h1>Board</h1>
      <DatasetSelect
        datasets={datasets}
        value={dataset.dataset_id}
        onChange={(id) => id && onDataset(id)}
        testId="board-dataset"
      />
      <div className="segmented" role="radiogroup" aria-label="Stage">
        {dataset.stages.map((s) => (
          <button
            key={s}
            role="radio"
            aria-checked={s === stage}
            className={s === stage ? "active" : ""}
            onClick={() => onStage(s)}
            data-testid={`stage-${s}`}
          >
            {s}
          </button>
        ))}
      </div>
      <select
        value={statusFilter}
        onChange={(e) => onStatusFilter(e.target.value)}
        aria-label="Status"
        data-testid="board-status"
      >
        <option value="open">Open tasks</option>
        <option value="all">All statuses</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {statusLabel(s)}
          </option>
        ))}
      </select>
      <span className="spacer" />
      {selectedCount > 0 && (
        <span className="muted" data-testid="board-selected">
          {selectedCount} selected{dataset.may_reassign ? " · drag any of them" : ""}
        </span>
      )}
      <OpenInDeepen taskId={selectedOne} />
      {dataset.may_reassign ? (
        <>
          <button onClick={onUndo} disabled={!canUndo} data-testid="undo">
            Undo <kbd>Ctrl Z</kbd>
          </button>
          <button className="primary" onClick={onBalance} data-testid="balance">
            Balance…
          </button>
        </>
      ) : (
        <span className="muted" data-testid="board-read-only">
          View only: in Deepen, only this dataset&apos;s admins can reassign its tasks.
        </span>
      )}
    </header>
  );
}
