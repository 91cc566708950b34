/**
 * The Stripe client the app charges with (DESIGN §1 item 6: Stripe only through the `stripe`
 * SDK). With STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET set (env.server.ts checks their form
 * and that they come together) it talks to real Stripe. Without them, the same SDK gets a
 * fetch http client (STACK.md §5) answered in-process by the local sandbox
 * (local-sandbox.server.ts), which keeps customers, Checkout Sessions and PaymentIntents in
 * the database. Either way no local code path can reach api.stripe.com.
 */
import Stripe from "stripe";
import { getEnv, type Env } from "~/utils/env.server";
import { localStripeFetch } from "./local-sandbox.server";

/** The API version this code is written against; pinned so a dashboard upgrade changes nothing. */
export const STRIPE_API_VERSION = "2026-10-28.endive" satisfies Stripe.LatestApiVersion;

/** Signs the local sandbox's webhook events. Not a secret: it only ever exists on a laptop. */
export const LOCAL_STRIPE_WEBHOOK_SECRET = "whsec_repay_local_sandbox_not_a_secret";

/** Keys that only ever reach the local fetch below. */
const LOCAL_STRIPE_KEY = "sk_test_repay_local_sandbox";

const appInfo = (env: Env) => ({ name: "Repay", version: "0.1.0", url: env.APP_URL });

export function createStripeClient(env: Env = getEnv()): Stripe {
  if (env.local.stripe) {
    return new Stripe(LOCAL_STRIPE_KEY, {
      apiVersion: STRIPE_API_VERSION,
      httpClient: Stripe.createFetchHttpClient(localStripeFetch),
      host: "localhost",
      port: env.PORT,
      protocol: "http",
      maxNetworkRetries: 0,
      telemetry: false,
      appInfo: appInfo(env),
    });
  }
  const key = env.STRIPE_SECRET_KEY!;
  if (key.includes("_live_") && !env.isProduction) {
    // A live key on a laptop or a test run would move real money.
    throw new Error("STRIPE_SECRET_KEY is a live-mode key, which is refused outside NODE_ENV=production.");
  }
  return new Stripe(key, { apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 2, telemetry: false, appInfo: appInfo(env) });
}

const globalForStripe = globalThis as unknown as { __repayStripe?: { env: Env; client: Stripe } };

/** The process's Stripe client (rebuilt if tests reset the environment). */
export function getStripe(): Stripe {
  const env = getEnv();
  if (globalForStripe.__repayStripe?.env !== env) {
    globalForStripe.__repayStripe = { env, client: createStripeClient(env) };
  }
  return globalForStripe.__repayStripe.client;
}

/** The secret webhook signatures are checked with: STRIPE_WEBHOOK_SECRET, or the local sandbox's. */
export function getStripeWebhookSecret(): string {
  const env = getEnv();
  return env.local.stripe ? LOCAL_STRIPE_WEBHOOK_SECRET : env.STRIPE_WEBHOOK_SECRET!;
}
