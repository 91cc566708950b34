/**
 * /account/:accountId/my-plan/autopay (issue 6 item 4): the recurring-payment authorization
 * as exact words (who takes what, when, what happens when a payment does not go through, how
 * to stop), then "I agree. Save a card or bank account". The action renders the words again
 * and compares their hash with the one the form carried (400 on any difference), records the
 * consent and a pending authorization in one database call, and sends the borrower to Stripe
 * Checkout in setup mode. Stripe's webhook activates the authorization; the borrower comes
 * back to My payment methods. With a method already saved, this is how to use another one:
 * the new one replaces it once Stripe has saved it.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Page } from "~/components/page";
import { TermsLines } from "~/components/terms-lines";
import { i18nServer } from "~/i18n/i18next.server";
import { loadArrangementPage } from "~/utils/arrangement-page.server";
import { noStore } from "~/utils/no-store";
import { autopayTerms, startPaymentAuthorization } from "~/utils/payment-authorizations.server";

export const headers = noStore;

export const handle = { i18n: ["common", "pay"] };

async function autopayPage(request: Request, accountId: string | undefined) {
  const page = await loadArrangementPage(request, accountId, { withArrangement: true });
  const base = `/account/${page.overview.accountId}`;
  const arrangement = page.arrangement;
  const unpaid = arrangement?.status === "active" ? arrangement.installments.filter((i) => (i.status === "scheduled" || i.status === "missed") && i.paidMinor < i.amountMinor) : [];
  if (!arrangement || unpaid.length === 0 || page.overview.status !== "open") throw redirect(`${base}/my-plan`, { status: 303 });
  const terms = await autopayTerms(
    {
      creditorName: page.overview.creditor.name,
      referenceLast4: page.overview.referenceLast4,
      currency: page.overview.currency,
      region: page.overview.creditor.region,
      supportPhone: page.overview.creditor.supportPhone,
      installments: unpaid,
    },
    page.session.language,
  );
  return { page, base, arrangement, terms };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { page, terms } = await autopayPage(request, params.accountId);
  const t = await i18nServer.getFixedT(page.session.language, "pay");
  return { title: t("autopay.meta.title"), accountId: page.overview.accountId, lines: terms.lines, payments: terms.payments, sha256: terms.sha256 };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { page, base, arrangement, terms } = await autopayPage(request, params.accountId);
  const t = await i18nServer.getFixedT(page.session.language, "pay");
  let shown: FormDataEntryValue | null = null;
  try {
    shown = (await request.formData()).get("terms");
  } catch {
    shown = null;
  }
  const problem = (key: "changed" | "unavailable", status: number) => data({ problem: t(`autopay.${key}`) }, { status, headers: { "Cache-Control": "no-store" } });
  if (shown !== terms.sha256) return problem("changed", 400);
  const result = await startPaymentAuthorization({
    borrowerId: page.session.borrowerId,
    accountId: page.overview.accountId,
    arrangementId: arrangement.id,
    consent: {
      version: terms.version,
      language: terms.language,
      body: terms.body,
      sha256: terms.sha256,
      ip: context.clientIp || null,
      userAgent: (request.headers.get("User-Agent") ?? "").slice(0, 512) || null,
    },
    returnPath: (authorizationId, cancelled) => `${base}/payment-methods?${cancelled ? "cancelled=1" : `saved=${authorizationId}`}`,
  });
  if (result.ok) throw redirect(result.url, { status: 303 });
  if (result.reason === "unavailable") return problem("unavailable", 503);
  if (result.reason === "consent_hash_mismatch") return problem("changed", 400);
  throw redirect(`${base}/my-plan`, { status: 303 });
}

export default function Autopay() {
  const { accountId, lines, payments, sha256 } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("pay");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const base = `/account/${accountId}`;
  return (
    <Page title={t("autopay.title")} narrow>
      {actionData?.problem ? <Alert tone="warning" title={actionData.problem} /> : null}
      <p className="lead">{t("autopay.lead")}</p>
      <h2>{t("autopay.readFirst")}</h2>
      <TermsLines lines={lines} payments={payments} />
      <Form method="post" className="stack">
        <input type="hidden" name="terms" value={sha256} />
        <Button type="submit" isDisabled={busy}>
          {t("autopay.agree")}
        </Button>
      </Form>
      <p className="after-form">{t("autopay.how")}</p>
      <p>
        <Link to={`${base}/my-plan`}>{t("autopay.notNow")}</Link>
      </p>
    </Page>
  );
}
