// One column of the board: a person's (or the unassigned) tasks of the stage, virtualized
// and fetched page by page; cards just dropped here show on top at once.
import { memo, useCallback, useLayoutEffect, useMemo, useRef } from "react";
import { useDroppable } from "@dnd-kit/core";
import type { TaskRow } from "../../types";
import { columnQuery, type Column } from "../../model/board";
import { usePagedTasks } from "../../queries/usePagedTasks";
import { useVirtualRows } from "../../useVirtualRows";
import { useNow } from "../../useNow";
import { BoardCard } from "./BoardCard";
import { COLUMN_PREFIX } from "./dnd";
import type { Moving } from "./useOptimisticMoves";
import type { ClickMods, Picked, Selection } from "./useSelection";

/** A card and the gap under it (px). */
const CARD_HEIGHT = 76;
const NONE: TaskRow[] = [];

export const BoardColumn = memo(function BoardColumn({
  column,
  datasetId,
  stageId,
  statuses,
  selected,
  moving,
  onCardClick,
  maxLoad,
  readOnly,
}: {
  column: Column;
  datasetId: string;
  stageId: string;
  statuses: string[];
  selected: ReadonlyMap<string, Picked>;
  moving: ReadonlyMap<string, Moving>;
  onCardClick: Selection["click"];
  maxLoad: number;
  readOnly: boolean;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: COLUMN_PREFIX + column.id });
  const query = useMemo(
    () => columnQuery(datasetId, stageId, statuses, column.id),
    [datasetId, stageId, statuses, column.id],
  );
  const list = usePagedTasks(query);
  // Cards just dropped here show on top at once, until the re-query has them.
  const { loadedRows } = list;
  const arriving = useMemo(() => {
    const coming = [...moving.values()].filter((m) => m.to === column.id);
    if (coming.length === 0) return NONE;
    const here = new Set(loadedRows().map((r) => r.task_id));
    return coming.filter((m) => !here.has(m.row.task_id)).map((m) => m.row);
  }, [moving, column.id, loadedRows]);
  const total = (list.total ?? 0) + arriving.length;
  const rowAt = (index: number): TaskRow | undefined =>
    index < arriving.length ? arriving[index] : list.rowAt(index - arriving.length);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualRows(total, scroller, CARD_HEIGHT, 4, list.show);
  const items = virtualizer.getVirtualItems();
  const now = useNow();
  // One click handler for every card, so that a card shown again is not rendered again.
  const loaded = useRef(loadedRows);
  useLayoutEffect(() => {
    loaded.current = loadedRows;
  }, [loadedRows]);
  const onClick = useCallback(
    (row: TaskRow, mods: ClickMods) => onCardClick(row, column.id, loaded.current(), mods),
    [onCardClick, column.id],
  );

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
        {total === 0 && <div className="column-empty">{readOnly ? "No tasks" : "Drop tasks here"}</div>}
        <div style={{ height: virtualizer.getTotalSize() }} className="list-inner">
          {items.map((item) => {
            const row = rowAt(item.index);
            const away =
              row !== undefined && item.index >= arriving.length && moving.get(row.task_id)?.from === column.id;
            return away ? (
              <div key={item.key} className="card slot moved-out" style={{ top: item.start }} aria-hidden="true" />
            ) : row ? (
              <BoardCard
                key={item.key}
                row={row}
                column={column.id}
                top={item.start}
                selected={selected.has(row.task_id)}
                readOnly={readOnly}
                first={item.index === 0}
                now={now}
                onClick={onClick}
              />
            ) : (
              <div key={item.key} className="card slot placeholder" style={{ top: item.start }} />
            );
          })}
        </div>
      </div>
    </div>
  );
});
