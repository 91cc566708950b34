/**
 * /account/:accountId/pay/return?payment=<id> (issue 6 item 2): where Stripe Checkout sends
 * the borrower back. It says only what the database knows, which changes only when Stripe's
 * webhook arrives: until then "we are confirming" (the page refreshes itself, with or without
 * JavaScript), then the receipt and the new balance, or a kind word that nothing was taken.
 * A payment id that is not this borrower's is a 404, so a tampered address shows nothing.
 */
import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { Trans, useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { ButtonLink } from "~/components/button";
import { Money } from "~/components/money";
import { Page } from "~/components/page";
import { i18nServer } from "~/i18n/i18next.server";
import { getAccountOverview } from "~/utils/accounts.server";
import { formatInstant } from "~/utils/borrower-format.server";
import { noStore } from "~/utils/no-store";
import { getPaymentStatus } from "~/utils/payments.server";
import { requireBorrowerSession } from "~/utils/session.server";

export const headers = noStore;

export const handle = { i18n: ["common", "pay"] };

/** How often the page asks again while the webhook has not arrived. */
const REFRESH_SECONDS = 3;

const QuerySchema = z.object({ payment: z.uuid(), cancelled: z.literal("1").optional().catch(undefined) });

const REASONS = new Set(["card_declined", "generic_decline", "insufficient_funds"]);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const session = await requireBorrowerSession(request);
  const url = new URL(request.url);
  const query = QuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) throw new Response("Not found", { status: 404 });
  const [overview, payment] = await Promise.all([
    getAccountOverview(session.borrowerId, params.accountId ?? ""),
    getPaymentStatus(session.borrowerId, query.data.payment),
  ]);
  if (payment.accountId !== overview.accountId) throw new Response("Not found", { status: 404 });
  const t = await i18nServer.getFixedT(session.language, "pay");
  // Back from Stripe without paying, or paid and the webhook not here yet.
  const state =
    payment.status === "created" ? (query.data.cancelled ? "created" : "confirming") : payment.status;
  return {
    title: t("result.meta.title"),
    accountId: overview.accountId,
    creditorName: overview.creditor.name,
    currency: overview.currency,
    region: overview.creditor.region,
    state,
    waiting: state === "confirming",
    amountMinor: payment.amountMinor,
    balanceMinor: overview.itemization.today.totalMinor,
    reason: payment.failureCode && REASONS.has(payment.failureCode) ? payment.failureCode : "other",
    paidAt: payment.succeededAt ? formatInstant(payment.succeededAt, session.language, overview.creditor.timeZone, overview.creditor.region) : null,
    reference: payment.paymentId.slice(0, 8).toUpperCase(),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ?? "Repay" },
  { name: "robots", content: "noindex" },
  // Without JavaScript, the browser asks again while the payment is being confirmed.
  ...(data?.waiting ? [{ httpEquiv: "refresh", content: String(REFRESH_SECONDS) } as const] : []),
];

export default function PaymentResult() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation("pay");
  const revalidator = useRevalidator();
  const base = `/account/${data.accountId}`;
  const m = (minor: number) => <Money amountMinor={minor} currency={data.currency} region={data.region} />;

  useEffect(() => {
    if (!data.waiting) return;
    const timer = setTimeout(() => revalidator.revalidate(), REFRESH_SECONDS * 1000);
    return () => clearTimeout(timer);
  }, [data.waiting, data.state, revalidator]);

  return (
    <Page title={t("result.title")} narrow>
      <div aria-live="polite">
        {data.state === "confirming" ? (
          <Alert tone="info" title={t("result.confirming")}>
            <p>{t("result.refresh")}</p>
          </Alert>
        ) : null}
        {data.state === "processing" ? (
          <Alert tone="info" title={<Trans t={t} i18nKey="result.processing" components={{ amount: m(data.amountMinor) }} />}>
            <p>{t("result.processingNote")}</p>
          </Alert>
        ) : null}
        {data.state === "succeeded" ? (
          <Alert tone="success" title={<Trans t={t} i18nKey="result.succeeded" components={{ amount: m(data.amountMinor) }} />}>
            <p>{data.balanceMinor > 0 ? <Trans t={t} i18nKey="result.balance" components={{ amount: m(data.balanceMinor) }} /> : t("result.paidOff")}</p>
          </Alert>
        ) : null}
        {data.state === "failed" ? (
          <Alert tone="warning" title={t("result.failed")}>
            <p>{t(`result.reasons.${data.reason}`)}</p>
          </Alert>
        ) : null}
        {data.state === "created" ? <Alert tone="info" title={t("result.created")} /> : null}
        {data.state === "cancelled" ? <Alert tone="info" title={t("result.cancelled")} /> : null}
        {data.state === "refunded" ? <Alert tone="info" title={t("result.refunded")} /> : null}
      </div>

      {data.state === "succeeded" ? (
        <section aria-labelledby="receipt-title">
          <h2 id="receipt-title">{t("result.receipt.title")}</h2>
          <dl className="facts">
            <div>
              <dt>{t("result.receipt.amount")}</dt>
              <dd>{m(data.amountMinor)}</dd>
            </div>
            {data.paidAt ? (
              <div>
                <dt>{t("result.receipt.date")}</dt>
                <dd>{data.paidAt}</dd>
              </div>
            ) : null}
            <div>
              <dt>{t("result.receipt.to")}</dt>
              <dd>{data.creditorName}</dd>
            </div>
            <div>
              <dt>{t("result.receipt.reference")}</dt>
              <dd>{data.reference}</dd>
            </div>
          </dl>
        </section>
      ) : null}

      {data.state === "failed" || data.state === "created" || data.state === "cancelled" ? (
        <>
          <ButtonLink to={`${base}/pay`}>{t("result.tryAgain")}</ButtonLink>
          <p className="after-form">
            <Link to={`${base}/help`}>{t("result.help")}</Link>
          </p>
        </>
      ) : null}
      <p className="after-form">
        <Link to={base}>{t("result.back")}</Link>
      </p>
    </Page>
  );
}
