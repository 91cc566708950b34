/**
 * /account/:accountId/pay (issue 6 item 2): pay all of it, the next plan payment, or any amount
 * between the creditor's minimum and the balance, on Stripe's page (card or US bank account).
 * A plain form that works without JavaScript; the action checks the amount, records the
 * payment and sends the borrower to Stripe Checkout. Nothing here changes the balance.
 *
 * A bank debit on its way is not in the balance until it arrives, so what can be paid now is
 * the balance less that money (`getAccountPayable`, the figure the database checks too): "All
 * of it" becomes "Pay the rest", and when all of it is on its way the page offers no payment.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { ErrorSummary } from "~/components/error-summary";
import { Money } from "~/components/money";
import { MoneyField } from "~/components/money-field";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { formatMoney, parseMoneyInput } from "~/domain/money";
import { fallbackLanguage, intlLocale, isLanguage } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { loadArrangementPage, type ArrangementPageContext } from "~/utils/arrangement-page.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { startCheckout } from "~/utils/checkout.server";
import { getAccountAutomaticPayments } from "~/utils/payment-authorizations.server";
import { bankDebitArrivesBy, getAccountPayable } from "~/utils/payments.server";
import { noStore } from "~/utils/no-store";

export const headers = noStore;

export const handle = { i18n: ["common", "pay"] };

async function payPage(request: Request, accountId: string | undefined) {
  const page = await loadArrangementPage(request, accountId, { withArrangement: true });
  const base = `/account/${page.overview.accountId}`;
  if (!page.choiceContext) throw redirect(base, { status: 303 });
  const arrangement = page.arrangement;
  const due =
    arrangement?.status === "active" ? (arrangement.installments.find((i) => i.status === "scheduled" && i.amountMinor - i.paidMinor > 0) ?? null) : null;
  // An installment being taken automatically is not offered: paying it by hand too would pay twice.
  const automatic = due ? await getAccountAutomaticPayments(page.session.borrowerId, page.overview.accountId) : null;
  const beingTaken = due && automatic?.installments.get(due.id)?.state === "in_flight" ? due : null;
  // A bank debit on its way is not in the balance yet: what can be paid now is the rest.
  const payable = await getAccountPayable(page.session.borrowerId, page.overview.accountId);
  const balanceMinor = payable.balanceMinor;
  const inFlightMinor = Math.max(0, payable.inFlightMinor);
  const payableMinor = Math.max(0, payable.payableMinor);
  // A plan payment larger than the rest cannot be paid in one go now; any amount still can.
  const next = beingTaken || !due || due.amountMinor - due.paidMinor > payableMinor ? null : due;
  const minimumMinor = Math.min(page.policy.minimumPaymentMinor, payableMinor);
  return { page, base, next, beingTaken, balanceMinor, inFlightMinor, payableMinor, inFlightSince: payable.inFlightSince, minimumMinor };
}

function words(page: ArrangementPageContext, amounts: { balanceMinor: number; inFlightMinor: number; payableMinor: number; minimumMinor: number }) {
  const locale = intlLocale(page.session.language, page.overview.creditor.region);
  const money = (minor: number) => formatMoney(minor, page.overview.currency, locale);
  return {
    balance: money(amounts.balanceMinor),
    inFlight: money(amounts.inFlightMinor),
    payable: money(amounts.payableMinor),
    minimum: money(amounts.minimumMinor),
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { page, next, beingTaken, balanceMinor, inFlightMinor, payableMinor, inFlightSince, minimumMinor } = await payPage(request, params.accountId);
  const t = await i18nServer.getFixedT(page.session.language, "pay");
  const url = new URL(request.url);
  const region = page.overview.creditor.region;
  // A bank debit on its way is not in the balance yet: say so, so nobody pays twice.
  const arrivesOn = inFlightSince ? bankDebitArrivesBy(inFlightSince) : null;
  return {
    inFlightMinor,
    payableMinor,
    arrivesBy: arrivesOn ? formatCalendarDate(arrivesOn, page.session.language, region) : null,
    title: t("pay.meta.title"),
    accountId: page.overview.accountId,
    creditorName: page.overview.creditor.name,
    currency: page.overview.currency,
    region: page.overview.creditor.region,
    balanceMinor,
    minimumMinor,
    next: next ? { id: next.id, amountMinor: next.amountMinor - next.paidMinor, date: formatCalendarDate(next.dueOn, page.session.language, page.overview.creditor.region) } : null,
    cancelled: url.searchParams.get("cancelled") === "1",
    beingTaken: beingTaken
      ? { amountMinor: beingTaken.amountMinor - beingTaken.paidMinor, date: formatCalendarDate(beingTaken.dueOn, page.session.language, region) }
      : null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

const PayFormSchema = z.object({
  choice: z.enum(["full", "installment", "amount"]).optional().catch(undefined),
  amount: z.string().max(60).optional().catch(undefined),
  installment: z.uuid().optional().catch(undefined),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const { page, next, balanceMinor, inFlightMinor, payableMinor, minimumMinor } = await payPage(request, params.accountId);
  const t = await i18nServer.getFixedT(page.session.language, "pay");
  const w = words(page, { balanceMinor, inFlightMinor, payableMinor, minimumMinor });
  let raw: Record<string, FormDataEntryValue> = {};
  try {
    raw = Object.fromEntries(await request.formData());
  } catch {
    raw = {};
  }
  const form = PayFormSchema.parse(raw);
  const values = { choice: form.choice ?? "", amount: form.amount ?? "" };
  const reply = (field: "choice" | "amount" | "form", key: string, status = 400) =>
    data({ errors: { [field]: t(`pay.errors.${key}`, w) }, values }, { status, headers: { "Cache-Control": "no-store" } });
  // All of it is already on its way from the bank: nothing to pay now (the page offers nothing).
  if (payableMinor <= 0) return reply("form", "all_in_flight", 409);
  const rest = inFlightMinor > 0;

  let amountMinor: number;
  let installmentId: string | null = null;
  switch (form.choice) {
    case "full":
      amountMinor = payableMinor;
      break;
    case "installment":
      if (!next || form.installment !== next.id) return reply("choice", "choose");
      amountMinor = next.amountMinor - next.paidMinor;
      installmentId = next.id;
      break;
    case "amount": {
      const parsed = parseMoneyInput(values.amount);
      if (!parsed.ok) return reply("amount", parsed.reason);
      if (parsed.amountMinor === 0) return reply("amount", "zero");
      if (parsed.amountMinor > payableMinor) return reply("amount", rest ? "too_large_rest" : "too_large");
      if (parsed.amountMinor < minimumMinor) return reply("amount", rest ? "amount_out_of_range_rest" : "amount_out_of_range");
      amountMinor = parsed.amountMinor;
      break;
    }
    default:
      return reply("choice", "choose");
  }

  const started = await startCheckout({
    borrowerId: page.session.borrowerId,
    accountId: page.overview.accountId,
    amountMinor,
    purpose: form.choice,
    installmentId,
    description: t("pay.lineItem", { creditorName: page.overview.creditor.name }),
  });
  if (!started.ok) {
    // The database counts the money on its way too; it may have changed since the page loaded.
    if (started.reason === "amount_out_of_range") return reply("amount", rest ? "amount_out_of_range_rest" : "amount_out_of_range");
    // Not this installment on its way but everything: the page offered a payment a moment ago.
    if (started.reason === "payment_in_flight" && form.choice !== "installment") return reply("form", "all_in_flight", 409);
    return reply("form", started.reason, started.reason === "unavailable" ? 503 : 409);
  }
  throw redirect(started.url, { status: 303 });
}

export default function PayNow() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t, i18n } = useTranslation("pay");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const errors = (actionData?.errors ?? {}) as Partial<Record<"choice" | "amount" | "form", string>>;
  const [choice, setChoice] = useState(actionData?.values.choice || (data.next ? "installment" : "full"));
  const locale = intlLocale(isLanguage(i18n.language) ? i18n.language : fallbackLanguage, data.region);
  const money = (minor: number) => formatMoney(minor, data.currency, locale);
  const summary = [
    errors.choice ? { fieldId: "pay-choice", message: errors.choice } : null,
    errors.amount ? { fieldId: "pay-amount", message: errors.amount } : null,
  ].filter((item): item is { fieldId: string; message: string } => item !== null);
  // With a bank debit on its way, "all of it" is the rest: the balance less what is coming.
  const rest = data.inFlightMinor > 0;
  const options = [
    ...(data.next ? [{ value: "installment", title: t("pay.next", { amount: money(data.next.amountMinor) }), description: t("pay.nextHint", { date: data.next.date }) }] : []),
    rest
      ? { value: "full", title: t("pay.rest", { amount: money(data.payableMinor) }), description: t("pay.restHint") }
      : { value: "full", title: t("pay.full", { amount: money(data.balanceMinor) }), description: t("pay.fullHint") },
    { value: "amount", title: t("pay.other"), description: t("pay.otherHint", { minimum: money(data.minimumMinor), balance: money(data.payableMinor) }) },
  ];
  const lead = (
    <p className="lead">
      <Trans
        t={t}
        i18nKey="pay.lead"
        values={{ creditorName: data.creditorName }}
        components={{ amount: <Money amountMinor={data.balanceMinor} currency={data.currency} region={data.region} /> }}
      />
    </p>
  );
  const back = (
    <p className="after-form">
      <Link to={`/account/${data.accountId}`}>{t("result.back")}</Link>
    </p>
  );

  if (data.payableMinor <= 0) {
    // Everything owed is already coming from their bank: no form, nothing to do.
    return (
      <Page title={t("pay.title")} narrow>
        {errors.form ? <Alert tone="warning" title={errors.form} /> : null}
        {lead}
        <Alert tone="info" title={t("pay.allInFlight", { amount: money(data.inFlightMinor) })} live="none">
          <p>{data.arrivesBy ? t("pay.allInFlightBy", { date: data.arrivesBy }) : t("pay.allInFlightSoon")}</p>
          <p>{t("pay.allInFlightNothing")}</p>
        </Alert>
        {back}
      </Page>
    );
  }

  return (
    <Page title={t("pay.title")} narrow>
      <ErrorSummary errors={summary} />
      {errors.form ? <Alert tone="warning" title={errors.form} /> : null}
      {data.cancelled ? <Alert tone="info" title={t("pay.cancelled")} /> : null}
      {data.beingTaken ? <Alert tone="info" title={t("pay.autoInFlight", { amount: money(data.beingTaken.amountMinor), date: data.beingTaken.date })} /> : null}
      {rest ? (
        <Alert tone="info" title={t("pay.inFlight", { amount: money(data.inFlightMinor) })}>
          <p>{t("pay.inFlightNote")}</p>
          <p>{t("pay.inFlightRest", { amount: money(data.payableMinor) })}</p>
        </Alert>
      ) : null}
      {lead}
      <Form method="post" className="stack">
        <RadioCards id="pay-choice" name="choice" label={t("pay.choose")} value={choice} onChange={setChoice} errors={errors.choice ? [errors.choice] : undefined} options={options} />
        {data.next ? <input type="hidden" name="installment" value={data.next.id} /> : null}
        <MoneyField
          id="pay-amount"
          name="amount"
          label={t("pay.amount")}
          currency={data.currency}
          region={data.region}
          defaultValue={actionData?.values.amount ?? ""}
          errors={errors.amount ? [errors.amount] : undefined}
        />
        <p>{t("pay.how")}</p>
        <Button type="submit" isDisabled={busy}>
          {t("pay.continue")}
        </Button>
      </Form>
      {back}
    </Page>
  );
}
