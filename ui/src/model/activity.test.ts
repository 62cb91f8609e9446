import { describe as suite, expect, it } from "vitest";
import type { ActivityEntry } from "../types";
import { describe, medianWords, rateWords, sourceWords } from "./activity";

const base: ActivityEntry = {
  id: 1,
  at: 0,
  source: "server",
  kind: "status",
  task_id: "t1",
  dataset_id: "ds1",
  person: "ana.silva@example.com",
  old: "submitted",
  new: "rejected",
  note: null,
};

suite("activity in words", () => {
  it("says status changes with the reviewer's reason", () => {
    expect(describe(base)).toBe("Submitted → Rejected");
    expect(describe({ ...base, note: "Boxes too loose" })).toBe("Submitted → Rejected: “Boxes too loose”");
  });
  it("says who got a task and from whom", () => {
    expect(describe({ ...base, kind: "assignee", old: null, new: "bo.chen@example.com" })).toBe("Given to Bo Chen");
    expect(describe({ ...base, kind: "assignee", old: "ana.silva@example.com", new: null })).toBe(
      "Moved from Ana Silva to nobody",
    );
  });
  it("says how this device's actions ended", () => {
    const action = { ...base, kind: "action" as const, source: "device" as const, old: "submit", new: "done" };
    expect(describe(action)).toBe("Submit reached Deepen");
    expect(describe({ ...action, new: "needs_decision", note: "403 Forbidden" })).toBe(
      "Submit needs your decision: 403 Forbidden",
    );
    expect(sourceWords(action)).toBe("this device");
    expect(sourceWords(base)).toBe("seen in a sync");
  });
  it("shows a dash for figures not seen", () => {
    expect(medianWords(null)).toBe("—");
    expect(medianWords(20 * 60_000)).toBe("20 min");
    expect(rateWords(null)).toBe("—");
    expect(rateWords(1 / 3)).toBe("33 %");
  });
});
