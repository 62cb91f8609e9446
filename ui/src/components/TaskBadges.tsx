import type { TaskRow } from "../types";
import { BADGE_HINT, BADGE_LABEL, badgeOf } from "../model/badges";
import { statusClass, statusLabel } from "../model/vocabulary";

export function StatusPill({ status }: { status: string }) {
  return <span className={`pill ${statusClass(status)}`}>{statusLabel(status)}</span>;
}

export function SyncBadge({ row }: { row: TaskRow }) {
  const badge = badgeOf(row);
  if (!badge) return <span className="badge-slot" data-testid="badge" data-badge="none" />;
  return (
    <span className={`badge b-${badge}`} title={BADGE_HINT[badge]} data-testid="badge" data-badge={badge}>
      {BADGE_LABEL[badge]}
    </span>
  );
}
