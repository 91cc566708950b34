import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { installmentDate, parseCalendarDate } from "~/domain/schedule";
import { buildPromise, buildSettlement, settlementDiscountMinor } from "~/domain/settlement";
import { arbitraryDate as arbitraryToday, ok } from "./domain-arbitraries";

describe("settlements: properties", () => {
  test("the discount is floor(balance × bps / 10000); payments sum to balance − discount, the last the smallest and > 0", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 9_999 }),
        fc.constantFrom(1 as const, 2 as const, 3 as const),
        arbitraryToday,
        fc.integer({ min: 0, max: 31 }),
        (balance, bps, payments, today, startOffsetDays) => {
          const startDate = parseCalendarDate(today)!.add({ days: startOffsetDays }).toString();
          const result = buildSettlement({ balanceMinor: balance, discountBps: bps, payments, startDate, today });
          const discount = settlementDiscountMinor(balance, bps);
          // The rounded-down discount never exceeds the stated rate.
          expect(discount * 10_000).toBeLessThanOrEqual(balance * bps);
          expect((discount + 1) * 10_000).toBeGreaterThan(balance * bps);
          // A start late in the window can push the last payment past 3 months from today.
          const lastPossible = parseCalendarDate(today)!.add({ months: 3 });
          if (installmentDate(parseCalendarDate(startDate)!, "monthly", payments - 1).compare(lastPossible) > 0) {
            expect(result).toEqual({ ok: false, reason: "ends_too_late" });
            return;
          }
          const amount = balance - discount;
          if (amount - Math.ceil(amount / payments) * (payments - 1) <= 0) {
            // Only tiny amounts (1, 2 or 4 cents in 3 payments; 1 cent in 2).
            expect(result).toEqual({ ok: false, reason: "amount_too_small_to_split" });
            return;
          }
          const { installments, settlementMinor, discountMinor, lastDueOn } = ok(result);
          expect(discountMinor).toBe(discount);
          expect(settlementMinor).toBe(balance - discount);
          expect(installments).toHaveLength(payments);
          expect(installments.reduce((sum, i) => sum + i.amountMinor, 0)).toBe(settlementMinor);
          const regular = installments[0]!.amountMinor;
          for (const i of installments.slice(0, -1)) expect(i.amountMinor).toBe(regular);
          const last = installments[installments.length - 1]!;
          expect(last.amountMinor).toBeGreaterThan(0);
          expect(last.amountMinor).toBeLessThanOrEqual(regular);
          expect(lastDueOn).toBe(last.dueOn);
          for (let k = 1; k < installments.length; k++) expect(installments[k]!.dueOn > installments[k - 1]!.dueOn).toBe(true);
          expect(installments[0]!.dueOn >= today).toBe(true);
          expect(lastDueOn <= parseCalendarDate(today)!.add({ months: 3 }).toString()).toBe(true);
        },
      ),
    );
  });

  test("never throws", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), fc.anything(), (balanceMinor, discountBps, payments, startDate, today) => {
        const input = { balanceMinor, discountBps, payments, startDate, today } as unknown as Parameters<typeof buildSettlement>[0];
        expect(() => buildSettlement(input)).not.toThrow();
      }),
    );
  });
});

describe("settlements: examples", () => {
  test("DEMO-1001 at 15 % off in 3 payments: $1,054.43 = $351.48 + $351.48 + $351.47", () => {
    const result = ok(buildSettlement({ balanceMinor: 124_050, discountBps: 1_500, payments: 3, startDate: "2026-12-01", today: "2026-11-28" }));
    // 15 % of $1,240.50 is $186.075: the discount is $186.07.
    expect(result.discountMinor).toBe(18_607);
    expect(result.settlementMinor).toBe(105_443);
    expect(result.installments).toEqual([
      { dueOn: "2026-12-01", amountMinor: 35_148 },
      { dueOn: "2027-01-01", amountMinor: 35_148 },
      { dueOn: "2027-02-01", amountMinor: 35_147 },
    ]);
    expect(result.lastDueOn).toBe("2027-02-01");
  });

  test("a lump sum at 30 % off", () => {
    const result = ok(buildSettlement({ balanceMinor: 124_050, discountBps: 3_000, payments: 1, startDate: "2026-11-28", today: "2026-11-28" }));
    expect(result.installments).toEqual([{ dueOn: "2026-11-28", amountMinor: 86_835 }]);
  });

  test("30 % of $1.01 is a 30 cent discount", () => {
    expect(ok(buildSettlement({ balanceMinor: 101, discountBps: 3_000, payments: 1, startDate: "2026-12-01", today: "2026-12-01" })).settlementMinor).toBe(71);
  });

  test("month ends: from Nov 30, the last of 3 on Jan 30, within 3 months of Nov 30", () => {
    const result = ok(buildSettlement({ balanceMinor: 90_000, discountBps: 0, payments: 3, startDate: "2026-11-30", today: "2026-11-30" }));
    expect(result.installments.map((i) => i.dueOn)).toEqual(["2026-11-30", "2026-12-30", "2027-01-30"]);
  });

  test.each([
    ["a zero balance", { balanceMinor: 0 }, "invalid_balance"],
    ["a negative discount", { discountBps: -1 }, "invalid_discount"],
    ["a 100 % discount", { discountBps: 10_000 }, "invalid_discount"],
    ["a fractional discount", { discountBps: 15.5 }, "invalid_discount"],
    ["4 payments", { payments: 4 }, "invalid_payments"],
    ["a bad start date", { startDate: "2026-02-29" }, "invalid_start_date"],
    ["a bad today", { today: "yesterday" }, "invalid_today"],
    ["a start before today", { startDate: "2026-11-27" }, "start_in_past"],
    ["a last payment more than 3 months away", { startDate: "2027-01-01" }, "ends_too_late"],
    ["2 cents in 3 payments", { balanceMinor: 2, discountBps: 0 }, "amount_too_small_to_split"],
    ["4 cents in 3 payments (2 + 2 leaves nothing for the last)", { balanceMinor: 4, discountBps: 0 }, "amount_too_small_to_split"],
  ] as const)("refuses %s", (_name, change, reason) => {
    const input = { balanceMinor: 124_050, discountBps: 1_500, payments: 3, startDate: "2026-12-01", today: "2026-11-28", ...change };
    expect(buildSettlement(input as Parameters<typeof buildSettlement>[0])).toEqual({ ok: false, reason });
  });

  test("the last of 3 payments exactly 3 months from today is allowed", () => {
    expect(buildSettlement({ balanceMinor: 124_050, discountBps: 0, payments: 3, startDate: "2026-12-28", today: "2026-11-28" }).ok).toBe(true);
  });
});

describe("promises", () => {
  test("a promise to pay part of the balance on a date", () => {
    expect(buildPromise({ amountMinor: 20_000, dueOn: "2026-12-05", today: "2026-11-28", balanceMinor: 124_050 })).toEqual({
      ok: true,
      amountMinor: 20_000,
      dueOn: "2026-12-05",
      clearsBalance: false,
      installments: [{ dueOn: "2026-12-05", amountMinor: 20_000 }],
    });
  });

  test("a promise of the whole balance clears it; today is allowed", () => {
    const result = buildPromise({ amountMinor: 124_050, dueOn: "2026-11-28", today: "2026-11-28", balanceMinor: 124_050 });
    expect(result.ok && result.clearsBalance).toBe(true);
  });

  test.each([
    ["a zero amount", { amountMinor: 0 }, "invalid_amount"],
    ["a fractional amount", { amountMinor: 10.5 }, "invalid_amount"],
    ["a zero balance", { balanceMinor: 0 }, "invalid_balance"],
    ["a bad due date", { dueOn: "2026-11-31" }, "invalid_due_date"],
    ["a bad today", { today: "" }, "invalid_today"],
    ["more than the balance", { amountMinor: 124_051 }, "amount_above_balance"],
    ["a date before today", { dueOn: "2026-11-27" }, "due_in_past"],
  ] as const)("refuses %s", (_name, change, reason) => {
    const input = { amountMinor: 20_000, dueOn: "2026-12-05", today: "2026-11-28", balanceMinor: 124_050, ...change };
    expect(buildPromise(input)).toEqual({ ok: false, reason });
  });

  test("never throws", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), (amountMinor, dueOn, today, balanceMinor) => {
        const input = { amountMinor, dueOn, today, balanceMinor } as unknown as Parameters<typeof buildPromise>[0];
        expect(() => buildPromise(input)).not.toThrow();
      }),
    );
  });
});
