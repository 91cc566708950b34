/**
 * The local Stripe sandbox's charges on saved payment methods (decision 001): off-session
 * PaymentIntents (`POST /v1/payment_intents` with `confirm` and `off_session`), listing them,
 * detaching a PaymentMethod, and settling bank debits that are processing. The outcome of a
 * charge is what the saved method's test number does (`_sandbox.charges`, set when it was
 * saved on the hosted page; local-setup.server.ts):
 *
 * - a card that succeeds: 200, status succeeded, payment_intent.succeeded;
 * - 4000 0000 0000 0341: 402 card_error card_declined / generic_decline, with the
 *   PaymentIntent in the error body, stored as requires_payment_method with
 *   last_payment_error; payment_intent.payment_failed;
 * - 4000 0027 6000 3184: 402 card_error authentication_required, likewise;
 * - a bank account: 200, status processing, payment_intent.processing, until
 *   `settleProcessingPayments` (outcome chosen by the caller) or
 *   `settleProcessingPaymentsByBehaviour` (outcome the account's test number says) settles it.
 *
 * A create costs a handful of database round trips (its idempotency key, the
 * PaymentMethod, the PaymentIntent, its event), never a listing.
 */
import {
  docUrl,
  getObject,
  integer,
  invalid,
  listObjects,
  metadata,
  missingObject,
  optionalBoolean,
  optionalString,
  paymentMethodTypes,
  putObject,
  rejectUnknown,
  StripeHttpError,
  type Call,
  type Json,
  type LocalBankSettlement,
  type LocalCheckoutSession,
  type LocalPaymentError,
  type LocalPaymentIntent,
  type LocalPaymentMethod,
} from "./local-common.server";
import { emitLocalStripeEvent, localStripeId, publicObject, scheduleLocalEventDelivery, unixNow } from "./local-events.server";

const asJson = (object: object) => publicObject(object) as unknown as Json;

/** `off_session`: true/false, or Stripe's "one_off"/"recurring". */
function offSession(call: Call): boolean {
  const value = call.params.off_session;
  if (value === "one_off" || value === "recurring") return true;
  return optionalBoolean(call.params, "off_session") ?? false;
}

/** The saved PaymentMethod a create names, checked against its customer as Stripe checks it. */
async function chargeableMethod(paymentMethodId: string, customerId: string | null): Promise<LocalPaymentMethod> {
  const method = paymentMethodId.startsWith("pm_") ? await getObject<LocalPaymentMethod>(paymentMethodId) : null;
  if (!method) throw missingObject("PaymentMethod", paymentMethodId, "payment_method");
  if (customerId !== null && method.customer === customerId) return method;
  if (customerId !== null && !(customerId.startsWith("cus_") && (await getObject(customerId)))) throw missingObject("customer", customerId, "customer");
  if (method.customer === null) {
    throw new StripeHttpError(400, {
      type: "invalid_request_error",
      param: "payment_method",
      message:
        "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.",
    });
  }
  if (customerId === null) {
    throw invalid(
      "customer",
      "The provided PaymentMethod belongs to a Customer, but you did not provide a Customer. Please include the Customer in the `customer` parameter on the PaymentIntent.",
      "parameter_missing",
    );
  }
  throw new StripeHttpError(400, {
    type: "invalid_request_error",
    param: "payment_method",
    message: `The customer does not have a payment method with the ID ${method.id}. The payment method must be attached to the customer.`,
  });
}

/**
 * POST /v1/payment_intents. Validates as Stripe does, then (with `confirm`) charges the saved
 * method at once: see the file header for the outcomes.
 */
export async function createPaymentIntent(call: Call): Promise<Json> {
  const { params, request } = call;
  rejectUnknown(params, [
    "amount",
    "currency",
    "customer",
    "payment_method",
    "payment_method_types",
    "allowed_payment_method_types",
    "off_session",
    "confirm",
    "metadata",
    "description",
    "expand",
  ]);
  const amount = integer(params, "amount", "amount", 0);
  const currencyParam = optionalString(params, "currency");
  if (currencyParam === null) throw invalid("currency", "Missing required param: currency.", "parameter_missing");
  const currency = currencyParam.toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw invalid("currency", `Invalid currency: ${currencyParam}`, "parameter_invalid_string");
  if (amount < 50) {
    throw new StripeHttpError(400, { type: "invalid_request_error", code: "amount_too_small", param: "amount", message: `Amount must be at least $0.50 ${currency}` });
  }
  if (amount > 99_999_999) {
    throw new StripeHttpError(400, { type: "invalid_request_error", code: "amount_too_large", param: "amount", message: "Amount must be no more than $999,999.99" });
  }
  const { param: typesParam, types: requestedTypes } = paymentMethodTypes(params);
  const confirm = optionalBoolean(params, "confirm") ?? false;
  const isOffSession = offSession(call);
  if (isOffSession && !confirm) throw invalid("off_session", "You can only pass `off_session` when `confirm` is true.", "parameter_invalid_empty");
  const description = optionalString(params, "description", "description", 1000);
  const meta = metadata(params.metadata, "metadata");
  const customerId = optionalString(params, "customer");
  const paymentMethodId = optionalString(params, "payment_method");

  if (confirm && paymentMethodId === null) {
    throw new StripeHttpError(400, {
      type: "invalid_request_error",
      code: "payment_intent_unexpected_state",
      param: "payment_method",
      message: "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with a customer, pass a payment_method.",
    });
  }
  if (customerId !== null && paymentMethodId === null && !(customerId.startsWith("cus_") && (await getObject(customerId)))) {
    throw missingObject("customer", customerId, "customer");
  }
  const method = paymentMethodId === null ? null : await chargeableMethod(paymentMethodId, customerId);
  const types = requestedTypes.length > 0 ? requestedTypes : method ? [method.type] : ["card"];
  if (method && !types.includes(method.type)) {
    throw new StripeHttpError(400, {
      type: "invalid_request_error",
      code: "payment_intent_incompatible_payment_method",
      param: "payment_method",
      message: `The PaymentMethod provided (${method.type}) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: ${types.join(", ")}. Alternatively update the allowed payment_method_types for this PaymentIntent to include "${method.type}".`,
    });
  }
  if (types.includes("us_bank_account") && currency !== "usd") {
    throw invalid(typesParam, `The currency provided (${currency}) is invalid. Payments with us_bank_account support the following currencies: usd.`, "parameter_invalid_string");
  }

  const id = localStripeId("pi");
  const intent: LocalPaymentIntent = {
    id,
    object: "payment_intent",
    allowed_payment_method_types: requestedTypes.length > 0 ? requestedTypes : null,
    amount,
    amount_capturable: 0,
    amount_received: 0,
    capture_method: "automatic_async",
    client_secret: `${id}_secret_${localStripeId("x", 24).slice(2)}`,
    confirmation_method: "automatic",
    created: unixNow(),
    currency,
    customer: customerId,
    description,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: meta,
    next_action: null,
    payment_method: method?.id ?? null,
    payment_method_types: types,
    status: method ? "requires_confirmation" : "requires_payment_method",
  };
  if (!confirm || !method) {
    await putObject(intent);
    return intent as unknown as Json;
  }

  const charges = method._sandbox?.charges ?? (method.type === "card" ? { kind: "card" as const, outcome: "succeed" as const } : { kind: "bank" as const, settles_as: { outcome: "succeed" as const } });
  if (charges.kind === "bank") {
    const processing: LocalPaymentIntent = { ...intent, status: "processing", latest_charge: localStripeId("py"), _sandbox: { settles_as: charges.settles_as } };
    await putObject(processing);
    await emitLocalStripeEvent("payment_intent.processing", processing, request);
    scheduleLocalEventDelivery();
    return processing as unknown as Json;
  }
  if (charges.outcome === "succeed") {
    const succeeded: LocalPaymentIntent = { ...intent, status: "succeeded", amount_received: amount, latest_charge: localStripeId("ch") };
    await putObject(succeeded);
    await emitLocalStripeEvent("payment_intent.succeeded", succeeded, request);
    scheduleLocalEventDelivery();
    return succeeded as unknown as Json;
  }

  // Declined: Stripe answers 402 with the PaymentIntent in the error, and keeps the
  // PaymentIntent as requires_payment_method (off-session, no authentication is attempted).
  const charge = localStripeId("ch");
  const decline =
    charges.outcome === "decline"
      ? { code: charges.code, decline_code: charges.decline_code, message: charges.message }
      : { code: "authentication_required", decline_code: "authentication_required", message: "Your card was declined. This transaction requires authentication." };
  const error: LocalPaymentError = { type: "card_error", ...decline, charge, doc_url: docUrl(decline.code), payment_method: asJson(method) };
  const failed: LocalPaymentIntent = { ...intent, status: "requires_payment_method", last_payment_error: error, latest_charge: charge };
  await putObject(failed);
  await emitLocalStripeEvent("payment_intent.payment_failed", failed, request);
  scheduleLocalEventDelivery();
  throw new StripeHttpError(402, { ...error, payment_intent: asJson(failed) });
}

/** GET /v1/payment_intents (optionally ?customer=), newest first, Stripe's list shape. */
export async function listPaymentIntents({ params }: Call): Promise<Json> {
  rejectUnknown(params, ["customer", "limit", "starting_after", "expand"]);
  const limit = Math.min(params.limit === undefined ? 10 : integer(params, "limit", "limit", 1), 100);
  const customer = optionalString(params, "customer");
  const after = optionalString(params, "starting_after");
  const all = await listObjects<LocalPaymentIntent>("payment_intent", customer === null ? null : { customer }, after === null ? limit + 1 : 1000);
  const start = after === null ? 0 : all.findIndex((intent) => intent.id === after) + 1;
  const page = all.slice(start, start + limit);
  return { object: "list", data: page.map(asJson), has_more: all.length > start + limit, url: "/v1/payment_intents" };
}

/** POST /v1/payment_methods/:id/detach: the method can no longer be charged; payment_method.detached. */
export async function detachPaymentMethod({ params, request }: Call, id: string): Promise<Json> {
  rejectUnknown(params, ["expand"]);
  const method = id.startsWith("pm_") ? await getObject<LocalPaymentMethod>(id) : null;
  if (!method) throw missingObject("payment_method", id);
  const notAttached = new StripeHttpError(400, {
    type: "invalid_request_error",
    message: "The payment method you provided is not attached to a customer so detachment is impossible.",
  });
  if (method.customer === null) throw notAttached;
  const detached: LocalPaymentMethod = { ...method, customer: null };
  if (!(await putObject(detached, { customer: method.customer }))) throw notAttached;
  await emitLocalStripeEvent("payment_method.detached", detached, request, { customer: method.customer });
  scheduleLocalEventDelivery();
  return detached as unknown as Json;
}

// --- Settling bank debits ------------------------------------------------------------------

type Settlement = { outcome: "succeeded" | "failed"; failure?: { code: string; message: string } };

const INSUFFICIENT_FUNDS = { code: "insufficient_funds", message: "The customer's account has insufficient funds to cover this payment." };

/** How a processing PaymentIntent's own test account settles (…6789 succeeds; the other test accounts fail). */
function byBehaviour(intent: LocalPaymentIntent): Settlement {
  const settlesAs: LocalBankSettlement = intent._sandbox?.settles_as ?? { outcome: "succeed" };
  if (settlesAs.outcome === "succeed") return { outcome: "succeeded" };
  return { outcome: "failed", failure: { code: settlesAs.code ?? INSUFFICIENT_FUNDS.code, message: settlesAs.message ?? INSUFFICIENT_FUNDS.message } };
}

async function settle(decide: (intent: LocalPaymentIntent) => Settlement, paymentIntentId: string | undefined): Promise<Array<{ id: string; outcome: Settlement["outcome"] }>> {
  const settled: Array<{ id: string; outcome: Settlement["outcome"] }> = [];
  const settleOne = async (intent: LocalPaymentIntent) => {
    const { outcome, failure } = decide(intent);
    const next: LocalPaymentIntent =
      outcome === "succeeded"
        ? { ...intent, status: "succeeded", amount_received: intent.amount, latest_charge: intent.latest_charge ?? localStripeId("py") }
        : { ...intent, status: "requires_payment_method", last_payment_error: { type: "card_error", ...(failure ?? INSUFFICIENT_FUNDS) } };
    if (!(await putObject(next, { status: "processing" }))) return;
    settled.push({ id: intent.id, outcome });
    await emitLocalStripeEvent(outcome === "succeeded" ? "payment_intent.succeeded" : "payment_intent.payment_failed", next);
    const sessionId = intent._sandbox?.checkout_session;
    const session = sessionId ? await getObject<LocalCheckoutSession>(sessionId) : null;
    if (session?.mode === "payment") {
      const updated: LocalCheckoutSession = { ...session, payment_status: outcome === "succeeded" ? "paid" : "unpaid" };
      await putObject(updated);
      await emitLocalStripeEvent(outcome === "succeeded" ? "checkout.session.async_payment_succeeded" : "checkout.session.async_payment_failed", updated);
    }
  };

  if (paymentIntentId !== undefined) {
    const intent = paymentIntentId.startsWith("pi_") ? await getObject<LocalPaymentIntent>(paymentIntentId) : null;
    if (intent?.status === "processing") await settleOne(intent);
  } else {
    // A thousand at a time, until none is left processing.
    for (let round = 0; round < 1000; round += 1) {
      const batch = await listObjects<LocalPaymentIntent>("payment_intent", { status: "processing" }, 1000);
      for (const intent of batch) await settleOne(intent);
      if (batch.length < 1000) break;
    }
  }
  if (settled.length > 0) scheduleLocalEventDelivery();
  return settled;
}

/**
 * Settles bank debits that are processing (all of them, or one PaymentIntent) with the
 * outcome the caller chooses: `succeeded` emits payment_intent.succeeded (and, for a
 * Checkout payment, checkout.session.async_payment_succeeded); `failed` emits
 * payment_intent.payment_failed (and checkout.session.async_payment_failed). Returns the ids
 * of the PaymentIntents it settled.
 */
export async function settleProcessingPayments(options: { outcome: "succeeded" | "failed"; paymentIntentId?: string }): Promise<string[]> {
  const settled = await settle(() => ({ outcome: options.outcome }), options.paymentIntentId);
  return settled.map((item) => item.id);
}

/**
 * Settles bank debits that are processing (all of them, or one PaymentIntent) as their test
 * bank account says, as Stripe's test accounts do: 000123456789 succeeds; 000111111116 fails
 * (no_account), 000222222227 fails (insufficient_funds). Same events as
 * settleProcessingPayments. Returns the ids settled, by outcome.
 */
export async function settleProcessingPaymentsByBehaviour(options: { paymentIntentId?: string } = {}): Promise<{ succeeded: string[]; failed: string[] }> {
  const settled = await settle(byBehaviour, options.paymentIntentId);
  return {
    succeeded: settled.filter((item) => item.outcome === "succeeded").map((item) => item.id),
    failed: settled.filter((item) => item.outcome === "failed").map((item) => item.id),
  };
}
