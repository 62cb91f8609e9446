import { expect, it } from "vitest";
import { freshness } from "./freshness";

const MIN = 60_000;
const now = 1_000 * MIN;

it("says when a dataset was updated, or that it could not be and what is shown", () => {
  expect(freshness({ tasks_pulled_at: now - 3 * MIN, pull_error: null, pull_failed_at: null }, now)).toEqual({
    text: "Updated 3 min ago",
    failed: false,
    detail: null,
  });
  expect(freshness({ tasks_pulled_at: null, pull_error: null, pull_failed_at: null }, now).text).toBe(
    "Not refreshed yet",
  );
  const failed = freshness(
    { tasks_pulled_at: now - 90 * MIN, pull_error: "the server answered 500: boom", pull_failed_at: now - 10_000 },
    now,
  );
  expect(failed.failed).toBe(true);
  expect(failed.text).toBe("Could not refresh just now; showing what was updated 1 h 30 min ago");
  expect(failed.detail).toContain("500");
});
