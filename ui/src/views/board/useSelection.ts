// The board's multi-selection: which cards are picked (and where each was picked, so a
// drop knows every card's column) and the anchor a shift-click extends from.
import { useCallback, useState } from "react";
import type { TaskRow } from "../../types";
import { clickSelect } from "../../model/board";

/** A selected card: where it is and what it shows. */
export interface Picked {
  column: string;
  row: TaskRow;
}

export type ClickMods = { toggle: boolean; range: boolean };

export interface Selection {
  selected: ReadonlyMap<string, Picked>;
  clear: () => void;
  /** A click on `row` in `column`, whose loaded cards are `order`. */
  click: (row: TaskRow, column: string, order: TaskRow[], mods: ClickMods) => void;
}

export function useSelection(): Selection {
  const [selected, setSelected] = useState<ReadonlyMap<string, Picked>>(new Map());
  const [anchor, setAnchor] = useState<string | null>(null);

  const clear = useCallback(() => {
    setSelected(new Map());
    setAnchor(null);
  }, []);

  const click = useCallback(
    (row: TaskRow, column: string, order: TaskRow[], mods: ClickMods) => {
      const next = clickSelect(
        new Set(selected.keys()),
        anchor,
        row.task_id,
        order.map((r) => r.task_id),
        mods,
      );
      const byId = new Map(order.map((r) => [r.task_id, r]));
      byId.set(row.task_id, row);
      const map = new Map<string, Picked>();
      for (const id of next.selected) {
        const known = selected.get(id);
        const r = byId.get(id);
        if (known) map.set(id, known);
        else if (r) map.set(id, { column, row: r });
      }
      setSelected(map);
      setAnchor(next.anchor);
    },
    [selected, anchor],
  );

  return { selected, clear, click };
}
