import { describe, expect, it } from "vitest";
import {
  assignableUsers,
  clickSelect,
  columnsOf,
  balanceSummary,
  displayName,
  movesForDrop,
  UNASSIGNED,
  undoAssignments,
} from "./board";

describe("columnsOf", () => {
  it("puts Unassigned first, then people by email, with their loads", () => {
    const cols = columnsOf(
      ["bo@x.com", "ana@x.com"],
      [
        { key: null, count: 7 },
        { key: "bo@x.com", count: 3 },
      ],
    );
    expect(cols.map((c) => [c.id, c.load])).toEqual([
      [UNASSIGNED, 7],
      ["ana@x.com", 0],
      ["bo@x.com", 3],
    ]);
  });

  it("keeps a column for someone no longer in the dataset who still has tasks", () => {
    const cols = columnsOf(["ana@x.com"], [{ key: "gone@x.com", count: 2 }]);
    expect(cols.map((c) => c.id)).toContain("gone@x.com");
  });
});

describe("selection", () => {
  const order = ["t1", "t2", "t3", "t4"];
  it("plain click selects one; ctrl toggles; shift extends from the anchor", () => {
    let s = clickSelect(new Set(), null, "t2", order, { toggle: false, range: false });
    expect([...s.selected]).toEqual(["t2"]);
    s = clickSelect(s.selected, s.anchor, "t4", order, { toggle: true, range: false });
    expect([...s.selected].sort()).toEqual(["t2", "t4"]);
    s = clickSelect(s.selected, s.anchor, "t4", order, { toggle: true, range: false });
    expect([...s.selected]).toEqual(["t2"]);
    s = clickSelect(new Set(["t1"]), "t1", "t3", order, { toggle: false, range: true });
    expect([...s.selected].sort()).toEqual(["t1", "t2", "t3"]);
  });
});

describe("movesForDrop", () => {
  const columns = new Map([
    ["t1", "ana"],
    ["t2", "bo"],
    ["t3", "cara"],
  ]);
  it("moves the whole selection when the dragged card is in it, skipping cards already there", () => {
    const moves = movesForDrop({ taskId: "t1", column: "ana" }, "cara", new Set(["t1", "t2", "t3"]), (id) =>
      columns.get(id),
    );
    expect(moves).toEqual([
      { taskId: "t1", from: "ana" },
      { taskId: "t2", from: "bo" },
    ]);
  });
  it("moves only the dragged card when it is not selected", () => {
    const moves = movesForDrop({ taskId: "t1", column: "ana" }, "bo", new Set(["t2"]), (id) => columns.get(id));
    expect(moves).toEqual([{ taskId: "t1", from: "ana" }]);
  });
  it("a drop on its own column moves nothing", () => {
    expect(movesForDrop({ taskId: "t1", column: "ana" }, "ana", new Set(), () => undefined)).toEqual([]);
  });
});

describe("undo", () => {
  it("puts each task back where it came from, unassigned ones unassigned", () => {
    const groups = undoAssignments({
      label: "x",
      moves: [
        { taskId: "t1", from: "ana" },
        { taskId: "t2", from: UNASSIGNED },
        { taskId: "t3", from: "ana" },
      ],
    });
    expect(groups).toEqual([
      { assignee: "ana", taskIds: ["t1", "t3"] },
      { assignee: null, taskIds: ["t2"] },
    ]);
  });
});

it("displayName turns an email into a name", () => {
  expect(displayName("ana.silva@example.com")).toBe("Ana Silva");
  expect(displayName("bo_chen@x")).toBe("Bo Chen");
});

it("the board's people are the dataset's workers, sorted", () => {
  expect(assignableUsers({ workers: ["bo@x", "ana@x"] })).toEqual(["ana@x", "bo@x"]);
});

it("balanceSummary names who got how many, in plain grammar", () => {
  expect(balanceSummary([{ assignee: "qa.lead@x.com", task_ids: ["t1", "t2", "t3", "t4"] }])).toBe(
    "Gave 4 tasks to Qa Lead (4)",
  );
  expect(
    balanceSummary([
      { assignee: "ana.silva@x.com", task_ids: ["t1"] },
      { assignee: "bo.chen@x.com", task_ids: [] },
      { assignee: "chidi.eze@x.com", task_ids: ["t2", "t3"] },
    ]),
  ).toBe("Gave 3 tasks to Ana Silva (1) and Chidi Eze (2)");
  expect(balanceSummary([{ assignee: "ana.silva@x.com", task_ids: ["t1"] }])).toBe("Gave 1 task to Ana Silva (1)");
});
