import fc from "fast-check";
import { expect, test } from "vitest";
import { BALANCE_COMPONENTS, parsePlanPolicy, PLAN_FREQUENCIES, PlanPolicySchema } from "~/domain/plan-policy";
import { DEMO_PLAN_POLICY, INVALID_PLAN_POLICIES, OPTIONAL_PLAN_POLICY_KEYS, VALID_PLAN_POLICIES } from "../fixtures/plan-policy-cases";

test("the demo policy parses to itself", () => {
  expect(parsePlanPolicy(DEMO_PLAN_POLICY)).toEqual(DEMO_PLAN_POLICY);
});

test.each(VALID_PLAN_POLICIES)("accepts %s", (_name, policy) => {
  expect(PlanPolicySchema.safeParse(policy).success).toBe(true);
});

test.each(INVALID_PLAN_POLICIES)("refuses %s", (_name, policy) => {
  expect(PlanPolicySchema.safeParse(policy).success).toBe(false);
});

test("a refusal names the field", () => {
  const result = PlanPolicySchema.safeParse({ ...DEMO_PLAN_POLICY, autoApproveLongestPlanMonths: 30 });
  expect(result.success).toBe(false);
  expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["autoApproveLongestPlanMonths"]);
});

test("movePaymentMaxDays is optional and reads as 14 when absent", () => {
  const stored: Record<string, unknown> = { ...DEMO_PLAN_POLICY };
  delete stored.movePaymentMaxDays;
  expect(parsePlanPolicy(stored).movePaymentMaxDays).toBe(14);
  expect(parsePlanPolicy({ ...DEMO_PLAN_POLICY, movePaymentMaxDays: 0 }).movePaymentMaxDays).toBe(0);
  // The parsed type always has it, as a number.
  const days: number = parsePlanPolicy(stored).movePaymentMaxDays;
  expect(days).toBe(14);
});

const arbitraryPolicy = fc
  .record({
    minimumPaymentMinor: fc.integer({ min: 1, max: 10_000_000 }),
    longestPlanMonths: fc.integer({ min: 1, max: 120 }),
    latestFirstPaymentDays: fc.integer({ min: 0, max: 365 }),
    frequencies: fc.shuffledSubarray([...PLAN_FREQUENCIES], { minLength: 1 }),
    settlementMaxDiscountBps: fc.integer({ min: 0, max: 9999 }),
    freezeInterestAndFeesWhileArranged: fc.boolean(),
    movePaymentMaxDays: fc.integer({ min: 0, max: 31 }),
    paymentAllocationOrder: fc.shuffledSubarray([...BALANCE_COMPONENTS], { minLength: 3, maxLength: 3 }),
    autoMonthsShare: fc.double({ min: 0, max: 1, noNaN: true }),
    autoDiscountShare: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ autoMonthsShare, autoDiscountShare, ...policy }) => ({
    ...policy,
    autoApproveLongestPlanMonths: Math.floor(policy.longestPlanMonths * autoMonthsShare),
    autoApproveSettlementDiscountBps: Math.floor(policy.settlementMaxDiscountBps * autoDiscountShare),
  }));

test("every policy within the bounds is accepted, and survives a JSON round trip", () => {
  fc.assert(
    fc.property(arbitraryPolicy, (policy) => {
      expect(PlanPolicySchema.parse(JSON.parse(JSON.stringify(policy)))).toEqual(policy);
    }),
  );
});

test("dropping any required key makes a policy invalid", () => {
  const required = Object.keys(DEMO_PLAN_POLICY).filter((key) => !(OPTIONAL_PLAN_POLICY_KEYS as readonly string[]).includes(key));
  fc.assert(
    fc.property(arbitraryPolicy, fc.constantFrom(...required), (policy, key) => {
      const broken: Record<string, unknown> = { ...policy };
      delete broken[key];
      expect(PlanPolicySchema.safeParse(broken).success).toBe(false);
    }),
  );
});

test("dropping an optional key leaves a valid policy with the default", () => {
  fc.assert(
    fc.property(arbitraryPolicy, fc.constantFrom(...OPTIONAL_PLAN_POLICY_KEYS), (policy, key) => {
      const trimmed: Record<string, unknown> = { ...policy };
      delete trimmed[key];
      expect(PlanPolicySchema.parse(trimmed)).toEqual({ ...policy, movePaymentMaxDays: 14 });
    }),
  );
});
