/**
 * /account/:accountId/my-plan/cancel (issue 5 item 7): what cancelling means, stated first,
 * then an explicit "Cancel my plan". The words shown are the consent: the action renders them
 * again, checks their hash, and one database call cancels, records the consent and the audit
 * event.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Page } from "~/components/page";
import { formatMoney } from "~/domain/money";
import { intlLocale } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { getAccountOverview } from "~/utils/accounts.server";
import { PLAN_CHANGE_VERSION, termsFromLines } from "~/utils/arrangement-terms.server";
import { cancelArrangement, getAccountArrangement } from "~/utils/arrangements.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { noStore } from "~/utils/no-store";
import { requireBorrowerSession } from "~/utils/session.server";

export const headers = noStore;

export const handle = { i18n: ["common", "plan"] };

async function cancelPage(request: Request, accountId: string | undefined) {
  const session = await requireBorrowerSession(request);
  const [overview, arrangement] = await Promise.all([
    getAccountOverview(session.borrowerId, accountId ?? ""),
    getAccountArrangement(session.borrowerId, accountId ?? ""),
  ]);
  const base = `/account/${overview.accountId}`;
  if (!arrangement || (arrangement.status !== "active" && arrangement.status !== "pending_review")) {
    throw redirect(`${base}/my-plan`, { status: 303 });
  }
  const language = session.language;
  const t = await i18nServer.getFixedT(language, "plan");
  const region = overview.creditor.region;
  const owedText = formatMoney(overview.itemization.today.totalMinor, overview.currency, intlLocale(language, region));
  const words = {
    creditorName: overview.creditor.name,
    kind: t(`myPlan.kind.${arrangement.kind}`).toLowerCase(),
    date: formatCalendarDate(overview.today, language, region),
  };
  const lines = [
    t("cancel.confirmText", words),
    t("cancel.consequences"),
    t("cancel.owed", { amount: owedText }),
    t("cancel.paidCounts"),
    t("cancel.after", words),
  ];
  return { session, overview, arrangement, base, t, terms: termsFromLines(PLAN_CHANGE_VERSION, language, lines) };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const page = await cancelPage(request, params.accountId);
  return {
    title: page.t("cancel.meta.title"),
    accountId: page.overview.accountId,
    lines: page.terms.lines,
    sha256: page.terms.sha256,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  const page = await cancelPage(request, params.accountId);
  let shown: FormDataEntryValue | null = null;
  try {
    shown = (await request.formData()).get("terms");
  } catch {
    shown = null;
  }
  if (shown !== page.terms.sha256) {
    return data({ problem: page.t("review.errors.changed") }, { status: 400, headers: { "Cache-Control": "no-store" } });
  }
  const result = await cancelArrangement({
    borrowerId: page.session.borrowerId,
    accountId: page.overview.accountId,
    arrangementId: page.arrangement.id,
    consent: {
      version: page.terms.version,
      language: page.terms.language,
      body: page.terms.body,
      sha256: page.terms.sha256,
      ip: context.clientIp || null,
      userAgent: (request.headers.get("User-Agent") ?? "").slice(0, 512) || null,
    },
  });
  if (!result.ok) throw redirect(`${page.base}/my-plan`, { status: 303 });
  throw redirect(`${page.base}/my-plan?cancelled=1`, { status: 303 });
}

export default function CancelPlan() {
  const { accountId, lines, sha256 } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("plan");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const base = `/account/${accountId}`;
  return (
    <Page title={t("cancel.title")} narrow>
      {actionData?.problem ? <Alert tone="warning" title={actionData.problem} /> : null}
      <p className="lead">{t("cancel.lead")}</p>
      <div className="terms__lines">
        {lines.map((line, index) => (
          <p key={index}>{line}</p>
        ))}
      </div>
      <p>
        <Link to={`${base}/help`}>{t("cancel.help")}</Link>
      </p>
      <Form method="post" className="stack">
        <input type="hidden" name="terms" value={sha256} />
        <Button type="submit" variant="secondary" isDisabled={busy}>
          {t("cancel.confirm")}
        </Button>
      </Form>
      <p className="after-form">
        <Link to={`${base}/my-plan`}>{t("cancel.keep")}</Link>
      </p>
    </Page>
  );
}
