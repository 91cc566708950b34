/**
 * Stripe's webhook endpoint (issue 6 item 3): `POST /webhooks/stripe`.
 *
 * 1. The raw body is read first, as bytes and at most 1 MB (413 beyond), because the
 *    signature covers exactly those bytes.
 * 2. The `Stripe-Signature` header is checked with the SDK against the webhook secret
 *    (STRIPE_WEBHOOK_SECRET, or the local sandbox's). Missing, wrong, or older than Stripe's
 *    5-minute tolerance: 400 and nothing stored.
 * 3. `recordStripeEvent` applies the event exactly once (the database records the event id
 *    in the same transaction as its effect). Unknown types and money we cannot match are
 *    still answered 200, so Stripe stops retrying; the money waits in suspense for staff.
 * 4. An applied event of a payment queues its receipt email (issue 6 item 6) in the
 *    background: the answer does not wait for it. The receipt is sent only once the payment
 *    has succeeded, and once per payment (its idempotency key is the payment id).
 *
 * Only our own failures (the database unreachable, a bug) answer 5xx, so Stripe retries them.
 * The log lines carry the event id, type and outcome: never the payload.
 * The cross-site check exempts /webhooks/* (app/server/security.ts): the signature is the proof.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import Stripe from "stripe";
import { getStripe, getStripeWebhookSecret } from "~/services/stripe/client.server";
import { logger } from "~/utils/logger.server";
import { queuePaymentReceipt } from "~/utils/payment-receipt.server";
import { InvalidStripeEventError, recordStripeEvent } from "~/utils/payments.server";

/** The events after which a payment may have succeeded (and so gets its receipt). */
const SUCCESS_EVENTS = new Set(["checkout.session.completed", "checkout.session.async_payment_succeeded", "payment_intent.succeeded"]);

/** Stripe's events are a few kilobytes; anything this large is not one of them. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

const noStore = { "Cache-Control": "no-store" };

function answer(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...noStore, ...headers } });
}

class BodyTooLargeError extends Error {}

/** The body's bytes, refusing more than `limit` without reading the rest into memory. */
async function readRawBody(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError();
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

export async function loader() {
  return answer(405, { error: "method_not_allowed" }, { Allow: "POST" });
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return answer(405, { error: "method_not_allowed" }, { Allow: "POST" });

  let body: Buffer;
  try {
    body = await readRawBody(request, MAX_WEBHOOK_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      logger.warn("stripe_webhook_too_large", {});
      return answer(413, { error: "payload_too_large" });
    }
    throw error;
  }

  const signature = request.headers.get("stripe-signature");
  if (!signature) {
    logger.warn("stripe_webhook_refused", { reason: "missing_signature" });
    return answer(400, { error: "invalid_signature" });
  }

  let event: Stripe.Event;
  try {
    event = await getStripe().webhooks.constructEventAsync(body, signature, getStripeWebhookSecret());
  } catch (error) {
    // A bad or stale signature, or a signed body that is not JSON: never stored.
    const reason = error instanceof Stripe.errors.StripeSignatureVerificationError ? "bad_signature" : "unreadable_payload";
    logger.warn("stripe_webhook_refused", { reason });
    return answer(400, { error: "invalid_signature" });
  }

  try {
    const result = await recordStripeEvent(event);
    logger.info("stripe_webhook", { eventId: event.id, type: event.type, outcome: result.outcome, paymentId: result.paymentId });
    // Not awaited, never throws. Only events that can succeed a payment start a receipt;
    // the receipt's own query checks it did (refunds and disputes never send one).
    if (result.outcome === "applied" && result.paymentId && SUCCESS_EVENTS.has(event.type)) queuePaymentReceipt(result.paymentId);
    return answer(200, { received: true, outcome: result.outcome });
  } catch (error) {
    if (error instanceof InvalidStripeEventError) {
      logger.warn("stripe_webhook_refused", { reason: "invalid_event" });
      return answer(400, { error: "invalid_event" });
    }
    // Ours: Stripe retries with backoff, and the event id makes the retry safe.
    logger.error("stripe_webhook_failed", { eventId: event.id, type: event.type, error });
    return answer(500, { error: "internal_error" });
  }
}
