// The board's undo: the last 20 reassignments (drops and balances), each undone by
// moving its tasks back; a move undone before it synced never reaches Deepen.
import { useCallback, useState } from "react";
import { api, call } from "../../api";
import { undoAssignments, UNASSIGNED, type Move, type UndoEntry } from "../../model/board";
import { useErrorToast, useToast } from "../../components/Toast";
import { markQueued } from "../../metrics";

const KEEP = 20;

export interface UndoStack {
  canUndo: boolean;
  /** Undoes the latest entry (nothing when there is none). */
  undoLast: () => void;
  /** Remembers a reassignment already made, and offers to undo it. */
  push: (entry: UndoEntry) => void;
  /** Reassigns `moves` to `target` (UNASSIGNED: nobody), undoably; false if refused. */
  reassign: (moves: Move[], target: string, label: string) => Promise<boolean>;
}

export function useUndoStack(): UndoStack {
  const [entries, setEntries] = useState<UndoEntry[]>([]);
  const toast = useToast();
  const toastError = useErrorToast();

  const undo = useCallback(
    async (entry: UndoEntry) => {
      // Off the stack first: a quick second Ctrl+Z undoes the move before, not this one again.
      setEntries((u) => u.filter((x) => x !== entry));
      try {
        for (const a of undoAssignments(entry)) await call(api.assign(a.taskIds, a.assignee));
        toast({ kind: "info", text: `Undone: ${entry.label.charAt(0).toLowerCase()}${entry.label.slice(1)}` });
      } catch (e) {
        toastError(e);
      }
    },
    [toast, toastError],
  );

  const push = useCallback(
    (entry: UndoEntry) => {
      setEntries((u) => [...u.slice(-(KEEP - 1)), entry]);
      toast({ kind: "info", text: entry.label, action: { label: "Undo", run: () => void undo(entry) } }, 10_000);
    },
    [toast, undo],
  );

  const reassign = useCallback(
    async (moves: Move[], target: string, label: string): Promise<boolean> => {
      if (moves.length === 0) return false;
      try {
        await call(
          api.assign(
            moves.map((m) => m.taskId),
            target === UNASSIGNED ? null : target,
          ),
        );
        markQueued();
      } catch (e) {
        toastError(e);
        return false;
      }
      push({ label, moves });
      return true;
    },
    [push, toastError],
  );

  const last = entries[entries.length - 1];
  const undoLast = useCallback(() => {
    if (last) void undo(last);
  }, [last, undo]);

  return { canUndo: last !== undefined, undoLast, push, reassign };
}
