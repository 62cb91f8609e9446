// The dataset board: a column per assignee plus "Unassigned"; drag cards (or a
// multi-selection) to reassign, with pointer or keyboard. Columns are virtualized and
// fetch their tasks page by page, so a stage of 50,000 tasks stays smooth.
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
} from "@dnd-kit/core";
import type { TaskRow } from "../types";
import { api, call, useLoad, UserError } from "../api";
import { dialogOpen, isTyping } from "../keys";
import {
  assignableUsers,
  clickSelect,
  columnsOf,
  displayName,
  moveLabel,
  movesForDrop,
  UNASSIGNED,
  undoAssignments,
  type Column,
  type Move,
  type UndoEntry,
} from "../model/board";
import { OPEN_STATUSES, STATUSES, statusLabel } from "../model/badges";
import { dueText } from "../model/format";
import { usePagedTasks } from "../usePagedTasks";
import { useVirtualRows } from "../useVirtualRows";
import { datasetName, useDatasets } from "../useDatasets";
import { StatusPill, SyncBadge } from "../components/TaskBadges";
import { Empty, ErrorNote } from "../components/Empty";
import { useToast } from "../components/Toast";
import { Dialog } from "../components/Dialog";
import { useNow } from "../useNow";
import { markCardShown, markDrop, markListPainted, markQueued } from "../metrics";

const CARD_HEIGHT = 76;

/** A selected card: where it is and what it shows. */
interface Picked {
  column: string;
  row: TaskRow;
}

/** A card dropped on another column, shown there before the core confirms. */
interface Moving {
  row: TaskRow;
  from: string;
  to: string;
}
const COLUMN_PREFIX = "col:";

type StatusFilter = "open" | "all" | string;

function statusesOf(f: StatusFilter): string[] {
  if (f === "all") return [];
  if (f === "open") return [...OPEN_STATUSES];
  return [f];
}

/** Arrow keys jump a picked-up card to the next column left or right. */
const columnKeyboardCoordinates: KeyboardCoordinateGetter = (event, { context }) => {
  const { collisionRect, droppableRects } = context;
  if (!collisionRect) return undefined;
  const dir = event.code === "ArrowRight" ? 1 : event.code === "ArrowLeft" ? -1 : 0;
  if (dir === 0) return undefined;
  event.preventDefault();
  const rects = [...droppableRects.entries()]
    .filter(([id]) => String(id).startsWith(COLUMN_PREFIX))
    .map(([, r]) => r)
    .sort((a, b) => a.left - b.left);
  const cx = collisionRect.left + collisionRect.width / 2;
  const target =
    dir > 0 ? rects.find((r) => r.left > cx) : [...rects].reverse().find((r) => r.left + r.width < cx);
  if (!target) return undefined;
  return {
    x: target.left + (target.width - collisionRect.width) / 2,
    y: Math.max(target.top + 60, Math.min(collisionRect.top, target.top + target.height - collisionRect.height)),
  };
};

const collision: CollisionDetection = (args) => {
  const hits = pointerWithin(args);
  return hits.length > 0 ? hits : rectIntersection(args);
};

export function Board({ version }: { version: number }) {
  const { datasets, error: dsError, loading } = useDatasets(version);
  const [datasetId, setDatasetId] = useState<string | null>(null);
  const [stageId, setStageId] = useState<string | null>(null);
  const [statusFilter, setStatusFilter] = useState<StatusFilter>("open");
  const [selected, setSelected] = useState<Map<string, Picked>>(new Map());
  // Moves shown at once, before the core confirms them (cleared shortly after it has).
  const [moving, setMoving] = useState<Map<string, Moving>>(new Map());
  const [anchor, setAnchor] = useState<string | null>(null);
  const [dragging, setDragging] = useState<{ row: TaskRow; column: string } | null>(null);
  const [undo, setUndo] = useState<UndoEntry[]>([]);
  const [balancing, setBalancing] = useState(false);
  const toast = useToast();

  const dataset = datasets.find((d) => d.dataset_id === datasetId) ?? datasets[0];
  const stage = dataset && stageId && dataset.stages.includes(stageId) ? stageId : (dataset?.stages[0] ?? null);
  const dsId = dataset?.dataset_id ?? null;

  const loads = useLoad(
    () => (dsId && stage ? call(api.counts(dsId, stage, "assignee")) : Promise.resolve([])),
    `${dsId}/${stage}`,
    version,
  );
  const users = useMemo(() => (dataset ? assignableUsers(dataset) : []), [dataset]);
  const columns = useMemo(() => columnsOf(users, loads.data ?? []), [users, loads.data]);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: columnKeyboardCoordinates }),
  );

  const clearSelection = useCallback(() => {
    setSelected(new Map());
    setAnchor(null);
  }, []);

  const undoEntry = useCallback(
    async (entry: UndoEntry) => {
      // Off the stack first: a quick second Ctrl+Z undoes the move before, not this one again.
      setUndo((u) => u.filter((x) => x !== entry));
      try {
        for (const a of undoAssignments(entry)) await call(api.assign(a.taskIds, a.assignee));
        toast({ kind: "info", text: `Undone: ${entry.label.charAt(0).toLowerCase()}${entry.label.slice(1)}` });
      } catch (e) {
        toast({ kind: "error", text: e instanceof UserError ? e.message : String(e) }, 9000);
      }
    },
    [toast],
  );

  const reassign = useCallback(
    async (moves: Move[], target: string, label: string): Promise<boolean> => {
      if (moves.length === 0) return false;
      try {
        await call(api.assign(moves.map((m) => m.taskId), target === UNASSIGNED ? null : target));
        markQueued();
      } catch (e) {
        toast({ kind: "error", text: e instanceof UserError ? e.message : String(e) }, 9000);
        return false;
      }
      const entry: UndoEntry = { label, moves };
      setUndo((u) => [...u.slice(-19), entry]);
      toast({ kind: "info", text: label, action: { label: "Undo", run: () => void undoEntry(entry) } }, 10_000);
      return true;
    },
    [toast, undoEntry],
  );


  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialogOpen() || isTyping(e)) return;
      if ((e.ctrlKey || e.metaKey) && e.key === "z" && undo.length > 0) {
        e.preventDefault();
        void undoEntry(undo[undo.length - 1]!);
      } else if (e.key === "Escape" && !dragging) clearSelection();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [undo, undoEntry, clearSelection, dragging]);

  const onDragStart = (e: DragStartEvent) => {
    const data = e.active.data.current as { row: TaskRow; column: string } | undefined;
    if (data) setDragging(data);
  };

  const onDragEnd = (e: DragEndEvent) => {
    const data = e.active.data.current as { row: TaskRow; column: string } | undefined;
    setDragging(null);
    if (!data || !e.over) return;
    const target = String(e.over.id).slice(COLUMN_PREFIX.length);
    const moves = movesForDrop({ taskId: data.row.task_id, column: data.column }, target, new Set(selected.keys()), (id) =>
      selected.get(id)?.column,
    );
    if (moves.length === 0) return;
    markDrop(data.row.task_id, target);
    const rows = new Map<string, TaskRow>([[data.row.task_id, data.row]]);
    for (const [id, p] of selected) rows.set(id, p.row);
    const shown = new Map<string, Moving>();
    for (const m of moves) {
      const row = rows.get(m.taskId);
      if (row) shown.set(m.taskId, { row: { ...row, pending_state: "pending" }, from: m.from, to: target });
    }
    setMoving((old) => new Map([...old, ...shown]));
    const settle = () =>
      setMoving((old) => {
        const next = new Map(old);
        for (const id of shown.keys()) if (next.get(id) === shown.get(id)) next.delete(id);
        return next;
      });
    void reassign(moves, target, moveLabel(moves, target)).then((ok) => {
      if (ok) {
        clearSelection();
        // The columns re-query on the change event; keep the instant view until then.
        setTimeout(settle, 1500);
      } else settle();
    });
  };

  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up task ${active.id}. Use the arrow keys to choose a column, space to drop.`,
    onDragOver: ({ active, over }) =>
      over ? `Task ${active.id} is over ${columnTitle(String(over.id))}.` : `Task ${active.id} is over no column.`,
    onDragEnd: ({ active, over }) =>
      over ? `Task ${active.id} was moved to ${columnTitle(String(over.id))}.` : `Task ${active.id} was put back.`,
    onDragCancel: ({ active }) => `Moving task ${active.id} was cancelled.`,
  };

  const onCardClick = useCallback(
    (row: TaskRow, column: string, order: TaskRow[], mods: { toggle: boolean; range: boolean }) => {
      const keys = new Set(selected.keys());
      const next = clickSelect(
        keys,
        anchor,
        row.task_id,
        order.map((r) => r.task_id),
        mods,
      );
      const byId = new Map(order.map((r) => [r.task_id, r]));
      byId.set(row.task_id, row);
      const map = new Map<string, Picked>();
      for (const id of next.selected) {
        const known = selected.get(id);
        const r = byId.get(id);
        if (known) map.set(id, known);
        else if (r) map.set(id, { column, row: r });
      }
      setSelected(map);
      setAnchor(next.anchor);
    },
    [selected, anchor],
  );

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
          Datasets you manage appear after the first sync. Check the status bar: if it says offline, connect to a network
          and press “Sync now”.
        </Empty>
      </section>
    );
  }

  return (
    <section className="view board-view" aria-label="Dataset board">
      <header className="view-head">
        <h1>Board</h1>
        <select
          value={dataset.dataset_id}
          onChange={(e) => (setDatasetId(e.target.value), clearSelection())}
          aria-label="Dataset"
          data-testid="board-dataset"
        >
          {datasets.map((d) => (
            <option key={d.dataset_id} value={d.dataset_id}>
              {datasetName(d, d.dataset_id)}
            </option>
          ))}
        </select>
        <div className="segmented" role="radiogroup" aria-label="Stage">
          {dataset.stages.map((s) => (
            <button
              key={s}
              role="radio"
              aria-checked={s === stage}
              className={s === stage ? "active" : ""}
              onClick={() => (setStageId(s), clearSelection())}
              data-testid={`stage-${s}`}
            >
              {s}
            </button>
          ))}
        </div>
        <select value={statusFilter} onChange={(e) => setStatusFilter(e.target.value)} aria-label="Status" data-testid="board-status">
          <option value="open">Open tasks</option>
          <option value="all">All statuses</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
        <span className="spacer" />
        {selected.size > 0 && (
          <span className="muted" data-testid="board-selected">
            {selected.size} selected · drag any of them
          </span>
        )}
        <button onClick={() => undo.length && void undoEntry(undo[undo.length - 1]!)} disabled={undo.length === 0} data-testid="undo">
          Undo <kbd>Ctrl Z</kbd>
        </button>
        <button className="primary" onClick={() => setBalancing(true)} data-testid="balance">
          Balance…
        </button>
      </header>
      <DndContext
        sensors={sensors}
        collisionDetection={collision}
        onDragStart={onDragStart}
        onDragEnd={onDragEnd}
        onDragCancel={() => setDragging(null)}
        accessibility={{ announcements }}
        // Scroll the board only when the pointer is really at its edge (default: 20%).
        autoScroll={{ threshold: { x: 0.06, y: 0.12 } }}
      >
        <div className="columns" data-testid="board">
          {columns.map((c) => (
            <BoardColumn
              key={c.id}
              column={c}
              datasetId={dataset.dataset_id}
              stageId={stage}
              statuses={statusesOf(statusFilter)}
              version={version}
              selected={selected}
              moving={moving}
              onCardClick={onCardClick}
              maxLoad={Math.max(1, ...columns.map((x) => x.load))}
            />
          ))}
        </div>
        <DragOverlay dropAnimation={null}>
          {dragging && (
            <div className="card-stack">
              <CardBody row={dragging.row} />
              {selected.has(dragging.row.task_id) && selected.size > 1 && (
                <span className="stack-count">{selected.size} tasks</span>
              )}
            </div>
          )}
        </DragOverlay>
      </DndContext>
      {balancing && (
        <BalanceDialog
          users={users}
          loads={columns}
          stage={stage}
          onClose={() => setBalancing(false)}
          onBalance={async (annotators) => {
            setBalancing(false);
            try {
              const shares = await call(api.balance(dataset.dataset_id, stage, annotators));
              const moves = shares.flatMap((s) => s.task_ids.map((taskId) => ({ taskId, from: UNASSIGNED })));
              if (moves.length === 0) {
                toast({ kind: "info", text: "No unassigned open task in this stage: nothing to balance." });
                return;
              }
              const entry: UndoEntry = {
                label: `Gave ${moves.length} task${moves.length === 1 ? "" : "s"} to ${shares.filter((s) => s.task_ids.length).length} people`,
                moves,
              };
              setUndo((u) => [...u.slice(-19), entry]);
              toast({ kind: "info", text: entry.label, action: { label: "Undo", run: () => void undoEntry(entry) } }, 10_000);
            } catch (e) {
              toast({ kind: "error", text: e instanceof UserError ? e.message : String(e) }, 9000);
            }
          }}
        />
      )}
    </section>
  );
}

function columnTitle(droppableId: string): string {
  const id = droppableId.slice(COLUMN_PREFIX.length);
  return id === UNASSIGNED ? "Unassigned" : `${displayName(id)}'s column`;
}

const BoardColumn = memo(function BoardColumn({
  column,
  datasetId,
  stageId,
  statuses,
  version,
  selected,
  moving,
  onCardClick,
  maxLoad,
}: {
  column: Column;
  datasetId: string;
  stageId: string;
  statuses: string[];
  version: number;
  selected: Map<string, Picked>;
  moving: Map<string, Moving>;
  onCardClick: (row: TaskRow, column: string, order: TaskRow[], mods: { toggle: boolean; range: boolean }) => void;
  maxLoad: number;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: COLUMN_PREFIX + column.id });
  const query = useMemo(
    () => ({
      task_ids: [],
      dataset_id: datasetId,
      stage_id: stageId,
      statuses,
      assignee: column.id === UNASSIGNED ? ({ kind: "unassigned" } as const) : ({ kind: "is", email: column.id } as const),
      delayed_only: false,
      text: null,
      sort: "due" as const,
    }),
    [datasetId, stageId, statuses, column.id],
  );
  const list = usePagedTasks(query, version);
  // Cards just dropped here show on top at once, until the re-query has them.
  const { loadedRows } = list;
  const arriving = useMemo(() => {
    const here = new Set(loadedRows().map((r) => r.task_id));
    return [...moving.values()].filter((m) => m.to === column.id && !here.has(m.row.task_id)).map((m) => m.row);
  }, [moving, column.id, loadedRows]);
  const total = (list.total ?? 0) + arriving.length;
  const rowAt = (index: number): TaskRow | undefined =>
    index < arriving.length ? arriving[index] : list.rowAt(index - arriving.length);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualRows(total, scroller, CARD_HEIGHT, 6, list.show);
  const items = virtualizer.getVirtualItems();

  return (
    <div
      className={`column${isOver ? " over" : ""}`}
      ref={setNodeRef}
      data-testid="board-column"
      data-assignee={column.id}
      aria-label={column.title}
    >
      <div className="column-head">
        <span className="column-title ellipsis">{column.title}</span>
        <span className="column-count" data-testid="column-count" title="Tasks shown under the board's filters">
          {list.total ?? "…"}
        </span>
        <div className="load" title={`${column.load} tasks of this stage in all statuses`}>
          <div className="load-bar" style={{ width: `${Math.round((100 * column.load) / maxLoad)}%` }} />
        </div>
        <span className="muted small-text">{column.load} in stage</span>
      </div>
      <div className="column-body" ref={scroller}>
        {total === 0 && <div className="column-empty">Drop tasks here</div>}
        <div style={{ height: virtualizer.getTotalSize() }} className="list-inner">
          {items.map((item) => {
            const row = rowAt(item.index);
            const away = row !== undefined && item.index >= arriving.length && moving.get(row.task_id)?.from === column.id;
            return (
              <div key={item.key} className="card-slot" style={{ transform: `translateY(${item.start}px)` }}>
                {away ? (
                  <div className="card moved-out" aria-hidden="true" />
                ) : row ? (
                  <DraggableCard
                    row={row}
                    column={column.id}
                    selected={selected.has(row.task_id)}
                    onClick={(mods) => onCardClick(row, column.id, list.loadedRows(), mods)}
                  />
                ) : (
                  <div className="card placeholder" />
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
});

function DraggableCard({
  row,
  column,
  selected,
  onClick,
}: {
  row: TaskRow;
  column: string;
  selected: boolean;
  onClick: (mods: { toggle: boolean; range: boolean }) => void;
}) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({
    id: row.task_id,
    data: { row, column },
  });
  useEffect(() => {
    markListPainted();
    markCardShown(row.task_id, column);
  }, [row.task_id, column]);
  return (
    <div
      ref={setNodeRef}
      {...listeners}
      {...attributes}
      className={`card${selected ? " selected" : ""}${isDragging ? " dragging" : ""}`}
      data-testid="task-card"
      data-task-id={row.task_id}
      data-selected={selected}
      aria-roledescription="task card"
      aria-label={`${row.task_id}, ${statusLabel(row.status)}`}
      onClick={(e) => onClick({ toggle: e.ctrlKey || e.metaKey, range: e.shiftKey })}
    >
      <CardBody row={row} />
    </div>
  );
}

function CardBody({ row }: { row: TaskRow }) {
  const now = useNow();
  return (
    <>
      <div className="card-top">
        <span className="mono task-id">{row.task_id}</span>
        <SyncBadge row={row} />
      </div>
      <div className="card-bottom">
        <StatusPill status={row.status} />
        <span className={row.due_at_millis !== null && row.due_at_millis < now ? "due overdue" : "due"}>
          {dueText(row.due_at_millis, now)}
        </span>
      </div>
    </>
  );
}

function BalanceDialog({
  users,
  loads,
  stage,
  onClose,
  onBalance,
}: {
  users: string[];
  loads: Column[];
  stage: string;
  onClose: () => void;
  onBalance: (annotators: string[]) => void;
}) {
  const [chosen, setChosen] = useState<Set<string>>(new Set(users));
  const unassigned = loads.find((c) => c.id === UNASSIGNED)?.load ?? 0;
  return (
    <Dialog title={`Balance the unassigned tasks of ${stage}`} onClose={onClose}>
      <p className="muted">
        The {unassigned} unassigned task{unassigned === 1 ? "" : "s"} of this stage go to the people you choose, fewest open
        tasks first. You can undo it until it syncs.
      </p>
      <div className="choices">
        {users.map((u) => (
          <label key={u} className="check">
            <input
              type="checkbox"
              checked={chosen.has(u)}
              onChange={(e) =>
                setChosen((s) => {
                  const n = new Set(s);
                  if (e.target.checked) n.add(u);
                  else n.delete(u);
                  return n;
                })
              }
            />
            {displayName(u)} <span className="muted">({loads.find((c) => c.id === u)?.load ?? 0} in stage)</span>
          </label>
        ))}
      </div>
      <div className="row end">
        <button onClick={onClose}>Cancel</button>
        <button className="primary" disabled={chosen.size === 0} onClick={() => onBalance([...chosen])} data-testid="balance-confirm">
          Balance
        </button>
      </div>
    </Dialog>
  );
}
