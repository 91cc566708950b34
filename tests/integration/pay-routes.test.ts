/**
 * Pay now through its own routes, signed in as Alex (DEMO-1001, $1,240.50), with the real
 * Stripe SDK against the local sandbox and the webhook route answering the sandbox's signed
 * events: bad amounts are 400 with a message and store nothing; $50 by card leads to Stripe's
 * page, and the return page says "confirming" until the webhook, then the receipt with the
 * new balance; a declined card changes nothing; another borrower's payment id is a 404.
 */
import { describe, expect, test } from "vitest";
import { loader as overviewLoader } from "~/routes/account.$accountId._index";
import { action as payAction, loader as payLoader } from "~/routes/account.$accountId.pay._index";
import { loader as returnLoader } from "~/routes/account.$accountId.pay.return";
import { action as webhookAction } from "~/routes/webhooks.stripe";
import { deliverPendingEvents, payCheckoutSession } from "~/services/stripe/local-sandbox.server";
import { z } from "zod";
import { getStripe, getStripeWebhookSecret } from "~/services/stripe/client.server";
import { rpc } from "~/services/supabase/rpc.server";
import { testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { call, context, req, signIn, type Jar } from "../setup/routes";

withLocalEmail();

const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";
const DEMO_1002 = "a0000000-0000-4000-8000-000000001002";
const ALEX_DOB = { "dob.month": "4", "dob.day": "12", "dob.year": "1985" };
const MARIA_DOB = { "dob.month": "11", "dob.day": "3", "dob.year": "1979" };
const params = { accountId: DEMO_1001 };
const base = `/account/${DEMO_1001}`;

/** Hands the sandbox's pending events to the webhook route, as Stripe would. */
async function deliver(): Promise<void> {
  await deliverPendingEvents({
    deliver: async (payload, signature) => {
      const request = new Request("http://localhost:3000/webhooks/stripe", {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": signature },
        body: payload,
      });
      return (await webhookAction({ request, params: {}, context })) as Response;
    },
  });
}

async function stored(accountId: string) {
  const { rows } = await testDb().query<{ payments: number; ledger: number; balance: number }>(
    `select (select count(*)::int from app.payments where account_id = $1) as payments,
            (select count(*)::int from app.ledger_entries where account_id = $1 and kind = 'payment') as ledger,
            (select coalesce(sum(amount_minor), 0)::int from app.ledger_entries where account_id = $1) as balance`,
    [accountId],
  );
  return rows[0]!;
}

/** The account's bank debits on their way (payments in status processing). */
async function inFlight(accountId: string): Promise<number> {
  const { rows } = await testDb().query<{ n: number }>(
    "select coalesce(sum(amount_minor), 0)::int as n from app.payments where account_id = $1 and status = 'processing'",
    [accountId],
  );
  return rows[0]!.n;
}

const pay = (jar: Jar, form: Record<string, string>) => call(() => payAction({ request: req(`${base}/pay`, { method: "POST", form, jar }), params, context }));
const result = (jar: Jar, paymentId: string, extra = "") =>
  call(() => returnLoader({ request: req(`${base}/pay/return?payment=${paymentId}${extra}`, { jar }), params, context }));

/** The Checkout Session id and our payment id from the redirect to the sandbox's page. */
function checkoutOf(location: string | null): { sessionId: string } {
  const match = /\/sandbox\/stripe\/checkout\/(cs_[A-Za-z0-9_]+)$/.exec(location ?? "");
  if (!match) throw new Error(`not a sandbox checkout address: ${location}`);
  return { sessionId: match[1]! };
}

async function paymentIdOf(sessionId: string): Promise<string> {
  const { rows } = await testDb().query<{ id: string }>("select id from app.payments where stripe_checkout_session_id = $1", [sessionId]);
  return rows[0]!.id;
}

describe("Pay now", () => {
  test("the page offers all of it or another amount, from the policy's minimum to the balance", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const outcome = await call(() => payLoader({ request: req(`${base}/pay`, { jar }), params, context }));
    expect(outcome.status).toBe(200);
    expect(outcome.data).toMatchObject({ balanceMinor: 124_050, minimumMinor: 2_500, next: null });
  });

  test.each([
    ["no choice", {}],
    ["a choice that does not exist", { choice: "everything" }],
    ["no amount", { choice: "amount", amount: "" }],
    ["zero", { choice: "amount", amount: "0" }],
    ["a negative amount", { choice: "amount", amount: "-50" }],
    ["a comma decimal", { choice: "amount", amount: "50,25" }],
    ["fractions of a cent", { choice: "amount", amount: "50.005" }],
    ["below the minimum", { choice: "amount", amount: "10" }],
    ["above the balance", { choice: "amount", amount: "1,240.51" }],
    ["a plan payment when there is no plan", { choice: "installment", installment: "00000000-0000-4000-8000-000000000000" }],
    ["a 5,000-character amount", { choice: "amount", amount: "9".repeat(5000) }],
  ])("%s: 400 with a message, nothing stored", async (_name, form) => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const before = await stored(DEMO_1001);
    const outcome = await pay(jar, form as Record<string, string>);
    expect(outcome.status).toBe(400);
    expect(Object.values((outcome.data as { errors: Record<string, string> }).errors)[0]).toMatch(/\w/);
    expect(await stored(DEMO_1001)).toEqual(before);
  });

  test("$50 by card: Stripe's page, 'confirming' until the webhook, then the receipt and $1,190.50", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const outcome = await pay(jar, { choice: "amount", amount: "50" });
    expect(outcome.status).toBe(303);
    const { sessionId } = checkoutOf(outcome.headers.get("Location"));
    const paymentId = await paymentIdOf(sessionId);

    const paid = await payCheckoutSession(sessionId, { card: "4242 4242 4242 4242" });
    expect(paid.status).toBe("succeeded");
    // The redirect came back before the webhook: nothing has changed yet.
    expect((await result(jar, paymentId)).data).toMatchObject({ state: "confirming", waiting: true, balanceMinor: 124_050 });
    expect((await stored(DEMO_1001)).ledger).toBe(0);

    await deliver();
    expect((await result(jar, paymentId)).data).toMatchObject({ state: "succeeded", amountMinor: 5_000, balanceMinor: 119_050 });
    expect(await stored(DEMO_1001)).toMatchObject({ ledger: 1, balance: 119_050 });
    const overview = await call(() => overviewLoader({ request: req(base, { jar }), params, context }));
    expect((overview.data as { owed: { totalMinor: number } }).owed.totalMinor).toBe(119_050);
    // The overview lists the payment with its state.
    expect((overview.data as { payments: Array<{ id: string; status: string; amountMinor: number }> }).payments[0]).toMatchObject({
      id: paymentId,
      status: "succeeded",
      amountMinor: 5_000,
    });

    // Delivered again (Stripe retries): still one ledger entry.
    await testDb().query("update app.local_stripe_events set delivered_at = null");
    await deliver();
    expect((await stored(DEMO_1001)).ledger).toBe(1);
  });

  test("paying in a second tab expires the first tab's Checkout: only one can be paid, nothing goes to suspense", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const before = await stored(DEMO_1001);
    const first = checkoutOf((await pay(jar, { choice: "amount", amount: "30" })).headers.get("Location"));
    const second = checkoutOf((await pay(jar, { choice: "amount", amount: "30" })).headers.get("Location"));
    expect(second.sessionId).not.toBe(first.sessionId);

    // The first tab's page no longer takes money; its payment is cancelled by Stripe's event.
    expect(await payCheckoutSession(first.sessionId, { card: "4242 4242 4242 4242" })).toMatchObject({ status: "unavailable" });
    await deliver();
    const { rows } = await testDb().query<{ status: string }>("select status from app.payments where stripe_checkout_session_id = $1", [first.sessionId]);
    expect(rows[0]!.status).toBe("cancelled");

    expect((await payCheckoutSession(second.sessionId, { card: "4242 4242 4242 4242" })).status).toBe("succeeded");
    await deliver();
    expect(await stored(DEMO_1001)).toMatchObject({ ledger: before.ledger + 1, balance: before.balance - 3_000 });
    const { rows: suspense } = await testDb().query<{ n: number }>("select count(*)::int as n from app.payment_suspense");
    expect(suspense[0]!.n).toBe(0);
  });

  test("a partial refund counts once, whichever of Stripe's two events comes first; charge.refunded no longer lists its refunds", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const { sessionId } = checkoutOf((await pay(jar, { choice: "amount", amount: "50" })).headers.get("Location"));
    const paid = await payCheckoutSession(sessionId, { card: "4242 4242 4242 4242" });
    if (paid.status !== "succeeded") throw new Error(paid.status);
    await deliver();
    const before = await stored(DEMO_1001);

    /** Stripe's newest events of this type, oldest first, delivered to the webhook in the order given. */
    const newest = async (type: string) => (await getStripe().events.list({ type, limit: 1 })).data[0]!;
    const post = async (event: object) => {
      const payload = JSON.stringify(event);
      const signature = getStripe().webhooks.generateTestHeaderString({ payload, secret: getStripeWebhookSecret() });
      const request = new Request("http://localhost:3000/webhooks/stripe", { method: "POST", headers: { "content-type": "application/json", "stripe-signature": signature }, body: payload });
      return ((await webhookAction({ request, params: {}, context })) as Response).status;
    };

    // $20 back: the charge's event first (as Stripe sends it, without the refund's id), then the refund's.
    const first = await getStripe().refunds.create({ payment_intent: paid.paymentIntent.id, amount: 2_000 });
    const chargeEvent = await newest("charge.refunded");
    expect(chargeEvent.data.object).not.toHaveProperty("refunds");
    expect(await post(chargeEvent)).toBe(200);
    expect(await post(await newest("refund.created"))).toBe(200);
    // $10 more: the refund's event first, then the charge's (cumulative $30).
    const second = await getStripe().refunds.create({ payment_intent: paid.paymentIntent.id, amount: 1_000 });
    expect(await post(await newest("refund.created"))).toBe(200);
    expect(await post(await newest("charge.refunded"))).toBe(200);
    await deliver();

    expect(await stored(DEMO_1001)).toMatchObject({ balance: before.balance + 3_000 });
    const { rows } = await testDb().query<{ external_ref: string; amount_minor: number }>(
      "select external_ref, amount_minor::int from app.ledger_entries where account_id = $1 and kind = 'refund' order by amount_minor desc",
      [DEMO_1001],
    );
    expect(rows).toEqual([
      { external_ref: first.id, amount_minor: 2_000 },
      { external_ref: second.id, amount_minor: 1_000 },
    ]);
  });

  test("two payments started at the same moment never expire each other: the newer one can always be paid", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const [a, b] = await Promise.all([pay(jar, { choice: "amount", amount: "30" }), pay(jar, { choice: "amount", amount: "30" })]);
    const sessions = [checkoutOf(a.headers.get("Location")).sessionId, checkoutOf(b.headers.get("Location")).sessionId];
    const { rows } = await testDb().query<{ stripe_checkout_session_id: string }>(
      "select stripe_checkout_session_id from app.payments where stripe_checkout_session_id = any($1) order by created_at desc, id desc",
      [sessions],
    );
    const newer = rows[0]!.stripe_checkout_session_id;
    expect((await getStripe().checkout.sessions.retrieve(newer)).status).toBe("open");
    for (const id of sessions) if (id !== newer) await getStripe().checkout.sessions.expire(id).catch(() => undefined);
    await deliver();
  });

  test("the other open Checkouts are read for the borrower's own account only", async () => {
    const { rows } = await testDb().query<{ borrower_id: string }>("select borrower_id from app.accounts where id = $1", [DEMO_1002]);
    await expect(
      rpc("open_checkout_sessions", { p_borrower_id: rows[0]!.borrower_id, p_account_id: DEMO_1001, p_except_payment_id: null }, z.unknown()),
    ).rejects.toMatchObject({ hint: "account_not_found" });
  });

  test("a declined card leaves the balance as it was, and the page says nothing was taken", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const before = await stored(DEMO_1001);
    const outcome = await pay(jar, { choice: "amount", amount: "50" });
    const { sessionId } = checkoutOf(outcome.headers.get("Location"));
    const paymentId = await paymentIdOf(sessionId);
    expect((await payCheckoutSession(sessionId, { card: "4000 0000 0000 0002" })).status).toBe("declined");
    await deliver();
    expect((await result(jar, paymentId, "&cancelled=1")).data).toMatchObject({ state: "failed", reason: "generic_decline" });
    expect((await stored(DEMO_1001)).balance).toBe(before.balance);
  });

  test("a bank debit on its way is shown on the return page and on Pay now, so nobody pays twice", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const before = await stored(DEMO_1001);
    const outcome = await pay(jar, { choice: "amount", amount: "30" });
    const { sessionId } = checkoutOf(outcome.headers.get("Location"));
    const paymentId = await paymentIdOf(sessionId);
    expect((await payCheckoutSession(sessionId, { bankAccount: { routingNumber: "110000000", accountNumber: "000123456789" } })).status).toBe("processing");
    await deliver();
    expect((await result(jar, paymentId)).data).toMatchObject({ state: "processing", amountMinor: 3_000 });
    expect((await stored(DEMO_1001)).balance).toBe(before.balance);
    const page = await call(() => payLoader({ request: req(`${base}/pay`, { jar }), params, context }));
    expect(page.data).toMatchObject({ inFlightMinor: 3_000 });
  });

  test("another borrower's payment id, or one that is not an id, is a 404", async () => {
    const maria = await signIn("DEMO-1002", MARIA_DOB);
    const started = await call(() =>
      payAction({ request: req(`/account/${DEMO_1002}/pay`, { method: "POST", form: { choice: "amount", amount: "30" }, jar: maria }), params: { accountId: DEMO_1002 }, context }),
    );
    const mariasPayment = await paymentIdOf(checkoutOf(started.headers.get("Location")).sessionId);
    const alex = await signIn("DEMO-1001", ALEX_DOB);
    expect((await result(alex, mariasPayment)).status).toBe(404);
    expect((await result(alex, "not-an-id")).status).toBe(404);
    // Nor can Alex pay on María's account.
    const foreign = await call(() =>
      payAction({ request: req(`/account/${DEMO_1002}/pay`, { method: "POST", form: { choice: "amount", amount: "30" }, jar: alex }), params: { accountId: DEMO_1002 }, context }),
    );
    expect(foreign.status).toBe(404);
  });

  test("with a bank debit on its way, the page offers the rest, refuses a tampered amount above it, and pays the rest", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const debit = await pay(jar, { choice: "amount", amount: "100" });
    const bank = { bankAccount: { routingNumber: "110000000", accountNumber: "000123456789" } };
    expect((await payCheckoutSession(checkoutOf(debit.headers.get("Location")).sessionId, bank)).status).toBe("processing");
    await deliver();
    const { balance } = await stored(DEMO_1001);
    const inFlightMinor = await inFlight(DEMO_1001);
    expect(inFlightMinor).toBeGreaterThanOrEqual(10_000);
    const payableMinor = balance - inFlightMinor;

    const page = await call(() => payLoader({ request: req(`${base}/pay`, { jar }), params, context }));
    expect(page.data).toMatchObject({ balanceMinor: balance, inFlightMinor, payableMinor, minimumMinor: 2_500 });

    // More than the rest, typed or sent by a tampered form: 400, a message on the field, nothing stored.
    const before = await stored(DEMO_1001);
    for (const amount of [(payableMinor + 1) / 100, balance / 100]) {
      const refused = await pay(jar, { choice: "amount", amount: amount.toFixed(2) });
      expect(refused.status).toBe(400);
      const errors = (refused.data as { errors: Record<string, string> }).errors;
      expect(Object.keys(errors)).toEqual(["amount"]);
      expect(errors.amount).toContain(`$${(payableMinor / 100).toLocaleString("en-US", { minimumFractionDigits: 2 })}`);
    }
    expect(await stored(DEMO_1001)).toEqual(before);

    // "Pay the rest" pays exactly the rest.
    const rest = await pay(jar, { choice: "full" });
    expect(rest.status).toBe(303);
    const { rows } = await testDb().query<{ amount_minor: number; purpose: string }>(
      "select amount_minor::int as amount_minor, purpose from app.payments where id = $1",
      [await paymentIdOf(checkoutOf(rest.headers.get("Location")).sessionId)],
    );
    expect(rows[0]).toEqual({ amount_minor: payableMinor, purpose: "full" });
  });

  test("with all of it on its way, the page offers no payment, says so calmly, and refuses one", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const before = await call(() => payLoader({ request: req(`${base}/pay`, { jar }), params, context }));
    const { payableMinor } = before.data as { payableMinor: number };
    if (payableMinor > 0) {
      const rest = await pay(jar, { choice: "full" });
      expect(rest.status).toBe(303);
      const bank = { bankAccount: { routingNumber: "110000000", accountNumber: "000123456789" } };
      expect((await payCheckoutSession(checkoutOf(rest.headers.get("Location")).sessionId, bank)).status).toBe("processing");
      await deliver();
    }
    const { balance } = await stored(DEMO_1001);
    expect(await inFlight(DEMO_1001)).toBe(balance);

    const page = await call(() => payLoader({ request: req(`${base}/pay`, { jar }), params, context }));
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({ balanceMinor: balance, inFlightMinor: balance, payableMinor: 0, next: null });
    expect((page.data as { arrivesBy: string | null }).arrivesBy).toMatch(/^[A-Z][a-z]+ \d{1,2}, \d{4}$/);

    const stock = await stored(DEMO_1001);
    for (const form of [{ choice: "full" }, { choice: "amount", amount: "25" }] as Record<string, string>[]) {
      const refused = await pay(jar, form);
      expect(refused.status).toBe(409);
      expect((refused.data as { errors: Record<string, string> }).errors.form).toMatch(/already on its way/);
    }
    expect(await stored(DEMO_1001)).toEqual(stock);
  });
});
