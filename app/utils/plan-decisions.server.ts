/**
 * Staff decisions on plan requests and the borrower's answer to a counter-offer (issue 8
 * item 3; ADR 010): one typed wrapper per `api.*` function of
 * supabase/migrations/20261128001000_plan_decisions.sql, every result parsed with zod.
 *
 * The database decides who may do what (four eyes, limits, "already decided"); refusals a
 * person can act on come back as `{ ok: false, reason }` for the route to word. An id that is
 * not a request, or another borrower's offer, is a thrown 404 Response (never 403). Anything
 * else is a bug and is thrown.
 *
 * Money is integer minor units; calendar dates `YYYY-MM-DD` in the creditor's time zone;
 * instants are Dates.
 */
import { z } from "zod";
import type { EvaluatedChoice } from "~/domain/arrangement-choice";
import { PLAN_FREQUENCIES, PlanPolicySchema } from "~/domain/plan-policy";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";
import { LedgerKindSchema, orNotFound, requireUuid } from "~/utils/accounts.server";
import { ARRANGEMENT_KINDS, ARRANGEMENT_STATUSES, INSTALLMENT_STATUSES } from "~/utils/arrangements.server";
import { consentArg, type ConsentInput } from "~/utils/consent.server";
import { PLAN_DECISIONS, REASON_CODES, type ReasonCode } from "~/utils/plan-decision-codes";

export * from "~/utils/plan-decision-codes";

const Uuid = z.uuid();
const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");
const IsoDate = z.iso.date();
const Instant = z.coerce.date();
const LanguageSchema = z.enum(["en", "es"]);
const RoleSchema = z.enum(["agent", "supervisor", "admin"]);

const notFound = () => new Response("Not found", { status: 404 });

/**
 * Calls the function: PT404 becomes the route's 404; a PT403/PT409/PT422 whose hint is one
 * of `reasons` becomes `{ ok: false, reason }`; anything else is thrown.
 */
async function withRefusals<T, R extends string>(reasons: readonly R[], call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; reason: R }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (isRpcError(error) && error.code === "PT404") throw notFound();
    if (isRpcError(error) && (error.code === "PT403" || error.code === "PT409" || error.code === "PT422")) {
      const reason = reasons.find((r) => r === error.hint);
      if (reason) return { ok: false, reason };
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------
// Decisions

export const DECISION_REFUSALS = [
  "staff_forbidden",
  "over_limit",
  "escalated",
  "four_eyes",
  "already_decided",
  "already_escalated",
  "account_not_open",
  "balance_changed",
  "schedule_started",
  "invalid_decision",
  "invalid_offer",
] as const;
export type DecisionRefusal = (typeof DECISION_REFUSALS)[number];

const DecisionResultSchema = z
  .object({
    decision_id: Uuid,
    arrangement_id: Uuid,
    decision: z.enum(PLAN_DECISIONS),
    status: z.enum(ARRANGEMENT_STATUSES),
    offer_id: Uuid.optional(),
    expires_at: Instant.optional(),
  })
  .transform((r) => ({
    decisionId: r.decision_id,
    arrangementId: r.arrangement_id,
    decision: r.decision,
    status: r.status,
    offerId: r.offer_id ?? null,
    offerExpiresAt: r.expires_at ?? null,
  }));
export type DecisionResult = ({ ok: true } & z.output<typeof DecisionResultSchema>) | { ok: false; reason: DecisionRefusal };

interface DecisionInput<D extends "approved" | "declined" | "countered"> {
  staffId: string;
  arrangementId: string;
  reasonCode: ReasonCode<D>;
  /** Words to the borrower; null (or blank) for none. */
  note: string | null;
}

const noteArg = (note: string | null) => (note && note.trim() ? note.trim() : null);

async function decide(fn: string, args: Record<string, unknown>): Promise<DecisionResult> {
  const result = await withRefusals(DECISION_REFUSALS, () => rpc(fn, args, DecisionResultSchema));
  return result.ok ? { ok: true, ...result.value } : result;
}

/** Approves the request as asked (→ active), if it is within the staff member's authority. */
export async function approvePlanRequest(input: DecisionInput<"approved">): Promise<DecisionResult> {
  return decide("approve_plan_request", {
    p_staff_id: Uuid.parse(input.staffId),
    p_arrangement_id: requireUuid(input.arrangementId),
    p_reason_code: input.reasonCode,
    p_note: noteArg(input.note),
  });
}

/** Declines the request (→ declined). */
export async function declinePlanRequest(input: DecisionInput<"declined">): Promise<DecisionResult> {
  return decide("decline_plan_request", {
    p_staff_id: Uuid.parse(input.staffId),
    p_arrangement_id: requireUuid(input.arrangementId),
    p_reason_code: input.reasonCode,
    p_note: noteArg(input.note),
  });
}

/** Sends the request to a supervisor (four eyes). */
export async function escalatePlanRequest(input: { staffId: string; arrangementId: string; reasonCode: ReasonCode<"escalated"> }): Promise<DecisionResult> {
  return decide("escalate_plan_request", {
    p_staff_id: Uuid.parse(input.staffId),
    p_arrangement_id: requireUuid(input.arrangementId),
    p_reason_code: input.reasonCode,
  });
}

/**
 * Declines the request with a counter-offer: the plan `choice` built by buildCounterOffer
 * (app/utils/plan-decision-offer.ts) for today's balance, and the review rules it breaks.
 */
export async function counterPlanRequest(
  input: DecisionInput<"countered"> & { balanceMinor: number; choice: EvaluatedChoice; policyRules: readonly string[] },
): Promise<DecisionResult> {
  if (input.choice.kind !== "plan" || !input.choice.frequency) throw new TypeError("a counter-offer is a payment plan");
  return decide("counter_plan_request", {
    p_staff_id: Uuid.parse(input.staffId),
    p_arrangement_id: requireUuid(input.arrangementId),
    p_reason_code: input.reasonCode,
    p_note: noteArg(input.note),
    p_frequency: input.choice.frequency,
    p_balance_minor: input.balanceMinor,
    p_installments: input.choice.installments.map((i) => ({ due_on: i.dueOn, amount_minor: i.amountMinor })),
    p_policy_rules: [...input.policyRules],
  });
}

// ---------------------------------------------------------------------------------------
// The console's review

const StaffRefSchema = z
  .object({ id: Uuid, full_name: z.string(), role: RoleSchema })
  .transform((s) => ({ id: s.id, fullName: s.full_name, role: s.role }));

const DecisionSchema = z
  .object({
    id: Uuid,
    arrangement_id: Uuid,
    decision: z.enum(PLAN_DECISIONS),
    reason_code: z.string(),
    note: z.string().nullable(),
    created_at: Instant,
    staff: StaffRefSchema.optional(),
    staff_role: RoleSchema.optional(),
    staff_limit_minor: Minor.optional(),
  })
  .transform((d) => ({
    id: d.id,
    arrangementId: d.arrangement_id,
    decision: d.decision,
    reasonCode: d.reason_code,
    /** What staff wrote to the borrower. */
    note: d.note,
    createdAt: d.created_at,
    /** Who decided (console only). */
    staff: d.staff ?? null,
    /** The limit they decided with (console only). */
    staffLimitMinor: d.staff_limit_minor ?? null,
  }));
export type PlanDecisionRecord = z.output<typeof DecisionSchema>;

const OfferInstallmentSchema = z.object({ due_on: IsoDate, amount_minor: Minor }).transform((i) => ({ dueOn: i.due_on, amountMinor: i.amount_minor }));

export const OFFER_STATUSES = ["open", "expired", "accepted", "declined"] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

const OfferRawSchema = z.object({
  id: Uuid,
  request_id: Uuid,
  decision_id: Uuid,
  account_id: Uuid,
  status: z.enum(OFFER_STATUSES),
  frequency: z.enum(PLAN_FREQUENCIES),
  balance_minor: Minor,
  total_minor: Minor,
  currency: z.string().length(3),
  installments: z.array(OfferInstallmentSchema).min(1),
  policy_rules: z.array(z.string()),
  expires_at: Instant,
  responded_at: Instant.nullable(),
  arrangement_id: Uuid.nullable(),
  created_at: Instant,
});

function toOffer(o: z.output<typeof OfferRawSchema>) {
  return {
    id: o.id,
    requestId: o.request_id,
    decisionId: o.decision_id,
    accountId: o.account_id,
    /** open, expired (open but past expiresAt), accepted or declined. */
    status: o.status,
    frequency: o.frequency,
    /** The balance it was built on: accepting needs the same balance. */
    balanceMinor: o.balance_minor,
    totalMinor: o.total_minor,
    currency: o.currency,
    installments: o.installments,
    policyRules: o.policy_rules,
    expiresAt: o.expires_at,
    respondedAt: o.responded_at,
    /** The plan made when it was accepted. */
    arrangementId: o.arrangement_id,
    createdAt: o.created_at,
  };
}

const OfferSchema = OfferRawSchema.transform(toOffer);
export type PlanOffer = z.output<typeof OfferSchema>;

const SplitSchema = z
  .object({ principal_minor: Minor, interest_minor: Minor, fees_minor: Minor, total_minor: Minor })
  .transform((s) => ({ principalMinor: s.principal_minor, interestMinor: s.interest_minor, feesMinor: s.fees_minor, totalMinor: s.total_minor }));

const ReviewSchema = z
  .object({
    request: z.object({
      id: Uuid,
      kind: z.enum(ARRANGEMENT_KINDS),
      status: z.enum(ARRANGEMENT_STATUSES),
      frequency: z.enum(PLAN_FREQUENCIES).nullable(),
      balance_minor: Minor,
      total_minor: Minor,
      discount_bps: z.number().int(),
      discount_minor: Minor,
      currency: z.string().length(3),
      agreed_on: IsoDate,
      created_at: Instant,
      review_due_at: Instant,
      decided_at: Instant.nullable(),
      ended_at: Instant.nullable(),
      policy_rules: z.array(z.string()),
      escalated_at: Instant.nullable(),
      escalated_by: StaffRefSchema.nullable(),
      installments: z.array(z.object({ seq: z.number().int(), due_on: IsoDate, amount_minor: Minor, status: z.enum(INSTALLMENT_STATUSES) })),
    }),
    account: z.object({
      id: Uuid,
      reference: z.string(),
      product: z.string(),
      status: z.enum(["open", "paid", "closed"]),
      currency: z.string().length(3),
      opened_on: IsoDate,
      original_amount_minor: Minor,
      original_creditor: z.string().nullable(),
      interest_rate_bps: z.number().int().nullable(),
      first_missed_payment_on: IsoDate.nullable(),
      days_past_due: z.number().int().nullable(),
      itemization_date: IsoDate,
      today: IsoDate,
    }),
    creditor: z.object({ id: Uuid, name: z.string(), region: z.string(), time_zone: z.string(), plan_policy: PlanPolicySchema }),
    borrower: z.object({ id: Uuid, full_name: z.string(), language: LanguageSchema, email: z.string().nullable() }),
    balance: SplitSchema,
    ledger: z.array(
      z.object({
        id: Uuid,
        effective_on: IsoDate,
        kind: LedgerKindSchema,
        reason_code: z.string().nullable(),
        principal_minor: Minor,
        interest_minor: Minor,
        fees_minor: Minor,
        amount_minor: Minor,
      }),
    ),
    decisions: z.array(DecisionSchema),
    offer: OfferSchema.nullable(),
    income_expenditure: z
      .object({
        request_id: Uuid,
        status: z.string(),
        submitted_at: Instant,
        monthly_income_minor: Minor,
        monthly_outgoings_minor: Minor,
      })
      .nullable(),
  })
  .transform((r) => ({
    request: {
      id: r.request.id,
      kind: r.request.kind,
      status: r.request.status,
      frequency: r.request.frequency,
      /** The balance the borrower asked on. */
      balanceMinor: r.request.balance_minor,
      totalMinor: r.request.total_minor,
      discountBps: r.request.discount_bps,
      discountMinor: r.request.discount_minor,
      currency: r.request.currency,
      agreedOn: r.request.agreed_on,
      createdAt: r.request.created_at,
      reviewDueAt: r.request.review_due_at,
      decidedAt: r.request.decided_at,
      endedAt: r.request.ended_at,
      /** Rule codes from app/domain/plan-policy-check.ts that sent it to review. */
      policyRules: r.request.policy_rules,
      escalatedAt: r.request.escalated_at,
      escalatedBy: r.request.escalated_by,
      installments: r.request.installments.map((i) => ({ seq: i.seq, dueOn: i.due_on, amountMinor: i.amount_minor, status: i.status })),
    },
    account: {
      id: r.account.id,
      reference: r.account.reference,
      product: r.account.product,
      status: r.account.status,
      currency: r.account.currency,
      openedOn: r.account.opened_on,
      originalAmountMinor: r.account.original_amount_minor,
      originalCreditor: r.account.original_creditor,
      interestRateBps: r.account.interest_rate_bps,
      firstMissedPaymentOn: r.account.first_missed_payment_on,
      daysPastDue: r.account.days_past_due,
      itemizationDate: r.account.itemization_date,
      /** Today in the creditor's time zone. */
      today: r.account.today,
    },
    creditor: { id: r.creditor.id, name: r.creditor.name, region: r.creditor.region, timeZone: r.creditor.time_zone, policy: r.creditor.plan_policy },
    borrower: { id: r.borrower.id, fullName: r.borrower.full_name, language: r.borrower.language, email: r.borrower.email },
    /** Today's balance, split. */
    balance: r.balance,
    /** Every ledger entry, oldest first. */
    ledger: r.ledger.map((e) => ({
      id: e.id,
      effectiveOn: e.effective_on,
      kind: e.kind,
      reasonCode: e.reason_code,
      principalMinor: e.principal_minor,
      interestMinor: e.interest_minor,
      feesMinor: e.fees_minor,
      amountMinor: e.amount_minor,
    })),
    /** Escalation and the final decision, oldest first. */
    decisions: r.decisions,
    offer: r.offer,
    /** The borrower's latest income and expenditure (monthly), from a hardship request. */
    incomeExpenditure: r.income_expenditure
      ? {
          requestId: r.income_expenditure.request_id,
          status: r.income_expenditure.status,
          submittedAt: r.income_expenditure.submitted_at,
          monthlyIncomeMinor: r.income_expenditure.monthly_income_minor,
          monthlyOutgoingsMinor: r.income_expenditure.monthly_outgoings_minor,
        }
      : null,
  }));
export type PlanRequestReview = z.output<typeof ReviewSchema>;

/**
 * Everything staff need to decide a request. 404 Response when the id is not a plan request;
 * `null` when the staff member may not read it (inactive: the caller answers 403).
 */
export async function getPlanRequestReview(staffId: string, arrangementId: string): Promise<PlanRequestReview | null> {
  const id = requireUuid(arrangementId);
  try {
    return await orNotFound(() => rpc("plan_request_review", { p_staff_id: Uuid.parse(staffId), p_arrangement_id: id }, ReviewSchema));
  } catch (error) {
    if (isRpcError(error) && error.code === "PT403") return null;
    throw error;
  }
}

/** The final decision (not an escalation) of a request, if any. */
export function finalDecision(review: PlanRequestReview): PlanDecisionRecord | null {
  return review.decisions.find((d) => d.decision !== "escalated") ?? null;
}

// ---------------------------------------------------------------------------------------
// The borrower's side

const AccountOfferSchema = z
  .object({
    offer: OfferRawSchema.extend({
      request: z.object({
        kind: z.enum(ARRANGEMENT_KINDS),
        frequency: z.enum(PLAN_FREQUENCIES).nullable(),
        total_minor: Minor,
        installments: z.number().int(),
        first_due_on: IsoDate,
        last_due_on: IsoDate,
      }),
      reason_code: z.string(),
      note: z.string().nullable(),
    }).nullable(),
    decision: DecisionSchema.nullable(),
  })
  .transform((r) => ({
    offer: r.offer
      ? {
          ...toOffer(r.offer),
          /** Why staff offered it, and their words. */
          reasonCode: r.offer.reason_code,
          note: r.offer.note,
          /** What the borrower had asked for. */
          request: {
            kind: r.offer.request.kind,
            frequency: r.offer.request.frequency,
            totalMinor: r.offer.request.total_minor,
            installments: r.offer.request.installments,
            firstDueOn: r.offer.request.first_due_on,
            lastDueOn: r.offer.request.last_due_on,
          },
        }
      : null,
    decision: r.decision,
  }));
export type AccountPlanOffer = z.output<typeof AccountOfferSchema>;
export type BorrowerPlanOffer = NonNullable<AccountPlanOffer["offer"]>;

/**
 * The account's latest counter-offer and the latest staff decision on its requests (each or
 * null). 404 Response for another borrower's account.
 */
export async function getAccountPlanOffer(borrowerId: string, accountId: string): Promise<AccountPlanOffer> {
  const account = requireUuid(accountId);
  return orNotFound(() => rpc("account_plan_offer", { p_borrower_id: Uuid.parse(borrowerId), p_account_id: account }, AccountOfferSchema));
}

export const OFFER_REFUSALS = ["offer_closed", "offer_expired", "account_not_open", "balance_changed", "arrangement_exists", "consent_hash_mismatch"] as const;
export type OfferRefusal = (typeof OFFER_REFUSALS)[number];

const AcceptResultSchema = z
  .object({
    offer_id: Uuid,
    arrangement_id: Uuid,
    status: z.literal("active"),
    consent_id: Uuid,
    borrower_email: z.string().nullable(),
    borrower_language: LanguageSchema,
  })
  .transform((r) => ({
    offerId: r.offer_id,
    arrangementId: r.arrangement_id,
    status: r.status,
    consentId: r.consent_id,
    borrowerEmail: r.borrower_email,
    borrowerLanguage: r.borrower_language,
  }));

export type AcceptOfferResult = ({ ok: true } & z.output<typeof AcceptResultSchema>) | { ok: false; reason: OfferRefusal };

/** Accepts the counter-offer: an active plan with the borrower's consent to the exact words. */
export async function acceptPlanOffer(input: { borrowerId: string; accountId: string; offerId: string; consent: ConsentInput }): Promise<AcceptOfferResult> {
  const result = await withRefusals(OFFER_REFUSALS, () =>
    rpc(
      "accept_plan_offer",
      {
        p_borrower_id: Uuid.parse(input.borrowerId),
        p_account_id: requireUuid(input.accountId),
        p_offer_id: requireUuid(input.offerId),
        p_consent: consentArg(input.consent),
      },
      AcceptResultSchema,
    ),
  );
  return result.ok ? { ok: true, ...result.value } : result;
}

export type DeclineOfferResult = { ok: true; offer: PlanOffer } | { ok: false; reason: OfferRefusal };

/** Declines the counter-offer: it ends, and nothing else changes. */
export async function declinePlanOffer(input: { borrowerId: string; accountId: string; offerId: string }): Promise<DeclineOfferResult> {
  const result = await withRefusals(OFFER_REFUSALS, () =>
    rpc(
      "decline_plan_offer",
      { p_borrower_id: Uuid.parse(input.borrowerId), p_account_id: requireUuid(input.accountId), p_offer_id: requireUuid(input.offerId) },
      OfferSchema,
    ),
  );
  return result.ok ? { ok: true, offer: result.value } : result;
}

// ---------------------------------------------------------------------------------------
// What the borrower's email needs

export const PlanDecisionNoticeSchema = z
  .object({
    account_id: Uuid,
    currency: z.string().length(3),
    reference_last4: z.string(),
    creditor: z.object({ name: z.string(), region: z.string(), support_phone: z.string(), support_email: z.string().nullable(), time_zone: z.string() }),
    borrower: z.object({ email: z.string().nullable(), language: LanguageSchema }),
    decision_id: Uuid,
    arrangement_id: Uuid,
    decision: z.enum(["approved", "declined", "countered"]),
    reason_code: z.string(),
    note: z.string().nullable(),
    request: z.object({
      kind: z.enum(ARRANGEMENT_KINDS),
      frequency: z.enum(PLAN_FREQUENCIES).nullable(),
      total_minor: Minor,
      installments: z.array(OfferInstallmentSchema),
    }),
    offer: OfferSchema.nullable(),
  })
  .nullable();
export type PlanDecisionNotice = NonNullable<z.output<typeof PlanDecisionNoticeSchema>>;

/** The facts of a decision for the borrower's email; null for an escalation. */
export async function getPlanDecisionNotice(decisionId: string): Promise<PlanDecisionNotice | null> {
  return rpc("plan_decision_notice", { p_decision_id: Uuid.parse(decisionId) }, PlanDecisionNoticeSchema);
}

/** True when `value` is one of the reason codes of `decision` (for parsing forms). */
export function reasonCodeSchema<D extends keyof typeof REASON_CODES>(decision: D) {
  return z.enum(REASON_CODES[decision] as unknown as [ReasonCode<D>, ...Array<ReasonCode<D>>]);
}
