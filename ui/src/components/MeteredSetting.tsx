// The metered-connection switches: on a phone hotspot, sync refreshes only the user's own
// tasks and what is on screen. The user's own switch is shared with the CLI (`dtasks
// metered`); the app also follows the system's word (NetworkManager knows a hotspot)
// unless told not to.
import { usePreferences, useSyncStatus } from "../queries/hooks";
import { useErrorToast } from "./Toast";

export function MeteredSetting() {
  const { preferences, save } = usePreferences();
  const status = useSyncStatus();
  const toastError = useErrorToast();
  if (!preferences) return null;
  const bySystem = !!status?.metered && !preferences.metered;
  return (
    <fieldset className="setting" data-testid="metered-settings">
      <legend>Connection</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={preferences.metered}
          aria-describedby="metered-hint"
          data-testid="metered"
          onChange={(e) => void save({ ...preferences, metered: e.target.checked }).catch(toastError)}
        />
        Metered connection
      </label>
      <p id="metered-hint" className="muted small-text">
        For a phone hotspot: only your own tasks and what is on screen are refreshed; other datasets wait until this is
        off. Your changes are sent as always.
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={preferences.follow_system_metered}
          aria-describedby="follow-metered-hint"
          data-testid="follow-system-metered"
          onChange={(e) => void save({ ...preferences, follow_system_metered: e.target.checked }).catch(toastError)}
        />
        Also when the system says the connection is metered
      </label>
      <p id="follow-metered-hint" className="muted small-text" data-testid="system-metered-note">
        {bySystem
          ? "The system says this connection is metered (a phone's hotspot, say): it is spared now."
          : "The system (NetworkManager) knows a phone's hotspot; where it says nothing, only your switch counts."}
      </p>
    </fieldset>
  );
}
