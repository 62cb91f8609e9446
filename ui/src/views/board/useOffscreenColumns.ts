// How many board columns lie beyond the left and right edges of the visible board, kept
// current as it scrolls or resizes: a board wider than the window says so.
import { useEffect, useState, type RefObject } from "react";

export interface Offscreen {
  left: number;
  right: number;
}

/** Columns (children marked `data-testid=board-column`) wholly or partly out of view. */
export function countOffscreen(container: HTMLElement): Offscreen {
  const view = container.getBoundingClientRect();
  let left = 0;
  let right = 0;
  for (const col of container.querySelectorAll<HTMLElement>("[data-testid=board-column]")) {
    const r = col.getBoundingClientRect();
    // A column counts as off screen when less than half of it shows.
    if (r.left + r.width / 2 < view.left) left += 1;
    else if (r.right - r.width / 2 > view.right) right += 1;
  }
  return { left, right };
}

export function useOffscreenColumns(ref: RefObject<HTMLElement | null>, columnCount: number): Offscreen {
  const [offscreen, setOffscreen] = useState<Offscreen>({ left: 0, right: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () =>
      setOffscreen((old) => {
        const now = countOffscreen(el);
        return now.left === old.left && now.right === old.right ? old : now;
      });
    update();
    // The board's width follows the window's (the sidebar is fixed).
    el.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    return () => {
      el.removeEventListener("scroll", update);
      window.removeEventListener("resize", update);
    };
  }, [ref, columnCount]);
  return offscreen;
}
