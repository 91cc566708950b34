/**
 * The webhook route (issue 6 item 3), called as Remix calls it, with bodies signed by the
 * real SDK exactly as Stripe signs them (`generateTestHeaderString` with the webhook secret):
 * a valid event is applied and answered 200; the same event again is a 200 duplicate that
 * changes nothing; a tampered body, another secret, a stale timestamp or no signature is 400
 * and stores nothing; money we cannot match is 200 and goes to suspense; unknown types are
 * 200 and ignored; a body over 1 MB is 413; only our own failure (the database gone) is 5xx.
 * A succeeded payment's receipt is written to the outbox in the event's own transaction (a
 * rolled-back event leaves none, a replay adds none) and the nudged sender delivers it once;
 * money held in suspense for a closed account gets none.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { action, loader } from "~/routes/webhooks.stripe";
import { getStripe, getStripeWebhookSecret } from "~/services/stripe/client.server";
import { getDatabase, setDatabase } from "~/services/supabase/database.server";
import { attachCheckoutSession, startPayment } from "~/utils/payments.server";
import { testDb, unavailableDatabase } from "../setup/db";
import { context } from "../setup/routes";
import { withEnv, withLocalEmail } from "../setup/env";
import { newAccount } from "../setup/accounts";
import { expectQueuedWithStripeEventOnly, settleOutbox, templateEmails, templateMessages } from "../setup/outbox";

withLocalEmail();

// Local mode: the sandbox's webhook secret, whatever the machine's environment says.
withEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined });

const ALEX = "b0000000-0000-4000-8000-000000000001";
const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";

const stripeId = (prefix: string) => `${prefix}_test${randomBytes(12).toString("hex")}`;

function sign(payload: string, secret = getStripeWebhookSecret(), timestamp?: number): string {
  return getStripe().webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

function post(payload: string, signature: string | null, headers: Record<string, string> = {}): Request {
  const all = new Headers({ "Content-Type": "application/json", ...headers });
  if (signature !== null) all.set("Stripe-Signature", signature);
  return new Request("http://localhost:3000/webhooks/stripe", { method: "POST", headers: all, body: payload });
}

async function deliver(request: Request): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = (await action({ request, params: {}, context })) as Response;
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function startedPayment(amountMinor: number, accountId = DEMO_1001) {
  const result = await startPayment({ borrowerId: ALEX, accountId, amountMinor, purpose: "amount" });
  if (!result.ok) throw new Error(result.reason);
  const sessionId = stripeId("cs");
  await attachCheckoutSession({ borrowerId: ALEX, paymentId: result.paymentId, sessionId });
  return { paymentId: result.paymentId, sessionId, intentId: stripeId("pi"), amountMinor };
}

function completedEvent(p: { paymentId: string; sessionId: string; intentId: string; amountMinor: number }, accountId = DEMO_1001) {
  return {
    id: stripeId("evt"),
    object: "event",
    api_version: "2026-10-28.endive",
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type: "checkout.session.completed",
    data: {
      object: {
        id: p.sessionId,
        object: "checkout.session",
        payment_status: "paid",
        payment_intent: p.intentId,
        amount_total: p.amountMinor,
        currency: "usd",
        client_reference_id: p.paymentId,
        metadata: { payment_id: p.paymentId, account_id: accountId },
      },
    },
  };
}

async function counts() {
  const { rows } = await testDb().query<{ events: number; entries: number; suspense: number }>(`
    select (select count(*)::int from app.stripe_events) as events,
           (select count(*)::int from app.ledger_entries where account_id = '${DEMO_1001}' and kind = 'payment') as entries,
           (select count(*)::int from app.payment_suspense) as suspense`);
  return rows[0]!;
}

async function storedEvent(eventId: string) {
  const { rows } = await testDb().query<{ outcome: string }>("select outcome from app.stripe_events where event_id = $1", [eventId]);
  return rows[0] ?? null;
}

async function balance(): Promise<number> {
  const { rows } = await testDb().query<{ total: number }>("select sum(amount_minor)::int as total from app.ledger_entries where account_id = $1", [DEMO_1001]);
  return rows[0]!.total;
}

describe("POST /webhooks/stripe", () => {
  test("a correctly signed success: 200, applied, the balance falls by $50 to $1,190.50", async () => {
    const p = await startedPayment(5_000);
    const payload = JSON.stringify(completedEvent(p));
    expect(await deliver(post(payload, sign(payload)))).toEqual({ status: 200, body: { received: true, outcome: "applied" } });
    expect(await balance()).toBe(119_050);
  });

  test("the same event again: 200 duplicate, no new entry", async () => {
    const p = await startedPayment(2_500);
    const payload = JSON.stringify(completedEvent(p));
    expect((await deliver(post(payload, sign(payload)))).body).toEqual({ received: true, outcome: "applied" });
    const before = await counts();
    // Stripe signs each delivery afresh; the event id is what makes it the same.
    expect(await deliver(post(payload, sign(payload)))).toEqual({ status: 200, body: { received: true, outcome: "duplicate" } });
    expect(await counts()).toEqual(before);
  });

  test("a tampered body, another secret, a stale timestamp, a garbled or missing header: 400 and nothing stored", async () => {
    const p = await startedPayment(2_500);
    const event = completedEvent(p);
    const payload = JSON.stringify(event);
    const tampered = payload.replace(`"amount_total":2500`, `"amount_total":250000`);
    expect(tampered).not.toBe(payload);
    const before = await counts();
    const stale = Math.floor(Date.now() / 1000) - 600;
    for (const request of [
      post(tampered, sign(payload)),
      post(payload, sign(payload, "whsec_someone_else")),
      post(payload, sign(payload, undefined, stale)),
      post(payload, "t=1,v1=deadbeef"),
      post(payload, ""),
      post(payload, null),
    ]) {
      expect(await deliver(request)).toEqual({ status: 400, body: { error: "invalid_signature" } });
    }
    expect(await counts()).toEqual(before);
    expect(await storedEvent(event.id)).toBeNull();
  });

  test("money for an account we cannot match: 200, suspense, the ledger untouched", async () => {
    const ghost = { paymentId: "0e000000-0000-4000-8000-000000000000", sessionId: stripeId("cs"), intentId: stripeId("pi"), amountMinor: 9_900 };
    const event = completedEvent(ghost, "0a000000-0000-4000-8000-000000000000");
    const payload = JSON.stringify(event);
    const before = await counts();
    expect(await deliver(post(payload, sign(payload)))).toEqual({ status: 200, body: { received: true, outcome: "suspense" } });
    const after = await counts();
    expect(after).toEqual({ events: before.events + 1, entries: before.entries, suspense: before.suspense + 1 });
    expect(await storedEvent(event.id)).toEqual({ outcome: "suspense" });
  });

  test("an event type we do not handle: 200 ignored", async () => {
    const event = { id: stripeId("evt"), object: "event", type: "customer.updated", data: { object: { id: stripeId("cus"), object: "customer" } } };
    const payload = JSON.stringify(event);
    expect(await deliver(post(payload, sign(payload)))).toEqual({ status: 200, body: { received: true, outcome: "ignored" } });
    expect(await storedEvent(event.id)).toEqual({ outcome: "ignored" });
  });

  test("a signed body that is not an event: 400 and nothing stored", async () => {
    const before = await counts();
    const notJson = "not json at all";
    expect((await deliver(post(notJson, sign(notJson)))).status).toBe(400);
    const noId = JSON.stringify({ type: "payment_intent.succeeded", data: { object: {} } });
    expect(await deliver(post(noId, sign(noId)))).toEqual({ status: 400, body: { error: "invalid_event" } });
    expect(await counts()).toEqual(before);
  });

  test("a body over 1 MB: 413 before the signature is looked at", async () => {
    const huge = JSON.stringify({ id: stripeId("evt"), type: "customer.updated", padding: "x".repeat(1024 * 1024) });
    expect(await deliver(post(huge, sign(huge)))).toEqual({ status: 413, body: { error: "payload_too_large" } });
  });

  test("the database unreachable: 500, so Stripe retries; the retry is then applied once", async () => {
    const p = await startedPayment(2_500);
    const payload = JSON.stringify(completedEvent(p));
    const db = getDatabase();
    setDatabase(unavailableDatabase("the database is down (test)"));
    let down: { status: number; body: Record<string, unknown> };
    try {
      down = await deliver(post(payload, sign(payload)));
    } finally {
      setDatabase(db);
    }
    expect(down.status).toBeGreaterThanOrEqual(500);
    expect(down.body).toEqual({ error: "internal_error" });
    expect(await deliver(post(payload, sign(payload)))).toEqual({ status: 200, body: { received: true, outcome: "applied" } });
  });

  test("a success leaves exactly one receipt in the outbox, written with the event; a replay adds none; the email says the amount", async () => {
    const p = await startedPayment(4_200);
    const payload = JSON.stringify(completedEvent(p));
    expect((await deliver(post(payload, sign(payload)))).body).toEqual({ received: true, outcome: "applied" });
    const key = `payment.receipt/${p.paymentId}`;
    const [message] = await templateMessages("payment.receipt", key);
    expect(message).toMatchObject({ category: "requested", borrower_id: ALEX, account_id: DEMO_1001, params: { payment_id: p.paymentId } });
    // Same transaction: the message and the payment's audit event carry the same now().
    const { rows } = await testDb().query<{ same: boolean }>(
      `select m.created_at = e.occurred_at as same
         from app.outbound_messages as m
         join app.audit_events as e on e.subject_id = $1 and e.action = 'payment.succeeded'
        where m.id = $2`,
      [p.paymentId, message!.id],
    );
    expect(rows).toEqual([{ same: true }]);

    expect((await deliver(post(payload, sign(payload)))).body).toEqual({ received: true, outcome: "duplicate" });
    await settleOutbox();
    expect(await templateMessages("payment.receipt", key)).toEqual([expect.objectContaining({ id: message!.id, state: "sent" })]);
    const emails = await templateEmails("payment.receipt", key);
    expect(emails).toHaveLength(1);
    expect(emails[0]!.to_addresses).toEqual(["alex.rivera@example.com"]);
    expect(emails[0]!.text).toContain("Thank you. We received $42.00.");
  });

  test("an event whose transaction rolls back leaves no receipt in the outbox", async () => {
    const p = await startedPayment(2_600);
    const event = completedEvent(p);
    const key = `payment.receipt/${p.paymentId}`;
    await expectQueuedWithStripeEventOnly(event, key);
    expect(await storedEvent(event.id)).toBeNull();
  });

  test("money for an account that is no longer open goes to suspense, and no receipt is queued", async () => {
    const accountId = await newAccount({ prefix: "TEST-WH" });
    const p = await startedPayment(3_000, accountId);
    await testDb().query("update app.accounts set status = 'closed' where id = $1", [accountId]);
    const payload = JSON.stringify(completedEvent(p, accountId));
    expect(await deliver(post(payload, sign(payload)))).toEqual({ status: 200, body: { received: true, outcome: "suspense" } });
    const { rows } = await testDb().query<{ reason_code: string }>("select reason_code from app.audit_events where subject_id = $1 and action = 'payment.succeeded'", [p.paymentId]);
    expect(rows).toEqual([{ reason_code: "account_not_open" }]);
    expect(await templateMessages("payment.receipt", `payment.receipt/${p.paymentId}`)).toEqual([]);
  });

  test("GET, and methods other than POST: 405", async () => {
    const response = await loader();
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("POST");
    const put = (await action({ request: new Request("http://localhost:3000/webhooks/stripe", { method: "PUT", body: "{}" }), params: {}, context })) as Response;
    expect(put.status).toBe(405);
  });
});
