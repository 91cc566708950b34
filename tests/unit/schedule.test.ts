import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { buildSchedule, MAX_INSTALLMENTS, parseCalendarDate, type ScheduleResult } from "~/domain/schedule";
import { arbitraryDate, arbitraryFrequency, ok } from "./domain-arbitraries";

const arbitraryTotal = fc.integer({ min: 1, max: 100_000_000 });

/** The invariants every schedule keeps, whichever way it was built. */
function expectInvariants(result: ScheduleResult, totalMinor: number) {
  const { installments, lastDueOn } = ok(result);
  expect(installments.length).toBeGreaterThan(0);
  expect(installments.reduce((sum, i) => sum + i.amountMinor, 0)).toBe(totalMinor);
  for (const i of installments) expect(Number.isSafeInteger(i.amountMinor)).toBe(true);
  for (let k = 1; k < installments.length; k++) {
    expect(installments[k]!.dueOn > installments[k - 1]!.dueOn).toBe(true);
  }
  const regular = installments[0]!.amountMinor;
  for (const i of installments.slice(0, -1)) expect(i.amountMinor).toBe(regular);
  const last = installments[installments.length - 1]!;
  expect(last.amountMinor).toBeGreaterThan(0);
  expect(last.amountMinor).toBeLessThanOrEqual(regular);
  expect(lastDueOn).toBe(last.dueOn);
}

describe("properties", () => {
  test("from an amount: exact total, increasing dates, equal payments, a smaller positive last", () => {
    fc.assert(
      fc.property(
        arbitraryTotal,
        fc.integer({ min: 1, max: 100_000_000 }),
        arbitraryFrequency,
        arbitraryDate,
        (total, amount, frequency, startDate) => {
          fc.pre(Math.ceil(total / amount) <= MAX_INSTALLMENTS);
          const result = buildSchedule({ totalMinor: total, frequency, startDate, by: { kind: "amount", installmentMinor: amount } });
          expectInvariants(result, total);
          expect(ok(result).installments.length).toBe(Math.ceil(total / amount));
        },
      ),
    );
  });

  test("from an amount at or above the minimum: every payment but the last is at least the minimum", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        arbitraryTotal,
        arbitraryFrequency,
        arbitraryDate,
        (minimum, extra, total, frequency, startDate) => {
          const amount = minimum + extra;
          fc.pre(Math.ceil(total / amount) <= MAX_INSTALLMENTS);
          const { installments } = ok(
            buildSchedule({ totalMinor: total, frequency, startDate, by: { kind: "amount", installmentMinor: amount } }),
          );
          for (const i of installments.slice(0, -1)) expect(i.amountMinor).toBeGreaterThanOrEqual(minimum);
        },
      ),
    );
  });

  test("from a count: that many payments with the invariants, or count_too_high exactly when the rule cannot", () => {
    fc.assert(
      fc.property(
        arbitraryTotal,
        fc.integer({ min: 1, max: MAX_INSTALLMENTS }),
        arbitraryFrequency,
        arbitraryDate,
        (total, count, frequency, startDate) => {
          const result = buildSchedule({ totalMinor: total, frequency, startDate, by: { kind: "count", count } });
          const regular = Math.ceil(total / count);
          if (total - regular * (count - 1) <= 0) {
            expect(result).toEqual({ ok: false, reason: "count_too_high" });
          } else {
            expectInvariants(result, total);
            expect(ok(result).installments.length).toBe(count);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test("a total of at least count² cents always splits into count payments", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_INSTALLMENTS }), fc.integer({ min: 0, max: 1_000_000 }), (count, extra) => {
        const total = count * count + extra;
        expectInvariants(
          buildSchedule({ totalMinor: total, frequency: "monthly", startDate: "2026-12-01", by: { kind: "count", count } }),
          total,
        );
      }),
      { numRuns: 60 },
    );
  });

  test("monthly dates keep the start's day of month, clamped to the month end", () => {
    fc.assert(
      fc.property(arbitraryDate, fc.integer({ min: 1, max: 120 }), (startDate, count) => {
        const { installments } = ok(
          buildSchedule({ totalMinor: count * 100, frequency: "monthly", startDate, by: { kind: "count", count } }),
        );
        const startDay = Number(startDate.slice(8));
        installments.forEach((i, k) => {
          const date = parseCalendarDate(i.dueOn)!;
          const daysInMonth = date.calendar.getDaysInMonth(date);
          expect(date.day).toBe(Math.min(startDay, daysInMonth));
          const start = parseCalendarDate(startDate)!;
          expect((date.year - start.year) * 12 + date.month - start.month).toBe(k);
        });
      }),
    );
  });

  test("weekly and every-two-weeks dates are 7 and 14 days apart", () => {
    fc.assert(
      fc.property(arbitraryDate, fc.constantFrom(["weekly", 7] as const, ["every_two_weeks", 14] as const), (startDate, [frequency, days]) => {
        const { installments } = ok(buildSchedule({ totalMinor: 10_000, frequency, startDate, by: { kind: "count", count: 60 } }));
        const start = parseCalendarDate(startDate)!;
        installments.forEach((i, k) => expect(i.dueOn).toBe(start.add({ days: days * k }).toString()));
      }),
    );
  });

  test("never throws, whatever it is given", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), (totalMinor, frequency, startDate, by) => {
        const input = { totalMinor, frequency, startDate, by } as unknown as Parameters<typeof buildSchedule>[0];
        expect(() => buildSchedule(input)).not.toThrow();
      }),
    );
  });
});

describe("examples", () => {
  test("DEMO-1001: $1,240.50 at $100 a month from 2026-12-01 is 13 payments, the last $40.50", () => {
    const result = ok(
      buildSchedule({ totalMinor: 124_050, frequency: "monthly", startDate: "2026-12-01", by: { kind: "amount", installmentMinor: 10_000 } }),
    );
    expect(result.installments).toHaveLength(13);
    expect(result.installments.slice(0, 12).every((i) => i.amountMinor === 10_000)).toBe(true);
    expect(result.installments[12]).toEqual({ dueOn: "2027-12-01", amountMinor: 4_050 });
    expect(result.lastDueOn).toBe("2027-12-01");
    expect(result.totalMinor).toBe(124_050);
  });

  test("$100.00 in 3 payments is $33.34, $33.34, $33.32", () => {
    const result = ok(buildSchedule({ totalMinor: 10_000, frequency: "weekly", startDate: "2026-12-01", by: { kind: "count", count: 3 } }));
    expect(result.installments).toEqual([
      { dueOn: "2026-12-01", amountMinor: 3_334 },
      { dueOn: "2026-12-08", amountMinor: 3_334 },
      { dueOn: "2026-12-15", amountMinor: 3_332 },
    ]);
  });

  test("an amount above the total is one payment of the total", () => {
    const result = ok(buildSchedule({ totalMinor: 5_000, frequency: "monthly", startDate: "2026-12-01", by: { kind: "amount", installmentMinor: 9_000 } }));
    expect(result.installments).toEqual([{ dueOn: "2026-12-01", amountMinor: 5_000 }]);
  });

  const monthlyDates = (startDate: string, count: number) =>
    ok(buildSchedule({ totalMinor: 100_000, frequency: "monthly", startDate, by: { kind: "count", count } })).installments.map((i) => i.dueOn);

  test("a Jan 31 start: Feb 28, Mar 31, Apr 30, … from the original day", () => {
    expect(monthlyDates("2026-01-31", 6)).toEqual(["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"]);
  });

  test("a leap year: Jan 31 2028 → Feb 29; a Feb 29 start → Feb 28 in the next years, Feb 29 again in 2032", () => {
    expect(monthlyDates("2028-01-31", 3)).toEqual(["2028-01-31", "2028-02-29", "2028-03-31"]);
    const fromLeapDay = monthlyDates("2028-02-29", 49);
    expect(fromLeapDay.slice(0, 3)).toEqual(["2028-02-29", "2028-03-29", "2028-04-29"]);
    expect(fromLeapDay[12]).toBe("2029-02-28");
    expect(fromLeapDay[48]).toBe("2032-02-29");
  });

  test("2027-01-31: Feb 28 2027 (not a leap year), then back to the 31st", () => {
    expect(monthlyDates("2027-01-31", 4)).toEqual(["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]);
  });

  test("weekly across a year end", () => {
    const result = ok(buildSchedule({ totalMinor: 7_500, frequency: "weekly", startDate: "2026-12-24", by: { kind: "amount", installmentMinor: 2_500 } }));
    expect(result.installments.map((i) => i.dueOn)).toEqual(["2026-12-24", "2026-12-31", "2027-01-07"]);
  });

  test.each([
    ["a zero total", { totalMinor: 0 }, "invalid_total"],
    ["a fractional total", { totalMinor: 100.5 }, "invalid_total"],
    ["an unsafe total", { totalMinor: 2 ** 53 }, "invalid_total"],
    ["an unknown frequency", { frequency: "daily" }, "invalid_frequency"],
    ["Feb 30", { startDate: "2026-02-30" }, "invalid_start_date"],
    ["month 13", { startDate: "2026-13-01" }, "invalid_start_date"],
    ["day 0", { startDate: "2026-01-00" }, "invalid_start_date"],
    ["not a date", { startDate: "1 Dec 2026" }, "invalid_start_date"],
    ["a zero amount", { by: { kind: "amount", installmentMinor: 0 } }, "invalid_installment_amount"],
    ["a fractional amount", { by: { kind: "amount", installmentMinor: 0.5 } }, "invalid_installment_amount"],
    ["an amount implying 521 payments", { totalMinor: 521, by: { kind: "amount", installmentMinor: 1 } }, "too_many_installments"],
    ["a zero count", { by: { kind: "count", count: 0 } }, "invalid_count"],
    ["521 payments", { by: { kind: "count", count: 521 } }, "too_many_installments"],
    ["10 cents in 6 payments", { totalMinor: 10, by: { kind: "count", count: 6 } }, "count_too_high"],
    ["3 cents in 4 payments", { totalMinor: 3, by: { kind: "count", count: 4 } }, "count_too_high"],
  ] as const)("refuses %s", (_name, change, reason) => {
    const input = { totalMinor: 124_050, frequency: "monthly", startDate: "2026-12-01", by: { kind: "count", count: 12 }, ...change };
    expect(buildSchedule(input as Parameters<typeof buildSchedule>[0])).toEqual({ ok: false, reason });
  });

  test("520 weekly payments are allowed", () => {
    expect(ok(buildSchedule({ totalMinor: 520_000, frequency: "weekly", startDate: "2026-12-01", by: { kind: "count", count: 520 } })).installments).toHaveLength(520);
  });

  test("a very large total splits exactly", () => {
    const total = Number.MAX_SAFE_INTEGER - 1_000;
    expectInvariants(buildSchedule({ totalMinor: total, frequency: "monthly", startDate: "2026-12-01", by: { kind: "count", count: 7 } }), total);
  });
});
