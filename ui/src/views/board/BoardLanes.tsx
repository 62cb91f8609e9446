// The board's columns under one drag-and-drop context: dropping a card (or the selection
// it belongs to) on another column reassigns it, shown at once, undoable; Ctrl+Z undoes
// the last move and Escape clears the selection.
import { useEffect, useMemo, useRef, useState } from "react";
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type DragEndEvent,
  type DragStartEvent,
} from "@dnd-kit/core";
import type { TaskRow } from "../../types";
import { moveLabel, movesForDrop, type Column } from "../../model/board";
import { dialogOpen, isTyping } from "../../keys";
import { markDrop } from "../../metrics";
import { BoardColumn } from "./BoardColumn";
import { CardBody } from "./BoardCard";
import { useOffscreenColumns } from "./useOffscreenColumns";
import { announcements, collision, columnKeyboardCoordinates, columnOfDroppable, type DragData } from "./dnd";
import { useOptimisticMoves } from "./useOptimisticMoves";
import type { Selection } from "./useSelection";
import type { UndoStack } from "./useUndoStack";

/** Focuses the card of `taskId` in column `column` once it is drawn there, and keeps it
 * focused for a few frames (the drag library gives focus back to where the drag began). */
function focusCardWhenShown(root: HTMLElement, column: string, taskId: string): void {
  const selector = `[data-assignee="${CSS.escape(column)}"] [data-testid=task-card][data-task-id="${CSS.escape(taskId)}"]`;
  let frames = 60;
  let held = 0;
  const step = () => {
    const card = root.querySelector<HTMLElement>(selector);
    if (card) {
      if (document.activeElement !== card) card.focus();
      held += 1;
    }
    frames -= 1;
    if (frames > 0 && held < 6) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}

export function BoardLanes({
  columns,
  datasetId,
  stageId,
  statuses,
  selection,
  undo,
  readOnly,
}: {
  columns: Column[];
  datasetId: string;
  stageId: string;
  statuses: string[];
  selection: Selection;
  undo: UndoStack;
  /** The user may not reassign here: no dragging. */
  readOnly: boolean;
}) {
  const [dragging, setDragging] = useState<DragData | null>(null);
  const { moving, show } = useOptimisticMoves();
  const { selected, clear, click } = selection;
  const { canUndo, undoLast, reassign } = undo;
  const pointer = useSensor(PointerSensor, { activationConstraint: { distance: 5 } });
  const keyboard = useSensor(KeyboardSensor, { coordinateGetter: columnKeyboardCoordinates });
  const sensors = useSensors(...(readOnly ? [] : [pointer, keyboard]));
  const board = useRef<HTMLDivElement>(null);
  const offscreen = useOffscreenColumns(board, columns.length);
  const maxLoad = useMemo(() => Math.max(1, ...columns.map((x) => x.load)), [columns]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialogOpen() || isTyping(e)) return;
      if ((e.ctrlKey || e.metaKey) && e.key === "z" && canUndo) {
        e.preventDefault();
        undoLast();
      } else if (e.key === "Escape" && !dragging) clear();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [canUndo, undoLast, clear, dragging]);

  const onDragStart = (e: DragStartEvent) => {
    const data = e.active.data.current as DragData | undefined;
    if (data) setDragging(data);
  };

  const onDragEnd = (e: DragEndEvent) => {
    const data = e.active.data.current as DragData | undefined;
    setDragging(null);
    if (!data || !e.over) return;
    const target = columnOfDroppable(e.over.id);
    const dragged = { taskId: data.row.task_id, column: data.column };
    const moves = movesForDrop(dragged, target, new Set(selected.keys()), (id) => selected.get(id)?.column);
    if (moves.length === 0) return;
    markDrop(data.row.task_id, target);
    const rows = new Map<string, TaskRow>([[data.row.task_id, data.row]]);
    for (const [id, p] of selected) rows.set(id, p.row);
    const settle = show(moves, rows, target);
    // Focus follows the moved card into its new column (a keyboard drop goes on from there).
    if (board.current) focusCardWhenShown(board.current, target, data.row.task_id);
    void reassign(moves, target, moveLabel(moves, target)).then((ok) => {
      if (ok) clear();
      settle(ok);
    });
  };

  return (
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
      <div className="columns-frame">
        {offscreen.left > 0 && (
          <button
            className="offscreen left"
            data-testid="offscreen-left"
            onClick={() => board.current?.scrollBy({ left: -board.current.clientWidth * 0.8, behavior: "smooth" })}
          >
            ← {offscreen.left} more
          </button>
        )}
        <div className="columns" data-testid="board" ref={board}>
          {columns.map((c) => (
            <BoardColumn
              key={c.id}
              column={c}
              datasetId={datasetId}
              stageId={stageId}
              statuses={statuses}
              selected={selected}
              moving={moving}
              onCardClick={click}
              maxLoad={maxLoad}
              readOnly={readOnly}
            />
          ))}
        </div>
        {offscreen.right > 0 && (
          <button
            className="offscreen right"
            data-testid="offscreen-right"
            onClick={() => board.current?.scrollBy({ left: board.current.clientWidth * 0.8, behavior: "smooth" })}
          >
            {offscreen.right} more →
          </button>
        )}
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
  );
}
