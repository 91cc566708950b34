/**
 * /account/:accountId/dispute (issue 7 item 4): "I don't recognise this debt", "the amount is
 * wrong", "I already paid", "I think this is identity theft", with the borrower's own words.
 * Sending it pauses collection on the account (one database call) and answers in writing
 * (this page and an email); the page then shows where the dispute is: received → being looked
 * at → answered, with the outcome, its reason in plain words and the staff member's note
 * (the same sentences as the answer by email, ADR 011). A plain form: works with JavaScript
 * off. A replayed send finds the same dispute.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { ErrorSummary } from "~/components/error-summary";
import { DOCUMENT_ACCEPT, FileField } from "~/components/file-field";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { TextArea } from "~/components/text-area";
import { i18nServer } from "~/i18n/i18next.server";
import { getAccountOverview } from "~/utils/accounts.server";
import { dayIn, formatCalendarDate } from "~/utils/borrower-format.server";
import { checkDocument } from "~/domain/document-type";
import { addRequestDocument, listDisputes, listRequestDocuments, openDispute, type Dispute } from "~/utils/hardship.server";
import { filesOf, readUploadForm } from "~/utils/uploads.server";
import { DISPUTE_KINDS } from "~/utils/hardship-steps";
import { noStore } from "~/utils/no-store";
import { disputeResolutionPanel } from "~/utils/request-decisions.server";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { requireBorrowerSession } from "~/utils/session.server";

export const headers = noStore;

export const handle = { i18n: ["common", "dispute"] };

/** YYYY-MM-DD plus whole days (calendar arithmetic in UTC, no time-zone drift). */
function addDaysIso(iso: string, days: number): string {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}

/** Disputes are answered in writing within 30 days. */
export const DISPUTE_ANSWER_DAYS = 30;
const DETAILS_MAX = 4000;

async function disputePage(request: Request, accountId: string | undefined) {
  const session = await requireBorrowerSession(request);
  const [overview, disputes] = await Promise.all([
    getAccountOverview(session.borrowerId, accountId ?? ""),
    listDisputes(session.borrowerId, accountId ?? ""),
  ]);
  return { session, overview, disputes };
}

function trackerView(dispute: Dispute, language: "en" | "es", region: string, zone: string) {
  const date = (instant: Date) => formatCalendarDate(dayIn(instant, zone), language, region);
  return {
    id: dispute.id,
    kind: dispute.kind,
    status: dispute.status,
    outcome: dispute.outcome,
    details: dispute.details,
    receivedOn: date(dispute.receivedAt),
    dueOn: date(dispute.dueAt),
    resolvedOn: dispute.resolvedAt ? date(dispute.resolvedAt) : null,
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session, overview, disputes } = await disputePage(request, params.accountId);
  const t = await i18nServer.getFixedT(session.language, "dispute");
  const latest = disputes[0] ?? null;
  const documents = latest ? await listRequestDocuments(session.borrowerId, "dispute", latest.id) : [];
  return {
    documents: documents.map((d) => ({ id: d.id, filename: d.filename })),
    title: t("meta.title"),
    accountId: overview.accountId,
    creditorName: overview.creditor.name,
    region: overview.creditor.region,
    dispute: latest ? trackerView(latest, session.language, overview.creditor.region, overview.creditor.timeZone) : null,
    answer: await disputeResolutionPanel(latest, {
      language: session.language,
      region: overview.creditor.region,
      timeZone: overview.creditor.timeZone,
      creditorName: overview.creditor.name,
    }),
    sent: new URL(request.url).searchParams.get("sent") === "1",
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

const DisputeForm = z.object({
  kind: z.enum(DISPUTE_KINDS).optional().catch(undefined),
  details: z.string().max(100_000).optional().catch(undefined),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const { session, overview } = await disputePage(request, params.accountId);
  const t = await i18nServer.getFixedT(session.language, "dispute");
  const read = await readUploadForm(request);
  if (!read.ok) {
    return data({ errors: { document: t(`errors.document.${read.reason}`) }, values: { kind: "", details: "" } }, { status: read.reason === "too_large" ? 413 : 400, headers: { "Cache-Control": "no-store" } });
  }
  const form = DisputeForm.parse(Object.fromEntries([...read.form.entries()].filter(([, v]) => typeof v === "string")));
  const files = filesOf(read.form, "document").slice(0, 1);
  const details = (form.details ?? "").trim();
  const values = { kind: form.kind ?? "", details: form.details ?? "" };
  const errors: Partial<Record<"kind" | "details" | "document" | "form", string>> = {};
  if (!form.kind) errors.kind = t("errors.choose");
  if (details.length > DETAILS_MAX) errors.details = t("errors.too_long", { count: details.length });
  // The file is checked before anything is stored: a bad one leaves no dispute behind.
  const bytes = files[0] ? new Uint8Array(await files[0].arrayBuffer()) : null;
  const checked = bytes ? checkDocument(bytes) : null;
  if (checked && !checked.ok) errors.document = t(`errors.document.${checked.reason}`);
  if (!form.kind || errors.details || errors.document) {
    return data({ errors, values }, { status: checked && !checked.ok && checked.reason === "too_large" ? 413 : 400, headers: { "Cache-Control": "no-store" } });
  }

  const result = await openDispute({
    borrowerId: session.borrowerId,
    accountId: overview.accountId,
    kind: form.kind,
    details: details === "" ? null : details,
    dueOn: addDaysIso(overview.today, DISPUTE_ANSWER_DAYS),
  });
  if (!result.ok) {
    const key = result.reason === "dispute_open" ? "errors.dispute_open" : "errors.choose";
    return data({ errors: { form: t(key) }, values }, { status: result.reason === "dispute_open" ? 409 : 400, headers: { "Cache-Control": "no-store" } });
  }
  if (result.outcome === "opened") {
    if (bytes && files[0]) {
      await addRequestDocument({ borrowerId: session.borrowerId, kind: "dispute", requestId: result.dispute.id, filename: files[0].name, bytes });
    }
    nudgeOutbox();
  }
  throw redirect(`/account/${overview.accountId}/dispute?sent=1`, { status: 303 });
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function Tracker({ dispute, answer, region }: { dispute: NonNullable<Loaded["dispute"]>; answer: Loaded["answer"]; region: string }) {
  const { t } = useTranslation("dispute");
  const steps = [
    { key: "received", text: t("tracker.received", { date: dispute.receivedOn }), reached: true },
    { key: "under_review", text: t("tracker.under_review"), reached: dispute.status !== "received" },
    {
      key: "resolved",
      text: dispute.resolvedOn ? t("tracker.resolved", { date: dispute.resolvedOn }) : t("tracker.dueBy", { date: dispute.dueOn }),
      reached: dispute.status === "resolved",
    },
  ];
  return (
    <section className="panel" aria-labelledby="dispute-tracker">
      <h2 id="dispute-tracker">{t("tracker.title")}</h2>
      <p>{t("tracker.told", { kind: t(`kinds.${dispute.kind}.title`) })}</p>
      <h3>{t("tracker.steps")}</h3>
      <ol className="tracker">
        {steps.map((step) => (
          <li key={step.key} className={step.reached ? "tracker__step tracker__step--done" : "tracker__step"} aria-current={step.key === dispute.status ? "step" : undefined}>
            {step.text}
            {step.key === dispute.status ? <span className="tracker__now"> {t("tracker.current")}</span> : null}
          </li>
        ))}
      </ol>
      {dispute.status === "resolved" && answer ? (
        <>
          <p className="lead">{answer.headline}</p>
          {answer.why ? (
            <>
              <h3>{answer.whyTitle}</h3>
              <p>{answer.why}</p>
            </>
          ) : null}
          {answer.note ? (
            <>
              <h3>{answer.noteTitle}</h3>
              <p className="own-words">{answer.note}</p>
            </>
          ) : null}
          <h3>{answer.nextTitle}</h3>
          {answer.next.map((line) => (
            <p key={line}>{line}</p>
          ))}
        </>
      ) : (
        <p>{t("tracker.paused")}</p>
      )}
      {dispute.kind === "identity_theft" && region === "US" ? <p>{t("identityTheft")}</p> : null}
      {dispute.details ? (
        <details className="terms">
          <summary>{t("tracker.yourWords")}</summary>
          <p className="own-words">{dispute.details}</p>
        </details>
      ) : null}
    </section>
  );
}

export default function DisputePage() {
  const loaded = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("dispute");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const errors = (actionData?.errors ?? {}) as Partial<Record<"kind" | "details" | "document" | "form", string>>;
  const values = actionData?.values ?? { kind: "", details: "" };
  const open = loaded.dispute && loaded.dispute.status !== "resolved" ? loaded.dispute : null;
  const base = `/account/${loaded.accountId}`;
  const summary = [
    errors.kind ? { fieldId: "dispute-kind", message: errors.kind } : null,
    errors.details ? { fieldId: "dispute-details", message: errors.details } : null,
    errors.document ? { fieldId: "dispute-document", message: errors.document } : null,
  ].filter((item): item is { fieldId: string; message: string } => item !== null);

  return (
    <Page title={open ? t("tracker.title") : t("title")} narrow>
      <ErrorSummary errors={summary} />
      {errors.form ? <Alert tone="warning" title={errors.form} /> : null}
      {loaded.sent && open ? (
        <Alert tone="success" title={t("sent")}>
          <p>{t("sentNext", { date: open.dueOn })}</p>
        </Alert>
      ) : null}
      {loaded.dispute ? <Tracker dispute={loaded.dispute} answer={loaded.answer} region={loaded.region} /> : null}
      {loaded.dispute && loaded.documents.length > 0 ? (
        <section aria-labelledby="dispute-documents">
          <h2 id="dispute-documents">{t("documentsSent")}</h2>
          <ul>
            {loaded.documents.map((d) => (
              <li key={d.id}>
                <a href={`/account/${loaded.accountId}/documents/${d.id}`} download>
                  {d.filename}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {open ? null : (
        <>
          {loaded.dispute ? <h2>{t("tracker.another")}</h2> : null}
          <p className="lead">{t("lead")}</p>
          <p>{t("pauseNote")}</p>
          <Form method="post" encType="multipart/form-data" className="stack">
            <RadioCards
              id="dispute-kind"
              name="kind"
              label={t("kindLabel")}
              defaultValue={values.kind || undefined}
              errors={errors.kind ? [errors.kind] : undefined}
              options={DISPUTE_KINDS.map((kind) => ({
                value: kind,
                title: t(`kinds.${kind}.title`),
                description: t(`kinds.${kind}.hint`, { creditorName: loaded.creditorName }),
              }))}
            />
            <TextArea
              id="dispute-details"
              name="details"
              label={t("detailsLabel")}
              description={t("detailsHint")}
              isOptional
              defaultValue={values.details}
              errors={errors.details ? [errors.details] : undefined}
            />
            <FileField id="dispute-document" name="document" label={t("documentLabel")} description={t("documentHint")} error={errors.document} accept={DOCUMENT_ACCEPT} />
            <Button type="submit" isDisabled={busy}>
              {t("send")}
            </Button>
          </Form>
        </>
      )}
      <p className="after-form">
        <Link to={base}>{t("back")}</Link>
      </p>
    </Page>
  );
}
