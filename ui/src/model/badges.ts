// What a row's sync badge says, from the task as the view returns it.
import type { TaskRow } from "../types";

export type Badge = "pending" | "syncing" | "needs_attention";

export function badgeOf(row: Pick<TaskRow, "pending_state">): Badge | null {
  switch (row.pending_state) {
    case "pending":
      return "pending";
    case "in_flight":
      return "syncing";
    case "needs_attention":
      return "needs_attention";
    default:
      return null;
  }
}

export const BADGE_LABEL: Record<Badge, string> = {
  pending: "Pending",
  syncing: "Syncing",
  needs_attention: "Needs attention",
};

export const BADGE_HINT: Record<Badge, string> = {
  pending: "Saved on this computer; it is sent when Deepen can be reached.",
  syncing: "Being sent to Deepen now.",
  needs_attention: "Deepen could not apply your change as it was. Open the sync centre to decide.",
};
