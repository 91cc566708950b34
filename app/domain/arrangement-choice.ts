/**
 * What the borrower chose in the simulator, from the words they typed to a checked proposal
 * (issue 5 items 3–5). The server runs this on the GET form and again on "I agree"; the
 * browser runs the same function on every keystroke, so both always show the same schedule,
 * the same verdict and the same messages.
 *
 * Pure: no I/O, no clock. "today" is a calendar date in the creditor's time zone, passed in.
 *
 * Fields (GET parameters and form fields, all text):
 *   kind        plan | settlement | promise
 *   by          amount | count              (plan)
 *   amount      money as typed              (plan by amount: each payment; promise: the amount)
 *   count       number of payments          (plan by count)
 *   frequency   weekly | every_two_weeks | monthly  (plan)
 *   start       YYYY-MM-DD                  (first payment; a promise's date)
 *   payments    1 | 2 | 3                   (settlement)
 *
 * What a person can get wrong is a field error (a code the page translates, shown beside the
 * field). What the creditor's policy does not allow is the verdict (plan-policy-check.ts), with
 * the schedule still shown, so the borrower sees why and what to change.
 */
import { parseMoneyInput, type ParseMoneyFailure } from "~/domain/money";
import { isPlanFrequency, type PlanFrequency } from "~/domain/plan-frequency";
import type { PlanPolicy } from "~/domain/plan-policy";
import { checkAgainstPolicy, type PolicyVerdict, type Proposal } from "~/domain/plan-policy-check";
import { reviewDueOn } from "~/domain/review-due";
import { buildSchedule, MAX_INSTALLMENTS, parseCalendarDate, type Installment } from "~/domain/schedule";
import { buildSettlement, MAX_SETTLEMENT_PAYMENTS, SETTLEMENT_WITHIN_MONTHS } from "~/domain/settlement";

export const ARRANGEMENT_KINDS = ["plan", "settlement", "promise"] as const;
export type ArrangementKind = (typeof ARRANGEMENT_KINDS)[number];

import { CHOICE_FIELDS, type ChoiceField, type ChoiceValues } from "~/domain/arrangement-fields";

export { CHOICE_FIELDS, type ChoiceField, type ChoiceValues } from "~/domain/arrangement-fields";

export type FieldProblem =
  | ParseMoneyFailure
  | "zero"
  | "above_balance"
  | "below_minimum"
  | "not_a_count"
  | "count_too_high"
  | "too_many_payments"
  | "not_a_frequency"
  | "frequency_not_allowed"
  | "not_a_date"
  | "date_in_past"
  | "date_too_late"
  | "ends_too_late"
  | "not_offered";

export type ChoiceErrors = Partial<Record<ChoiceField, FieldProblem>>;

export interface ChoiceContext {
  /** What the account owes now, minor units (> 0). */
  balanceMinor: number;
  policy: PlanPolicy;
  /** Today in the creditor's time zone, YYYY-MM-DD. */
  today: string;
}

export interface EvaluatedChoice {
  ok: true;
  kind: ArrangementKind;
  values: ChoiceValues;
  /** Null unless a plan. */
  frequency: PlanFrequency | null;
  installments: Installment[];
  /** What the borrower pays in all. */
  totalMinor: number;
  /** Every payment but the last. */
  regularMinor: number;
  lastMinor: number;
  firstDueOn: string;
  lastDueOn: string;
  /** Settlement only: basis points and cents off the balance; 0 otherwise. */
  discountBps: number;
  discountMinor: number;
  /** What would still be owed after a promise is kept; 0 for plans and settlements. */
  remainingAfterMinor: number;
  verdict: PolicyVerdict;
  /** When staff must decide, for a verdict of needs_review; null otherwise. */
  reviewDueOn: string | null;
  proposal: Proposal;
}

export type ChoiceResult = EvaluatedChoice | { ok: false; kind: ArrangementKind; values: ChoiceValues; errors: ChoiceErrors };

/** Reads the fields from a URLSearchParams, a FormData or a plain record; anything else is ignored. */
export function readChoiceValues(source: URLSearchParams | FormData | Record<string, unknown>): ChoiceValues {
  const get = (name: string): unknown =>
    source instanceof URLSearchParams || (typeof FormData !== "undefined" && source instanceof FormData)
      ? source.get(name)
      : (source as Record<string, unknown>)[name];
  const values = {} as ChoiceValues;
  for (const field of CHOICE_FIELDS) {
    const value = get(field);
    // Nobody types 60 characters into any of these: longer input is treated as empty.
    values[field] = typeof value === "string" && value.length <= 60 ? value.trim() : "";
  }
  return values;
}

/** The fields that matter for this kind, as URL parameters (links to the review page). */
export function choiceSearchParams(values: ChoiceValues): URLSearchParams {
  const kind = parseKind(values.kind);
  const keep: readonly ChoiceField[] =
    kind === "plan"
      ? ["kind", "by", values.by === "count" ? "count" : "amount", "frequency", "start"]
      : kind === "settlement"
        ? ["kind", "payments", "start"]
        : ["kind", "amount", "start"];
  const params = new URLSearchParams();
  for (const field of keep) params.set(field, values[field]);
  return params;
}

export function parseKind(value: string): ArrangementKind {
  return (ARRANGEMENT_KINDS as readonly string[]).includes(value) ? (value as ArrangementKind) : "plan";
}

/** The discount the portal offers for a settlement: the most that is approved at once, or
 * (when the policy approves none at once) the most it allows, which staff then review.
 * 0 when the policy allows no settlement. */
export function settlementOfferBps(policy: PlanPolicy): number {
  return policy.autoApproveSettlementDiscountBps > 0 ? policy.autoApproveSettlementDiscountBps : policy.settlementMaxDiscountBps;
}

/** The latest first payment date the policy allows. */
export function latestStartDate(context: Pick<ChoiceContext, "today" | "policy">): string {
  const today = parseCalendarDate(context.today);
  if (!today) throw new RangeError(`today is not a date: ${context.today}`);
  return today.add({ days: context.policy.latestFirstPaymentDays }).toString();
}

/** Every date a first payment may fall on, today first. */
export function startDateOptions(context: Pick<ChoiceContext, "today" | "policy">): string[] {
  const today = parseCalendarDate(context.today);
  if (!today) throw new RangeError(`today is not a date: ${context.today}`);
  return Array.from({ length: context.policy.latestFirstPaymentDays + 1 }, (_, days) => today.add({ days }).toString());
}

/** The simulator's first suggestion: the same day next month, or the latest allowed if sooner. */
export function defaultStartDate(context: Pick<ChoiceContext, "today" | "policy">): string {
  const today = parseCalendarDate(context.today);
  if (!today) throw new RangeError(`today is not a date: ${context.today}`);
  const nextMonth = today.add({ months: 1 });
  const latest = today.add({ days: context.policy.latestFirstPaymentDays });
  return (nextMonth.compare(latest) <= 0 ? nextMonth : latest).toString();
}

/** The values the simulator opens with. */
export function defaultChoiceValues(context: ChoiceContext): ChoiceValues {
  return {
    kind: "plan",
    by: "amount",
    amount: "",
    count: "",
    frequency: context.policy.frequencies.includes("monthly") ? "monthly" : (context.policy.frequencies[0] ?? "monthly"),
    start: defaultStartDate(context),
    payments: "1",
  };
}

function parseAmount(text: string, balanceMinor: number): { ok: true; amountMinor: number } | { ok: false; problem: FieldProblem } {
  const parsed = parseMoneyInput(text);
  if (!parsed.ok) return { ok: false, problem: parsed.reason };
  if (parsed.amountMinor === 0) return { ok: false, problem: "zero" };
  if (parsed.amountMinor > balanceMinor) return { ok: false, problem: "above_balance" };
  return { ok: true, amountMinor: parsed.amountMinor };
}

function parseStart(text: string, context: ChoiceContext): { ok: true; date: string } | { ok: false; problem: FieldProblem } {
  if (text === "") return { ok: false, problem: "empty" };
  const date = parseCalendarDate(text);
  if (!date) return { ok: false, problem: "not_a_date" };
  if (date.toString() < context.today) return { ok: false, problem: "date_in_past" };
  if (date.toString() > latestStartDate(context)) return { ok: false, problem: "date_too_late" };
  return { ok: true, date: date.toString() };
}

/**
 * Parses and checks a choice (fields: header). Never throws for anything a person or a
 * tampered form can send; throws RangeError only when the context itself is broken.
 */
export function evaluateChoice(values: ChoiceValues, context: ChoiceContext): ChoiceResult {
  const kind = parseKind(values.kind);
  const errors: ChoiceErrors = {};
  const fail = (): ChoiceResult => ({ ok: false, kind, values, errors });
  if (!Number.isSafeInteger(context.balanceMinor) || context.balanceMinor <= 0) {
    throw new RangeError("evaluateChoice needs a positive balance");
  }
  const start = parseStart(values.start, context);
  if (!start.ok) errors.start = start.problem;

  if (kind === "plan") {
    let frequency: PlanFrequency | null = null;
    if (!isPlanFrequency(values.frequency)) errors.frequency = "not_a_frequency";
    else if (!context.policy.frequencies.includes(values.frequency)) errors.frequency = "frequency_not_allowed";
    else frequency = values.frequency;

    const byCount = values.by === "count";
    let by: { kind: "amount"; installmentMinor: number } | { kind: "count"; count: number } | null = null;
    if (byCount) {
      if (values.count === "") errors.count = "empty";
      else if (!/^\d{1,4}$/.test(values.count) || Number(values.count) < 1) errors.count = "not_a_count";
      else if (Number(values.count) > MAX_INSTALLMENTS) errors.count = "too_many_payments";
      else by = { kind: "count", count: Number(values.count) };
    } else {
      const amount = parseAmount(values.amount, context.balanceMinor);
      if (!amount.ok) errors.amount = amount.problem;
      // The last payment may be smaller; a chosen amount below the minimum never is allowed.
      else if (amount.amountMinor < Math.min(context.policy.minimumPaymentMinor, context.balanceMinor)) errors.amount = "below_minimum";
      else by = { kind: "amount", installmentMinor: amount.amountMinor };
    }
    if (!frequency || !by || !start.ok) return fail();

    const schedule = buildSchedule({ totalMinor: context.balanceMinor, frequency, startDate: start.date, by });
    if (!schedule.ok) {
      if (byCount) errors.count = schedule.reason === "count_too_high" ? "count_too_high" : "too_many_payments";
      else errors.amount = "below_minimum";
      return fail();
    }
    const proposal: Proposal = { kind: "plan", frequency, installments: schedule.installments };
    return evaluated(kind, values, frequency, schedule.installments, 0, 0, 0, proposal, context);
  }

  if (kind === "settlement") {
    const offerBps = settlementOfferBps(context.policy);
    const payments = Number(values.payments);
    if (offerBps <= 0) errors.payments = "not_offered";
    else if (!/^[1-3]$/.test(values.payments) || payments > MAX_SETTLEMENT_PAYMENTS) errors.payments = "not_a_count";
    if (errors.payments || !start.ok) return fail();
    const settlement = buildSettlement({
      balanceMinor: context.balanceMinor,
      discountBps: offerBps,
      payments: payments as 1 | 2 | 3,
      startDate: start.date,
      today: context.today,
    });
    if (!settlement.ok) {
      if (settlement.reason === "ends_too_late") errors.payments = "ends_too_late";
      else errors.payments = "not_a_count";
      return fail();
    }
    const proposal: Proposal = { kind: "settlement", discountBps: offerBps, installments: settlement.installments };
    return evaluated(kind, values, null, settlement.installments, offerBps, settlement.discountMinor, 0, proposal, context);
  }

  // A promise to pay a stated amount on a date.
  const amount = parseAmount(values.amount, context.balanceMinor);
  if (!amount.ok) errors.amount = amount.problem;
  if (!amount.ok || !start.ok) return fail();
  const installments = [{ dueOn: start.date, amountMinor: amount.amountMinor }];
  const proposal: Proposal = { kind: "promise", installments };
  return evaluated(kind, values, null, installments, 0, 0, context.balanceMinor - amount.amountMinor, proposal, context);
}

function evaluated(
  kind: ArrangementKind,
  values: ChoiceValues,
  frequency: PlanFrequency | null,
  installments: Installment[],
  discountBps: number,
  discountMinor: number,
  remainingAfterMinor: number,
  proposal: Proposal,
  context: ChoiceContext,
): EvaluatedChoice {
  const first = installments[0]!;
  const last = installments[installments.length - 1]!;
  const verdict = checkAgainstPolicy(proposal, context.policy, { agreedOn: context.today });
  return {
    ok: true,
    kind,
    values,
    frequency,
    installments,
    totalMinor: installments.reduce((sum, installment) => sum + installment.amountMinor, 0),
    regularMinor: first.amountMinor,
    lastMinor: last.amountMinor,
    firstDueOn: first.dueOn,
    lastDueOn: last.dueOn,
    discountBps,
    discountMinor,
    remainingAfterMinor,
    verdict,
    reviewDueOn: verdict.verdict === "needs_review" ? reviewDueOn(context.today) : null,
    proposal,
  };
}

/** How many months a settlement may take, for the page's words. */
export const SETTLEMENT_MONTHS = SETTLEMENT_WITHIN_MONTHS;
