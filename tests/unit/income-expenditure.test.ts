import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  checkProposedPayment,
  IE_MAX_AMOUNT_MINOR,
  parseIeForm,
  summarize,
  toMonthlyMinor,
  type IeLine,
  type IeSummary,
} from "~/domain/income-expenditure";
import {
  IE_CATEGORIES,
  IE_CATEGORIES_BY_SECTION,
  IE_FREQUENCIES,
  IE_INCOME_CATEGORIES,
  IE_OUTGOING_CATEGORIES,
  IE_PERIODS_PER_YEAR,
  IE_SECTIONS,
  ieAmountField,
  ieFrequencyField,
  ieKindOf,
  isIeCategory,
  isIeFrequency,
  isIeSection,
  sectionOf,
  type IeCategory,
  type IeFrequency,
} from "~/domain/income-expenditure-fields";
import { minorToDecimalString } from "~/domain/money";
import {
  arbitraryIeAmountMinor,
  arbitraryIeFrequency,
  arbitraryIeLine,
  arbitraryIeLines,
  ok,
} from "./domain-arbitraries";

/** The summary of lines that must be valid (fails the test with the reason otherwise). */
function summaryOf(lines: readonly IeLine[]): IeSummary {
  return ok(summarize(lines)).summary;
}

const line = (category: IeCategory, amountMinor: number, frequency: IeFrequency = "monthly"): IeLine => ({
  category,
  amountMinor,
  frequency,
});

describe("sections and categories", () => {
  test("sections come in the Standard Financial Statement's order", () => {
    expect(IE_SECTIONS).toEqual(["income", "fixed_costs", "flexible_costs", "savings", "debts"]);
  });

  test("categories, section by section, in the form's order", () => {
    expect(IE_CATEGORIES).toEqual([
      "earnings",
      "benefits",
      "pensions",
      "other_income",
      "home_and_contents",
      "utilities",
      "water",
      "care_and_health",
      "transport",
      "school",
      "pensions_and_insurance",
      "professional_costs",
      "other_essentials",
      "communications_and_leisure",
      "food_and_housekeeping",
      "personal_costs",
      "savings",
      "priority_debts",
      "other_debts",
    ]);
  });

  test("each section holds its own categories", () => {
    expect(IE_CATEGORIES_BY_SECTION).toEqual({
      income: ["earnings", "benefits", "pensions", "other_income"],
      fixed_costs: [
        "home_and_contents",
        "utilities",
        "water",
        "care_and_health",
        "transport",
        "school",
        "pensions_and_insurance",
        "professional_costs",
        "other_essentials",
      ],
      flexible_costs: ["communications_and_leisure", "food_and_housekeeping", "personal_costs"],
      savings: ["savings"],
      debts: ["priority_debts", "other_debts"],
    });
  });

  test("codes are unique lower_snake_case", () => {
    expect(new Set(IE_CATEGORIES).size).toBe(IE_CATEGORIES.length);
    expect(new Set(IE_SECTIONS).size).toBe(IE_SECTIONS.length);
    for (const code of [...IE_SECTIONS, ...IE_CATEGORIES, ...IE_FREQUENCIES]) expect(code).toMatch(/^[a-z]+(?:_[a-z]+)*$/);
  });

  test.each([
    ["earnings", "income"],
    ["other_income", "income"],
    ["home_and_contents", "fixed_costs"],
    ["water", "fixed_costs"],
    ["other_essentials", "fixed_costs"],
    ["communications_and_leisure", "flexible_costs"],
    ["personal_costs", "flexible_costs"],
    ["savings", "savings"],
    ["priority_debts", "debts"],
    ["other_debts", "debts"],
  ] as const)("sectionOf(%s) is %s", (category, section) => {
    expect(sectionOf(category)).toBe(section);
  });

  test("sectionOf agrees with the sections' lists for every category", () => {
    for (const section of IE_SECTIONS) {
      for (const category of IE_CATEGORIES_BY_SECTION[section]) expect(sectionOf(category)).toBe(section);
    }
  });

  test("sectionOf throws RangeError for an unknown category", () => {
    expect(() => sectionOf("rent" as IeCategory)).toThrow(RangeError);
  });

  test("income is the income section; everything else is an outgoing", () => {
    expect(IE_INCOME_CATEGORIES).toEqual(["earnings", "benefits", "pensions", "other_income"]);
    expect(IE_OUTGOING_CATEGORIES).toEqual(IE_CATEGORIES.slice(4));
    expect(ieKindOf("pensions")).toBe("income");
    expect(ieKindOf("pensions_and_insurance")).toBe("outgoing");
    expect(ieKindOf("savings")).toBe("outgoing");
    expect(ieKindOf("other_debts")).toBe("outgoing");
  });

  test("frequencies and how many times a year each falls", () => {
    expect(IE_FREQUENCIES).toEqual(["weekly", "fortnightly", "four_weekly", "monthly"]);
    expect(IE_PERIODS_PER_YEAR).toEqual({ weekly: 52, fortnightly: 26, four_weekly: 13, monthly: 12 });
  });

  test("type guards accept the exact codes only", () => {
    expect(IE_CATEGORIES.every((c) => isIeCategory(c))).toBe(true);
    expect(IE_FREQUENCIES.every((f) => isIeFrequency(f))).toBe(true);
    expect(IE_SECTIONS.every((s) => isIeSection(s))).toBe(true);
    for (const value of ["Water", " water", "", "rent", "toString", "__proto__", "constructor", 1, null, undefined, {}]) {
      expect(isIeCategory(value)).toBe(false);
      expect(isIeSection(value)).toBe(false);
    }
    for (const value of ["every_two_weeks", "Weekly", "daily", "", 52, null]) expect(isIeFrequency(value)).toBe(false);
    // A section is not a category unless it is also one ("savings" is both).
    expect(isIeCategory("fixed_costs")).toBe(false);
    expect(isIeCategory("savings")).toBe(true);
  });

  test("form field names", () => {
    expect(ieAmountField("food_and_housekeeping")).toBe("ie.food_and_housekeeping.amount");
    expect(ieFrequencyField("food_and_housekeeping")).toBe("ie.food_and_housekeeping.frequency");
  });
});

describe("monthly amounts: examples", () => {
  test.each([
    ["100.00 a week is 433.33 a month (433.333…)", 10_000, "weekly", 43_333],
    ["100.00 a fortnight is 216.67 a month (216.666…)", 10_000, "fortnightly", 21_667],
    ["100.00 every four weeks is 108.33 a month (108.333…)", 10_000, "four_weekly", 10_833],
    ["100.00 a month is 100.00", 10_000, "monthly", 10_000],
    ["30.00 a week is exactly 130.00", 3_000, "weekly", 13_000],
    ["60.00 a fortnight is exactly 130.00", 6_000, "fortnightly", 13_000],
    ["120.00 every four weeks is exactly 130.00", 12_000, "four_weekly", 13_000],
    ["1p a week is 4p (4.33p rounds down)", 1, "weekly", 4],
    ["2p a week is 9p (8.67p rounds up)", 2, "weekly", 9],
    ["nothing weekly is nothing", 0, "weekly", 0],
    ["nothing four-weekly is nothing", 0, "four_weekly", 0],
  ] as const)("%s", (_name, amount, frequency, monthly) => {
    expect(toMonthlyMinor(amount, frequency)).toBe(monthly);
  });

  test.each([
    // amount × periods = 12 × monthly + remainder; a remainder of exactly 6 is half a cent.
    ["3p a fortnight is 6.5p: the half rounds up to 7p", 3, "fortnightly", 7],
    ["9p a fortnight is 19.5p: 20p", 9, "fortnightly", 20],
    ["100.05 a fortnight is 216.775: 216.78", 10_005, "fortnightly", 21_678],
    ["100.04 a fortnight is 216.753…: 216.75", 10_004, "fortnightly", 21_675],
    ["6p every four weeks is 6.5p: 7p", 6, "four_weekly", 7],
    ["18p every four weeks is 19.5p: 20p", 18, "four_weekly", 20],
    ["5p every four weeks is 5.41…p: 5p", 5, "four_weekly", 5],
    ["7p every four weeks is 7.58…p: 8p", 7, "four_weekly", 8],
    ["100.02 every four weeks is 108.355: 108.36", 10_002, "four_weekly", 10_836],
    ["100.01 every four weeks is 108.344…: 108.34", 10_001, "four_weekly", 10_834],
  ] as const)("half-cent boundary: %s", (_name, amount, frequency, monthly) => {
    expect(toMonthlyMinor(amount, frequency)).toBe(monthly);
  });

  test.each([
    ["10,000,000.00 a week is 43,333,333.33", 1_000_000_000, "weekly", 4_333_333_333],
    ["10,000,000.00 a fortnight is 21,666,666.67", 1_000_000_000, "fortnightly", 2_166_666_667],
    ["10,000,000.00 every four weeks is 10,833,333.33", 1_000_000_000, "four_weekly", 1_083_333_333],
    ["9,999,999.99 a week is exactly 43,333,333.29", 999_999_999, "weekly", 4_333_333_329],
    ["9,999,999.99 a fortnight is 21,666,666.645: .65", 999_999_999, "fortnightly", 2_166_666_665],
    ["9,999,999.90 every four weeks is 10,833,333.225: .23", 999_999_990, "four_weekly", 1_083_333_323],
  ] as const)("exact at the top of the range: %s", (_name, amount, frequency, monthly) => {
    expect(toMonthlyMinor(amount, frequency)).toBe(monthly);
  });

  test.each([
    ["a negative amount", -1, "weekly"],
    ["a fractional amount", 10.5, "weekly"],
    ["NaN", Number.NaN, "monthly"],
    ["Infinity", Number.POSITIVE_INFINITY, "monthly"],
    ["an unsafe amount", 2 ** 53, "monthly"],
    ["an amount above the maximum", IE_MAX_AMOUNT_MINOR + 1, "monthly"],
    ["a plan's frequency (every_two_weeks)", 10_000, "every_two_weeks"],
    ["an unknown frequency", 10_000, "daily"],
  ] as const)("throws RangeError for %s", (_name, amount, frequency) => {
    expect(() => toMonthlyMinor(amount, frequency as IeFrequency)).toThrow(RangeError);
  });
});

describe("monthly amounts: properties", () => {
  test("the nearest whole cent to amount × periods / 12, a half cent up (exact, checked with BigInt)", () => {
    fc.assert(
      fc.property(arbitraryIeAmountMinor, arbitraryIeFrequency, (amount, frequency) => {
        const monthly = toMonthlyMinor(amount, frequency);
        expect(Number.isSafeInteger(monthly)).toBe(true);
        // 12 × monthly − amount × periods is within (−6, 6]: at most half a cent off, ties up.
        const error = BigInt(monthly) * 12n - BigInt(amount) * BigInt(IE_PERIODS_PER_YEAR[frequency]);
        expect(error > -6n && error <= 6n).toBe(true);
      }),
    );
  });

  test("monotonic: more a period is never less a month", () => {
    fc.assert(
      fc.property(arbitraryIeAmountMinor, arbitraryIeAmountMinor, arbitraryIeFrequency, (a, b, frequency) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(toMonthlyMinor(low, frequency)).toBeLessThanOrEqual(toMonthlyMinor(high, frequency));
      }),
    );
  });

  test("monotonic in how often: weekly ≥ fortnightly ≥ four-weekly ≥ monthly for the same amount", () => {
    fc.assert(
      fc.property(arbitraryIeAmountMinor, (amount) => {
        const weekly = toMonthlyMinor(amount, "weekly");
        const fortnightly = toMonthlyMinor(amount, "fortnightly");
        const fourWeekly = toMonthlyMinor(amount, "four_weekly");
        expect(weekly).toBeGreaterThanOrEqual(fortnightly);
        expect(fortnightly).toBeGreaterThanOrEqual(fourWeekly);
        expect(fourWeekly).toBeGreaterThanOrEqual(toMonthlyMinor(amount, "monthly"));
      }),
    );
  });

  test("monthly is the amount itself; whole years divide exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Math.floor(IE_MAX_AMOUNT_MINOR / 12) }), (k) => {
        expect(toMonthlyMinor(k, "monthly")).toBe(k);
        expect(toMonthlyMinor(3 * k, "weekly")).toBe(13 * k);
        expect(toMonthlyMinor(6 * k, "fortnightly")).toBe(13 * k);
        expect(toMonthlyMinor(12 * k, "four_weekly")).toBe(13 * k);
      }),
    );
  });
});

describe("summarize: examples", () => {
  const statement: IeLine[] = [
    line("earnings", 150_000),
    line("benefits", 10_000, "weekly"), // 433.33
    line("home_and_contents", 65_000),
    line("utilities", 12_000, "four_weekly"), // 130.00
    line("water", 4_000),
    line("transport", 2_500, "weekly"), // 108.33
    line("communications_and_leisure", 4_500),
    line("food_and_housekeeping", 6_000, "weekly"), // 260.00
    line("personal_costs", 3_000, "fortnightly"), // 65.00
    line("savings", 2_000),
    line("priority_debts", 5_000),
    line("other_debts", 10_000),
  ];

  test("a worked statement: every total and the surplus, to the cent", () => {
    const summary = summaryOf(statement);
    expect({
      incomeMinor: summary.incomeMinor,
      fixedCostsMinor: summary.fixedCostsMinor,
      flexibleCostsMinor: summary.flexibleCostsMinor,
      savingsMinor: summary.savingsMinor,
      priorityDebtsMinor: summary.priorityDebtsMinor,
      otherDebtsMinor: summary.otherDebtsMinor,
      outgoingsMinor: summary.outgoingsMinor,
      surplusMinor: summary.surplusMinor,
      disposableForDebtsMinor: summary.disposableForDebtsMinor,
    }).toEqual({
      incomeMinor: 193_333, // 1,500.00 + 433.33
      fixedCostsMinor: 92_833, // 650.00 + 130.00 + 40.00 + 108.33
      flexibleCostsMinor: 37_000, // 45.00 + 260.00 + 65.00
      savingsMinor: 2_000,
      priorityDebtsMinor: 5_000,
      otherDebtsMinor: 10_000,
      outgoingsMinor: 146_833,
      surplusMinor: 46_500,
      disposableForDebtsMinor: 46_500,
    });
    expect(summary.monthlyBySectionMinor).toEqual({
      income: 193_333,
      fixed_costs: 92_833,
      flexible_costs: 37_000,
      savings: 2_000,
      debts: 15_000,
    });
    expect(summary.monthlyByCategoryMinor.benefits).toBe(43_333);
    expect(summary.monthlyByCategoryMinor.transport).toBe(10_833);
    expect(summary.monthlyByCategoryMinor.school).toBe(0);
    expect(Object.keys(summary.monthlyByCategoryMinor)).toEqual(IE_CATEGORIES);
  });

  test("lines come back in category order with their section and monthly amount", () => {
    const summary = summaryOf([line("other_debts", 100), line("water", 300, "fortnightly"), line("earnings", 10_000, "weekly")]);
    expect(summary.lines).toEqual([
      { category: "earnings", amountMinor: 10_000, frequency: "weekly", section: "income", monthlyMinor: 43_333 },
      { category: "water", amountMinor: 300, frequency: "fortnightly", section: "fixed_costs", monthlyMinor: 650 },
      { category: "other_debts", amountMinor: 100, frequency: "monthly", section: "debts", monthlyMinor: 100 },
    ]);
  });

  test("costs above income: a shortfall, and nothing disposable", () => {
    const summary = summaryOf([line("earnings", 100_000), line("home_and_contents", 120_000)]);
    expect(summary.surplusMinor).toBe(-20_000);
    expect(summary.disposableForDebtsMinor).toBe(0);
  });

  test("totals add the rounded lines: three lines of 4.33p make 12p, not 13p", () => {
    // 1p a week is 4.333…p a month, shown as 4p; three such lines show 4p + 4p + 4p.
    const summary = summaryOf([line("home_and_contents", 1, "weekly"), line("utilities", 1, "weekly"), line("water", 1, "weekly")]);
    expect(summary.lines.map((l) => l.monthlyMinor)).toEqual([4, 4, 4]);
    expect(summary.fixedCostsMinor).toBe(12);
    expect(summary.outgoingsMinor).toBe(12);
    expect(summary.surplusMinor).toBe(-12);
  });

  test("totals add the rounded lines: two half cents rounded up make 14p, not 13p", () => {
    const summary = summaryOf([line("earnings", 3, "fortnightly"), line("benefits", 3, "fortnightly")]);
    expect(summary.incomeMinor).toBe(14);
  });

  test("nothing given: every total is zero", () => {
    const summary = summaryOf([]);
    expect(summary.lines).toEqual([]);
    expect(summary.incomeMinor + summary.outgoingsMinor + summary.surplusMinor + summary.disposableForDebtsMinor).toBe(0);
    expect(Object.values(summary.monthlyByCategoryMinor).every((v) => v === 0)).toBe(true);
  });

  test("a zero amount is accepted, kept as a line, and counts for nothing", () => {
    const withZero = summaryOf([line("earnings", 50_000), line("pensions", 0, "weekly")]);
    expect(withZero.lines.map((l) => [l.category, l.monthlyMinor])).toEqual([
      ["earnings", 50_000],
      ["pensions", 0],
    ]);
    expect(withZero.incomeMinor).toBe(50_000);
  });

  test("exact with every category at 10,000,000.00 a week", () => {
    const summary = summaryOf(IE_CATEGORIES.map((category) => line(category, IE_MAX_AMOUNT_MINOR, "weekly")));
    expect(summary.incomeMinor).toBe(4 * 4_333_333_333);
    expect(summary.outgoingsMinor).toBe(15 * 4_333_333_333);
    expect(summary.surplusMinor).toBe(-47_666_666_663);
    expect(summary.disposableForDebtsMinor).toBe(0);
  });

  test.each([
    ["a negative amount", line("water", -1), "negative"],
    ["a fractional amount", line("water", 1.5), "not_safe_integer"],
    ["NaN", line("water", Number.NaN), "not_safe_integer"],
    ["Infinity", line("water", Number.POSITIVE_INFINITY), "not_safe_integer"],
    ["an unsafe amount", line("water", 2 ** 53), "not_safe_integer"],
    ["an amount as text", { category: "water", amountMinor: "100", frequency: "monthly" }, "not_safe_integer"],
    ["an amount above 10,000,000.00", line("water", IE_MAX_AMOUNT_MINOR + 1), "too_large"],
    ["an unknown category", { category: "rent", amountMinor: 100, frequency: "monthly" }, "unknown_category"],
    ["a category in the wrong case", { category: "Water", amountMinor: 100, frequency: "monthly" }, "unknown_category"],
    ["a plan's frequency", { category: "water", amountMinor: 100, frequency: "every_two_weeks" }, "unknown_frequency"],
    ["an unknown frequency", { category: "water", amountMinor: 100, frequency: "daily" }, "unknown_frequency"],
    ["a second line for a category", line("earnings", 100), "duplicate_category"],
  ] as const)("refuses %s with a reason and the line's index", (_name, bad, reason) => {
    const result = summarize([line("earnings", 100_000), bad as IeLine, line("food_and_housekeeping", 20_000)]);
    expect(result).toEqual({ ok: false, reason, index: 1 });
  });

  test("reports the first refused line", () => {
    expect(summarize([line("earnings", 1), line("water", -1), line("rent" as IeCategory, 1)])).toEqual({
      ok: false,
      reason: "negative",
      index: 1,
    });
  });

  test("accepts exactly 10,000,000.00", () => {
    expect(summaryOf([line("earnings", IE_MAX_AMOUNT_MINOR)]).incomeMinor).toBe(IE_MAX_AMOUNT_MINOR);
  });
});

describe("summarize: properties", () => {
  test("each line is its monthly amount; totals are the sums of the lines; surplus = income − outgoings exactly", () => {
    fc.assert(
      fc.property(arbitraryIeLines, (lines) => {
        const summary = summaryOf(lines);
        expect(summary.lines).toHaveLength(lines.length);
        // Independent exact sums in BigInt, from the input lines.
        const sum = (keep: (l: IeLine) => boolean) =>
          lines.filter(keep).reduce((total, l) => total + BigInt(toMonthlyMinor(l.amountMinor, l.frequency)), 0n);
        const income = sum((l) => ieKindOf(l.category) === "income");
        const outgoings = sum((l) => ieKindOf(l.category) === "outgoing");
        expect(BigInt(summary.incomeMinor)).toBe(income);
        expect(BigInt(summary.outgoingsMinor)).toBe(outgoings);
        expect(BigInt(summary.fixedCostsMinor)).toBe(sum((l) => sectionOf(l.category) === "fixed_costs"));
        expect(BigInt(summary.flexibleCostsMinor)).toBe(sum((l) => sectionOf(l.category) === "flexible_costs"));
        expect(BigInt(summary.savingsMinor)).toBe(sum((l) => l.category === "savings"));
        expect(BigInt(summary.priorityDebtsMinor)).toBe(sum((l) => l.category === "priority_debts"));
        expect(BigInt(summary.otherDebtsMinor)).toBe(sum((l) => l.category === "other_debts"));
        expect(BigInt(summary.surplusMinor)).toBe(income - outgoings);
        expect(summary.outgoingsMinor).toBe(
          summary.fixedCostsMinor + summary.flexibleCostsMinor + summary.savingsMinor + summary.priorityDebtsMinor + summary.otherDebtsMinor,
        );
        expect(summary.disposableForDebtsMinor).toBe(Math.max(summary.surplusMinor, 0));
        // What the borrower sees adds up: the shown lines sum to the shown totals.
        const shown = (section: string) => summary.lines.filter((l) => l.section === section).reduce((t, l) => t + l.monthlyMinor, 0);
        for (const section of IE_SECTIONS) expect(summary.monthlyBySectionMinor[section]).toBe(shown(section));
        for (const l of summary.lines) expect(summary.monthlyByCategoryMinor[l.category]).toBe(l.monthlyMinor);
        for (const value of [summary.incomeMinor, summary.outgoingsMinor, summary.surplusMinor]) {
          expect(Number.isSafeInteger(value)).toBe(true);
        }
      }),
    );
  });

  test("the order lines come in changes nothing; lines come back in category order", () => {
    const linesAndShuffle = arbitraryIeLines.chain((lines) =>
      fc.tuple(fc.constant(lines), fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length })),
    );
    fc.assert(
      fc.property(linesAndShuffle, ([lines, shuffled]) => {
        const summary = summaryOf(lines);
        expect(summaryOf(shuffled)).toEqual(summary);
        const order = summary.lines.map((l) => IE_CATEGORIES.indexOf(l.category));
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }),
    );
  });

  test("more income never lowers the surplus; more outgoings never raise it", () => {
    fc.assert(
      fc.property(arbitraryIeLines.filter((lines) => lines.length > 0), fc.nat(), arbitraryIeAmountMinor, (lines, pick, more) => {
        const index = pick % lines.length;
        const changed = lines.map((l, i) => (i === index ? { ...l, amountMinor: Math.min(l.amountMinor + more, IE_MAX_AMOUNT_MINOR) } : l));
        const before = summaryOf(lines).surplusMinor;
        const after = summaryOf(changed).surplusMinor;
        const target = lines[index];
        if (target === undefined) throw new Error("no line picked");
        if (ieKindOf(target.category) === "income") expect(after).toBeGreaterThanOrEqual(before);
        else expect(after).toBeLessThanOrEqual(before);
      }),
    );
  });
});

describe("parseIeForm", () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields);

  test("reads amounts as people type them, with their frequencies, in category order", () => {
    const result = parseIeForm(
      form({
        "ie.other_income.amount": " 1 200 ",
        "ie.other_income.frequency": "four_weekly",
        "ie.earnings.amount": "1,200",
        "ie.earnings.frequency": "monthly",
        "ie.benefits.amount": "1200.5",
        "ie.benefits.frequency": "weekly",
        "ie.pensions.amount": "$1,200.50",
        "ie.pensions.frequency": "fortnightly",
      }),
    );
    expect(result).toEqual({
      ok: true,
      lines: [
        { category: "earnings", amountMinor: 120_000, frequency: "monthly" },
        { category: "benefits", amountMinor: 120_050, frequency: "weekly" },
        { category: "pensions", amountMinor: 120_050, frequency: "fortnightly" },
        { category: "other_income", amountMinor: 120_000, frequency: "four_weekly" },
      ],
    });
  });

  test("a blank or absent amount is not answered: no line, no error, its frequency not read", () => {
    expect(
      parseIeForm(
        form({
          "ie.earnings.amount": "",
          "ie.earnings.frequency": "daily",
          "ie.benefits.amount": "   ",
          "ie.pensions.frequency": "weekly",
        }),
      ),
    ).toEqual({ ok: true, lines: [] });
  });

  test("a zero amount needs no frequency (a monthly 0); with one, it keeps it", () => {
    expect(parseIeForm(form({ "ie.school.amount": "0", "ie.water.amount": "0.00", "ie.water.frequency": "weekly" }))).toEqual({
      ok: true,
      lines: [
        { category: "water", amountMinor: 0, frequency: "weekly" },
        { category: "school", amountMinor: 0, frequency: "monthly" },
      ],
    });
  });

  test.each([
    ["letters", "abc", "invalid"],
    ["a comma in the wrong place", "12,40", "invalid"],
    ["two decimal points", "1.2.3", "invalid"],
    ["a minus sign", "-5", "negative"],
    ["accountants' parentheses", "(5.00)", "negative"],
    ["fractions of a cent", "1.005", "too_many_decimals"],
    ["more than 10,000,000.00", "10,000,000.01", "too_large"],
  ] as const)("refuses %s in an amount field, and does not check its frequency", (_name, typed, reason) => {
    expect(parseIeForm(form({ "ie.food_and_housekeeping.amount": typed }))).toEqual({
      ok: false,
      lines: [],
      errors: [{ field: "ie.food_and_housekeeping.amount", reason }],
    });
  });

  test("accepts exactly 10,000,000.00", () => {
    expect(parseIeForm(form({ "ie.earnings.amount": "10,000,000.00", "ie.earnings.frequency": "weekly" }))).toEqual({
      ok: true,
      lines: [{ category: "earnings", amountMinor: IE_MAX_AMOUNT_MINOR, frequency: "weekly" }],
    });
  });

  test.each([
    ["absent", undefined, "missing"],
    ["blank", "", "missing"],
    ["unknown", "daily", "invalid"],
    ["a plan's frequency", "every_two_weeks", "invalid"],
    ["in the wrong case", "Weekly", "invalid"],
    ["padded", " weekly", "invalid"],
  ] as const)("refuses a frequency that is %s when there is an amount", (_name, frequency, reason) => {
    const fields: Record<string, string> = { "ie.transport.amount": "25" };
    if (frequency !== undefined) fields["ie.transport.frequency"] = frequency;
    expect(parseIeForm(form(fields))).toEqual({ ok: false, lines: [], errors: [{ field: "ie.transport.frequency", reason }] });
  });

  test("a zero amount with an unknown frequency is still refused", () => {
    expect(parseIeForm(form({ "ie.transport.amount": "0", "ie.transport.frequency": "daily" }))).toEqual({
      ok: false,
      lines: [],
      errors: [{ field: "ie.transport.frequency", reason: "invalid" }],
    });
  });

  test("every refused field, in category order, with the good lines kept for live totals", () => {
    const result = parseIeForm(
      form({
        "ie.other_debts.amount": "lots",
        "ie.earnings.amount": "900",
        "ie.earnings.frequency": "monthly",
        "ie.water.amount": "30",
        "ie.benefits.amount": "-1",
        "ie.utilities.amount": "80",
        "ie.utilities.frequency": "four_weekly",
      }),
    );
    expect(result).toEqual({
      ok: false,
      lines: [
        { category: "earnings", amountMinor: 90_000, frequency: "monthly" },
        { category: "utilities", amountMinor: 8_000, frequency: "four_weekly" },
      ],
      errors: [
        { field: "ie.benefits.amount", reason: "negative" },
        { field: "ie.water.frequency", reason: "missing" },
        { field: "ie.other_debts.amount", reason: "invalid" },
      ],
    });
    // The browser's live totals from what is fine so far.
    expect(summaryOf(result.lines).surplusMinor).toBe(90_000 - 8_667);
  });

  test("ignores fields it does not know", () => {
    expect(parseIeForm(form({ "ie.rent.amount": "500", "ie.earnings.extra": "1", "amount": "5", "ie.earnings.amount ": "1" }))).toEqual({
      ok: true,
      lines: [],
    });
  });

  test("reads FormData and a Map too; a file instead of text is invalid", () => {
    const data = new FormData();
    data.set("ie.savings.amount", "10");
    data.set("ie.savings.frequency", "monthly");
    data.set("ie.water.amount", new Blob(["12"]), "amount.txt");
    expect(parseIeForm(data)).toEqual({
      ok: false,
      lines: [{ category: "savings", amountMinor: 1_000, frequency: "monthly" }],
      errors: [{ field: "ie.water.amount", reason: "invalid" }],
    });
    expect(parseIeForm(new Map([["ie.savings.amount", "10.5"], ["ie.savings.frequency", "weekly"]]))).toEqual({
      ok: true,
      lines: [{ category: "savings", amountMinor: 1_050, frequency: "weekly" }],
    });
  });

  test("a currency without decimals (fractionDigits 0)", () => {
    expect(parseIeForm(form({ "ie.earnings.amount": "1,200", "ie.earnings.frequency": "monthly" }), { fractionDigits: 0 })).toEqual({
      ok: true,
      lines: [{ category: "earnings", amountMinor: 1_200, frequency: "monthly" }],
    });
    expect(parseIeForm(form({ "ie.earnings.amount": "12.5", "ie.earnings.frequency": "monthly" }), { fractionDigits: 0 })).toEqual({
      ok: false,
      lines: [],
      errors: [{ field: "ie.earnings.amount", reason: "too_many_decimals" }],
    });
  });

  test("property: any statement typed into the form reads back as the same lines, and summarizes", () => {
    fc.assert(
      fc.property(arbitraryIeLines, fc.boolean(), (lines, withSeparators) => {
        const fields = new URLSearchParams();
        for (const l of lines) {
          const text = minorToDecimalString(l.amountMinor);
          // "1234567.89" or "1,234,567.89", as a person might type it.
          fields.set(ieAmountField(l.category), withSeparators ? text.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : text);
          fields.set(ieFrequencyField(l.category), l.frequency);
        }
        const result = parseIeForm(fields);
        const byForm = [...lines].sort((a, b) => IE_CATEGORIES.indexOf(a.category) - IE_CATEGORIES.indexOf(b.category));
        expect(result).toEqual({ ok: true, lines: byForm });
        expect(summarize(result.lines).ok).toBe(true);
      }),
    );
  });
});

describe("checkProposedPayment", () => {
  const withSurplus = (surplusMinor: number) =>
    summaryOf(surplusMinor >= 0 ? [line("earnings", surplusMinor)] : [line("home_and_contents", -surplusMinor)]);

  test("465.00 spare: 465.00 fits, 465.01 is a cent over", () => {
    const summary = withSurplus(46_500);
    expect(checkProposedPayment(summary, 46_500)).toEqual({
      ok: true,
      fits: true,
      proposedMonthlyMinor: 46_500,
      maxAffordableMonthlyMinor: 46_500,
      overByMinor: 0,
    });
    expect(checkProposedPayment(summary, 46_501)).toEqual({
      ok: true,
      fits: false,
      proposedMonthlyMinor: 46_501,
      maxAffordableMonthlyMinor: 46_500,
      overByMinor: 1,
    });
    expect(checkProposedPayment(summary, 10_000)).toMatchObject({ fits: true, overByMinor: 0 });
  });

  test("a shortfall: nothing is affordable, only 0 fits", () => {
    const summary = withSurplus(-20_000);
    expect(checkProposedPayment(summary, 1)).toEqual({
      ok: true,
      fits: false,
      proposedMonthlyMinor: 1,
      maxAffordableMonthlyMinor: 0,
      overByMinor: 1,
    });
    expect(checkProposedPayment(summary, 0)).toMatchObject({ ok: true, fits: true, maxAffordableMonthlyMinor: 0 });
  });

  test.each([
    ["a negative amount", -1, "negative"],
    ["a fractional amount", 12.5, "not_safe_integer"],
    ["NaN", Number.NaN, "not_safe_integer"],
    ["an unsafe amount", 2 ** 53, "not_safe_integer"],
  ] as const)("refuses %s with a reason", (_name, proposed, reason) => {
    expect(checkProposedPayment(withSurplus(46_500), proposed)).toEqual({ ok: false, reason });
  });

  test("property: fits exactly when at most the surplus floored at 0", () => {
    fc.assert(
      fc.property(arbitraryIeLines, fc.nat({ max: 2 * IE_MAX_AMOUNT_MINOR }), (lines, proposed) => {
        const summary = summaryOf(lines);
        const check = ok(checkProposedPayment(summary, proposed));
        expect(check.maxAffordableMonthlyMinor).toBe(Math.max(summary.surplusMinor, 0));
        expect(check.maxAffordableMonthlyMinor).toBe(summary.disposableForDebtsMinor);
        expect(check.fits).toBe(proposed <= Math.max(summary.surplusMinor, 0));
        expect(check.overByMinor).toBe(check.fits ? 0 : proposed - check.maxAffordableMonthlyMinor);
        // The largest affordable amount always fits, and a cent more never does.
        expect(ok(checkProposedPayment(summary, check.maxAffordableMonthlyMinor)).fits).toBe(true);
        expect(ok(checkProposedPayment(summary, check.maxAffordableMonthlyMinor + 1)).fits).toBe(false);
      }),
    );
  });
});

test("arbitraryIeLine only makes lines summarize accepts", () => {
  fc.assert(
    fc.property(arbitraryIeLine, (l) => {
      expect(summarize([l]).ok).toBe(true);
    }),
  );
});
