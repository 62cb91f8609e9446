// How the app lives on the desktop: keep syncing in the tray when the window is closed
// (only where the desktop shows tray icons; said so otherwise), and start at login.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../api";
import { usePreferences } from "../queries/hooks";
import { useErrorToast } from "./Toast";

const KEY = ["desktop"] as const;

export function DesktopSettings() {
  const client = useQueryClient();
  const desktop = useQuery({ queryKey: KEY, queryFn: () => call(api.desktopSettings()) });
  const { preferences, save } = usePreferences();
  const toastError = useErrorToast();
  if (!desktop.data || !preferences) return null;
  const { tray, start_at_login } = desktop.data;
  const closeToTray = tray && (preferences.close_to_tray ?? true);
  return (
    <fieldset className="setting" data-testid="desktop-settings">
      <legend>On this computer</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={closeToTray}
          disabled={!tray}
          aria-describedby="tray-hint"
          data-testid="close-to-tray"
          onChange={(e) => void save({ ...preferences, close_to_tray: e.target.checked }).catch(toastError)}
        />
        Keep syncing in the tray when the window is closed
      </label>
      <p id="tray-hint" className="muted small-text">
        {tray
          ? "The tray icon shows whether you are online and what waits, with Sync now, Show and Quit."
          : "This desktop shows no tray icons, so closing the window quits the app (your actions are kept and sync at the next start)."}
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={start_at_login}
          data-testid="start-at-login"
          onChange={(e) =>
            void call(api.setStartAtLogin(e.target.checked))
              .then((on) => client.setQueryData(KEY, { tray, start_at_login: on }))
              .catch(toastError)
          }
        />
        Start at login{tray ? ", in the tray" : ""}
      </label>
    </fieldset>
  );
}
