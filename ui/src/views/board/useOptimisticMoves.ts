// Cards dropped on another column show there at once, before the core confirms the
// reassignment; cleared shortly after it has (the columns re-query on the change event).
import { useCallback, useState } from "react";
import type { TaskRow } from "../../types";
import type { Move } from "../../model/board";

/** A card dropped on another column, shown there before the core confirms. */
export interface Moving {
  row: TaskRow;
  from: string;
  to: string;
}

/** Keep the instant view this long after the core confirmed, until the re-query has it. */
const SETTLE_MS = 1500;

export function useOptimisticMoves(): {
  moving: ReadonlyMap<string, Moving>;
  /** Shows `moves` in `target` at once; call the result with whether the core took them. */
  show: (moves: Move[], rows: ReadonlyMap<string, TaskRow>, target: string) => (confirmed: boolean) => void;
} {
  const [moving, setMoving] = useState<ReadonlyMap<string, Moving>>(new Map());

  const show = useCallback((moves: Move[], rows: ReadonlyMap<string, TaskRow>, target: string) => {
    const shown = new Map<string, Moving>();
    for (const m of moves) {
      const row = rows.get(m.taskId);
      if (row) shown.set(m.taskId, { row: { ...row, pending_state: "pending" }, from: m.from, to: target });
    }
    setMoving((old) => new Map([...old, ...shown]));
    const settle = () =>
      setMoving((old) => {
        const next = new Map(old);
        for (const id of shown.keys()) if (next.get(id) === shown.get(id)) next.delete(id);
        return next;
      });
    return (confirmed: boolean) => {
      if (confirmed) setTimeout(settle, SETTLE_MS);
      else settle();
    };
  }, []);

  return { moving, show };
}
