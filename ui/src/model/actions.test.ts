import { describe, expect, it } from "vitest";
import type { TaskRow } from "../types";
import { actionLabel, refusal } from "./actions";

const row = (task_id: string, status: string) => ({ task_id, status }) as TaskRow;

describe("refusal", () => {
  it("asks for a choice when nothing is chosen", () => {
    expect(refusal("submit", [])).toMatch(/^Select tasks first/);
  });

  it("allows what the vocabulary allows", () => {
    expect(refusal("submit", [row("t1", "ready"), row("t2", "rejected")])).toBeNull();
    expect(refusal("reject", [row("t1", "submitted")])).toBeNull();
  });

  it("says why, before any dialog, for one task and for many", () => {
    expect(refusal("reject", [row("t1", "ready")])).toBe("t1 is ready: only submitted tasks can be rejected.");
    expect(refusal("submit", [row("t1", "ready"), row("t2", "accepted"), row("t3", "submitted")])).toBe(
      "2 of the 3 chosen tasks cannot be submitted: only ready, in progress or rejected tasks can be submitted.",
    );
  });

  it("treats a status it does not know as not allowed", () => {
    expect(refusal("accept", [row("t1", "on_hold")])).toBe("t1 is on hold: only submitted tasks can be accepted.");
  });
});

describe("actionLabel", () => {
  it("counts only when there are several", () => {
    expect(actionLabel("Submit", 1)).toBe("Submit");
    expect(actionLabel("Submit", 3)).toBe("Submit 3");
  });
});
