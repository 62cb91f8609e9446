// A virtualized list over a paged task list: which rows are on screen, and fetching the
// pages they need as the list scrolls.
import { useEffect, type RefObject } from "react";
import { useVirtualizer, type Virtualizer } from "@tanstack/react-virtual";

export function useVirtualRows(
  count: number,
  scroller: RefObject<HTMLDivElement | null>,
  rowHeight: number,
  overscan: number,
  show: (start: number, end: number) => void,
  /** Room above the first row (a sticky column header), kept clear when scrolling to a row. */
  headHeight = 0,
): Virtualizer<HTMLDivElement, Element> {
  // TanStack Virtual's functions are not memoized by the React compiler; used as documented.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan,
    paddingStart: headHeight,
    scrollPaddingStart: headHeight,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => show(first, last), [first, last, show]);
  return virtualizer;
}
