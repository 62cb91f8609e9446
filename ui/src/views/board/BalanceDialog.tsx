// Balance: spread the unassigned open tasks of the stage over the chosen people, fewest
// open tasks first; undoable like a drop until it syncs.
import { useCallback, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { queryKeys } from "../../queries/keys";
import { api, call } from "../../api";
import { balanceSummary, displayName, UNASSIGNED, type Column, type UndoEntry } from "../../model/board";
import { Dialog } from "../../components/Dialog";
import type { Share } from "../../types";
import { useErrorToast, useToast } from "../../components/Toast";

/** Balances a stage over `annotators`; the plan, once queued, goes on the undo stack. */
export function useBalance(pushUndo: (entry: UndoEntry) => void) {
  const toast = useToast();
  const toastError = useErrorToast();
  return useCallback(
    async (datasetId: string, stage: string, annotators: string[]) => {
      try {
        const shares = await call(api.balance(datasetId, stage, annotators));
        const moves = shares.flatMap((s) => s.task_ids.map((taskId) => ({ taskId, from: UNASSIGNED })));
        if (moves.length === 0) {
          toast({ kind: "info", text: "No unassigned open task in this stage: nothing to balance." });
          return;
        }
        pushUndo({ label: balanceSummary(shares), moves });
      } catch (e) {
        toastError(e);
      }
    },
    [pushUndo, toast, toastError],
  );
}

/** Who is chosen at first: the people who already work in this stage (some of its tasks
 * are theirs), or everyone when nobody does yet. */
export function stageWorkers(users: readonly string[], loads: readonly Column[]): string[] {
  const working = users.filter((u) => (loads.find((c) => c.id === u)?.load ?? 0) > 0);
  return working.length > 0 ? working : [...users];
}

/** What balancing would do with these people now, from the core (the same plan it runs). */
function usePreview(datasetId: string, stage: string, chosen: ReadonlySet<string>): Share[] | null {
  const people = [...chosen].sort();
  const q = useQuery({
    queryKey: queryKeys.balancePreview(datasetId, stage, people),
    queryFn: () => call(api.balancePreview(datasetId, stage, people)),
    enabled: people.length > 0,
  });
  if (people.length === 0) return [];
  return q.data ?? null;
}

export function BalanceDialog({
  datasetId,
  users,
  loads,
  stage,
  onClose,
  onBalance,
}: {
  datasetId: string;
  users: string[];
  loads: Column[];
  stage: string;
  onClose: () => void;
  onBalance: (annotators: string[]) => void;
}) {
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(stageWorkers(users, loads)));
  const unassigned = loads.find((c) => c.id === UNASSIGNED)?.load ?? 0;
  const preview = usePreview(datasetId, stage, chosen);
  const given = (preview ?? []).filter((s) => s.task_ids.length > 0);
  return (
    <Dialog title={`Balance the unassigned tasks of ${stage}`} onClose={onClose}>
      <p className="muted">
        The {unassigned} unassigned task{unassigned === 1 ? "" : "s"} of this stage go to the people you choose, fewest
        open tasks first. You can undo it until it syncs.
      </p>
      <div className="choices">
        {users.map((u) => (
          <label key={u} className="check">
            <input
              type="checkbox"
              checked={chosen.has(u)}
              onChange={(e) =>
                setChosen((s) => {
                  const n = new Set(s);
                  if (e.target.checked) n.add(u);
                  else n.delete(u);
                  return n;
                })
              }
            />
            {displayName(u)} <span className="muted">({loads.find((c) => c.id === u)?.load ?? 0} in stage)</span>
          </label>
        ))}
      </div>
      <div className="balance-preview" role="status" data-testid="balance-preview">
        {preview === null
          ? "Working out who gets what…"
          : given.length === 0
            ? "Nothing would move."
            : `${balanceSummary(given).replace(/^Gave/, "Will give")}.`}
      </div>
      <div className="row end">
        <button onClick={onClose}>Cancel</button>
        <button
          className="primary"
          disabled={chosen.size === 0 || given.length === 0}
          onClick={() => onBalance([...chosen])}
          data-testid="balance-confirm"
        >
          Balance
        </button>
      </div>
    </Dialog>
  );
}
