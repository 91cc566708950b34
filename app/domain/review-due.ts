/**
 * When a request waiting for staff review is due (docs/decisions/004-arrangements.md,
 * "Review due").
 *
 * Pure: no I/O, no clock. `agreedOn` is the calendar date ("YYYY-MM-DD") the borrower agreed,
 * in the creditor's time zone; the caller works it out and passes it in.
 *
 * THE RULE: a request needing review is due by the END of the day REVIEW_WORKING_DAYS
 * working days after the day it is agreed, in the creditor's time zone. Working days are
 * Monday to Friday; weekends are skipped; public holidays are not (yet) known, so not skipped.
 * The day of agreement never counts, even when it is a working day:
 *
 *   agreed Wednesday → Friday;  Thursday → Monday;  Friday, Saturday or Sunday → Tuesday.
 *
 * So the due date is always a weekday 2 to 4 calendar days after agreedOn. The simulator
 * shows this date before the borrower commits; the server stores the same.
 */
import { type CalendarDate, getDayOfWeek } from "@internationalized/date";
import { parseCalendarDate } from "~/domain/schedule";

/** Working days (Mon–Fri) staff have to review a request, after the day it is agreed. */
export const REVIEW_WORKING_DAYS = 2;

/** Monday to Friday. */
export function isWorkingDay(date: CalendarDate): boolean {
  // The week is numbered from Sunday (0 = Sunday … 6 = Saturday), named explicitly so the
  // answer never depends on the runtime's locale data; the locale is only a required argument.
  const day = getDayOfWeek(date, "en-US", "sun");
  return day !== 0 && day !== 6;
}

/**
 * The date ("YYYY-MM-DD") a request agreed on `agreedOn` is due for review (header rule).
 * Throws RangeError when agreedOn is not a real date written YYYY-MM-DD.
 */
export function reviewDueOn(agreedOn: string): string {
  const agreed = parseCalendarDate(agreedOn);
  if (!agreed) throw new RangeError(`agreedOn must be a date written YYYY-MM-DD, got ${String(agreedOn)}`);
  let due = agreed;
  for (let counted = 0; counted < REVIEW_WORKING_DAYS; ) {
    due = due.add({ days: 1 });
    if (isWorkingDay(due)) counted++;
  }
  return due.toString();
}
