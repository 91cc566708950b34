/**
 * Arrangements (issue 5; ADR 004): agree a plan, settlement or promise with its consent, read
 * the account's arrangement and schedule, move one payment, cancel. One typed wrapper per
 * `api.*` function (supabase/migrations/20261128000100_arrangements.sql).
 *
 * The database re-checks what money depends on and answers a broken rule with a reason
 * (PT409/PT422 and a hint); each wrapper returns those reasons as `{ ok: false, reason }` for
 * the route to word. Another borrower's account or arrangement is PT404 → a thrown 404
 * Response (never 403). Anything else (a malformed consent document, an unexpected answer) is
 * a bug and is thrown.
 *
 * Money is integer minor units; calendar dates are `YYYY-MM-DD` strings in the creditor's
 * time zone; instants are Dates.
 */
import { z } from "zod";
import { type PlanFrequency, PLAN_FREQUENCIES } from "~/domain/plan-policy";
import { rpc } from "~/services/supabase/rpc.server";
import { orNotFound, requireUuid, withReasons } from "~/utils/accounts.server";
import { consentArg, type ConsentInput } from "~/utils/consent.server";

export { consentHash, type ConsentInput } from "~/utils/consent.server";

const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");
const IsoDate = z.iso.date();
const Instant = z.coerce.date();
const Uuid = z.uuid();
const LanguageSchema = z.enum(["en", "es"]);


export const ARRANGEMENT_KINDS = ["plan", "settlement", "promise"] as const;
export type ArrangementKind = (typeof ARRANGEMENT_KINDS)[number];

export const ARRANGEMENT_STATUSES = ["pending_review", "active", "declined", "completed", "cancelled", "broken"] as const;
export type ArrangementStatus = (typeof ARRANGEMENT_STATUSES)[number];

export const INSTALLMENT_STATUSES = ["scheduled", "paid", "missed", "cancelled"] as const;
export type InstallmentStatus = (typeof INSTALLMENT_STATUSES)[number];

// ---------------------------------------------------------------------------------------
// Agree

export interface AgreeArrangementInput {
  borrowerId: string;
  accountId: string;
  kind: ArrangementKind;
  /** A plan's frequency; null for a settlement or a promise. */
  frequency: PlanFrequency | null;
  /** A settlement's discount in basis points; 0 for a plan or a promise. */
  discountBps: number;
  /** The balance the borrower saw; a different balance now is "balance_changed". */
  balanceMinor: number;
  /** The sum of the installments. */
  totalMinor: number;
  installments: ReadonlyArray<{ dueOn: string; amountMinor: number }>;
  /** The rules the proposal breaks (verdict needs_review), or [] (auto_approve). */
  policyRules: readonly string[];
  /** The last day of the review, in the creditor's zone; required with policy rules, else ignored. */
  reviewDueOn: string | null;
  consent: ConsentInput;
}

export const AGREE_REFUSALS = ["balance_changed", "arrangement_exists", "account_not_open", "invalid_arrangement", "total_mismatch", "consent_hash_mismatch"] as const;
export type AgreeRefusal = (typeof AGREE_REFUSALS)[number];

const AgreeResultSchema = z
  .object({
    arrangement_id: z.uuid(),
    status: z.enum(["active", "pending_review"]),
    review_due_at: Instant.nullable(),
    consent_id: z.uuid(),
    borrower_email: z.string().nullable(),
    borrower_language: LanguageSchema,
  })
  .transform((r) => ({
    arrangementId: r.arrangement_id,
    status: r.status,
    /** The end of the review day in the creditor's zone; null when active at once. */
    reviewDueAt: r.review_due_at,
    consentId: r.consent_id,
    /** Where the confirmation goes; null when the borrower has no email on file. */
    borrowerEmail: r.borrower_email,
    borrowerLanguage: r.borrower_language,
  }));

export type AgreeArrangementResult = ({ ok: true } & z.output<typeof AgreeResultSchema>) | { ok: false; reason: AgreeRefusal };

/**
 * Agrees the arrangement, its installments and consent in one transaction: active at once
 * with no policy rules, else pending_review. 404 Response for another borrower's account.
 */
export async function agreeArrangement(input: AgreeArrangementInput): Promise<AgreeArrangementResult> {
  const account = requireUuid(input.accountId);
  const result = await withReasons(AGREE_REFUSALS, () =>
    rpc(
      "agree_arrangement",
      {
        p_borrower_id: Uuid.parse(input.borrowerId),
        p_account_id: account,
        p_kind: input.kind,
        p_frequency: input.frequency,
        p_discount_bps: input.discountBps,
        p_balance_minor: input.balanceMinor,
        p_total_minor: input.totalMinor,
        p_installments: input.installments.map((i) => ({ due_on: i.dueOn, amount_minor: i.amountMinor })),
        p_policy_rules: [...input.policyRules],
        p_review_due_on: input.policyRules.length > 0 ? input.reviewDueOn : null,
        p_consent: consentArg(input.consent),
      },
      AgreeResultSchema,
    ),
  );
  return result.ok ? { ok: true, ...result.value } : result;
}

// ---------------------------------------------------------------------------------------
// Read

const InstallmentSchema = z
  .object({
    id: z.uuid(),
    seq: z.number().int().min(1),
    due_on: IsoDate,
    original_due_on: IsoDate,
    amount_minor: Minor,
    paid_minor: Minor,
    status: z.enum(INSTALLMENT_STATUSES),
    moved_at: Instant.nullable(),
  })
  .transform((i) => ({
    id: i.id,
    seq: i.seq,
    dueOn: i.due_on,
    /** Differs from dueOn when the borrower moved it. */
    originalDueOn: i.original_due_on,
    amountMinor: i.amount_minor,
    paidMinor: i.paid_minor,
    status: i.status,
    movedAt: i.moved_at,
  }));
export type ArrangementInstallment = z.output<typeof InstallmentSchema>;

const TermsSchema = z
  .object({ version: z.string(), language: LanguageSchema, body: z.string(), sha256: z.string(), agreed_at: Instant })
  .transform((t) => ({ version: t.version, language: t.language, body: t.body, sha256: t.sha256, agreedAt: t.agreed_at }));
/** The exact words agreed to (plain-text lines joined by "\n"), as stored with the consent. */
export type AgreedTerms = z.output<typeof TermsSchema>;

export const ArrangementSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(ARRANGEMENT_KINDS),
    status: z.enum(ARRANGEMENT_STATUSES),
    frequency: z.enum(PLAN_FREQUENCIES).nullable(),
    balance_minor: Minor,
    total_minor: Minor,
    discount_bps: z.number().int(),
    discount_minor: Minor,
    currency: z.string().length(3),
    agreed_on: IsoDate,
    review_due_at: Instant.nullable(),
    created_at: Instant,
    ended_at: Instant.nullable(),
    policy_rules: z.array(z.string()),
    move_payment_max_days: z.number().int().min(0),
    can_move: z.boolean(),
    installments: z.array(InstallmentSchema),
    terms: TermsSchema,
    borrower_email: z.string().nullable(),
  })
  .transform((a) => ({
    id: a.id,
    kind: a.kind,
    status: a.status,
    frequency: a.frequency,
    /** The balance when it was agreed. */
    balanceMinor: a.balance_minor,
    /** What the borrower pays in all. */
    totalMinor: a.total_minor,
    discountBps: a.discount_bps,
    /** A settlement's forgiven amount: balanceMinor − totalMinor; 0 otherwise. */
    discountMinor: a.discount_minor,
    currency: a.currency,
    /** The day it was agreed, in the creditor's zone. */
    agreedOn: a.agreed_on,
    reviewDueAt: a.review_due_at,
    createdAt: a.created_at,
    endedAt: a.ended_at,
    /** The policy rules that sent it to review; empty when approved at once. */
    policyRules: a.policy_rules,
    /** How many days after its original date one payment may move (0: never). */
    movePaymentMaxDays: a.move_payment_max_days,
    /** Active, moves allowed, and no payment of it moved in the last 6 months. */
    canMove: a.can_move,
    installments: a.installments,
    /** What the borrower agreed to: the consent text of the agreement. */
    terms: a.terms,
    /** The borrower's email on file now (where confirmations go); null when none. */
    borrowerEmail: a.borrower_email,
  }));
export type Arrangement = z.output<typeof ArrangementSchema>;

const AccountArrangementSchema = z.object({ arrangement: ArrangementSchema.nullable() });

/**
 * The account's live (pending_review/active) arrangement, else its most recent one, else
 * null. 404 Response for another borrower's account.
 */
export async function getAccountArrangement(borrowerId: string, accountId: string): Promise<Arrangement | null> {
  const account = requireUuid(accountId);
  const result = await orNotFound(() => rpc("account_arrangement", { p_borrower_id: Uuid.parse(borrowerId), p_account_id: account }, AccountArrangementSchema));
  return result.arrangement;
}

// ---------------------------------------------------------------------------------------
// Move one payment

export interface MoveInstallmentInput {
  borrowerId: string;
  accountId: string;
  installmentId: string;
  /** The new date, "YYYY-MM-DD" in the creditor's zone. */
  newDueOn: string;
  consent: ConsentInput;
}

export const MOVE_REFUSALS = ["not_active", "move_not_allowed", "invalid_move", "consent_hash_mismatch"] as const;
export type MoveRefusal = (typeof MOVE_REFUSALS)[number];

const MoveResultSchema = z.object({ installment_id: z.uuid(), due_on: IsoDate }).transform((r) => ({ installmentId: r.installment_id, dueOn: r.due_on }));

export type MoveInstallmentResult = ({ ok: true } & z.output<typeof MoveResultSchema>) | { ok: false; reason: MoveRefusal };

/**
 * Moves one upcoming payment later, with its consent. 404 Response when the installment is
 * not on a live arrangement of this borrower's account.
 */
export async function moveInstallment(input: MoveInstallmentInput): Promise<MoveInstallmentResult> {
  const account = requireUuid(input.accountId);
  const installment = requireUuid(input.installmentId);
  const result = await withReasons(MOVE_REFUSALS, () =>
    rpc(
      "move_installment",
      {
        p_borrower_id: Uuid.parse(input.borrowerId),
        p_account_id: account,
        p_installment_id: installment,
        p_new_due_on: input.newDueOn,
        p_consent: consentArg(input.consent),
      },
      MoveResultSchema,
    ),
  );
  return result.ok ? { ok: true, ...result.value } : result;
}

// ---------------------------------------------------------------------------------------
// Cancel

export interface CancelArrangementInput {
  borrowerId: string;
  accountId: string;
  arrangementId: string;
  consent: ConsentInput;
}

export const CANCEL_REFUSALS = ["not_live", "consent_hash_mismatch"] as const;
export type CancelRefusal = (typeof CANCEL_REFUSALS)[number];

const CancelResultSchema = z
  .object({ arrangement_id: z.uuid(), status: z.literal("cancelled") })
  .transform((r) => ({ arrangementId: r.arrangement_id, status: r.status }));

export type CancelArrangementResult = ({ ok: true } & z.output<typeof CancelResultSchema>) | { ok: false; reason: CancelRefusal };

/**
 * Cancels the live arrangement and its scheduled payments, with the borrower's consent.
 * 404 Response when it is not an arrangement of this borrower's account.
 */
export async function cancelArrangement(input: CancelArrangementInput): Promise<CancelArrangementResult> {
  const account = requireUuid(input.accountId);
  const arrangement = requireUuid(input.arrangementId);
  const result = await withReasons(CANCEL_REFUSALS, () =>
    rpc(
      "cancel_arrangement",
      { p_borrower_id: Uuid.parse(input.borrowerId), p_account_id: account, p_arrangement_id: arrangement, p_consent: consentArg(input.consent) },
      CancelResultSchema,
    ),
  );
  return result.ok ? { ok: true, ...result.value } : result;
}
