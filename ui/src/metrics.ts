// Timings the benchmarks read through WebDriver (window.__dtasks_metrics): launch to the
// first painted task list, and drop to the card shown in its new column.
interface Metrics {
  firstListPaintMs: number | null;
  dropToShownMs: number[];
  pendingDrop: { taskId: string; column: string; at: number } | null;
}

const metrics: Metrics = { firstListPaintMs: null, dropToShownMs: [], pendingDrop: null };
(window as unknown as { __dtasks_metrics: Metrics }).__dtasks_metrics = metrics;

/** A list with at least one task row has been painted. */
export function markListPainted(): void {
  if (metrics.firstListPaintMs !== null) return;
  requestAnimationFrame(() => {
    if (metrics.firstListPaintMs === null) metrics.firstListPaintMs = performance.now();
  });
}

export function markDrop(taskId: string, column: string): void {
  metrics.pendingDrop = { taskId, column, at: performance.now() };
}

/** A column rendered `taskId`; completes a pending drop measurement once painted. */
export function markCardShown(taskId: string, column: string): void {
  const p = metrics.pendingDrop;
  if (!p || p.taskId !== taskId || p.column !== column) return;
  metrics.pendingDrop = null;
  requestAnimationFrame(() => metrics.dropToShownMs.push(performance.now() - p.at));
}
