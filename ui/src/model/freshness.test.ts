import { expect, it } from "vitest";
import { freshness } from "./freshness";

const MIN = 60_000;
const now = 1_000 * MIN;

it("says when a dataset was updated, or that it could not be and what is shown", () => {
  const healthy = { pull_error: null, pull_failed_at: null, next_pull_at: now + 15 * MIN };
  expect(freshness({ ...healthy, tasks_pulled_at: now - 3 * MIN }, now)).toEqual({
    text: "Updated 3 min ago",
    failed: false,
    detail: null,
  });
  expect(freshness({ ...healthy, tasks_pulled_at: null }, now).text).toBe("Not refreshed yet");
  const failed = freshness(
    {
      tasks_pulled_at: now - 90 * MIN,
      pull_error: "the server answered 500: boom",
      pull_failed_at: now - 10_000,
      next_pull_at: now + 2 * MIN,
    },
    now,
  );
  expect(failed.failed).toBe(true);
  expect(failed.text).toBe("Could not refresh just now; showing what was updated 1 h 30 min ago. Next try in 2 min");
  expect(failed.detail).toContain("500");
  const overdue = freshness(
    { tasks_pulled_at: null, pull_error: "timed out", pull_failed_at: now - 5 * MIN, next_pull_at: now - MIN },
    now,
  );
  expect(overdue.text).toBe("Could not refresh 5 min ago; showing what was never refreshed. Next try now");
});
