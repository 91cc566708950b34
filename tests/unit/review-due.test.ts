import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { isWorkingDay, REVIEW_WORKING_DAYS, reviewDueOn } from "~/domain/review-due";
import { parseCalendarDate } from "~/domain/schedule";
import { arbitraryDate } from "./domain-arbitraries";

/** Day of week from JavaScript's own calendar (0 = Sunday), independent of the module. */
const utcDay = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const daysBetween = (from: string, to: string) =>
  (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;

describe("examples", () => {
  test("two working days", () => {
    expect(REVIEW_WORKING_DAYS).toBe(2);
  });

  test.each([
    ["Monday 2026-11-23", "2026-11-23", "2026-11-25"],
    ["Wednesday 2026-11-25", "2026-11-25", "2026-11-27"],
    ["Thursday 2026-11-26", "2026-11-26", "2026-11-30"],
    ["Friday 2026-11-27", "2026-11-27", "2026-12-01"],
    ["Saturday 2026-11-28 (the ADR's date)", "2026-11-28", "2026-12-01"],
    ["Sunday 2026-11-29", "2026-11-29", "2026-12-01"],
    ["Thursday 2026-12-31, across a year end", "2026-12-31", "2027-01-04"],
    ["Friday 2028-02-25, across a leap day", "2028-02-25", "2028-02-29"],
  ])("agreed %s → due %s", (_name, agreedOn, due) => {
    expect(reviewDueOn(agreedOn)).toBe(due);
  });

  test.each([["2026-02-30"], ["2026-13-01"], ["28/11/2026"], [""], ["2026-11-28T10:00:00Z"]])(
    "throws RangeError for %j",
    (agreedOn) => {
      expect(() => reviewDueOn(agreedOn)).toThrow(RangeError);
    },
  );

  test("isWorkingDay: Monday to Friday", () => {
    const week = ["2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28"];
    expect(week.map((date) => isWorkingDay(parseCalendarDate(date)!))).toEqual([false, true, true, true, true, true, false]);
  });
});

describe("properties", () => {
  test("always a weekday 2 to 4 calendar days later", () => {
    fc.assert(
      fc.property(arbitraryDate, (agreedOn) => {
        const due = reviewDueOn(agreedOn);
        expect(utcDay(due)).toBeGreaterThanOrEqual(1);
        expect(utcDay(due)).toBeLessThanOrEqual(5);
        const days = daysBetween(agreedOn, due);
        expect(days).toBeGreaterThanOrEqual(2);
        expect(days).toBeLessThanOrEqual(4);
      }),
    );
  });

  test("exactly two working days after the day agreed, counted one by one", () => {
    fc.assert(
      fc.property(arbitraryDate, (agreedOn) => {
        const due = reviewDueOn(agreedOn);
        const agreed = parseCalendarDate(agreedOn)!;
        const between = Array.from({ length: daysBetween(agreedOn, due) }, (_, k) => agreed.add({ days: k + 1 }).toString());
        // The days after agreedOn up to and including the due date hold exactly 2 weekdays,
        // the last of them the due date itself.
        expect(between.filter((date) => utcDay(date) !== 0 && utcDay(date) !== 6)).toHaveLength(REVIEW_WORKING_DAYS);
        expect(between.at(-1)).toBe(due);
      }),
    );
  });

  test("isWorkingDay agrees with JavaScript's Date", () => {
    fc.assert(
      fc.property(arbitraryDate, (date) => {
        expect(isWorkingDay(parseCalendarDate(date)!)).toBe(utcDay(date) !== 0 && utcDay(date) !== 6);
      }),
    );
  });
});
