// Dates and durations in words.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A duration in words, rounded to the minute under a day and to the hour above: the
 * rounding is done on the whole, so it never reads "1 h 60 min" or "1 d 24 h". */
export function duration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return "less than a minute";
  const minutes = Math.round(abs / MINUTE);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const hours = Math.round(abs / HOUR);
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? `${d} d ${h} h` : `${d} d`;
}

export function ago(at: number, now: number): string {
  const d = now - at;
  if (d < MINUTE) return "just now";
  return `${duration(d)} ago`;
}

/** When something due at `at` happens: "in 4 min", or "now" once it is due. */
export function inTime(at: number, now: number): string {
  const d = at - now;
  if (d <= 0) return "now";
  return d < MINUTE ? "in less than a minute" : `in ${duration(d)}`;
}

/** "due in 3 h", "2 d overdue", "no due date". */
export function dueText(dueAt: number | null, now: number): string {
  if (dueAt === null) return "no due date";
  const d = dueAt - now;
  return d >= 0 ? `due in ${duration(d)}` : `${duration(d)} overdue`;
}

export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}
