import { expect, it } from "vitest";
import type { Op } from "../types";
import { describeOp, onlyDiscardWhy, opViews } from "./queue";

function op(id: string, task: string, state: Op["state"], extra: Partial<Op> = {}): Op {
  return {
    op_id: id,
    kind: "submit",
    task_id: task,
    dataset_id: "d",
    task_type: "frame",
    reject_reason: null,
    assignee: null,
    base_status: "ready",
    base_assignee: null,
    base_updated_at: null,
    state,
    verify: false,
    overwrite: false,
    attempts: 0,
    next_attempt_at: 0,
    last_error: null,
    reason: null,
    choices: [],
    created_at: 0,
    updated_at: 0,
    ...extra,
  };
}

it("an action behind one that needs a decision is held, not merely pending", () => {
  const views = opViews([
    op("1", "t1", "needs_attention"),
    op("2", "t1", "pending"),
    op("3", "t2", "pending"),
    op("4", "t2", "in_flight"),
    op("5", "t3", "pending", { attempts: 2 }),
  ]);
  expect(Object.fromEntries(views)).toEqual({
    "1": "needs_attention",
    "2": "held",
    "3": "pending",
    "4": "syncing",
    "5": "retrying",
  });
});

it("describes actions, and says why when discarding is the only choice", () => {
  expect(describeOp(op("1", "t1", "pending", { kind: "assign", assignee: "ana.silva@x.com" }))).toBe(
    "Assign t1 to Ana Silva",
  );
  expect(describeOp(op("1", "t1", "pending", { kind: "reject", reject_reason: "blurry" }))).toBe("Reject t1: “blurry”");
  expect(onlyDiscardWhy({ choices: ["discard"] })).toMatch(/^Trying again cannot change/);
  expect(onlyDiscardWhy({ choices: ["overwrite", "retry", "discard"] })).toBeNull();
});
