/** Calendar dates for tests, in the demo creditor's zone (America/New_York), as the database counts them. */
export const DEMO_ZONE = "America/New_York";

/** Today in a time zone, YYYY-MM-DD. */
export function today(zone: string = DEMO_ZONE): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

/** A calendar date moved by whole days, YYYY-MM-DD. */
export function addDays(iso: string, days: number): string {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
