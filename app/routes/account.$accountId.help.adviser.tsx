/**
 * /account/:accountId/help/adviser (issue 7 item 3; ADR 008): "Getting debt advice". A
 * borrower tells us they are working with a debt adviser (the organisation's name) or, for a
 * creditor in England and Wales, that they are in a statutory breathing space (with its
 * reference if they have it). The adviser's name, phone and email are kept only if they tick
 * a separate consent that we may contact the adviser about this account; without it, the
 * details are refused on their fields, never dropped. Sending it pauses collection for 60
 * days (one database call) and the page, then an email, say until when and what happens
 * next. While it holds, the page shows it, lets them stop us contacting the adviser, or end
 * it early ("I'm no longer working with an adviser"), which starts collection again.
 * A plain form: works with JavaScript off. A replayed send finds the same declaration.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Checkbox } from "~/components/checkbox";
import { CreditorContact } from "~/components/creditor-contact";
import { ErrorSummary } from "~/components/error-summary";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { TermsLines } from "~/components/terms-lines";
import { TextField } from "~/components/text-field";
import { formatPhoneNumber } from "~/domain/phone";
import { i18nServer } from "~/i18n/i18next.server";
import { getAccountOverview } from "~/utils/accounts.server";
import { creditorContact, dayIn, formatCalendarDate } from "~/utils/borrower-format.server";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { breathingSpaceApplies, DEBT_ADVICE_KINDS, DEBT_ADVICE_PAUSE_DAYS, parseDeclaration, type DeclarationField } from "~/utils/debt-advice";
import {
  addDaysIso,
  adviserContactTerms,
  declareDebtAdvice,
  endDebtAdvice,
  getDebtAdvice,
  pausedUntilDay,
  withdrawAdviserContact,
} from "~/utils/debt-advice.server";
import { noStore } from "~/utils/no-store";
import { requireBorrowerSession } from "~/utils/session.server";

export const headers = noStore;

export const handle = { i18n: ["common", "advice"] };

/** Free debt advice per creditor region (the same services as the hardship emails name). */
const FREE_ADVICE_REGIONS = new Set(["US", "GB"]);
/** Regions whose phone numbers the error message shows an example of. */
const PHONE_EXAMPLE_REGIONS = new Set(["US", "GB"]);

async function adviserPage(request: Request, accountId: string | undefined) {
  const session = await requireBorrowerSession(request);
  const [overview, declaration] = await Promise.all([
    getAccountOverview(session.borrowerId, accountId ?? ""),
    getDebtAdvice(session.borrowerId, accountId ?? ""),
  ]);
  return { session, overview, declaration, base: `/account/${overview.accountId}/help/adviser` };
}

const NOTICES = ["sent", "ended", "contact-removed"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session, overview, declaration } = await adviserPage(request, params.accountId);
  const { language } = session;
  const region = overview.creditor.region;
  const zone = overview.creditor.timeZone;
  const date = (iso: string) => formatCalendarDate(iso, language, region);
  const [t, terms] = await Promise.all([i18nServer.getFixedT(language, "advice"), adviserContactTerms(overview.creditor.name, language)]);
  const notice = z.enum(NOTICES).safeParse(new URL(request.url).searchParams.get("done"));
  const active = declaration?.active ? declaration : null;
  const until = active ? pausedUntilDay(active, zone) : null;
  return {
    title: t("meta.title"),
    accountId: overview.accountId,
    creditorName: overview.creditor.name,
    region,
    contact: creditorContact(overview.creditor, language),
    breathingSpace: breathingSpaceApplies(overview.creditor.jurisdiction),
    freeAdvice: FREE_ADVICE_REGIONS.has(region) ? region : "other",
    terms: { lines: terms.lines, sha256: terms.sha256 },
    // If they tell us today: paused until the end of day 60 (today is day 1).
    pausedUntilIfToday: date(addDaysIso(overview.today, DEBT_ADVICE_PAUSE_DAYS - 1)),
    notice: notice.success ? notice.data : null,
    active:
      active && until
        ? {
            id: active.id,
            kind: active.kind,
            organisation: active.organisation,
            reference: active.breathingSpaceReference,
            declaredOn: date(dayIn(active.declaredAt, zone)),
            pausedUntil: date(until),
            resumesOn: date(addDaysIso(until, 1)),
            adviser: active.adviser
              ? { name: active.adviser.name, phone: active.adviser.phone ? formatPhoneNumber(active.adviser.phone) : null, email: active.adviser.email }
              : null,
          }
        : null,
    previous:
      declaration && !declaration.active && declaration.endedAt
        ? {
            kind: declaration.kind,
            byBorrower: declaration.endReason === "borrower_ended",
            // A pause that ran its course ended at midnight: the day before is its last.
            endedOn: date(dayIn(declaration.endReason === "borrower_ended" ? declaration.endedAt : new Date(declaration.endedAt.getTime() - 1), zone)),
          }
        : null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

const Text = z.string().max(100_000).optional().catch(undefined);
const AdviserForm = z.object({
  intent: z.enum(["declare", "end", "withdraw-contact"]).default("declare"),
  kind: Text,
  organisation: Text,
  reference: Text,
  adviserName: Text,
  adviserPhone: Text,
  adviserEmail: Text,
  consent: Text,
  terms: Text,
});

type Values = Record<"kind" | "organisation" | "reference" | "adviserName" | "adviserPhone" | "adviserEmail", string> & { consent: boolean };
type Errors = Partial<Record<DeclarationField | "form", string>>;

function reply(errors: Errors, values: Values | null, status = 400) {
  return data({ errors, values }, { status, headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { session, overview, declaration, base } = await adviserPage(request, params.accountId);
  const t = await i18nServer.getFixedT(session.language, "advice");
  let body: FormData;
  try {
    body = await request.formData();
  } catch {
    return reply({ form: t("errors.form.unreadable") }, null);
  }
  const raw = Object.fromEntries([...body.entries()].filter(([, value]) => typeof value === "string"));
  const form = AdviserForm.safeParse(raw);
  if (!form.success) return reply({ form: t("errors.form.unreadable") }, null);
  const f = form.data;

  if (f.intent === "end") {
    if (!declaration) return reply({ form: t("errors.form.nothing_to_end") }, null, 409);
    await endDebtAdvice(session.borrowerId, declaration.id);
    throw redirect(`${base}?done=ended`, { status: 303 });
  }
  if (f.intent === "withdraw-contact") {
    if (!declaration) return reply({ form: t("errors.form.nothing_to_end") }, null, 409);
    await withdrawAdviserContact(session.borrowerId, declaration.id);
    throw redirect(`${base}?done=contact-removed`, { status: 303 });
  }

  const values: Values = {
    kind: f.kind ?? "",
    organisation: f.organisation ?? "",
    reference: f.reference ?? "",
    adviserName: f.adviserName ?? "",
    adviserPhone: f.adviserPhone ?? "",
    adviserEmail: f.adviserEmail ?? "",
    consent: f.consent === "on",
  };
  const breathingSpace = breathingSpaceApplies(overview.creditor.jurisdiction);
  const parsed = parseDeclaration({ ...values, consent: f.consent ?? "" }, { breathingSpace, region: overview.creditor.region });
  if (!parsed.ok) {
    const errors: Errors = {};
    for (const [field, error] of Object.entries(parsed.errors) as Array<[DeclarationField, { code: string; count?: number }]>) {
      if (field === "kind" && error.code === "not_available") errors.form = t("errors.kind.not_available");
      else if (field === "adviserPhone" && error.code === "invalid") errors[field] = t(`errors.adviserPhone.invalid_${PHONE_EXAMPLE_REGIONS.has(overview.creditor.region) ? overview.creditor.region : "other"}`);
      else errors[field] = t(`errors.${field}.${error.code}`, { count: error.count ?? 0 });
    }
    return reply(errors, values);
  }

  const terms = parsed.value.adviser ? await adviserContactTerms(overview.creditor.name, session.language) : null;
  if (terms && f.terms !== terms.sha256) return reply({ form: t("errors.form.changed") }, values);
  const result = await declareDebtAdvice({
    borrowerId: session.borrowerId,
    accountId: overview.accountId,
    kind: parsed.value.kind,
    organisation: parsed.value.organisation,
    reference: parsed.value.reference,
    adviser:
      parsed.value.adviser && terms
        ? {
            ...parsed.value.adviser,
            consent: {
              version: terms.version,
              language: terms.language,
              body: terms.body,
              sha256: terms.sha256,
              ip: context.clientIp || null,
              userAgent: (request.headers.get("User-Agent") ?? "").slice(0, 512) || null,
            },
          }
        : null,
  });
  if (!result.ok) {
    if (result.reason === "account_not_open") throw redirect(`/account/${overview.accountId}`, { status: 303 });
    if (result.reason === "declaration_open") return reply({ form: t("errors.form.declaration_open") }, values, 409);
    if (result.reason === "breathing_space_not_available") return reply({ form: t("errors.kind.not_available") }, values);
    return reply({ form: t("errors.form.changed") }, values);
  }
  if (result.outcome === "declared") nudgeOutbox();
  // A replay finds the same declaration: the page shows it either way.
  throw redirect(`${base}?done=sent`, { status: 303 });
}

// ---------------------------------------------------------------------------------------

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

const EMPTY: Values = { kind: "", organisation: "", reference: "", adviserName: "", adviserPhone: "", adviserEmail: "", consent: false };

export default function GettingDebtAdvice() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("advice");
  const errors: Errors = (actionData?.errors ?? {}) as Errors;

  return (
    <Page title={t("title")} narrow>
      {errors.form ? <Alert tone="warning" title={errors.form} /> : null}
      {d.notice === "sent" && d.active ? (
        <Alert tone="success" title={t("sent.title")}>
          <p>{t("sent.email")}</p>
        </Alert>
      ) : null}
      {d.notice === "ended" && !d.active ? (
        <Alert tone="success" title={t("ended.title")}>
          <p>{t("ended.body")}</p>
        </Alert>
      ) : null}
      {d.notice === "contact-removed" ? <Alert tone="success" title={t("contactRemoved")} /> : null}

      {d.active ? <Active d={d} /> : <DeclarationForm d={d} errors={errors} values={actionData?.values ?? EMPTY} />}

      <section aria-labelledby="talk-title">
        <h2 id="talk-title">{t("talk.title")}</h2>
        <CreditorContact callLabel={t("talk.call", { creditorName: d.contact.name })} phone={d.contact.phone} hours={t("talk.hours", { hours: d.contact.hours })} />
      </section>

      <p className="after-form">
        <Link to={`/account/${d.accountId}/help`}>{t("backToHelp")}</Link>
      </p>
    </Page>
  );
}

function Active({ d }: { d: Loaded }) {
  const { t } = useTranslation("advice");
  const a = d.active!;
  return (
    <>
      <section className="panel" aria-labelledby="paused-title">
        <h2 id="paused-title">{t("active.title")}</h2>
        <p className="lead">{t(`active.told.${a.kind}`, { organisation: a.organisation, date: a.declaredOn })}</p>
        {a.reference ? <p>{t("active.reference", { reference: a.reference })}</p> : null}
        <p>{t("active.pausedUntil", { date: a.pausedUntil })}</p>
        <p>{t("active.autopay")}</p>
        {a.kind === "breathing_space" ? <p>{t("active.breathingSpaceLaw")}</p> : null}
      </section>

      <section aria-labelledby="next-title">
        <h2 id="next-title">{t("next.title")}</h2>
        <ul>
          <li>{t("next.plan", { creditorName: d.creditorName })}</li>
          <li>{t("next.moreTime", { creditorName: d.creditorName })}</li>
          <li>{t("next.after", { date: a.resumesOn })}</li>
        </ul>
      </section>

      <section aria-labelledby="adviser-contact-title">
        <h2 id="adviser-contact-title">{t("contact.title")}</h2>
        {a.adviser ? (
          <>
            <p>{t("contact.shared", { creditorName: d.creditorName })}</p>
            <dl className="facts">
              {a.adviser.name ? (
                <div>
                  <dt>{t("form.adviserName")}</dt>
                  <dd>{a.adviser.name}</dd>
                </div>
              ) : null}
              {a.adviser.phone ? (
                <div>
                  <dt>{t("form.adviserPhone")}</dt>
                  <dd>{a.adviser.phone}</dd>
                </div>
              ) : null}
              {a.adviser.email ? (
                <div>
                  <dt>{t("form.adviserEmail")}</dt>
                  <dd>{a.adviser.email}</dd>
                </div>
              ) : null}
            </dl>
            <Form method="post">
              <input type="hidden" name="intent" value="withdraw-contact" />
              <Button type="submit" variant="secondary">
                {t("contact.stop")}
              </Button>
            </Form>
          </>
        ) : (
          <p>{t("contact.none", { creditorName: d.creditorName })}</p>
        )}
      </section>

      <section aria-labelledby="end-title">
        <h2 id="end-title">{t("end.title")}</h2>
        <p>{t("end.body")}</p>
        <Form method="post">
          <input type="hidden" name="intent" value="end" />
          <Button type="submit" variant="secondary">
            {t("end.button")}
          </Button>
        </Form>
      </section>
    </>
  );
}

function DeclarationForm({ d, errors, values }: { d: Loaded; errors: Errors; values: Values }) {
  const { t } = useTranslation("advice");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const [kind, setKind] = useState<string>(values.kind || "debt_advice");
  const order: DeclarationField[] = ["kind", "organisation", "reference", "consent", "adviserName", "adviserPhone", "adviserEmail"];
  const summary = order.flatMap((field) => (errors[field] ? [{ fieldId: field, message: errors[field] }] : []));
  const fieldErrors = (field: DeclarationField) => (errors[field] ? [errors[field]] : undefined);

  return (
    <>
      <ErrorSummary errors={summary} />
      {d.previous ? <p>{d.previous.byBorrower ? t("previous.ended", { date: d.previous.endedOn }) : t("previous.expired", { date: d.previous.endedOn })}</p> : null}
      <p className="lead">{t("lead")}</p>
      <p>{t("pauseNote", { date: d.pausedUntilIfToday })}</p>
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="declare" />
        {d.breathingSpace ? (
          <RadioCards
            id="kind"
            name="kind"
            label={t("form.kind")}
            value={kind}
            onChange={setKind}
            errors={fieldErrors("kind")}
            options={DEBT_ADVICE_KINDS.map((k) => ({ value: k, title: t(`kinds.${k}.title`), description: t(`kinds.${k}.hint`) }))}
          />
        ) : null}
        <TextField
          id="organisation"
          name="organisation"
          label={t("form.organisation")}
          description={t(`form.organisationHint.${d.freeAdvice}`)}
          autoComplete="organization"
          defaultValue={values.organisation}
          errors={fieldErrors("organisation")}
        />
        {d.breathingSpace ? (
          <div className={kind !== "breathing_space" ? "js-hidden" : undefined}>
            <TextField
              id="reference"
              name="reference"
              label={t("form.reference")}
              description={t("form.referenceHint")}
              isOptional
              width="20"
              autoComplete="off"
              defaultValue={values.reference}
              errors={fieldErrors("reference")}
            />
          </div>
        ) : null}

        <section className="stack" aria-labelledby="contact-title">
          <h2 id="contact-title">{t("form.contactTitle")}</h2>
          <p>{t("form.contactIntro")}</p>
          <section className="panel" aria-labelledby="consent-title">
            <h3 id="consent-title">{t("form.consentTitle")}</h3>
            <TermsLines lines={d.terms.lines} />
            <input type="hidden" name="terms" value={d.terms.sha256} />
            <Checkbox id="consent" name="consent" defaultSelected={values.consent} errors={fieldErrors("consent")}>
              {t("form.agree")}
            </Checkbox>
          </section>
          <TextField id="adviserName" name="adviserName" label={t("form.adviserName")} isOptional autoComplete="off" defaultValue={values.adviserName} errors={fieldErrors("adviserName")} />
          <TextField
            id="adviserPhone"
            name="adviserPhone"
            label={t("form.adviserPhone")}
            isOptional
            type="tel"
            inputMode="tel"
            autoComplete="off"
            width="20"
            defaultValue={values.adviserPhone}
            errors={fieldErrors("adviserPhone")}
          />
          <TextField
            id="adviserEmail"
            name="adviserEmail"
            label={t("form.adviserEmail")}
            isOptional
            type="email"
            inputMode="email"
            autoComplete="off"
            defaultValue={values.adviserEmail}
            errors={fieldErrors("adviserEmail")}
          />
        </section>

        <Button type="submit" isDisabled={busy}>
          {t("form.send")}
        </Button>
      </Form>

      <section className="panel" aria-labelledby="free-advice-title">
        <h2 id="free-advice-title">{t("freeAdvice.title")}</h2>
        <p>{t(`freeAdvice.${d.freeAdvice}`)}</p>
      </section>
    </>
  );
}
