// Updates: what the app found, and the user's say before anything is installed. The shell
// checks in the background (never in demo mode, offline or metered) and verifies a
// download's signature before installing; a refused download is said in words.
import { useState } from "react";
import { api, call } from "../api";
import { useUpdateState } from "../queries/hooks";
import { dateTime } from "../model/format";
import { useErrorToast } from "./Toast";
import type { UpdateState } from "../types";

/** The state in one sentence. */
export function updateSummary(state: UpdateState): string {
  switch (state.state) {
    case "unchecked":
      return "Updates are looked for once a day while you are online (not in demo mode or on a metered connection).";
    case "checking":
      return "Looking for an update…";
    case "up_to_date":
      return `Deepen Tasks is up to date (checked ${dateTime(state.checked_at)}).`;
    case "available":
      return `Deepen Tasks ${state.offer.version} is available (you have ${state.offer.current_version}).`;
    case "installing":
      return `Installing ${state.version}… Deepen Tasks restarts when it is done.`;
    case "failed":
      return state.message;
  }
}

/** The sync centre's "Updates" part: the state, "Check for updates", and "Install and
 * restart" when one is offered (disabled, with the reason, when this copy cannot). */
export function UpdateSection({ demo }: { demo: boolean }) {
  const state = useUpdateState();
  const toastError = useErrorToast();
  const [busy, setBusy] = useState(false);
  if (!state) return null;
  const run = (p: Promise<unknown>) => {
    setBusy(true);
    void p.catch(toastError).finally(() => setBusy(false));
  };
  const offer = state.state === "available" ? state.offer : null;
  const working = busy || state.state === "checking" || state.state === "installing";
  return (
    <div className="setting updates" data-testid="updates" data-state={state.state}>
      <h2>Updates</h2>
      <p className={state.state === "failed" ? "attention" : "muted"} role="status" data-testid="update-summary">
        {updateSummary(state)}
      </p>
      {offer?.notes && <p className="small-text">{offer.notes}</p>}
      {offer?.cannot_install && (
        <p className="muted small-text" id="update-cannot-install">
          {offer.cannot_install}
        </p>
      )}
      <div className="actions">
        {offer && (
          <button
            className="primary small"
            data-testid="install-update"
            disabled={working || offer.cannot_install !== null}
            aria-describedby={offer.cannot_install ? "update-cannot-install" : undefined}
            onClick={() => run(call(api.installUpdate()))}
          >
            Install {offer.version} and restart
          </button>
        )}
        <button
          className="small"
          data-testid="check-update"
          disabled={working || demo}
          title={demo ? "Updates are not checked in demo mode." : undefined}
          onClick={() => run(call(api.checkForUpdate()))}
        >
          Check for updates
        </button>
      </div>
    </div>
  );
}

/** In the status bar when an update is offered: opens the sync centre. */
export function UpdateBadge({ onOpen }: { onOpen: () => void }) {
  const state = useUpdateState();
  if (state?.state !== "available") return null;
  return (
    <button className="plain" data-testid="update-badge" onClick={onOpen} title="Open the sync centre to install it">
      Update {state.offer.version} available
    </button>
  );
}
