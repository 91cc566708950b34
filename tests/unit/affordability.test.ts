import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { checkAffordability, monthlyEquivalentMinor, PAYMENTS_PER_YEAR } from "~/domain/affordability";
import { type PlanFrequency } from "~/domain/plan-policy";
import { arbitraryFrequency } from "./domain-arbitraries";

const arbitraryAmount = fc.integer({ min: 1, max: 1_000_000_000 });
const arbitraryMoney = fc.integer({ min: 0, max: 1_000_000_000 });

describe("monthly equivalent: examples", () => {
  test.each([
    ["$100 weekly is $433.34 a month (433.33… rounded up)", 10_000, "weekly", 43_334],
    ["$100 every two weeks is $216.67 a month (216.66… rounded up)", 10_000, "every_two_weeks", 21_667],
    ["$100 monthly is $100 a month", 10_000, "monthly", 10_000],
    ["$30 weekly is exactly $130 a month", 3_000, "weekly", 13_000],
    ["$60 every two weeks is exactly $130 a month", 6_000, "every_two_weeks", 13_000],
    ["1 cent weekly is 5 cents a month (4.33… rounded up)", 1, "weekly", 5],
    ["nothing is nothing", 0, "weekly", 0],
  ] as const)("%s", (_name, amount, frequency, monthly) => {
    expect(monthlyEquivalentMinor(amount, frequency)).toBe(monthly);
  });

  test("exact for a very large weekly amount (no float rounding)", () => {
    // One cent more a week is 4.33… cents more a month, rounded up to 5, even at 10^15 cents.
    expect(monthlyEquivalentMinor(300_000_000_000_000, "weekly")).toBe(1_300_000_000_000_000);
    expect(monthlyEquivalentMinor(300_000_000_000_001, "weekly")).toBe(1_300_000_000_000_005);
  });

  test.each([
    ["a negative amount", -1, "weekly"],
    ["a fractional amount", 10.5, "weekly"],
    ["an unsafe amount", 2 ** 53, "monthly"],
    ["NaN", Number.NaN, "monthly"],
    ["an unknown frequency", 10_000, "daily"],
    ["a monthly equivalent beyond a safe integer", Number.MAX_SAFE_INTEGER, "weekly"],
  ] as const)("throws RangeError for %s", (_name, amount, frequency) => {
    expect(() => monthlyEquivalentMinor(amount, frequency as PlanFrequency)).toThrow(RangeError);
  });
});

describe("monthly equivalent: properties", () => {
  test("at least the amount for weekly and every two weeks, exactly the amount for monthly", () => {
    fc.assert(
      fc.property(arbitraryAmount, arbitraryFrequency, (amount, frequency) => {
        const monthly = monthlyEquivalentMinor(amount, frequency);
        if (frequency === "monthly") expect(monthly).toBe(amount);
        else expect(monthly).toBeGreaterThanOrEqual(amount);
      }),
    );
  });

  test("the smallest whole number of cents at or above amount × payments a year / 12", () => {
    fc.assert(
      fc.property(arbitraryAmount, arbitraryFrequency, (amount, frequency) => {
        const monthly = BigInt(monthlyEquivalentMinor(amount, frequency));
        const yearly = BigInt(amount) * BigInt(PAYMENTS_PER_YEAR[frequency]);
        expect(monthly * 12n).toBeGreaterThanOrEqual(yearly);
        expect((monthly - 1n) * 12n).toBeLessThan(yearly);
      }),
    );
  });

  test("one cent more a payment costs more a month", () => {
    fc.assert(
      fc.property(arbitraryAmount, arbitraryFrequency, (amount, frequency) => {
        expect(monthlyEquivalentMinor(amount + 1, frequency)).toBeGreaterThan(monthlyEquivalentMinor(amount, frequency));
      }),
    );
  });
});

describe("affordability: examples", () => {
  test("$100 a week with $500 left over is affordable; the most that fits is $115.38 a week", () => {
    expect(
      checkAffordability({ incomeMinor: 250_000, essentialCostsMinor: 200_000, regularPaymentMinor: 10_000, frequency: "weekly" }),
    ).toEqual({ leftOverMinor: 50_000, monthlyPaymentMinor: 43_334, affordable: true, suggestedPaymentMinor: 11_538 });
    // $115.38 a week is $499.98 a month; $115.39 would be $500.03.
    expect(monthlyEquivalentMinor(11_538, "weekly")).toBe(49_998);
    expect(monthlyEquivalentMinor(11_539, "weekly")).toBe(50_003);
  });

  test("$100 a week with $433.33 left over is one cent short", () => {
    const result = checkAffordability({ incomeMinor: 143_333, essentialCostsMinor: 100_000, regularPaymentMinor: 10_000, frequency: "weekly" });
    expect(result.affordable).toBe(false);
    expect(result.suggestedPaymentMinor).toBe(9_999);
  });

  test("$100 a week with exactly $433.34 left over is affordable", () => {
    const result = checkAffordability({ incomeMinor: 143_334, essentialCostsMinor: 100_000, regularPaymentMinor: 10_000, frequency: "weekly" });
    expect(result.affordable).toBe(true);
    expect(result.suggestedPaymentMinor).toBe(10_000);
  });

  test("$100 every two weeks with $200 left over is not affordable; $92.30 is", () => {
    expect(
      checkAffordability({ incomeMinor: 120_000, essentialCostsMinor: 100_000, regularPaymentMinor: 10_000, frequency: "every_two_weeks" }),
    ).toEqual({ leftOverMinor: 20_000, monthlyPaymentMinor: 21_667, affordable: false, suggestedPaymentMinor: 9_230 });
  });

  test("monthly: the suggestion is what is left over", () => {
    expect(
      checkAffordability({ incomeMinor: 180_000, essentialCostsMinor: 150_000, regularPaymentMinor: 40_000, frequency: "monthly" }),
    ).toEqual({ leftOverMinor: 30_000, monthlyPaymentMinor: 40_000, affordable: false, suggestedPaymentMinor: 30_000 });
  });

  test("costs above income: a negative left over, nothing affordable, no suggestion", () => {
    expect(
      checkAffordability({ incomeMinor: 150_000, essentialCostsMinor: 175_000, regularPaymentMinor: 2_500, frequency: "monthly" }),
    ).toEqual({ leftOverMinor: -25_000, monthlyPaymentMinor: 2_500, affordable: false, suggestedPaymentMinor: null });
  });

  test("nothing left over: no suggestion", () => {
    expect(checkAffordability({ incomeMinor: 0, essentialCostsMinor: 0, regularPaymentMinor: 1, frequency: "weekly" }).suggestedPaymentMinor).toBeNull();
  });

  test("4 cents left over is too little for a cent a week (5 cents a month): no suggestion", () => {
    expect(checkAffordability({ incomeMinor: 4, essentialCostsMinor: 0, regularPaymentMinor: 1, frequency: "weekly" })).toEqual({
      leftOverMinor: 4,
      monthlyPaymentMinor: 5,
      affordable: false,
      suggestedPaymentMinor: null,
    });
  });

  test.each([
    ["a negative income", { incomeMinor: -1 }],
    ["fractional costs", { essentialCostsMinor: 0.5 }],
    ["a zero payment", { regularPaymentMinor: 0 }],
    ["a negative payment", { regularPaymentMinor: -100 }],
    ["an unsafe income", { incomeMinor: 2 ** 53 }],
    ["an unknown frequency", { frequency: "daily" }],
  ] as const)("throws RangeError for %s", (_name, change) => {
    const input = { incomeMinor: 250_000, essentialCostsMinor: 200_000, regularPaymentMinor: 10_000, frequency: "weekly", ...change };
    expect(() => checkAffordability(input as Parameters<typeof checkAffordability>[0])).toThrow(RangeError);
  });
});

describe("affordability: properties", () => {
  test("left over is income − costs; affordable exactly when the monthly equivalent fits", () => {
    fc.assert(
      fc.property(arbitraryMoney, arbitraryMoney, arbitraryAmount, arbitraryFrequency, (income, costs, payment, frequency) => {
        const result = checkAffordability({ incomeMinor: income, essentialCostsMinor: costs, regularPaymentMinor: payment, frequency });
        expect(result.leftOverMinor).toBe(income - costs);
        expect(result.monthlyPaymentMinor).toBe(monthlyEquivalentMinor(payment, frequency));
        expect(result.affordable).toBe(result.monthlyPaymentMinor <= result.leftOverMinor);
      }),
    );
  });

  test("the suggested payment is affordable and one cent more is not; null only when not even a cent is", () => {
    fc.assert(
      fc.property(arbitraryMoney, arbitraryMoney, arbitraryFrequency, (income, costs, frequency) => {
        const { leftOverMinor, suggestedPaymentMinor } = checkAffordability({
          incomeMinor: income,
          essentialCostsMinor: costs,
          regularPaymentMinor: 1,
          frequency,
        });
        if (suggestedPaymentMinor === null) {
          expect(leftOverMinor <= 0 || monthlyEquivalentMinor(1, frequency) > leftOverMinor).toBe(true);
          return;
        }
        expect(Number.isSafeInteger(suggestedPaymentMinor)).toBe(true);
        expect(suggestedPaymentMinor).toBeGreaterThan(0);
        expect(monthlyEquivalentMinor(suggestedPaymentMinor, frequency)).toBeLessThanOrEqual(leftOverMinor);
        expect(monthlyEquivalentMinor(suggestedPaymentMinor + 1, frequency)).toBeGreaterThan(leftOverMinor);
        // And checkAffordability agrees the suggestion fits.
        expect(
          checkAffordability({ incomeMinor: income, essentialCostsMinor: costs, regularPaymentMinor: suggestedPaymentMinor, frequency })
            .affordable,
        ).toBe(true);
      }),
    );
  });

  test("a payment is affordable exactly when it is at most the suggestion", () => {
    fc.assert(
      fc.property(arbitraryMoney, arbitraryMoney, arbitraryAmount, arbitraryFrequency, (income, costs, payment, frequency) => {
        const { affordable, suggestedPaymentMinor } = checkAffordability({
          incomeMinor: income,
          essentialCostsMinor: costs,
          regularPaymentMinor: payment,
          frequency,
        });
        expect(affordable).toBe(suggestedPaymentMinor !== null && payment <= suggestedPaymentMinor);
      }),
    );
  });
});
