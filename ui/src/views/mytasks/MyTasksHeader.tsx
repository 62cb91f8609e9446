// My tasks' header: how many tasks, and the actions on the selected ones (or the one at
// the cursor). An action that cannot apply looks disabled, says why on hover, and still
// takes focus and clicks — which say why — so keyboard and screen-reader users learn it too.
import { memo, useState } from "react";
import type { TaskListQuery } from "../../queries/keys";
import type { TaskRow } from "../../types";
import { ExportButton } from "../../components/ExportButton";
import { TaskHistory } from "../../components/TaskHistory";
import { OpenInDeepen } from "../../components/OpenInDeepen";
import type { StatusAction } from "../../model/vocabulary";
import { actionLabel, refusal } from "../../model/actions";

const ACTIONS: { kind: StatusAction; label: string; key: string }[] = [
  { kind: "submit", label: "Submit", key: "s" },
  { kind: "accept", label: "Accept", key: "a" },
  { kind: "reject", label: "Reject", key: "r" },
];

export const MyTasksHeader = memo(function MyTasksHeader({
  total,
  selectedCount,
  chosen,
  onAct,
  query,
}: {
  total: number | null;
  selectedCount: number;
  /** What the actions apply to. */
  chosen: TaskRow[];
  onAct: (kind: StatusAction) => void;
  /** The list shown, for its export. */
  query: TaskListQuery;
}) {
  const [history, setHistory] = useState<string | null>(null);
  const one = chosen.length === 1 ? chosen[0]! : null;
  return (
    <header className="view-head">
      <h1>My tasks</h1>
      <span className="muted" data-testid="task-total">
        {total === null ? "" : `${total} task${total === 1 ? "" : "s"}`}
      </span>
      <span className="spacer" />
      <div className="actions" role="toolbar" aria-label="Actions on the selected tasks">
        <span className="muted">{selectedCount > 0 ? `${selectedCount} selected` : ""}</span>
        {ACTIONS.map(({ kind, label, key }) => {
          const why = refusal(kind, chosen);
          return (
            <button
              key={kind}
              data-testid={`action-${kind}`}
              aria-disabled={why !== null}
              title={why ?? undefined}
              onClick={() => onAct(kind)}
            >
              {actionLabel(label, chosen.length)}
              {kind === "reject" ? "…" : ""} <kbd>{key}</kbd>
            </button>
          );
        })}
        <button
          data-testid="action-history"
          aria-disabled={one === null}
          title={one ? `History of ${one.task_id}` : "Choose one task to see its history"}
          onClick={() => one && setHistory(one.task_id)}
        >
          History
        </button>
        <OpenInDeepen taskId={one?.task_id ?? null} />
        <ExportButton what={{ what: "tasks", query: { ...query, limit: 0, offset: 0 } }} />
      </div>
      {history && <TaskHistory taskId={history} onClose={() => setHistory(null)} />}
    </header>
  );
});
