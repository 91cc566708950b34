/**
 * The sweep (issue 6 item 5, DESIGN §7, ADR 006): charges due installments from saved
 * payment methods. Each step is its own transaction:
 *
 * 1. `api.claim_due_installments` claims a batch with a lease (FOR UPDATE SKIP LOCKED inside);
 * 2. the charge goes to Stripe outside the database, with the idempotency key
 *    `charge/<installment>/<attempt>`, so a charge retried after a crash (the lease expired
 *    and another sweep took it over) gets Stripe's first answer instead of a second charge;
 * 3. `api.record_automatic_charge` records what Stripe answered.
 *
 * A Stripe error that is not an answer about the card (network, rate limit, Stripe down) is
 * not recorded: the claim stays leased and is taken over when the lease expires. Several
 * sweeps may run at once, on one machine or many.
 */
import { hostname } from "node:os";
import Stripe from "stripe";
import { z } from "zod";
import { getStripe } from "~/services/stripe/client.server";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";
import { logger } from "~/utils/logger.server";

const Uuid = z.uuid();
const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");

const ClaimSchema = z.object({
  payment_id: Uuid,
  installment_id: Uuid,
  attempt: z.number().int().min(1).max(3),
  claims: z.number().int().min(1),
  idempotency_key: z.string().regex(/^charge\/[0-9a-f-]{36}\/[1-3]$/),
  amount_minor: Minor,
  currency: z.string().regex(/^[A-Z]{3}$/),
  account_id: Uuid,
  stripe_customer_id: z.string().min(1),
  stripe_payment_method_id: z.string().min(1),
  method_type: z.enum(["card", "us_bank_account"]),
  creditor_name: z.string().min(1),
});
export type Claim = z.output<typeof ClaimSchema>;

const RecordSchema = z.object({
  outcome: z.enum(["applied", "ignored"]),
  payment_status: z.enum(["created", "processing", "succeeded", "failed", "cancelled", "refunded"]),
  failure_code: z.string().nullable(),
  next_attempt_on: z.iso.date().nullable(),
  at_risk: z.boolean(),
  arrangement_completed: z.boolean(),
});
export type ChargeRecord = z.output<typeof RecordSchema>;

export interface ClaimOptions {
  worker: string;
  limit: number;
  leaseSeconds: number;
  /** The date (YYYY-MM-DD) that counts as today for every creditor (tests, `npm run jobs -- --today`). */
  today?: string;
}

export async function claimDueInstallments(options: ClaimOptions): Promise<Claim[]> {
  return rpc(
    "claim_due_installments",
    {
      p_worker: options.worker,
      p_limit: options.limit,
      p_lease_seconds: options.leaseSeconds,
      p_today: options.today ?? null,
    },
    z.array(ClaimSchema),
  );
}

export type ChargeOutcome =
  | { status: "succeeded"; paymentIntentId: string; amountReceived: number }
  | { status: "processing"; paymentIntentId: string }
  | { status: "failed"; paymentIntentId: string | null; failureCode: string };

export async function recordAutomaticCharge(paymentId: string, outcome: ChargeOutcome): Promise<ChargeRecord> {
  const p_outcome =
    outcome.status === "succeeded"
      ? { status: "succeeded", payment_intent_id: outcome.paymentIntentId, amount_received: outcome.amountReceived }
      : outcome.status === "processing"
        ? { status: "processing", payment_intent_id: outcome.paymentIntentId }
        : { status: "failed", payment_intent_id: outcome.paymentIntentId, failure_code: outcome.failureCode };
  return rpc("record_automatic_charge", { p_payment_id: Uuid.parse(paymentId), p_outcome }, RecordSchema);
}

const CODE = /^[a-z][a-z0-9_.]{0,62}$/;
const code = (value: string | null | undefined, fallback: string) => (value && CODE.test(value) ? value : fallback);

/** Stripe's answer as an outcome; null when Stripe gave none (try again after the lease). */
function outcomeOf(intent: Stripe.PaymentIntent): ChargeOutcome {
  if (intent.status === "succeeded") return { status: "succeeded", paymentIntentId: intent.id, amountReceived: intent.amount_received };
  if (intent.status === "processing") return { status: "processing", paymentIntentId: intent.id };
  if (intent.status === "requires_action") return { status: "failed", paymentIntentId: intent.id, failureCode: "authentication_required" };
  const error = intent.last_payment_error;
  return { status: "failed", paymentIntentId: intent.id, failureCode: code(error?.decline_code ?? error?.code, "payment_failed") };
}

/**
 * Makes one claimed charge at Stripe. Returns the outcome to record, or null when Stripe
 * could not be asked (the claim is left for its lease to expire).
 */
export async function chargeClaim(claim: Claim): Promise<ChargeOutcome | null> {
  try {
    const intent = await getStripe().paymentIntents.create(
      {
        amount: claim.amount_minor,
        currency: claim.currency.toLowerCase(),
        customer: claim.stripe_customer_id,
        payment_method: claim.stripe_payment_method_id,
        allowed_payment_method_types: [claim.method_type],
        off_session: true,
        confirm: true,
        description: `Payment to ${claim.creditor_name}`,
        metadata: { payment_id: claim.payment_id, account_id: claim.account_id, installment_id: claim.installment_id },
      },
      { idempotencyKey: claim.idempotency_key },
    );
    return outcomeOf(intent);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeCardError) {
      const intent = (error.raw as { payment_intent?: { id?: unknown } } | undefined)?.payment_intent;
      return {
        status: "failed",
        paymentIntentId: typeof intent?.id === "string" ? intent.id : null,
        failureCode: code(error.code === "authentication_required" ? "authentication_required" : (error.decline_code ?? error.code), "card_declined"),
      };
    }
    if (error instanceof Stripe.errors.StripeInvalidRequestError || error instanceof Stripe.errors.StripeIdempotencyError) {
      // Stripe refuses the charge itself (a detached method, a deleted customer): an attempt
      // that failed, told to the borrower like a decline. Logged, because it is unexpected.
      logger.error("sweep.charge_refused", { paymentId: claim.payment_id, code: error.code ?? error.type });
      return { status: "failed", paymentIntentId: null, failureCode: code(error.code, "payment_method_refused") };
    }
    const name = error instanceof Stripe.errors.StripeError ? (error.code ?? error.type) : error instanceof Error ? error.name : "unknown";
    logger.warn("sweep.charge_unanswered", { paymentId: claim.payment_id, code: name });
    return null;
  }
}

export interface SweepOptions {
  /** Worker name in the claims (default: host and pid). */
  worker?: string;
  batchSize?: number;
  leaseSeconds?: number;
  /** Charges made at once within a batch. */
  concurrency?: number;
  /** The date (YYYY-MM-DD) that counts as today for every creditor. */
  today?: string;
  /** Called after each recorded charge (the jobs pass nudges the outbox, whose emails the charge queued; the CLI prints nothing per charge). */
  onRecorded?: (claim: Claim, record: ChargeRecord) => void | Promise<void>;
  /** Stop after this many batches (tests that kill a sweep half way). */
  maxBatches?: number;
}

export interface SweepReport {
  claimed: number;
  takenOver: number;
  succeeded: number;
  processing: number;
  failed: number;
  unanswered: number;
}

export const DEFAULT_LEASE_SECONDS = 120;
const EMPTY_CLAIMS_TO_STOP = 3;
const EMPTY_CLAIM_PAUSE_MS = 50;

/** Postgres chose this transaction to give way (deadlock) or to retry (serialization). */
const TRANSIENT = new Set(["40P01", "40001"]);

/**
 * Records an outcome, again if Postgres asked for a retry; null when it kept refusing (the
 * claim's lease then expires, and the takeover asks Stripe with the same idempotency key,
 * which answers with this same charge).
 */
async function recordWithRetry(paymentId: string, outcome: ChargeOutcome): Promise<ChargeRecord | null> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await recordAutomaticCharge(paymentId, outcome);
    } catch (error) {
      if (!isRpcError(error) || !TRANSIENT.has(error.code)) throw error;
      logger.warn("sweep.record_retry", { paymentId, code: error.code, attempt });
      if (attempt >= 3) return null;
    }
  }
}

export function workerName(): string {
  return `${hostname().replace(/[^A-Za-z0-9_.:-]/g, "-").slice(0, 60)}:${process.pid}`;
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(runners);
}

/** Claims and charges until nothing due is left (or maxBatches). */
export async function runSweep(options: SweepOptions = {}): Promise<SweepReport> {
  const report: SweepReport = { claimed: 0, takenOver: 0, succeeded: 0, processing: 0, failed: 0, unanswered: 0 };
  const worker = options.worker ?? workerName();
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const seen = new Set<string>();
  let empty = 0;
  for (let batch = 0; options.maxBatches === undefined || batch < options.maxBatches; batch += 1) {
    const claims = await claimDueInstallments({ worker, limit: options.batchSize ?? 50, leaseSeconds, today: options.today });
    // A claim this sweep could not get an answer for comes back when its lease expires; it
    // is not retried in the same run.
    const fresh = claims.filter((claim) => !seen.has(claim.payment_id));
    // An empty batch can mean that another sweep holds the accounts for a moment (the claim
    // skips them rather than wait): nothing three times in a row, a moment apart, is done.
    if (fresh.length === 0) {
      empty += 1;
      if (empty >= EMPTY_CLAIMS_TO_STOP) break;
      await new Promise((resolve) => setTimeout(resolve, EMPTY_CLAIM_PAUSE_MS));
      continue;
    }
    empty = 0;
    report.claimed += fresh.length;
    await inParallel(fresh, options.concurrency ?? 4, async (claim) => {
      seen.add(claim.payment_id);
      if (claim.claims > 1) report.takenOver += 1;
      const outcome = await chargeClaim(claim);
      if (!outcome) {
        report.unanswered += 1;
        return;
      }
      const record = await recordWithRetry(claim.payment_id, outcome);
      if (!record) {
        report.unanswered += 1;
        return;
      }
      if (record.payment_status === "succeeded") report.succeeded += 1;
      else if (record.payment_status === "processing") report.processing += 1;
      else report.failed += 1;
      await options.onRecorded?.(claim, record);
    });
  }
  return report;
}
