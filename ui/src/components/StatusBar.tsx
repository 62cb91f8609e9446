// Always visible: can Deepen be reached, what waits to be sent, when it last synced.
import { useState } from "react";
import { useNow } from "../useNow";
import type { SyncStatus } from "../types";
import { api, call } from "../api";
import { ago } from "../model/format";
import { usePreferences } from "../queries/hooks";
import { UpdateBadge } from "./Updates";
import { useLasting } from "../useLasting";

/** A round shorter than this is not shown as busy (offline probes take milliseconds). */
const SHOW_BUSY_AFTER_MS = 400;

const LABEL: Record<SyncStatus["connectivity"], string> = {
  online: "Online",
  offline: "Offline",
  needs_sign_in: "Sign in again",
};

const HINT: Record<SyncStatus["connectivity"], string> = {
  online: "Deepen answered the last request.",
  offline: "Deepen cannot be reached. Everything you do is kept here and sent when the network is back.",
  needs_sign_in: "Deepen refused the token. Your changes are kept; sign in again to send them.",
};

export function StatusBar({ status, onOpen }: { status: SyncStatus | null; onOpen: () => void }) {
  const now = useNow();
  const [asked, setAsked] = useState(false);
  const { preferences } = usePreferences();
  const busy = useLasting(status?.syncing ?? false, SHOW_BUSY_AFTER_MS);
  if (!status) return <footer className="statusbar" data-testid="status-bar" />;
  const c = status.connectivity;
  return (
    <footer
      className={`statusbar ${c}${busy ? " syncing" : ""}`}
      data-testid="status-bar"
      data-connectivity={c}
      data-syncing={busy}
      data-round={status.syncing}
      data-last-sync={status.last_sync_at ?? ""}
      data-pending={status.pending}
      data-attention={status.needs_attention}
    >
      <span
        className="conn"
        title={status.last_error && c !== "online" ? `${HINT[c]}\n\n${status.last_error}` : HINT[c]}
      >
        <span className="dot" aria-hidden="true" />
        <span data-testid="connectivity">{LABEL[c]}</span>
      </span>
      <button className="plain" onClick={onOpen} title="Open the sync centre">
        {status.pending === 0 ? "Nothing waiting" : `${status.pending} waiting to sync`}
      </button>
      {status.needs_attention > 0 && (
        <button className="plain attention" onClick={onOpen}>
          {status.needs_attention} need{status.needs_attention === 1 ? "s" : ""} your decision
        </button>
      )}
      <span className="muted">
        {status.last_sync_at ? `Last synced ${ago(status.last_sync_at, now)}` : "Not synced yet"}
      </span>
      {c === "offline" && <span className="muted">Your changes are kept and sent when Deepen can be reached.</span>}
      {c === "needs_sign_in" && <span className="attention">Deepen refused the sign-in token: sign in again.</span>}
      {c === "online" && status.last_error && (
        <span className="muted ellipsis" title={status.last_error}>
          The last update from Deepen had a problem; it is retried.
        </span>
      )}
      <span className="spacer" />
      <UpdateBadge onOpen={onOpen} />
      {status.metered && (
        <button
          className="plain muted"
          data-testid="metered-note"
          data-by={preferences?.metered ? "user" : "system"}
          onClick={onOpen}
          title={
            preferences?.metered
              ? "Only your own tasks and what is on screen are refreshed. Change it in the sync centre."
              : "The system says this connection is metered: only your own tasks and what is on screen are refreshed. Change it in the sync centre."
          }
        >
          Metered connection
        </button>
      )}
      {/* Never disabled: a round already running may be a mere push, or may have failed
          just before the network came back — a click then asks for a full round after it. */}
      <button
        className="small"
        data-testid="sync-now"
        aria-busy={busy}
        title={busy ? "A sync is running; clicking asks for a full one after it." : undefined}
        onClick={() => {
          setAsked(true);
          void call(api.syncNow()).finally(() => setTimeout(() => setAsked(false), 1500));
        }}
      >
        {asked || busy ? "Syncing…" : "Sync now"}
      </button>
    </footer>
  );
}
