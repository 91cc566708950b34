/**
 * /account/:accountId/help/:step (issue 7 item 1): the "Ask for help" form, one short page
 * per step ("Step 3 of 8"), each a plain GET page and a POST that saves the step to the
 * account's draft and goes on, so it works without JavaScript and a borrower can stop and
 * come back (same session or a new link). Steps: what happened; money coming in; bills;
 * everyday spending; other debts (each amount with how often, turned into a monthly figure by
 * app/domain/income-expenditure.ts, live with JavaScript, on the check page without); the
 * help they would like; health details (only with their own consent); check and send.
 * Any step can be opened by its URL; the check page says what is still needed, and sending
 * is refused (409) until it is there.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Checkbox } from "~/components/checkbox";
import { ErrorSummary } from "~/components/error-summary";
import { DOCUMENT_ACCEPT, FileField } from "~/components/file-field";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { TermsLines } from "~/components/terms-lines";
import { TextArea } from "~/components/text-area";
import { TextField } from "~/components/text-field";
import { reviewDueOn } from "~/domain/review-due";
import { parseIeForm, summarize } from "~/domain/income-expenditure";
import { IE_FREQUENCIES, ieAmountField, ieFrequencyField, type IeCategory } from "~/domain/income-expenditure-fields";
import { formatMoney, minorToDecimalString, parseMoneyInput } from "~/domain/money";
import { fallbackLanguage, intlLocale, isLanguage } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { addRequestDocument, listRequestDocuments, saveHardshipStep, submitHardshipRequest, type HardshipStepAnswers } from "~/utils/hardship.server";
import { filesOf, readUploadForm } from "~/utils/uploads.server";
import { checkDocument } from "~/domain/document-type";
import { healthConsentTerms, loadHardshipPage, type HardshipPage } from "~/utils/hardship-page.server";
import { FORM_STEPS, HARDSHIP_HELP, HARDSHIP_REASONS, IE_STEP_CATEGORIES, isIeStep, REQUIRED_STEPS, type FormStep } from "~/utils/hardship-steps";
import { noStore } from "~/utils/no-store";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";

export const headers = noStore;

export const handle = { i18n: ["common", "hardship"] };

const NOTE_MAX = 2000;

function stepOf(params: { step?: string }): FormStep {
  const step = z.enum(FORM_STEPS).safeParse(params.step);
  if (!step.success) throw new Response("Not found", { status: 404 });
  return step.data;
}

async function stepPage(request: Request, params: { accountId?: string; step?: string }) {
  const step = stepOf(params);
  const page = await loadHardshipPage(request, params.accountId);
  // A request already sent is shown on the help page, not edited. A second press of "Send"
  // that arrives after the first was stored lands on the same confirmation as the first.
  if (page.request && page.request.status === "submitted") {
    const replayedSend = step === "check" && request.method === "POST";
    throw redirect(replayedSend ? `${page.base}?sent=1` : page.base, { status: 303 });
  }
  const draft = page.request?.status === "draft" ? page.request : null;
  return { step, page, draft };
}

function moneyText(minor: number, page: HardshipPage) {
  return formatMoney(minor, page.overview.currency, intlLocale(page.session.language, page.overview.creditor.region));
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { step, page, draft } = await stepPage(request, params);
  const t = await i18nServer.getFixedT(page.session.language, "hardship");
  const index = FORM_STEPS.indexOf(step);
  const summary = summarize(draft?.ieLines ?? []);
  const health = step === "health" ? await healthConsentTerms(page.overview.creditor.name, page.session.language) : null;
  const missing = REQUIRED_STEPS.filter((s) => !(draft?.stepsDone ?? []).includes(s));
  const documents = step === "documents" && draft ? await listRequestDocuments(page.session.borrowerId, "hardship", draft.id) : [];
  return {
    title: `${t(`steps.${step}`)} – ${t("meta.title")}`,
    step,
    index,
    total: FORM_STEPS.length,
    accountId: page.overview.accountId,
    creditorName: page.overview.creditor.name,
    currency: page.overview.currency,
    region: page.overview.creditor.region,
    previous: index > 0 ? FORM_STEPS[index - 1]! : null,
    draft: draft
      ? {
          reasons: draft.reasons,
          reasonNote: draft.reasonNote ?? "",
          lines: Object.fromEntries(draft.ieLines.map((l) => [l.category, { amount: minorToDecimalString(l.amountMinor), frequency: l.frequency }])),
          help: draft.help,
          breakDays: draft.breakDays,
          proposed: draft.proposedMonthlyMinor === null ? "" : minorToDecimalString(draft.proposedMonthlyMinor),
          proposedText: draft.proposedMonthlyMinor === null ? null : moneyText(draft.proposedMonthlyMinor, page),
          healthNote: draft.healthNote ?? "",
          healthShared: draft.healthShared,
        }
      : null,
    monthly: summary.ok
      ? {
          income: moneyText(summary.summary.incomeMinor, page),
          outgoings: moneyText(summary.summary.outgoingsMinor, page),
          surplusMinor: summary.summary.surplusMinor,
          surplus: moneyText(Math.abs(summary.summary.surplusMinor), page),
        }
      : null,
    health: health ? { lines: health.lines, sha256: health.sha256 } : null,
    missing,
    documents: documents.map((d) => ({ id: d.id, filename: d.filename })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

type Errors = Record<string, string>;

function reply(errors: Errors, status = 400) {
  return data({ errors }, { status, headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { step, page, draft } = await stepPage(request, params);
  const t = await i18nServer.getFixedT(page.session.language, "hardship");
  const read = await readUploadForm(request);
  if (!read.ok) return reply({ document: t(`errors.document.${read.reason}`) }, read.reason === "too_large" ? 413 : 400);
  const form = read.form;
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  const next = FORM_STEPS[FORM_STEPS.indexOf(step) + 1] ?? "check";
  const goNext = () => redirect(`${page.base}/${next}`, { status: 303 });
  const { borrowerId } = page.session;
  const accountId = page.overview.accountId;

  const save = async (answers: HardshipStepAnswers) => {
    const saved = await saveHardshipStep(borrowerId, accountId, answers);
    if (saved.ok) return goNext();
    if (saved.reason === "request_not_draft") return reply({ form: t("errors.not_draft") }, 409);
    if (saved.reason === "account_not_open") throw redirect(`/account/${accountId}`, { status: 303 });
    return reply({ form: t("errors.changed") });
  };

  if (step === "reasons") {
    const reasons = form.getAll("reasons").filter((r): r is (typeof HARDSHIP_REASONS)[number] => (HARDSHIP_REASONS as readonly string[]).includes(String(r)));
    const note = text("note").trim();
    const errors: Errors = {};
    if (reasons.length === 0) errors.reasons = t("errors.reasons");
    if (note.length > NOTE_MAX) errors.note = t("errors.note_too_long", { count: note.length });
    if (Object.keys(errors).length > 0) return reply(errors);
    return save({ step, reasons, note: note || null });
  }

  if (isIeStep(step)) {
    const parsed = parseIeForm(form);
    const mine = new Set<string>(IE_STEP_CATEGORIES[step]);
    const errors: Errors = {};
    if (!parsed.ok) {
      for (const error of parsed.errors) {
        const category = error.field.split(".")[1]!;
        if (!mine.has(category)) continue;
        errors[error.field] = error.field.endsWith(".amount") ? t(`errors.amount.${error.reason}`) : t(`errors.frequency.${error.reason}`);
      }
    }
    if (Object.keys(errors).length > 0) return reply(errors);
    return save({ step, lines: parsed.lines.filter((l) => mine.has(l.category)) });
  }

  if (step === "help") {
    const help = z.enum(HARDSHIP_HELP).safeParse(text("help"));
    if (!help.success) return reply({ help: t("errors.help") });
    if (help.data === "payment_break") {
      const days = z.coerce.number().pipe(z.union([z.literal(30), z.literal(60), z.literal(90)])).safeParse(text("breakDays"));
      if (!days.success) return reply({ breakDays: t("errors.break_days") });
      return save({ step, help: "payment_break", breakDays: days.data });
    }
    if (help.data === "lower_payments") {
      const amount = parseMoneyInput(text("proposed"));
      if (!amount.ok || amount.amountMinor <= 0) return reply({ proposed: amount.ok || amount.reason === "empty" ? t("errors.proposed") : t(`errors.amount.${amount.reason}`) });
      return save({ step, help: "lower_payments", proposedMonthlyMinor: amount.amountMinor });
    }
    return save({ step, help: help.data });
  }

  if (step === "health") {
    const note = text("note").trim();
    if (note.length > NOTE_MAX) return reply({ note: t("errors.note_too_long", { count: note.length }) });
    if (note === "") return save({ step, note: null, consent: null });
    const terms = await healthConsentTerms(page.overview.creditor.name, page.session.language);
    if (text("consent") !== "on") return reply({ consent: t("errors.consent") });
    if (text("terms") !== terms.sha256) return reply({ form: t("errors.changed") });
    return save({
      step,
      note,
      consent: {
        version: terms.version,
        language: terms.language,
        body: terms.body,
        sha256: terms.sha256,
        ip: context.clientIp || null,
        userAgent: (request.headers.get("User-Agent") ?? "").slice(0, 512) || null,
      },
    });
  }

  if (step === "documents") {
    const files = filesOf(form, "document");
    if (files.length === 0) return text("intent") === "add" ? reply({ document: t("errors.document.empty") }) : goNext();
    if (!draft) return reply({ form: t("documents.startFirst") }, 409);
    for (const file of files) {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const checked = checkDocument(bytes);
      if (!checked.ok) return reply({ document: t(`errors.document.${checked.reason}`) }, checked.reason === "too_large" ? 413 : 400);
      const added = await addRequestDocument({ borrowerId, kind: "hardship", requestId: draft.id, filename: file.name, bytes });
      if (!added.ok) return reply({ document: t(`errors.document.${added.reason}`) }, added.reason === "invalid_document" ? 400 : 409);
    }
    if (text("intent") === "next") return goNext();
    throw redirect(`${page.base}/documents`, { status: 303 });
  }

  // check: send it.
  if (!draft) return reply({ form: t("check.missing", { steps: REQUIRED_STEPS.map((s) => t(`steps.${s}`)).join(", ") }) }, 409);
  const summary = summarize(draft.ieLines);
  const sent = await submitHardshipRequest({
    borrowerId,
    requestId: draft.id,
    monthlyIncomeMinor: summary.ok ? summary.summary.incomeMinor : 0,
    monthlyOutgoingsMinor: summary.ok ? summary.summary.outgoingsMinor : 0,
    decisionDueOn: reviewDueOn(page.overview.today),
  });
  if (!sent.ok) {
    if (sent.reason === "request_incomplete") {
      const missing = REQUIRED_STEPS.filter((s) => !draft.stepsDone.includes(s));
      return reply({ form: t("check.missing", { steps: missing.map((s) => t(`steps.${s}`)).join(", ") }) }, 409);
    }
    if (sent.reason === "request_not_draft") return reply({ form: t("errors.not_draft") }, 409);
    return reply({ form: t("errors.changed") });
  }
  if (sent.outcome === "submitted") nudgeOutbox();
  throw redirect(`${page.base}?sent=1`, { status: 303 });
}

// ---------------------------------------------------------------------------------------

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function FrequencySelect({ category, value, error }: { category: IeCategory; value: string; error?: string }) {
  const { t } = useTranslation("hardship");
  const id = ieFrequencyField(category);
  return (
    <div className="field" data-invalid={error ? true : undefined}>
      <label htmlFor={id} className="field__label">
        {t("ie.often")}
      </label>
      {error ? (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
      <select id={id} name={id} className="select" defaultValue={value || "monthly"} aria-describedby={error ? `${id}-error` : undefined}>
        {IE_FREQUENCIES.map((f) => (
          <option key={f} value={f}>
            {t(`ie.frequency.${f}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

function MoneyLines({ data, errors }: { data: Loaded; errors: Errors }) {
  const { t, i18n } = useTranslation("hardship");
  const categories = isIeStep(data.step) ? IE_STEP_CATEGORIES[data.step] : [];
  const [live, setLive] = useState<string | null>(null);
  const locale = intlLocale(isLanguage(i18n.language) ? i18n.language : fallbackLanguage, data.region);
  // With JavaScript: the step's monthly total as they type (the same domain code as the server).
  const onInput = (event: FormEvent<HTMLFormElement>) => {
    const parsed = parseIeForm(new FormData(event.currentTarget));
    const result = summarize(parsed.lines);
    if (result.ok) setLive(formatMoney(result.summary.lines.reduce((sum, l) => sum + l.monthlyMinor, 0), data.currency, locale));
  };
  return (
    <Form method="post" className="stack" onInput={onInput}>
      <p>{t("ie.intro")}</p>
      {categories.map((category) => {
        const saved = data.draft?.lines[category];
        const amountError = errors[ieAmountField(category)];
        return (
          <fieldset key={category} className="ie-line">
            <legend className="ie-line__legend">{t(`ie.categories.${category}.label`)}</legend>
            <TextField
              id={ieAmountField(category)}
              name={ieAmountField(category)}
              label={t("ie.amount")}
              description={t(`ie.categories.${category}.hint`)}
              inputMode="decimal"
              width="10"
              prefix="$"
              defaultValue={saved?.amount ?? ""}
              errors={amountError ? [amountError] : undefined}
            />
            <FrequencySelect category={category} value={saved?.frequency ?? "monthly"} error={errors[ieFrequencyField(category)]} />
          </fieldset>
        );
      })}
      {live !== null ? (
        <p className="owed-total" aria-live="polite">
          {t("ie.monthlyTotal", { amount: live })}
        </p>
      ) : null}
      <Button type="submit">{t("saveContinue")}</Button>
    </Form>
  );
}

export default function HardshipStep() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("hardship");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const errors: Errors = (actionData?.errors ?? {}) as Errors;
  const base = `/account/${data.accountId}/help`;
  const [help, setHelp] = useState<string>(data.draft?.help ?? "");
  const summaryItems = Object.entries(errors)
    .filter(([field]) => field !== "form")
    .map(([field, message]) => ({ fieldId: field === "help" ? "help-choice" : field, message }));

  return (
    <Page title={t(`steps.${data.step}`)} narrow>
      <p className="tag">{t("stepOf", { current: data.index + 1, total: data.total })}</p>
      <ErrorSummary errors={summaryItems} />
      {errors.form ? <Alert tone="warning" title={errors.form} /> : null}

      {data.step === "reasons" ? (
        <Form method="post" className="stack">
          <fieldset className="field" id="reasons" data-invalid={errors.reasons ? true : undefined}>
            <legend className="field__label">{t("reasons.label")}</legend>
            {errors.reasons ? <span className="field-error">{errors.reasons}</span> : null}
            {HARDSHIP_REASONS.map((reason) => (
              <Checkbox key={reason} name="reasons" value={reason} defaultSelected={data.draft?.reasons.includes(reason)}>
                {t(`reasons.${reason}`)}
              </Checkbox>
            ))}
          </fieldset>
          <TextArea
            id="note"
            name="note"
            label={t("reasons.noteLabel")}
            description={t("reasons.noteHint")}
            isOptional
            defaultValue={data.draft?.reasonNote ?? ""}
            errors={errors.note ? [errors.note] : undefined}
          />
          <Button type="submit" isDisabled={busy}>
            {t("saveContinue")}
          </Button>
        </Form>
      ) : null}

      {data.step === "income" || data.step === "fixed" || data.step === "flexible" || data.step === "debts" ? <MoneyLines data={data} errors={errors} /> : null}

      {data.step === "help" ? (
        <Form method="post" className="stack">
          <RadioCards
            id="help-choice"
            name="help"
            label={t("help.label")}
            value={help || null}
            onChange={setHelp}
            errors={errors.help ? [errors.help] : undefined}
            options={HARDSHIP_HELP.map((h) => ({ value: h, title: t(`help.${h}`), description: t(`help.${h}Hint`) }))}
          />
          <RadioCards
            id="breakDays"
            name="breakDays"
            label={t("help.breakLabel")}
            defaultValue={data.draft?.breakDays ? String(data.draft.breakDays) : undefined}
            errors={errors.breakDays ? [errors.breakDays] : undefined}
            options={[30, 60, 90].map((days) => ({ value: String(days), title: t("help.days", { count: days }) }))}
            className={help && help !== "payment_break" ? "js-hidden" : undefined}
          />
          <div className={help && help !== "lower_payments" ? "js-hidden" : undefined}>
            <TextField
              id="proposed"
              name="proposed"
              label={t("help.amountLabel")}
              description={
                data.monthly && data.monthly.surplusMinor > 0 ? t("help.amountHint", { amount: data.monthly.surplus }) : t("help.amountHintNone")
              }
              inputMode="decimal"
              width="10"
              prefix="$"
              defaultValue={data.draft?.proposed ?? ""}
              errors={errors.proposed ? [errors.proposed] : undefined}
            />
          </div>
          <Button type="submit" isDisabled={busy}>
            {t("saveContinue")}
          </Button>
        </Form>
      ) : null}

      {data.step === "health" && data.health ? (
        <Form method="post" className="stack">
          <p className="lead">{t("health.intro")}</p>
          <section className="panel" aria-labelledby="health-consent">
            <h2 id="health-consent">{t("health.consentTitle")}</h2>
            <TermsLines lines={data.health.lines} />
            <input type="hidden" name="terms" value={data.health.sha256} />
            <Checkbox id="consent" name="consent" defaultSelected={data.draft?.healthShared} errors={errors.consent ? [errors.consent] : undefined}>
              {t("health.agree")}
            </Checkbox>
          </section>
          <TextArea
            id="note"
            name="note"
            label={t("health.noteLabel")}
            description={t("health.noteHint")}
            isOptional
            defaultValue={data.draft?.healthNote ?? ""}
            errors={errors.note ? [errors.note] : undefined}
          />
          <Button type="submit" isDisabled={busy}>
            {t("saveContinue")}
          </Button>
        </Form>
      ) : null}

      {data.step === "documents" ? (
        <>
          <p className="lead">{t("documents.intro")}</p>
          <h2>{t("documents.list")}</h2>
          {data.documents.length > 0 ? (
            <ul>
              {data.documents.map((d) => (
                <li key={d.id}>
                  <a href={`/account/${data.accountId}/documents/${d.id}`} download>
                    {d.filename}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p>{t("documents.none")}</p>
          )}
          {data.draft ? (
            <Form method="post" encType="multipart/form-data" className="stack">
              <FileField id="document" name="document" label={t("documents.label")} description={t("documents.rules")} error={errors.document} accept={DOCUMENT_ACCEPT} />
              <Button type="submit" name="intent" value="add" variant="secondary" isDisabled={busy}>
                {t("documents.add")}
              </Button>
              <Button type="submit" name="intent" value="next" isDisabled={busy}>
                {t("saveContinue")}
              </Button>
            </Form>
          ) : (
            <p>
              <Link to={`${base}/reasons`}>{t("documents.startFirst")}</Link>
            </p>
          )}
        </>
      ) : null}

      {data.step === "check" ? <Check data={data} busy={busy} /> : null}

      <p className="after-form">
        {data.previous ? <Link to={`${base}/${data.previous}`}>{t("back")}</Link> : <Link to={base}>{t("back")}</Link>}
      </p>
    </Page>
  );
}

function Check({ data, busy }: { data: Loaded; busy: boolean }) {
  const { t } = useTranslation("hardship");
  const base = `/account/${data.accountId}/help`;
  const d = data.draft;
  const helpText = !d?.help
    ? t("check.none")
    : d.help === "payment_break"
      ? t("check.helpBreak", { count: d.breakDays ?? 0 })
      : d.help === "lower_payments"
        ? t("check.helpLower", { amount: d.proposedText ?? "" })
        : t(`help.${d.help}`);
  const rows: Array<{ step: FormStep; label: string; value: string }> = [
    { step: "reasons", label: t("check.reasons"), value: d && d.reasons.length > 0 ? d.reasons.map((r) => t(`reasons.${r}`)).join(", ") : t("check.none") },
    { step: "income", label: t("check.income"), value: data.monthly?.income ?? t("check.none") },
    { step: "fixed", label: t("check.outgoings"), value: data.monthly?.outgoings ?? t("check.none") },
    { step: "help", label: t("check.help"), value: helpText },
    { step: "health", label: t("check.health"), value: d?.healthShared ? t("check.healthShared") : t("check.healthNone") },
  ];
  return (
    <>
      <p className="lead">{t("check.intro")}</p>
      <dl className="facts">
        {rows.map((row) => (
          <div key={row.step}>
            <dt>{row.label}</dt>
            <dd>
              {row.value} <Link to={`${base}/${row.step}`}>{t("check.change")}</Link>
            </dd>
          </div>
        ))}
        {data.monthly ? (
          <div>
            <dt>{data.monthly.surplusMinor >= 0 ? t("check.left") : t("check.short")}</dt>
            <dd>{data.monthly.surplus}</dd>
          </div>
        ) : null}
      </dl>
      {data.missing.length > 0 ? (
        <Alert tone="info" title={t("check.missing", { steps: data.missing.map((s) => t(`steps.${s}`)).join(", ") })} />
      ) : null}
      <p>
        <Trans t={t} i18nKey="check.sending" />
      </p>
      <Form method="post" className="stack">
        <Button type="submit" isDisabled={busy}>
          {t("check.send")}
        </Button>
      </Form>
    </>
  );
}
