/**
 * The local Stripe sandbox through the real `stripe` SDK (decision 001): objects in Stripe's
 * shapes, its error classes, idempotency keys, paying on the hosted checkout page (through
 * the exported function and through the route module), events signed so the SDK's
 * constructEvent accepts them, and bank debits that stay processing until settled.
 */
import Stripe from "stripe";
import { describe, expect, test } from "vitest";
import { action as checkoutAction, loader as checkoutLoader } from "~/routes/sandbox.stripe.checkout.$id";
import { getStripe, LOCAL_STRIPE_WEBHOOK_SECRET, STRIPE_API_VERSION } from "~/services/stripe/client.server";
import {
  authenticateCheckoutSession,
  deliverPendingEvents,
  listLocalStripeEvents,
  payCheckoutSession,
  settleProcessingPayments,
} from "~/services/stripe/local-sandbox.server";
import { withEnv } from "../setup/env";
import { call, context, req } from "../setup/routes";

withEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined, APP_URL: "http://localhost:3000" });

const RETURN = "http://localhost:3000/account/a1/pay/return?payment=p1";

// Built untyped: API 2026-10-28 renamed payment_method_types to allowed_payment_method_types
// in the create params; the sandbox accepts both.
function sessionParams(overrides: Record<string, unknown> = {}): Stripe.Checkout.SessionCreateParams {
  return {
    mode: "payment",
    payment_method_types: ["card", "us_bank_account"],
    line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 5000, product_data: { name: "Payment to Northwind Lending" } } }],
    client_reference_id: "p1",
    metadata: { payment_id: "p1", account_id: "a1" },
    payment_intent_data: { metadata: { payment_id: "p1", account_id: "a1" } },
    success_url: RETURN,
    cancel_url: `${RETURN}&cancelled=1`,
    ...overrides,
  } as unknown as Stripe.Checkout.SessionCreateParams;
}

const newSession = (overrides: Record<string, unknown> = {}) => getStripe().checkout.sessions.create(sessionParams(overrides));

async function eventsFor(objectId: string) {
  const all = await listLocalStripeEvents();
  return all
    .filter((stored) => {
      const object = stored.event.data.object as { id: string };
      return object.id === objectId;
    })
    .reverse();
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

describe("objects through the SDK", () => {
  test("customers: create and retrieve, in Stripe's shape", async () => {
    const stripe = getStripe();
    const created = await stripe.customers.create({ email: "alex@example.com", metadata: { borrower_id: "b1" } });
    expect(created.id).toMatch(/^cus_/);
    expect(created).toMatchObject({ object: "customer", livemode: false, email: "alex@example.com", metadata: { borrower_id: "b1" } });
    expect(created.lastResponse.requestId).toMatch(/^req_/);
    const read = await stripe.customers.retrieve(created.id);
    expect(read).toMatchObject({ id: created.id, object: "customer" });
  });

  test("checkout session: create and retrieve", async () => {
    const customer = await getStripe().customers.create({});
    const session = await newSession({ customer: customer.id });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session).toMatchObject({
      object: "checkout.session",
      url: `http://localhost:3000/sandbox/stripe/checkout/${session.id}`,
      status: "open",
      payment_status: "unpaid",
      amount_total: 5000,
      currency: "usd",
      mode: "payment",
      customer: customer.id,
      metadata: { payment_id: "p1", account_id: "a1" },
      client_reference_id: "p1",
      payment_intent: null,
      success_url: RETURN,
      payment_method_types: ["card", "us_bank_account"],
      livemode: false,
    });
    expect(session).not.toHaveProperty("_sandbox");
    expect(typeof session.created).toBe("number");
    const read = await getStripe().checkout.sessions.retrieve(session.id);
    const { lastResponse: readResponse, ...readBody } = read;
    const { lastResponse: createResponse, ...createdBody } = session;
    expect(readBody).toEqual(createdBody);
    expect(readResponse.apiVersion).toBe(STRIPE_API_VERSION);
    expect(readResponse.requestId).not.toBe(createResponse.requestId);
  });

  test("the 2026 parameter name allowed_payment_method_types is accepted too", async () => {
    const session = await getStripe().checkout.sessions.create({
      ...sessionParams(),
      payment_method_types: undefined,
      allowed_payment_method_types: ["card"],
    } as unknown as Stripe.Checkout.SessionCreateParams);
    expect(session.payment_method_types).toEqual(["card"]);
  });

  test("an unknown id is a StripeInvalidRequestError with code resource_missing", async () => {
    // One call at a time: a promise created before it is awaited would reject unhandled.
    for (const call of [
      () => getStripe().customers.retrieve("cus_doesnotexist00"),
      () => getStripe().checkout.sessions.retrieve("cs_test_doesnotexist00"),
      () => getStripe().paymentIntents.retrieve("pi_doesnotexist00"),
    ]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ statusCode: 404, code: "resource_missing", param: "id" });
      expect((error as Stripe.errors.StripeError).message).toMatch(/^No such /);
      expect((error as Stripe.errors.StripeError).requestId).toMatch(/^req_/);
    }
  });

  test("bad parameters are a 400 with the parameter named", async () => {
    const noSuccessUrl = await rejection(newSession({ success_url: undefined }));
    expect(noSuccessUrl).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(noSuccessUrl).toMatchObject({ statusCode: 400, param: "success_url" });

    const badAmount = await rejection(newSession({ line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: "12.5", product_data: { name: "x" } } }] }));
    expect(badAmount).toMatchObject({ statusCode: 400, param: "line_items[0][price_data][unit_amount]" });

    const unknown = await rejection(newSession({ surprise: "yes" }));
    expect(unknown).toMatchObject({ statusCode: 400, param: "surprise", code: "parameter_unknown" });

    const noCustomer = await rejection(newSession({ customer: "cus_missing000000" }));
    expect(noCustomer).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(noCustomer).toMatchObject({ statusCode: 400, code: "resource_missing", param: "customer" });
  });
});

describe("idempotency keys", () => {
  test("same key and same request: the same object, once", async () => {
    const first = await getStripe().checkout.sessions.create(sessionParams(), { idempotencyKey: "checkout/same" });
    const second = await getStripe().checkout.sessions.create(sessionParams(), { idempotencyKey: "checkout/same" });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.idempotencyKey).toBe("checkout/same");
    const customerA = await getStripe().customers.create({ email: "a@example.com" }, { idempotencyKey: "customer/a" });
    const customerB = await getStripe().customers.create({ email: "a@example.com" }, { idempotencyKey: "customer/a" });
    expect(customerB.id).toBe(customerA.id);
  });

  test("same key and other parameters: StripeIdempotencyError", async () => {
    await getStripe().checkout.sessions.create(sessionParams(), { idempotencyKey: "checkout/different" });
    const error = await rejection(getStripe().checkout.sessions.create(sessionParams({ client_reference_id: "p2" }), { idempotencyKey: "checkout/different" }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((error as Stripe.errors.StripeError).message).toMatch(/^Keys for idempotent requests can only be used with the same parameters they were first used with/);
  });

  test("a request refused for its parameters keeps no result: the key works once fixed", async () => {
    const bad = await rejection(getStripe().checkout.sessions.create(sessionParams({ success_url: "not a url" }), { idempotencyKey: "checkout/fixed" }));
    expect(bad).toMatchObject({ statusCode: 400, param: "success_url" });
    const fixed = await rejection(getStripe().checkout.sessions.create(sessionParams(), { idempotencyKey: "checkout/fixed" }));
    // Stripe saves results only for requests that began executing; a validation failure
    // keeps nothing, so the key may be used again with corrected parameters.
    expect(fixed).toBeNull();
  });
});

describe("paying on the hosted page", () => {
  test("4242: PaymentIntent succeeded, session complete, two events signed as Stripe signs them", async () => {
    const session = await newSession({ success_url: `${RETURN}&session={CHECKOUT_SESSION_ID}` });
    const outcome = await payCheckoutSession(session.id, { card: "4242 4242 4242 4242" });
    expect(outcome).toMatchObject({ status: "succeeded", redirectTo: `${RETURN}&session=${session.id}` });

    const paid = await getStripe().checkout.sessions.retrieve(session.id);
    expect(paid).toMatchObject({ status: "complete", payment_status: "paid", payment_intent: expect.stringMatching(/^pi_/) });
    const intent = await getStripe().paymentIntents.retrieve(paid.payment_intent as string);
    expect(intent).toMatchObject({
      object: "payment_intent",
      status: "succeeded",
      amount: 5000,
      amount_received: 5000,
      currency: "usd",
      metadata: { payment_id: "p1", account_id: "a1" },
      latest_charge: expect.stringMatching(/^ch_/),
      payment_method: expect.stringMatching(/^pm_/),
      livemode: false,
    });
    expect(intent).not.toHaveProperty("_sandbox");
    const method = await getStripe().paymentMethods.retrieve(intent.payment_method as string);
    expect(method).toMatchObject({ type: "card", card: { brand: "visa", last4: "4242" } });

    const events = await eventsFor(session.id);
    const piEvents = await eventsFor(intent.id);
    expect(piEvents.map((e) => e.type)).toEqual(["payment_intent.succeeded"]);
    expect(events.map((e) => e.type)).toEqual(["checkout.session.completed"]);
    expect(events[0]!.event).toMatchObject({
      object: "event",
      api_version: STRIPE_API_VERSION,
      livemode: false,
      pending_webhooks: 1,
      data: { object: { id: session.id, status: "complete", payment_status: "paid", payment_intent: intent.id } },
    });
    expect(events[0]!.event.data.object).not.toHaveProperty("_sandbox");

    // Delivery: signed with the local webhook secret; the SDK verifies and parses it.
    const received: Stripe.Event[] = [];
    const result = await deliverPendingEvents({
      deliver: async (payload, header) => {
        received.push(await getStripe().webhooks.constructEventAsync(payload, header, LOCAL_STRIPE_WEBHOOK_SECRET));
        expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
        return { status: 200 };
      },
    });
    expect(result.failed).toBe(0);
    expect(received.map((e) => e.id)).toEqual(expect.arrayContaining([piEvents[0]!.id, events[0]!.id]));
    const payloadOrder = received.map((e) => e.id);
    expect(payloadOrder.indexOf(piEvents[0]!.id)).toBeLessThan(payloadOrder.indexOf(events[0]!.id));
    const stored = (await listLocalStripeEvents()).find((e) => e.id === events[0]!.id)!;
    expect(stored).toMatchObject({ attempts: 1, last_error: null, delivered_at: expect.any(String) });
    // Delivered events are not sent again.
    expect((await deliverPendingEvents({ deliver: async () => ({ status: 200 }) })).attempted).toBe(0);

    // The events API answers the same events.
    const fetched = await getStripe().events.retrieve(events[0]!.id);
    expect(fetched.type).toBe("checkout.session.completed");
    const listed = await getStripe().events.list({ type: "payment_intent.succeeded", limit: 100 });
    expect(listed.data.map((e) => e.id)).toContain(piEvents[0]!.id);

    // Paying again: the session is complete.
    expect(await payCheckoutSession(session.id, { card: "4242424242424242" })).toEqual({ status: "unavailable", reason: "complete" });
  });

  test("failed deliveries are recorded and retried", async () => {
    const session = await newSession();
    await payCheckoutSession(session.id, { card: "4242424242424242" });
    const first = await deliverPendingEvents({ deliver: async () => ({ status: 500 }) });
    expect(first.failed).toBeGreaterThanOrEqual(2);
    const [stored] = await eventsFor(session.id);
    expect(stored).toMatchObject({ attempts: 1, delivered_at: null, last_error: "HTTP 500" });
    const second = await deliverPendingEvents({
      deliver: async () => {
        throw new TypeError("fetch failed");
      },
    });
    expect(second.failed).toBe(first.failed);
    const third = await deliverPendingEvents({ deliver: async () => ({ status: 204 }) });
    expect(third).toEqual({ attempted: first.failed, delivered: first.failed, failed: 0 });
    expect((await eventsFor(session.id))[0]).toMatchObject({ attempts: 3, delivered_at: expect.any(String), last_error: "TypeError: fetch failed" });
  });

  test("a declined card: requires_payment_method with Stripe's error, a payment_failed event, session still open", async () => {
    const session = await newSession();
    const outcome = await payCheckoutSession(session.id, { card: "4000 0000 0000 0002" });
    expect(outcome).toMatchObject({ status: "declined", code: "card_declined", declineCode: "generic_decline", message: "Your card was declined." });
    if (outcome.status !== "declined") return;
    const intent = await getStripe().paymentIntents.retrieve(outcome.paymentIntent.id);
    expect(intent).toMatchObject({
      status: "requires_payment_method",
      amount_received: 0,
      metadata: { payment_id: "p1" },
      last_payment_error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." },
    });
    const events = await eventsFor(intent.id);
    expect(events.map((e) => e.type)).toEqual(["payment_intent.payment_failed"]);
    expect(events[0]!.event.data.object).toMatchObject({ last_payment_error: { decline_code: "generic_decline" } });
    expect(await getStripe().checkout.sessions.retrieve(session.id)).toMatchObject({ status: "open", payment_status: "unpaid", payment_intent: null });

    // Insufficient funds, then a good card: the same PaymentIntent is retried and succeeds.
    const poor = await payCheckoutSession(session.id, { card: "4000000000009995" });
    expect(poor).toMatchObject({ status: "declined", declineCode: "insufficient_funds" });
    const good = await payCheckoutSession(session.id, { card: "4242424242424242" });
    expect(good).toMatchObject({ status: "succeeded", paymentIntent: { id: intent.id, status: "succeeded" } });
  });

  test("authentication required: requires_action, then completed or failed", async () => {
    const session = await newSession();
    expect(await payCheckoutSession(session.id, { card: "4000 0025 0000 3155" })).toMatchObject({ status: "requires_action", paymentIntent: { status: "requires_action" } });
    expect(await authenticateCheckoutSession(session.id, "failed")).toMatchObject({ status: "declined", code: "payment_intent_authentication_failure" });
    expect(await payCheckoutSession(session.id, { card: "4000002500003155" })).toMatchObject({ status: "requires_action" });
    expect(await authenticateCheckoutSession(session.id, "succeeded")).toMatchObject({ status: "succeeded" });
    expect(await getStripe().checkout.sessions.retrieve(session.id)).toMatchObject({ status: "complete", payment_status: "paid" });
  });

  test("a bank debit stays processing, then settles as succeeded or failed", async () => {
    const session = await newSession();
    const outcome = await payCheckoutSession(session.id, { bankAccount: { routingNumber: "110000000", accountNumber: "000123456789" } });
    expect(outcome).toMatchObject({ status: "processing", redirectTo: RETURN });
    const processing = await getStripe().checkout.sessions.retrieve(session.id);
    expect(processing).toMatchObject({ status: "complete", payment_status: "unpaid", payment_intent: expect.stringMatching(/^pi_/) });
    const piId = processing.payment_intent as string;
    expect(await getStripe().paymentIntents.retrieve(piId)).toMatchObject({ status: "processing", amount_received: 0 });
    expect((await eventsFor(session.id)).map((e) => e.type)).toEqual(["checkout.session.completed"]);

    const other = await newSession();
    await payCheckoutSession(other.id, { bankAccount: { routingNumber: "110000000", accountNumber: "000123456789" } });
    const otherPi = (await getStripe().checkout.sessions.retrieve(other.id)).payment_intent as string;

    expect(await settleProcessingPayments({ outcome: "succeeded", paymentIntentId: piId })).toEqual([piId]);
    expect(await getStripe().paymentIntents.retrieve(piId)).toMatchObject({ status: "succeeded", amount_received: 5000 });
    expect(await getStripe().checkout.sessions.retrieve(session.id)).toMatchObject({ payment_status: "paid" });
    expect((await eventsFor(session.id)).map((e) => e.type)).toEqual(["checkout.session.completed", "checkout.session.async_payment_succeeded"]);
    expect((await eventsFor(piId)).map((e) => e.type)).toEqual(expect.arrayContaining(["payment_intent.processing", "payment_intent.succeeded"]));

    expect(await settleProcessingPayments({ outcome: "failed" })).toEqual([otherPi]);
    expect(await getStripe().paymentIntents.retrieve(otherPi)).toMatchObject({ status: "requires_payment_method", last_payment_error: { code: "insufficient_funds" } });
    expect((await eventsFor(other.id)).map((e) => e.type)).toEqual(["checkout.session.completed", "checkout.session.async_payment_failed"]);
    expect(await settleProcessingPayments({ outcome: "succeeded" })).toEqual([]);
  });

  test("invalid input pays nothing", async () => {
    const session = await newSession({ payment_method_types: ["card"] });
    expect(await payCheckoutSession(session.id, { card: "1234" })).toMatchObject({ status: "invalid", field: "card" });
    expect(await payCheckoutSession(session.id, { card: "" })).toMatchObject({ status: "invalid", field: "card" });
    expect(await payCheckoutSession(session.id, { bankAccount: { routingNumber: "110000000", accountNumber: "000123456789" } })).toMatchObject({ status: "invalid" });
    expect(await payCheckoutSession("cs_test_nope00000000", { card: "4242424242424242" })).toEqual({ status: "unavailable", reason: "missing" });
    expect(await getStripe().checkout.sessions.retrieve(session.id)).toMatchObject({ status: "open", payment_intent: null });
  });

  test("an expired session cannot be paid; refunds return money once", async () => {
    const session = await newSession();
    const expired = await getStripe().checkout.sessions.expire(session.id);
    expect(expired).toMatchObject({ status: "expired", url: null });
    expect(await payCheckoutSession(session.id, { card: "4242424242424242" })).toEqual({ status: "unavailable", reason: "expired" });
    expect((await eventsFor(session.id)).map((e) => e.type)).toEqual(["checkout.session.expired"]);

    const paidSession = await newSession();
    const paid = await payCheckoutSession(paidSession.id, { card: "4242424242424242" });
    if (paid.status !== "succeeded") throw new Error("not paid");
    const refund = await getStripe().refunds.create({ payment_intent: paid.paymentIntent.id, amount: 2000 });
    expect(refund).toMatchObject({ object: "refund", amount: 2000, status: "succeeded", payment_intent: paid.paymentIntent.id, charge: paid.paymentIntent.latest_charge });
    expect(refund.id).toMatch(/^re_/);
    const tooMuch = await rejection(getStripe().refunds.create({ payment_intent: paid.paymentIntent.id, amount: 3001 }));
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });
});

describe("the hosted page route", () => {
  const path = (id: string) => `/sandbox/stripe/checkout/${id}`;

  test("GET shows the amount and the line item", async () => {
    const session = await newSession();
    const page = await call(() => checkoutLoader({ request: req(path(session.id)), params: { id: session.id }, context }));
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({ view: "open", amountText: "$50.00", item: "Payment to Northwind Lending", acceptsCard: true, acceptsBank: true });
    const missing = await call(() => checkoutLoader({ request: req(path("cs_test_missing0000")), params: { id: "cs_test_missing0000" }, context }));
    expect(missing.status).toBe(404);
    const remote = await call(() => checkoutLoader({ request: req(path(session.id)), params: { id: session.id }, context: { ...context, isLoopback: false } }));
    expect(remote.status).toBe(404);
  });

  test("POST 4242 redirects (303) to the success URL; the page then says complete", async () => {
    const session = await newSession();
    const outcome = await call(() => checkoutAction({ request: req(path(session.id), { method: "POST", form: { intent: "card", card: "4242 4242 4242 4242" } }), params: { id: session.id }, context }));
    expect(outcome.status).toBe(303);
    expect(outcome.headers.get("Location")).toBe(RETURN);
    const page = await call(() => checkoutLoader({ request: req(path(session.id)), params: { id: session.id }, context }));
    expect(page.data).toMatchObject({ view: "complete", successUrl: RETURN });
    const again = await call(() => checkoutAction({ request: req(path(session.id), { method: "POST", form: { intent: "card", card: "4242424242424242" } }), params: { id: session.id }, context }));
    expect(again.status).toBe(303);
    expect(again.headers.get("Location")).toBe(path(session.id));
  });

  test("POST a junk card number: 400 with a message, nothing paid; a decline shows Stripe's message", async () => {
    const session = await newSession();
    const junk = await call(() => checkoutAction({ request: req(path(session.id), { method: "POST", form: { intent: "card", card: "1234 abcd" } }), params: { id: session.id }, context }));
    expect(junk.status).toBe(400);
    expect(junk.data).toEqual({ problem: { field: "card", message: "Your card number is invalid.", declined: false } });
    const declined = await call(() => checkoutAction({ request: req(path(session.id), { method: "POST", form: { intent: "card", card: "4000000000000002" } }), params: { id: session.id }, context }));
    expect(declined.status).toBe(400);
    expect(declined.data).toEqual({ problem: { field: "card", message: "Your card was declined.", declined: true } });
    expect(await getStripe().checkout.sessions.retrieve(session.id)).toMatchObject({ status: "open", payment_status: "unpaid" });
    const page = await call(() => checkoutLoader({ request: req(path(session.id)), params: { id: session.id }, context }));
    expect(page.data).toMatchObject({ view: "open", lastError: "Your card was declined." });
  });

  test("bank debit through the page, then settled with the page's buttons", async () => {
    const session = await newSession();
    const paid = await call(() =>
      checkoutAction({ request: req(path(session.id), { method: "POST", form: { intent: "bank", routingNumber: "110000000", accountNumber: "000123456789" } }), params: { id: session.id }, context }),
    );
    expect(paid.status).toBe(303);
    const page = await call(() => checkoutLoader({ request: req(path(session.id)), params: { id: session.id }, context }));
    expect(page.data).toMatchObject({ view: "processing" });
    const settled = await call(() => checkoutAction({ request: req(path(session.id), { method: "POST", form: { intent: "settle_succeeded" } }), params: { id: session.id }, context }));
    expect(settled.status).toBe(303);
    expect(await getStripe().checkout.sessions.retrieve(session.id)).toMatchObject({ payment_status: "paid" });
  });
});
