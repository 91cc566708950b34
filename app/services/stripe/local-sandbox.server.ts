/**
 * The local Stripe sandbox (DESIGN §4, decision 001): a `fetch` the real `stripe` SDK is
 * given through `Stripe.createFetchHttpClient` (STACK.md §5) when STRIPE_SECRET_KEY is
 * unset. It answers the API calls the app makes, in Stripe's JSON shapes, from the database
 * (app.local_stripe_*, through api.local_stripe_* functions), so the dev server, `npm run
 * jobs` and the tests share one state. Nothing leaves the machine.
 *
 * Implemented: customers (create, retrieve); Checkout Sessions in payment and setup mode
 * (create, retrieve, expire; setup mode creates its SetupIntent, local-setup.server.ts);
 * SetupIntents and mandates (retrieve); PaymentIntents (retrieve, list, and create: charging a
 * saved PaymentMethod off-session, local-charges.server.ts); PaymentMethods (retrieve,
 * detach); refunds (create, retrieve, list by charge); events (retrieve, list). `expand[]` replaces an id
 * field (dotted paths too) with the object it names. Errors have Stripe's bodies and
 * statuses, so the SDK throws its own classes (a declined charge: 402 with the
 * PaymentIntent in the error); `Idempotency-Key` is honoured as Stripe honours it. Every
 * answer has a `request-id` header.
 *
 * Paying and saving happen where Stripe has them happen, on the hosted checkout page
 * (/sandbox/stripe/checkout/:id), which calls `payCheckoutSession` below (payment mode) or
 * `setupCheckoutSession` (setup mode) with Stripe's documented test card numbers or test
 * bank accounts (local-common.server.ts lists them and what each does). Bank debits stay
 * processing until `settleProcessingPayments` or `settleProcessingPaymentsByBehaviour`.
 */
import { createHash } from "node:crypto";
import { parse as parseQs } from "qs";
import { z } from "zod";
import { rpc } from "~/services/supabase/rpc.server";
import { getEnv } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";
import { STRIPE_API_VERSION } from "./client.server";
import { createPaymentIntent, detachPaymentMethod, listPaymentIntents } from "./local-charges.server";
import {
  expireIfDue,
  getObject,
  integer,
  invalid,
  isRecord,
  listObjects,
  LIVE_CARD_DECLINE,
  metadata,
  missingObject,
  newPaymentMethod,
  openSession,
  optionalString,
  paymentMethodTypes,
  putObject,
  readDetails,
  rejectUnknown,
  requiredString,
  StripeHttpError,
  stringList,
  successUrl,
  url,
  cardDecline,
  type Call,
  type DetailsProblem,
  type Json,
  type LocalBankSettlement,
  type LocalCheckoutSession,
  type LocalPaymentCheckoutSession,
  type LocalPaymentError,
  type LocalPaymentIntent,
  type Params,
  type PaymentDetails,
  type Unavailable,
} from "./local-common.server";
import {
  getLocalStripeEvent,
  listLocalStripeEvents,
  localStripeId,
  publicObject,
  scheduleLocalEventDelivery,
  unixNow,
  emitLocalStripeEvent,
} from "./local-events.server";
import { createSetupModeSession } from "./local-setup.server";

export { settleProcessingPayments, settleProcessingPaymentsByBehaviour } from "./local-charges.server";
export {
  getLocalCheckoutSession,
  LOCAL_TEST_BANK,
  LOCAL_TEST_BANK_ACCOUNTS,
  LOCAL_TEST_CARDS,
  type LocalChargeBehaviour,
  type LocalCheckoutSession,
  type LocalPaymentCheckoutSession,
  type LocalPaymentError,
  type LocalPaymentIntent,
  type LocalPaymentMethod,
  type LocalSetupCheckoutSession,
  type LocalSetupIntent,
  type PaymentDetails,
} from "./local-common.server";
export { deliverPendingEvents, listLocalStripeEvents, type LocalEventDeliverer, type LocalStripeEvent } from "./local-events.server";
export { authenticateSetupCheckoutSession, getLocalSetupIntent, setupCheckoutSession, type SetupOutcome } from "./local-setup.server";

// --- Resources ---------------------------------------------------------------------------

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

async function createCheckoutSession({ params }: Call): Promise<Json> {
  rejectUnknown(params, [
    "mode",
    "line_items",
    "payment_method_types",
    "allowed_payment_method_types",
    "client_reference_id",
    "currency",
    "metadata",
    "payment_intent_data",
    "setup_intent_data",
    "success_url",
    "cancel_url",
    "customer",
    "customer_email",
    "expires_at",
    "locale",
    "expand",
  ]);
  const mode = requiredString(params, "mode");
  if (mode !== "payment" && mode !== "setup") throw invalid("mode", `Invalid mode: must be one of payment, setup or subscription`, "parameter_invalid_string");
  const { param: typesParam, types: methodTypes } = paymentMethodTypes(params);

  const customer = optionalString(params, "customer");
  if (customer !== null && !(customer.startsWith("cus_") && (await getObject(customer)))) throw missingObject("customer", customer, "customer");

  const created = unixNow();
  const expiresAt = params.expires_at === undefined ? created + 24 * 3600 : integer(params, "expires_at", "expires_at", created + 30 * 60);
  if (expiresAt > created + 24 * 3600) throw invalid("expires_at", "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.");

  const id = localStripeId("cs_test", 58);
  const base = {
    id,
    object: "checkout.session" as const,
    allowed_payment_method_types: methodTypes.length > 0 ? methodTypes : null,
    cancel_url: url(params, "cancel_url", false),
    client_reference_id: optionalString(params, "client_reference_id", "client_reference_id", 200),
    created,
    customer,
    customer_email: optionalString(params, "customer_email", "customer_email", 512),
    expires_at: expiresAt,
    livemode: false as const,
    locale: optionalString(params, "locale", "locale", 20),
    metadata: metadata(params.metadata, "metadata"),
    payment_method_types: methodTypes.length > 0 ? methodTypes : ["card"],
    status: "open" as const,
    success_url: url(params, "success_url", true)!,
    url: `${getEnv().APP_URL}/sandbox/stripe/checkout/${id}`,
  };
  if (mode === "setup") return (await createSetupModeSession(params, base, typesParam)) as unknown as Json;
  if (params.setup_intent_data !== undefined) throw invalid("setup_intent_data", "You can only pass `setup_intent_data` in `setup` mode.");

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
  const sessionCurrency: string = currency!;
  const currencyParam = optionalString(params, "currency");
  if (currencyParam !== null && currencyParam.toLowerCase() !== sessionCurrency) {
    throw invalid("currency", "The `currency` must match the currency of the line items.", "parameter_invalid_string");
  }
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
  if (methodTypes.includes("us_bank_account") && sessionCurrency !== "usd") {
    throw invalid(typesParam, "The payment method `us_bank_account` requires the currency usd.");
  }

  const paymentIntentData = params.payment_intent_data;
  if (paymentIntentData !== undefined && !isRecord(paymentIntentData)) throw invalid("payment_intent_data", "Invalid object: payment_intent_data", "parameter_invalid_object");
  if (paymentIntentData) rejectUnknown(paymentIntentData, ["metadata", "description"], "payment_intent_data");

  const session: LocalPaymentCheckoutSession = {
    ...base,
    mode: "payment",
    amount_subtotal: amountTotal,
    amount_total: amountTotal,
    currency: sessionCurrency,
    payment_intent: null,
    payment_status: "unpaid",
    setup_intent: null,
    _sandbox: {
      line_items: lineItems,
      payment_intent_metadata: metadata(paymentIntentData?.metadata, "payment_intent_data[metadata]"),
      attempt_payment_intent: null,
    },
  };
  await putObject(session);
  return session as unknown as Json;
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
  // As Stripe does, the Charge too, with its cumulative amount_refunded. Since API version
  // 2022-11-15 a Charge no longer lists its refunds unless asked to (expand), and events never
  // expand: the app lists them (GET /v1/refunds?charge=…).
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
    status: "succeeded",
  };
  await emitLocalStripeEvent("charge.refunded", charge, request);
  scheduleLocalEventDelivery();
  return refund;
}

/** GET /v1/refunds: newest first, filtered by charge or payment_intent, Stripe's paging (limit, starting_after). */
async function listRefunds({ params }: Call): Promise<Json> {
  rejectUnknown(params, ["charge", "payment_intent", "limit", "starting_after", "expand"]);
  const limit = Math.min(params.limit === undefined ? 10 : integer(params, "limit", "limit", 1), 100);
  const charge = optionalString(params, "charge");
  const paymentIntent = optionalString(params, "payment_intent");
  const after = optionalString(params, "starting_after");
  const filter = { ...(charge === null ? {} : { charge }), ...(paymentIntent === null ? {} : { payment_intent: paymentIntent }) };
  const all = await listObjects<{ id: string; created: number }>("refund", Object.keys(filter).length > 0 ? filter : null, 1000);
  all.sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
  const start = after === null ? 0 : all.findIndex((refund) => refund.id === after) + 1;
  const page = all.slice(start, start + limit);
  return { object: "list", data: page as unknown as Json[], has_more: all.length > start + limit, url: "/v1/refunds" };
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
      if (method === "GET" && sessionId !== undefined) return (await retrieveSession(sessionId)) as unknown as Json;
    }
    if (resource === "payment_intents") {
      if (method === "POST" && one === undefined) return createPaymentIntent(call);
      if (method === "GET" && one === undefined) return listPaymentIntents(call);
      if (method === "GET" && one !== undefined && action === undefined) return retrieve("payment_intent", "pi_", one);
    }
    if (resource === "setup_intents" && method === "GET" && one !== undefined && action === undefined) {
      return retrieve("setup_intent", "seti_", one);
    }
    if (resource === "mandates" && method === "GET" && one !== undefined && action === undefined) {
      return retrieve("mandate", "mandate_", one);
    }
    if (resource === "payment_methods" && one !== undefined) {
      if (method === "GET" && action === undefined) return retrieve("payment_method", "pm_", one);
      if (method === "POST" && action === "detach") return detachPaymentMethod(call, one);
    }
    if (resource === "refunds") {
      if (method === "POST" && one === undefined) return createRefund(call);
      if (method === "GET" && one === undefined) return listRefunds(call);
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

/**
 * `expand[]` as Stripe does it: each path (`payment_method`, `setup_intent.payment_method`,
 * `data.customer` in a list) replaces an id with the object it names, up to four levels.
 * A field that holds no id of a stored object stays as it is.
 */
async function expand(body: Json, paths: string[]): Promise<Json> {
  const walk = async (object: Json, segments: string[]): Promise<Json> => {
    const [field, ...deeper] = segments;
    if (field === undefined) return object;
    const value = object[field];
    if (field === "data" && Array.isArray(value)) {
      const items = await Promise.all(value.map((item) => (isRecord(item) ? walk(item, deeper) : item)));
      return { ...object, data: items };
    }
    let next: unknown = value;
    if (typeof value === "string" && /^[a-z]+_[A-Za-z0-9_]+$/.test(value)) {
      const stored = await getObject<Json>(value);
      if (stored) next = publicObject(stored);
    }
    if (isRecord(next) && deeper.length > 0) next = await walk(next, deeper);
    return { ...object, [field]: next };
  };
  let out = body;
  for (const path of paths) {
    const segments = path.split(".");
    if (segments.length > 4) throw invalid("expand", `You cannot expand more than 4 levels of a property. Property: ${path}`, "parameter_invalid_string");
    out = await walk(out, segments);
  }
  return out;
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
    const expandPaths = stringList(params.expand, "expand");
    const body = publicObject(await route({ method, path, params, request: { id: requestId, idempotency_key: idempotencyKey } }));
    return { status: 200, body: expandPaths.length > 0 ? await expand(body, expandPaths) : body };
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

// --- The hosted checkout page's side (payment mode) ----------------------------------------

export type PayOutcome =
  | { status: "succeeded" | "processing"; redirectTo: string; paymentIntent: LocalPaymentIntent }
  | { status: "requires_action"; paymentIntent: LocalPaymentIntent }
  | { status: "declined"; message: string; code: string; declineCode: string | null; paymentIntent: LocalPaymentIntent }
  | DetailsProblem
  | Unavailable;

const SETUP_MODE: DetailsProblem = { status: "invalid", field: "card", message: "This checkout saves a payment method; it takes no payment." };

/** The PaymentIntent a session paid with or is trying, or null. */
export async function getLocalPaymentIntent(id: string | null): Promise<LocalPaymentIntent | null> {
  return id && id.startsWith("pi_") ? getObject<LocalPaymentIntent>(id) : null;
}

function newPaymentIntent(session: LocalPaymentCheckoutSession, id: string): LocalPaymentIntent {
  return {
    id,
    object: "payment_intent",
    allowed_payment_method_types: session.allowed_payment_method_types,
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

/** Moves the session to complete (compare-and-set on "open"); null if someone else did first. */
async function completeSession(session: LocalPaymentCheckoutSession, intent: LocalPaymentIntent, paid: boolean): Promise<LocalPaymentCheckoutSession | null> {
  const complete: LocalPaymentCheckoutSession = {
    ...session,
    status: "complete",
    payment_status: paid ? "paid" : "unpaid",
    payment_intent: intent.id,
    url: null,
    _sandbox: { ...session._sandbox, attempt_payment_intent: intent.id },
  };
  return (await putObject(complete, { status: "open" })) ? complete : null;
}

async function failAttempt(session: LocalPaymentCheckoutSession, intent: LocalPaymentIntent, error: LocalPaymentError): Promise<PayOutcome> {
  const failed: LocalPaymentIntent = { ...intent, status: "requires_payment_method", last_payment_error: error, next_action: null };
  const attempt: LocalPaymentCheckoutSession = { ...session, _sandbox: { ...session._sandbox, attempt_payment_intent: intent.id } };
  // Both compare-and-set: a failure never overwrites a payment that succeeded meanwhile.
  if (!(await putObject(attempt, { status: "open" }))) return { status: "unavailable", reason: "complete" };
  if (!(await putObject(failed, { status: intent.status }))) return { status: "unavailable", reason: "complete" };
  await emitLocalStripeEvent("payment_intent.payment_failed", failed);
  scheduleLocalEventDelivery();
  return { status: "declined", message: error.message, code: error.code, declineCode: error.decline_code ?? null, paymentIntent: failed };
}

async function succeed(session: LocalPaymentCheckoutSession, intent: LocalPaymentIntent): Promise<PayOutcome> {
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

async function attemptIntent(session: LocalPaymentCheckoutSession): Promise<LocalPaymentIntent> {
  const existing = await getLocalPaymentIntent(session._sandbox.attempt_payment_intent);
  return existing ?? newPaymentIntent(session, localStripeId("pi"));
}

/**
 * Pays an open payment-mode Checkout Session as the hosted page does: a test card number
 * (spaces allowed) or a test bank account. Records the PaymentIntent, the session's new
 * state and the events, and schedules their delivery. The PaymentMethod is not attached to
 * the customer (Checkout in payment mode saves nothing), so it cannot be charged again.
 */
export async function payCheckoutSession(sessionId: string, details: PaymentDetails): Promise<PayOutcome> {
  const session = await openSession(sessionId);
  if ("reason" in session) return session;
  if (session.mode !== "payment") return SETUP_MODE;
  const read = readDetails(details, session.payment_method_types, {
    noCards: "This payment does not accept cards.",
    noBanks: "This payment does not accept bank accounts.",
  });
  if ("status" in read) return read;

  if (read.kind === "card") {
    const paymentMethod = newPaymentMethod({ card: read }, { email: session.customer_email, allowRedisplay: "unspecified" });
    await putObject(paymentMethod);
    const intent: LocalPaymentIntent = { ...(await attemptIntent(session)), payment_method: paymentMethod.id };
    const card = read.card;
    const methodJson = publicObject(paymentMethod) as unknown as Json;
    if (!card) return failAttempt(session, intent, { type: "card_error", ...LIVE_CARD_DECLINE, payment_method: methodJson });
    if (card.outcome === "decline") return failAttempt(session, intent, { type: "card_error", ...cardDecline(card), payment_method: methodJson });
    if (card.outcome === "authenticate") {
      const waiting: LocalPaymentIntent = { ...intent, status: "requires_action", next_action: { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect" } } };
      const attempt: LocalPaymentCheckoutSession = { ...session, _sandbox: { ...session._sandbox, attempt_payment_intent: intent.id } };
      if (!(await putObject(attempt, { status: "open" }))) return { status: "unavailable", reason: "complete" };
      if (!(await putObject(waiting, { status: intent.status }))) return { status: "unavailable", reason: "complete" };
      await emitLocalStripeEvent("payment_intent.requires_action", waiting);
      scheduleLocalEventDelivery();
      return { status: "requires_action", paymentIntent: waiting };
    }
    return succeed(session, intent);
  }

  const paymentMethod = newPaymentMethod({ bank: read }, { email: session.customer_email, allowRedisplay: "unspecified" });
  await putObject(paymentMethod);
  const base = await attemptIntent(session);
  const settlesAs: LocalBankSettlement = read.settlesAs;
  const processing: LocalPaymentIntent = {
    ...base,
    status: "processing",
    payment_method: paymentMethod.id,
    last_payment_error: null,
    next_action: null,
    _sandbox: { checkout_session: session.id, settles_as: settlesAs },
  };
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
  if (session.mode !== "payment") return SETUP_MODE;
  const intent = await getLocalPaymentIntent(session._sandbox.attempt_payment_intent);
  if (!intent || intent.status !== "requires_action") return { status: "invalid", field: "card", message: "There is no payment waiting for authentication." };
  if (outcome === "succeeded") return succeed(session, intent);
  return failAttempt(session, intent, {
    type: "card_error",
    code: "payment_intent_authentication_failure",
    message: "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
  });
}
