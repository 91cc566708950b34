/**
 * evaluateChoice (app/domain/arrangement-choice.ts): the simulator's parse-and-check, shared by
 * the browser, the GET form and "I agree". The demo policy, DEMO-1001's $1,240.50, and a fixed
 * "today" (Friday 2026-11-27 in the creditor's zone).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  CHOICE_FIELDS,
  evaluateChoice,
  readChoiceValues,
  type ChoiceContext,
  type ChoiceField,
  type ChoiceResult,
  type ChoiceValues,
  type EvaluatedChoice,
} from "~/domain/arrangement-choice";
import { parsePlanPolicy } from "~/domain/plan-policy";
import { DEMO_PLAN_POLICY } from "../fixtures/plan-policy-cases";

const BALANCE = 124_050;
const TODAY = "2026-11-27"; // a Friday
const START = "2026-12-27"; // 30 days later: the latest first payment allowed
const context: ChoiceContext = { balanceMinor: BALANCE, policy: parsePlanPolicy(DEMO_PLAN_POLICY), today: TODAY };

function choice(fields: Partial<ChoiceValues>): ChoiceValues {
  return { kind: "plan", by: "amount", amount: "", count: "", frequency: "monthly", start: START, payments: "1", ...fields };
}

function evaluated(result: ChoiceResult): EvaluatedChoice {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.errors)}`);
  return result;
}

function errorsOf(result: ChoiceResult): Partial<Record<ChoiceField, string>> {
  if (result.ok) throw new Error(`expected field errors, got verdict ${result.verdict.verdict}`);
  return result.errors;
}

const sum = (result: EvaluatedChoice) => result.installments.reduce((total, i) => total + i.amountMinor, 0);

describe("plans", () => {
  test("$100 a month: 13 payments, the last $40.50, $1,240.50 in all, approved at once", () => {
    const result = evaluated(evaluateChoice(choice({ amount: "100" }), context));
    expect(result.kind).toBe("plan");
    expect(result.frequency).toBe("monthly");
    expect(result.installments).toHaveLength(13);
    expect(result.regularMinor).toBe(10_000);
    expect(result.lastMinor).toBe(4_050);
    expect(result.totalMinor).toBe(BALANCE);
    expect(sum(result)).toBe(BALANCE);
    expect(result.firstDueOn).toBe(START);
    expect(result.lastDueOn).toBe("2027-12-27");
    expect(result.verdict).toEqual({ verdict: "auto_approve" });
    expect(result.reviewDueOn).toBeNull();
    expect(result.remainingAfterMinor).toBe(0);
    expect(result.discountMinor).toBe(0);
  });

  test("$50 a month (25 payments, past 24 months) is outside policy: plan_too_long", () => {
    const result = evaluated(evaluateChoice(choice({ amount: "50" }), context));
    expect(result.installments).toHaveLength(25);
    expect(result.verdict.verdict).toBe("outside_policy");
    expect(result.verdict).toEqual({ verdict: "outside_policy", rules: ["plan_too_long"] });
    expect(result.reviewDueOn).toBeNull();
  });

  test("$60 a month: 21 payments, needs review, due 2 working days later (Fri → Tue)", () => {
    const result = evaluated(evaluateChoice(choice({ amount: "60" }), context));
    expect(result.installments).toHaveLength(21);
    expect(result.totalMinor).toBe(BALANCE);
    expect(result.verdict).toEqual({ verdict: "needs_review", rules: ["plan_longer_than_auto_approve"] });
    expect(result.reviewDueOn).toBe("2026-12-01");
  });

  test("12 monthly payments by count: $103.38 each, the last $103.32", () => {
    const result = evaluated(evaluateChoice(choice({ by: "count", count: "12", amount: "" }), context));
    expect(result.installments).toHaveLength(12);
    expect(result.regularMinor).toBe(10_338);
    expect(result.lastMinor).toBe(10_332);
    expect(result.totalMinor).toBe(BALANCE);
    expect(result.verdict).toEqual({ verdict: "auto_approve" });
  });

  test("the whole balance typed with separators is one payment", () => {
    const result = evaluated(evaluateChoice(choice({ amount: "1,240.50" }), context));
    expect(result.installments).toEqual([{ dueOn: START, amountMinor: BALANCE }]);
    expect(result.verdict).toEqual({ verdict: "auto_approve" });
  });

  test("weekly and every two weeks are offered too", () => {
    expect(evaluated(evaluateChoice(choice({ amount: "100", frequency: "weekly" }), context)).installments[1]?.dueOn).toBe("2027-01-03");
    expect(evaluated(evaluateChoice(choice({ amount: "100", frequency: "every_two_weeks" }), context)).installments[1]?.dueOn).toBe("2027-01-10");
  });
});

describe("what a person can get wrong is a field error, never a throw", () => {
  test.each<[string, Partial<ChoiceValues>, ChoiceField, string]>([
    ["amount 0", { amount: "0" }, "amount", "zero"],
    ["amount -5", { amount: "-5" }, "amount", "negative"],
    ["amount 1.240,50", { amount: "1.240,50" }, "amount", "invalid"],
    ["amount 1,240.51 (a cent above the balance)", { amount: "1,240.51" }, "amount", "above_balance"],
    ["amount 10.005", { amount: "10.005" }, "amount", "too_many_decimals"],
    ["amount 10 (below the $25 minimum)", { amount: "10" }, "amount", "below_minimum"],
    ["amount empty", { amount: "" }, "amount", "empty"],
    ["start yesterday", { amount: "100", start: "2026-11-26" }, "start", "date_in_past"],
    ["start 31 days away", { amount: "100", start: "2026-12-28" }, "start", "date_too_late"],
    ["start 2026-02-30", { amount: "100", start: "2026-02-30" }, "start", "not_a_date"],
    ["start in another format", { amount: "100", start: "12/01/2026" }, "start", "not_a_date"],
    ["start empty", { amount: "100", start: "" }, "start", "empty"],
    ["frequency daily", { amount: "100", frequency: "daily" }, "frequency", "not_a_frequency"],
    ["count 0", { by: "count", count: "0" }, "count", "not_a_count"],
    ["count 1.5", { by: "count", count: "1.5" }, "count", "not_a_count"],
    ["count abc", { by: "count", count: "abc" }, "count", "not_a_count"],
    ["count -3", { by: "count", count: "-3" }, "count", "not_a_count"],
    ["count 521", { by: "count", count: "521" }, "count", "too_many_payments"],
    ["count empty", { by: "count", count: "" }, "count", "empty"],
  ])("%s", (_name, fields, field, code) => {
    let result: ChoiceResult | undefined;
    expect(() => {
      result = evaluateChoice(choice(fields), context);
    }).not.toThrow();
    expect(errorsOf(result!)[field]).toBe(code);
  });

  test("every problem is reported at once", () => {
    expect(errorsOf(evaluateChoice(choice({ amount: "abc", frequency: "daily", start: "2026-02-30" }), context))).toEqual({
      amount: "invalid",
      frequency: "not_a_frequency",
      start: "not_a_date",
    });
  });

  test("the start day itself and the 30th day are allowed", () => {
    expect(evaluateChoice(choice({ amount: "100", start: TODAY }), context).ok).toBe(true);
    expect(evaluateChoice(choice({ amount: "100", start: START }), context).ok).toBe(true);
  });

  test("an unknown kind is read as a plan", () => {
    expect(evaluated(evaluateChoice(choice({ kind: "loan", amount: "100" }), context)).kind).toBe("plan");
  });

  test("a broken context (no balance) throws RangeError; a person's input never does", () => {
    expect(() => evaluateChoice(choice({ amount: "100" }), { ...context, balanceMinor: 0 })).toThrow(RangeError);
  });
});

describe("settlements (15% off: $1,240.50 − $186.07 = $1,054.43)", () => {
  test.each([
    ["1", [105_443]],
    ["2", [52_722, 52_721]],
    ["3", [35_148, 35_148, 35_147]],
  ])("%s payment(s)", (payments, amounts) => {
    const result = evaluated(evaluateChoice(choice({ kind: "settlement", payments }), context));
    expect(result.kind).toBe("settlement");
    expect(result.frequency).toBeNull();
    expect(result.discountBps).toBe(1_500);
    expect(result.discountMinor).toBe(18_607);
    expect(result.totalMinor).toBe(105_443);
    expect(result.installments.map((i) => i.amountMinor)).toEqual(amounts);
    expect(sum(result)).toBe(105_443);
    expect(result.verdict).toEqual({ verdict: "auto_approve" });
  });

  test.each(["4", "0", "", "1.0", "x"])("payments %j is refused", (payments) => {
    expect(errorsOf(evaluateChoice(choice({ kind: "settlement", payments }), context)).payments).toBe("not_a_count");
  });
});

describe("promises to pay", () => {
  test("$500 on a date leaves $740.50 owed", () => {
    const result = evaluated(evaluateChoice(choice({ kind: "promise", amount: "500", start: "2026-12-15" }), context));
    expect(result.kind).toBe("promise");
    expect(result.installments).toEqual([{ dueOn: "2026-12-15", amountMinor: 50_000 }]);
    expect(result.totalMinor).toBe(50_000);
    expect(result.remainingAfterMinor).toBe(74_050);
    expect(result.verdict.verdict).not.toBe("outside_policy");
  });

  test("a promise above the balance is refused", () => {
    expect(errorsOf(evaluateChoice(choice({ kind: "promise", amount: "1240.51" }), context)).amount).toBe("above_balance");
  });

  test("a promise of the whole balance leaves nothing owed", () => {
    expect(evaluated(evaluateChoice(choice({ kind: "promise", amount: "$1,240.50" }), context)).remainingAfterMinor).toBe(0);
  });
});

describe("readChoiceValues", () => {
  test("reads URLSearchParams, FormData and records; trims; anything not text or too long is empty", () => {
    const params = new URLSearchParams({ kind: "plan", amount: " 100 ", start: START });
    expect(readChoiceValues(params)).toEqual({ kind: "plan", by: "", amount: "100", count: "", frequency: "", start: START, payments: "" });
    const form = new FormData();
    form.set("amount", "x".repeat(61));
    expect(readChoiceValues(form).amount).toBe("");
    expect(readChoiceValues({ amount: 100, kind: ["plan"] } as Record<string, unknown>)).toEqual(Object.fromEntries(CHOICE_FIELDS.map((f) => [f, ""])));
  });
});

describe("property: evaluateChoice never throws for any typed amount and start", () => {
  const kinds = fc.constantFrom("plan", "settlement", "promise", "", "other");
  const dateLike = fc.oneof(
    fc.string({ maxLength: 14 }),
    fc.date({ min: new Date("2026-10-01T00:00:00Z"), max: new Date("2027-02-01T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })).map(
      ([y, m, d]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
    ),
  );
  const amountLike = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.integer({ min: -100_000, max: 200_000 }).map((cents) => (cents / 100).toFixed(2)),
    fc.integer({ min: 0, max: 2_000 }).map(String),
  );

  test("and when ok, the installments sum to totalMinor", () => {
    fc.assert(
      fc.property(
        kinds,
        fc.constantFrom("amount", "count"),
        amountLike,
        fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: 0, max: 600 }).map(String)),
        fc.constantFrom("weekly", "every_two_weeks", "monthly", "daily", ""),
        dateLike,
        fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 4 }).map(String)),
        (kind, by, amount, count, frequency, start, payments) => {
          const result = evaluateChoice({ kind, by, amount, count, frequency, start, payments }, context);
          if (result.ok) {
            expect(sum(result)).toBe(result.totalMinor);
            expect(result.installments.every((i) => Number.isSafeInteger(i.amountMinor) && i.amountMinor > 0)).toBe(true);
            expect(result.firstDueOn >= TODAY).toBe(true);
            if (result.kind === "plan") expect(result.totalMinor).toBe(BALANCE);
          } else {
            expect(Object.keys(result.errors).length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
