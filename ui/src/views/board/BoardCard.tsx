// A task card on the board: draggable, selectable, and the same body in the drag overlay.
import { useEffect } from "react";
import { useDraggable } from "@dnd-kit/core";
import type { TaskRow } from "../../types";
import { dueText } from "../../model/format";
import { useNow } from "../../useNow";
import { StatusPill, SyncBadge } from "../../components/TaskBadges";
import { markCardShown, markListPainted } from "../../metrics";
import type { ClickMods } from "./useSelection";
import type { DragData } from "./dnd";

export function BoardCard({
  row,
  column,
  selected,
  readOnly,
  onClick,
}: {
  row: TaskRow;
  column: string;
  selected: boolean;
  /** Not draggable: the user may not reassign on this board. */
  readOnly: boolean;
  onClick: (mods: ClickMods) => void;
}) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({
    id: row.task_id,
    data: { row, column } satisfies DragData,
    disabled: readOnly,
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
      aria-roledescription={readOnly ? "task" : "task card"}
      onClick={(e) => onClick({ toggle: e.ctrlKey || e.metaKey, range: e.shiftKey })}
    >
      <CardBody row={row} />
    </div>
  );
}

export function CardBody({ row }: { row: TaskRow }) {
  const now = useNow();
  return (
    <>
      <div className="card-top">
        <span className="mono task-id">{row.task_id}</span>
        <SyncBadge row={row} />
      </div>
      <div className="card-bottom">
        <StatusPill status={row.status} />
        <span
          className={row.due_at_millis !== null && row.due_at_millis < now ? "due overdue" : "due"}
          title={dueText(row.due_at_millis, now)}
        >
          {dueText(row.due_at_millis, now)}
        </span>
      </div>
    </>
  );
}
