import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { checkAgainstPolicy, type Proposal, RULE_SEVERITY } from "~/domain/plan-policy-check";
import { parsePlanPolicy, PLAN_FREQUENCIES, type PlanFrequency } from "~/domain/plan-policy";
import { buildSchedule, type ScheduleBy, parseCalendarDate } from "~/domain/schedule";
import { buildPromise, buildSettlement } from "~/domain/settlement";
import { DEMO_PLAN_POLICY } from "../fixtures/plan-policy-cases";

const policy = parsePlanPolicy(DEMO_PLAN_POLICY);
const agreedOn = "2026-11-28";
const DEMO_1001_BALANCE = 124_050;

function plan(by: ScheduleBy, frequency: PlanFrequency = "monthly", startDate = "2026-12-01", totalMinor = DEMO_1001_BALANCE): Proposal {
  const result = buildSchedule({ totalMinor, frequency, startDate, by });
  if (!result.ok) throw new Error(result.reason);
  return { kind: "plan", frequency, installments: result.installments };
}

describe("the demo policy (Northwind), DEMO-1001's $1,240.50 agreed on 2026-11-28", () => {
  test("$100 a month from 2026-12-01: 13 payments, the last $40.50, approved at once", () => {
    const proposal = plan({ kind: "amount", installmentMinor: 10_000 });
    expect(proposal.installments).toHaveLength(13);
    expect(proposal.installments.at(-1)?.amountMinor).toBe(4_050);
    expect(checkAgainstPolicy(proposal, policy, { agreedOn })).toEqual({ verdict: "auto_approve" });
  });

  test("20 monthly payments (the last 2028-07-01, past 18 months) need review", () => {
    expect(checkAgainstPolicy(plan({ kind: "count", count: 20 }), policy, { agreedOn })).toEqual({
      verdict: "needs_review",
      rules: ["plan_longer_than_auto_approve"],
    });
  });

  test("$60 a month (21 payments) needs review", () => {
    const proposal = plan({ kind: "amount", installmentMinor: 6_000 });
    expect(proposal.installments).toHaveLength(21);
    expect(checkAgainstPolicy(proposal, policy, { agreedOn }).verdict).toBe("needs_review");
  });

  test("30 monthly payments are outside policy: beyond the longest plan", () => {
    expect(checkAgainstPolicy(plan({ kind: "count", count: 30 }), policy, { agreedOn })).toEqual({
      verdict: "outside_policy",
      rules: ["plan_too_long"],
    });
  });

  test("$50 a month (25 payments, the last 2028-12-01) is outside policy", () => {
    expect(checkAgainstPolicy(plan({ kind: "amount", installmentMinor: 5_000 }), policy, { agreedOn })).toEqual({
      verdict: "outside_policy",
      rules: ["plan_too_long"],
    });
  });

  test("$20 a week is below the $25 minimum", () => {
    expect(checkAgainstPolicy(plan({ kind: "amount", installmentMinor: 2_000 }, "weekly"), policy, { agreedOn })).toEqual({
      verdict: "outside_policy",
      rules: ["payment_below_minimum"],
    });
  });

  test("$25 a week with a smaller last payment is fine: the last may be below the minimum", () => {
    const proposal = plan({ kind: "amount", installmentMinor: 2_500 }, "weekly");
    expect(proposal.installments.at(-1)?.amountMinor).toBe(1_550);
    expect(checkAgainstPolicy(proposal, policy, { agreedOn })).toEqual({ verdict: "auto_approve" });
  });

  test("the last payment exactly 18 months after agreement is approved at once; a day later is reviewed", () => {
    const onTheDay = plan({ kind: "count", count: 19 }, "monthly", "2026-11-28");
    expect(onTheDay.installments.at(-1)?.dueOn).toBe("2028-05-28");
    expect(checkAgainstPolicy(onTheDay, policy, { agreedOn }).verdict).toBe("auto_approve");
    const dayLater = plan({ kind: "count", count: 19 }, "monthly", "2026-11-29");
    expect(checkAgainstPolicy(dayLater, policy, { agreedOn }).verdict).toBe("needs_review");
  });

  test("the first payment 30 days after agreement is fine, 31 days is too late", () => {
    expect(checkAgainstPolicy(plan({ kind: "count", count: 6 }, "monthly", "2026-12-28"), policy, { agreedOn }).verdict).toBe("auto_approve");
    expect(checkAgainstPolicy(plan({ kind: "count", count: 6 }, "monthly", "2026-12-29"), policy, { agreedOn })).toEqual({
      verdict: "outside_policy",
      rules: ["first_payment_too_late"],
    });
  });

  test("a first payment before the agreement is outside policy", () => {
    expect(checkAgainstPolicy(plan({ kind: "count", count: 6 }, "monthly", "2026-11-27"), policy, { agreedOn })).toEqual({
      verdict: "outside_policy",
      rules: ["first_payment_in_past"],
    });
  });

  test("a frequency the creditor does not offer", () => {
    const monthlyOnly = parsePlanPolicy({ ...DEMO_PLAN_POLICY, frequencies: ["monthly"] });
    expect(checkAgainstPolicy(plan({ kind: "count", count: 10 }, "weekly"), monthlyOnly, { agreedOn })).toEqual({
      verdict: "outside_policy",
      rules: ["frequency_not_allowed"],
    });
  });

  test("with autoApproveLongestPlanMonths 0, every plan is reviewed", () => {
    const reviewAll = parsePlanPolicy({ ...DEMO_PLAN_POLICY, autoApproveLongestPlanMonths: 0 });
    expect(checkAgainstPolicy(plan({ kind: "count", count: 1 }, "monthly", agreedOn), reviewAll, { agreedOn })).toEqual({
      verdict: "needs_review",
      rules: ["plan_longer_than_auto_approve"],
    });
  });
});

describe("settlements and promises", () => {
  const settlement = (discountBps: number) => {
    const result = buildSettlement({ balanceMinor: DEMO_1001_BALANCE, discountBps, payments: 2, startDate: "2026-12-01", today: agreedOn });
    if (!result.ok) throw new Error(result.reason);
    return { kind: "settlement", discountBps, installments: result.installments } as const;
  };

  test.each([
    [0, { verdict: "auto_approve" }],
    [1_500, { verdict: "auto_approve" }],
    [1_501, { verdict: "needs_review", rules: ["discount_above_auto_approve"] }],
    [3_000, { verdict: "needs_review", rules: ["discount_above_auto_approve"] }],
    [3_001, { verdict: "outside_policy", rules: ["discount_above_maximum"] }],
  ])("a %i bps settlement", (bps, verdict) => {
    expect(checkAgainstPolicy(settlement(bps), policy, { agreedOn })).toEqual(verdict);
  });

  test("a promise within 30 days is approved at once; later is outside policy", () => {
    const promise = (dueOn: string): Proposal => {
      const result = buildPromise({ amountMinor: 1_000, dueOn, today: agreedOn, balanceMinor: DEMO_1001_BALANCE });
      if (!result.ok) throw new Error(result.reason);
      return { kind: "promise", installments: result.installments };
    };
    expect(checkAgainstPolicy(promise("2026-12-28"), policy, { agreedOn })).toEqual({ verdict: "auto_approve" });
    expect(checkAgainstPolicy(promise("2027-01-15"), policy, { agreedOn })).toEqual({
      verdict: "outside_policy",
      rules: ["first_payment_too_late"],
    });
  });
});

describe("malformed proposals", () => {
  test.each([
    ["no payments", { kind: "promise", installments: [] }, agreedOn],
    ["a zero payment", { kind: "promise", installments: [{ dueOn: "2026-12-01", amountMinor: 0 }] }, agreedOn],
    ["an unreal date", { kind: "promise", installments: [{ dueOn: "2026-02-30", amountMinor: 100 }] }, agreedOn],
    [
      "dates out of order",
      { kind: "promise", installments: [{ dueOn: "2026-12-02", amountMinor: 100 }, { dueOn: "2026-12-01", amountMinor: 100 }] },
      agreedOn,
    ],
    ["a negative discount", { kind: "settlement", discountBps: -1, installments: [{ dueOn: "2026-12-01", amountMinor: 100 }] }, agreedOn],
    ["an unreadable agreedOn", { kind: "promise", installments: [{ dueOn: "2026-12-01", amountMinor: 100 }] }, "soon"],
  ] as const)("%s is outside policy as invalid", (_name, proposal, on) => {
    expect(checkAgainstPolicy(proposal as Proposal, policy, { agreedOn: on })).toEqual({ verdict: "outside_policy", rules: ["invalid_proposal"] });
  });
});

describe("properties", () => {
  const arbitraryCase = fc.record({
    total: fc.integer({ min: 1, max: 10_000_000 }),
    amount: fc.integer({ min: 1, max: 1_000_000 }),
    frequency: fc.constantFrom(...PLAN_FREQUENCIES),
    startOffsetDays: fc.integer({ min: -5, max: 60 }),
    minimum: fc.integer({ min: 1, max: 100_000 }),
    longest: fc.integer({ min: 1, max: 120 }),
    autoShare: fc.double({ min: 0, max: 1, noNaN: true }),
    firstDays: fc.integer({ min: 0, max: 60 }),
  });

  test("the verdict is the most severe of the rules listed, and each rule's condition holds exactly", () => {
    fc.assert(
      fc.property(arbitraryCase, ({ total, amount, frequency, startOffsetDays, minimum, longest, autoShare, firstDays }) => {
        fc.pre(Math.ceil(total / amount) <= 520);
        const testPolicy = parsePlanPolicy({
          ...DEMO_PLAN_POLICY,
          minimumPaymentMinor: minimum,
          longestPlanMonths: longest,
          autoApproveLongestPlanMonths: Math.floor(longest * autoShare),
          latestFirstPaymentDays: firstDays,
        });
        const agreed = parseCalendarDate(agreedOn)!;
        const startDate = agreed.add({ days: startOffsetDays }).toString();
        const proposal = plan({ kind: "amount", installmentMinor: amount }, frequency, startDate, total);
        const answer = checkAgainstPolicy(proposal, testPolicy, { agreedOn });
        const rules = answer.verdict === "auto_approve" ? [] : answer.rules;

        const lastDueOn = proposal.installments.at(-1)!.dueOn;
        const tooLong = lastDueOn > agreed.add({ months: testPolicy.longestPlanMonths }).toString();
        expect(rules.includes("plan_too_long")).toBe(tooLong);
        expect(rules.includes("payment_below_minimum")).toBe(proposal.installments.length > 1 && amount < minimum);
        expect(rules.includes("first_payment_too_late")).toBe(startOffsetDays > firstDays);
        expect(rules.includes("first_payment_in_past")).toBe(startOffsetDays < 0);
        expect(rules.includes("plan_too_long") && rules.includes("plan_longer_than_auto_approve")).toBe(false);

        const severities = rules.map((rule) => RULE_SEVERITY[rule]);
        const expected = severities.includes("outside") ? "outside_policy" : severities.length > 0 ? "needs_review" : "auto_approve";
        expect(answer.verdict).toBe(expected);
        if (answer.verdict !== "auto_approve") expect(answer.rules.length).toBeGreaterThan(0);
      }),
    );
  });
});
