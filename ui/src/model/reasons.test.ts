import { describe, expect, it } from "vitest";
import type { AttentionReason, ActionKind } from "../types";
import { reasonText } from "./reasons";

const text = (kind: ActionKind, reason: AttentionReason | null) => reasonText({ kind, reason });

describe("reasonText", () => {
  it("someone else's reassignment names who has the task now, and nobody for none", () => {
    expect(
      text("assign", { kind: "reassigned_elsewhere", now_assignee: "chidi@x.com", from: null, to: "bo@x.com" }),
    ).toBe(
      "Someone else reassigned this task to chidi@x.com after you moved it from nobody to bo@x.com. " +
        "Overwrite to assign it to bo@x.com anyway, or discard your change.",
    );
  });

  it("a lost answer after the task changed names the status and the action", () => {
    expect(text("submit", { kind: "changed_after_lost_answer", status: "in_progress" })).toBe(
      'The task changed on the server after you acted (it is now "In progress"), and the answer to your submit ' +
        "was lost, so it is not known whether it was applied. Retry to send it again, or discard it.",
    );
  });

  it("an action no longer allowed says what it can no longer be", () => {
    expect(text("accept", { kind: "no_longer_allowed", status: "rejected" })).toBe(
      'The task is now "Rejected" on the server (someone else changed it), so it can no longer be accepted.',
    );
    expect(text("assign", { kind: "no_longer_allowed", status: "on_hold" })).toBe(
      'The task is now "On hold" on the server (someone else changed it), so it can no longer be reassigned.',
    );
  });

  it("a server that keeps failing", () => {
    expect(text("reject", { kind: "keeps_failing", attempts: 8, error: "HTTP 502" })).toBe(
      "Tried 8 times without success; the server keeps failing (HTTP 502). Retry later or discard it.",
    );
  });

  it("refusals by status, with the server's words", () => {
    const refused = (kind: ActionKind, http_status: number) =>
      text(kind, { kind: "refused", http_status, server_says: "No." });
    expect(refused("submit", 403)).toBe(
      "Deepen does not allow you to submit this task (it may be assigned to someone else now). Deepen said: No.",
    );
    expect(refused("assign", 403)).toBe(
      "Deepen does not allow you to reassign this task (it may be assigned to someone else now). Deepen said: No.",
    );
    expect(refused("accept", 404)).toBe("The task no longer exists on Deepen. Deepen said: No.");
    expect(refused("assign", 409)).toBe(
      "The task is already submitted or accepted, so it can no longer be reassigned. Deepen said: No.",
    );
    expect(refused("submit", 409)).toBe("Deepen refused to submit this task. Deepen said: No.");
    expect(refused("reject", 422)).toBe("Deepen refused to reject this task. Deepen said: No.");
  });

  it("words stored by an earlier version, and no reason at all", () => {
    expect(text("submit", { kind: "text", text: "The task is gone." })).toBe("The task is gone.");
    expect(text("submit", null)).toBe("Deepen did not accept this change.");
  });
});
