// The metered-connection switch: on a phone hotspot, sync refreshes only the user's own
// tasks and what is on screen. Shared with the CLI (`dtasks metered`).
import { usePreferences } from "../queries/hooks";
import { useErrorToast } from "./Toast";

export function MeteredSetting() {
  const { preferences, save } = usePreferences();
  const toastError = useErrorToast();
  if (!preferences) return null;
  return (
    <div className="setting">
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
    </div>
  );
}
