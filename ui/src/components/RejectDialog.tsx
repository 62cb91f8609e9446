import { useState } from "react";
import { Dialog } from "./Dialog";

export function RejectDialog({
  count,
  onReject,
  onClose,
}: {
  count: number;
  onReject: (reason: string) => void;
  onClose: () => void;
}) {
  const [reason, setReason] = useState("");
  return (
    <Dialog title={count === 1 ? "Reject this task" : `Reject ${count} tasks`} onClose={onClose}>
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
