/**
 * /account/:accountId/help (issue 7 items 1-2): "Ask for help". Before a request: what it is
 * for, that it is private, that collection stops once it is sent, and "Start" (or "Continue
 * where you stopped" for a draft). After sending: the confirmation (what happens next, by when),
 * where free debt advice is, and a way to delete what they told us about their health. The
 * form itself is /help/:step.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Alert } from "~/components/alert";
import { Button, ButtonLink } from "~/components/button";
import { CreditorContact } from "~/components/creditor-contact";
import { Page } from "~/components/page";
import { i18nServer } from "~/i18n/i18next.server";
import { creditorContact, dayIn, formatCalendarDate } from "~/utils/borrower-format.server";
import { loadDebtAdvicePanel } from "~/utils/debt-advice.server";
import { withdrawHealthConsent } from "~/utils/hardship.server";
import { loadHardshipPage, nextUnsaved } from "~/utils/hardship-page.server";
import { noStore } from "~/utils/no-store";
import { hardshipDecisionPanel, type DecisionPanel } from "~/utils/request-decisions.server";

export const headers = noStore;

export const handle = { i18n: ["common", "hardship"] };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const page = await loadHardshipPage(request, params.accountId);
  const t = await i18nServer.getFixedT(page.session.language, "hardship");
  const { language } = page.session;
  const zone = page.overview.creditor.timeZone;
  const region = page.overview.creditor.region;
  const on = (instant: Date | null) => (instant ? formatCalendarDate(dayIn(instant, zone), language, region) : null);
  const r = page.request;
  return {
    title: t("meta.title"),
    accountId: page.overview.accountId,
    creditorName: page.overview.creditor.name,
    contact: creditorContact(page.overview.creditor, language),
    region,
    sent: new URL(request.url).searchParams.get("sent") === "1",
    healthDeleted: new URL(request.url).searchParams.get("health") === "deleted",
    // Getting debt advice (issue 7 item 3): a link, or the declaration while it holds.
    debtAdvice: await loadDebtAdvicePanel(page.session.borrowerId, page.overview, language),
    // Staff's answer (ADR 011): what we decided, why, their note, what happens next.
    decision: await hardshipDecisionPanel(r, {
      language,
      region,
      timeZone: zone,
      currency: page.overview.currency,
      creditorName: page.overview.creditor.name,
    }),
    request: r
      ? {
          id: r.id,
          status: r.status,
          submittedOn: on(r.submittedAt),
          // The day it is due: the instant is the end of that day in the creditor's zone.
          dueOn: r.decisionDueAt ? on(new Date(r.decisionDueAt.getTime() - 1)) : null,
          decidedOn: on(r.decidedAt),
          healthShared: r.healthShared,
          next: nextUnsaved(r),
        }
      : null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

export async function action({ request, params }: ActionFunctionArgs) {
  const page = await loadHardshipPage(request, params.accountId);
  let intent: FormDataEntryValue | null = null;
  try {
    intent = (await request.formData()).get("intent");
  } catch {
    intent = null;
  }
  if (intent !== "delete-health" || !page.request) {
    const t = await i18nServer.getFixedT(page.session.language, "common");
    return data({ problem: t("errors.badRequest.title") }, { status: 400, headers: { "Cache-Control": "no-store" } });
  }
  await withdrawHealthConsent(page.session.borrowerId, page.request.id);
  throw redirect(`${page.base}?health=deleted`, { status: 303 });
}

export default function AskForHelp() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("hardship");
  const base = `/account/${d.accountId}/help`;
  const r = d.request;
  const open = r && (r.status === "submitted" || r.status === "draft") ? r : null;

  return (
    <Page title={r?.status === "submitted" ? t("status.title") : t("title")} narrow>
      {actionData?.problem ? <Alert tone="warning" title={actionData.problem} /> : null}
      {d.healthDeleted ? <Alert tone="success" title={t("healthDeleted")} /> : null}

      {r?.status === "submitted" ? (
        <>
          {d.sent ? (
            <Alert tone="success" title={t("sent.title")}>
              <p>{t("sent.body")}</p>
              <p>{t("sent.email")}</p>
            </Alert>
          ) : null}
          <p className="lead">{t("status.submitted", { date: r.submittedOn })}</p>
          <p>{t("sent.paused")}</p>
          <p>{t("sent.due", { date: r.dueOn })}</p>
        </>
      ) : (
        <>
          {d.decision ? <Decision panel={d.decision} /> : r?.status === "decided" ? <p>{t("status.decided", { date: r.decidedOn })}</p> : null}
          {r?.status === "withdrawn" ? <p>{t("status.withdrawn")}</p> : null}
          <p className="lead">{t("lead")}</p>
          <p>{t("private", { creditorName: d.creditorName })}</p>
          <p>{t("pauseNote")}</p>
          {open?.status === "draft" ? <p>{t("status.draft")}</p> : null}
          <ButtonLink to={`${base}/${open?.status === "draft" ? open.next : "reasons"}`}>{open?.status === "draft" ? t("continue") : t("start")}</ButtonLink>
        </>
      )}

      <section className="panel" aria-labelledby="debt-advice-title">
        <h2 id="debt-advice-title">{d.debtAdvice.title}</h2>
        {d.debtAdvice.lines.map((line) => (
          <p key={line}>{line}</p>
        ))}
        <p>
          <Link to={d.debtAdvice.link.href}>{d.debtAdvice.link.text}</Link>
        </p>
      </section>

      <section aria-labelledby="talk-title">
        <h2 id="talk-title">{t("talk.title")}</h2>
        <CreditorContact
          callLabel={t("talk.call", { creditorName: d.contact.name })}
          phone={d.contact.phone}
          hours={t("talk.hours", { hours: d.contact.hours })}
        />
      </section>

      <section className="panel" aria-labelledby="advice-title">
        <h2 id="advice-title">{t("advice.title")}</h2>
        <p>{d.region === "US" ? t("advice.US") : t("advice.other")}</p>
      </section>

      {r?.healthShared ? (
        <Form method="post">
          <input type="hidden" name="intent" value="delete-health" />
          <Button type="submit" variant="secondary">
            {t("deleteHealth")}
          </Button>
        </Form>
      ) : null}

      <p className="after-form">
        <Link to={`/account/${d.accountId}`}>{t("backToAccount")}</Link>
      </p>
    </Page>
  );
}

/** Our answer to the request (the same sentences as the email). */
function Decision({ panel }: { panel: DecisionPanel }) {
  return (
    <section className="panel" aria-labelledby="decision-title">
      <h2 id="decision-title">{panel.title}</h2>
      <p>{panel.decidedOn}</p>
      <p className="lead">{panel.headline}</p>
      {panel.why ? (
        <>
          <h3>{panel.whyTitle}</h3>
          <p>{panel.why}</p>
        </>
      ) : null}
      {panel.note ? (
        <>
          <h3>{panel.noteTitle}</h3>
          <p className="own-words">{panel.note}</p>
        </>
      ) : null}
      <h3>{panel.nextTitle}</h3>
      {panel.next.map((line) => (
        <p key={line}>{line}</p>
      ))}
    </section>
  );
}
