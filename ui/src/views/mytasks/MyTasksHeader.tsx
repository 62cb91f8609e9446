// My tasks' header: how many tasks, and the actions on the selected ones (or the one at
// the cursor).
import type { StatusAction } from "../../model/vocabulary";

export function MyTasksHeader({
  total,
  selectedCount,
  chosen,
  onAct,
  onReject,
}: {
  total: number | null;
  selectedCount: number;
  /** What the actions apply to. */
  chosen: string[];
  onAct: (kind: Exclude<StatusAction, "reject">) => void;
  onReject: () => void;
}) {
  return (
    <header className="view-head">
      <h1>My tasks</h1>
      <span className="muted" data-testid="task-total">
        {total === null ? "" : `${total} task${total === 1 ? "" : "s"}`}
      </span>
      <span className="spacer" />
      <div className="actions" role="toolbar" aria-label="Actions on the selected tasks">
        <span className="muted">{selectedCount > 0 ? `${selectedCount} selected` : ""}</span>
        <button data-testid="action-submit" disabled={!chosen.length} onClick={() => onAct("submit")}>
          Submit <kbd>s</kbd>
        </button>
        <button data-testid="action-accept" disabled={!chosen.length} onClick={() => onAct("accept")}>
          Accept <kbd>a</kbd>
        </button>
        <button data-testid="action-reject" disabled={!chosen.length} onClick={onReject}>
          Reject… <kbd>r</kbd>
        </button>
      </div>
    </header>
  );
}
