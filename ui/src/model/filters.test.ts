import { describe, expect, it } from "vitest";
import { activeFilterCount, myTasksQuery, NO_FILTERS } from "./filters";

describe("myTasksQuery", () => {
  const page = { limit: 100, offset: 200 };
  it("shows my open tasks by due date, done ones hidden", () => {
    const q = myTasksQuery("ana@x.com", NO_FILTERS, page);
    expect(q.assignee).toEqual({ kind: "is", email: "ana@x.com" });
    expect(q.statuses).toEqual(["waiting", "ready", "in_progress", "rejected"]);
    expect(q.sort).toBe("due");
    expect(q.text).toBeNull();
    expect([q.limit, q.offset]).toEqual([100, 200]);
  });
  it("show done lifts the status filter; a chosen status wins", () => {
    expect(myTasksQuery("a", { ...NO_FILTERS, showDone: true }, page).statuses).toEqual([]);
    expect(myTasksQuery("a", { ...NO_FILTERS, showDone: true, status: "accepted" }, page).statuses).toEqual([
      "accepted",
    ]);
  });
  it("passes dataset, stage, delayed and trimmed text through", () => {
    const q = myTasksQuery(
      "a",
      { ...NO_FILTERS, datasetId: "d1", stageId: "QA", delayedOnly: true, text: "  frame-7 " },
      page,
    );
    expect([q.dataset_id, q.stage_id, q.delayed_only, q.text]).toEqual(["d1", "QA", true, "frame-7"]);
  });
  it("counts active filters", () => {
    expect(activeFilterCount(NO_FILTERS)).toBe(0);
    expect(activeFilterCount({ ...NO_FILTERS, text: " ", delayedOnly: true, datasetId: "d" })).toBe(2);
  });
});
