// Which news the app tells as desktop notifications (while its window is not in front;
// in front, the Activity badge says it). Shared with the CLI through the preferences.
import type { NoticeKinds } from "../types";
import { usePreferences } from "../queries/hooks";
import { useErrorToast } from "./Toast";

const KINDS: { key: keyof NoticeKinds; label: string }[] = [
  { key: "assigned", label: "Tasks newly assigned to me" },
  { key: "rejected", label: "My submissions rejected" },
  { key: "late", label: "My tasks becoming late" },
  { key: "needs_decision", label: "My actions needing a decision" },
];

export function NotifySettings() {
  const { preferences, save } = usePreferences();
  const toastError = useErrorToast();
  if (!preferences) return null;
  return (
    <fieldset className="setting" data-testid="notify-settings">
      <legend>Notifications</legend>
      {KINDS.map((k) => (
        <label key={k.key} className="check">
          <input
            type="checkbox"
            checked={preferences.notify[k.key]}
            data-testid={`notify-${k.key}`}
            onChange={(e) =>
              void save({ ...preferences, notify: { ...preferences.notify, [k.key]: e.target.checked } }).catch(
                toastError,
              )
            }
          />
          {k.label}
        </label>
      ))}
      <p className="muted small-text">
        Told after a sync, one notification per kind and dataset, never for your own changes. While this window is in
        front, the Activity view&apos;s badge tells instead.
      </p>
    </fieldset>
  );
}
