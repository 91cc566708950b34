/**
 * /ops/requests/dispute/:disputeId (issue 8 item 3, issue 7 item 4): one dispute for review.
 * What the borrower told us in their words, their documents, the account and its ledger, and
 * its history; "Start the review" (received → under review), then the written answer: upheld,
 * corrected or not upheld, with a reason code and an optional note to the borrower, as plain
 * forms (work without JavaScript). Corrected and not upheld start collection again; upheld
 * keeps it stopped. The borrower gets the answer by email and on their dispute page. The
 * second of two answers at once is told it was answered already (409).
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { ErrorSummary } from "~/components/error-summary";
import { OpsRequestTrail } from "~/components/ops-request-trail";
import { recentContacts } from "~/utils/contact-history.server";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { TextArea } from "~/components/text-area";
import { formatMoney } from "~/domain/money";
import { intlLocale, type Language } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { noStore } from "~/utils/no-store";
import {
  DISPUTE_OUTCOMES,
  DISPUTE_RESOLUTION_REASONS,
  getDisputeReview,
  parseDisputeResolutionForm,
  resolveDispute,
  STAFF_NOTE_MAX,
  startDisputeReview,
} from "~/utils/request-decisions.server";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { requireStaff } from "~/utils/staff-session.server";
import { getVulnerabilityNotes } from "~/utils/vulnerability.server";

export const headers = noStore;

export const handle = { i18n: ["common", "ops-requests", "dispute"] };

function formatters(language: Language, currency: string, region: string, zone: string) {
  const locale = intlLocale(language, region);
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: zone });
  return {
    money: (minor: number) => formatMoney(minor, currency, locale),
    when: (instant: Date) => dateTime.format(instant),
    day: (iso: string) => formatCalendarDate(iso, language, region),
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const url = new URL(request.url);
  const review = await getDisputeReview(staff.id, params.disputeId ?? "");
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops-requests");
  const { dispute, account } = review;
  const f = formatters(language, account.currency, account.creditor.region, account.creditor.timeZone);
  const notes = url.searchParams.get("notes") === "show" && review.vulnerabilityShared ? await getVulnerabilityNotes(staff.id, account.id) : null;
  return {
    title: t("dispute.title", { reference: account.reference }),
    disputeId: dispute.id,
    done: url.searchParams.get("done"),
    status: dispute.status,
    kind: dispute.kind,
    details: dispute.details,
    received: f.when(dispute.receivedAt),
    // Due at the end of a day: shown as that day's last minute, not the next day's midnight.
    due: f.when(new Date(dispute.dueAt.getTime() - 60_000)),
    overdue: dispute.status !== "resolved" && dispute.dueAt.getTime() < Date.now(),
    reviewStarted: dispute.reviewStartedAt ? t("dispute.reviewStarted", { when: f.when(dispute.reviewStartedAt), by: review.reviewedByName ?? "" }) : null,
    resolution:
      dispute.status === "resolved" && dispute.outcome
        ? {
            outcome: dispute.outcome,
            reason: dispute.outcomeReason,
            note: dispute.outcomeNote,
            by: review.resolvedByName,
            when: dispute.resolvedAt ? f.when(dispute.resolvedAt) : null,
            collectionStopped: dispute.collectionStopped,
          }
        : null,
    account: {
      id: account.id,
      reference: account.reference,
      borrower: account.borrower.fullName,
      language: account.borrower.language,
      creditor: account.creditor.name,
      dpd: account.dpd ?? 0,
      paused: account.paused,
      balance: {
        total: f.money(account.balance.totalMinor),
        principal: f.money(account.balance.principalMinor),
        interest: f.money(account.balance.interestMinor),
        fees: f.money(account.balance.feesMinor),
      },
      ledger: account.ledger.slice(0, 30).map((l) => ({ on: f.day(l.effectiveOn), kind: l.kind, amount: f.money(l.amountMinor), reason: l.reasonCode })),
    },
    form: {
      outcomes: [...DISPUTE_OUTCOMES] as string[],
      reasonGroups: DISPUTE_OUTCOMES.map((outcome) => ({ key: outcome, reasons: [...DISPUTE_RESOLUTION_REASONS[outcome]] })),
      noteMax: new Intl.NumberFormat(intlLocale(language, account.creditor.region)).format(STAFF_NOTE_MAX),
    },
    vulnerabilityShared: review.vulnerabilityShared,
    notes: notes?.map((n) => ({ id: n.requestId, when: f.when(n.sharedAt), note: n.note })) ?? null,
    documents: review.documents.map((doc) => ({ id: doc.id, filename: doc.filename, size: Math.max(1, Math.round(doc.sizeBytes / 1024)) })),
    history: review.history.map((e) => ({ when: f.when(e.occurredAt), who: e.actorName ?? t(`history.actors.${e.actorKind}`), action: e.action, reason: e.reasonCode })),
    others: review.otherRequests.map((o) => ({ kind: o.kind, id: o.id, status: o.status, outcome: o.outcome, when: o.at ? f.when(o.at) : null })),
    contacts: await recentContacts(staff, account.id, language, account.creditor.timeZone),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

type Errors = Partial<Record<string, string>>;
type Values = Partial<Record<"outcome" | "reason" | "note", string>>;

export async function action({ request, params }: ActionFunctionArgs) {
  const staff = await requireStaff(request);
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops-requests");
  const reply = (status: number, body: { problem?: string; errors?: Errors; values?: Values }) => data(body, { status, headers: { "Cache-Control": "no-store" } });
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return reply(400, { problem: t("errors.badForm") });
  }
  const intent = form.get("intent");
  const base = `/ops/requests/dispute/${params.disputeId ?? ""}`;

  if (intent === "review") {
    await startDisputeReview(staff.id, params.disputeId ?? "");
    throw redirect(`${base}?done=review`, { status: 303 });
  }
  if (intent !== "resolve") return reply(400, { problem: t("errors.badForm") });

  const values: Values = Object.fromEntries((["outcome", "reason", "note"] as const).map((name) => [name, String(form.get(name) ?? "").slice(0, 2000)]));
  const parsed = parseDisputeResolutionForm(form);
  if (!parsed.ok) {
    const errors = Object.fromEntries(Object.entries(parsed.errors).map(([field, problem]) => [field, t(`errors.${problem}`, { max: new Intl.NumberFormat(intlLocale(language)).format(STAFF_NOTE_MAX) })]));
    return reply(400, { errors, values });
  }
  const resolved = await resolveDispute(staff.id, params.disputeId ?? "", parsed.input);
  if (!resolved.ok) return reply(resolved.reason === "already_decided" ? 409 : 400, { problem: t(`refusals.${resolved.reason}`), values });
  nudgeOutbox();
  throw redirect(`${base}?done=resolved`, { status: 303 });
}

// ---------------------------------------------------------------------------------------

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function ResolveForm({ d, errors, values }: { d: Loaded; errors: Errors; values: Values }) {
  const { t } = useTranslation("ops-requests");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  // Set only by a choice made with JavaScript on: without it every reason stays listed.
  const [outcome, setOutcome] = useState<string>("");
  return (
    <Form method="post" className="stack" aria-labelledby="resolve-title" noValidate>
      <h2 id="resolve-title">{t("resolve.title")}</h2>
      <input type="hidden" name="intent" value="resolve" />
      <RadioCards
        id="outcome"
        name="outcome"
        label={t("resolve.outcome")}
        defaultValue={values.outcome || undefined}
        onChange={setOutcome}
        errors={errors.outcome ? [errors.outcome] : undefined}
        options={d.form.outcomes.map((o) => ({ value: o, title: t(`disputeOutcomes.${o}`), description: t(`disputeOutcomes.${o}Hint`) }))}
      />
      <div className="field" data-invalid={errors.reason ? true : undefined}>
        <label htmlFor="reason" className="field__label">
          {t("decide.reason")}
        </label>
        <span className="field__description" id="reason-hint">
          {t("resolve.reasonHint")}
        </span>
        {errors.reason ? (
          <span className="field-error" id="reason-error">
            {errors.reason}
          </span>
        ) : null}
        <select id="reason" name="reason" className="select" defaultValue={values.reason ?? ""} aria-describedby={errors.reason ? "reason-hint reason-error" : "reason-hint"}>
          <option value="">{t("decide.chooseReason")}</option>
          {d.form.reasonGroups
            .filter((g) => !outcome || g.key === outcome)
            .map((group) => (
              <optgroup key={group.key} label={t(`disputeOutcomes.${group.key}`)}>
                {group.reasons.map((reason) => (
                  <option key={reason} value={reason}>
                    {t(`disputeReasons.${reason}`)}
                  </option>
                ))}
              </optgroup>
            ))}
        </select>
      </div>
      <TextArea
        id="note"
        name="note"
        label={t("decide.note")}
        description={t("decide.noteHint", { max: d.form.noteMax })}
        isOptional
        rows={4}
        defaultValue={values.note ?? ""}
        errors={errors.note ? [errors.note] : undefined}
      />
      <Button type="submit" isDisabled={busy}>
        {t("resolve.submit")}
      </Button>
    </Form>
  );
}

export default function DisputeReviewPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("ops-requests");
  const { t: dt } = useTranslation("dispute");
  const errors: Errors = actionData?.errors ?? {};
  const values: Values = actionData?.values ?? {};
  const summary = Object.entries(errors).map(([field, message]) => ({ fieldId: field, message: message ?? "" }));
  const base = `/ops/requests/dispute/${d.disputeId}`;

  return (
    <Page title={d.title} lead={t("lead", { borrower: d.account.borrower, creditor: d.account.creditor })} className="ops-page ops-review">
      <ErrorSummary errors={summary} />
      {actionData?.problem ? <Alert tone="warning" title={actionData.problem} /> : null}
      {d.done === "resolved" && !actionData ? <Alert tone="success" title={t("done.resolved")} /> : null}
      {d.done === "review" && !actionData ? <Alert tone="success" title={t("done.review")} /> : null}

      <section className="panel" aria-labelledby="status-title">
        <h2 id="status-title">{t("status.title")}</h2>
        <dl className="facts">
          <div>
            <dt>{t("status.state")}</dt>
            <dd>{t(`status.dispute.${d.status}`)}</dd>
          </div>
          <div>
            <dt>{t("status.received")}</dt>
            <dd>{d.received}</dd>
          </div>
          {d.status !== "resolved" ? (
            <div>
              <dt>{t("status.dueWriting")}</dt>
              <dd>
                {d.due} {d.overdue ? <span className="tag tag--error">{t("status.overdue")}</span> : null}
              </dd>
            </div>
          ) : null}
          {d.reviewStarted ? (
            <div>
              <dt>{t("status.reviewStarted")}</dt>
              <dd>{d.reviewStarted}</dd>
            </div>
          ) : null}
        </dl>
        {d.status === "received" ? (
          <Form method="post">
            <input type="hidden" name="intent" value="review" />
            <Button type="submit" variant="secondary">
              {t("dispute.startReview")}
            </Button>
          </Form>
        ) : null}
      </section>

      {d.vulnerabilityShared ? (
        <section className="panel" aria-labelledby="vulnerability-title">
          <h2 id="vulnerability-title">{t("vulnerability.title")}</h2>
          {d.notes ? (
            d.notes.length > 0 ? (
              <ul className="ops-notes">
                {d.notes.map((n) => (
                  <li key={n.id}>
                    <p className="own-words">{n.note}</p>
                    <p className="ops-muted">{t("vulnerability.shared", { when: n.when })}</p>
                  </li>
                ))}
              </ul>
            ) : (
              <p>{t("vulnerability.none")}</p>
            )
          ) : (
            <>
              <p>{t("vulnerability.intro")}</p>
              <p>
                <Link to={`${base}?notes=show`}>{t("vulnerability.show")}</Link>
              </p>
            </>
          )}
        </section>
      ) : null}

      <section aria-labelledby="told-title">
        <h2 id="told-title">{t("dispute.told")}</h2>
        <p className="lead">{dt(`kinds.${d.kind}.title`)}</p>
        {d.details ? <p className="own-words">{d.details}</p> : <p>{t("dispute.noDetails")}</p>}
      </section>

      <section aria-labelledby="account-title">
        <h2 id="account-title">{t("account.title")}</h2>
        <dl className="facts">
          <div>
            <dt>{t("account.reference")}</dt>
            <dd>
              <Link to={`/ops/accounts/${d.account.id}`}>{d.account.reference}</Link>
            </dd>
          </div>
          <div>
            <dt>{t("account.balance")}</dt>
            <dd>{t("account.balanceSplit", { ...d.account.balance })}</dd>
          </div>
          <div>
            <dt>{t("account.dpd")}</dt>
            <dd>{t("account.days", { count: d.account.dpd })}</dd>
          </div>
          <div>
            <dt>{t("account.collection")}</dt>
            <dd>{d.account.paused ? t("account.paused") : t("account.notPaused")}</dd>
          </div>
          <div>
            <dt>{t("account.language")}</dt>
            <dd>{d.account.language === "es" ? "Español" : "English"}</dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="documents-title">
        <h2 id="documents-title">{t("documents.title")}</h2>
        {d.documents.length > 0 ? (
          <ul>
            {d.documents.map((doc) => (
              <li key={doc.id}>
                <a href={`/ops/documents/${doc.id}`} download>
                  {doc.filename}
                </a>{" "}
                {t("documents.size", { kb: doc.size })}
              </li>
            ))}
          </ul>
        ) : (
          <p>{t("documents.none")}</p>
        )}
      </section>

      {d.resolution ? (
        <section className="panel" aria-labelledby="resolution-title">
          <h2 id="resolution-title">{t("resolution.title")}</h2>
          <dl className="facts">
            <div>
              <dt>{t("resolve.outcome")}</dt>
              <dd>{t(`disputeOutcomes.${d.resolution.outcome}`)}</dd>
            </div>
            {d.resolution.reason ? (
              <div>
                <dt>{t("decision.reason")}</dt>
                <dd>{t(`disputeReasons.${d.resolution.reason}`, { defaultValue: d.resolution.reason })}</dd>
              </div>
            ) : null}
            <div>
              <dt>{t("account.collection")}</dt>
              <dd>{d.resolution.collectionStopped ? t("resolution.stopped") : t("resolution.resumed")}</dd>
            </div>
            <div>
              <dt>{t("decision.by")}</dt>
              <dd>{t("decision.byWhen", { by: d.resolution.by ?? "", when: d.resolution.when ?? "" })}</dd>
            </div>
          </dl>
          {d.resolution.note ? (
            <>
              <h3>{t("decision.note")}</h3>
              <p className="own-words">{d.resolution.note}</p>
            </>
          ) : null}
        </section>
      ) : (
        <ResolveForm d={d} errors={errors} values={values} />
      )}

      <OpsRequestTrail history={d.history} others={d.others} ledger={d.account.ledger} contacts={d.contacts} accountId={d.account.id} />
    </Page>
  );
}
