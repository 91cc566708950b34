/**
 * /sandbox/stripe/checkout/:id: the local Stripe sandbox's hosted checkout page, where a
 * Checkout Session's `url` points in local mode. Local mode (no STRIPE_SECRET_KEY) and
 * loopback clients only: requireLocalOnly answers 404 otherwise, so a deployment never has
 * it. A plain form that works without JavaScript: Stripe's documented test card numbers, the
 * test bank account, 3D Secure's complete/fail step, and settling a processing bank debit.
 * A setup-mode session shows no amount: the borrower saves a card or bank account for the
 * business's future payments ("Save"), and goes back to the success URL once it is saved.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Page } from "~/components/page";
import { TextField } from "~/components/text-field";
import { formatMoney } from "~/domain/money";
import { intlLocale } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import {
  authenticateCheckoutSession,
  authenticateSetupCheckoutSession,
  getLocalCheckoutSession,
  getLocalPaymentIntent,
  getLocalSetupIntent,
  payCheckoutSession,
  settleProcessingPayments,
  setupCheckoutSession,
  type PayOutcome,
  type PaymentDetails,
  type SetupOutcome,
} from "~/services/stripe/local-sandbox.server";
import { requireLocalOnly } from "~/utils/local-only.server";

export const handle = { i18n: ["common", "dev"] };

const TEST_CARDS = [
  { number: "4242 4242 4242 4242", key: "succeeds" },
  { number: "4000 0000 0000 0002", key: "declined" },
  { number: "4000 0000 0000 9995", key: "insufficientFunds" },
  { number: "4000 0025 0000 3155", key: "authentication" },
] as const;

/** Setup mode: what saving each number does now and to later off-session charges. */
const SETUP_TEST_CARDS = [
  { number: "4242 4242 4242 4242", key: "setup.testCards.saved" },
  { number: "5555 5555 5555 4444", key: "setup.testCards.saved" },
  { number: "4000 0000 0000 0341", key: "setup.testCards.savedThenDeclined" },
  { number: "4000 0000 0000 0002", key: "testCards.declined" },
  { number: "4000 0000 0000 9995", key: "testCards.insufficientFunds" },
  { number: "4000 0025 0000 3155", key: "setup.testCards.authentication" },
  { number: "4000 0027 6000 3184", key: "setup.testCards.authenticationAlways" },
] as const;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  requireLocalOnly(context, "stripe");
  const session = await getLocalCheckoutSession(params.id ?? "");
  if (!session) throw new Response("Not found", { status: 404 });
  const language = await getLanguage(request);
  const t = await i18nServer.getFixedT(language, "dev");
  const setup = session.mode === "setup";
  const base = {
    title: setup ? t("stripeCheckout.setup.title") : t("stripeCheckout.title"),
    id: session.id,
    mode: session.mode,
    amountText: setup ? null : formatMoney(session.amount_total, session.currency.toUpperCase(), intlLocale(language)),
    item: setup ? (session._sandbox.description ?? "") : session._sandbox.line_items.map((line) => line.name).join(", "),
    cancelUrl: session.cancel_url,
  };
  if (session.status === "expired") return { ...base, view: "expired" as const };
  // Where the page stands: the attempt's status and last error, from the PaymentIntent or SetupIntent.
  let attempt: { status: string; lastError: string | null } | null = null;
  if (session.mode === "setup") {
    const intent = await getLocalSetupIntent(session.setup_intent);
    attempt = intent && { status: intent.status, lastError: intent.last_setup_error?.message ?? null };
  } else {
    const intent = await getLocalPaymentIntent(session.payment_intent ?? session._sandbox.attempt_payment_intent);
    attempt = intent && { status: intent.status, lastError: intent.last_payment_error?.message ?? null };
  }
  if (session.status === "complete") {
    const successUrl = session.success_url.replaceAll("{CHECKOUT_SESSION_ID}", session.id);
    if (attempt?.status === "processing") return { ...base, view: "processing" as const, successUrl };
    return { ...base, view: "complete" as const, successUrl };
  }
  if (attempt?.status === "requires_action") return { ...base, view: "authenticate" as const };
  return {
    ...base,
    view: "open" as const,
    acceptsCard: session.payment_method_types.includes("card"),
    acceptsBank: session.payment_method_types.includes("us_bank_account"),
    lastError: attempt?.status === "requires_payment_method" ? attempt.lastError : null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }, { name: "robots", content: "noindex" }] : []);

type Problem = { field: "card" | "routingNumber" | "accountNumber"; message: string; declined: boolean };

export async function action({ request, params, context }: ActionFunctionArgs) {
  requireLocalOnly(context, "stripe");
  const id = params.id ?? "";
  const session = await getLocalCheckoutSession(id);
  if (!session) throw new Response("Not found", { status: 404 });
  const form = await request.formData();
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value.slice(0, 100) : "";
  };
  const here = `/sandbox/stripe/checkout/${session.id}`;
  const intent = text("intent");

  let outcome: PayOutcome | SetupOutcome;
  const setup = session.mode === "setup";
  const details = (): PaymentDetails =>
    intent === "bank" ? { bankAccount: { routingNumber: text("routingNumber"), accountNumber: text("accountNumber") } } : { card: text("card") };
  if (intent === "settle_succeeded" || intent === "settle_failed") {
    if (session.payment_intent) {
      await settleProcessingPayments({ outcome: intent === "settle_succeeded" ? "succeeded" : "failed", paymentIntentId: session.payment_intent });
    }
    return redirect(here, 303);
  } else if (intent === "authenticate_complete" || intent === "authenticate_fail") {
    const result = intent === "authenticate_complete" ? "succeeded" : "failed";
    outcome = setup ? await authenticateSetupCheckoutSession(session.id, result) : await authenticateCheckoutSession(session.id, result);
  } else {
    outcome = setup ? await setupCheckoutSession(session.id, details()) : await payCheckoutSession(session.id, details());
  }

  switch (outcome.status) {
    case "succeeded":
    case "processing":
      return redirect(outcome.redirectTo, 303);
    case "requires_action":
    case "unavailable":
      return redirect(here, 303);
    case "declined":
      return data({ problem: { field: "card", message: outcome.message, declined: true } satisfies Problem }, { status: 400 });
    case "invalid":
      return data({ problem: { field: outcome.field, message: outcome.message, declined: false } satisfies Problem }, { status: 400 });
  }
}

export default function SandboxCheckout() {
  const page = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("dev");
  const problem = actionData && "problem" in actionData ? actionData.problem : null;
  const errorFor = (field: Problem["field"]) => (problem && problem.field === field ? [problem.message] : undefined);
  const setup = page.mode === "setup";
  /** A key of stripeCheckout, in its setup-mode wording when the session saves a method. */
  const words = (key: string) => t(setup ? `stripeCheckout.setup.${key}` : `stripeCheckout.${key}`);

  const summary =
    page.amountText === null && page.item === "" ? null : (
      <dl className="summary-list" aria-label={words("summaryLabel")}>
        {page.item !== "" ? (
          <div>
            <dt>{t("stripeCheckout.item")}</dt>
            <dd>{page.item}</dd>
          </div>
        ) : null}
        {page.amountText !== null ? (
          <div>
            <dt>{t("stripeCheckout.amount")}</dt>
            <dd>{page.amountText}</dd>
          </div>
        ) : null}
      </dl>
    );

  if (page.view === "complete") {
    return (
      <Page title={words("complete.title")} narrow>
        <p>{words("complete.body")}</p>
        {summary}
        <p>
          <a className="button button--primary" href={page.successUrl}>
            {t("stripeCheckout.complete.continue")}
          </a>
        </p>
      </Page>
    );
  }

  if (page.view === "expired") {
    return (
      <Page title={t("stripeCheckout.expired.title")} narrow>
        <p>{setup ? t("stripeCheckout.setup.expiredBody") : t("stripeCheckout.expired.body")}</p>
        {summary}
        {page.cancelUrl ? (
          <p>
            <a href={page.cancelUrl}>{words("back")}</a>
          </p>
        ) : null}
      </Page>
    );
  }

  if (page.view === "processing") {
    return (
      <Page title={t("stripeCheckout.processing.title")} narrow>
        <p>{t("stripeCheckout.processing.body")}</p>
        {summary}
        <Form method="post">
          <Button type="submit" name="intent" value="settle_succeeded">
            {t("stripeCheckout.processing.succeed")}
          </Button>{" "}
          <Button type="submit" name="intent" value="settle_failed" variant="secondary">
            {t("stripeCheckout.processing.fail")}
          </Button>
        </Form>
        <p>
          <a href={page.successUrl}>{t("stripeCheckout.complete.continue")}</a>
        </p>
      </Page>
    );
  }

  if (page.view === "authenticate") {
    return (
      <Page title={t("stripeCheckout.authentication.title")} narrow>
        <p>{setup ? t("stripeCheckout.setup.authenticationBody") : t("stripeCheckout.authentication.body")}</p>
        {summary}
        <Form method="post">
          <Button type="submit" name="intent" value="authenticate_complete">
            {t("stripeCheckout.authentication.complete")}
          </Button>{" "}
          <Button type="submit" name="intent" value="authenticate_fail" variant="secondary">
            {t("stripeCheckout.authentication.fail")}
          </Button>
        </Form>
      </Page>
    );
  }

  const message = problem?.message ?? page.lastError;
  const testCards: ReadonlyArray<{ number: string; key: string }> = setup ? SETUP_TEST_CARDS : TEST_CARDS.map((card) => ({ ...card, key: `testCards.${card.key}` }));
  return (
    <Page title={words("title")} lead={words("lead")} narrow>
      {summary}
      {message ? (
        <Alert tone="error" title={words("declinedTitle")}>
          <p>{message}</p>
          <p>{words("tryAgain")}</p>
        </Alert>
      ) : null}
      {page.acceptsCard ? (
        <section aria-labelledby="card-heading">
          <h2 id="card-heading">{words("card.heading")}</h2>
          <Form method="post" noValidate>
            <TextField
              id="card"
              name="card"
              label={t("stripeCheckout.card.label")}
              description={t("stripeCheckout.card.description")}
              inputMode="numeric"
              autoComplete="cc-number"
              width="20"
              errors={errorFor("card")}
            />
            <Button type="submit" name="intent" value="card">
              {page.amountText === null ? t("stripeCheckout.setup.card.submit") : `${t("stripeCheckout.card.submit")} ${page.amountText}`}
            </Button>
          </Form>
          <h3>{t("stripeCheckout.testCards.heading")}</h3>
          <ul>
            {testCards.map((card) => (
              <li key={card.number}>
                <code>{card.number}</code>: {t(`stripeCheckout.${card.key}`)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {page.acceptsBank ? (
        <section aria-labelledby="bank-heading">
          <h2 id="bank-heading">{words("bank.heading")}</h2>
          <p>{words("bank.description")}</p>
          <Form method="post" noValidate>
            <TextField id="routingNumber" name="routingNumber" label={t("stripeCheckout.bank.routing")} inputMode="numeric" width="10" errors={errorFor("routingNumber")} />
            <TextField id="accountNumber" name="accountNumber" label={t("stripeCheckout.bank.account")} inputMode="numeric" width="20" errors={errorFor("accountNumber")} />
            <Button type="submit" name="intent" value="bank" variant="secondary">
              {words("bank.submit")}
            </Button>
          </Form>
        </section>
      ) : null}
      {page.cancelUrl ? (
        <p>
          <a href={page.cancelUrl}>{words("back")}</a>
        </p>
      ) : null}
    </Page>
  );
}
