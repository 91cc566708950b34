/**
 * Payments (issue 6 items 2-3): start a payment, attach its Stripe Checkout Session, record
 * Stripe's webhook events, and read a payment's state. One typed wrapper per `api.*` function
 * (supabase/migrations/20261128000400_payments.sql).
 *
 * Money moves only in `recordStripeEvent`, called by the webhook route after the signature
 * check: the database records each event id in the same transaction as its effect, so a
 * replay is a no-op, and posts one ledger entry per payment however often and in whatever
 * order Stripe repeats itself. Money it cannot match goes to a suspense list for staff.
 *
 * Refusals the borrower can act on come back as `{ ok: false, reason }`; another borrower's
 * account, installment or payment is PT404 → a thrown 404 Response (never 403). Anything else
 * is a bug or an outage and is thrown.
 */
import type Stripe from "stripe";
import { z } from "zod";
import { isWorkingDay } from "~/domain/review-due";
import { parseCalendarDate } from "~/domain/schedule";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";
import { orNotFound, requireUuid } from "~/utils/accounts.server";

const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");
const Instant = z.coerce.date();
const Uuid = z.uuid();

export const PAYMENT_PURPOSES = ["full", "installment", "amount"] as const;
export type PaymentPurpose = (typeof PAYMENT_PURPOSES)[number];

export const PAYMENT_STATUSES = ["created", "processing", "succeeded", "failed", "cancelled", "refunded"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

// ---------------------------------------------------------------------------------------
// Start

export interface StartPaymentInput {
  borrowerId: string;
  accountId: string;
  /**
   * Minor units; between min(policy minimum, payable) and what can be paid now (the balance
   * less the bank debits on their way: `getAccountPayable`); exactly that for "full".
   */
  amountMinor: number;
  purpose: PaymentPurpose;
  /** Required for "installment": a scheduled installment of the account's live arrangement. */
  installmentId?: string | null;
}

export const START_REFUSALS = ["account_not_open", "amount_out_of_range", "payment_in_flight"] as const;
export type StartPaymentRefusal = (typeof START_REFUSALS)[number];

const StartResultSchema = z
  .object({ payment_id: z.uuid(), amount_minor: Minor, currency: z.string().length(3), creditor_name: z.string() })
  .transform((r) => ({ paymentId: r.payment_id, amountMinor: r.amount_minor, currency: r.currency, creditorName: r.creditor_name }));

export type StartPaymentResult = ({ ok: true } & z.output<typeof StartResultSchema>) | { ok: false; reason: StartPaymentRefusal };

/**
 * Records a payment (status "created") the borrower is about to make through Checkout.
 * 404 Response for another borrower's account or an installment not on this account's live
 * arrangement. A non-integer amount is "amount_out_of_range" without asking the database.
 */
export async function startPayment(input: StartPaymentInput): Promise<StartPaymentResult> {
  const account = requireUuid(input.accountId);
  const installment = input.installmentId ? requireUuid(input.installmentId) : null;
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) return { ok: false, reason: "amount_out_of_range" };
  try {
    const value = await orNotFound(() =>
      rpc(
        "start_payment",
        {
          p_borrower_id: Uuid.parse(input.borrowerId),
          p_account_id: account,
          p_amount_minor: input.amountMinor,
          p_purpose: input.purpose,
          p_installment_id: installment,
        },
        StartResultSchema,
      ),
    );
    return { ok: true, ...value };
  } catch (error) {
    if (isRpcError(error) && (error.code === "PT409" || error.code === "PT422")) {
      const reason = START_REFUSALS.find((r) => r === error.hint);
      if (reason) return { ok: false, reason };
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------
// Attach the Checkout Session

const AttachResultSchema = z.object({ payment_id: z.uuid(), status: z.enum(PAYMENT_STATUSES) }).transform((r) => ({ paymentId: r.payment_id, status: r.status }));

/**
 * Stores the Checkout Session id Stripe made for the payment (once; the same id again is
 * fine). 404 Response unless it is the borrower's payment still in status "created".
 */
export async function attachCheckoutSession({ borrowerId, paymentId, sessionId }: { borrowerId: string; paymentId: string; sessionId: string }): Promise<z.output<typeof AttachResultSchema>> {
  const payment = requireUuid(paymentId);
  return orNotFound(() =>
    rpc("attach_checkout_session", { p_borrower_id: Uuid.parse(borrowerId), p_payment_id: payment, p_session_id: sessionId }, AttachResultSchema),
  );
}

// ---------------------------------------------------------------------------------------
// Webhook events

export const STRIPE_EVENT_OUTCOMES = ["applied", "duplicate", "ignored", "suspense"] as const;
export type StripeEventOutcome = (typeof STRIPE_EVENT_OUTCOMES)[number];

const RecordResultSchema = z
  .object({ outcome: z.enum(STRIPE_EVENT_OUTCOMES), payment_id: z.uuid().nullable() })
  .transform((r) => ({ outcome: r.outcome, paymentId: r.payment_id }));
export type RecordStripeEventResult = z.output<typeof RecordResultSchema>;

/** The event was signed by Stripe but has no usable id or type (PT422 invalid_event). */
export class InvalidStripeEventError extends Error {
  constructor() {
    super("The Stripe event has no usable id or type");
    this.name = "InvalidStripeEventError";
  }
}

/**
 * Records one Stripe event (already verified by its signature) and applies it, exactly once:
 * - applied: the payment is in the state the event reports (for a success: one ledger entry)
 * - duplicate: this event id was recorded before; nothing done
 * - ignored: a type we do not act on, nothing to act on, or a stale event (a failure after
 *   the success)
 * - suspense: money we could not post to an open account of ours, kept for staff
 * Throws InvalidStripeEventError for an event without id or type, RpcError on an outage.
 */
export async function recordStripeEvent(event: Stripe.Event | Record<string, unknown>): Promise<RecordStripeEventResult> {
  try {
    return await rpc("record_stripe_event", { p_event: event }, RecordResultSchema);
  } catch (error) {
    if (isRpcError(error) && error.code === "PT422" && error.hint === "invalid_event") throw new InvalidStripeEventError();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------
// Read

const PaymentStatusSchema = z
  .object({
    payment_id: z.uuid(),
    account_id: z.uuid(),
    status: z.enum(PAYMENT_STATUSES),
    amount_minor: Minor,
    currency: z.string().length(3),
    failure_code: z.string().nullable(),
    succeeded_at: Instant.nullable(),
  })
  .transform((p) => ({
    paymentId: p.payment_id,
    accountId: p.account_id,
    /** "created"/"processing" until Stripe's webhook says otherwise. */
    status: p.status,
    /** What the borrower asked to pay. */
    amountMinor: p.amount_minor,
    currency: p.currency,
    /** Stripe's decline or error code for a failed payment ("insufficient_funds"). */
    failureCode: p.failure_code,
    succeededAt: p.succeeded_at,
  }));
export type PaymentState = z.output<typeof PaymentStatusSchema>;

/** One of the borrower's payments, for the return page. 404 Response when it is not theirs. */
export async function getPaymentStatus(borrowerId: string, paymentId: string): Promise<PaymentState> {
  const payment = requireUuid(paymentId);
  return orNotFound(() => rpc("payment_status", { p_borrower_id: Uuid.parse(borrowerId), p_payment_id: payment }, PaymentStatusSchema));
}

const AccountPaymentSchema = z
  .object({
    payment_id: z.uuid(),
    status: z.enum(PAYMENT_STATUSES),
    purpose: z.enum(PAYMENT_PURPOSES),
    amount_minor: Minor,
    currency: z.string().length(3),
    installment_id: z.uuid().nullable(),
    failure_code: z.string().nullable(),
    created_at: Instant,
    succeeded_at: Instant.nullable(),
  })
  .transform((p) => ({
    paymentId: p.payment_id,
    status: p.status,
    purpose: p.purpose,
    amountMinor: p.amount_minor,
    currency: p.currency,
    installmentId: p.installment_id,
    failureCode: p.failure_code,
    createdAt: p.created_at,
    succeededAt: p.succeeded_at,
  }));
export type AccountPayment = z.output<typeof AccountPaymentSchema>;

/**
 * The account's 50 most recent payments, newest first (payments abandoned before Checkout
 * opened are left out). 404 Response for another borrower's account.
 */
export async function listAccountPayments(borrowerId: string, accountId: string): Promise<AccountPayment[]> {
  const account = requireUuid(accountId);
  return orNotFound(() => rpc("account_payments", { p_borrower_id: Uuid.parse(borrowerId), p_account_id: account }, z.array(AccountPaymentSchema)));
}

// ---------------------------------------------------------------------------------------
// What can be paid now

/** Bank payments (US ACH debits) take up to this many working days to arrive (Stripe's figure). */
export const BANK_DEBIT_WORKING_DAYS = 4;

const CalendarDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const PayableSchema = z
  .object({
    balance_minor: Minor,
    in_flight_minor: Minor,
    payable_minor: Minor,
    currency: z.string().length(3),
    in_flight_since: CalendarDay.nullable(),
  })
  .transform((p) => ({
    /** The ledger balance. */
    balanceMinor: p.balance_minor,
    /** Bank debits on their way (payments processing), not in the ledger yet. */
    inFlightMinor: p.in_flight_minor,
    /** What can be paid now: the balance less what is on its way. Zero or less: nothing to pay now. */
    payableMinor: p.payable_minor,
    currency: p.currency,
    /** "YYYY-MM-DD" the newest debit on its way started, in the creditor's time zone; null when none. */
    inFlightSince: p.in_flight_since,
  }));
export type AccountPayable = z.output<typeof PayableSchema>;

/**
 * The balance, the money on its way and what can be paid now: the same figure
 * `startPayment` is checked against in the database. 404 Response for another borrower's account.
 */
export async function getAccountPayable(borrowerId: string, accountId: string): Promise<AccountPayable> {
  const account = requireUuid(accountId);
  return orNotFound(() => rpc("account_payable", { p_borrower_id: Uuid.parse(borrowerId), p_account_id: account }, PayableSchema));
}

/**
 * The day ("YYYY-MM-DD") a bank debit that started on `since` usually arrives by:
 * BANK_DEBIT_WORKING_DAYS working days (Monday to Friday) after it, the start day not counted.
 * Public holidays are not known, so the bank may take a day longer around one. Null for a
 * date that is not one.
 */
export function bankDebitArrivesBy(since: string): string | null {
  let day = parseCalendarDate(since);
  if (!day) return null;
  for (let counted = 0; counted < BANK_DEBIT_WORKING_DAYS; ) {
    day = day.add({ days: 1 });
    if (isWorkingDay(day)) counted++;
  }
  return day.toString();
}
