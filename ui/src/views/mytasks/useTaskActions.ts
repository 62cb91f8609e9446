// Submitting, accepting and rejecting tasks from My tasks: queued at once, synced later.
import { useCallback } from "react";
import { statusLabel, targetStatus, type StatusAction } from "../../model/vocabulary";
import { api, call } from "../../api";
import { useErrorToast, useToast } from "../../components/Toast";

/** Acts on `ids`; resolves true when the actions were queued (false: refused, shown). */
export function useTaskActions(): (kind: StatusAction, ids: string[], reason?: string) => Promise<boolean> {
  const toast = useToast();
  const toastError = useErrorToast();
  const undo = useUndo();
  return useCallback(
    async (kind: StatusAction, ids: string[], reason?: string) => {
      if (ids.length === 0) return false;
      try {
        const n = await call(api.act(kind, ids, reason ?? null));
        toast(
          {
            kind: "info",
            text: `${statusLabel(targetStatus(kind) ?? kind)} ${n === 1 ? ids[0] : `${n} tasks`} — will sync automatically.`,
            action: { label: "Undo", run: () => void undo(ids) },
          },
          9000,
        );
        return true;
      } catch (e) {
        toastError(e);
        return false;
      }
    },
    [toast, toastError, undo],
  );
}

/** Takes back actions not sent yet, and says what happened. */
export function useUndo(): (ids: string[]) => Promise<void> {
  const toast = useToast();
  const toastError = useErrorToast();
  return useCallback(
    async (ids: string[]) => {
      try {
        const undone = await call(api.undo(ids));
        const missed = ids.length - undone.length;
        toast({
          kind: missed ? "error" : "info",
          text:
            (undone.length ? `Took back ${undone.length === 1 ? undone[0] : `${undone.length} tasks`}.` : "") +
            (missed ? ` ${missed === 1 ? "One" : missed} could not be taken back: already sent to Deepen.` : ""),
        });
      } catch (e) {
        toastError(e);
      }
    },
    [toast, toastError],
  );
}
