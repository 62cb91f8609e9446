// Dragging cards between columns with dnd-kit: droppable ids, keyboard moves from column
// to column, collisions, and what a screen reader hears.
import {
  pointerWithin,
  rectIntersection,
  type Announcements,
  type CollisionDetection,
  type KeyboardCoordinateGetter,
} from "@dnd-kit/core";
import type { TaskRow } from "../../types";
import { displayName, UNASSIGNED } from "../../model/board";

export const COLUMN_PREFIX = "col:";

/** What a dragged card carries. */
export interface DragData {
  row: TaskRow;
  column: string;
}

/** The column a droppable id names. */
export function columnOfDroppable(droppableId: string | number): string {
  return String(droppableId).slice(COLUMN_PREFIX.length);
}

/** Arrow keys jump a picked-up card to the next column left or right. */
export const columnKeyboardCoordinates: KeyboardCoordinateGetter = (event, { context }) => {
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
  const target = dir > 0 ? rects.find((r) => r.left > cx) : [...rects].reverse().find((r) => r.left + r.width < cx);
  if (!target) return undefined;
  return {
    x: target.left + (target.width - collisionRect.width) / 2,
    y: Math.max(target.top + 60, Math.min(collisionRect.top, target.top + target.height - collisionRect.height)),
  };
};

export const collision: CollisionDetection = (args) => {
  const hits = pointerWithin(args);
  return hits.length > 0 ? hits : rectIntersection(args);
};

function columnTitle(droppableId: string | number): string {
  const id = columnOfDroppable(droppableId);
  return id === UNASSIGNED ? "Unassigned" : `${displayName(id)}'s column`;
}

export const announcements: Announcements = {
  onDragStart: ({ active }) => `Picked up task ${active.id}. Use the arrow keys to choose a column, space to drop.`,
  onDragOver: ({ active, over }) =>
    over ? `Task ${active.id} is over ${columnTitle(over.id)}.` : `Task ${active.id} is over no column.`,
  onDragEnd: ({ active, over }) =>
    over ? `Task ${active.id} was moved to ${columnTitle(over.id)}.` : `Task ${active.id} was put back.`,
  onDragCancel: ({ active }) => `Moving task ${active.id} was cancelled.`,
};
