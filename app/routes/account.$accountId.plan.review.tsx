/**
 * /account/:accountId/plan/review: the full terms of the chosen plan, settlement or promise in
 * plain words, and "I agree" (issue 5 item 5; ADR 004).
 *
 * The loader evaluates the choice from the URL (the simulator's fields) with the domain code
 * and renders the terms as exact lines; their SHA-256 rides along in the form. The action
 * evaluates the submitted choice again against today's balance and policy, renders the terms
 * again, and refuses (400) when the hash differs from what the page showed: a tampered hidden
 * field, another account's id or a balance that moved cannot be agreed. Then one database call
 * stores the arrangement, its installments, the consent with the exact text, and the audit
 * event, which queues the written confirmation in the same transaction (the outbox, ADR 014);
 * once that has committed the action nudges the sender. Post/Redirect/Get: a double submit
 * finds the arrangement already there and lands on My plan too.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Page } from "~/components/page";
import { TermsLines } from "~/components/terms-lines";
import { choiceSearchParams, evaluateChoice, readChoiceValues, type EvaluatedChoice } from "~/domain/arrangement-choice";
import { CHOICE_FIELDS, type ChoiceValues } from "~/domain/arrangement-fields";
import { i18nServer } from "~/i18n/i18next.server";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { loadArrangementPage, type ArrangementPageContext } from "~/utils/arrangement-page.server";
import { arrangementTerms, type Terms } from "~/utils/arrangement-terms.server";
import { agreeArrangement } from "~/utils/arrangements.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { logger } from "~/utils/logger.server";
import { noStore } from "~/utils/no-store";

export const headers = noStore;

export const handle = { i18n: ["common", "plan"] };

type Problem = "changed" | "balance_changed" | "arrangement_exists" | "account_not_open" | "outside_policy";

/** The page for a choice that is within policy (or needs review), or null. */
async function reviewView(page: ArrangementPageContext, values: ChoiceValues) {
  if (!page.choiceContext) return null;
  const choice = evaluateChoice(values, page.choiceContext);
  if (!choice.ok || choice.verdict.verdict === "outside_policy") return null;
  const terms = await arrangementTerms(choice, page.termsAccount, page.policy, page.session.language);
  return { choice, terms };
}

function view(page: ArrangementPageContext, choice: EvaluatedChoice, terms: Terms) {
  return {
    accountId: page.overview.accountId,
    creditorName: page.overview.creditor.name,
    currency: page.overview.currency,
    region: page.overview.creditor.region,
    kind: choice.kind,
    values: choice.values,
    installments: choice.installments,
    reviewDueOn: choice.reviewDueOn ? formatCalendarDate(choice.reviewDueOn, page.session.language, page.overview.creditor.region) : null,
    terms: { lines: terms.lines, payments: terms.payments, sha256: terms.sha256 },
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const page = await loadArrangementPage(request, params.accountId, { withArrangement: true });
  const base = `/account/${page.overview.accountId}`;
  const url = new URL(request.url);
  const values = readChoiceValues(url.searchParams);
  const reviewed = await reviewView(page, values);
  if (!reviewed) throw redirect(`${base}/plan?${choiceSearchParams(values).toString()}`, { status: 303 });
  const existing = page.arrangement;
  if (existing && (existing.status === "active" || existing.status === "pending_review")) throw redirect(`${base}/my-plan`, { status: 303 });
  const t = await i18nServer.getFixedT(page.session.language, "plan");
  return { title: t("review.meta.title"), ...view(page, reviewed.choice, reviewed.terms) };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

async function readForm(request: Request): Promise<FormData | null> {
  try {
    return await request.formData();
  } catch {
    return null;
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const [page, form] = await Promise.all([loadArrangementPage(request, params.accountId), readForm(request)]);
  const base = `/account/${page.overview.accountId}`;
  const language = page.session.language;
  const t = await i18nServer.getFixedT(language, "plan");
  const problem = (status: number, reason: Problem, fresh: Awaited<ReturnType<typeof reviewView>>) =>
    data(
      { problem: t(`review.errors.${reason}`, { creditorName: page.overview.creditor.name }), fresh: fresh ? view(page, fresh.choice, fresh.terms) : null },
      { status, headers: { "Cache-Control": "no-store" } },
    );

  const values = readChoiceValues(form ?? new URLSearchParams());
  const shownHash = form?.get("terms");
  const reviewed = await reviewView(page, values);
  if (!reviewed) {
    // Outside policy now (or never a valid choice): nothing stored; say so beside a way back.
    return problem(page.choiceContext ? 422 : 409, page.choiceContext ? "outside_policy" : "account_not_open", null);
  }
  if (typeof shownHash !== "string" || shownHash !== reviewed.terms.sha256) return problem(400, "changed", reviewed);

  const { choice, terms } = reviewed;
  const result = await agreeArrangement({
    borrowerId: page.session.borrowerId,
    accountId: page.overview.accountId,
    kind: choice.kind,
    frequency: choice.frequency,
    discountBps: choice.discountBps,
    balanceMinor: page.termsAccount.balanceMinor,
    totalMinor: choice.totalMinor,
    installments: choice.installments,
    policyRules: choice.verdict.verdict === "needs_review" ? choice.verdict.rules : [],
    reviewDueOn: choice.reviewDueOn,
    consent: {
      version: terms.version,
      language: terms.language,
      body: terms.body,
      sha256: terms.sha256,
      ip: context.clientIp || null,
      userAgent: (request.headers.get("User-Agent") ?? "").slice(0, 512) || null,
    },
  });
  if (!result.ok) {
    if (result.reason === "arrangement_exists") throw redirect(`${base}/my-plan`, { status: 303 });
    if (result.reason === "balance_changed") return problem(409, "balance_changed", null);
    if (result.reason === "account_not_open") return problem(409, "account_not_open", null);
    logger.warn("arrangement.refused", { reason: result.reason });
    return problem(400, "changed", reviewed);
  }

  // The agreement queued its confirmation (template plan.confirmation): send it now. With no
  // email on file there is nothing to send, and My plan says nothing about email.
  nudgeOutbox();
  throw redirect(`${base}/my-plan?agreed=1&emailed=${result.borrowerEmail ? 1 : 0}`, { status: 303 });
}

export default function ReviewAndAgree() {
  const loaded = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const page = actionData?.fresh ?? loaded;
  const { t } = useTranslation("plan");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const base = `/account/${page.accountId}`;
  const back = `${base}/plan?${new URLSearchParams(Object.entries(page.values)).toString()}`;

  return (
    <Page title={t("review.title")} narrow className="review">
      {actionData?.problem ? (
        <Alert tone="warning" title={actionData.problem}>
          {actionData.fresh ? null : (
            <p>
              <Link to={back}>{t("review.change")}</Link>
            </p>
          )}
        </Alert>
      ) : null}
      <p className="lead">{t("review.lead")}</p>
      <section aria-labelledby="terms-title" className="terms">
        <h2 id="terms-title">{t("review.termsTitle")}</h2>
        <TermsLines lines={page.terms.lines} payments={page.terms.payments} />
      </section>
      <Form method="post" className="stack">
        {CHOICE_FIELDS.map((field) => (
          <input key={field} type="hidden" name={field} value={page.values[field]} />
        ))}
        <input type="hidden" name="terms" value={page.terms.sha256} />
        <p>{t("review.agreeHint")}</p>
        <Button type="submit" isDisabled={busy}>
          {t("review.agree")}
        </Button>
      </Form>
      <p className="after-form">
        <Link to={back}>{t("review.change")}</Link>
      </p>
    </Page>
  );
}

