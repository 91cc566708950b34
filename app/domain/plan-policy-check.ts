/**
 * "Within policy, or which rule does it break" (issue 5 item 2): the one answer the
 * simulator, the server action and the staff queue share.
 *
 * Pure: no I/O, no clock; `agreedOn` is the calendar date (creditor's time zone) the
 * arrangement is agreed, passed in.
 *
 * Verdict: any broken rule of severity "outside" → outside_policy; else any of severity
 * "review" → needs_review; else auto_approve. `rules` lists every rule broken, in the order
 * of RULE_CODES, so an outside_policy answer also names what staff would otherwise review.
 *
 * Month limits count calendar months from `agreedOn` (clamped at month end, as in
 * schedule.ts): agreed 2026-11-28, 24 months → the last payment on or before 2028-11-28.
 */
import { type Installment, parseCalendarDate } from "~/domain/schedule";
import type { PlanFrequency } from "~/domain/plan-frequency";
import type { PlanPolicy } from "~/domain/plan-policy";

export const RULE_CODES = [
  /** No payments, a payment that is not a positive whole number of cents, a date that is not
   * real, dates not strictly increasing, a negative discount, or an unreadable agreedOn. */
  "invalid_proposal",
  /** The first payment is due before the day the arrangement is agreed. */
  "first_payment_in_past",
  /** The first payment is due more than latestFirstPaymentDays after agreedOn. */
  "first_payment_too_late",
  /** A payment other than the last is below minimumPaymentMinor. */
  "payment_below_minimum",
  /** A plan's frequency is not among the policy's frequencies. */
  "frequency_not_allowed",
  /** The last payment is more than longestPlanMonths after agreedOn. */
  "plan_too_long",
  /** The last payment is more than autoApproveLongestPlanMonths after agreedOn (within the
   * longest); with autoApproveLongestPlanMonths 0, every plan. */
  "plan_longer_than_auto_approve",
  /** A settlement's discount is above settlementMaxDiscountBps. */
  "discount_above_maximum",
  /** A settlement's discount is above autoApproveSettlementDiscountBps (within the maximum). */
  "discount_above_auto_approve",
] as const;
export type RuleCode = (typeof RULE_CODES)[number];

/** Which verdict breaking each rule leads to. */
export const RULE_SEVERITY: Record<RuleCode, "outside" | "review"> = {
  invalid_proposal: "outside",
  first_payment_in_past: "outside",
  first_payment_too_late: "outside",
  payment_below_minimum: "outside",
  frequency_not_allowed: "outside",
  plan_too_long: "outside",
  plan_longer_than_auto_approve: "review",
  discount_above_maximum: "outside",
  discount_above_auto_approve: "review",
};

/** What the borrower proposes: the payments from buildSchedule / buildSettlement / buildPromise. */
export type Proposal =
  | { kind: "plan"; frequency: PlanFrequency; installments: readonly Installment[] }
  | { kind: "settlement"; discountBps: number; installments: readonly Installment[] }
  | { kind: "promise"; installments: readonly Installment[] };

export type PolicyVerdict =
  | { verdict: "auto_approve" }
  | { verdict: "needs_review"; rules: RuleCode[] }
  | { verdict: "outside_policy"; rules: RuleCode[] };

export interface PolicyCheckContext {
  /** The day the arrangement is agreed, "YYYY-MM-DD" in the creditor's time zone. */
  agreedOn: string;
}

/** Checks a proposal against a creditor's policy (rules and verdicts: header). Never throws. */
export function checkAgainstPolicy(proposal: Proposal, policy: PlanPolicy, context: PolicyCheckContext): PolicyVerdict {
  const broken = new Set<RuleCode>();
  const agreed = parseCalendarDate(context.agreedOn);
  const installments = proposal.installments;
  const dates = installments.map((installment) => parseCalendarDate(installment.dueOn));
  const first = dates[0];
  const last = dates[dates.length - 1];

  const wellFormed =
    agreed !== null &&
    (proposal.kind !== "settlement" || (Number.isSafeInteger(proposal.discountBps) && proposal.discountBps >= 0)) &&
    first != null &&
    last != null &&
    installments.every((i) => Number.isSafeInteger(i.amountMinor) && i.amountMinor > 0) &&
    dates.every((date, index) => {
      const previous = index > 0 ? dates[index - 1] : undefined;
      return date !== null && (previous == null || date.compare(previous) > 0);
    });
  if (!wellFormed || !agreed || !first || !last) return { verdict: "outside_policy", rules: ["invalid_proposal"] };

  if (first.compare(agreed) < 0) broken.add("first_payment_in_past");
  if (first.compare(agreed.add({ days: policy.latestFirstPaymentDays })) > 0) broken.add("first_payment_too_late");
  if (installments.slice(0, -1).some((i) => i.amountMinor < policy.minimumPaymentMinor)) {
    broken.add("payment_below_minimum");
  }
  if (proposal.kind === "plan" && !policy.frequencies.includes(proposal.frequency)) {
    broken.add("frequency_not_allowed");
  }
  if (last.compare(agreed.add({ months: policy.longestPlanMonths })) > 0) {
    broken.add("plan_too_long");
  } else if (
    (proposal.kind === "plan" && policy.autoApproveLongestPlanMonths === 0) ||
    last.compare(agreed.add({ months: policy.autoApproveLongestPlanMonths })) > 0
  ) {
    broken.add("plan_longer_than_auto_approve");
  }
  if (proposal.kind === "settlement") {
    if (proposal.discountBps > policy.settlementMaxDiscountBps) broken.add("discount_above_maximum");
    else if (proposal.discountBps > policy.autoApproveSettlementDiscountBps) broken.add("discount_above_auto_approve");
  }

  const rules = RULE_CODES.filter((code) => broken.has(code));
  if (rules.some((code) => RULE_SEVERITY[code] === "outside")) return { verdict: "outside_policy", rules };
  if (rules.length > 0) return { verdict: "needs_review", rules };
  return { verdict: "auto_approve" };
}
