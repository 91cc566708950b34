/**
 * The local Stripe sandbox (DESIGN §4, decision 001): a `fetch` the real `stripe` SDK is
 * given through `Stripe.createFetchHttpClient` (STACK.md §5) when STRIPE_SECRET_KEY is
 * unset. It answers the API calls the app makes, in Stripe's JSON shapes, from the database
 * (app.local_stripe_*, through api.local_stripe_* functions), so the dev server, `npm run
 * jobs` and the tests share one state. Nothing leaves the machine.
 *
 * Implemented: customers (create, retrieve), Checkout Sessions in payment mode (create,
 * retrieve, expire), PaymentIntents and PaymentMethods (retrieve), refunds (create,
 * retrieve), events (retrieve, list). Errors have Stripe's bodies and statuses, so the SDK
 * throws its own classes; `Idempotency-Key` is honoured as Stripe honours it. Every answer
 * has a `request-id` header.
 *
 * Paying happens where Stripe has it happen, on the hosted checkout page
 * (/sandbox/stripe/checkout/:id), which calls `payCheckoutSession` below with Stripe's
 * documented test card numbers or the test bank account.
 */
import { createHash } from "node:crypto";
import { parse as parseQs } from "qs";
import { z } from "zod";
import { rpc } from "~/services/supabase/rpc.server";
import { getEnv } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";
import { STRIPE_API_VERSION } from "./client.server";
import {
  emitLocalStripeEvent,
  getLocalStripeEvent,
  listLocalStripeEvents,
  localStripeId,
  publicObject,
  scheduleLocalEventDelivery,
  unixNow,
  type LocalStripeEventRequest,
} from "./local-events.server";

export { deliverPendingEvents, listLocalStripeEvents, type LocalEventDeliverer, type LocalStripeEvent } from "./local-events.server";

type Json = Record<string, unknown>;

// --- Stored objects ----------------------------------------------------------------------

export interface LocalCheckoutSession {
  id: string;
  object: "checkout.session";
  amount_subtotal: number;
  amount_total: number;
  allowed_payment_method_types: string[] | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  currency: string;
  customer: string | null;
  customer_email: string | null;
  expires_at: number;
  livemode: false;
  metadata: Record<string, string>;
  mode: "payment";
  payment_intent: string | null;
  payment_method_types: string[];
  payment_status: "paid" | "unpaid" | "no_payment_required";
  setup_intent: null;
  status: "open" | "complete" | "expired";
  success_url: string;
  url: string | null;
  /** Private to the sandbox; never sent to the SDK or in events. */
  _sandbox: {
    line_items: Array<{ name: string; unit_amount: number; quantity: number }>;
    payment_intent_metadata: Record<string, string>;
    /** The PaymentIntent of the attempts so far (Checkout retries on the same one). */
    attempt_payment_intent: string | null;
  };
}

export interface LocalPaymentError {
  type: "card_error" | "invalid_request_error";
  code: string;
  decline_code?: string;
  message: string;
  payment_method?: Json;
}

export interface LocalPaymentIntent {
  id: string;
  object: "payment_intent";
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
  status: "requires_payment_method" | "requires_action" | "processing" | "succeeded" | "canceled";
  _sandbox?: { checkout_session: string };
}

const ObjectSchema = z.record(z.string(), z.unknown());

async function getObject<T>(id: string): Promise<T | null> {
  return (await rpc("local_stripe_object_get", { p_id: id }, ObjectSchema.nullable())) as T | null;
}

async function putObject(object: { id: string; object: string }, expect: Json | null = null): Promise<boolean> {
  return rpc("local_stripe_object_put", { p_id: object.id, p_object: object.object, p_data: object, p_expect: expect }, z.boolean());
}

async function listObjects<T>(object: string, filter: Json | null = null, limit = 100): Promise<T[]> {
  return (await rpc("local_stripe_object_list", { p_object: object, p_filter: filter, p_limit: limit }, z.array(ObjectSchema))) as T[];
}

// --- Errors in Stripe's shape ------------------------------------------------------------

class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; message: string; code?: string; param?: string; decline_code?: string },
  ) {
    super(body.message);
  }
}

const invalid = (param: string, message: string, code = "parameter_invalid_empty") =>
  new StripeHttpError(400, { type: "invalid_request_error", code, param, message });

/** 404 for the object a URL names; 400 for one a parameter names (as Stripe answers). */
const missingObject = (kind: string, id: string, param = "id") =>
  new StripeHttpError(param === "id" ? 404 : 400, { type: "invalid_request_error", code: "resource_missing", param, message: `No such ${kind}: '${id}'` });

// --- Parameters --------------------------------------------------------------------------

type Params = Record<string, unknown>;

const isRecord = (value: unknown): value is Params => typeof value === "object" && value !== null && !Array.isArray(value);

function rejectUnknown(params: Params, allowed: readonly string[], prefix = "") {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) {
      const param = prefix ? `${prefix}[${key}]` : key;
      throw invalid(param, `Received unknown parameter: ${param}`, "parameter_unknown");
    }
  }
}

function optionalString(params: Params, key: string, param = key, max = 5000): string | null {
  const value = params[key];
  if (value === undefined || value === "") return null;
  if (typeof value !== "string") throw invalid(param, `Invalid string: ${param}`, "parameter_invalid_string");
  if (value.length > max) throw invalid(param, `Invalid string: ${param} must be at most ${max} characters`, "parameter_invalid_string");
  return value;
}

function requiredString(params: Params, key: string, param = key): string {
  const value = optionalString(params, key, param);
  if (value === null) throw invalid(param, `Missing required param: ${param}.`, "parameter_missing");
  return value;
}

function integer(params: Params, key: string, param: string, min: number): number {
  const value = params[key];
  if (value === undefined || value === "") throw invalid(param, `Missing required param: ${param}.`, "parameter_missing");
  if (typeof value !== "string" || !/^-?\d+$/.test(value)) throw invalid(param, `Invalid integer: ${String(value)}`, "parameter_invalid_integer");
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < min) {
    throw invalid(param, `Invalid integer: ${param} must be at least ${min}`, "parameter_invalid_integer");
  }
  return number;
}

/** Stripe's metadata rules: up to 50 keys, keys up to 40 characters, values up to 500. */
function metadata(value: unknown, param: string): Record<string, string> {
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

function stringList(value: unknown, param: string): string[] {
  if (value === undefined || value === "") return [];
  const list = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [value];
  if (!list.every((item): item is string => typeof item === "string")) throw invalid(param, `Invalid array: ${param}`, "parameter_invalid_array");
  return list;
}

function url(params: Params, key: string, required: boolean): string | null {
  const value = required ? requiredString(params, key) : optionalString(params, key);
  if (value === null) return null;
  if (!/^https?:\/\/[^\s]+$/i.test(value) || !URL.canParse(value.replaceAll("{CHECKOUT_SESSION_ID}", "x"))) {
    throw invalid(key, "Not a valid URL", "url_invalid");
  }
  return value;
}

// --- Resources ---------------------------------------------------------------------------

interface Call {
  method: string;
  path: string[];
  params: Params;
  request: LocalStripeEventRequest;
}

async function createCustomer({ params }: Call): Promise<Json> {
  rejectUnknown(params, ["email", "name", "phone", "description", "metadata", "preferred_locales", "expand"]);
  const customer = {
    id: localStripeId("cus", 14),
    object: "customer",
    address: null,
    balance: 0,
    created: unixNow(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: optionalString(params, "description"),
    email: optionalString(params, "email", "email", 512),
    invoice_prefix: localStripeId("x", 8).slice(2).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: metadata(params.metadata, "metadata"),
    name: optionalString(params, "name", "name", 256),
    phone: optionalString(params, "phone", "phone", 20),
    preferred_locales: stringList(params.preferred_locales, "preferred_locales"),
    shipping: null,
    tax_exempt: "none",
    test_clock: null,
  };
  await putObject(customer);
  return customer;
}

async function retrieve(kind: string, prefix: string, id: string): Promise<Json> {
  const object = id.startsWith(prefix) ? await getObject<Json>(id) : null;
  if (!object) throw missingObject(kind, id);
  return object;
}

const PAYMENT_METHOD_TYPES = ["card", "us_bank_account"] as const;

async function createCheckoutSession({ params }: Call): Promise<Json> {
  rejectUnknown(params, [
    "mode",
    "line_items",
    "payment_method_types",
    "allowed_payment_method_types",
    "client_reference_id",
    "metadata",
    "payment_intent_data",
    "success_url",
    "cancel_url",
    "customer",
    "customer_email",
    "expires_at",
    "locale",
    "expand",
  ]);
  const mode = requiredString(params, "mode");
  if (mode === "setup") throw invalid("mode", "The local Stripe sandbox does not support `mode: setup` yet.", "parameter_invalid_string");
  if (mode !== "payment") throw invalid("mode", `Invalid mode: must be one of payment, setup or subscription`, "parameter_invalid_string");

  const rawItems = params.line_items;
  const items = Array.isArray(rawItems) ? rawItems : isRecord(rawItems) ? Object.values(rawItems) : [];
  if (items.length === 0) throw invalid("line_items", "You must specify `line_items` in `payment` mode.", "parameter_missing");
  let currency: string | null = null;
  const lineItems = items.map((item, index) => {
    const at = `line_items[${index}]`;
    if (!isRecord(item)) throw invalid(at, `Invalid object: ${at}`, "parameter_invalid_object");
    rejectUnknown(item, ["price_data", "quantity"], at);
    const priceData = item.price_data;
    if (!isRecord(priceData)) throw invalid(`${at}[price_data]`, `Missing required param: ${at}[price_data].`, "parameter_missing");
    rejectUnknown(priceData, ["currency", "unit_amount", "product_data"], `${at}[price_data]`);
    const itemCurrency = requiredString(priceData, "currency", `${at}[price_data][currency]`).toLowerCase();
    if (!/^[a-z]{3}$/.test(itemCurrency)) throw invalid(`${at}[price_data][currency]`, `Invalid currency: ${itemCurrency}`, "parameter_invalid_string");
    if (currency !== null && currency !== itemCurrency) throw invalid(`${at}[price_data][currency]`, "All line items must use the same currency.");
    currency = itemCurrency;
    const unitAmount = integer(priceData, "unit_amount", `${at}[price_data][unit_amount]`, 0);
    const productData = priceData.product_data;
    if (!isRecord(productData)) throw invalid(`${at}[price_data][product_data]`, `Missing required param: ${at}[price_data][product_data].`, "parameter_missing");
    rejectUnknown(productData, ["name", "description", "metadata"], `${at}[price_data][product_data]`);
    const name = requiredString(productData, "name", `${at}[price_data][product_data][name]`);
    const quantity = integer(item, "quantity", `${at}[quantity]`, 1);
    return { name, unit_amount: unitAmount, quantity };
  });
  const amountTotal = lineItems.reduce((sum, item) => sum + item.unit_amount * item.quantity, 0);
  if (amountTotal < 50) {
    throw new StripeHttpError(400, {
      type: "invalid_request_error",
      code: "amount_too_small",
      param: "line_items",
      message: "The Checkout Session's total amount due must add up to at least $0.50 usd",
    });
  }
  if (amountTotal > 99_999_999) throw invalid("line_items", "The Checkout Session's total amount due must be no more than $999,999.99.", "amount_too_large");

  // API 2026-10-28 names the parameter allowed_payment_method_types; older versions, payment_method_types.
  const typesParam = params.allowed_payment_method_types !== undefined ? "allowed_payment_method_types" : "payment_method_types";
  const methodTypes = stringList(params[typesParam], typesParam);
  for (const type of methodTypes) {
    if (!(PAYMENT_METHOD_TYPES as readonly string[]).includes(type)) {
      throw invalid(typesParam, `The payment method type "${type}" is invalid or not supported by the local sandbox.`, "parameter_invalid_string");
    }
  }
  if (methodTypes.includes("us_bank_account") && currency !== "usd") {
    throw invalid(typesParam, "The payment method `us_bank_account` requires the currency usd.");
  }

  const customer = optionalString(params, "customer");
  if (customer !== null && !(customer.startsWith("cus_") && (await getObject(customer)))) throw missingObject("customer", customer, "customer");

  const paymentIntentData = params.payment_intent_data;
  if (paymentIntentData !== undefined && !isRecord(paymentIntentData)) throw invalid("payment_intent_data", "Invalid object: payment_intent_data", "parameter_invalid_object");
  if (paymentIntentData) rejectUnknown(paymentIntentData, ["metadata", "description"], "payment_intent_data");

  const created = unixNow();
  const expiresAt = params.expires_at === undefined ? created + 24 * 3600 : integer(params, "expires_at", "expires_at", created + 30 * 60);
  if (expiresAt > created + 24 * 3600) throw invalid("expires_at", "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.");

  const id = localStripeId("cs_test", 58);
  const session: LocalCheckoutSession = {
    id,
    object: "checkout.session",
    amount_subtotal: amountTotal,
    amount_total: amountTotal,
    allowed_payment_method_types: methodTypes.length > 0 ? methodTypes : null,
    cancel_url: url(params, "cancel_url", false),
    client_reference_id: optionalString(params, "client_reference_id", "client_reference_id", 200),
    created,
    currency: currency!,
    customer,
    customer_email: optionalString(params, "customer_email", "customer_email", 512),
    expires_at: expiresAt,
    livemode: false,
    metadata: metadata(params.metadata, "metadata"),
    mode: "payment",
    payment_intent: null,
    payment_method_types: methodTypes.length > 0 ? methodTypes : ["card"],
    payment_status: "unpaid",
    setup_intent: null,
    status: "open",
    success_url: url(params, "success_url", true)!,
    url: `${getEnv().APP_URL}/sandbox/stripe/checkout/${id}`,
    _sandbox: {
      line_items: lineItems,
      payment_intent_metadata: metadata(paymentIntentData?.metadata, "payment_intent_data[metadata]"),
      attempt_payment_intent: null,
    },
  };
  await putObject(session);
  return session as unknown as Json;
}

/** Expires an open session whose `expires_at` has passed (Stripe does this on its own clock). */
async function expireIfDue(session: LocalCheckoutSession, force = false): Promise<LocalCheckoutSession> {
  if (session.status !== "open" || (!force && session.expires_at > unixNow())) return session;
  const expired: LocalCheckoutSession = { ...session, status: "expired", url: null };
  if (await putObject(expired, { status: "open" })) {
    await emitLocalStripeEvent("checkout.session.expired", expired);
    scheduleLocalEventDelivery();
    return expired;
  }
  return (await getObject<LocalCheckoutSession>(session.id)) ?? session;
}

async function retrieveSession(id: string): Promise<LocalCheckoutSession> {
  const session = (await retrieve("checkout.session", "cs_", id)) as unknown as LocalCheckoutSession;
  return expireIfDue(session);
}

async function expireSession(id: string): Promise<Json> {
  const session = await retrieveSession(id);
  if (session.status !== "open") {
    throw new StripeHttpError(400, {
      type: "invalid_request_error",
      code: "checkout_session_not_open",
      message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
    });
  }
  return (await expireIfDue(session, true)) as unknown as Json;
}

async function createRefund({ params, request }: Call): Promise<Json> {
  rejectUnknown(params, ["payment_intent", "amount", "reason", "metadata", "expand"]);
  const paymentIntentId = requiredString(params, "payment_intent");
  const intent = await getObject<LocalPaymentIntent>(paymentIntentId);
  if (!intent || !paymentIntentId.startsWith("pi_")) throw missingObject("payment_intent", paymentIntentId, "payment_intent");
  if (intent.status !== "succeeded" || intent.latest_charge === null) {
    throw new StripeHttpError(400, {
      type: "invalid_request_error",
      code: "charge_not_refundable",
      param: "payment_intent",
      message: `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
    });
  }
  const refunded = (await listObjects<{ amount: number }>("refund", { payment_intent: intent.id }, 1000)).reduce((sum, r) => sum + r.amount, 0);
  const amount = params.amount === undefined ? intent.amount_received - refunded : integer(params, "amount", "amount", 1);
  if (amount < 1 || refunded + amount > intent.amount_received) {
    throw new StripeHttpError(400, {
      type: "invalid_request_error",
      code: "amount_too_large",
      param: "amount",
      message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${intent.amount_received - refunded})`,
    });
  }
  const reason = optionalString(params, "reason");
  if (reason !== null && !["duplicate", "fraudulent", "requested_by_customer"].includes(reason)) {
    throw invalid("reason", "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer", "parameter_invalid_string");
  }
  const refund = {
    id: localStripeId("re"),
    object: "refund",
    amount,
    balance_transaction: localStripeId("txn"),
    charge: intent.latest_charge,
    created: unixNow(),
    currency: intent.currency,
    metadata: metadata(params.metadata, "metadata"),
    payment_intent: intent.id,
    reason,
    status: "succeeded",
  };
  await putObject(refund);
  await emitLocalStripeEvent("refund.created", refund, request);
  // As Stripe does, the Charge too: its cumulative amount_refunded, this refund listed.
  const amountRefunded = refunded + amount;
  const charge = {
    id: intent.latest_charge,
    object: "charge",
    amount: intent.amount_received,
    amount_captured: intent.amount_received,
    amount_refunded: amountRefunded,
    captured: true,
    created: intent.created,
    currency: intent.currency,
    customer: intent.customer,
    livemode: false,
    metadata: intent.metadata,
    paid: true,
    payment_intent: intent.id,
    payment_method: intent.payment_method,
    refunded: amountRefunded === intent.amount_received,
    refunds: { object: "list", data: [refund], has_more: false, total_count: 1, url: `/v1/charges/${intent.latest_charge}/refunds` },
    status: "succeeded",
  };
  await emitLocalStripeEvent("charge.refunded", charge, request);
  scheduleLocalEventDelivery();
  return refund;
}

async function listEvents({ params }: Call): Promise<Json> {
  const limitParam = params.limit === undefined ? 10 : integer(params, "limit", "limit", 1);
  const limit = Math.min(limitParam, 100);
  const type = optionalString(params, "type");
  const all = (await listLocalStripeEvents(1000)).map((stored) => stored.event);
  const matching = all.filter((event) => type === null || event.type === type || (type.endsWith(".*") && event.type.startsWith(type.slice(0, -1))));
  const after = optionalString(params, "starting_after");
  const start = after === null ? 0 : matching.findIndex((event) => event.id === after) + 1;
  const page = matching.slice(start, start + limit);
  return { object: "list", data: page, has_more: matching.length > start + limit, url: "/v1/events" };
}

async function route(call: Call): Promise<Json> {
  const { method, path } = call;
  const [resource, id, action, ...rest] = path;
  const one = id !== undefined ? decodeURIComponent(id) : undefined;
  if (rest.length === 0) {
    if (resource === "customers") {
      if (method === "POST" && one === undefined) return createCustomer(call);
      if (method === "GET" && one !== undefined && action === undefined) return retrieve("customer", "cus_", one);
    }
    if (resource === "checkout" && one === "sessions") {
      const sessionId = action !== undefined ? decodeURIComponent(action) : undefined;
      if (method === "POST" && sessionId === undefined) return createCheckoutSession(call);
      if (method === "GET" && sessionId !== undefined) return publicObject(await retrieveSession(sessionId)) as unknown as Json;
    }
    if (resource === "payment_intents" && method === "GET" && one !== undefined && action === undefined) {
      return retrieve("payment_intent", "pi_", one);
    }
    if (resource === "payment_methods" && method === "GET" && one !== undefined && action === undefined) {
      return retrieve("payment_method", "pm_", one);
    }
    if (resource === "refunds") {
      if (method === "POST" && one === undefined) return createRefund(call);
      if (method === "GET" && one !== undefined && action === undefined) return retrieve("refund", "re_", one);
    }
    if (resource === "events" && method === "GET") {
      if (one === undefined) return listEvents(call);
      if (action === undefined) {
        const event = one.startsWith("evt_") ? await getLocalStripeEvent(one) : null;
        if (!event) throw missingObject("event", one);
        return event as unknown as Json;
      }
    }
  }
  if (resource === "checkout" && id === "sessions" && action !== undefined && rest[0] === "expire" && rest.length === 1 && method === "POST") {
    return expireSession(decodeURIComponent(action));
  }
  throw new StripeHttpError(404, {
    type: "invalid_request_error",
    message: `Unrecognized request URL (${method}: /v1/${path.join("/")}). The local Stripe sandbox implements only what the app uses.`,
  });
}

// --- The fetch the SDK calls ----------------------------------------------------------------

const QS_OPTIONS = { depth: 10, arrayLimit: 100, parameterLimit: 2000 } as const;

const IdempotencyBeginSchema = z.object({
  state: z.enum(["new", "replay", "mismatch", "in_progress"]),
  status: z.number().int().optional(),
  response: z.unknown().optional(),
});

function answer(status: number, body: unknown, requestId: string, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "request-id": requestId, "stripe-version": STRIPE_API_VERSION, ...extra },
  });
}

/** Stripe's results worth replaying: those of requests that ran (not validation failures). */
const storable = (status: number) => status < 400 || status === 402;

async function handle(method: string, path: string[], params: Params, requestId: string, idempotencyKey: string | null): Promise<{ status: number; body: unknown }> {
  try {
    const body = await route({ method, path, params, request: { id: requestId, idempotency_key: idempotencyKey } });
    return { status: 200, body: publicObject(body) };
  } catch (error) {
    if (error instanceof StripeHttpError) {
      return { status: error.status, body: { error: { ...error.body, request_log_url: `http://localhost/sandbox/stripe/logs/${requestId}` } } };
    }
    throw error;
  }
}

/**
 * The `fetch` handed to `Stripe.createFetchHttpClient`: answers `http://localhost:<port>/v1/…`
 * from the sandbox. Exported for client.server.ts only.
 */
export async function localStripeFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const requestId = localStripeId("req", 14);
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  const method = (init?.method ?? "GET").toUpperCase();
  const headers = new Headers(init?.headers);
  const rawBody = typeof init?.body === "string" ? init.body : "";
  const segments = url.pathname.split("/").filter(Boolean);
  if (segments[0] !== "v1") return answer(404, { error: { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${url.pathname}).` } }, requestId);
  const path = segments.slice(1);
  const params = parseQs(method === "GET" || method === "DELETE" ? url.search.slice(1) : rawBody, QS_OPTIONS) as Params;
  delete params.expand;

  const idempotencyKey = method === "POST" ? headers.get("idempotency-key") : null;
  try {
    if (idempotencyKey === null) {
      const result = await handle(method, path, params, requestId, null);
      return answer(result.status, result.body, requestId);
    }
    if (idempotencyKey.length > 255) {
      return answer(400, { error: { type: "invalid_request_error", message: "Idempotency keys can be at most 255 characters long." } }, requestId);
    }
    const fingerprint = createHash("sha256").update(`${method} ${url.pathname}\n${rawBody}`).digest("hex");
    const begun = await rpc("local_stripe_idempotency_begin", { p_key: idempotencyKey, p_fingerprint: fingerprint }, IdempotencyBeginSchema);
    if (begun.state === "replay") {
      return answer(begun.status!, begun.response, requestId, { "idempotent-replayed": "true", "idempotency-key": idempotencyKey });
    }
    if (begun.state === "mismatch") {
      return answer(
        400,
        {
          error: {
            type: "idempotency_error",
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          },
        },
        requestId,
        { "idempotency-key": idempotencyKey },
      );
    }
    if (begun.state === "in_progress") {
      return answer(
        409,
        { error: { type: "idempotency_error", code: "idempotency_key_in_use", message: "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): " + idempotencyKey + ". Please try again later." } },
        requestId,
        { "idempotency-key": idempotencyKey },
      );
    }
    let result: { status: number; body: unknown };
    try {
      result = await handle(method, path, params, requestId, idempotencyKey);
    } catch (error) {
      await rpc("local_stripe_idempotency_finish", { p_key: idempotencyKey, p_status: null, p_response: null }, z.unknown());
      throw error;
    }
    const keep = storable(result.status);
    await rpc(
      "local_stripe_idempotency_finish",
      { p_key: idempotencyKey, p_status: keep ? result.status : null, p_response: keep ? result.body : null },
      z.unknown(),
    );
    return answer(result.status, result.body, requestId, { "idempotency-key": idempotencyKey });
  } catch (error) {
    logger.error("stripe.local_sandbox.failed", { method, path: url.pathname, error });
    return answer(500, { error: { type: "api_error", message: "The local Stripe sandbox failed; see the server log." } }, requestId, { "stripe-should-retry": "false" });
  }
}

// --- The hosted checkout page's side -------------------------------------------------------

/** Stripe's documented test numbers the sandbox knows (stripe.com/docs/testing). */
export const LOCAL_TEST_CARDS = {
  "4242424242424242": { brand: "visa", outcome: "succeed" },
  "5555555555554444": { brand: "mastercard", outcome: "succeed" },
  "4000000000000002": { brand: "visa", outcome: "decline", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." },
  "4000000000009995": { brand: "visa", outcome: "decline", code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds." },
  "4000000000009987": { brand: "visa", outcome: "decline", code: "card_declined", decline_code: "lost_card", message: "Your card was declined." },
  "4000000000000069": { brand: "visa", outcome: "decline", code: "expired_card", decline_code: "expired_card", message: "Your card has expired." },
  "4000002500003155": { brand: "visa", outcome: "authenticate" },
  "4000002760003184": { brand: "visa", outcome: "authenticate" },
} as const satisfies Record<string, { brand: string; outcome: "succeed" | "decline" | "authenticate"; code?: string; decline_code?: string; message?: string }>;

/** The test bank accounts (us_bank_account): the first settles as succeeded, the others fail. */
export const LOCAL_TEST_BANK = { routingNumber: "110000000", accountNumber: "000123456789" } as const;
const TEST_BANK_ACCOUNTS: Record<string, "succeed" | "fail"> = {
  "000123456789": "succeed",
  "000111111116": "fail",
  "000222222227": "fail",
};

export type PaymentDetails = { card: string } | { bankAccount: { routingNumber: string; accountNumber: string } };

export type PayOutcome =
  | { status: "succeeded" | "processing"; redirectTo: string; paymentIntent: LocalPaymentIntent }
  | { status: "requires_action"; paymentIntent: LocalPaymentIntent }
  | { status: "declined"; message: string; code: string; declineCode: string | null; paymentIntent: LocalPaymentIntent }
  | { status: "invalid"; field: "card" | "routingNumber" | "accountNumber"; message: string }
  | { status: "unavailable"; reason: "missing" | "complete" | "expired" };

const luhn = (digits: string) => {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
};

/** The session as the hosted page shows it (expired if due), or null. */
export async function getLocalCheckoutSession(id: string): Promise<LocalCheckoutSession | null> {
  if (!/^cs_test_[A-Za-z0-9]{8,100}$/.test(id)) return null;
  const session = await getObject<LocalCheckoutSession>(id);
  return session ? expireIfDue(session) : null;
}

/** The PaymentIntent a session paid with or is trying, or null. */
export async function getLocalPaymentIntent(id: string | null): Promise<LocalPaymentIntent | null> {
  return id && id.startsWith("pi_") ? getObject<LocalPaymentIntent>(id) : null;
}

function successUrl(session: LocalCheckoutSession): string {
  return session.success_url.replaceAll("{CHECKOUT_SESSION_ID}", session.id);
}

async function createPaymentMethod(session: LocalCheckoutSession, details: { card: { brand: string; last4: string } } | { bank: { last4: string; routing: string } }) {
  const paymentMethod = {
    id: localStripeId("pm"),
    object: "payment_method",
    billing_details: { address: null, email: session.customer_email, name: null, phone: null },
    created: unixNow(),
    customer: session.customer,
    livemode: false,
    metadata: {},
    ...("card" in details
      ? {
          type: "card",
          card: { brand: details.card.brand, country: "US", exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, funding: "credit", last4: details.card.last4 },
        }
      : {
          type: "us_bank_account",
          us_bank_account: { account_holder_type: "individual", account_type: "checking", bank_name: "STRIPE TEST BANK", last4: details.bank.last4, routing_number: details.bank.routing },
        }),
  };
  await putObject(paymentMethod);
  return paymentMethod;
}

function newPaymentIntent(session: LocalCheckoutSession, id: string): LocalPaymentIntent {
  return {
    id,
    object: "payment_intent",
    amount: session.amount_total,
    amount_capturable: 0,
    amount_received: 0,
    capture_method: "automatic_async",
    client_secret: `${id}_secret_${localStripeId("x", 24).slice(2)}`,
    confirmation_method: "automatic",
    created: unixNow(),
    currency: session.currency,
    customer: session.customer,
    description: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: session._sandbox.payment_intent_metadata,
    next_action: null,
    payment_method: null,
    payment_method_types: session.payment_method_types,
    status: "requires_payment_method",
    _sandbox: { checkout_session: session.id },
  };
}

/** Moves the session to complete (compare-and-set on "open"); false if someone else did first. */
async function completeSession(session: LocalCheckoutSession, intent: LocalPaymentIntent, paid: boolean): Promise<LocalCheckoutSession | null> {
  const complete: LocalCheckoutSession = {
    ...session,
    status: "complete",
    payment_status: paid ? "paid" : "unpaid",
    payment_intent: intent.id,
    url: null,
    _sandbox: { ...session._sandbox, attempt_payment_intent: intent.id },
  };
  return (await putObject(complete, { status: "open" })) ? complete : null;
}

async function failAttempt(session: LocalCheckoutSession, intent: LocalPaymentIntent, error: LocalPaymentError): Promise<PayOutcome> {
  const failed: LocalPaymentIntent = { ...intent, status: "requires_payment_method", last_payment_error: error, next_action: null };
  const attempt: LocalCheckoutSession = { ...session, _sandbox: { ...session._sandbox, attempt_payment_intent: intent.id } };
  // Both compare-and-set: a failure never overwrites a payment that succeeded meanwhile.
  if (!(await putObject(attempt, { status: "open" }))) return { status: "unavailable", reason: "complete" };
  if (!(await putObject(failed, { status: intent.status }))) return { status: "unavailable", reason: "complete" };
  await emitLocalStripeEvent("payment_intent.payment_failed", failed);
  scheduleLocalEventDelivery();
  return { status: "declined", message: error.message, code: error.code, declineCode: error.decline_code ?? null, paymentIntent: failed };
}

async function succeed(session: LocalCheckoutSession, intent: LocalPaymentIntent): Promise<PayOutcome> {
  const succeeded: LocalPaymentIntent = {
    ...intent,
    status: "succeeded",
    amount_received: intent.amount,
    latest_charge: localStripeId("ch"),
    last_payment_error: null,
    next_action: null,
  };
  const complete = await completeSession(session, succeeded, true);
  if (!complete) return { status: "unavailable", reason: "complete" };
  await putObject(succeeded);
  await emitLocalStripeEvent("payment_intent.succeeded", succeeded);
  await emitLocalStripeEvent("checkout.session.completed", complete);
  scheduleLocalEventDelivery();
  return { status: "succeeded", redirectTo: successUrl(complete), paymentIntent: succeeded };
}

async function openSession(sessionId: string): Promise<LocalCheckoutSession | { status: "unavailable"; reason: "missing" | "complete" | "expired" }> {
  const session = await getLocalCheckoutSession(sessionId);
  if (!session) return { status: "unavailable", reason: "missing" };
  if (session.status !== "open") return { status: "unavailable", reason: session.status };
  return session;
}

async function attemptIntent(session: LocalCheckoutSession): Promise<LocalPaymentIntent> {
  const existing = await getLocalPaymentIntent(session._sandbox.attempt_payment_intent);
  return existing ?? newPaymentIntent(session, localStripeId("pi"));
}

/**
 * Pays an open Checkout Session as the hosted page does: a test card number (spaces
 * allowed) or the test bank account. Records the PaymentIntent, the session's new state and
 * the events, and schedules their delivery.
 */
export async function payCheckoutSession(sessionId: string, details: PaymentDetails): Promise<PayOutcome> {
  const session = await openSession(sessionId);
  if ("reason" in session) return session;

  if ("card" in details) {
    const digits = details.card.replace(/[\s-]/g, "");
    if (!session.payment_method_types.includes("card")) return { status: "invalid", field: "card", message: "This payment does not accept cards." };
    if (digits === "") return { status: "invalid", field: "card", message: "Your card number is incomplete." };
    if (!/^\d{12,19}$/.test(digits) || !luhn(digits)) return { status: "invalid", field: "card", message: "Your card number is invalid." };
    const card = (LOCAL_TEST_CARDS as Record<string, (typeof LOCAL_TEST_CARDS)[keyof typeof LOCAL_TEST_CARDS]>)[digits];
    const paymentMethod = await createPaymentMethod(session, { card: { brand: card?.brand ?? "visa", last4: digits.slice(-4) } });
    const intent: LocalPaymentIntent = { ...(await attemptIntent(session)), payment_method: paymentMethod.id };
    if (!card) {
      return failAttempt(session, intent, {
        type: "card_error",
        code: "card_declined",
        decline_code: "test_mode_live_card",
        message: "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.",
        payment_method: paymentMethod,
      });
    }
    if (card.outcome === "decline") {
      return failAttempt(session, intent, { type: "card_error", code: card.code, decline_code: card.decline_code, message: card.message, payment_method: paymentMethod });
    }
    if (card.outcome === "authenticate") {
      const waiting: LocalPaymentIntent = { ...intent, status: "requires_action", next_action: { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect" } } };
      const attempt: LocalCheckoutSession = { ...session, _sandbox: { ...session._sandbox, attempt_payment_intent: intent.id } };
      if (!(await putObject(attempt, { status: "open" }))) return { status: "unavailable", reason: "complete" };
      if (!(await putObject(waiting, { status: intent.status }))) return { status: "unavailable", reason: "complete" };
      await emitLocalStripeEvent("payment_intent.requires_action", waiting);
      scheduleLocalEventDelivery();
      return { status: "requires_action", paymentIntent: waiting };
    }
    return succeed(session, intent);
  }

  const routing = details.bankAccount.routingNumber.replace(/\s/g, "");
  const account = details.bankAccount.accountNumber.replace(/\s/g, "");
  if (!session.payment_method_types.includes("us_bank_account")) {
    return { status: "invalid", field: "accountNumber", message: "This payment does not accept bank accounts." };
  }
  if (routing !== LOCAL_TEST_BANK.routingNumber) {
    return { status: "invalid", field: "routingNumber", message: `Use the test routing number ${LOCAL_TEST_BANK.routingNumber}.` };
  }
  const settlesAs = TEST_BANK_ACCOUNTS[account];
  if (!settlesAs) return { status: "invalid", field: "accountNumber", message: `Use the test account number ${LOCAL_TEST_BANK.accountNumber}.` };
  const paymentMethod = await createPaymentMethod(session, { bank: { last4: account.slice(-4), routing } });
  const base = await attemptIntent(session);
  const processing: LocalPaymentIntent = { ...base, status: "processing", payment_method: paymentMethod.id, last_payment_error: null, next_action: null };
  const complete = await completeSession(session, processing, false);
  if (!complete) return { status: "unavailable", reason: "complete" };
  await putObject(processing);
  await emitLocalStripeEvent("payment_intent.processing", processing);
  await emitLocalStripeEvent("checkout.session.completed", complete);
  scheduleLocalEventDelivery();
  return { status: "processing", redirectTo: successUrl(complete), paymentIntent: processing };
}

/** Finishes the authentication a 3D Secure test card asked for: it succeeds or fails. */
export async function authenticateCheckoutSession(sessionId: string, outcome: "succeeded" | "failed"): Promise<PayOutcome> {
  const session = await openSession(sessionId);
  if ("reason" in session) return session;
  const intent = await getLocalPaymentIntent(session._sandbox.attempt_payment_intent);
  if (!intent || intent.status !== "requires_action") return { status: "invalid", field: "card", message: "There is no payment waiting for authentication." };
  if (outcome === "succeeded") return succeed(session, intent);
  return failAttempt(session, intent, {
    type: "card_error",
    code: "payment_intent_authentication_failure",
    message: "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
  });
}

/**
 * Settles bank debits that are processing (all of them, or one PaymentIntent): `succeeded`
 * emits payment_intent.succeeded and checkout.session.async_payment_succeeded; `failed`
 * emits payment_intent.payment_failed and checkout.session.async_payment_failed. Returns
 * the ids of the PaymentIntents it settled.
 */
export async function settleProcessingPayments(options: { outcome: "succeeded" | "failed"; paymentIntentId?: string }): Promise<string[]> {
  const processing = await listObjects<LocalPaymentIntent>("payment_intent", { status: "processing" }, 1000);
  const settled: string[] = [];
  for (const intent of processing.filter((pi) => options.paymentIntentId === undefined || pi.id === options.paymentIntentId)) {
    const sessionId = intent._sandbox?.checkout_session;
    const session = sessionId ? await getObject<LocalCheckoutSession>(sessionId) : null;
    const next: LocalPaymentIntent =
      options.outcome === "succeeded"
        ? { ...intent, status: "succeeded", amount_received: intent.amount, latest_charge: localStripeId("py") }
        : {
            ...intent,
            status: "requires_payment_method",
            last_payment_error: { type: "card_error", code: "insufficient_funds", message: "The customer's account has insufficient funds to cover this payment." },
          };
    if (!(await putObject(next, { status: "processing" }))) continue;
    settled.push(intent.id);
    await emitLocalStripeEvent(options.outcome === "succeeded" ? "payment_intent.succeeded" : "payment_intent.payment_failed", next);
    if (session) {
      const updated: LocalCheckoutSession = { ...session, payment_status: options.outcome === "succeeded" ? "paid" : "unpaid" };
      await putObject(updated);
      await emitLocalStripeEvent(options.outcome === "succeeded" ? "checkout.session.async_payment_succeeded" : "checkout.session.async_payment_failed", updated);
    }
  }
  if (settled.length > 0) scheduleLocalEventDelivery();
  return settled;
}
