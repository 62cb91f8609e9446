import { describe, expect, it } from "vitest";
import { dueText, duration } from "./format";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe("duration", () => {
  it("reads whole units under a minute, an hour and a day", () => {
    expect(duration(30_000)).toBe("less than a minute");
    expect(duration(4 * MIN)).toBe("4 min");
    expect(duration(3 * HOUR)).toBe("3 h");
    expect(duration(3 * HOUR + 5 * MIN)).toBe("3 h 5 min");
    expect(duration(2 * DAY)).toBe("2 d");
    expect(duration(2 * DAY + 5 * HOUR)).toBe("2 d 5 h");
  });

  it("carries a rounded remainder into the next unit", () => {
    // 59 min 40 s: one hour, not "60 min".
    expect(duration(59 * MIN + 40_000)).toBe("1 h");
    // 1 h 59 min 40 s: 2 h, not "1 h 60 min".
    expect(duration(HOUR + 59 * MIN + 40_000)).toBe("2 h");
    // 23 h 59 min 40 s: one day, not "23 h 60 min" or "0 d 24 h".
    expect(duration(DAY - 20_000)).toBe("1 d");
    // 1 d 23 h 40 min: 2 d, not "1 d 24 h".
    expect(duration(DAY + 23 * HOUR + 40 * MIN)).toBe("2 d");
  });

  it("is the same for the past", () => {
    expect(duration(-(DAY + 23 * HOUR + 40 * MIN))).toBe("2 d");
  });
});

describe("dueText", () => {
  it("says when, or how late", () => {
    const now = 1_000 * DAY;
    expect(dueText(null, now)).toBe("no due date");
    expect(dueText(now + 3 * HOUR, now)).toBe("due in 3 h");
    expect(dueText(now - 2 * DAY, now)).toBe("2 d overdue");
  });
});
