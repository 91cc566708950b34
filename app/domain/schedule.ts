/**
 * Repayment schedules in integer minor units (cents), DESIGN §1 item 4, issue 5 item 1.
 *
 * Pure: no I/O, no clock. Dates are calendar dates ("YYYY-MM-DD") in the creditor's time
 * zone; the caller works out "today" there and passes dates in.
 *
 * THE REMAINDER RULE (written down here, tested in tests/unit/schedule.test.ts):
 *
 *   Every payment but the last is the same amount `a`; the last payment clears what is left,
 *   `last = total − a·(n − 1)`, and always 0 < last ≤ a. So the total is exact, no payment
 *   is ever larger than the regular one, and a plan built from an amount at or above the
 *   policy minimum has every payment but the last at or above that minimum.
 *
 *   - From a chosen amount `a`: n = ceil(total / a). ($1,240.50 at $100 → 12 × $100 + $40.50.)
 *     An amount above the total is one payment of the total.
 *   - From a chosen number of payments `n`: a = ceil(total / n), the smallest regular amount
 *     that clears the total in n payments; the last takes what is left.
 *     ($100.00 in 3 → $33.34, $33.34, $33.32.) When a·(n − 1) already reaches the total
 *     (e.g. 10 cents in 6 payments: a = 2, five payments clear it), n payments cannot all be
 *     positive under this rule; that is refused ("count_too_high"), never silently changed.
 *
 * DATES: weekly adds 7 days per payment, every two weeks 14. Monthly keeps the start's day of
 * the month, clamped to the month's last day, always counted from the ORIGINAL start (a start
 * on Jan 31 gives Feb 28 or 29, Mar 31, Apr 30, …, never drifting to the 28th).
 */
import { CalendarDate } from "@internationalized/date";
import type { PlanFrequency } from "~/domain/plan-frequency";

/** The most payments a schedule may have: ten years of weekly payments. */
export const MAX_INSTALLMENTS = 520;

/** Calendar dates accepted as input; keeps every computed date a plain 4-digit-year date. */
const MIN_YEAR = 1970;
const MAX_YEAR = 9000;

export interface Installment {
  /** Calendar date, "YYYY-MM-DD". */
  dueOn: string;
  /** Integer minor units, > 0. */
  amountMinor: number;
}

export type ScheduleBy = { kind: "amount"; installmentMinor: number } | { kind: "count"; count: number };

export interface ScheduleInput {
  totalMinor: number;
  frequency: PlanFrequency;
  startDate: string;
  by: ScheduleBy;
}

export type ScheduleFailure =
  /** totalMinor is not a positive safe integer. */
  | "invalid_total"
  /** frequency is not weekly, every_two_weeks or monthly. */
  | "invalid_frequency"
  /** startDate is not a real calendar date written YYYY-MM-DD. */
  | "invalid_start_date"
  /** installmentMinor is not a positive safe integer. */
  | "invalid_installment_amount"
  /** count is not a positive integer. */
  | "invalid_count"
  /** More than MAX_INSTALLMENTS payments (a chosen count, or the count an amount implies). */
  | "too_many_installments"
  /** n payments of ceil(total / n) would leave nothing for the last one (see the header). */
  | "count_too_high";

export type ScheduleResult =
  | { ok: true; installments: Installment[]; lastDueOn: string; totalMinor: number }
  | { ok: false; reason: ScheduleFailure };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * "YYYY-MM-DD" to a CalendarDate, or null when it is not a real date (2026-02-30, 2026-13-01)
 * or outside the years this module accepts. Never throws.
 */
export function parseCalendarDate(value: unknown): CalendarDate | null {
  if (typeof value !== "string") return null;
  const match = ISO_DATE.exec(value);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return null;
  // CalendarDate clamps out-of-range parts; a real date survives unchanged.
  const date = new CalendarDate(year, month, day);
  return date.year === year && date.month === month && date.day === day ? date : null;
}

/** The date of payment `index` (0-based) of a schedule starting on `start`. */
export function installmentDate(start: CalendarDate, frequency: PlanFrequency, index: number): CalendarDate {
  switch (frequency) {
    case "weekly":
      return start.add({ days: 7 * index });
    case "every_two_weeks":
      return start.add({ days: 14 * index });
    case "monthly":
      // From the original start each time, so the day of month never drifts (Jan 31 → Mar 31).
      return start.add({ months: index });
  }
}

const isPositiveSafeInteger = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value > 0;

const isFrequency = (value: unknown): value is PlanFrequency =>
  value === "weekly" || value === "every_two_weeks" || value === "monthly";

/**
 * ceil(a / b) for positive safe integers, exactly: `a % b` is exact, and dividing an exact
 * multiple gives a representable integer, so no float rounding reaches a large total.
 */
function ceilDiv(a: number, b: number): number {
  const remainder = a % b;
  return (a - remainder) / b + (remainder > 0 ? 1 : 0);
}

/**
 * Splits `total` into `count` payments by the remainder rule in the header: `regular` each,
 * the last taking what is left. Amounts only; null when the last would not be positive.
 */
export function splitEvenly(totalMinor: number, count: number): { regularMinor: number; lastMinor: number } | null {
  const regularMinor = ceilDiv(totalMinor, count);
  const lastMinor = totalMinor - regularMinor * (count - 1);
  return lastMinor > 0 ? { regularMinor, lastMinor } : null;
}

/** A schedule of payments by the remainder rule and date rules in the header. Never throws. */
export function buildSchedule(input: ScheduleInput): ScheduleResult {
  const { totalMinor, frequency, startDate, by } = input;
  if (!isPositiveSafeInteger(totalMinor)) return { ok: false, reason: "invalid_total" };
  if (!isFrequency(frequency)) return { ok: false, reason: "invalid_frequency" };
  const start = parseCalendarDate(startDate);
  if (!start) return { ok: false, reason: "invalid_start_date" };

  let count: number;
  let regularMinor: number;
  let lastMinor: number;
  if (by?.kind === "amount") {
    if (!isPositiveSafeInteger(by.installmentMinor)) return { ok: false, reason: "invalid_installment_amount" };
    regularMinor = Math.min(by.installmentMinor, totalMinor);
    count = ceilDiv(totalMinor, regularMinor);
    if (count > MAX_INSTALLMENTS) return { ok: false, reason: "too_many_installments" };
    lastMinor = totalMinor - regularMinor * (count - 1);
  } else if (by?.kind === "count") {
    if (!isPositiveSafeInteger(by.count)) return { ok: false, reason: "invalid_count" };
    if (by.count > MAX_INSTALLMENTS) return { ok: false, reason: "too_many_installments" };
    count = by.count;
    const split = splitEvenly(totalMinor, count);
    if (!split) return { ok: false, reason: "count_too_high" };
    ({ regularMinor, lastMinor } = split);
  } else {
    return { ok: false, reason: "invalid_count" };
  }

  const installments: Installment[] = [];
  for (let index = 0; index < count; index++) {
    installments.push({
      dueOn: installmentDate(start, frequency, index).toString(),
      amountMinor: index === count - 1 ? lastMinor : regularMinor,
    });
  }
  const lastDueOn = installments[installments.length - 1]?.dueOn ?? startDate;
  return { ok: true, installments, lastDueOn, totalMinor };
}
