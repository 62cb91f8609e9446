// The dataset board: a column per assignee plus "Unassigned"; drag cards (or a
// multi-selection) to reassign, with pointer or keyboard. Columns are virtualized and
// fetch their tasks page by page, so a stage of 50,000 tasks stays smooth. The parts are
// in ./board: header, columns and cards, selection, undo, the balance dialog.
import { useMemo, useState } from "react";
import { assignableUsers, columnsOf } from "../model/board";
import { OPEN_STATUSES } from "../model/vocabulary";
import { useCounts, useShown } from "../queries/hooks";
import { useDatasets } from "../useDatasets";
import { Empty, ErrorNote } from "../components/Empty";
import { BoardHeader } from "./board/BoardHeader";
import { BoardLanes } from "./board/BoardLanes";
import { BalanceDialog, useBalance } from "./board/BalanceDialog";
import { useSelection } from "./board/useSelection";
import { useUndoStack } from "./board/useUndoStack";

/** "open", "all", or one status. */
type StatusFilter = "open" | "all" | string;

function statusesOf(f: StatusFilter): string[] {
  if (f === "all") return [];
  if (f === "open") return [...OPEN_STATUSES];
  return [f];
}

export function Board() {
  const { datasets, error: dsError, loading } = useDatasets();
  const [datasetId, setDatasetId] = useState<string | null>(null);
  const [stageId, setStageId] = useState<string | null>(null);
  const [statusFilter, setStatusFilter] = useState<StatusFilter>("open");
  const [balancing, setBalancing] = useState(false);
  const selection = useSelection();
  const undo = useUndoStack();
  const balance = useBalance(undo.push);

  const dataset = datasets.find((d) => d.dataset_id === datasetId) ?? datasets[0];
  const stage = dataset && stageId && dataset.stages.includes(stageId) ? stageId : (dataset?.stages[0] ?? null);
  const loads = useCounts(stage ? (dataset?.dataset_id ?? null) : null, stage, "assignee");
  const users = useMemo(() => (dataset ? assignableUsers(dataset) : []), [dataset]);
  const columns = useMemo(() => columnsOf(users, loads.data ?? []), [users, loads.data]);
  const statuses = useMemo(() => statusesOf(statusFilter), [statusFilter]);
  // The dataset on the board is refreshed every round while it is shown.
  useShown(dataset ? [dataset.dataset_id] : [], false);

  if (loading && datasets.length === 0) {
    return (
      <section className="view">
        <header className="view-head">
          <h1>Board</h1>
          <span className="muted">Loading…</span>
        </header>
      </section>
    );
  }
  if (dsError) return <ErrorNote message={dsError} />;
  if (!dataset || !stage) {
    return (
      <section className="view">
        <header className="view-head">
          <h1>Board</h1>
        </header>
        <Empty title="No dataset here yet">
          Datasets you manage appear after the first sync. Check the status bar: if it says offline, connect to a
          network and press “Sync now”.
        </Empty>
      </section>
    );
  }

  return (
    <section className="view board-view" aria-label="Dataset board">
      <BoardHeader
        datasets={datasets}
        dataset={dataset}
        stage={stage}
        statusFilter={statusFilter}
        selectedCount={selection.selected.size}
        selectedOne={selection.selected.size === 1 ? ([...selection.selected.keys()][0] ?? null) : null}
        canUndo={undo.canUndo}
        onDataset={(id) => (setDatasetId(id), selection.clear())}
        onStage={(s) => (setStageId(s), selection.clear())}
        onStatusFilter={setStatusFilter}
        onUndo={undo.undoLast}
        onBalance={() => setBalancing(true)}
      />
      <BoardLanes
        columns={columns}
        datasetId={dataset.dataset_id}
        stageId={stage}
        statuses={statuses}
        selection={selection}
        undo={undo}
        readOnly={!dataset.may_reassign}
      />
      {balancing && (
        <BalanceDialog
          datasetId={dataset.dataset_id}
          users={users}
          loads={columns}
          stage={stage}
          onClose={() => setBalancing(false)}
          onBalance={(annotators) => {
            setBalancing(false);
            void balance(dataset.dataset_id, stage, annotators);
          }}
        />
      )}
    </section>
  );
}
