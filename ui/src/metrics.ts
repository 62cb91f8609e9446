// Timings the benchmarks read through WebDriver (window.__dtasks_metrics): launch to the
// first painted task list, and drop to the card shown in its new column.
interface Metrics {
  firstListPaintMs: number | null;
  dropToShownMs: number[];
  /** Drop → the reassignment durably queued by the core (the command returned). */
  dropToQueuedMs: number[];
  lastDropAt: number | null;
  pendingDrop: { taskId: string; column: string; at: number } | null;
}

const metrics: Metrics = {
  firstListPaintMs: null,
  dropToShownMs: [],
  dropToQueuedMs: [],
  lastDropAt: null,
  pendingDrop: null,
};
(window as unknown as { __dtasks_metrics: Metrics }).__dtasks_metrics = metrics;

/** A list with at least one task row has been painted. */
export function markListPainted(): void {
  if (metrics.firstListPaintMs !== null) return;
  requestAnimationFrame(() => {
    if (metrics.firstListPaintMs === null) metrics.firstListPaintMs = performance.now();
  });
}

export function markDrop(taskId: string, column: string): void {
  const at = performance.now();
  metrics.pendingDrop = { taskId, column, at };
  metrics.lastDropAt = at;
}

/** The reassignment of the last drop is queued (durably, in the core). */
export function markQueued(): void {
  if (metrics.lastDropAt === null) return;
  metrics.dropToQueuedMs.push(performance.now() - metrics.lastDropAt);
  metrics.lastDropAt = null;
}

/** A column rendered `taskId`; completes a pending drop measurement once painted. */
export function markCardShown(taskId: string, column: string): void {
  const p = metrics.pendingDrop;
  if (!p || p.taskId !== taskId || p.column !== column) return;
  metrics.pendingDrop = null;
  requestAnimationFrame(() => metrics.dropToShownMs.push(performance.now() - p.at));
}
