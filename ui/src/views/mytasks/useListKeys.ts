// My tasks from the keyboard: ↑↓/jk move (Shift extends the selection), x or Space
// selects, Ctrl+A selects every loaded task, s/a/r act, / searches, Esc unselects.
import { useEffect } from "react";
import type { StatusAction } from "../../model/vocabulary";
import { dialogOpen, isTyping } from "../../keys";
import type { PagedTasks } from "../../queries/usePagedTasks";

export function useListKeys({
  paused,
  list,
  cursor,
  moveCursor,
  toggle,
  selectAll,
  clear,
  act,
  reject,
  focusSearch,
}: {
  /** A dialog of the view is open. */
  paused: boolean;
  list: PagedTasks;
  cursor: number;
  moveCursor: (to: number, extend: boolean) => void;
  toggle: (id: string) => void;
  selectAll: () => void;
  clear: () => void;
  /** Submits or accepts the selected tasks (or the one at the cursor). */
  act: (kind: StatusAction) => void;
  reject: () => void;
  focusSearch: () => void;
}): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (paused || isTyping(e) || dialogOpen()) return;
      // Space and Enter belong to a focused button, link or menu.
      const onControl = e.target instanceof HTMLElement && e.target.closest("button, a, select") !== null;
      if (onControl && (e.key === " " || e.key === "Enter")) return;
      const row = list.rowAt(cursor);
      if (e.key === "ArrowDown" || e.key === "j") moveCursor(cursor + 1, e.shiftKey);
      else if (e.key === "ArrowUp" || e.key === "k") moveCursor(cursor - 1, e.shiftKey);
      else if ((e.key === "x" || e.key === " ") && row) toggle(row.task_id);
      else if (e.key === "a" && (e.ctrlKey || e.metaKey)) selectAll();
      else if (e.ctrlKey || e.metaKey || e.altKey) return;
      else if (e.key === "s") act("submit");
      else if (e.key === "a") act("accept");
      else if (e.key === "r") reject();
      else if (e.key === "/") focusSearch();
      else if (e.key === "Escape") clear();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [paused, list, cursor, moveCursor, toggle, selectAll, clear, act, reject, focusSearch]);
}
