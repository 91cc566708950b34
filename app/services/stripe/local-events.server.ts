/**
 * The local Stripe sandbox's events (DESIGN §4, decision 001): stored in
 * app.local_stripe_events, then POSTed to the app's `/webhooks/stripe` signed exactly as
 * Stripe signs them (`Stripe-Signature: t=…,v1=…` from the SDK's own
 * `generateTestHeaderString`, with LOCAL_STRIPE_WEBHOOK_SECRET), so `constructEvent`
 * accepts them. Delivery runs in the background after the request that caused the event,
 * retries a few times with a short backoff on a non-2xx answer or a network error, and
 * records every attempt; `deliverPendingEvents()` delivers synchronously (tests, `npm run
 * jobs`), with an injectable deliverer.
 */
import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import { z } from "zod";
import { rpc } from "~/services/supabase/rpc.server";
import { getEnv } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";
import { LOCAL_STRIPE_WEBHOOK_SECRET, STRIPE_API_VERSION } from "./client.server";

/** An event is tried at most this many times in all (background passes and jobs together). */
export const LOCAL_EVENT_MAX_ATTEMPTS = 10;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A Stripe-looking id: `prefix_` and `length` random base62 characters. */
export function localStripeId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += BASE62[byte % 62];
  return `${prefix}_${out}`;
}

export const unixNow = () => Math.floor(Date.now() / 1000);

export interface LocalStripeEventRequest {
  id: string | null;
  idempotency_key: string | null;
}

/** The event JSON as Stripe sends it. */
export interface LocalStripeEventJson {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: LocalStripeEventRequest;
  type: string;
}

/** Strips the sandbox's private fields (`_sandbox`) from an object before anyone sees it. */
export function publicObject<T extends object>(object: T): T {
  const copy = { ...object } as Record<string, unknown>;
  delete copy._sandbox;
  return copy as T;
}

/**
 * Stores an event about `object` (its public JSON as of now), with the API request that
 * caused it and, for an update, the changed fields' earlier values (`previous_attributes`).
 */
export async function emitLocalStripeEvent(
  type: string,
  object: object,
  request: LocalStripeEventRequest = { id: null, idempotency_key: null },
  previousAttributes?: Record<string, unknown>,
): Promise<LocalStripeEventJson> {
  const event: LocalStripeEventJson = {
    id: localStripeId("evt"),
    object: "event",
    api_version: STRIPE_API_VERSION,
    created: unixNow(),
    data: previousAttributes
      ? { object: publicObject(object) as Record<string, unknown>, previous_attributes: previousAttributes }
      : { object: publicObject(object) as Record<string, unknown> },
    livemode: false,
    pending_webhooks: 1,
    request,
    type,
  };
  await rpc("local_stripe_event_add", { p_id: event.id, p_type: type, p_event: event }, z.unknown());
  return event;
}

const EventJsonSchema = z.custom<LocalStripeEventJson>((value) => typeof value === "object" && value !== null && "id" in value);

const StoredEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  event: EventJsonSchema,
  created_at: z.string(),
  delivered_at: z.string().nullable(),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
});
export type LocalStripeEvent = z.infer<typeof StoredEventSchema>;

/** Every stored event with its delivery state, newest first. */
export async function listLocalStripeEvents(limit = 1000): Promise<LocalStripeEvent[]> {
  return rpc("local_stripe_event_list", { p_pending: false, p_limit: limit }, z.array(StoredEventSchema));
}

/** One event's JSON, or null. */
export async function getLocalStripeEvent(id: string): Promise<LocalStripeEventJson | null> {
  return rpc("local_stripe_event_get", { p_id: id }, EventJsonSchema.nullable());
}

/** Sends one signed payload; resolves with the HTTP status, rejects on a network error. */
export type LocalEventDeliverer = (payload: string, signatureHeader: string) => Promise<{ status: number }>;

/** POST to the app's own webhook route, as Stripe would. */
export const deliverToWebhookRoute: LocalEventDeliverer = async (payload, signatureHeader) => {
  const response = await fetch(`${getEnv().APP_URL}/webhooks/stripe`, {
    method: "POST",
    headers: {
      "content-type": "application/json; charset=utf-8",
      "stripe-signature": signatureHeader,
      "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    },
    body: payload,
    signal: AbortSignal.timeout(10_000),
  });
  await response.body?.cancel();
  return { status: response.status };
};

export interface DeliveryResult {
  attempted: number;
  delivered: number;
  failed: number;
}

/**
 * One pass over the undelivered events (oldest first), one attempt each, recorded in the
 * database. A 2xx answer counts as delivered; anything else, or a thrown error, as failed.
 */
export async function deliverPendingEvents(options: { deliver?: LocalEventDeliverer; limit?: number } = {}): Promise<DeliveryResult> {
  const deliver = options.deliver ?? deliverToWebhookRoute;
  const pending = await rpc(
    "local_stripe_event_list",
    { p_pending: true, p_max_attempts: LOCAL_EVENT_MAX_ATTEMPTS, p_limit: options.limit ?? 500 },
    z.array(StoredEventSchema),
  );
  const result: DeliveryResult = { attempted: 0, delivered: 0, failed: 0 };
  for (const stored of pending) {
    const payload = JSON.stringify(stored.event, null, 2);
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: LOCAL_STRIPE_WEBHOOK_SECRET });
    let error: string | null;
    try {
      const { status } = await deliver(payload, header);
      error = status >= 200 && status < 300 ? null : `HTTP ${status}`;
    } catch (thrown) {
      error = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : "delivery failed";
    }
    result.attempted += 1;
    if (error === null) result.delivered += 1;
    else result.failed += 1;
    await rpc("local_stripe_event_attempted", { p_id: stored.id, p_error: error }, z.unknown());
  }
  return result;
}

/** Pauses between background passes: the first runs at once, then after a short backoff. */
const BACKGROUND_DELAYS_MS = [0, 500, 2_000, 5_000];

const state = globalThis as unknown as { __repayLocalStripeDelivery?: { running: boolean; again: boolean } };

/**
 * Delivers pending events in the background (never awaited by the request that caused them),
 * retrying failures a few times. Off under NODE_ENV=test: tests deliver with
 * `deliverPendingEvents({ deliver })`, so nothing races them.
 */
export function scheduleLocalEventDelivery(): void {
  if (getEnv().NODE_ENV === "test") return;
  const delivery = (state.__repayLocalStripeDelivery ??= { running: false, again: false });
  if (delivery.running) {
    delivery.again = true;
    return;
  }
  delivery.running = true;
  void (async () => {
    try {
      for (const delay of BACKGROUND_DELAYS_MS) {
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        delivery.again = false;
        const result = await deliverPendingEvents();
        if (result.failed > 0) logger.warn("stripe.local_sandbox.delivery_failed", { failed: result.failed });
        if (result.failed === 0 && !delivery.again) break;
      }
    } catch (error) {
      logger.error("stripe.local_sandbox.delivery_error", { error });
    } finally {
      delivery.running = false;
    }
  })();
}
