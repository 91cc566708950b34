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
 *    A completed Checkout Session in setup mode (a card or bank account saved for automatic
 *    payments) goes to `recordSetupCompleted` instead, which activates its authorization.
 * 4. The emails an event causes are written to the outbox by the database, in the same
 *    transaction as the event (ADR 014; migration 20261128002000_payment_notices.sql): the
 *    receipt once the payment has succeeded, the paid-off confirmation when it completed a
 *    plan, what happens next for an automatic payment that failed (a bank debit returned),
 *    and the copy of an authorization just activated; each once. After an applied event the
 *    route nudges the outbox's sender (in the background: the answer does not wait), and
 *    `npm run jobs` sends whatever a crash left.
 *
 * Only our own failures (the database unreachable, a bug) answer 5xx, so Stripe retries them.
 * The log lines carry the event id, type and outcome: never the payload.
 * The cross-site check exempts /webhooks/* (app/server/security.ts): the signature is the proof.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import Stripe from "stripe";
import { getStripe, getStripeWebhookSecret } from "~/services/stripe/client.server";
import { withChargeRefunds } from "~/services/stripe/charge-refunds.server";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { logger } from "~/utils/logger.server";
import { recordSetupCompleted } from "~/utils/payment-authorizations.server";
import { InvalidStripeEventError, recordStripeEvent } from "~/utils/payments.server";

function isSetupSession(event: Stripe.Event): event is Stripe.CheckoutSessionCompletedEvent {
  return event.type === "checkout.session.completed" && (event.data.object as { mode?: unknown }).mode === "setup";
}

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
    if (isSetupSession(event)) {
      const setup = await recordSetupCompleted(event, event.data.object);
      logger.info("stripe_webhook", { eventId: event.id, type: event.type, outcome: setup.outcome, authorizationId: setup.authorization_id });
      // The authorization's copy was queued with it: send it now, in the background.
      if (setup.outcome === "applied") nudgeOutbox();
      return answer(200, { received: true, outcome: setup.outcome });
    }
    // A charge.refunded names its refunds (Stripe no longer lists them in the event).
    const result = await recordStripeEvent(await withChargeRefunds(event));
    logger.info("stripe_webhook", { eventId: event.id, type: event.type, outcome: result.outcome, paymentId: result.paymentId });
    // Whatever the event queued (a receipt, a paid-off confirmation, a failed automatic
    // payment's email) is committed: the sender takes it now, in the background; never throws.
    if (result.outcome === "applied") nudgeOutbox();
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
