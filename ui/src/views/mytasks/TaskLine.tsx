// One row of My tasks (or its placeholder while its page loads). Rows are memoized: a list
// scrolling renders the rows that come into view, not every row on screen.
import { memo, useEffect } from "react";
import type { TaskRow } from "../../types";
import { dueText } from "../../model/format";
import { markListPainted } from "../../metrics";
import { StatusPill, SyncBadge } from "../../components/TaskBadges";

export const TaskLine = memo(function TaskLine({
  top,
  index,
  row,
  datasetLabel,
  selected,
  focused,
  now,
  onToggle,
  onFocus,
  onUndo,
}: {
  top: number;
  index: number;
  row: TaskRow | undefined;
  datasetLabel: string;
  selected: boolean;
  focused: boolean;
  now: number;
  onToggle: (id: string) => void;
  /** The row at `index` was clicked: the cursor goes there. */
  onFocus: (index: number) => void;
  /** Takes back the row's action not sent yet. */
  onUndo: (id: string) => void;
}) {
  const painted = row !== undefined;
  useEffect(() => {
    if (painted) markListPainted();
  }, [painted]);
  const style = { top };
  if (!row) {
    return <div className="row-line placeholder" style={style} aria-hidden="true" />;
  }
  const overdue = row.due_at_millis !== null && row.due_at_millis < now;
  return (
    <div
      className={`row-line${selected ? " selected" : ""}${focused ? " focused" : ""}`}
      style={style}
      role="row"
      // One tab stop for the list: the cursor's row (arrows move it; it takes focus).
      tabIndex={focused ? 0 : -1}
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-testid="task-row"
      data-task-id={row.task_id}
      data-status={row.status}
      onClick={(e) => {
        onFocus(index);
        if (e.ctrlKey || e.metaKey || (e.target as HTMLElement).tagName === "INPUT") return;
        onToggle(row.task_id);
      }}
    >
      <span role="gridcell">
        <input
          type="checkbox"
          checked={selected}
          onChange={() => onToggle(row.task_id)}
          aria-label={`Select ${row.task_id}`}
          // Selecting from the keyboard is x or Space on the row: not one tab stop per row.
          tabIndex={-1}
          data-testid="row-select"
        />
      </span>
      <span role="gridcell" className="task-id mono" title={row.task_id}>
        {row.task_id}
      </span>
      <span role="gridcell" className="ellipsis dataset" title={datasetLabel}>
        {datasetLabel}
      </span>
      <span role="gridcell" className="stage">
        {row.stage_id}
      </span>
      <span role="gridcell">
        <StatusPill status={row.status} />
      </span>
      <span role="gridcell" className={overdue ? "due overdue" : "due"}>
        {dueText(row.due_at_millis, now)}
      </span>
      <span role="gridcell" className="sync-cell">
        <SyncBadge row={row} />
        {row.pending_state === "pending" && row.pending !== null && row.pending !== "assign" && (
          <button
            className="link small-text"
            data-testid="row-undo"
            aria-label={`Take back the ${row.pending} of ${row.task_id}`}
            onClick={(e) => {
              e.stopPropagation();
              onUndo(row.task_id);
            }}
          >
            Undo
          </button>
        )}
      </span>
    </div>
  );
});
