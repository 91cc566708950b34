/**
 * Payments through the app's wrappers and supabase-js (issue 6 items 2-3): starting a payment
 * within the creditor's range, and Stripe's webhook events applied exactly once: one ledger
 * entry per payment however often and in whatever order Stripe repeats itself, split across
 * fees, interest and principal in the creditor's order; failures never downgrade a success;
 * money we cannot match goes to suspense, never to the ledger; installments and plans
 * complete; racing deliveries (real Postgres) still post once.
 *
 * Most tests open a fresh account owing what DEMO-1001 owes (inserted as the table owner),
 * so each starts from a known balance. The events are Stripe-shaped JSON, as the webhook
 * route hands them over after the signature check (tests/integration/stripe-webhook.test.ts
 * covers the route).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { agreeArrangement, consentHash } from "~/utils/arrangements.server";
import {
  attachCheckoutSession,
  getPaymentStatus,
  InvalidStripeEventError,
  listAccountPayments,
  recordStripeEvent,
  startPayment,
  type StartPaymentInput,
} from "~/utils/payments.server";
import { runSweep } from "~/utils/automatic-charges.server";
import { accountBalance, newAccount as createAccount, type NewAccountOptions } from "../setup/accounts";
import { autopayPlan, CARD_DECLINES_LATER, deliverEvents } from "../setup/autopay";
import { onRealPostgres, testDb } from "../setup/db";
import { addDays, today } from "../setup/dates";
import { withEnv, withLocalEmail } from "../setup/env";
import { notFound } from "../setup/not-found";

// The automatic-payment test below runs the sweep against the local Stripe sandbox.
withEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined, JOBS_SECRET: undefined });
withLocalEmail();

const ALEX = "b0000000-0000-4000-8000-000000000001";
const MARIA = "b0000000-0000-4000-8000-000000000002";
const JORDAN = "b0000000-0000-4000-8000-000000000004";
const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";
const DEMO_1002 = "a0000000-0000-4000-8000-000000001002";
const DEMO_1005 = "a0000000-0000-4000-8000-000000001005";

// ---------------------------------------------------------------------------------------
// Helpers

const stripeId = (prefix: string) => `${prefix}_test${randomBytes(12).toString("hex")}`;

const newAccount = (options: NewAccountOptions = {}) => createAccount({ prefix: "TEST-PAY", ...options });
const balance = accountBalance;

async function paymentEntries(accountId: string) {
  const { rows } = await testDb().query<{ principal: number; interest: number; fees: number; amount: number; external_ref: string; reason_code: string; effective_on: string }>(
    `select principal_minor::int as principal, interest_minor::int as interest, fees_minor::int as fees, amount_minor::int as amount,
            external_ref, reason_code, to_char(effective_on, 'YYYY-MM-DD') as effective_on
       from app.ledger_entries where account_id = $1 and kind = 'payment' order by entry_no`,
    [accountId],
  );
  return rows;
}

async function accountStatus(accountId: string): Promise<string> {
  const { rows } = await testDb().query<{ status: string }>("select status from app.accounts where id = $1", [accountId]);
  return rows[0]!.status;
}

async function suspenseRows(objectId: string) {
  const { rows } = await testDb().query<{ reason: string; amount_minor: number; currency: string | null; payment_id: string | null; resolved_at: Date | null; payload: Record<string, unknown> }>(
    "select reason, amount_minor::int as amount_minor, currency, payment_id, resolved_at, payload from app.payment_suspense where stripe_object_id = $1",
    [objectId],
  );
  return rows;
}

async function audits(subjectId: string) {
  const { rows } = await testDb().query<{ action: string; actor_kind: string; reason_code: string | null; metadata: Record<string, unknown> }>(
    "select action, actor_kind, reason_code, metadata from app.audit_events where subject_id = $1 order by event_no",
    [subjectId],
  );
  return rows;
}

/** A started payment with its Checkout Session attached, and the Stripe ids its events carry. */
async function started(accountId: string, amountMinor: number, overrides: Partial<StartPaymentInput> = {}) {
  const result = await startPayment({ borrowerId: ALEX, accountId, amountMinor, purpose: "amount", ...overrides });
  if (!result.ok) throw new Error(`expected the payment to start, got ${result.reason}`);
  const sessionId = stripeId("cs");
  await attachCheckoutSession({ borrowerId: overrides.borrowerId ?? ALEX, paymentId: result.paymentId, sessionId });
  return { paymentId: result.paymentId, accountId, amountMinor, sessionId, intentId: stripeId("pi") };
}
type Started = Awaited<ReturnType<typeof started>>;

function event(type: string, object: Record<string, unknown>) {
  return { id: stripeId("evt"), object: "event", api_version: "2026-10-28.endive", created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object } };
}

function sessionObject(p: Started, extra: Record<string, unknown> = {}) {
  return {
    id: p.sessionId,
    object: "checkout.session",
    mode: "payment",
    payment_status: "paid",
    status: "complete",
    payment_intent: p.intentId,
    amount_total: p.amountMinor,
    currency: "usd",
    client_reference_id: p.paymentId,
    metadata: { payment_id: p.paymentId, account_id: p.accountId },
    customer_details: { email: "alex.rivera@example.com", name: "Alex Rivera" },
    ...extra,
  };
}

function intentObject(p: Started, extra: Record<string, unknown> = {}) {
  return {
    id: p.intentId,
    object: "payment_intent",
    amount: p.amountMinor,
    amount_received: p.amountMinor,
    currency: "usd",
    status: "succeeded",
    metadata: { payment_id: p.paymentId, account_id: p.accountId },
    ...extra,
  };
}

const sessionCompleted = (p: Started, extra: Record<string, unknown> = {}) => event("checkout.session.completed", sessionObject(p, extra));
const intentSucceeded = (p: Started, extra: Record<string, unknown> = {}) => event("payment_intent.succeeded", intentObject(p, extra));
const intentFailed = (p: Started, code: string, declineCode?: string) =>
  event(
    "payment_intent.payment_failed",
    intentObject(p, { status: "requires_payment_method", amount_received: 0, last_payment_error: { type: "card_error", code, decline_code: declineCode } }),
  );

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

// ---------------------------------------------------------------------------------------

describe("starting a payment", () => {
  test("an amount between the policy minimum and the balance starts, with an audit event", async () => {
    const account = await newAccount();
    const low = await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 2_500, purpose: "amount" });
    expect(low).toMatchObject({ ok: true, amountMinor: 2_500, currency: "USD", creditorName: "Northwind Lending" });
    const high = await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 124_050, purpose: "full" });
    expect(high).toMatchObject({ ok: true, amountMinor: 124_050 });
    if (!low.ok) throw new Error("unreachable");
    expect(await getPaymentStatus(ALEX, low.paymentId)).toMatchObject({ paymentId: low.paymentId, accountId: account, status: "created", amountMinor: 2_500, currency: "USD", failureCode: null, succeededAt: null });
    const trail = await audits(low.paymentId);
    expect(trail).toEqual([
      expect.objectContaining({ action: "payment.started", actor_kind: "borrower", metadata: expect.objectContaining({ purpose: "amount", amount_minor: 2_500, balance_minor: 124_050 }) }),
    ]);
  });

  test("below the minimum, above the balance, not the whole balance for 'full', or not a whole number: amount_out_of_range", async () => {
    const account = await newAccount();
    for (const [amountMinor, purpose] of [
      [2_499, "amount"],
      [124_051, "amount"],
      [100_000, "full"],
      [0, "amount"],
      [-5, "amount"],
      [25.5, "amount"],
    ] as const) {
      expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor, purpose })).toEqual({ ok: false, reason: "amount_out_of_range" });
    }
    const { rows } = await testDb().query<{ n: number }>("select count(*)::int as n from app.payments where account_id = $1", [account]);
    expect(rows[0]!.n).toBe(0);
  });

  test("a balance below the minimum may be paid in full, and nothing less", async () => {
    const account = await newAccount({ principal: 1_800, interest: 0, fees: 0 });
    expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 1_800, purpose: "full" })).toMatchObject({ ok: true });
    expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 1_799, purpose: "amount" })).toEqual({ ok: false, reason: "amount_out_of_range" });
  });

  test("another borrower's account is a 404, a paid account is account_not_open", async () => {
    await notFound(startPayment({ borrowerId: ALEX, accountId: DEMO_1002, amountMinor: 5_000, purpose: "amount" }));
    await notFound(startPayment({ borrowerId: ALEX, accountId: "not-a-uuid", amountMinor: 5_000, purpose: "amount" }));
    expect(await startPayment({ borrowerId: JORDAN, accountId: DEMO_1005, amountMinor: 5_000, purpose: "amount" })).toEqual({ ok: false, reason: "account_not_open" });
    await notFound(startPayment({ borrowerId: MARIA, accountId: DEMO_1005, amountMinor: 5_000, purpose: "amount" }));
  });

  test("another borrower cannot read or attach to a payment", async () => {
    const p = await started(await newAccount(), 5_000);
    await notFound(getPaymentStatus(MARIA, p.paymentId));
    await notFound(attachCheckoutSession({ borrowerId: MARIA, paymentId: p.paymentId, sessionId: stripeId("cs") }));
    await notFound(listAccountPayments(MARIA, p.accountId));
    // The same session again is fine; another one for a payment that has one is not.
    await expect(attachCheckoutSession({ borrowerId: ALEX, paymentId: p.paymentId, sessionId: p.sessionId })).resolves.toEqual({ paymentId: p.paymentId, status: "created" });
    await notFound(attachCheckoutSession({ borrowerId: ALEX, paymentId: p.paymentId, sessionId: stripeId("cs") }));
  });
});

describe("money on its way (a bank debit processing)", () => {
  /** A payment of `amountMinor` by US bank account: Checkout completed, the debit not yet arrived. */
  async function debitOnItsWay(accountId: string, amountMinor: number, overrides: Partial<StartPaymentInput> = {}) {
    const p = await started(accountId, amountMinor, overrides);
    expect(await recordStripeEvent(sessionCompleted(p, { payment_status: "unpaid" }))).toMatchObject({ outcome: "applied" });
    expect(await getPaymentStatus(ALEX, p.paymentId)).toMatchObject({ status: "processing" });
    return p;
  }

  test("with $300 on its way on $1,240.50, paying $1,240.50 is refused and the rest, $940.50, is accepted", async () => {
    const account = await newAccount();
    await debitOnItsWay(account, 30_000);
    for (const [amountMinor, purpose] of [
      [124_050, "full"],
      [124_050, "amount"],
      [94_051, "amount"],
    ] as const) {
      expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor, purpose })).toEqual({ ok: false, reason: "amount_out_of_range" });
    }
    const rest = await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 94_050, purpose: "full" });
    expect(rest).toMatchObject({ ok: true, amountMinor: 94_050 });
    expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 94_050, purpose: "amount" })).toMatchObject({ ok: true });
    if (!rest.ok) throw new Error("unreachable");
    expect((await audits(rest.paymentId))[0]?.metadata).toMatchObject({ balance_minor: 124_050, payable_minor: 94_050 });
  });

  test("a checkout still open is not money on its way: it does not lower what can be paid", async () => {
    const account = await newAccount();
    await started(account, 30_000);
    expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 124_050, purpose: "full" })).toMatchObject({ ok: true });
  });

  test("when what is on its way is less than the minimum away from the balance, the rest may be paid, and nothing less", async () => {
    const account = await newAccount();
    await debitOnItsWay(account, 123_000);
    expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 1_049, purpose: "amount" })).toEqual({ ok: false, reason: "amount_out_of_range" });
    expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 1_050, purpose: "full" })).toMatchObject({ ok: true });
  });

  test("with all of it on its way, any payment is refused with payment_in_flight; once the debit fails, paying is open again", async () => {
    const account = await newAccount();
    const debit = await debitOnItsWay(account, 124_050, { purpose: "full" });
    for (const [amountMinor, purpose] of [
      [124_050, "full"],
      [2_500, "amount"],
      [1, "amount"],
    ] as const) {
      expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor, purpose })).toEqual({ ok: false, reason: "payment_in_flight" });
    }
    const { rows } = await testDb().query<{ n: number }>("select count(*)::int as n from app.payments where account_id = $1", [account]);
    expect(rows[0]!.n).toBe(1);

    await recordStripeEvent(event("checkout.session.async_payment_failed", sessionObject(debit, { payment_status: "unpaid" })));
    expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 124_050, purpose: "full" })).toMatchObject({ ok: true });
  });

  test("two debits on their way add up; when one arrives, what can be paid stays the same", async () => {
    const account = await newAccount();
    const first = await debitOnItsWay(account, 50_000);
    await debitOnItsWay(account, 50_000);
    expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 24_051, purpose: "amount" })).toEqual({ ok: false, reason: "amount_out_of_range" });
    expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 24_050, purpose: "full" })).toMatchObject({ ok: true });
    await recordStripeEvent(event("checkout.session.async_payment_succeeded", sessionObject(first)));
    expect(await balance(account)).toMatchObject({ total: 74_050 });
    expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 24_051, purpose: "amount" })).toEqual({ ok: false, reason: "amount_out_of_range" });
    expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 24_050, purpose: "full" })).toMatchObject({ ok: true });
  });
});

describe("a payment succeeds", () => {
  test("$50 on DEMO-1001: one ledger entry of −$50.00, fees then interest, balance $1,190.50", async () => {
    const p = await started(DEMO_1001, 5_000);
    expect(await recordStripeEvent(sessionCompleted(p))).toEqual({ outcome: "applied", paymentId: p.paymentId });
    expect(await paymentEntries(DEMO_1001)).toEqual([
      { principal: 0, interest: -600, fees: -4_400, amount: -5_000, external_ref: p.intentId, reason_code: "payment_received", effective_on: today() },
    ]);
    expect(await balance(DEMO_1001)).toEqual({ principal: 110_000, interest: 9_050, fees: 0, total: 119_050 });
    const state = await getPaymentStatus(ALEX, p.paymentId);
    expect(state).toMatchObject({ status: "succeeded", failureCode: null });
    expect(state.succeededAt).toBeInstanceOf(Date);
    expect(await listAccountPayments(ALEX, DEMO_1001)).toEqual([expect.objectContaining({ paymentId: p.paymentId, status: "succeeded", purpose: "amount", amountMinor: 5_000 })]);
    const trail = await audits(p.paymentId);
    expect(trail.map((a) => a.action)).toEqual(["payment.started", "payment.succeeded"]);
    expect(trail[1]).toMatchObject({
      actor_kind: "system",
      reason_code: "payment_received",
      metadata: expect.objectContaining({ amount_minor: 5_000, fees_minor: -4_400, interest_minor: -600, principal_minor: 0, amount_differs: false, balance_minor: 119_050 }),
    });
    expect(await accountStatus(DEMO_1001)).toBe("open");
  });

  test("each of the two success events delivered three times, shuffled: exactly one entry", async () => {
    for (let round = 0; round < 3; round++) {
      const account = await newAccount();
      const p = await started(account, 30_000);
      const events = [sessionCompleted(p), intentSucceeded(p)];
      const deliveries = shuffle([...events, ...events, ...events]);
      const outcomes: string[] = [];
      for (const e of deliveries) outcomes.push((await recordStripeEvent(e)).outcome);
      expect(outcomes.filter((o) => o === "applied")).toHaveLength(2);
      expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(4);
      expect(await paymentEntries(account)).toEqual([expect.objectContaining({ amount: -30_000, fees: -4_400, interest: -9_650, principal: -15_950, external_ref: p.intentId })]);
      expect((await balance(account)).total).toBe(124_050 - 30_000);
      expect((await audits(p.paymentId)).filter((a) => a.action === "payment.succeeded")).toHaveLength(1);
    }
  });

  test("a failed attempt, then success: failed with Stripe's code, then succeeded and posted once", async () => {
    const account = await newAccount();
    const p = await started(account, 5_000);
    expect(await recordStripeEvent(intentFailed(p, "card_declined", "insufficient_funds"))).toEqual({ outcome: "applied", paymentId: p.paymentId });
    expect(await getPaymentStatus(ALEX, p.paymentId)).toMatchObject({ status: "failed", failureCode: "insufficient_funds" });
    expect(await paymentEntries(account)).toEqual([]);
    expect(await recordStripeEvent(intentFailed(p, "card_declined"))).toMatchObject({ outcome: "applied" });
    expect(await getPaymentStatus(ALEX, p.paymentId)).toMatchObject({ status: "failed", failureCode: "card_declined" });

    expect(await recordStripeEvent(intentSucceeded(p))).toMatchObject({ outcome: "applied" });
    expect(await recordStripeEvent(sessionCompleted(p))).toMatchObject({ outcome: "applied" });
    expect(await getPaymentStatus(ALEX, p.paymentId)).toMatchObject({ status: "succeeded", failureCode: null });
    expect(await paymentEntries(account)).toHaveLength(1);
    expect((await audits(p.paymentId)).map((a) => a.action)).toEqual(["payment.started", "payment.failed", "payment.failed", "payment.succeeded"]);
  });

  test("succeeded, then a late failure: stays succeeded (the failure is ignored)", async () => {
    const account = await newAccount();
    const p = await started(account, 5_000);
    await recordStripeEvent(sessionCompleted(p));
    expect(await recordStripeEvent(intentFailed(p, "card_declined", "generic_decline"))).toEqual({ outcome: "ignored", paymentId: p.paymentId });
    expect(await recordStripeEvent(event("checkout.session.async_payment_failed", sessionObject(p, { payment_status: "unpaid" })))).toMatchObject({ outcome: "ignored" });
    expect(await recordStripeEvent(event("checkout.session.expired", sessionObject(p, { status: "expired" })))).toMatchObject({ outcome: "ignored" });
    expect(await getPaymentStatus(ALEX, p.paymentId)).toMatchObject({ status: "succeeded", failureCode: null });
    expect(await paymentEntries(account)).toHaveLength(1);
  });

  test("Stripe's figure is what is posted when it differs from the amount asked, and the audit says so", async () => {
    const account = await newAccount();
    const p = await started(account, 5_000);
    await recordStripeEvent(intentSucceeded(p, { amount_received: 4_000 }));
    expect(await paymentEntries(account)).toEqual([expect.objectContaining({ amount: -4_000, fees: -4_000, interest: 0 })]);
    const succeeded = (await audits(p.paymentId)).find((a) => a.action === "payment.succeeded");
    expect(succeeded?.metadata).toMatchObject({ amount_minor: 4_000, requested_amount_minor: 5_000, amount_differs: true });
  });

  test("a bank debit: processing while in flight, then succeeded; or failed", async () => {
    const account = await newAccount();
    const ok = await started(account, 10_000);
    expect(await recordStripeEvent(sessionCompleted(ok, { payment_status: "unpaid" }))).toMatchObject({ outcome: "applied" });
    expect(await getPaymentStatus(ALEX, ok.paymentId)).toMatchObject({ status: "processing" });
    expect(await paymentEntries(account)).toEqual([]);
    expect(await recordStripeEvent(event("checkout.session.async_payment_succeeded", sessionObject(ok)))).toMatchObject({ outcome: "applied" });
    expect(await getPaymentStatus(ALEX, ok.paymentId)).toMatchObject({ status: "succeeded" });
    expect(await paymentEntries(account)).toHaveLength(1);

    const bad = await started(account, 10_000);
    await recordStripeEvent(sessionCompleted(bad, { payment_status: "unpaid" }));
    expect(await recordStripeEvent(event("checkout.session.async_payment_failed", sessionObject(bad, { payment_status: "unpaid" })))).toMatchObject({ outcome: "applied" });
    expect(await getPaymentStatus(ALEX, bad.paymentId)).toMatchObject({ status: "failed", failureCode: "async_payment_failed" });
    expect(await paymentEntries(account)).toHaveLength(1);
  });

  test("an expired Checkout Session cancels a payment that never went through", async () => {
    const account = await newAccount();
    const p = await started(account, 5_000);
    expect(await recordStripeEvent(event("checkout.session.expired", sessionObject(p, { status: "expired", payment_status: "unpaid", payment_intent: null })))).toMatchObject({ outcome: "applied" });
    expect(await getPaymentStatus(ALEX, p.paymentId)).toMatchObject({ status: "cancelled" });
  });

  test("paying the whole balance marks the account paid", async () => {
    const account = await newAccount();
    const p = await started(account, 124_050, { purpose: "full" });
    await recordStripeEvent(sessionCompleted(p));
    expect(await balance(account)).toEqual({ principal: 0, interest: 0, fees: 0, total: 0 });
    expect(await accountStatus(account)).toBe("paid");
  });

  test("a PaymentIntent without our metadata is matched by the ids we stored", async () => {
    const account = await newAccount();
    const p = await started(account, 5_000);
    await recordStripeEvent(sessionCompleted(p, { payment_status: "unpaid" }));
    expect(await recordStripeEvent(intentSucceeded(p, { metadata: {} }))).toEqual({ outcome: "applied", paymentId: p.paymentId });
    expect(await paymentEntries(account)).toHaveLength(1);
  });
});

describe("a failure announced twice", () => {
  test("an automatic charge declined: the sweep's answer and Stripe's webhook record one payment.failed", async () => {
    const plan = await autopayPlan({ method: CARD_DECLINES_LATER });
    await runSweep({ today: plan.installments[0]!.dueOn, leaseSeconds: 60 });
    const { rows } = await testDb().query<{ id: string; status: string }>("select id, status from app.payments where account_id = $1 and origin = 'automatic'", [plan.accountId]);
    expect(rows).toEqual([{ id: expect.any(String), status: "failed" }]);
    const paymentId = rows[0]!.id;
    expect((await audits(paymentId)).filter((a) => a.action === "payment.failed")).toHaveLength(1);
    // Stripe's payment_intent.payment_failed for the same PaymentIntent arrives after the sweep recorded it.
    await deliverEvents();
    const { rows: events } = await testDb().query<{ type: string }>("select type from app.stripe_events where payment_id = $1", [paymentId]);
    expect(events.map((e) => e.type)).toContain("payment_intent.payment_failed");
    expect((await audits(paymentId)).filter((a) => a.action === "payment.failed")).toEqual([
      expect.objectContaining({ reason_code: "generic_decline", metadata: expect.objectContaining({ origin: "automatic", attempt: 1 }) }),
    ]);
    expect(await getPaymentStatus(ALEX, paymentId)).toMatchObject({ status: "failed", failureCode: "generic_decline" });
  });

  test("a card declined twice in one Checkout Session is two attempts: two payment.failed", async () => {
    const p = await started(await newAccount(), 5_000);
    await recordStripeEvent(intentFailed(p, "card_declined", "insufficient_funds"));
    await recordStripeEvent(intentFailed(p, "card_declined", "generic_decline"));
    expect((await audits(p.paymentId)).filter((a) => a.action === "payment.failed").map((a) => a.reason_code)).toEqual(["insufficient_funds", "generic_decline"]);
  });
});

describe("money we cannot match", () => {
  test("an unknown payment id goes to suspense, once per PaymentIntent, and the ledger is untouched", async () => {
    const account = await newAccount();
    const before = await balance(account);
    const ghost: Started = { paymentId: randomUUID(), accountId: account, amountMinor: 7_000, sessionId: stripeId("cs"), intentId: stripeId("pi") };
    expect(await recordStripeEvent(sessionCompleted(ghost))).toEqual({ outcome: "suspense", paymentId: null });
    expect(await recordStripeEvent(intentSucceeded(ghost))).toEqual({ outcome: "suspense", paymentId: null });
    const held = await suspenseRows(ghost.intentId);
    expect(held).toEqual([expect.objectContaining({ reason: "unknown_payment", amount_minor: 7_000, currency: "USD", payment_id: null, resolved_at: null })]);
    // Staff get ids, amounts and metadata, not the customer's details.
    expect(held[0]!.payload).toMatchObject({ id: ghost.sessionId, metadata: { payment_id: ghost.paymentId } });
    expect(held[0]!.payload).not.toHaveProperty("customer_details");
    expect(await balance(account)).toEqual(before);
    const { rows } = await testDb().query<{ n: number }>("select count(*)::int as n from app.stripe_events where outcome = 'suspense' and type in ('checkout.session.completed', 'payment_intent.succeeded')");
    expect(rows[0]!.n).toBeGreaterThanOrEqual(2);
  });

  test("no metadata at all: suspense; a failure or expiry for an unknown payment is just ignored", async () => {
    const ghost: Started = { paymentId: randomUUID(), accountId: randomUUID(), amountMinor: 1_000, sessionId: stripeId("cs"), intentId: stripeId("pi") };
    expect(await recordStripeEvent(intentSucceeded(ghost, { metadata: {} }))).toMatchObject({ outcome: "suspense" });
    expect(await recordStripeEvent(intentFailed(ghost, "card_declined"))).toEqual({ outcome: "ignored", paymentId: null });
    expect(await recordStripeEvent(event("checkout.session.expired", sessionObject(ghost)))).toEqual({ outcome: "ignored", paymentId: null });
  });

  test("a payment on an account closed since it started: succeeded, money in suspense, not in the ledger", async () => {
    const account = await newAccount();
    const p = await started(account, 5_000);
    await testDb().query("update app.accounts set status = 'closed' where id = $1", [account]);
    expect(await recordStripeEvent(sessionCompleted(p))).toEqual({ outcome: "suspense", paymentId: p.paymentId });
    expect(await recordStripeEvent(intentSucceeded(p))).toEqual({ outcome: "applied", paymentId: p.paymentId });
    expect(await paymentEntries(account)).toEqual([]);
    expect(await suspenseRows(p.intentId)).toEqual([expect.objectContaining({ reason: "account_not_open", amount_minor: 5_000, payment_id: p.paymentId })]);
    expect(await getPaymentStatus(ALEX, p.paymentId)).toMatchObject({ status: "succeeded" });
  });

  test("metadata naming another account, or another currency: suspense", async () => {
    const account = await newAccount();
    const wrongAccount = await started(account, 5_000);
    expect(await recordStripeEvent(sessionCompleted(wrongAccount, { metadata: { payment_id: wrongAccount.paymentId, account_id: DEMO_1002 } }))).toMatchObject({ outcome: "suspense" });
    expect(await suspenseRows(wrongAccount.intentId)).toEqual([expect.objectContaining({ reason: "account_mismatch" })]);
    const wrongCurrency = await started(account, 5_000);
    expect(await recordStripeEvent(intentSucceeded(wrongCurrency, { currency: "eur" }))).toMatchObject({ outcome: "suspense" });
    expect(await suspenseRows(wrongCurrency.intentId)).toEqual([expect.objectContaining({ reason: "currency_mismatch", currency: "EUR" })]);
    expect(await paymentEntries(account)).toEqual([]);
  });

  test("a second charge for a payment already paid is held, not posted", async () => {
    const account = await newAccount();
    const p = await started(account, 5_000);
    await recordStripeEvent(sessionCompleted(p));
    const second = { ...p, intentId: stripeId("pi") };
    expect(await recordStripeEvent(intentSucceeded(second))).toMatchObject({ outcome: "suspense", paymentId: p.paymentId });
    expect(await suspenseRows(second.intentId)).toEqual([expect.objectContaining({ reason: "duplicate_payment", payment_id: p.paymentId })]);
    expect(await paymentEntries(account)).toHaveLength(1);
  });

  test("held under its PaymentIntent first, then matched when the session's event names the payment", async () => {
    const account = await newAccount();
    const p = await started(account, 5_000);
    expect(await recordStripeEvent(intentSucceeded(p, { metadata: {} }))).toMatchObject({ outcome: "suspense" });
    expect(await recordStripeEvent(sessionCompleted(p))).toMatchObject({ outcome: "applied" });
    expect(await paymentEntries(account)).toHaveLength(1);
    expect(await suspenseRows(p.intentId)).toEqual([expect.objectContaining({ reason: "unknown_payment", payment_id: p.paymentId, resolved_at: expect.any(Date) })]);
  });
});

describe("other events", () => {
  test("a type we do not act on is recorded and ignored; an event without an id is refused", async () => {
    const e = event("customer.created", { id: stripeId("cus"), object: "customer" });
    expect(await recordStripeEvent(e)).toEqual({ outcome: "ignored", paymentId: null });
    expect(await recordStripeEvent(e)).toEqual({ outcome: "duplicate", paymentId: null });
    const noId: Record<string, unknown> = { type: "payment_intent.succeeded", data: { object: {} } };
    await expect(recordStripeEvent(noId)).rejects.toBeInstanceOf(InvalidStripeEventError);
  });
});

describe("installments", () => {
  async function promise(amountMinor: number) {
    const account = await newAccount();
    const body = `Promise to pay ${amountMinor} (${randomUUID()})`;
    const agreed = await agreeArrangement({
      borrowerId: ALEX,
      accountId: account,
      kind: "promise",
      frequency: null,
      discountBps: 0,
      balanceMinor: 124_050,
      totalMinor: amountMinor,
      installments: [{ dueOn: addDays(today(), 5), amountMinor }],
      policyRules: [],
      reviewDueOn: null,
      consent: { version: "plan-terms.v1", language: "en", body, sha256: consentHash(body), ip: null, userAgent: null },
    });
    if (!agreed.ok) throw new Error(agreed.reason);
    const { rows } = await testDb().query<{ id: string }>("select id from app.installments where arrangement_id = $1", [agreed.arrangementId]);
    return { account, arrangementId: agreed.arrangementId, installmentId: rows[0]!.id };
  }

  async function installmentRow(id: string) {
    const { rows } = await testDb().query<{ paid_minor: number; status: string; arrangement_status: string; ended: boolean }>(
      `select i.paid_minor::int as paid_minor, i.status, r.status as arrangement_status, r.ended_at is not null as ended
         from app.installments as i join app.arrangements as r on r.id = i.arrangement_id where i.id = $1`,
      [id],
    );
    return rows[0]!;
  }

  test("paying the only installment marks it paid and completes the arrangement", async () => {
    const { account, arrangementId, installmentId } = await promise(20_000);
    const p = await started(account, 20_000, { purpose: "installment", installmentId });
    await recordStripeEvent(intentSucceeded(p));
    await recordStripeEvent(sessionCompleted(p));
    expect(await installmentRow(installmentId)).toEqual({ paid_minor: 20_000, status: "paid", arrangement_status: "completed", ended: true });
    expect((await audits(arrangementId)).map((a) => a.action)).toEqual(["arrangement.agreed", "arrangement.completed"]);
    // Paid: no second payment for it.
    await notFound(startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 20_000, purpose: "installment", installmentId }));
  });

  test("a bank debit in flight blocks a second payment of the installment; less than due leaves it scheduled", async () => {
    const { account, installmentId } = await promise(20_000);
    const first = await started(account, 20_000, { purpose: "installment", installmentId });
    await recordStripeEvent(sessionCompleted(first, { payment_status: "unpaid" }));
    expect(await startPayment({ borrowerId: ALEX, accountId: account, amountMinor: 20_000, purpose: "installment", installmentId })).toEqual({ ok: false, reason: "payment_in_flight" });
    await recordStripeEvent(event("checkout.session.async_payment_failed", sessionObject(first, { payment_status: "unpaid" })));
    const second = await started(account, 20_000, { purpose: "installment", installmentId });
    await recordStripeEvent(intentSucceeded(second, { amount_received: 15_000 }));
    expect(await installmentRow(installmentId)).toEqual({ paid_minor: 15_000, status: "scheduled", arrangement_status: "active", ended: false });
  });

  test("another account's installment, or none for 'installment': refused", async () => {
    const { installmentId } = await promise(20_000);
    const other = await newAccount();
    await notFound(startPayment({ borrowerId: ALEX, accountId: other, amountMinor: 20_000, purpose: "installment", installmentId }));
    await notFound(startPayment({ borrowerId: MARIA, accountId: DEMO_1002, amountMinor: 20_000, purpose: "installment", installmentId }));
    await expect(startPayment({ borrowerId: ALEX, accountId: other, amountMinor: 20_000, purpose: "installment" })).rejects.toMatchObject({ hint: "invalid_payment" });
  });
});

describe("at the same time", () => {
  test("the same event delivered twice at once: one applied, one duplicate, one entry", async () => {
    const account = await newAccount();
    const p = await started(account, 5_000);
    const e = sessionCompleted(p);
    const outcomes = (await Promise.all([recordStripeEvent(e), recordStripeEvent(e)])).map((r) => r.outcome).sort();
    expect(outcomes).toEqual(["applied", "duplicate"]);
    expect(await paymentEntries(account)).toHaveLength(1);
  });

  // PGlite runs one transaction at a time, so this proves the locking only on a real
  // server: without the account and payment locks, the second success would try to post
  // under the same external_ref and the call would fail (23505), or post with a stale split.
  test.runIf(onRealPostgres())("every success event of 10 payments on one account, 3 times each, all at once (real PostgreSQL)", async () => {
    const account = await newAccount();
    const payments = await Promise.all(Array.from({ length: 10 }, () => started(account, 2_500)));
    const deliveries = shuffle(payments.flatMap((p) => [sessionCompleted(p), intentSucceeded(p)]).flatMap((e) => [e, e, e]));
    const results = await Promise.all(deliveries.map((e) => recordStripeEvent(e)));
    expect(results.filter((r) => r.outcome === "applied")).toHaveLength(20);
    expect(results.filter((r) => r.outcome === "duplicate")).toHaveLength(40);
    const entries = await paymentEntries(account);
    expect(entries).toHaveLength(10);
    expect(new Set(entries.map((e) => e.external_ref))).toEqual(new Set(payments.map((p) => p.intentId)));
    // Allocated in turn, never past what each part owed: fees 4,400, then interest 9,650.
    expect(await balance(account)).toEqual({ principal: 110_000 - 10_950, interest: 0, fees: 0, total: 124_050 - 25_000 });
  });
});
