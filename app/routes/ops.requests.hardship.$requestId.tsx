/**
 * /ops/requests/hardship/:requestId (issue 8 item 3): one hardship request for review, and
 * the decision. The account and its balance, what happened, the income and expenditure (each
 * line a month at a time, the same domain code the borrower saw), the help asked for, the
 * documents, whether it went to a supervisor, its history and the ledger; what the borrower
 * shared about their health only when asked for (each read audited).
 *
 * Decide: an outcome with its one term (days, a monthly amount, a settlement amount), a reason
 * code and an optional note to the borrower, as one plain form (works without JavaScript).
 * A settlement or a freeze on a balance above the staff member's limit is not offered:
 * "Send to a supervisor" is. The database enforces the same (a forged form gets 403), and the
 * second of two decisions at once is told it was decided already (409).
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
import { TextField } from "~/components/text-field";
import { summarize } from "~/domain/income-expenditure";
import { formatMoney, minorToDecimalString } from "~/domain/money";
import { intlLocale, type Language } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { dayIn, formatCalendarDate } from "~/utils/borrower-format.server";
import { noStore } from "~/utils/no-store";
import {
  BREAK_DAY_CHOICES,
  decideHardship,
  escalateHardship,
  getHardshipReview,
  HARDSHIP_OUTCOMES,
  HARDSHIP_REASON_GROUPS,
  LIMITED_OUTCOMES,
  parseHardshipDecisionForm,
  STAFF_NOTE_MAX,
  type HardshipOutcome,
} from "~/utils/request-decisions.server";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { requireStaff } from "~/utils/staff-session.server";
import { getVulnerabilityNotes } from "~/utils/vulnerability.server";

export const headers = noStore;

export const handle = { i18n: ["common", "ops-requests", "hardship"] };

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
  const review = await getHardshipReview(staff.id, params.requestId ?? "");
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops-requests");
  const { request: r, account } = review;
  const f = formatters(language, account.currency, account.creditor.region, account.creditor.timeZone);
  const notes = url.searchParams.get("notes") === "show" && review.vulnerabilityShared ? await getVulnerabilityNotes(staff.id, account.id) : null;
  const summary = summarize(r.ieLines);
  const canDecide = r.status === "submitted" && !(review.escalation && staff.role === "agent");
  const d = r.decision;
  return {
    title: t("hardship.title", { reference: account.reference }),
    requestId: r.id,
    done: url.searchParams.get("done"),
    status: r.status,
    submitted: r.submittedAt ? f.when(r.submittedAt) : null,
    // Due at the end of a day: shown as that day's last minute, not the next day's midnight.
    due: r.decisionDueAt ? f.when(new Date(r.decisionDueAt.getTime() - 60_000)) : null,
    overdue: r.status === "submitted" && r.decisionDueAt !== null && r.decisionDueAt.getTime() < Date.now(),
    escalation: review.escalation ? { when: f.when(review.escalation.at), reason: review.escalation.reason, by: review.escalation.byName, byMe: review.escalation.byMe } : null,
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
    limit: f.money(review.staff.approvalLimitMinor),
    overLimit: review.staff.overLimit,
    // The form's lists come with the data: the page's component never imports a .server module.
    form: {
      outcomes: HARDSHIP_OUTCOMES.filter((o) => !(review.staff.overLimit && (LIMITED_OUTCOMES as readonly HardshipOutcome[]).includes(o))),
      reasonGroups: HARDSHIP_REASON_GROUPS.map((g) => ({ key: g.key, outcomes: [...g.outcomes] as string[], reasons: [...g.reasons] })),
      breakDays: [...BREAK_DAY_CHOICES] as number[],
      noteMax: new Intl.NumberFormat(intlLocale(language, account.creditor.region)).format(STAFF_NOTE_MAX),
    },
    canDecide,
    canEscalate: r.status === "submitted" && review.escalation === null,
    reasons: r.reasons,
    reasonNote: r.reasonNote,
    help: r.help,
    breakDays: r.breakDays,
    proposed: r.proposedMonthlyMinor === null ? null : f.money(r.proposedMonthlyMinor),
    proposedInput: r.proposedMonthlyMinor === null ? "" : minorToDecimalString(r.proposedMonthlyMinor),
    healthShared: r.healthShared,
    ie: summary.ok
      ? {
          lines: summary.summary.lines.map((l) => ({ category: l.category, amount: f.money(l.amountMinor), frequency: l.frequency, monthly: f.money(l.monthlyMinor) })),
          income: f.money(summary.summary.incomeMinor),
          outgoings: f.money(summary.summary.outgoingsMinor),
          surplusMinor: summary.summary.surplusMinor,
          surplus: f.money(Math.abs(summary.summary.surplusMinor)),
        }
      : null,
    vulnerabilityShared: review.vulnerabilityShared,
    notes: notes?.map((n) => ({ id: n.requestId, when: f.when(n.sharedAt), note: n.note })) ?? null,
    documents: review.documents.map((doc) => ({ id: doc.id, filename: doc.filename, size: Math.max(1, Math.round(doc.sizeBytes / 1024)) })),
    decision: d
      ? {
          outcome: d.outcome,
          reason: d.reason,
          note: d.note,
          by: review.decidedByName,
          when: r.decidedAt ? f.when(r.decidedAt) : null,
          breakDays: d.breakDays,
          monthly: d.monthlyMinor === null ? null : f.money(d.monthlyMinor),
          settlement: d.settlementMinor === null ? null : f.money(d.settlementMinor),
          pausedUntil: r.pauseEndsAt ? f.day(dayIn(r.pauseEndsAt, account.creditor.timeZone)) : null,
        }
      : null,
    legacyOutcome: r.status === "decided" && !d ? r.outcome : null,
    history: review.history.map((e) => ({ when: f.when(e.occurredAt), who: e.actorName ?? t(`history.actors.${e.actorKind}`), action: e.action, reason: e.reasonCode })),
    others: review.otherRequests.map((o) => ({ kind: o.kind, id: o.id, status: o.status, outcome: o.outcome, when: o.at ? f.when(o.at) : null })),
    contacts: await recentContacts(staff, account.id, language, account.creditor.timeZone),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

type Errors = Partial<Record<string, string>>;
type Values = Partial<Record<"outcome" | "reason" | "note" | "breakDays" | "monthly" | "settlement", string>>;

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
  const base = `/ops/requests/hardship/${params.requestId ?? ""}`;

  if (intent === "escalate") {
    const review = await getHardshipReview(staff.id, params.requestId ?? "");
    const sent = await escalateHardship(staff.id, review.request.id, review.staff.overLimit ? "over_limit" : "second_opinion");
    if (!sent.ok) return reply(409, { problem: t(`refusals.${sent.reason}`) });
    throw redirect(`${base}?done=escalated`, { status: 303 });
  }

  if (intent !== "decide") return reply(400, { problem: t("errors.badForm") });
  const values: Values = Object.fromEntries(
    (["outcome", "reason", "note", "breakDays", "monthly", "settlement"] as const).map((name) => [name, String(form.get(name) ?? "").slice(0, 2000)]),
  );
  const parsed = parseHardshipDecisionForm(form);
  if (!parsed.ok) {
    const errors = Object.fromEntries(Object.entries(parsed.errors).map(([field, problem]) => [field, t(`errors.${problem}`, { max: new Intl.NumberFormat(intlLocale(language)).format(STAFF_NOTE_MAX) })]));
    return reply(400, { errors, values });
  }
  const decided = await decideHardship(staff.id, params.requestId ?? "", parsed.input);
  if (!decided.ok) {
    const status = ["over_limit", "escalated", "four_eyes"].includes(decided.reason) ? 403 : decided.reason === "already_decided" || decided.reason === "not_submitted" ? 409 : 400;
    return reply(status, { problem: t(`refusals.${decided.reason}`), values });
  }
  nudgeOutbox();
  throw redirect(`${base}?done=decided`, { status: 303 });
}

// ---------------------------------------------------------------------------------------

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function DecisionForm({ d, errors, values }: { d: Loaded; errors: Errors; values: Values }) {
  const { t } = useTranslation("ops-requests");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  // Set only by a choice made with JavaScript on: without it every field stays visible.
  const [outcome, setOutcome] = useState<string>("");
  const hide = (o: string) => (outcome && outcome !== o ? "js-hidden" : undefined);
  return (
    <Form method="post" className="stack" aria-labelledby="decide-title" noValidate>
      <h2 id="decide-title">{t("decide.title")}</h2>
      {d.overLimit ? <p>{t("decide.overLimit", { limit: d.limit })}</p> : null}
      <input type="hidden" name="intent" value="decide" />
      <RadioCards
        id="outcome"
        name="outcome"
        label={t("decide.outcome")}
        defaultValue={values.outcome || undefined}
        onChange={setOutcome}
        errors={errors.outcome ? [errors.outcome] : undefined}
        options={d.form.outcomes.map((o) => ({ value: o, title: t(`outcomes.${o}`), description: t(`outcomes.${o}Hint`) }))}
      />
      <div className={hide("payment_break")}>
        <div className="field" data-invalid={errors.breakDays ? true : undefined}>
          <label htmlFor="breakDays" className="field__label">
            {t("decide.breakDays")}
          </label>
          {errors.breakDays ? (
            <span className="field-error" id="breakDays-error">
              {errors.breakDays}
            </span>
          ) : null}
          <select id="breakDays" name="breakDays" className="select" defaultValue={values.breakDays || String(d.breakDays ?? 30)} aria-describedby={errors.breakDays ? "breakDays-error" : undefined}>
            {d.form.breakDays.map((days) => (
              <option key={days} value={days}>
                {t("decide.days", { count: days })}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className={hide("lower_payments")}>
        <TextField
          id="monthly"
          name="monthly"
          label={t("decide.monthly")}
          description={d.proposed ? t("decide.monthlyHint", { amount: d.proposed }) : undefined}
          inputMode="decimal"
          width="10"
          defaultValue={values.monthly ?? d.proposedInput}
          errors={errors.monthly ? [errors.monthly] : undefined}
        />
      </div>
      {d.form.outcomes.includes("settlement") ? (
        <div className={hide("settlement")}>
          <TextField
            id="settlement"
            name="settlement"
            label={t("decide.settlement")}
            description={t("decide.settlementHint", { balance: d.account.balance.total })}
            inputMode="decimal"
            width="10"
            defaultValue={values.settlement ?? ""}
            errors={errors.settlement ? [errors.settlement] : undefined}
          />
        </div>
      ) : null}
      <div className="field" data-invalid={errors.reason ? true : undefined}>
        <label htmlFor="reason" className="field__label">
          {t("decide.reason")}
        </label>
        <span className="field__description" id="reason-hint">
          {t("decide.reasonHint")}
        </span>
        {errors.reason ? (
          <span className="field-error" id="reason-error">
            {errors.reason}
          </span>
        ) : null}
        <select id="reason" name="reason" className="select" defaultValue={values.reason ?? ""} aria-describedby={errors.reason ? "reason-hint reason-error" : "reason-hint"}>
          <option value="">{t("decide.chooseReason")}</option>
          {d.form.reasonGroups.filter((g) => !outcome || g.outcomes.includes(outcome)).map((group) => (
            <optgroup key={group.key} label={t(`decide.reasonGroups.${group.key}`)}>
              {group.reasons.map((reason) => (
                <option key={reason} value={reason}>
                  {t(`reasons.${reason}`)}
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
        {t("decide.submit")}
      </Button>
    </Form>
  );
}

export default function HardshipReviewPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("ops-requests");
  const { t: h } = useTranslation("hardship");
  const errors: Errors = actionData?.errors ?? {};
  const values: Values = actionData?.values ?? {};
  const summary = Object.entries(errors).map(([field, message]) => ({ fieldId: field, message: message ?? "" }));
  const base = `/ops/requests/hardship/${d.requestId}`;

  return (
    <Page title={d.title} lead={t("lead", { borrower: d.account.borrower, creditor: d.account.creditor })} className="ops-page ops-review">
      <ErrorSummary errors={summary} />
      {actionData?.problem ? <Alert tone="warning" title={actionData.problem} /> : null}
      {d.done === "decided" && !actionData ? <Alert tone="success" title={t("done.decided")} /> : null}
      {d.done === "escalated" && !actionData ? <Alert tone="success" title={t("done.escalated")} /> : null}

      <section className="panel" aria-labelledby="status-title">
        <h2 id="status-title">{t("status.title")}</h2>
        <dl className="facts">
          <div>
            <dt>{t("status.state")}</dt>
            <dd>{t(`status.hardship.${d.status}`)}</dd>
          </div>
          {d.submitted ? (
            <div>
              <dt>{t("status.received")}</dt>
              <dd>{d.submitted}</dd>
            </div>
          ) : null}
          {d.due && d.status === "submitted" ? (
            <div>
              <dt>{t("status.due")}</dt>
              <dd>
                {d.due} {d.overdue ? <span className="tag tag--error">{t("status.overdue")}</span> : null}
              </dd>
            </div>
          ) : null}
          {d.escalation ? (
            <div>
              <dt>{t("status.escalated")}</dt>
              <dd>
                {t(`escalation.${d.escalation.reason}`, { when: d.escalation.when, by: d.escalation.by ?? "" })}
                {d.escalation.byMe ? ` ${t("escalation.byMe")}` : null}
              </dd>
            </div>
          ) : null}
        </dl>
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

      <section aria-labelledby="asked-title">
        <h2 id="asked-title">{t("asked.title")}</h2>
        <dl className="facts">
          <div>
            <dt>{t("asked.what")}</dt>
            <dd>{d.reasons.map((r) => h(`reasons.${r}`)).join("; ")}</dd>
          </div>
          <div>
            <dt>{t("asked.help")}</dt>
            <dd>
              {d.help === "payment_break"
                ? t("asked.break", { count: d.breakDays ?? 0 })
                : d.help === "lower_payments"
                  ? t("asked.lower", { amount: d.proposed ?? "" })
                  : d.help
                    ? h(`help.${d.help}`)
                    : "—"}
            </dd>
          </div>
          <div>
            <dt>{t("asked.health")}</dt>
            <dd>{d.healthShared ? t("asked.healthShared") : t("asked.healthNone")}</dd>
          </div>
        </dl>
        {d.reasonNote ? (
          <>
            <h3>{t("asked.words")}</h3>
            <p className="own-words">{d.reasonNote}</p>
          </>
        ) : null}
      </section>

      <section aria-labelledby="ie-title">
        <h2 id="ie-title">{t("ie.title")}</h2>
        {d.ie && d.ie.lines.length > 0 ? (
          <table className="ops-table">
            <caption className="visually-hidden">{t("ie.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("ie.category")}</th>
                <th scope="col">{t("ie.amount")}</th>
                <th scope="col">{t("ie.monthly")}</th>
              </tr>
            </thead>
            <tbody>
              {d.ie.lines.map((line) => (
                <tr key={line.category}>
                  <td data-label={t("ie.category")}>{h(`ie.categories.${line.category}.label`)}</td>
                  <td data-label={t("ie.amount")}>
                    {line.amount} {h(`ie.frequency.${line.frequency}`)}
                  </td>
                  <td data-label={t("ie.monthly")}>{line.monthly}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>{t("ie.none")}</p>
        )}
        {d.ie ? (
          <dl className="facts">
            <div>
              <dt>{t("ie.income")}</dt>
              <dd>{d.ie.income}</dd>
            </div>
            <div>
              <dt>{t("ie.outgoings")}</dt>
              <dd>{d.ie.outgoings}</dd>
            </div>
            <div>
              <dt>{d.ie.surplusMinor >= 0 ? t("ie.surplus") : t("ie.shortfall")}</dt>
              <dd>{d.ie.surplus}</dd>
            </div>
          </dl>
        ) : null}
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

      {d.decision ? (
        <section className="panel" aria-labelledby="decision-title">
          <h2 id="decision-title">{t("decision.title")}</h2>
          <dl className="facts">
            <div>
              <dt>{t("decision.outcome")}</dt>
              <dd>
                {t(`outcomes.${d.decision.outcome}`)}
                {d.decision.breakDays ? ` · ${t("decide.days", { count: d.decision.breakDays })}` : null}
                {d.decision.monthly ? ` · ${t("decision.monthly", { amount: d.decision.monthly })}` : null}
                {d.decision.settlement ? ` · ${t("decision.settlement", { amount: d.decision.settlement })}` : null}
              </dd>
            </div>
            <div>
              <dt>{t("decision.reason")}</dt>
              <dd>{t(`reasons.${d.decision.reason}`)}</dd>
            </div>
            {d.decision.pausedUntil ? (
              <div>
                <dt>{t("decision.pausedUntil")}</dt>
                <dd>{d.decision.pausedUntil}</dd>
              </div>
            ) : null}
            <div>
              <dt>{t("decision.by")}</dt>
              <dd>{t("decision.byWhen", { by: d.decision.by ?? "", when: d.decision.when ?? "" })}</dd>
            </div>
          </dl>
          {d.decision.note ? (
            <>
              <h3>{t("decision.note")}</h3>
              <p className="own-words">{d.decision.note}</p>
            </>
          ) : null}
        </section>
      ) : null}
      {d.legacyOutcome ? <p>{t("decision.legacy", { outcome: d.legacyOutcome })}</p> : null}

      {d.canDecide ? <DecisionForm d={d} errors={errors} values={values} /> : null}
      {d.status === "submitted" && !d.canDecide ? <Alert tone="info" title={t("decide.withSupervisor")} /> : null}

      {d.canEscalate ? (
        <Form method="post" className="stack" aria-labelledby="escalate-title" noValidate>
          <h2 id="escalate-title">{t("escalate.title")}</h2>
          <p>{d.overLimit ? t("escalate.overLimit", { limit: d.limit }) : t("escalate.secondOpinion")}</p>
          <input type="hidden" name="intent" value="escalate" />
          <Button type="submit" variant={d.overLimit ? "primary" : "secondary"}>
            {t("escalate.submit")}
          </Button>
        </Form>
      ) : null}

      <OpsRequestTrail history={d.history} others={d.others} ledger={d.account.ledger} contacts={d.contacts} accountId={d.account.id} />
    </Page>
  );
}
