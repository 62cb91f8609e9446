import { expect, it } from "vitest";
import { badgeOf } from "./badges";
import { inLifeCycleOrder, OPEN_STATUSES, statusClass, statusLabel } from "./vocabulary";
import { pagesFor } from "./paging";
import { dueText, duration } from "./format";

it("a row's badge follows its open action's state", () => {
  expect(badgeOf({ pending_state: null })).toBeNull();
  expect(badgeOf({ pending_state: "pending" })).toBe("pending");
  expect(badgeOf({ pending_state: "in_flight" })).toBe("syncing");
  expect(badgeOf({ pending_state: "needs_attention" })).toBe("needs_attention");
});

it("status labels read as words", () => {
  expect(statusLabel("in_progress")).toBe("In progress");
  expect(statusLabel("some_new_state")).toBe("Some new state");
});

it("known statuses have their colour, others a neutral one; order follows the life cycle", () => {
  expect(statusClass("in_progress")).toBe("s-in_progress");
  expect(statusClass("on_hold")).toBe("s-other");
  expect(OPEN_STATUSES).toEqual(["waiting", "ready", "in_progress", "rejected"]);
  expect(inLifeCycleOrder(["accepted", "on_hold", "ready"])).toEqual(["ready", "accepted", "on_hold"]);
});

it("pages cover the visible rows with a page of margin, within the list", () => {
  expect(pagesFor(0, 20, 1000)).toEqual([0, 1]);
  expect(pagesFor(250, 270, 1000)).toEqual([1, 2, 3]);
  expect(pagesFor(950, 999, 1000)).toEqual([8, 9]);
  expect(pagesFor(0, 10, 0)).toEqual([]);
});

it("durations and due dates in words", () => {
  expect(duration(90 * 60_000)).toBe("1 h 30 min");
  expect(duration(3 * 86_400_000 + 2 * 3_600_000)).toBe("3 d 2 h");
  expect(dueText(null, 0)).toBe("no due date");
  expect(dueText(0, 2 * 3_600_000)).toBe("2 h overdue");
  expect(dueText(45 * 60_000, 0)).toBe("due in 45 min");
});
