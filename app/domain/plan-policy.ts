/**
 * A creditor's plan policy: the limits inside which a borrower arranges repayment alone, and
 * beyond which staff review (DESIGN §5 item 4, issue 5 item 2).
 *
 * Stored per creditor as JSON in `app.creditors.plan_policy` and checked there by
 * `app.plan_policy_is_valid` (supabase/migrations/20261127000100_foundation.sql, replaced by
 * 20261128000100_arrangements.sql when movePaymentMaxDays was added). This schema
 * and that function enforce the same keys, types and bounds; change them together (a new
 * migration replaces the function). Keys are camelCase in both places.
 *
 * Pure: no I/O. Amounts are integer minor units, discounts basis points (10000 = 100 %).
 */
import { z } from "zod";

import { PLAN_FREQUENCIES } from "~/domain/plan-frequency";

export { PLAN_FREQUENCIES, type PlanFrequency } from "~/domain/plan-frequency";

export const BALANCE_COMPONENTS = ["fees", "interest", "principal"] as const;
export type BalanceComponent = (typeof BALANCE_COMPONENTS)[number];

/** The bounds `app.plan_policy_is_valid` enforces, in one place for tests and forms. */
export const PLAN_POLICY_BOUNDS = {
  minimumPaymentMinor: { min: 1, max: 10_000_000 },
  longestPlanMonths: { min: 1, max: 120 },
  latestFirstPaymentDays: { min: 0, max: 365 },
  settlementMaxDiscountBps: { min: 0, max: 9_999 },
  movePaymentMaxDays: { min: 0, max: 31, default: 14 },
} as const;

const unique = <T>(values: readonly T[]) => new Set(values).size === values.length;

export const PlanPolicySchema = z
  .strictObject({
    /**
     * The smallest installment, in the creditor's currency's minor units (2500 = $25.00).
     * The last payment of a plan may be smaller: it clears the balance.
     */
    minimumPaymentMinor: z
      .int()
      .min(PLAN_POLICY_BOUNDS.minimumPaymentMinor.min)
      .max(PLAN_POLICY_BOUNDS.minimumPaymentMinor.max),
    /** A plan's last payment falls within this many months of the day it is agreed. */
    longestPlanMonths: z.int().min(PLAN_POLICY_BOUNDS.longestPlanMonths.min).max(PLAN_POLICY_BOUNDS.longestPlanMonths.max),
    /**
     * A plan whose last payment is within this many months is approved at once; a longer one
     * (up to longestPlanMonths) waits for staff review. 0: every plan is reviewed.
     */
    autoApproveLongestPlanMonths: z.int().min(0),
    /** The first payment is due at most this many days after the plan is agreed. */
    latestFirstPaymentDays: z
      .int()
      .min(PLAN_POLICY_BOUNDS.latestFirstPaymentDays.min)
      .max(PLAN_POLICY_BOUNDS.latestFirstPaymentDays.max),
    /** How often a borrower may choose to pay: at least one, no repeats. */
    frequencies: z
      .array(z.enum(PLAN_FREQUENCIES))
      .min(1)
      .refine(unique, { message: "frequencies must not repeat" }),
    /** The largest settlement discount, in basis points (3000 = 30 % off). 0: no settlements. */
    settlementMaxDiscountBps: z
      .int()
      .min(PLAN_POLICY_BOUNDS.settlementMaxDiscountBps.min)
      .max(PLAN_POLICY_BOUNDS.settlementMaxDiscountBps.max),
    /** Settlements up to this discount (basis points) are approved at once; above, reviewed. */
    autoApproveSettlementDiscountBps: z.int().min(0),
    /** Whether interest and fees stop accruing while an arrangement is kept. */
    freezeInterestAndFeesWhileArranged: z.boolean(),
    /**
     * The order a payment is applied to the balance: a permutation of fees, interest and
     * principal (["fees", "interest", "principal"]: fees first, what was borrowed last).
     */
    paymentAllocationOrder: z
      .array(z.enum(BALANCE_COMPONENTS))
      .length(BALANCE_COMPONENTS.length)
      .refine(unique, { message: "paymentAllocationOrder must name each component once" }),
    /**
     * How many days one upcoming installment may be moved later (once per 6 months per
     * arrangement). 0: payments cannot be moved. Optional: policies stored before this key
     * existed read as 14 (app.plan_policy_move_payment_max_days applies the same default).
     */
    movePaymentMaxDays: z
      .int()
      .min(PLAN_POLICY_BOUNDS.movePaymentMaxDays.min)
      .max(PLAN_POLICY_BOUNDS.movePaymentMaxDays.max)
      .default(PLAN_POLICY_BOUNDS.movePaymentMaxDays.default),
  })
  .superRefine((policy, ctx) => {
    if (policy.autoApproveLongestPlanMonths > policy.longestPlanMonths) {
      ctx.addIssue({
        code: "custom",
        path: ["autoApproveLongestPlanMonths"],
        message: "must not exceed longestPlanMonths",
      });
    }
    if (policy.autoApproveSettlementDiscountBps > policy.settlementMaxDiscountBps) {
      ctx.addIssue({
        code: "custom",
        path: ["autoApproveSettlementDiscountBps"],
        message: "must not exceed settlementMaxDiscountBps",
      });
    }
  });

export type PlanPolicy = z.infer<typeof PlanPolicySchema>;

/** Parses a stored policy; throws a ZodError naming every broken field. */
export function parsePlanPolicy(value: unknown): PlanPolicy {
  return PlanPolicySchema.parse(value);
}
