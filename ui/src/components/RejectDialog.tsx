import { useState } from "react";
import { Dialog } from "./Dialog";

export function RejectDialog({
  taskIds,
  onReject,
  onClose,
}: {
  /** The tasks it rejects: named in the dialog. */
  taskIds: string[];
  onReject: (reason: string) => void;
  onClose: () => void;
}) {
  const [reason, setReason] = useState("");
  return (
    <Dialog title={taskIds.length === 1 ? `Reject ${taskIds[0]}` : `Reject ${taskIds.length} tasks`} onClose={onClose}>
      {taskIds.length > 1 && (
        <p className="muted small-text" data-testid="reject-tasks">
          {taskIds.length <= 5
            ? taskIds.join(", ")
            : `${taskIds.slice(0, 5).join(", ")} and ${taskIds.length - 5} more`}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (reason.trim()) onReject(reason.trim());
        }}
      >
        <label>
          Reason (the annotator sees it)
          <textarea
            data-testid="reject-reason"
            value={reason}
            rows={3}
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && reason.trim()) onReject(reason.trim());
            }}
          />
        </label>
        <div className="row end">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary danger" disabled={!reason.trim()} data-testid="reject-confirm">
            Reject
          </button>
        </div>
      </form>
    </Dialog>
  );
}
