/**
 * /account/:accountId/payment-methods (issue 6 item 4): "My payment methods". The card or bank
 * account that pays this account's plan automatically, since when, the exact words agreed,
 * and "Stop automatic payments" (a GET step that says what stopping means, then a POST). Where
 * Stripe sends the borrower back after saving one (?saved=<authorization>) or giving up
 * (?cancelled=1): the webhook may not have arrived yet, so "we are confirming" until it has.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button, ButtonLink } from "~/components/button";
import { Page } from "~/components/page";
import { TermsLines } from "~/components/terms-lines";
import { i18nServer } from "~/i18n/i18next.server";
import { getAccountOverview } from "~/utils/accounts.server";
import { getAccountArrangement } from "~/utils/arrangements.server";
import { formatInstant } from "~/utils/borrower-format.server";
import { noStore } from "~/utils/no-store";
import { listPaymentAuthorizations, methodText, revokePaymentAuthorization } from "~/utils/payment-authorizations.server";
import { requireBorrowerSession } from "~/utils/session.server";

export const headers = noStore;

export const handle = { i18n: ["common", "pay"] };

const Query = z.object({
  saved: z.uuid().optional().catch(undefined),
  cancelled: z.literal("1").optional().catch(undefined),
  stop: z.uuid().optional().catch(undefined),
  stopped: z.enum(["1", "already"]).optional().catch(undefined),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const session = await requireBorrowerSession(request);
  const [overview, authorizations, arrangement] = await Promise.all([
    getAccountOverview(session.borrowerId, params.accountId ?? ""),
    listPaymentAuthorizations(session.borrowerId, params.accountId ?? ""),
    getAccountArrangement(session.borrowerId, params.accountId ?? ""),
  ]);
  const language = session.language;
  const zone = overview.creditor.timeZone;
  const region = overview.creditor.region;
  const t = await i18nServer.getFixedT(language, "pay");
  const query = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const when = (instant: Date) => formatInstant(instant, language, zone, region);
  const views = await Promise.all(
    authorizations.map(async (a) => ({
      id: a.id,
      status: a.status,
      method: await methodText(a.method, language),
      since: when(a.activatedAt),
      ended: a.endedAt ? when(a.endedAt) : null,
      terms: { lines: a.terms.lines, agreedOn: when(a.terms.agreedAt) },
    })),
  );
  const active = views.filter((a) => a.status === "active");
  const saved = query.saved ? (active.find((a) => a.id === query.saved) ?? null) : null;
  const canSetUp =
    overview.status === "open" &&
    arrangement?.status === "active" &&
    arrangement.installments.some((i) => (i.status === "scheduled" || i.status === "missed") && i.paidMinor < i.amountMinor);
  return {
    title: t("autopay.meta.methodsTitle"),
    accountId: overview.accountId,
    active,
    past: views.filter((a) => a.status !== "active"),
    notice: query.saved ? (saved ? { kind: "saved" as const, method: saved.method } : { kind: "confirming" as const }) : query.cancelled ? { kind: "setupCancelled" as const } : query.stopped ? { kind: query.stopped === "1" ? ("stopped" as const) : ("alreadyStopped" as const) } : null,
    stopping: query.stop ? (active.find((a) => a.id === query.stop) ?? null) : null,
    canSetUp,
    hasActive: active.length > 0,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

const StopForm = z.object({ intent: z.literal("stop"), authorization: z.uuid() });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const session = await requireBorrowerSession(request);
  const overview = await getAccountOverview(session.borrowerId, params.accountId ?? "");
  const base = `/account/${overview.accountId}/payment-methods`;
  let form: FormData | null = null;
  try {
    form = await request.formData();
  } catch {
    form = null;
  }
  const parsed = StopForm.safeParse(form ? Object.fromEntries(form) : {});
  if (!parsed.success) {
    const t = await i18nServer.getFixedT(session.language, "common");
    return data({ problem: t("errors.badRequest.title") }, { status: 400, headers: { "Cache-Control": "no-store" } });
  }
  // Another borrower's authorization: the database finds none of theirs → 404.
  const result = await revokePaymentAuthorization({
    borrowerId: session.borrowerId,
    authorizationId: parsed.data.authorization,
    ip: context.clientIp || null,
    userAgent: (request.headers.get("User-Agent") ?? "").slice(0, 512) || null,
  });
  throw redirect(`${base}?stopped=${result.ok ? "1" : "already"}`, { status: 303 });
}

export default function PaymentMethods() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("pay");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const base = `/account/${data.accountId}`;
  const notice = data.notice;

  if (data.stopping) {
    const a = data.stopping;
    return (
      <Page title={t("autopay.methods.stopTitle")} narrow>
        <p className="lead">{a.method}</p>
        <p>{t("autopay.methods.stopWhat")}</p>
        <ul>
          <li>{t("autopay.methods.stopPlanStays")}</li>
          <li>{t("autopay.methods.stopPayYourself")}</li>
          <li>{t("autopay.methods.stopInFlight")}</li>
        </ul>
        <Form method="post" action={`${base}/payment-methods`} className="stack">
          <input type="hidden" name="intent" value="stop" />
          <input type="hidden" name="authorization" value={a.id} />
          <Button type="submit" variant="secondary" isDisabled={busy}>
            {t("autopay.methods.stopConfirm")}
          </Button>
        </Form>
        <p className="after-form">
          <Link to={`${base}/payment-methods`}>{t("autopay.methods.keep")}</Link>
        </p>
      </Page>
    );
  }

  return (
    <Page title={t("autopay.methods.title")} narrow>
      {actionData?.problem ? <Alert tone="warning" title={actionData.problem} /> : null}
      {notice?.kind === "saved" ? (
        <Alert tone="success" title={t("autopay.methods.saved", { method: notice.method })}>
          <p>{t("autopay.methods.savedEmail")}</p>
        </Alert>
      ) : null}
      {notice?.kind === "confirming" ? (
        <Alert tone="info" title={t("autopay.methods.confirming")}>
          <p>
            <Link to=".">{t("autopay.methods.reload")}</Link>
          </p>
        </Alert>
      ) : null}
      {notice && notice.kind !== "saved" && notice.kind !== "confirming" ? <Alert tone="info" title={t(`autopay.methods.${notice.kind}`)} /> : null}

      {data.active.length === 0 ? <p>{t("autopay.methods.none")}</p> : null}
      {data.active.map((a) => (
        <section key={a.id} className="stack" aria-labelledby={`method-${a.id}`}>
          <h2 id={`method-${a.id}`}>{a.method}</h2>
          <p>{t("autopay.methods.active", { date: a.since })}</p>
          <details className="terms">
            <summary>{t("autopay.methods.agreedTitle")}</summary>
            <p>{t("autopay.methods.agreedOn", { date: a.terms.agreedOn })}</p>
            <TermsLines lines={a.terms.lines} />
          </details>
          <ButtonLink to={`${base}/payment-methods?stop=${a.id}`} variant="secondary">
            {t("autopay.methods.stop")}
          </ButtonLink>
        </section>
      ))}
      {data.canSetUp ? (
        <ButtonLink to={`${base}/my-plan/autopay`} variant={data.hasActive ? "secondary" : "primary"}>
          {t(data.hasActive ? "autopay.methods.another" : "autopay.methods.setUp")}
        </ButtonLink>
      ) : null}

      {data.past.length > 0 ? (
        <section aria-labelledby="past-methods">
          <h2 id="past-methods">{t("autopay.methods.past")}</h2>
          <ul>
            {data.past.map((a) => (
              <li key={a.id}>
                {a.method}. {a.ended ? t(a.status === "replaced" ? "autopay.methods.replaced" : "autopay.methods.ended", { date: a.ended }) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <p>
        <Link to={`${base}/my-plan`}>{t("autopay.methods.back")}</Link>
      </p>
    </Page>
  );
}
