/**
 * The Stripe client factory: local mode never reaches Stripe (every call lands on the local
 * sandbox's fetch), and the real client is chosen
 * when the Stripe variables are set. Nothing here touches the network.
 */
import Stripe from "stripe";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import {
  LOCAL_STRIPE_WEBHOOK_SECRET,
  STRIPE_API_VERSION,
  createStripeClient,
  getStripe,
  getStripeWebhookSecret,
} from "~/services/stripe/client.server";
import { resetEnvForTests } from "~/utils/env.server";

const STRIPE_VARS = ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"] as const;
let saved: Record<string, string | undefined>;

beforeEach(() => {
  saved = Object.fromEntries(STRIPE_VARS.map((name) => [name, process.env[name]]));
  delete process.env.STRIPE_SECRET_KEY;
  delete process.env.STRIPE_WEBHOOK_SECRET;
  resetEnvForTests();
});

afterEach(() => {
  for (const name of STRIPE_VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  resetEnvForTests();
  vi.restoreAllMocks();
});

test("local mode: calls are answered by the local sandbox, never by api.stripe.com", async () => {
  const networkFetch = vi.spyOn(globalThis, "fetch");
  const stripe = getStripe();

  // An id without the customer prefix is answered without touching the sandbox's database.
  const error = await stripe.customers.retrieve("not_a_customer").then(
    () => null,
    (e: unknown) => e,
  );

  expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  const stripeError = error as Stripe.errors.StripeInvalidRequestError;
  expect(stripeError.statusCode).toBe(404);
  expect(stripeError.code).toBe("resource_missing");
  expect(stripeError.message).toBe("No such customer: 'not_a_customer'");
  expect(stripeError.requestId).toMatch(/^req_/);
  expect(networkFetch).not.toHaveBeenCalled();
});

test("local mode: webhook secret is the fixed development value, and it verifies signatures", () => {
  expect(getStripeWebhookSecret()).toBe(LOCAL_STRIPE_WEBHOOK_SECRET);
  expect(LOCAL_STRIPE_WEBHOOK_SECRET).toMatch(/^whsec_/);

  const payload = JSON.stringify({ id: "evt_1", object: "event", type: "checkout.session.completed" });
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: getStripeWebhookSecret() });
  expect(getStripe().webhooks.constructEvent(payload, header, getStripeWebhookSecret()).id).toBe("evt_1");
});

test("production variables set: the real client is built (constructed only, no request)", () => {
  process.env.STRIPE_SECRET_KEY = "sk_test_51RepayExample";
  process.env.STRIPE_WEBHOOK_SECRET = "whsec_repayExample";
  resetEnvForTests();

  const stripe = getStripe();

  expect(stripe).toBeInstanceOf(Stripe);
  expect(stripe.getApiField("host")).toBe("api.stripe.com");
  expect(stripe.getApiField("protocol")).toBe("https");
  expect(stripe.getApiField("version")).toBe(STRIPE_API_VERSION);
  expect(stripe.getMaxNetworkRetries()).toBe(2);
  expect(getStripeWebhookSecret()).toBe("whsec_repayExample");
});

test("the client is rebuilt when the environment changes", () => {
  const local = getStripe();
  expect(getStripe()).toBe(local);
  process.env.STRIPE_SECRET_KEY = "sk_test_51RepayExample";
  process.env.STRIPE_WEBHOOK_SECRET = "whsec_repayExample";
  resetEnvForTests();
  expect(getStripe()).not.toBe(local);
});

test("a live key is refused outside production", () => {
  process.env.STRIPE_SECRET_KEY = "sk_live_51RepayExample";
  process.env.STRIPE_WEBHOOK_SECRET = "whsec_repayExample";
  resetEnvForTests();
  expect(() => createStripeClient()).toThrow(/live-mode key/);
});

test("the pinned API version is the one stripe 23.1.0 is typed for", () => {
  expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
});
