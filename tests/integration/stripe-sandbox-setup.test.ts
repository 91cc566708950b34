/**
 * The local Stripe sandbox's "pay automatically" side through the real `stripe` SDK
 * (decision 001): Checkout Sessions in setup mode and their SetupIntents, saving each kind
 * of test card and the test bank account on the hosted page (through the exported function
 * and through the route module's no-JS form posts), 3D Secure while saving, detaching, and
 * off-session PaymentIntents on the saved methods: succeeded, declined (0341),
 * authentication_required (3184), processing bank debits settled either way, idempotency.
 */
import Stripe from "stripe";
import { describe, expect, test } from "vitest";
import { action as checkoutAction, loader as checkoutLoader } from "~/routes/sandbox.stripe.checkout.$id";
import { getStripe, LOCAL_STRIPE_WEBHOOK_SECRET, STRIPE_API_VERSION } from "~/services/stripe/client.server";
import {
  authenticateSetupCheckoutSession,
  deliverPendingEvents,
  listLocalStripeEvents,
  payCheckoutSession,
  settleProcessingPayments,
  settleProcessingPaymentsByBehaviour,
  setupCheckoutSession,
  type LocalPaymentMethod,
  type PaymentDetails,
} from "~/services/stripe/local-sandbox.server";
import { withEnv } from "../setup/env";
import { call, context, req } from "../setup/routes";

withEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined, APP_URL: "http://localhost:3000" });

const RETURN = "http://localhost:3000/account/a1/autopay/return";
const BANK_SUCCEEDS = { bankAccount: { routingNumber: "110000000", accountNumber: "000123456789" } } as const;
const BANK_FAILS = { bankAccount: { routingNumber: "110000000", accountNumber: "000111111116" } } as const;

const newCustomer = () => getStripe().customers.create({ email: "alex@example.com" });

// Built untyped: API 2026-10-28 names the method types allowed_payment_method_types; the
// sandbox accepts payment_method_types too.
function setupParams(customer: string, overrides: Record<string, unknown> = {}): Stripe.Checkout.SessionCreateParams {
  return {
    mode: "setup",
    customer,
    currency: "usd",
    allowed_payment_method_types: ["card", "us_bank_account"],
    client_reference_id: "auth1",
    metadata: { authorization_id: "auth1", account_id: "a1" },
    setup_intent_data: { metadata: { authorization_id: "auth1" }, description: "Automatic payments to Northwind Lending" },
    success_url: `${RETURN}?session={CHECKOUT_SESSION_ID}`,
    cancel_url: `${RETURN}?cancelled=1`,
    locale: "es",
    ...overrides,
  } as unknown as Stripe.Checkout.SessionCreateParams;
}

async function newSetupSession(overrides: Record<string, unknown> = {}) {
  const customer = await newCustomer();
  const session = await getStripe().checkout.sessions.create(setupParams(customer.id, overrides));
  return { customer: customer.id, session };
}

/** A customer with a method saved on the hosted page. */
async function saved(details: PaymentDetails): Promise<{ customer: string; method: LocalPaymentMethod; sessionId: string }> {
  const { customer, session } = await newSetupSession();
  const outcome = await setupCheckoutSession(session.id, details);
  if (outcome.status === "requires_action") {
    const done = await authenticateSetupCheckoutSession(session.id, "succeeded");
    if (done.status !== "succeeded") throw new Error(`not saved: ${done.status}`);
    return { customer, method: done.paymentMethod, sessionId: session.id };
  }
  if (outcome.status !== "succeeded") throw new Error(`not saved: ${outcome.status}`);
  return { customer, method: outcome.paymentMethod, sessionId: session.id };
}

function chargeParams(customer: string, method: { id: string; type: string }, overrides: Record<string, unknown> = {}): Stripe.PaymentIntentCreateParams {
  return {
    amount: 12_500,
    currency: "usd",
    customer,
    payment_method: method.id,
    payment_method_types: [method.type],
    off_session: true,
    confirm: true,
    metadata: { payment_id: "p1", account_id: "a1", installment_id: "i1" },
    description: "Installment 3 of 12",
    ...overrides,
  } as unknown as Stripe.PaymentIntentCreateParams;
}

async function eventsFor(objectId: string) {
  const all = await listLocalStripeEvents();
  return all.filter((stored) => (stored.event.data.object as { id: string }).id === objectId).reverse();
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

describe("setup-mode Checkout Sessions through the SDK", () => {
  test("create and retrieve: no amount, no payment required, a SetupIntent for the customer", async () => {
    const { customer, session } = await newSetupSession();
    expect(session.id).toMatch(/^cs_test_/);
    expect(session).toMatchObject({
      object: "checkout.session",
      mode: "setup",
      status: "open",
      payment_status: "no_payment_required",
      amount_total: null,
      amount_subtotal: null,
      currency: "usd",
      customer,
      payment_intent: null,
      setup_intent: expect.stringMatching(/^seti_/),
      metadata: { authorization_id: "auth1", account_id: "a1" },
      client_reference_id: "auth1",
      success_url: `${RETURN}?session={CHECKOUT_SESSION_ID}`,
      payment_method_types: ["card", "us_bank_account"],
      url: `http://localhost:3000/sandbox/stripe/checkout/${session.id}`,
      livemode: false,
    });
    expect(session).not.toHaveProperty("_sandbox");

    const read = await getStripe().checkout.sessions.retrieve(session.id);
    const { lastResponse: _read, ...readBody } = read;
    const { lastResponse: _created, ...createdBody } = session;
    expect(readBody).toEqual(createdBody);

    const intent = await getStripe().setupIntents.retrieve(session.setup_intent as string);
    expect(intent).toMatchObject({
      object: "setup_intent",
      status: "requires_payment_method",
      usage: "off_session",
      customer,
      metadata: { authorization_id: "auth1" },
      description: "Automatic payments to Northwind Lending",
      payment_method: null,
      payment_method_types: ["card", "us_bank_account"],
      last_setup_error: null,
      livemode: false,
    });
    expect(intent).not.toHaveProperty("_sandbox");
    expect(intent.lastResponse.apiVersion).toBe(STRIPE_API_VERSION);

    // The older parameter name works too; currency may be left out.
    const older = await getStripe().checkout.sessions.create(setupParams(customer, { allowed_payment_method_types: undefined, payment_method_types: ["card"], currency: undefined }));
    expect(older).toMatchObject({ mode: "setup", currency: null, payment_method_types: ["card"] });
  });

  test("line_items, payment_intent_data and a missing or unknown customer are refused as Stripe refuses them", async () => {
    const customer = await newCustomer();
    const withItems = await rejection(
      getStripe().checkout.sessions.create(
        setupParams(customer.id, { line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 5000, product_data: { name: "x" } } }] }),
      ),
    );
    expect(withItems).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(withItems).toMatchObject({ statusCode: 400, param: "line_items" });
    expect((withItems as Stripe.errors.StripeError).message).toMatch(/line_items.*setup/);

    const withPaymentData = await rejection(getStripe().checkout.sessions.create(setupParams(customer.id, { payment_intent_data: { metadata: { a: "b" } } })));
    expect(withPaymentData).toMatchObject({ statusCode: 400, param: "payment_intent_data" });

    const noCustomer = await rejection(getStripe().checkout.sessions.create(setupParams(customer.id, { customer: undefined })));
    expect(noCustomer).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(noCustomer).toMatchObject({ statusCode: 400, param: "customer", code: "parameter_missing" });

    const unknown = await rejection(getStripe().checkout.sessions.create(setupParams("cus_missing000000")));
    expect(unknown).toMatchObject({ statusCode: 400, param: "customer", code: "resource_missing" });

    const badData = await rejection(getStripe().checkout.sessions.create(setupParams(customer.id, { setup_intent_data: { surprise: "x" } })));
    expect(badData).toMatchObject({ statusCode: 400, param: "setup_intent_data[surprise]", code: "parameter_unknown" });

    const setupDataInPayment = await rejection(
      getStripe().checkout.sessions.create({
        mode: "payment",
        line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 5000, product_data: { name: "x" } } }],
        setup_intent_data: { metadata: { a: "b" } },
        success_url: RETURN,
      } as unknown as Stripe.Checkout.SessionCreateParams),
    );
    expect(setupDataInPayment).toMatchObject({ statusCode: 400, param: "setup_intent_data" });
  });

  test("an expired setup session can no longer save anything", async () => {
    const { session } = await newSetupSession();
    const expired = await getStripe().checkout.sessions.expire(session.id);
    expect(expired).toMatchObject({ mode: "setup", status: "expired", url: null });
    expect(await setupCheckoutSession(session.id, { card: "4242424242424242" })).toEqual({ status: "unavailable", reason: "expired" });
    expect((await eventsFor(session.id)).map((e) => e.type)).toEqual(["checkout.session.expired"]);
  });
});

describe("saving on the hosted page", () => {
  test("4242: attached PaymentMethod, SetupIntent succeeded, session complete; two events in order, signed", async () => {
    const { customer, session } = await newSetupSession();
    const outcome = await setupCheckoutSession(session.id, { card: "4242 4242 4242 4242" });
    expect(outcome).toMatchObject({ status: "succeeded", redirectTo: `${RETURN}?session=${session.id}` });

    const complete = await getStripe().checkout.sessions.retrieve(session.id);
    expect(complete).toMatchObject({ mode: "setup", status: "complete", payment_status: "no_payment_required", setup_intent: session.setup_intent, url: null });
    const intent = await getStripe().setupIntents.retrieve(session.setup_intent as string, { expand: ["payment_method"] });
    expect(intent).toMatchObject({ status: "succeeded", customer, last_setup_error: null });
    const method = intent.payment_method as Stripe.PaymentMethod;
    expect(method).toMatchObject({
      object: "payment_method",
      id: expect.stringMatching(/^pm_/),
      type: "card",
      customer,
      card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: expect.any(Number), funding: "credit" },
    });
    expect(method).not.toHaveProperty("_sandbox");
    expect(await getStripe().paymentMethods.retrieve(method.id)).toMatchObject({ id: method.id, customer });
    // Expanding through the session works too.
    const expanded = await getStripe().checkout.sessions.retrieve(session.id, { expand: ["setup_intent.payment_method"] });
    expect(expanded.setup_intent).toMatchObject({ id: intent.id, payment_method: { id: method.id, type: "card" } });

    const intentEvents = await eventsFor(intent.id);
    const sessionEvents = await eventsFor(session.id);
    expect(intentEvents.map((e) => e.type)).toEqual(["setup_intent.succeeded"]);
    expect(sessionEvents.map((e) => e.type)).toEqual(["checkout.session.completed"]);
    expect(sessionEvents[0]!.event.data.object).toMatchObject({ mode: "setup", status: "complete", setup_intent: intent.id, customer });
    expect(sessionEvents[0]!.event.data.object).not.toHaveProperty("_sandbox");
    expect(intentEvents[0]!.event.data.object).toMatchObject({ status: "succeeded", payment_method: method.id });

    const received: Stripe.Event[] = [];
    const result = await deliverPendingEvents({
      deliver: async (payload, header) => {
        received.push(await getStripe().webhooks.constructEventAsync(payload, header, LOCAL_STRIPE_WEBHOOK_SECRET));
        return { status: 200 };
      },
    });
    expect(result.failed).toBe(0);
    const order = received.map((e) => e.id);
    expect(order.indexOf(intentEvents[0]!.id)).toBeGreaterThanOrEqual(0);
    expect(order.indexOf(intentEvents[0]!.id)).toBeLessThan(order.indexOf(sessionEvents[0]!.id));
    expect(received.find((e) => e.id === sessionEvents[0]!.id)?.type).toBe("checkout.session.completed");

    // Saving again: the session is complete.
    expect(await setupCheckoutSession(session.id, { card: "4242424242424242" })).toEqual({ status: "unavailable", reason: "complete" });
  });

  test.each([
    { card: "5555 5555 5555 4444", brand: "mastercard", last4: "4444" },
    { card: "4000 0000 0000 0341", brand: "visa", last4: "0341" },
  ])("$card is saved", async ({ card, brand, last4 }) => {
    const { customer, session } = await newSetupSession();
    const outcome = await setupCheckoutSession(session.id, { card });
    expect(outcome).toMatchObject({ status: "succeeded", paymentMethod: { customer, type: "card", card: { brand, last4 } } });
    expect(await getStripe().checkout.sessions.retrieve(session.id)).toMatchObject({ status: "complete" });
  });

  test.each([
    { card: "4000 0000 0000 0002", code: "card_declined", declineCode: "generic_decline" },
    { card: "4000 0000 0000 9995", code: "card_declined", declineCode: "insufficient_funds" },
    { card: "4000 0000 0000 9987", code: "card_declined", declineCode: "lost_card" },
    { card: "4000 0000 0000 0069", code: "expired_card", declineCode: "expired_card" },
  ])("$card is declined: setup_failed, the session stays open, another card is saved", async ({ card, code, declineCode }) => {
    const { customer, session } = await newSetupSession();
    const outcome = await setupCheckoutSession(session.id, { card });
    expect(outcome).toMatchObject({ status: "declined", code, declineCode });
    const intent = await getStripe().setupIntents.retrieve(session.setup_intent as string);
    expect(intent).toMatchObject({
      status: "requires_payment_method",
      payment_method: null,
      last_setup_error: { type: "card_error", code, decline_code: declineCode, payment_method: { type: "card", customer: null } },
    });
    expect((await eventsFor(intent.id)).map((e) => e.type)).toEqual(["setup_intent.setup_failed"]);
    expect(await getStripe().checkout.sessions.retrieve(session.id)).toMatchObject({ status: "open" });
    expect(await eventsFor(session.id)).toEqual([]);

    const retried = await setupCheckoutSession(session.id, { card: "4242424242424242" });
    expect(retried).toMatchObject({ status: "succeeded", setupIntent: { id: intent.id, status: "succeeded", last_setup_error: null }, paymentMethod: { customer } });
  });

  test("3D Secure while saving (3155): requires_action, a failed step declines, a completed one saves", async () => {
    const { customer, session } = await newSetupSession();
    const waiting = await setupCheckoutSession(session.id, { card: "4000 0025 0000 3155" });
    expect(waiting).toMatchObject({ status: "requires_action", setupIntent: { status: "requires_action", next_action: { type: "use_stripe_sdk" } } });
    expect(await getStripe().setupIntents.retrieve(session.setup_intent as string)).toMatchObject({ status: "requires_action" });
    expect((await eventsFor(session.setup_intent as string)).map((e) => e.type)).toEqual(["setup_intent.requires_action"]);

    expect(await authenticateSetupCheckoutSession(session.id, "failed")).toMatchObject({ status: "declined", code: "setup_intent_authentication_failure" });
    expect(await authenticateSetupCheckoutSession(session.id, "succeeded")).toMatchObject({ status: "invalid" });
    expect(await getStripe().checkout.sessions.retrieve(session.id)).toMatchObject({ status: "open" });

    expect(await setupCheckoutSession(session.id, { card: "4000002500003155" })).toMatchObject({ status: "requires_action" });
    const done = await authenticateSetupCheckoutSession(session.id, "succeeded");
    expect(done).toMatchObject({ status: "succeeded", paymentMethod: { customer, card: { last4: "3155" } } });
    expect((await eventsFor(session.setup_intent as string)).map((e) => e.type)).toEqual([
      "setup_intent.requires_action",
      "setup_intent.setup_failed",
      "setup_intent.requires_action",
      "setup_intent.succeeded",
    ]);
    expect((await eventsFor(session.id)).map((e) => e.type)).toEqual(["checkout.session.completed"]);
  });

  test("3D Secure while saving (3184), then saved", async () => {
    const { customer, session } = await newSetupSession();
    expect(await setupCheckoutSession(session.id, { card: "4000 0027 6000 3184" })).toMatchObject({ status: "requires_action" });
    expect(await authenticateSetupCheckoutSession(session.id, "succeeded")).toMatchObject({ status: "succeeded", paymentMethod: { customer, card: { last4: "3184" } } });
  });

  test("the test bank account is saved at once, with a mandate", async () => {
    const { customer, session } = await newSetupSession();
    const outcome = await setupCheckoutSession(session.id, BANK_SUCCEEDS);
    expect(outcome).toMatchObject({ status: "succeeded", redirectTo: `${RETURN}?session=${session.id}` });
    const intent = await getStripe().setupIntents.retrieve(session.setup_intent as string);
    expect(intent).toMatchObject({ status: "succeeded", mandate: expect.stringMatching(/^mandate_/) });
    expect(await getStripe().mandates.retrieve(intent.mandate as string)).toMatchObject({ status: "active", type: "multi_use", payment_method: intent.payment_method });
    expect(await getStripe().paymentMethods.retrieve(intent.payment_method as string)).toMatchObject({
      type: "us_bank_account",
      customer,
      us_bank_account: { bank_name: "STRIPE TEST BANK", last4: "6789", routing_number: "110000000" },
    });
  });

  test("invalid input saves nothing; each mode's function refuses the other mode", async () => {
    const { session } = await newSetupSession({ allowed_payment_method_types: ["card"] });
    expect(await setupCheckoutSession(session.id, { card: "1234" })).toMatchObject({ status: "invalid", field: "card" });
    expect(await setupCheckoutSession(session.id, BANK_SUCCEEDS)).toMatchObject({ status: "invalid", field: "accountNumber" });
    expect(await setupCheckoutSession("cs_test_nope00000000", { card: "4242424242424242" })).toEqual({ status: "unavailable", reason: "missing" });
    expect(await payCheckoutSession(session.id, { card: "4242424242424242" })).toMatchObject({ status: "invalid" });
    expect(await getStripe().setupIntents.retrieve(session.setup_intent as string)).toMatchObject({ status: "requires_payment_method", payment_method: null });

    const payment = await getStripe().checkout.sessions.create({
      mode: "payment",
      line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 5000, product_data: { name: "x" } } }],
      success_url: RETURN,
    });
    expect(await setupCheckoutSession(payment.id, { card: "4242424242424242" })).toMatchObject({ status: "invalid" });
    expect(await getStripe().checkout.sessions.retrieve(payment.id)).toMatchObject({ status: "open" });
  });
});

describe("the hosted page route in setup mode", () => {
  const path = (id: string) => `/sandbox/stripe/checkout/${id}`;
  const post = (id: string, form: Record<string, string>) => call(() => checkoutAction({ request: req(path(id), { method: "POST", form }), params: { id }, context }));
  const get = (id: string) => call(() => checkoutLoader({ request: req(path(id)), params: { id }, context }));

  test("GET shows no amount, the description, cards and bank accounts", async () => {
    const { session } = await newSetupSession();
    const page = await get(session.id);
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({
      view: "open",
      mode: "setup",
      title: "Save a payment method",
      amountText: null,
      item: "Automatic payments to Northwind Lending",
      acceptsCard: true,
      acceptsBank: true,
      lastError: null,
    });
    const remote = await call(() => checkoutLoader({ request: req(path(session.id)), params: { id: session.id }, context: { ...context, isLoopback: false } }));
    expect(remote.status).toBe(404);
  });

  test("POST a card (the no-JS form): 303 to the success URL, then the page says saved", async () => {
    const { customer, session } = await newSetupSession();
    const saved = await post(session.id, { intent: "card", card: "4242 4242 4242 4242" });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe(`${RETURN}?session=${session.id}`);
    const intent = await getStripe().setupIntents.retrieve(session.setup_intent as string);
    expect(intent).toMatchObject({ status: "succeeded" });
    expect(await getStripe().paymentMethods.retrieve(intent.payment_method as string)).toMatchObject({ customer });
    expect((await get(session.id)).data).toMatchObject({ view: "complete", successUrl: `${RETURN}?session=${session.id}` });
    const again = await post(session.id, { intent: "card", card: "4242424242424242" });
    expect(again.status).toBe(303);
    expect(again.headers.get("Location")).toBe(path(session.id));
  });

  test("POST a 3D Secure card: the page asks for authentication, completing it saves", async () => {
    const { session } = await newSetupSession();
    const asked = await post(session.id, { intent: "card", card: "4000 0027 6000 3184" });
    expect(asked.status).toBe(303);
    expect(asked.headers.get("Location")).toBe(path(session.id));
    expect((await get(session.id)).data).toMatchObject({ view: "authenticate", mode: "setup" });
    const done = await post(session.id, { intent: "authenticate_complete" });
    expect(done.status).toBe(303);
    expect(done.headers.get("Location")).toBe(`${RETURN}?session=${session.id}`);
    expect(await getStripe().checkout.sessions.retrieve(session.id)).toMatchObject({ status: "complete" });
  });

  test("POST a declined card: 400 with Stripe's message, shown again on the page; a junk number saves nothing", async () => {
    const { session } = await newSetupSession();
    const declined = await post(session.id, { intent: "card", card: "4000000000000002" });
    expect(declined.status).toBe(400);
    expect(declined.data).toEqual({ problem: { field: "card", message: "Your card was declined.", declined: true } });
    expect((await get(session.id)).data).toMatchObject({ view: "open", lastError: "Your card was declined." });
    const junk = await post(session.id, { intent: "card", card: "1234 abcd" });
    expect(junk.status).toBe(400);
    expect(junk.data).toEqual({ problem: { field: "card", message: "Your card number is invalid.", declined: false } });
    expect(await getStripe().checkout.sessions.retrieve(session.id)).toMatchObject({ status: "open" });
  });

  test("POST the test bank account: saved at once, 303 to the success URL", async () => {
    const { customer, session } = await newSetupSession();
    const saved = await post(session.id, { intent: "bank", routingNumber: "110000000", accountNumber: "000111111116" });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe(`${RETURN}?session=${session.id}`);
    const intent = await getStripe().setupIntents.retrieve(session.setup_intent as string, { expand: ["payment_method"] });
    expect(intent.payment_method).toMatchObject({ type: "us_bank_account", customer, us_bank_account: { last4: "1116" } });
    expect((await get(session.id)).data).toMatchObject({ view: "complete" });
  });
});

describe("detaching a saved method", () => {
  test("detach: customer null, payment_method.detached; not attached any more is a 400", async () => {
    const { customer, method } = await saved({ card: "4242424242424242" });
    const detached = await getStripe().paymentMethods.detach(method.id);
    expect(detached).toMatchObject({ id: method.id, object: "payment_method", customer: null });
    expect(detached).not.toHaveProperty("_sandbox");
    expect(await getStripe().paymentMethods.retrieve(method.id)).toMatchObject({ id: method.id, customer: null, card: { last4: "4242" } });
    const events = await eventsFor(method.id);
    expect(events.map((e) => e.type)).toEqual(["payment_method.detached"]);
    expect(events[0]!.event.data).toMatchObject({ object: { customer: null }, previous_attributes: { customer } });

    const again = await rejection(getStripe().paymentMethods.detach(method.id));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again).toMatchObject({ statusCode: 400 });
    expect((again as Stripe.errors.StripeError).message).toMatch(/not attached to a customer/);
    const missing = await rejection(getStripe().paymentMethods.detach("pm_doesnotexist000"));
    expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing" });
  });
});

describe("off-session charges on a saved method", () => {
  test("a saved card: succeeded at once, one payment_intent.succeeded carrying the request", async () => {
    const { customer, method } = await saved({ card: "4242424242424242" });
    const intent = await getStripe().paymentIntents.create(chargeParams(customer, method), { idempotencyKey: "charge/i1/1" });
    expect(intent).toMatchObject({
      object: "payment_intent",
      id: expect.stringMatching(/^pi_/),
      status: "succeeded",
      amount: 12_500,
      amount_received: 12_500,
      currency: "usd",
      customer,
      payment_method: method.id,
      payment_method_types: ["card"],
      metadata: { payment_id: "p1", account_id: "a1", installment_id: "i1" },
      description: "Installment 3 of 12",
      latest_charge: expect.stringMatching(/^ch_/),
      last_payment_error: null,
    });
    expect(intent).not.toHaveProperty("_sandbox");
    expect(await getStripe().paymentIntents.retrieve(intent.id)).toMatchObject({ status: "succeeded", amount_received: 12_500 });
    const events = await eventsFor(intent.id);
    expect(events.map((e) => e.type)).toEqual(["payment_intent.succeeded"]);
    expect(events[0]!.event).toMatchObject({ request: { id: intent.lastResponse.requestId, idempotency_key: "charge/i1/1" }, data: { object: { metadata: { installment_id: "i1" } } } });

    const listed = await getStripe().paymentIntents.list({ customer });
    expect(listed.data.map((pi) => pi.id)).toEqual([intent.id]);
  });

  test("3155 saved after 3D Secure: later off-session charges succeed", async () => {
    const { customer, method } = await saved({ card: "4000002500003155" });
    expect(await getStripe().paymentIntents.create(chargeParams(customer, method))).toMatchObject({ status: "succeeded" });
  });

  test("0341: StripeCardError card_declined / generic_decline with the PaymentIntent; stored requires_payment_method", async () => {
    const { customer, method } = await saved({ card: "4000000000000341" });
    const error = await rejection(getStripe().paymentIntents.create(chargeParams(customer, method), { idempotencyKey: "charge/i2/1" }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    const card = error as Stripe.errors.StripeCardError;
    expect(card).toMatchObject({ statusCode: 402, code: "card_declined", decline_code: "generic_decline", rawType: "card_error" });
    expect(card.message).toBe("Your card was declined.");
    const raw = card.raw as { payment_intent: { id: string; status: string }; payment_method: { id: string } };
    expect(raw.payment_intent).toMatchObject({ id: expect.stringMatching(/^pi_/), status: "requires_payment_method" });
    expect(raw.payment_intent).not.toHaveProperty("_sandbox");
    expect(raw.payment_method).toMatchObject({ id: method.id });
    expect(raw.payment_method).not.toHaveProperty("_sandbox");
    expect(card.payment_intent?.id).toBe(raw.payment_intent.id);

    const stored = await getStripe().paymentIntents.retrieve(raw.payment_intent.id);
    expect(stored).toMatchObject({
      status: "requires_payment_method",
      amount_received: 0,
      last_payment_error: { type: "card_error", code: "card_declined", decline_code: "generic_decline" },
      metadata: { installment_id: "i1" },
    });
    expect((await eventsFor(stored.id)).map((e) => e.type)).toEqual(["payment_intent.payment_failed"]);

    // The same key again: the same stored 402, no second charge or event.
    const replay = await rejection(getStripe().paymentIntents.create(chargeParams(customer, method), { idempotencyKey: "charge/i2/1" }));
    expect(replay).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect((replay as Stripe.errors.StripeCardError).payment_intent?.id).toBe(stored.id);
    expect((await eventsFor(stored.id)).length).toBe(1);
  });

  test("3184: authentication_required, stored requires_payment_method", async () => {
    const { customer, method } = await saved({ card: "4000002760003184" });
    const error = await rejection(getStripe().paymentIntents.create(chargeParams(customer, method)));
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ statusCode: 402, code: "authentication_required", decline_code: "authentication_required" });
    const piId = (error as Stripe.errors.StripeCardError).payment_intent?.id as string;
    expect(await getStripe().paymentIntents.retrieve(piId)).toMatchObject({
      status: "requires_payment_method",
      last_payment_error: { code: "authentication_required", decline_code: "authentication_required" },
    });
    expect((await eventsFor(piId)).map((e) => e.type)).toEqual(["payment_intent.payment_failed"]);
  });

  test("bank debits stay processing, then settle as their accounts say", async () => {
    const good = await saved(BANK_SUCCEEDS);
    const bad = await saved(BANK_FAILS);
    const first = await getStripe().paymentIntents.create(chargeParams(good.customer, good.method));
    const second = await getStripe().paymentIntents.create(chargeParams(bad.customer, bad.method));
    for (const intent of [first, second]) {
      expect(intent).toMatchObject({ status: "processing", amount_received: 0, payment_method_types: ["us_bank_account"] });
      expect((await eventsFor(intent.id)).map((e) => e.type)).toEqual(["payment_intent.processing"]);
    }

    const settled = await settleProcessingPaymentsByBehaviour();
    expect(settled).toEqual({ succeeded: [first.id], failed: [second.id] });
    expect(await getStripe().paymentIntents.retrieve(first.id)).toMatchObject({ status: "succeeded", amount_received: 12_500 });
    expect(await getStripe().paymentIntents.retrieve(second.id)).toMatchObject({ status: "requires_payment_method", last_payment_error: { code: "no_account" } });
    expect((await eventsFor(first.id)).map((e) => e.type)).toEqual(["payment_intent.processing", "payment_intent.succeeded"]);
    expect((await eventsFor(second.id)).map((e) => e.type)).toEqual(["payment_intent.processing", "payment_intent.payment_failed"]);
    expect(await settleProcessingPaymentsByBehaviour()).toEqual({ succeeded: [], failed: [] });
  });

  test("settleProcessingPayments with a forced outcome settles off-session debits too", async () => {
    const { customer, method } = await saved(BANK_SUCCEEDS);
    const one = await getStripe().paymentIntents.create(chargeParams(customer, method, { amount: 5_000 }));
    const two = await getStripe().paymentIntents.create(chargeParams(customer, method, { amount: 6_000 }));
    expect(await settleProcessingPayments({ outcome: "failed", paymentIntentId: one.id })).toEqual([one.id]);
    expect(await getStripe().paymentIntents.retrieve(one.id)).toMatchObject({ status: "requires_payment_method", last_payment_error: { code: "insufficient_funds" } });
    expect(await settleProcessingPayments({ outcome: "succeeded" })).toEqual([two.id]);
    expect(await getStripe().paymentIntents.retrieve(two.id)).toMatchObject({ status: "succeeded", amount_received: 6_000 });
    expect((await eventsFor(two.id)).map((e) => e.type)).toEqual(["payment_intent.processing", "payment_intent.succeeded"]);
  });

  test("idempotency: the same key twice is one PaymentIntent and one event; another amount is StripeIdempotencyError", async () => {
    const { customer, method } = await saved({ card: "5555555555554444" });
    const key = "charge/3f1c9a52-6d0e-4c7b-9a51-2b8f0e4d7c11/1";
    const first = await getStripe().paymentIntents.create(chargeParams(customer, method), { idempotencyKey: key });
    const second = await getStripe().paymentIntents.create(chargeParams(customer, method), { idempotencyKey: key });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.idempotencyKey).toBe(key);
    expect((await eventsFor(first.id)).length).toBe(1);
    expect((await getStripe().paymentIntents.list({ customer })).data.map((pi) => pi.id)).toEqual([first.id]);

    const other = await rejection(getStripe().paymentIntents.create(chargeParams(customer, method, { amount: 99_00 }), { idempotencyKey: key }));
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((await getStripe().paymentIntents.list({ customer })).data.length).toBe(1);
  });

  test("refused like Stripe: bad amount or currency, unknown ids, a detached method, another customer's method", async () => {
    const { customer, method } = await saved({ card: "4242424242424242" });
    const other = await saved({ card: "4242424242424242" });
    const expectInvalid = async (params: Stripe.PaymentIntentCreateParams, param: string, statusCode = 400) => {
      const error = await rejection(getStripe().paymentIntents.create(params));
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ statusCode, param });
      return error as Stripe.errors.StripeInvalidRequestError;
    };

    expect(await expectInvalid(chargeParams(customer, method, { amount: 49 }), "amount")).toMatchObject({ code: "amount_too_small" });
    await expectInvalid(chargeParams(customer, method, { amount: "12.5" }), "amount");
    await expectInvalid(chargeParams(customer, method, { currency: undefined }), "currency");
    expect(await expectInvalid(chargeParams("cus_missing000000", method), "customer")).toMatchObject({ code: "resource_missing" });
    expect(await expectInvalid(chargeParams(customer, { id: "pm_missing00000000", type: "card" }), "payment_method")).toMatchObject({ code: "resource_missing" });
    await expectInvalid(chargeParams(customer, other.method), "payment_method");
    await expectInvalid(chargeParams(customer, method, { payment_method_types: ["us_bank_account"] }), "payment_method");
    await expectInvalid(chargeParams(customer, method, { customer: undefined }), "customer");
    await expectInvalid(chargeParams(customer, method, { confirm: false }), "off_session");

    await getStripe().paymentMethods.detach(method.id);
    const detached = await expectInvalid(chargeParams(customer, method), "payment_method");
    expect(detached.message).toMatch(/detached from a Customer/);

    // A card paid with in a payment-mode Checkout is not saved, so it cannot be charged again.
    const payment = await getStripe().checkout.sessions.create({
      mode: "payment",
      customer,
      line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 5000, product_data: { name: "x" } } }],
      success_url: RETURN,
    });
    const paid = await payCheckoutSession(payment.id, { card: "4242424242424242" });
    if (paid.status !== "succeeded") throw new Error("not paid");
    await expectInvalid(chargeParams(customer, { id: paid.paymentIntent.payment_method as string, type: "card" }), "payment_method");

    // Nothing was charged by any of them.
    expect((await getStripe().paymentIntents.list({ customer, limit: 100 })).data.map((pi) => pi.id)).toEqual([paid.paymentIntent.id]);
  });
});
