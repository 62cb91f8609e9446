// Which pages of a long, virtualized list to fetch for the rows on screen.
export const PAGE_SIZE = 100;

/** Page indexes covering rows [start, end] (inclusive), with one page of margin each side. */
export function pagesFor(start: number, end: number, total: number, pageSize = PAGE_SIZE): number[] {
  if (total <= 0 || end < start) return [];
  const last = Math.floor((total - 1) / pageSize);
  const first = Math.max(0, Math.floor(start / pageSize) - 1);
  const to = Math.min(last, Math.floor(end / pageSize) + 1);
  const pages: number[] = [];
  for (let p = first; p <= to; p++) pages.push(p);
  return pages;
}
