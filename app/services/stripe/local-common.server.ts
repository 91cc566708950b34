/**
 * What the local Stripe sandbox's modules share (decision 001): the stored objects' types,
 * their storage in app.local_stripe_objects (through api.local_stripe_object_*), errors in
 * Stripe's shape, the request-parameter checks, the Checkout Session helpers the hosted page
 * and the API both use, and Stripe's documented test card numbers and bank accounts with
 * what the sandbox does for each. local-sandbox.server.ts answers the SDK; local-setup and
 * local-charges hold setup mode and off-session charging.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { rpc } from "~/services/supabase/rpc.server";
import { emitLocalStripeEvent, localStripeId, scheduleLocalEventDelivery, unixNow, type LocalStripeEventRequest } from "./local-events.server";

export type Json = Record<string, unknown>;
export type Params = Record<string, unknown>;

// --- Stored objects ----------------------------------------------------------------------

interface CheckoutSessionBase {
  id: string;
  object: "checkout.session";
  allowed_payment_method_types: string[] | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  customer: string | null;
  customer_email: string | null;
  expires_at: number;
  livemode: false;
  locale: string | null;
  metadata: Record<string, string>;
  payment_method_types: string[];
  status: "open" | "complete" | "expired";
  success_url: string;
  url: string | null;
}

/** A Checkout Session in payment mode: one payment of its line items' total. */
export interface LocalPaymentCheckoutSession extends CheckoutSessionBase {
  mode: "payment";
  amount_subtotal: number;
  amount_total: number;
  currency: string;
  payment_intent: string | null;
  payment_status: "paid" | "unpaid";
  setup_intent: null;
  /** Private to the sandbox; never sent to the SDK or in events. */
  _sandbox: {
    line_items: Array<{ name: string; unit_amount: number; quantity: number }>;
    payment_intent_metadata: Record<string, string>;
    /** The PaymentIntent of the attempts so far (Checkout retries on the same one). */
    attempt_payment_intent: string | null;
  };
}

/** A Checkout Session in setup mode: saves a payment method for the customer, charges nothing. */
export interface LocalSetupCheckoutSession extends CheckoutSessionBase {
  mode: "setup";
  amount_subtotal: null;
  amount_total: null;
  currency: string | null;
  payment_intent: null;
  payment_status: "no_payment_required";
  /** Created with the session; the hosted page confirms it. */
  setup_intent: string;
  _sandbox: { description: string | null };
}

export type LocalCheckoutSession = LocalPaymentCheckoutSession | LocalSetupCheckoutSession;

export interface LocalPaymentError {
  type: "card_error" | "invalid_request_error";
  code: string;
  decline_code?: string;
  message: string;
  charge?: string;
  doc_url?: string;
  payment_method?: Json;
}

/** How a bank debit from a test account settles (LOCAL_TEST_BANK_ACCOUNTS). */
export interface LocalBankSettlement {
  outcome: "succeed" | "fail";
  code?: string;
  message?: string;
}

export interface LocalPaymentIntent {
  id: string;
  object: "payment_intent";
  allowed_payment_method_types?: string[] | null;
  amount: number;
  amount_capturable: number;
  amount_received: number;
  capture_method: "automatic_async";
  client_secret: string;
  confirmation_method: "automatic";
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  last_payment_error: LocalPaymentError | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Record<string, string>;
  next_action: Json | null;
  payment_method: string | null;
  payment_method_types: string[];
  status: "requires_payment_method" | "requires_confirmation" | "requires_action" | "processing" | "succeeded" | "canceled";
  /** The session that made it (payment mode); how a processing bank debit settles. */
  _sandbox?: { checkout_session?: string; settles_as?: LocalBankSettlement };
}

/** What a saved payment method does when it is charged off-session (the card or account's documented behaviour). */
export type LocalChargeBehaviour =
  | { kind: "card"; outcome: "succeed" }
  | { kind: "card"; outcome: "decline"; code: string; decline_code: string; message: string }
  | { kind: "card"; outcome: "authentication_required" }
  | { kind: "bank"; settles_as: LocalBankSettlement };

export interface LocalPaymentMethod {
  id: string;
  object: "payment_method";
  allow_redisplay: "always" | "limited" | "unspecified";
  billing_details: { address: null; email: string | null; name: string | null; phone: null; tax_id: null };
  card?: {
    brand: string;
    checks: { address_line1_check: null; address_postal_code_check: null; cvc_check: "pass" | null };
    country: string;
    display_brand: string;
    exp_month: number;
    exp_year: number;
    fingerprint: string;
    funding: "credit";
    generated_from: null;
    last4: string;
    networks: { available: string[]; preferred: null };
    regulated_status: "unregulated";
    three_d_secure_usage: { supported: true };
    wallet: null;
  };
  us_bank_account?: {
    account_holder_type: "individual";
    account_type: "checking";
    bank_name: string;
    financial_connections_account: null;
    fingerprint: string;
    last4: string;
    networks: { preferred: "ach"; supported: ["ach"] };
    routing_number: string;
    status_details: null;
  };
  created: number;
  customer: string | null;
  customer_account: null;
  livemode: false;
  metadata: Record<string, string>;
  type: "card" | "us_bank_account";
  _sandbox?: { charges: LocalChargeBehaviour };
}

export interface LocalSetupError {
  type: "card_error" | "invalid_request_error";
  code: string;
  decline_code?: string;
  message: string;
  doc_url?: string;
  payment_method?: Json;
}

export interface LocalSetupIntent {
  id: string;
  object: "setup_intent";
  allowed_payment_method_types: string[] | null;
  application: null;
  automatic_payment_methods: null;
  cancellation_reason: null;
  client_secret: string;
  created: number;
  customer: string;
  customer_account: null;
  description: string | null;
  excluded_payment_method_types: null;
  flow_directions: null;
  last_setup_error: LocalSetupError | null;
  latest_attempt: string | null;
  livemode: false;
  mandate: string | null;
  metadata: Record<string, string>;
  next_action: Json | null;
  on_behalf_of: null;
  payment_method: string | null;
  payment_method_configuration_details: null;
  payment_method_options: Json;
  payment_method_types: string[];
  single_use_mandate: null;
  status: "requires_payment_method" | "requires_confirmation" | "requires_action" | "processing" | "succeeded" | "canceled";
  usage: "off_session" | "on_session";
  _sandbox: { checkout_session: string };
}

// --- Storage -----------------------------------------------------------------------------

const ObjectSchema = z.record(z.string(), z.unknown());

export async function getObject<T>(id: string): Promise<T | null> {
  return (await rpc("local_stripe_object_get", { p_id: id }, ObjectSchema.nullable())) as T | null;
}

/** Stores an object; with `expect`, only over a stored one whose JSON contains it (compare-and-set). */
export async function putObject(object: { id: string; object: string }, expect: Json | null = null): Promise<boolean> {
  return rpc("local_stripe_object_put", { p_id: object.id, p_object: object.object, p_data: object, p_expect: expect }, z.boolean());
}

export async function listObjects<T>(object: string, filter: Json | null = null, limit = 100): Promise<T[]> {
  return (await rpc("local_stripe_object_list", { p_object: object, p_filter: filter, p_limit: limit }, z.array(ObjectSchema))) as T[];
}

// --- Errors in Stripe's shape ------------------------------------------------------------

export interface StripeErrorBody {
  type: string;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  charge?: string;
  doc_url?: string;
  payment_intent?: Json;
  payment_method?: Json;
  setup_intent?: Json;
}

export class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

export const invalid = (param: string, message: string, code = "parameter_invalid_empty") =>
  new StripeHttpError(400, { type: "invalid_request_error", code, param, message });

/** 404 for the object a URL names; 400 for one a parameter names (as Stripe answers). */
export const missingObject = (kind: string, id: string, param = "id") =>
  new StripeHttpError(param === "id" ? 404 : 400, { type: "invalid_request_error", code: "resource_missing", param, message: `No such ${kind}: '${id}'` });

export const docUrl = (code: string) => `https://stripe.com/docs/error-codes/${code.replaceAll("_", "-")}`;

// --- Parameters --------------------------------------------------------------------------

/** One API call as the router sees it. */
export interface Call {
  method: string;
  path: string[];
  params: Params;
  request: LocalStripeEventRequest;
}

export const isRecord = (value: unknown): value is Params => typeof value === "object" && value !== null && !Array.isArray(value);

export function rejectUnknown(params: Params, allowed: readonly string[], prefix = "") {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) {
      const param = prefix ? `${prefix}[${key}]` : key;
      throw invalid(param, `Received unknown parameter: ${param}`, "parameter_unknown");
    }
  }
}

export function optionalString(params: Params, key: string, param = key, max = 5000): string | null {
  const value = params[key];
  if (value === undefined || value === "") return null;
  if (typeof value !== "string") throw invalid(param, `Invalid string: ${param}`, "parameter_invalid_string");
  if (value.length > max) throw invalid(param, `Invalid string: ${param} must be at most ${max} characters`, "parameter_invalid_string");
  return value;
}

export function requiredString(params: Params, key: string, param = key): string {
  const value = optionalString(params, key, param);
  if (value === null) throw invalid(param, `Missing required param: ${param}.`, "parameter_missing");
  return value;
}

export function integer(params: Params, key: string, param: string, min: number): number {
  const value = params[key];
  if (value === undefined || value === "") throw invalid(param, `Missing required param: ${param}.`, "parameter_missing");
  if (typeof value !== "string" || !/^-?\d+$/.test(value)) throw invalid(param, `Invalid integer: ${String(value)}`, "parameter_invalid_integer");
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < min) {
    throw invalid(param, `Invalid integer: ${param} must be at least ${min}`, "parameter_invalid_integer");
  }
  return number;
}

/** A boolean parameter as the SDK sends it ("true"/"false"); null when absent. */
export function optionalBoolean(params: Params, key: string): boolean | null {
  const value = params[key];
  if (value === undefined || value === "") return null;
  if (value === "true") return true;
  if (value === "false") return false;
  throw invalid(key, `Invalid boolean: ${String(value)}`, "parameter_invalid_boolean");
}

/** Stripe's metadata rules: up to 50 keys, keys up to 40 characters, values up to 500. */
export function metadata(value: unknown, param: string): Record<string, string> {
  if (value === undefined || value === "") return {};
  if (!isRecord(value)) throw invalid(param, `Invalid object: ${param}`, "parameter_invalid_object");
  const entries = Object.entries(value);
  if (entries.length > 50) throw invalid(param, "Metadata can have up to 50 keys.");
  const out: Record<string, string> = {};
  for (const [key, item] of entries) {
    if (key.length > 40) throw invalid(`${param}[${key}]`, "Metadata keys can be up to 40 characters long.");
    if (typeof item !== "string") throw invalid(`${param}[${key}]`, `Invalid string: ${param}[${key}]`, "parameter_invalid_string");
    if (item.length > 500) throw invalid(`${param}[${key}]`, "Metadata values can be up to 500 characters long.");
    if (item !== "") out[key] = item;
  }
  return out;
}

export function stringList(value: unknown, param: string): string[] {
  if (value === undefined || value === "") return [];
  const list = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [value];
  if (!list.every((item): item is string => typeof item === "string")) throw invalid(param, `Invalid array: ${param}`, "parameter_invalid_array");
  return list;
}

export function url(params: Params, key: string, required: boolean): string | null {
  const value = required ? requiredString(params, key) : optionalString(params, key);
  if (value === null) return null;
  if (!/^https?:\/\/[^\s]+$/i.test(value) || !URL.canParse(value.replaceAll("{CHECKOUT_SESSION_ID}", "x"))) {
    throw invalid(key, "Not a valid URL", "url_invalid");
  }
  return value;
}

export const PAYMENT_METHOD_TYPES = ["card", "us_bank_account"] as const;

/**
 * The payment method types a request names: API 2026-10-28 calls the parameter
 * allowed_payment_method_types, older versions payment_method_types; both are accepted.
 */
export function paymentMethodTypes(params: Params): { param: string; types: string[] } {
  const param = params.allowed_payment_method_types !== undefined ? "allowed_payment_method_types" : "payment_method_types";
  const types = stringList(params[param], param);
  for (const type of types) {
    if (!(PAYMENT_METHOD_TYPES as readonly string[]).includes(type)) {
      throw invalid(param, `The payment method type "${type}" is invalid or not supported by the local sandbox.`, "parameter_invalid_string");
    }
  }
  return { param, types };
}

// --- Checkout Sessions -------------------------------------------------------------------

/** Expires an open session whose `expires_at` has passed (Stripe does this on its own clock). */
export async function expireIfDue(session: LocalCheckoutSession, force = false): Promise<LocalCheckoutSession> {
  if (session.status !== "open" || (!force && session.expires_at > unixNow())) return session;
  const expired: LocalCheckoutSession = { ...session, status: "expired", url: null };
  if (await putObject(expired, { status: "open" })) {
    await emitLocalStripeEvent("checkout.session.expired", expired);
    scheduleLocalEventDelivery();
    return expired;
  }
  return (await getObject<LocalCheckoutSession>(session.id)) ?? session;
}

/** The session as the hosted page shows it (expired if due), or null. */
export async function getLocalCheckoutSession(id: string): Promise<LocalCheckoutSession | null> {
  if (!/^cs_test_[A-Za-z0-9]{8,100}$/.test(id)) return null;
  const session = await getObject<LocalCheckoutSession>(id);
  return session ? expireIfDue(session) : null;
}

export type Unavailable = { status: "unavailable"; reason: "missing" | "complete" | "expired" };

/** The session if it can still be paid or saved; otherwise why not. */
export async function openSession(sessionId: string): Promise<LocalCheckoutSession | Unavailable> {
  const session = await getLocalCheckoutSession(sessionId);
  if (!session) return { status: "unavailable", reason: "missing" };
  if (session.status !== "open") return { status: "unavailable", reason: session.status };
  return session;
}

export function successUrl(session: LocalCheckoutSession): string {
  return session.success_url.replaceAll("{CHECKOUT_SESSION_ID}", session.id);
}

// --- Test cards and bank accounts ---------------------------------------------------------

type CardDecline = { code: string; decline_code: string; message: string };

interface TestCard {
  brand: string;
  /** Paying on the page (payment mode). */
  outcome: "succeed" | "decline" | "authenticate";
  code?: string;
  decline_code?: string;
  message?: string;
  /** Saving on the page (setup mode). */
  setup: "succeed" | "decline" | "authenticate";
  /** Charging the saved card later, off-session. */
  offSession: "succeed" | "decline" | "authentication_required";
}

const GENERIC_DECLINE: CardDecline = { code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." };

/** Stripe's documented test numbers the sandbox knows (stripe.com/docs/testing). */
export const LOCAL_TEST_CARDS = {
  "4242424242424242": { brand: "visa", outcome: "succeed", setup: "succeed", offSession: "succeed" },
  "5555555555554444": { brand: "mastercard", outcome: "succeed", setup: "succeed", offSession: "succeed" },
  // "Attaching this card to a Customer object succeeds, but attempts to charge the customer fail."
  "4000000000000341": { brand: "visa", outcome: "decline", ...GENERIC_DECLINE, setup: "succeed", offSession: "decline" },
  "4000000000000002": { brand: "visa", outcome: "decline", ...GENERIC_DECLINE, setup: "decline", offSession: "decline" },
  "4000000000009995": {
    brand: "visa",
    outcome: "decline",
    code: "card_declined",
    decline_code: "insufficient_funds",
    message: "Your card has insufficient funds.",
    setup: "decline",
    offSession: "decline",
  },
  "4000000000009987": { brand: "visa", outcome: "decline", code: "card_declined", decline_code: "lost_card", message: "Your card was declined.", setup: "decline", offSession: "decline" },
  "4000000000000069": { brand: "visa", outcome: "decline", code: "expired_card", decline_code: "expired_card", message: "Your card has expired.", setup: "decline", offSession: "decline" },
  // Authentication for one-time payments; once set up, off-session payments need none.
  "4000002500003155": { brand: "visa", outcome: "authenticate", setup: "authenticate", offSession: "succeed" },
  // Authentication on every transaction, however the card was set up.
  "4000002760003184": { brand: "visa", outcome: "authenticate", setup: "authenticate", offSession: "authentication_required" },
} as const satisfies Record<string, TestCard>;

export type LocalTestCard = (typeof LOCAL_TEST_CARDS)[keyof typeof LOCAL_TEST_CARDS];

/** The test card for a number (digits only), or undefined for any other number. */
export function testCard(digits: string): LocalTestCard | undefined {
  return (LOCAL_TEST_CARDS as Record<string, LocalTestCard>)[digits];
}

/** The decline a test card's number gives (its own, or a generic one). */
export function cardDecline(card: LocalTestCard): CardDecline {
  return "code" in card ? { code: card.code, decline_code: card.decline_code, message: card.message } : GENERIC_DECLINE;
}

/** A real card number in test mode: declined as Stripe declines it. */
export const LIVE_CARD_DECLINE: CardDecline = {
  code: "card_declined",
  decline_code: "test_mode_live_card",
  message: "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.",
};

/** The test bank account (us_bank_account) the page suggests. */
export const LOCAL_TEST_BANK = { routingNumber: "110000000", accountNumber: "000123456789" } as const;

/** Stripe's test account numbers and how debits from them settle. */
export const LOCAL_TEST_BANK_ACCOUNTS: Record<string, LocalBankSettlement> = {
  "000123456789": { outcome: "succeed" },
  "000111111116": { outcome: "fail", code: "no_account", message: "The customer's bank account could not be located." },
  "000222222227": { outcome: "fail", code: "insufficient_funds", message: "The customer's account has insufficient funds to cover this payment." },
};

export type PaymentDetails = { card: string } | { bankAccount: { routingNumber: string; accountNumber: string } };

export const luhn = (digits: string) => {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
};

export type DetailsProblem = { status: "invalid"; field: "card" | "routingNumber" | "accountNumber"; message: string };

/**
 * Reads what the page's form sent, for a session that accepts `types`: a test card (its
 * digits and entry, undefined for a number Stripe would treat as a real card) or a test bank
 * account, or the problem to show.
 */
export function readDetails(
  details: PaymentDetails,
  types: string[],
  words: { noCards: string; noBanks: string },
):
  | { kind: "card"; digits: string; card: LocalTestCard | undefined }
  | { kind: "bank"; routing: string; account: string; settlesAs: LocalBankSettlement }
  | DetailsProblem {
  if ("card" in details) {
    const digits = details.card.replace(/[\s-]/g, "");
    if (!types.includes("card")) return { status: "invalid", field: "card", message: words.noCards };
    if (digits === "") return { status: "invalid", field: "card", message: "Your card number is incomplete." };
    if (!/^\d{12,19}$/.test(digits) || !luhn(digits)) return { status: "invalid", field: "card", message: "Your card number is invalid." };
    return { kind: "card", digits, card: testCard(digits) };
  }
  const routing = details.bankAccount.routingNumber.replace(/\s/g, "");
  const account = details.bankAccount.accountNumber.replace(/\s/g, "");
  if (!types.includes("us_bank_account")) return { status: "invalid", field: "accountNumber", message: words.noBanks };
  if (routing !== LOCAL_TEST_BANK.routingNumber) {
    return { status: "invalid", field: "routingNumber", message: `Use the test routing number ${LOCAL_TEST_BANK.routingNumber}.` };
  }
  const settlesAs = LOCAL_TEST_BANK_ACCOUNTS[account];
  if (!settlesAs) return { status: "invalid", field: "accountNumber", message: `Use the test account number ${LOCAL_TEST_BANK.accountNumber}.` };
  return { kind: "bank", routing, account, settlesAs };
}

const fingerprint = (value: string) => createHash("sha256").update(`repay-local-stripe:${value}`).digest("base64url").replace(/[-_]/g, "").slice(0, 16);

/**
 * A new PaymentMethod for what the page's form sent, not attached to anyone yet, with what
 * later off-session charges on it will do (`_sandbox.charges`).
 */
export function newPaymentMethod(
  details: { card: { digits: string; card: LocalTestCard | undefined } } | { bank: { routing: string; account: string; settlesAs: LocalBankSettlement } },
  options: { email: string | null; allowRedisplay: LocalPaymentMethod["allow_redisplay"] },
): LocalPaymentMethod {
  const base = {
    id: localStripeId("pm"),
    object: "payment_method" as const,
    allow_redisplay: options.allowRedisplay,
    billing_details: { address: null, email: options.email, name: null, phone: null, tax_id: null },
    created: unixNow(),
    customer: null,
    customer_account: null,
    livemode: false as const,
    metadata: {},
  };
  if ("card" in details) {
    const { digits, card } = details.card;
    const brand = card?.brand ?? "visa";
    const charges: LocalChargeBehaviour =
      card === undefined
        ? { kind: "card", outcome: "decline", ...LIVE_CARD_DECLINE }
        : card.offSession === "decline"
          ? { kind: "card", outcome: "decline", ...cardDecline(card) }
          : { kind: "card", outcome: card.offSession };
    return {
      ...base,
      type: "card",
      card: {
        brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
        country: "US",
        display_brand: brand,
        exp_month: 12,
        exp_year: new Date().getUTCFullYear() + 3,
        fingerprint: fingerprint(digits),
        funding: "credit",
        generated_from: null,
        last4: digits.slice(-4),
        networks: { available: [brand], preferred: null },
        regulated_status: "unregulated",
        three_d_secure_usage: { supported: true },
        wallet: null,
      },
      _sandbox: { charges },
    };
  }
  const { routing, account, settlesAs } = details.bank;
  return {
    ...base,
    type: "us_bank_account",
    us_bank_account: {
      account_holder_type: "individual",
      account_type: "checking",
      bank_name: "STRIPE TEST BANK",
      financial_connections_account: null,
      fingerprint: fingerprint(`${routing}/${account}`),
      last4: account.slice(-4),
      networks: { preferred: "ach", supported: ["ach"] },
      routing_number: routing,
      status_details: null,
    },
    _sandbox: { charges: { kind: "bank", settles_as: settlesAs } },
  };
}
