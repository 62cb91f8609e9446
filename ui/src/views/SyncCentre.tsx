// Sync centre: the state of the connection, every action waiting to reach Deepen, and the
// inbox of actions that need a decision, with the reason in plain words.
import { useMemo } from "react";
import type { Op, Resolution, SyncStatus } from "../types";
import { api, call } from "../api";
import { useQueue } from "../queries/hooks";
import { describeOp, onlyDiscardWhy, OP_VIEW_LABEL, opViews } from "../model/queue";
import { reasonText } from "../model/reasons";
import { ago, dateTime } from "../model/format";
import { useNow } from "../useNow";
import { Empty, ErrorNote } from "../components/Empty";
import { useErrorToast, useToast } from "../components/Toast";
import { MeteredSetting } from "../components/MeteredSetting";
import { NotifySettings } from "../components/NotifySettings";
import { DesktopSettings } from "../components/DesktopSettings";
import { CopyDiagnostics } from "../components/CopyDiagnostics";
import { UpdateSection } from "../components/Updates";

const RESOLUTION: Record<Resolution, { label: string; hint: string }> = {
  retry: { label: "Try again", hint: "Check Deepen's current state and send it again if it still applies." },
  discard: { label: "Discard my change", hint: "Keep what Deepen has; your change is dropped." },
  overwrite: { label: "Reassign anyway", hint: "Replace the other person's assignment with yours." },
};

export function SyncCentre({ status, demo }: { status: SyncStatus | null; demo: boolean }) {
  const now = useNow();
  const queue = useQueue();
  const toast = useToast();
  const toastError = useErrorToast();
  const ops = useMemo(() => queue.ops ?? [], [queue.ops]);
  const views = useMemo(() => opViews(ops), [ops]);
  const attention = ops.filter((o) => o.state === "needs_attention");
  const waiting = ops.filter((o) => o.state !== "needs_attention");

  const resolve = async (op: Op, r: Resolution) => {
    try {
      await call(api.resolve(op.op_id, r));
      toast({ kind: "info", text: `${RESOLUTION[r].label}: ${describeOp(op)}` });
    } catch (e) {
      toastError(e);
    }
  };

  return (
    <section className="view" aria-label="Sync centre">
      <header className="view-head">
        <h1>Sync centre</h1>
        {status && (
          <span className="muted">
            {status.last_sync_at ? `Last synced ${ago(status.last_sync_at, now)}` : "Not synced yet"}
          </span>
        )}
        <span className="spacer" />
        <CopyDiagnostics />
      </header>
      {queue.error && <ErrorNote message={queue.error.message} />}
      <MeteredSetting />
      <NotifySettings />
      <DesktopSettings />
      <UpdateSection demo={demo} />
      <div className="sync-grid">
        <div>
          <h2>
            Needs your decision {attention.length > 0 && <span className="count attention">{attention.length}</span>}
          </h2>
          {attention.length === 0 ? (
            <Empty title="Nothing needs your decision">
              When Deepen cannot apply one of your changes as it was made, it waits here for you.
            </Empty>
          ) : (
            <ul className="inbox">
              {attention.map((op) => (
                <li
                  key={op.op_id}
                  className="card attention-item"
                  data-testid="attention-item"
                  data-op-id={op.op_id}
                  data-task-id={op.task_id}
                >
                  <div className="attention-what">{describeOp(op)}</div>
                  <div className="attention-why" data-testid="attention-reason">
                    {reasonText(op)}
                  </div>
                  <div className="muted small-text">Made {dateTime(op.created_at)}</div>
                  {onlyDiscardWhy(op) && (
                    <div className="small-text" data-testid="only-discard">
                      {onlyDiscardWhy(op)}
                    </div>
                  )}
                  <div className="row">
                    {op.choices.map((r) => (
                      <button
                        key={r}
                        className={r === "discard" ? "" : "primary"}
                        title={RESOLUTION[r].hint}
                        onClick={() => void resolve(op, r)}
                        data-testid={`resolve-${r}`}
                      >
                        {RESOLUTION[r].label}
                      </button>
                    ))}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h2>Waiting to sync {waiting.length > 0 && <span className="count">{waiting.length}</span>}</h2>
          {waiting.length === 0 ? (
            <Empty title="Everything is synced">Your changes are sent as soon as Deepen can be reached.</Empty>
          ) : (
            <ul className="queue">
              {waiting.map((op) => {
                const v = views.get(op.op_id) ?? "pending";
                return (
                  <li
                    key={op.op_id}
                    className={`queue-item q-${v}`}
                    data-testid="queue-item"
                    data-op-id={op.op_id}
                    data-view={v}
                  >
                    <span className="queue-what">{describeOp(op)}</span>
                    <span className="queue-state">{OP_VIEW_LABEL[v]}</span>
                    {op.last_error && v !== "held" && (
                      <span className="muted small-text ellipsis" title={op.last_error}>
                        {op.last_error}
                      </span>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
