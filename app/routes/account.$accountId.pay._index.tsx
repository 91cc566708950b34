/**
 * /account/:accountId/pay (issue 6 item 2): pay all of it, the next plan payment, or any amount
 * between the creditor's minimum and the balance, on Stripe's page (card or US bank account).
 * A plain form that works without JavaScript; the action checks the amount, records the
 * payment and sends the borrower to Stripe Checkout. Nothing here changes the balance.
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
import { listAccountPayments } from "~/utils/payments.server";
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
  const next = beingTaken ? null : due;
  const balanceMinor = page.choiceContext.balanceMinor;
  const minimumMinor = Math.min(page.policy.minimumPaymentMinor, balanceMinor);
  return { page, base, next, beingTaken, balanceMinor, minimumMinor };
}

function words(page: ArrangementPageContext, balanceMinor: number, minimumMinor: number) {
  const locale = intlLocale(page.session.language, page.overview.creditor.region);
  return { balance: formatMoney(balanceMinor, page.overview.currency, locale), minimum: formatMoney(minimumMinor, page.overview.currency, locale) };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { page, next, beingTaken, balanceMinor, minimumMinor } = await payPage(request, params.accountId);
  const t = await i18nServer.getFixedT(page.session.language, "pay");
  const url = new URL(request.url);
  const region = page.overview.creditor.region;
  // A bank debit on its way is not in the balance yet: say so, so nobody pays twice.
  const inFlight = (await listAccountPayments(page.session.borrowerId, page.overview.accountId)).filter((p) => p.status === "processing");
  return {
    inFlightMinor: inFlight.reduce((sum, p) => sum + p.amountMinor, 0),
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
  const { page, next, balanceMinor, minimumMinor } = await payPage(request, params.accountId);
  const t = await i18nServer.getFixedT(page.session.language, "pay");
  const w = words(page, balanceMinor, minimumMinor);
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

  let amountMinor: number;
  let installmentId: string | null = null;
  switch (form.choice) {
    case "full":
      amountMinor = balanceMinor;
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
      if (parsed.amountMinor > balanceMinor) return reply("amount", "too_large");
      if (parsed.amountMinor < minimumMinor) return reply("amount", "amount_out_of_range");
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
    if (started.reason === "amount_out_of_range") return reply("amount", "amount_out_of_range");
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
  const options = [
    ...(data.next ? [{ value: "installment", title: t("pay.next", { amount: money(data.next.amountMinor) }), description: t("pay.nextHint", { date: data.next.date }) }] : []),
    { value: "full", title: t("pay.full", { amount: money(data.balanceMinor) }), description: t("pay.fullHint") },
    { value: "amount", title: t("pay.other"), description: t("pay.otherHint", { minimum: money(data.minimumMinor), balance: money(data.balanceMinor) }) },
  ];

  return (
    <Page title={t("pay.title")} narrow>
      <ErrorSummary errors={summary} />
      {errors.form ? <Alert tone="warning" title={errors.form} /> : null}
      {data.cancelled ? <Alert tone="info" title={t("pay.cancelled")} /> : null}
      {data.beingTaken ? <Alert tone="info" title={t("pay.autoInFlight", { amount: money(data.beingTaken.amountMinor), date: data.beingTaken.date })} /> : null}
      {data.inFlightMinor > 0 ? (
        <Alert tone="info" title={t("pay.inFlight", { amount: money(data.inFlightMinor) })}>
          <p>{t("pay.inFlightNote")}</p>
        </Alert>
      ) : null}
      <p className="lead">
        <Trans
          t={t}
          i18nKey="pay.lead"
          values={{ creditorName: data.creditorName }}
          components={{ amount: <Money amountMinor={data.balanceMinor} currency={data.currency} region={data.region} /> }}
        />
      </p>
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
      <p className="after-form">
        <Link to={`/account/${data.accountId}`}>{t("result.back")}</Link>
      </p>
    </Page>
  );
}
