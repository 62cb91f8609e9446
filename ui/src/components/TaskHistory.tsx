// A task's history as this device saw it: who had it, its status changes (rejects with
// the reviewer's reason), and this device's actions with how they ended.
import { useQuery } from "@tanstack/react-query";
import { api, asUserError, call } from "../api";
import { queryKeys } from "../queries/keys";
import { describe, sourceWords } from "../model/activity";
import { dateTime } from "../model/format";
import { Dialog } from "./Dialog";

export function TaskHistory({ taskId, onClose }: { taskId: string; onClose: () => void }) {
  const q = useQuery({ queryKey: queryKeys.history(taskId), queryFn: () => call(api.taskHistory(taskId)) });
  return (
    <Dialog title={`History of ${taskId}`} onClose={onClose}>
      <p className="muted small-text">
        What this device saw, with when it first saw it. Changes made and undone between two syncs are not seen.
      </p>
      {q.error && <p role="alert">{asUserError(q.error).message}</p>}
      {q.data && q.data.length === 0 && <p data-testid="history-empty">Nothing recorded yet for this task.</p>}
      {q.data && q.data.length > 0 && (
        <ol className="history" data-testid="task-history">
          {q.data.map((e) => (
            <li key={e.id}>
              <time dateTime={new Date(e.at).toISOString()}>{dateTime(e.at)}</time>
              <span>{describe(e)}</span>
              <span className="muted">{sourceWords(e)}</span>
            </li>
          ))}
        </ol>
      )}
      <div className="dialog-actions">
        <button className="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
