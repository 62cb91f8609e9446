// Opens a task in Deepen's web tool (the system browser). Offline it says the page needs
// the network instead of failing; with no single task chosen it says so.
import { api, call } from "../api";
import { useSyncStatus } from "../queries/hooks";
import { useErrorToast } from "./Toast";

export function OpenInDeepen({ taskId }: { taskId: string | null }) {
  const status = useSyncStatus();
  const toastError = useErrorToast();
  const offline = status?.connectivity === "offline";
  const why =
    taskId === null
      ? "Choose one task to open it in Deepen"
      : offline
        ? "Deepen's page needs the network: you are offline"
        : null;
  return (
    <button
      data-testid="open-in-deepen"
      aria-disabled={why !== null}
      title={why ?? `Open ${taskId} in Deepen's web tool`}
      onClick={() => {
        if (why) toastError(new Error(why));
        else if (taskId) void call(api.openInDeepen(taskId)).catch(toastError);
      }}
    >
      Open in Deepen ↗
    </button>
  );
}
