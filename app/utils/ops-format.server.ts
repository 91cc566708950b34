/** Small formatting helpers for console pages (server-side, in the staff member's language). */

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["day", 24 * 60 * 60 * 1000],
  ["hour", 60 * 60 * 1000],
  ["minute", 60 * 1000],
];

/** "in 3 hours", "2 days ago": how close a due time is, in the largest whole unit. */
export function dueIn(due: Date, now: number, locale: string): string {
  const diff = due.getTime() - now;
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return format.format(Math.trunc(diff / ms), unit);
  }
  return format.format(0, "minute");
}
