/**
 * The local Stripe sandbox's setup mode (decision 001): Checkout Sessions with `mode: "setup"`
 * and their SetupIntents, and saving a card or bank account on the hosted page
 * (/sandbox/stripe/checkout/:id) as Stripe's own page does. Saving attaches a PaymentMethod
 * to the session's customer, with what later off-session charges on it will do kept in its
 * private `_sandbox` field (local-charges.server.ts reads it):
 *
 * - 4242 4242 4242 4242, 5555 5555 5555 4444: saved; later charges succeed.
 * - 4000 0000 0000 0341: saved; later charges are declined (card_declined, generic_decline).
 * - 4000 0000 0000 0002, 9995, 9987, 0069: declined on the page (setup_intent.setup_failed).
 * - 4000 0025 0000 3155: 3D Secure on the page, then saved; later charges succeed.
 * - 4000 0027 6000 3184: 3D Secure on the page, then saved; later charges fail with
 *   authentication_required.
 * - Bank account 110000000 / 000123456789 (or 000111111116, 000222222227): saved at once
 *   (instant verification) with a mandate; later debits stay processing until settled, then
 *   succeed (…6789) or fail (the others).
 */
import {
  cardDecline,
  getObject,
  invalid,
  isRecord,
  LIVE_CARD_DECLINE,
  metadata,
  newPaymentMethod,
  openSession,
  optionalString,
  putObject,
  readDetails,
  rejectUnknown,
  successUrl,
  type DetailsProblem,
  type LocalPaymentMethod,
  type LocalSetupCheckoutSession,
  type LocalSetupError,
  type LocalSetupIntent,
  type Params,
  type PaymentDetails,
  type Unavailable,
} from "./local-common.server";
import { emitLocalStripeEvent, localStripeId, publicObject, scheduleLocalEventDelivery, unixNow } from "./local-events.server";

type SessionBase = Omit<LocalSetupCheckoutSession, "mode" | "amount_subtotal" | "amount_total" | "currency" | "payment_intent" | "payment_status" | "setup_intent" | "_sandbox">;

/**
 * A setup-mode Checkout Session from its create parameters (the common ones already read
 * into `base`) and its SetupIntent, created with it as Stripe does. This sandbox needs a
 * customer: the saved PaymentMethod is attached to it.
 */
export async function createSetupModeSession(params: Params, base: SessionBase, typesParam: string): Promise<LocalSetupCheckoutSession> {
  if (params.line_items !== undefined) throw invalid("line_items", "You cannot pass `line_items` in `setup` mode.", "parameter_invalid_empty");
  if (params.payment_intent_data !== undefined) {
    throw invalid("payment_intent_data", "You cannot pass `payment_intent_data` in `setup` mode.", "parameter_invalid_empty");
  }
  if (base.customer === null) {
    throw invalid("customer", "Missing required param: customer. The local Stripe sandbox saves a payment method in `setup` mode for a customer only.", "parameter_missing");
  }
  const currency = optionalString(params, "currency")?.toLowerCase() ?? null;
  if (currency !== null && !/^[a-z]{3}$/.test(currency)) throw invalid("currency", `Invalid currency: ${currency}`, "parameter_invalid_string");
  if (currency !== null && currency !== "usd" && base.payment_method_types.includes("us_bank_account")) {
    throw invalid(typesParam, "The payment method `us_bank_account` requires the currency usd.");
  }
  const data = params.setup_intent_data;
  if (data !== undefined && !isRecord(data)) throw invalid("setup_intent_data", "Invalid object: setup_intent_data", "parameter_invalid_object");
  if (data) rejectUnknown(data, ["metadata", "description"], "setup_intent_data");
  const description = data ? optionalString(data, "description", "setup_intent_data[description]", 1000) : null;

  const intentId = localStripeId("seti");
  const intent: LocalSetupIntent = {
    id: intentId,
    object: "setup_intent",
    allowed_payment_method_types: base.allowed_payment_method_types,
    application: null,
    automatic_payment_methods: null,
    cancellation_reason: null,
    client_secret: `${intentId}_secret_${localStripeId("x", 24).slice(2)}`,
    created: base.created,
    customer: base.customer,
    customer_account: null,
    description,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: metadata(data?.metadata, "setup_intent_data[metadata]"),
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: Object.fromEntries(
      base.payment_method_types.map((type) =>
        type === "card"
          ? ["card", { mandate_options: null, network: null, request_three_d_secure: "automatic" }]
          : ["us_bank_account", { financial_connections: { permissions: ["payment_method"], prefetch: [] }, mandate_options: {}, verification_method: "automatic" }],
      ),
    ),
    payment_method_types: base.payment_method_types,
    single_use_mandate: null,
    status: "requires_payment_method",
    usage: "off_session",
    _sandbox: { checkout_session: base.id },
  };
  const session: LocalSetupCheckoutSession = {
    ...base,
    mode: "setup",
    amount_subtotal: null,
    amount_total: null,
    currency,
    payment_intent: null,
    payment_status: "no_payment_required",
    setup_intent: intentId,
    _sandbox: { description },
  };
  await putObject(intent);
  await putObject(session);
  return session;
}

// --- The hosted page's side --------------------------------------------------------------

export type SetupOutcome =
  | { status: "succeeded"; redirectTo: string; setupIntent: LocalSetupIntent; paymentMethod: LocalPaymentMethod }
  | { status: "requires_action"; setupIntent: LocalSetupIntent }
  | { status: "declined"; message: string; code: string; declineCode: string | null; setupIntent: LocalSetupIntent }
  | DetailsProblem
  | Unavailable;

/** A SetupIntent by id, or null. */
export async function getLocalSetupIntent(id: string | null): Promise<LocalSetupIntent | null> {
  return id && id.startsWith("seti_") ? getObject<LocalSetupIntent>(id) : null;
}

const PAYMENT_MODE: DetailsProblem = { status: "invalid", field: "card", message: "This checkout takes a payment; it does not save a payment method." };

/** The session's SetupIntent, or why it cannot be confirmed any more. */
async function openIntent(session: LocalSetupCheckoutSession): Promise<LocalSetupIntent | Unavailable> {
  const intent = await getLocalSetupIntent(session.setup_intent);
  if (!intent) return { status: "unavailable", reason: "missing" };
  if (intent.status === "succeeded" || intent.status === "canceled") return { status: "unavailable", reason: "complete" };
  return intent;
}

async function failSetup(intent: LocalSetupIntent, error: LocalSetupError): Promise<SetupOutcome> {
  const failed: LocalSetupIntent = { ...intent, status: "requires_payment_method", last_setup_error: error, next_action: null, payment_method: null };
  // Compare-and-set: a failure never overwrites a setup that succeeded meanwhile.
  if (!(await putObject(failed, { status: intent.status }))) return { status: "unavailable", reason: "complete" };
  await emitLocalStripeEvent("setup_intent.setup_failed", failed);
  scheduleLocalEventDelivery();
  return { status: "declined", message: error.message, code: error.code, declineCode: error.decline_code ?? null, setupIntent: failed };
}

/** The session completes (compare-and-set on "open"), the method is attached, the SetupIntent succeeds. */
async function finishSetup(session: LocalSetupCheckoutSession, intent: LocalSetupIntent, method: LocalPaymentMethod, mandate: string | null): Promise<SetupOutcome> {
  const complete: LocalSetupCheckoutSession = { ...session, status: "complete", url: null };
  if (!(await putObject(complete, { status: "open" }))) return { status: "unavailable", reason: "complete" };
  const attached: LocalPaymentMethod = { ...method, customer: session.customer };
  await putObject(attached);
  const succeeded: LocalSetupIntent = {
    ...intent,
    status: "succeeded",
    payment_method: attached.id,
    last_setup_error: null,
    next_action: null,
    latest_attempt: localStripeId("setatt"),
    mandate,
  };
  await putObject(succeeded);
  await emitLocalStripeEvent("setup_intent.succeeded", succeeded);
  await emitLocalStripeEvent("checkout.session.completed", complete);
  scheduleLocalEventDelivery();
  return { status: "succeeded", redirectTo: successUrl(complete), setupIntent: succeeded, paymentMethod: attached };
}

/**
 * Saves a card or bank account on an open setup-mode Checkout Session as the hosted page
 * does: a test card number (spaces allowed) or a test bank account. Records the
 * PaymentMethod, the SetupIntent's and session's new state and the events, and schedules
 * their delivery. A declined card leaves the session open for another try.
 */
export async function setupCheckoutSession(sessionId: string, details: PaymentDetails): Promise<SetupOutcome> {
  const session = await openSession(sessionId);
  if ("reason" in session) return session;
  if (session.mode !== "setup") return PAYMENT_MODE;
  const read = readDetails(details, session.payment_method_types, {
    noCards: "This checkout does not accept cards.",
    noBanks: "This checkout does not accept bank accounts.",
  });
  if ("status" in read) return read;
  const intent = await openIntent(session);
  if ("reason" in intent) return intent;

  if (read.kind === "bank") {
    const method = newPaymentMethod({ bank: read }, { email: session.customer_email, allowRedisplay: "limited" });
    // Instant verification: the mandate the borrower accepted on the page, then saved at once.
    const mandate = {
      id: localStripeId("mandate"),
      object: "mandate",
      customer_acceptance: { accepted_at: unixNow(), online: { ip_address: "127.0.0.1", user_agent: "Repay local Stripe sandbox" }, type: "online" },
      livemode: false,
      multi_use: {},
      on_behalf_of: null,
      payment_method: method.id,
      payment_method_details: { type: "us_bank_account", us_bank_account: { collection_method: null } },
      status: "active",
      type: "multi_use",
    };
    await putObject(mandate);
    return finishSetup(session, intent, method, mandate.id);
  }

  const method = newPaymentMethod({ card: read }, { email: session.customer_email, allowRedisplay: "limited" });
  const card = read.card;
  if (card === undefined || card.setup === "decline") {
    await putObject(method);
    const decline = card === undefined ? LIVE_CARD_DECLINE : cardDecline(card);
    return failSetup(intent, { type: "card_error", ...decline, payment_method: publicObject(method) as unknown as Record<string, unknown> });
  }
  if (card.setup === "authenticate") {
    await putObject(method);
    const waiting: LocalSetupIntent = {
      ...intent,
      status: "requires_action",
      payment_method: method.id,
      last_setup_error: null,
      next_action: { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect" } },
    };
    if (!(await putObject(waiting, { status: intent.status }))) return { status: "unavailable", reason: "complete" };
    await emitLocalStripeEvent("setup_intent.requires_action", waiting);
    scheduleLocalEventDelivery();
    return { status: "requires_action", setupIntent: waiting };
  }
  return finishSetup(session, intent, method, null);
}

/** Finishes the 3D Secure step a test card asked for while saving it: it succeeds or fails. */
export async function authenticateSetupCheckoutSession(sessionId: string, outcome: "succeeded" | "failed"): Promise<SetupOutcome> {
  const session = await openSession(sessionId);
  if ("reason" in session) return session;
  if (session.mode !== "setup") return PAYMENT_MODE;
  const intent = await openIntent(session);
  if ("reason" in intent) return intent;
  const method = intent.status === "requires_action" && intent.payment_method ? await getObject<LocalPaymentMethod>(intent.payment_method) : null;
  if (!method) return { status: "invalid", field: "card", message: "There is no card waiting for authentication." };
  if (outcome === "succeeded") return finishSetup(session, intent, method, null);
  return failSetup(intent, {
    type: "card_error",
    code: "setup_intent_authentication_failure",
    message: "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
    payment_method: publicObject(method) as unknown as Record<string, unknown>,
  });
}
