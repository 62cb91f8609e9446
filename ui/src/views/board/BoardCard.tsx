// A task card on the board: draggable, selectable, and the same body in the drag overlay.
// Cards are memoized: a column scrolling renders the cards that come into view, not every
// card on screen.
import { memo, useEffect } from "react";
import { useDraggable } from "@dnd-kit/core";
import type { TaskRow } from "../../types";
import { dueText } from "../../model/format";
import { useNow } from "../../useNow";
import { StatusPill, SyncBadge } from "../../components/TaskBadges";
import { markCardShown, markListPainted } from "../../metrics";
import type { ClickMods } from "./useSelection";
import type { DragData } from "./dnd";

export const BoardCard = memo(function BoardCard({
  row,
  column,
  top,
  selected,
  readOnly,
  first,
  now,
  onClick,
}: {
  row: TaskRow;
  column: string;
  /** Where the card sits in its column's list (px). */
  top: number;
  selected: boolean;
  /** Not draggable: the user may not reassign on this board. */
  readOnly: boolean;
  /** The column's first card: its one tab stop (arrows move between cards). */
  first: boolean;
  now: number;
  onClick: (row: TaskRow, mods: ClickMods) => void;
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
      className={`card slot${selected ? " selected" : ""}${isDragging ? " dragging" : ""}`}
      style={{ top }}
      data-testid="task-card"
      data-task-id={row.task_id}
      data-selected={selected}
      aria-roledescription={readOnly ? "task" : "task card"}
      aria-pressed={selected}
      tabIndex={first ? 0 : -1}
      onKeyDown={(e) => {
        if (!isDragging && e.key === "x" && !e.ctrlKey && !e.metaKey && !e.altKey) {
          e.preventDefault();
          onClick(row, { toggle: !e.shiftKey, range: e.shiftKey });
        } else if (!isDragging && focusNeighbour(e.currentTarget, e.key)) {
          e.preventDefault();
        } else {
          listeners?.onKeyDown?.(e);
        }
      }}
      onClick={(e) => onClick(row, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey })}
    >
      <CardFace row={row} now={now} />
    </div>
  );
});

/** Moves focus from `card` to the card above or below it, or to the nearest one in the
 * column to its left or right; whether `key` was such a move. */
function focusNeighbour(card: HTMLElement, key: string): boolean {
  const column = card.closest("[data-testid=board-column]");
  if (!column) return false;
  const cardsOf = (col: Element | null) => [...(col?.querySelectorAll<HTMLElement>("[data-testid=task-card]") ?? [])];
  const here = cardsOf(column);
  const at = here.indexOf(card);
  let next: HTMLElement | undefined;
  if (key === "ArrowDown") next = here[at + 1];
  else if (key === "ArrowUp") next = here[at - 1];
  else if (key === "ArrowLeft" || key === "ArrowRight") {
    const columns = [...(column.parentElement?.querySelectorAll("[data-testid=board-column]") ?? [])];
    const step = key === "ArrowLeft" ? -1 : 1;
    for (let c = columns.indexOf(column) + step; c >= 0 && c < columns.length; c += step) {
      const there = cardsOf(columns[c]!);
      if (there.length) {
        next = there[Math.min(at, there.length - 1)];
        break;
      }
    }
  } else return false;
  next?.focus();
  next?.scrollIntoView({ block: "nearest", inline: "nearest" });
  return true;
}

function CardFace({ row, now }: { row: TaskRow; now: number }) {
  const due = dueText(row.due_at_millis, now);
  return (
    <>
      <div className="card-top">
        <span className="mono task-id">{row.task_id}</span>
        <SyncBadge row={row} />
      </div>
      <div className="card-bottom">
        <StatusPill status={row.status} />
        <span className={row.due_at_millis !== null && row.due_at_millis < now ? "due overdue" : "due"} title={due}>
          {due}
        </span>
      </div>
    </>
  );
}

/** The card's face in the drag overlay. */
export function CardBody({ row }: { row: TaskRow }) {
  return <CardFace row={row} now={useNow()} />;
}
