/**
 * Refunds and chargebacks through the webhook route (issue 6 item 3): each refund or dispute
 * is one ledger entry however often and in whatever order Stripe announces it, putting back
 * what the payment took (principal first, then interest, then fees, never more per part than
 * the payment took); a won dispute takes the chargeback off again; a refund we cannot match
 * goes to suspense. Events are signed by the real SDK and posted to the route's action, as
 * tests/integration/stripe-webhook.test.ts does.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { action } from "~/routes/webhooks.stripe";
import { getStripe, getStripeWebhookSecret } from "~/services/stripe/client.server";
import { attachCheckoutSession, startPayment } from "~/utils/payments.server";
import { testDb } from "../setup/db";
import { context } from "../setup/routes";
import { withEnv, withLocalEmail } from "../setup/env";

withLocalEmail();
withEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined });

const ALEX = "b0000000-0000-4000-8000-000000000001";
const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";

const stripeId = (prefix: string) => `${prefix}_test${randomBytes(12).toString("hex")}`;

type StripeObject = Record<string, unknown>;

function event(type: string, object: StripeObject) {
  return { id: stripeId("evt"), object: "event", api_version: "2026-10-28.endive", created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object } };
}

async function deliver(body: object): Promise<{ status: number; outcome: unknown }> {
  const payload = JSON.stringify(body);
  const signature = getStripe().webhooks.generateTestHeaderString({ payload, secret: getStripeWebhookSecret() });
  const request = new Request("http://localhost:3000/webhooks/stripe", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Stripe-Signature": signature },
    body: payload,
  });
  const response = (await action({ request, params: {}, context })) as Response;
  const json = (await response.json()) as { outcome?: unknown };
  return { status: response.status, outcome: json.outcome };
}

/** A $amount payment on DEMO-1001, paid through checkout.session.completed. */
async function paid(amountMinor: number) {
  const result = await startPayment({ borrowerId: ALEX, accountId: DEMO_1001, amountMinor, purpose: "amount" });
  if (!result.ok) throw new Error(result.reason);
  const sessionId = stripeId("cs");
  await attachCheckoutSession({ borrowerId: ALEX, paymentId: result.paymentId, sessionId });
  const intentId = stripeId("pi");
  const completed = event("checkout.session.completed", {
    id: sessionId,
    object: "checkout.session",
    payment_status: "paid",
    payment_intent: intentId,
    amount_total: amountMinor,
    currency: "usd",
    metadata: { payment_id: result.paymentId, account_id: DEMO_1001 },
  });
  expect(await deliver(completed)).toEqual({ status: 200, outcome: "applied" });
  return { paymentId: result.paymentId, intentId, chargeId: stripeId("ch"), amountMinor };
}

const refundObject = (p: { intentId: string; chargeId: string }, amount: number, id = stripeId("re")) => ({
  id,
  object: "refund",
  amount,
  charge: p.chargeId,
  currency: "usd",
  payment_intent: p.intentId,
  status: "succeeded",
});

const chargeObject = (p: { intentId: string; chargeId: string; amountMinor: number }, amountRefunded: number, refunds: StripeObject[] | null) => ({
  id: p.chargeId,
  object: "charge",
  amount: p.amountMinor,
  amount_refunded: amountRefunded,
  currency: "usd",
  payment_intent: p.intentId,
  refunded: amountRefunded === p.amountMinor,
  ...(refunds === null ? {} : { refunds: { object: "list", data: refunds, has_more: false } }),
});

const disputeObject = (p: { intentId: string; chargeId: string }, amount: number, status: string, id: string) => ({
  id,
  object: "dispute",
  amount,
  charge: p.chargeId,
  currency: "usd",
  payment_intent: p.intentId,
  status,
});

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

async function balance(): Promise<{ principal: number; interest: number; fees: number; total: number }> {
  const { rows } = await testDb().query<{ principal: number; interest: number; fees: number; total: number }>(
    `select sum(principal_minor)::int as principal, sum(interest_minor)::int as interest, sum(fees_minor)::int as fees, sum(amount_minor)::int as total
       from app.ledger_entries where account_id = $1`,
    [DEMO_1001],
  );
  return rows[0]!;
}

async function entries(refs: string[]) {
  const { rows } = await testDb().query<{ kind: string; principal: number; interest: number; fees: number; amount: number; external_ref: string; reason_code: string }>(
    `select kind, principal_minor::int as principal, interest_minor::int as interest, fees_minor::int as fees, amount_minor::int as amount,
            external_ref, reason_code
       from app.ledger_entries where external_ref = any($1::text[]) order by entry_no`,
    [refs],
  );
  return rows;
}

async function paymentStatus(paymentId: string): Promise<string> {
  const { rows } = await testDb().query<{ status: string }>("select status from app.payments where id = $1", [paymentId]);
  return rows[0]!.status;
}

async function audits(paymentId: string, action: string) {
  const { rows } = await testDb().query<{ actor_kind: string; metadata: Record<string, unknown> }>(
    "select actor_kind, metadata from app.audit_events where subject_id = $1 and action = $2 order by event_no",
    [paymentId, action],
  );
  return rows;
}

describe("refunds and chargebacks through the webhook", () => {
  test("a full refund announced by refund.created and charge.refunded, three times each, shuffled: one entry, the balance back", async () => {
    expect((await balance()).total).toBe(124_050);
    const p = await paid(5_000);
    expect(await balance()).toEqual({ principal: 110_000, interest: 9_050, fees: 0, total: 119_050 });

    const refund = refundObject(p, 5_000);
    const events = [
      event("refund.created", refund),
      event("charge.refunded", chargeObject(p, 5_000, [refund])),
    ];
    const deliveries = shuffled([...events, ...events, ...events]);
    const outcomes = [];
    for (const e of deliveries) {
      const answer = await deliver(e);
      expect(answer.status).toBe(200);
      outcomes.push(answer.outcome);
    }
    expect(outcomes.filter((o) => o === "applied")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(5);

    // The payment took fees 4,400 and interest 600; the refund puts back principal 0, interest 600, fees 4,400.
    expect(await entries([refund.id])).toEqual([
      { kind: "refund", principal: 0, interest: 600, fees: 4_400, amount: 5_000, external_ref: refund.id, reason_code: "payment_refunded" },
    ]);
    expect(await balance()).toEqual({ principal: 110_000, interest: 9_650, fees: 4_400, total: 124_050 });
    expect(await paymentStatus(p.paymentId)).toBe("refunded");
    const audited = await audits(p.paymentId, "payment.refunded");
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actor_kind: "system", metadata: { amount_minor: 5_000, fully_refunded: true } });
    expect(JSON.stringify(audited[0]!.metadata)).not.toContain(refund.id);
  });

  test("a partial refund of $20, then the rest by a charge.refunded without refund ids", async () => {
    const before = await balance();
    const p = await paid(5_000);
    const partial = refundObject(p, 2_000);
    for (const e of shuffled([event("refund.created", partial), event("charge.refunded", chargeObject(p, 2_000, [partial])), event("refund.updated", partial)])) {
      expect((await deliver(e)).status).toBe(200);
    }
    expect(await entries([partial.id])).toEqual([
      { kind: "refund", principal: 0, interest: 600, fees: 1_400, amount: 2_000, external_ref: partial.id, reason_code: "payment_refunded" },
    ]);
    expect((await balance()).total).toBe(before.total - 3_000);
    expect(await paymentStatus(p.paymentId)).toBe("succeeded");

    // Stripe's charge.refunded need not list its refunds: the cumulative amount then counts once.
    const rest = event("charge.refunded", chargeObject(p, 5_000, null));
    expect(await deliver(rest)).toEqual({ status: 200, outcome: "applied" });
    expect(await deliver(event("charge.refunded", chargeObject(p, 5_000, null)))).toEqual({ status: 200, outcome: "duplicate" });
    expect(await entries([`refund:${p.chargeId}:5000`])).toEqual([
      { kind: "refund", principal: 0, interest: 0, fees: 3_000, amount: 3_000, external_ref: `refund:${p.chargeId}:5000`, reason_code: "payment_refunded" },
    ]);
    expect(await balance()).toEqual(before);
    expect(await paymentStatus(p.paymentId)).toBe("refunded");
  });

  test("a dispute: a chargeback entry, then closed won: a payment entry takes it off again", async () => {
    const before = await balance();
    const p = await paid(5_000);
    const disputeId = stripeId("dp");
    const created = event("charge.dispute.created", disputeObject(p, 5_000, "needs_response", disputeId));
    expect(await deliver(created)).toEqual({ status: 200, outcome: "applied" });
    expect(await deliver(created)).toEqual({ status: 200, outcome: "duplicate" });
    expect(await entries([disputeId])).toEqual([
      { kind: "chargeback", principal: 0, interest: 600, fees: 4_400, amount: 5_000, external_ref: disputeId, reason_code: "payment_disputed" },
    ]);
    expect(await balance()).toEqual(before);
    expect(await audits(p.paymentId, "payment.disputed")).toHaveLength(1);

    const won = event("charge.dispute.closed", disputeObject(p, 5_000, "won", disputeId));
    expect(await deliver(won)).toEqual({ status: 200, outcome: "applied" });
    expect(await deliver(event("charge.dispute.closed", disputeObject(p, 5_000, "won", disputeId)))).toEqual({ status: 200, outcome: "duplicate" });
    expect(await entries([disputeId, `${disputeId}:won`])).toEqual([
      { kind: "chargeback", principal: 0, interest: 600, fees: 4_400, amount: 5_000, external_ref: disputeId, reason_code: "payment_disputed" },
      { kind: "payment", principal: 0, interest: -600, fees: -4_400, amount: -5_000, external_ref: `${disputeId}:won`, reason_code: "dispute_won" },
    ]);
    expect((await balance()).total).toBe(before.total - 5_000);
    expect(await paymentStatus(p.paymentId)).toBe("succeeded");
  });

  test("a dispute closed (lost) before its created event: one chargeback, which stands", async () => {
    const before = await balance();
    const p = await paid(3_000);
    const disputeId = stripeId("dp");
    expect(await deliver(event("charge.dispute.closed", disputeObject(p, 3_000, "lost", disputeId)))).toEqual({ status: 200, outcome: "applied" });
    expect(await deliver(event("charge.dispute.created", disputeObject(p, 3_000, "needs_response", disputeId)))).toEqual({ status: 200, outcome: "duplicate" });
    expect(await entries([disputeId, `${disputeId}:won`])).toHaveLength(1);
    expect(await balance()).toEqual(before);
  });

  test("a refund for a PaymentIntent we do not know: suspense, the ledger untouched", async () => {
    const before = await balance();
    const ghost = { intentId: stripeId("pi"), chargeId: stripeId("ch"), amountMinor: 4_200 };
    const refund = refundObject(ghost, 4_200);
    expect(await deliver(event("refund.created", refund))).toEqual({ status: 200, outcome: "suspense" });
    expect(await deliver(event("refund.created", refund))).toEqual({ status: 200, outcome: "suspense" });
    const { rows } = await testDb().query<{ reason: string; amount_minor: number; payment_id: string | null }>(
      "select reason, amount_minor::int as amount_minor, payment_id from app.payment_suspense where stripe_object_id = $1",
      [refund.id],
    );
    expect(rows).toEqual([{ reason: "unmatched_refund", amount_minor: 4_200, payment_id: null }]);
    expect(await balance()).toEqual(before);
    expect(await entries([refund.id])).toEqual([]);
  });

  test("a refund that is still pending posts nothing yet", async () => {
    const before = await balance();
    const p = await paid(2_500);
    const pending = { ...refundObject(p, 2_500), status: "pending" };
    expect(await deliver(event("refund.created", pending))).toEqual({ status: 200, outcome: "ignored" });
    expect((await balance()).total).toBe(before.total - 2_500);
    expect(await deliver(event("refund.updated", { ...pending, status: "succeeded" }))).toEqual({ status: 200, outcome: "applied" });
    expect(await balance()).toEqual(before);
  });

  test("a refund that fails after it succeeded: what it put back comes off again, once, and the payment counts again", async () => {
    const before = await balance();
    const p = await paid(4_000);
    const refundId = stripeId("re");
    const refund = refundObject(p, 4_000, refundId);
    expect(await deliver(event("refund.updated", refund))).toEqual({ status: 200, outcome: "applied" });
    expect(await balance()).toEqual(before);
    expect(await paymentStatus(p.paymentId)).toBe("refunded");

    const failed = { ...refund, status: "failed", failure_reason: "expired_or_canceled_card" };
    expect(await deliver(event("refund.failed", failed))).toEqual({ status: 200, outcome: "applied" });
    expect((await balance()).total).toBe(before.total - 4_000);
    // The same failure again, announced by refund.updated, and the refund.failed replayed as a new event: nothing more.
    expect(await deliver(event("refund.updated", failed))).toEqual({ status: 200, outcome: "duplicate" });
    expect(await deliver(event("refund.failed", failed))).toEqual({ status: 200, outcome: "duplicate" });
    expect((await balance()).total).toBe(before.total - 4_000);
    expect(await paymentStatus(p.paymentId)).toBe("succeeded");
    const { rows } = await testDb().query<{ kind: string; amount: number; reason_code: string }>(
      "select kind, amount_minor::int as amount, reason_code from app.ledger_entries where external_ref in ($1, $2) order by entry_no",
      [refundId, `${refundId}:failed`],
    );
    expect(rows).toEqual([
      { kind: "refund", amount: 4_000, reason_code: "payment_refunded" },
      { kind: "payment", amount: -4_000, reason_code: "refund_failed" },
    ]);
    const audit = await testDb().query<{ action: string }>("select action from app.audit_events where subject_id = $1 and action like 'payment.refund%' order by event_no", [p.paymentId]);
    expect(audit.rows.map((r) => r.action)).toEqual(["payment.refunded", "payment.refund_failed"]);
    // A stale success of the same refund changes nothing.
    expect(await deliver(event("refund.updated", refund))).toEqual({ status: 200, outcome: "duplicate" });
    expect((await balance()).total).toBe(before.total - 4_000);
  });

  test("a refund that fails before its success is delivered: the balance never moves, and the late success posts nothing", async () => {
    const before = await balance();
    const p = await paid(3_000);
    const refund = refundObject(p, 3_000);
    expect(await deliver(event("refund.failed", { ...refund, status: "failed" }))).toEqual({ status: 200, outcome: "applied" });
    expect((await balance()).total).toBe(before.total - 3_000);
    expect(await deliver(event("refund.updated", refund))).toEqual({ status: 200, outcome: "duplicate" });
    expect(await deliver(event("charge.refunded", chargeObject(p, 3_000, [refund])))).toEqual({ status: 200, outcome: "duplicate" });
    expect((await balance()).total).toBe(before.total - 3_000);
    expect(await paymentStatus(p.paymentId)).toBe("succeeded");
  });

  test("a refund that failed for a payment we do not know is ignored; the ledger is untouched", async () => {
    const before = await balance();
    const failed = { ...refundObject({ intentId: stripeId("pi"), chargeId: stripeId("ch") }, 1_000), status: "failed" };
    expect(await deliver(event("refund.failed", failed))).toEqual({ status: 200, outcome: "ignored" });
    expect(await balance()).toEqual(before);
  });
});

