/**
 * Pay automatically (issue 6 item 4, ADR 006): the borrower reads a recurring-payment
 * authorization, agrees (a consent with its exact words), and saves a card or bank account on
 * Stripe's page (Checkout in setup mode). Stripe's signed `checkout.session.completed` makes
 * the authorization active; from then on the sweep (automatic-charges.server.ts) takes each
 * installment on its due date. The borrower can stop it at any time ("My payment methods"):
 * the plan stays, and they pay each installment themselves.
 *
 * One typed wrapper per `api.*` function of supabase/migrations/20261128000600_automatic_payments.sql,
 * plus the Stripe calls around them. Card data never reaches our server: we keep the
 * PaymentMethod id, its type, the brand or bank name and the last four digits.
 */
import Stripe from "stripe";
import { z } from "zod";
import { formatMoney } from "~/domain/money";
import { formatPhoneNumber } from "~/domain/phone";
import { intlLocale, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { getStripe } from "~/services/stripe/client.server";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";
import { orNotFound, requireUuid } from "~/utils/accounts.server";
import { formatShortDate, termsFromLines, type Terms } from "~/utils/arrangement-terms.server";
import type { ArrangementInstallment } from "~/utils/arrangements.server";
import { consentArg, type ConsentInput } from "~/utils/consent.server";
import { getEnv } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";

export const AUTOPAY_TERMS_VERSION = "autopay-authorization.v1";

const Uuid = z.uuid();
const Instant = z.coerce.date();
const CustomerId = z.string().regex(/^cus_[A-Za-z0-9]{1,250}$/);

// ---------------------------------------------------------------------------------------
// The words

export interface AutopayTermsInput {
  creditorName: string;
  referenceLast4: string;
  currency: string;
  region: string;
  /** E.164, as stored. */
  supportPhone: string;
  /** The installments still to pay, in order. */
  installments: Pick<ArrangementInstallment, "dueOn" | "amountMinor" | "paidMinor">[];
}

/**
 * The authorization as the exact lines the borrower reads before agreeing: who takes what,
 * when, what happens when a payment does not go through, and how to stop it. The same input
 * renders the same lines, so the action can check the hash the form carried.
 */
export async function autopayTerms(input: AutopayTermsInput, language: Language): Promise<Terms> {
  const t = await i18nServer.getFixedT(language, "pay");
  const money = (minor: number) => formatMoney(minor, input.currency, intlLocale(language, input.region));
  const lines = [t("autopay.terms.agree", { creditorName: input.creditorName, last4: input.referenceLast4 })];
  const headingIndex = lines.length;
  lines.push(t("autopay.terms.paymentsHeading"));
  for (const installment of input.installments) {
    lines.push(
      t("autopay.terms.payment", {
        date: formatShortDate(installment.dueOn, language, input.region),
        amount: money(installment.amountMinor - installment.paidMinor),
      }),
    );
  }
  lines.push(t("autopay.terms.moved"));
  lines.push(t("autopay.terms.retries"));
  lines.push(t("autopay.terms.stop", { phone: formatPhoneNumber(input.supportPhone) }));
  lines.push(t("autopay.terms.ends"));
  return termsFromLines(AUTOPAY_TERMS_VERSION, language, lines, { headingIndex, count: input.installments.length });
}

// ---------------------------------------------------------------------------------------
// Stripe Customer

/**
 * The borrower's Stripe Customer, created once: the idempotency key is built from the
 * borrower id, and the database keeps the first one stored if two requests race.
 */
export async function ensureStripeCustomer(borrowerId: string): Promise<string> {
  const id = Uuid.parse(borrowerId);
  const stored = await rpc("borrower_stripe_customer", { p_borrower_id: id }, CustomerId.nullable());
  if (stored) return stored;
  const customer = await getStripe().customers.create({ metadata: { borrower_id: id } }, { idempotencyKey: `customer/${id}` });
  return rpc("save_stripe_customer", { p_borrower_id: id, p_customer_id: customer.id }, CustomerId);
}

// ---------------------------------------------------------------------------------------
// Start: consent, pending authorization, setup-mode Checkout

export const START_REFUSALS = ["account_not_open", "no_active_plan", "consent_hash_mismatch", "unavailable"] as const;
export type StartAuthorizationRefusal = (typeof START_REFUSALS)[number];

export interface StartAuthorizationInput {
  borrowerId: string;
  accountId: string;
  arrangementId: string;
  consent: ConsentInput;
  /** Where Stripe sends the borrower back: with the authorization id, or after cancelling. */
  returnPath: (authorizationId: string, cancelled: boolean) => string;
}

export type StartAuthorizationResult = { ok: true; authorizationId: string; url: string } | { ok: false; reason: StartAuthorizationRefusal };

const StartResultSchema = z.object({ authorization_id: Uuid, consent_id: Uuid });

export async function startPaymentAuthorization(input: StartAuthorizationInput): Promise<StartAuthorizationResult> {
  const borrowerId = Uuid.parse(input.borrowerId);
  const accountId = requireUuid(input.accountId);
  let customerId: string;
  try {
    customerId = await ensureStripeCustomer(borrowerId);
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeError)) throw error;
    logger.warn("autopay.customer_failed", { code: error.code ?? error.type });
    return { ok: false, reason: "unavailable" };
  }

  let started: z.output<typeof StartResultSchema>;
  try {
    started = await orNotFound(() =>
      rpc(
        "start_payment_authorization",
        {
          p_borrower_id: borrowerId,
          p_account_id: accountId,
          p_arrangement_id: Uuid.parse(input.arrangementId),
          p_stripe_customer_id: customerId,
          p_consent: consentArg(input.consent),
        },
        StartResultSchema,
      ),
    );
  } catch (error) {
    if (isRpcError(error) && (error.hint === "account_not_open" || error.hint === "no_active_plan" || error.hint === "consent_hash_mismatch")) {
      return { ok: false, reason: error.hint };
    }
    throw error;
  }

  const env = getEnv();
  const metadata = { authorization_id: started.authorization_id, account_id: accountId };
  try {
    const session = await getStripe().checkout.sessions.create(
      {
        mode: "setup",
        customer: customerId,
        currency: "usd",
        allowed_payment_method_types: ["card", "us_bank_account"],
        client_reference_id: started.authorization_id,
        metadata,
        setup_intent_data: { metadata },
        success_url: new URL(input.returnPath(started.authorization_id, false), env.APP_URL).toString(),
        cancel_url: new URL(input.returnPath(started.authorization_id, true), env.APP_URL).toString(),
      } as Stripe.Checkout.SessionCreateParams,
      { idempotencyKey: `setup/${started.authorization_id}` },
    );
    if (!session.url) throw new Error("Checkout Session without a url");
    await rpc(
      "attach_setup_session",
      { p_borrower_id: borrowerId, p_authorization_id: started.authorization_id, p_session_id: session.id },
      z.unknown(),
    );
    return { ok: true, authorizationId: started.authorization_id, url: session.url };
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeError)) throw error;
    // Nothing saved at Stripe: the authorization stays pending and is never charged.
    logger.warn("autopay.setup_start_failed", { authorizationId: started.authorization_id, code: error.code ?? error.type });
    return { ok: false, reason: "unavailable" };
  }
}

// ---------------------------------------------------------------------------------------
// Setup completed (the webhook)

const SetupOutcomeSchema = z.object({
  outcome: z.enum(["applied", "duplicate", "ignored"]),
  authorization_id: Uuid.nullable(),
});
export type SetupOutcome = z.output<typeof SetupOutcomeSchema>;

/** What the method is called on the borrower's pages: the card brand or the bank's name. */
function methodLabel(method: Stripe.PaymentMethod): string | null {
  if (method.type === "card") return method.card?.brand ?? null;
  if (method.type === "us_bank_account") return method.us_bank_account?.bank_name ?? null;
  return null;
}

function methodLast4(method: Stripe.PaymentMethod): string | null {
  if (method.type === "card") return method.card?.last4 ?? null;
  if (method.type === "us_bank_account") return method.us_bank_account?.last4 ?? null;
  return null;
}

/**
 * A verified `checkout.session.completed` of a setup-mode session: reads the SetupIntent and
 * its PaymentMethod back from Stripe (the event carries only their ids) and activates the
 * pending authorization of that session, once however often the event arrives.
 */
export async function recordSetupCompleted(event: Stripe.Event, session: Stripe.Checkout.Session): Promise<SetupOutcome> {
  const setupIntentId = typeof session.setup_intent === "string" ? session.setup_intent : (session.setup_intent?.id ?? null);
  let method: Stripe.PaymentMethod | null = null;
  if (setupIntentId) {
    const stripe = getStripe();
    const intent = await stripe.setupIntents.retrieve(setupIntentId);
    const methodId = typeof intent.payment_method === "string" ? intent.payment_method : (intent.payment_method?.id ?? null);
    if (intent.status === "succeeded" && methodId) method = await stripe.paymentMethods.retrieve(methodId);
  }
  const customer = typeof session.customer === "string" ? session.customer : (session.customer?.id ?? null);
  return rpc(
    "record_setup_completed",
    {
      p_event_id: event.id,
      p_type: event.type,
      p_setup: {
        session_id: session.id,
        customer,
        payment_method: method?.id ?? null,
        method_type: method?.type ?? null,
        method_label: method ? methodLabel(method)?.slice(0, 100) ?? null : null,
        last4: method ? methodLast4(method) : null,
      },
    },
    SetupOutcomeSchema,
  );
}

// ---------------------------------------------------------------------------------------
// The borrower's authorizations

export const AUTHORIZATION_STATUSES = ["active", "revoked", "replaced"] as const;

const AuthorizationSchema = z
  .object({
    id: Uuid,
    account_id: Uuid,
    arrangement_id: Uuid,
    status: z.enum(AUTHORIZATION_STATUSES),
    method_type: z.enum(["card", "us_bank_account"]),
    method_label: z.string().nullable(),
    method_last4: z.string().regex(/^\d{4}$/),
    activated_at: Instant,
    ended_at: Instant.nullable(),
    created_at: Instant,
    plan_status: z.string(),
    terms: z.object({ body: z.string(), version: z.string(), language: z.enum(["en", "es"]), agreed_at: Instant }),
  })
  .transform((a) => ({
    id: a.id,
    accountId: a.account_id,
    arrangementId: a.arrangement_id,
    status: a.status,
    method: { type: a.method_type, label: a.method_label, last4: a.method_last4 },
    activatedAt: a.activated_at,
    endedAt: a.ended_at,
    planActive: a.plan_status === "active",
    terms: { lines: a.terms.body.split("\n"), version: a.terms.version, language: a.terms.language, agreedAt: a.terms.agreed_at },
  }));
export type PaymentAuthorization = z.output<typeof AuthorizationSchema>;

/** The account's saved-method authorizations (active first in time order: newest first). */
export async function listPaymentAuthorizations(borrowerId: string, accountId: string): Promise<PaymentAuthorization[]> {
  return rpc(
    "borrower_payment_authorizations",
    { p_borrower_id: Uuid.parse(borrowerId), p_account_id: requireUuid(accountId) },
    z.array(AuthorizationSchema),
  );
}

const RevokeResultSchema = z.object({ authorization_id: Uuid, detach_payment_method: z.string().nullable() });

export type RevokeResult = { ok: true } | { ok: false; reason: "authorization_not_active" };

/**
 * Stops automatic payments: revoked and a withdrawn consent recorded in one database call,
 * then the PaymentMethod detached at Stripe (when no other authorization uses it). The
 * database is the record: a failed detach is logged, and the method is never charged again
 * because nothing active points at it.
 */
export async function revokePaymentAuthorization(input: {
  borrowerId: string;
  authorizationId: string;
  ip: string | null;
  userAgent: string | null;
}): Promise<RevokeResult> {
  let result: z.output<typeof RevokeResultSchema>;
  try {
    result = await orNotFound(() =>
      rpc(
        "revoke_payment_authorization",
        {
          p_borrower_id: Uuid.parse(input.borrowerId),
          p_authorization_id: requireUuid(input.authorizationId),
          p_context: { ip: input.ip, user_agent: input.userAgent?.slice(0, 512) ?? null },
        },
        RevokeResultSchema,
      ),
    );
  } catch (error) {
    if (isRpcError(error) && error.hint === "authorization_not_active") return { ok: false, reason: "authorization_not_active" };
    throw error;
  }
  if (result.detach_payment_method) {
    try {
      await getStripe().paymentMethods.detach(result.detach_payment_method);
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeError)) throw error;
      logger.warn("autopay.detach_failed", { authorizationId: result.authorization_id, code: error.code ?? error.type });
    }
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------
// How automatic payments stand on one account

export const AUTOMATIC_STATES = ["in_flight", "retrying", "needs_you", "confirm"] as const;
export type AutomaticState = (typeof AUTOMATIC_STATES)[number];

const AccountAutomaticSchema = z
  .object({
    authorization: z
      .object({
        id: Uuid,
        arrangement_id: Uuid,
        method_type: z.enum(["card", "us_bank_account"]),
        method_label: z.string().nullable(),
        method_last4: z.string().regex(/^\d{4}$/),
        activated_at: Instant,
      })
      .nullable(),
    at_risk_since: Instant.nullable(),
    installments: z.array(
      z.object({
        installment_id: Uuid,
        attempt: z.number().int().min(1).max(3),
        state: z.enum(AUTOMATIC_STATES),
        next_attempt_on: z.iso.date().nullable(),
      }),
    ),
  })
  .transform((a) => ({
    authorization: a.authorization
      ? {
          id: a.authorization.id,
          arrangementId: a.authorization.arrangement_id,
          method: { type: a.authorization.method_type, label: a.authorization.method_label, last4: a.authorization.method_last4 },
          activatedAt: a.authorization.activated_at,
        }
      : null,
    atRiskSince: a.at_risk_since,
    installments: new Map(
      a.installments.map((i) => [i.installment_id, { attempt: i.attempt, state: i.state, nextAttemptOn: i.next_attempt_on }] as const),
    ),
  }));
export type AccountAutomaticPayments = z.output<typeof AccountAutomaticSchema>;

export async function getAccountAutomaticPayments(borrowerId: string, accountId: string): Promise<AccountAutomaticPayments> {
  const account = requireUuid(accountId);
  return orNotFound(() =>
    rpc("account_automatic_payments", { p_borrower_id: Uuid.parse(borrowerId), p_account_id: account }, AccountAutomaticSchema),
  );
}

/** "Visa ending 4242" / "STRIPE TEST BANK ending 6789", in the borrower's language. */
export async function methodText(method: { type: "card" | "us_bank_account"; label: string | null; last4: string }, language: Language): Promise<string> {
  const t = await i18nServer.getFixedT(language, "pay");
  const name =
    method.type === "card"
      ? t(`autopay.brand.${method.label ?? "card"}`, { defaultValue: method.label ? method.label.charAt(0).toUpperCase() + method.label.slice(1) : t("autopay.brand.card") })
      : (method.label ?? t("autopay.brand.bank"));
  return t("autopay.methodEnding", { name, last4: method.last4 });
}
