/**
 * A counter-offer built with the same domain code the borrower's simulator runs (ADR 010):
 * staff choose how often, an amount per payment or a number of payments, and the first date;
 * `evaluateChoice` (app/domain/arrangement-choice.ts) builds the schedule of today's balance
 * with app/domain/schedule.ts and checks it against the creditor's plan policy. The console
 * runs it in the browser for a live preview and again on the server, which sends the result
 * to `api.counter_plan_request` (the database re-checks the totals).
 *
 * Pure: no I/O, no clock. A counter-offer is always a payment plan of the whole balance, and
 * never outside the policy: staff may offer what would otherwise need review (a longer plan),
 * not what the creditor does not allow at all.
 */
import { evaluateChoice, type ChoiceContext, type ChoiceErrors, type EvaluatedChoice } from "~/domain/arrangement-choice";
import type { RuleCode } from "~/domain/plan-policy-check";
import type { Installment } from "~/domain/schedule";

/** The counter-offer form's fields, as typed or chosen. */
export const OFFER_FIELDS = ["by", "amount", "count", "frequency", "start"] as const;
export type OfferField = (typeof OFFER_FIELDS)[number];
export type OfferValues = Record<OfferField, string>;

export type OfferResult =
  | { ok: true; choice: EvaluatedChoice; policyRules: RuleCode[] }
  | { ok: false; errors: ChoiceErrors; outsidePolicy: RuleCode[] };

/** Reads the fields from a form, URL parameters or a record; missing ones are empty. */
export function readOfferValues(source: URLSearchParams | FormData | Record<string, unknown>): OfferValues {
  const get = (name: string): unknown =>
    source instanceof URLSearchParams || (typeof FormData !== "undefined" && source instanceof FormData) ? source.get(name) : (source as Record<string, unknown>)[name];
  const values = {} as OfferValues;
  for (const field of OFFER_FIELDS) {
    const value = get(field);
    values[field] = typeof value === "string" && value.length <= 60 ? value.trim() : "";
  }
  return values;
}

/**
 * The counter-offer for these fields: the schedule and the review rules it breaks, or the
 * field errors (codes the simulator's words cover) or the policy rules that put it outside.
 */
export function buildCounterOffer(values: OfferValues, context: ChoiceContext): OfferResult {
  const result = evaluateChoice({ kind: "plan", by: values.by === "count" ? "count" : "amount", amount: values.amount, count: values.count, frequency: values.frequency, start: values.start, payments: "1" }, context);
  if (!result.ok) return { ok: false, errors: result.errors, outsidePolicy: [] };
  if (result.verdict.verdict === "outside_policy") return { ok: false, errors: {}, outsidePolicy: result.verdict.rules };
  return { ok: true, choice: result, policyRules: result.verdict.verdict === "needs_review" ? result.verdict.rules : [] };
}

/**
 * A stored counter-offer as the choice the terms are written from (app/utils/
 * arrangement-terms.server.ts): a plan that starts as soon as the borrower agrees, since
 * staff approved it by offering it.
 */
export function offerChoice(offer: { frequency: "weekly" | "every_two_weeks" | "monthly"; installments: readonly Installment[] }): EvaluatedChoice {
  const installments = offer.installments.map((i) => ({ dueOn: i.dueOn, amountMinor: i.amountMinor }));
  const first = installments[0];
  const last = installments[installments.length - 1];
  if (!first || !last) throw new RangeError("a counter-offer has at least one payment");
  return {
    ok: true,
    kind: "plan",
    values: { kind: "plan", by: "count", amount: "", count: String(installments.length), frequency: offer.frequency, start: first.dueOn, payments: "1" },
    frequency: offer.frequency,
    installments,
    totalMinor: installments.reduce((sum, i) => sum + i.amountMinor, 0),
    regularMinor: first.amountMinor,
    lastMinor: last.amountMinor,
    firstDueOn: first.dueOn,
    lastDueOn: last.dueOn,
    discountBps: 0,
    discountMinor: 0,
    remainingAfterMinor: 0,
    verdict: { verdict: "auto_approve" },
    reviewDueOn: null,
    proposal: { kind: "plan", frequency: offer.frequency, installments },
  };
}
