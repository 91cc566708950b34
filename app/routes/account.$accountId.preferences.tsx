/**
 * /account/:accountId/preferences (issue 9 item 6; ADR 014): the borrower's contact
 * preferences. Language (English/Español), reminder emails on or off, text messages and
 * letters (kept for the lender's other systems, and the page says so), the best hours to
 * contact them (optional; inside the creditor's window, in their time zone), their time zone,
 * notices by email (withdraw, or agree again), and the list of what they have agreed to, each
 * with the words they saw.
 *
 * Each save that changes something is one database call: the new settings, a consent record
 * of kind contact_preferences with the words of what they chose, and an audit event. A form
 * that changes nothing writes nothing. A tampered form (a language we do not have, hours that
 * end before they start, a time zone that does not exist, fields the form does not have) gets
 * a message on the field and a 400, and nothing changes. Works without JavaScript.
 *
 * Preferred hours must overlap the creditor's window (hours outside it would be ignored while
 * the consent's words claimed them): the selects offer only hours inside it, and anything else
 * is a 400 naming the window (the database refuses it too). Agreeing to notices here shows the
 * same words as the first sign-in next to the button and carries their hash; words that changed
 * since the page was shown are a 409 and nothing is recorded. Reminder emails need both the box
 * and the notices agreement, so without the agreement the box is unticked, not offered, and says
 * where to agree.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Checkbox } from "~/components/checkbox";
import { ErrorSummary } from "~/components/error-summary";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { TermsLines } from "~/components/terms-lines";
import { isLanguage, languageNames, supportedLanguages } from "~/i18n/config";
import { i18nServer, languageCookie } from "~/i18n/i18next.server";
import { formatInstant } from "~/utils/borrower-format.server";
import { noStore } from "~/utils/no-store";
import {
  emailNoticesTerms,
  formatHour,
  getPreferences,
  hourChoices,
  parsePreferenceForm,
  preferencesTerms,
  recordEmailConsent,
  timeZoneOptions,
  updateContactPreferences,
  windowProblem,
  type PreferenceField,
  type PreferenceProblem,
  type UpdateRefusal,
} from "~/utils/preferences.server";
import { requireBorrowerSession } from "~/utils/session.server";

export const headers = noStore;

export const handle = { i18n: ["common", "preferences"] };

const DONE = ["saved", "unchanged", "granted", "withdrawn"] as const;

async function preferencesPage(request: Request, accountId: string | undefined) {
  const session = await requireBorrowerSession(request);
  const preferences = await getPreferences(session.borrowerId, accountId ?? "");
  return { session, preferences, accountId: accountId ?? "", base: `/account/${accountId ?? ""}/preferences` };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session, preferences: p, accountId } = await preferencesPage(request, params.accountId);
  const { language } = session;
  const region = p.creditor.region;
  const t = await i18nServer.getFixedT(language, "preferences");
  const midnight = t("hours.midnight");
  const done = z.enum(DONE).safeParse(new URL(request.url).searchParams.get("done"));
  const window = { earliest: p.creditor.contactEarliest, latest: p.creditor.contactLatest };
  const hour = (value: string) => ({ value, label: formatHour(value, language, region, midnight) });
  const granted = p.eCommunications === "granted";
  // The words "Yes, email me notices" agrees to, shown next to the button (and hashed in the form).
  const noticesTerms = p.email !== null && !granted ? await emailNoticesTerms(p.creditor.name, p.email, language) : null;
  return {
    title: t("centre.meta.title"),
    accountId,
    creditorName: p.creditor.name,
    window: { from: formatHour(p.creditor.contactEarliest, language, region, midnight), to: formatHour(p.creditor.contactLatest, language, region, midnight) },
    values: {
      language: p.language,
      timeZone: p.timeZone,
      // Reminders go only with both: the box says yes only when they will.
      email: p.emailAllowed && granted,
      sms: p.smsAllowed,
      post: p.postAllowed,
      hoursFrom: p.preferredStart ?? "",
      hoursTo: p.preferredEnd ?? "",
    },
    hourChoices: {
      hoursFrom: hourChoices("hoursFrom", window, p.preferredStart).map(hour),
      hoursTo: hourChoices("hoursTo", window, p.preferredEnd).map(hour),
    },
    timeZones: timeZoneOptions(p.timeZone, p.creditor.timeZone, region, language),
    eCommunications: p.eCommunications,
    hasEmail: p.email !== null,
    notices: noticesTerms ? { lines: noticesTerms.lines, sha256: noticesTerms.sha256 } : null,
    consents: p.consents.map((c) => ({
      id: c.id,
      kind: c.kind,
      action: c.action,
      when: formatInstant(c.createdAt, language, p.timeZone, region),
      lines: c.body.split("\n"),
      sha256: c.sha256,
    })),
    done: done.success ? done.data : null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

type Errors = Partial<Record<PreferenceField, string>>;
type Values = {
  language: string;
  timeZone: string;
  email: boolean;
  sms: boolean;
  post: boolean;
  hoursFrom: string;
  hoursTo: string;
};

const REFUSAL_FIELD: Record<UpdateRefusal, PreferenceProblem> = {
  invalid_language: { field: "language", code: "invalid" },
  unknown_time_zone: { field: "timeZone", code: "invalid" },
  invalid_hours: { field: "hoursTo", code: "invalid" },
  invalid_preferences: { field: "form", code: "unexpected" },
  invalid_consent: { field: "form", code: "unexpected" },
  consent_hash_mismatch: { field: "form", code: "unexpected" },
};

const Intent = z.object({ intent: z.enum(["save", "withdraw-notices", "grant-notices"]) });
const WithdrawNotices = z.strictObject({ intent: z.literal("withdraw-notices") });
const GrantNotices = z.strictObject({ intent: z.literal("grant-notices"), terms: z.string().regex(/^[0-9a-f]{64}$/) });

/** What the form sent, as the page shows it again (never trusted: only strings, cut short). */
function echo(raw: Record<string, unknown>): Values {
  const text = (value: unknown) => (typeof value === "string" ? value.slice(0, 100) : "");
  return {
    language: text(raw.language),
    timeZone: text(raw.timeZone),
    email: raw.email === "on",
    sms: raw.sms === "on",
    post: raw.post === "on",
    hoursFrom: text(raw.hoursFrom),
    hoursTo: text(raw.hoursTo),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { session, preferences, base } = await preferencesPage(request, params.accountId);
  const t = await i18nServer.getFixedT(session.language, "preferences");
  const raw: Record<string, unknown> = Object.fromEntries(await request.formData().catch(() => new FormData()));
  const where = { ip: context.clientIp || null, userAgent: request.headers.get("User-Agent") };
  const reply = (errors: Errors, values: Values | null) => data({ errors, values }, { status: 400, headers: { "Cache-Control": "no-store" } });
  const midnight = t("hours.midnight");
  const region = preferences.creditor.region;
  const window = {
    from: formatHour(preferences.creditor.contactEarliest, session.language, region, midnight),
    to: formatHour(preferences.creditor.contactLatest, session.language, region, midnight),
    creditorName: preferences.creditor.name,
  };
  const message = (problem: PreferenceProblem) => {
    switch (problem.field) {
      case "hoursFrom":
      case "hoursTo":
        return t(`errors.${problem.field}.${problem.code}`, window);
      default:
        return t(`errors.${problem.field}`);
    }
  };

  const intent = Intent.safeParse(raw);
  if (!intent.success) return reply({ form: t("errors.form") }, echo(raw));

  if (intent.data.intent !== "save") {
    const grant = intent.data.intent === "grant-notices";
    const form = grant ? GrantNotices.safeParse(raw) : WithdrawNotices.safeParse(raw);
    if (!form.success) return reply({ form: t("errors.form") }, null);
    const action = grant ? "granted" : "withdrawn";
    const terms = await emailNoticesTerms(preferences.creditor.name, preferences.email, session.language);
    // An agreement is to the words shown: changed since the page was shown (the address, the
    // language), nothing is recorded and the page shows them again.
    if (grant && "terms" in form.data && form.data.terms !== terms.sha256) {
      return data({ errors: {}, values: null, notices: t("errors.noticesChanged") }, { status: 409, headers: { "Cache-Control": "no-store" } });
    }
    await recordEmailConsent({ borrowerId: session.borrowerId, action, origin: "preference_centre", terms, where });
    throw redirect(`${base}?done=${action}#notices-title`, { status: 303 });
  }

  const parsed = parsePreferenceForm(raw);
  if (!parsed.ok) {
    const errors: Errors = {};
    for (const problem of parsed.problems) errors[problem.field] ??= message(problem);
    return reply(errors, echo(raw));
  }
  const outside = windowProblem(parsed.choice, { earliest: preferences.creditor.contactEarliest, latest: preferences.creditor.contactLatest });
  if (outside) return reply({ [outside.field]: message(outside) }, echo(raw));
  // Without the notices agreement the reminder box is not offered (reminders cannot go): the
  // saved choice stands, whatever the form carried.
  const choice = preferences.eCommunications === "granted" ? parsed.choice : { ...parsed.choice, emailAllowed: preferences.emailAllowed };
  const terms = await preferencesTerms(choice, preferences.creditor, session.language);
  const result = await updateContactPreferences({ borrowerId: session.borrowerId, accountId: params.accountId ?? "", choice, terms, where });
  if (!result.ok) {
    const problem = REFUSAL_FIELD[result.reason];
    return reply({ [problem.field]: message(problem) }, echo(raw));
  }
  const headers = new Headers({ "Cache-Control": "no-store" });
  // The page (and the emails) speak the language they chose from now on.
  if (parsed.choice.language !== session.language) headers.append("Set-Cookie", await languageCookie.serialize(parsed.choice.language));
  throw redirect(`${base}?done=${result.outcome === "changed" ? "saved" : "unchanged"}`, { status: 303, headers });
}

// ---------------------------------------------------------------------------------------

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

export default function ContactPreferences() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("preferences");
  const errors: Errors = (actionData?.errors ?? {}) as Errors;
  const values: Values = actionData?.values ?? d.values;

  return (
    <Page title={t("centre.title")} narrow>
      {d.done === "saved" ? <Alert tone="success" title={t("centre.saved")} /> : null}
      {d.done === "unchanged" ? <Alert tone="info" title={t("centre.unchanged")} /> : null}
      <p className="lead">{t("centre.lead", { creditorName: d.creditorName })}</p>
      <PreferencesForm d={d} errors={errors} values={values} />
      <Notices d={d} error={actionData && "notices" in actionData ? actionData.notices : undefined} />
      <Consents d={d} />
      <p className="after-form">
        <Link to={`/account/${d.accountId}`}>{t("centre.back")}</Link>
      </p>
    </Page>
  );
}

function HourSelect({ id, label, value, error, d }: { id: "hoursFrom" | "hoursTo"; label: string; value: string; error?: string; d: Loaded }) {
  const { t } = useTranslation("preferences");
  const choices = d.hourChoices[id];
  return (
    <div className="field" data-invalid={error ? true : undefined}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      {error ? (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
      <select id={id} name={id} className="select" defaultValue={value} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        <option value="">{t("centre.hours.none")}</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function PreferencesForm({ d, errors, values }: { d: Loaded; errors: Errors; values: Values }) {
  const { t } = useTranslation("preferences");
  const order: PreferenceField[] = ["form", "language", "channels", "hoursFrom", "hoursTo", "timeZone"];
  const summary = order.flatMap((field) => (errors[field] && field !== "form" ? [{ fieldId: field === "channels" ? "email" : field, message: errors[field] }] : []));
  const fieldErrors = (field: PreferenceField) => (errors[field] ? [errors[field]] : undefined);
  // A key per submission result, so the fields show what came back (not what the browser kept).
  const key = JSON.stringify(values);
  const remindersPossible = d.eCommunications === "granted";

  return (
    <>
      {errors.form ? <Alert tone="warning" live="alert" title={errors.form} /> : null}
      <ErrorSummary errors={summary} />
      {/* A whole-page submit, like the language switcher's: a new language must reach every namespace on the page. */}
      <Form method="post" className="stack" key={key} noValidate reloadDocument>
        <input type="hidden" name="intent" value="save" />
        <RadioCards
          id="language"
          name="language"
          label={t("centre.language.label")}
          description={t("centre.language.hint")}
          defaultValue={isLanguage(values.language) ? values.language : undefined}
          errors={fieldErrors("language")}
          options={supportedLanguages.map((lng) => ({ value: lng, title: <span lang={lng}>{languageNames[lng]}</span> }))}
        />

        <fieldset className="field" aria-describedby="channels-note" data-invalid={errors.channels ? true : undefined}>
          <legend className="field__label">{t("centre.channels.legend")}</legend>
          {errors.channels ? (
            <span className="field-error" id="channels-error" role="alert">
              {errors.channels}
            </span>
          ) : null}
          <Checkbox id="email" name="email" defaultSelected={values.email} isDisabled={!remindersPossible} description={<EmailHint d={d} />}>
            {t("centre.channels.email")}
          </Checkbox>
          <Checkbox id="sms" name="sms" defaultSelected={values.sms}>
            {t("centre.channels.sms")}
          </Checkbox>
          <Checkbox id="post" name="post" defaultSelected={values.post}>
            {t("centre.channels.post")}
          </Checkbox>
          <p id="channels-note">{t("centre.channels.otherSystems", { creditorName: d.creditorName })}</p>
        </fieldset>

        <fieldset className="field" aria-describedby="hours-hint">
          <legend className="field__label">{t("centre.hours.legend")}</legend>
          <p id="hours-hint">{t("centre.hours.hint", { from: d.window.from, to: d.window.to })}</p>
          <HourSelect id="hoursFrom" label={t("centre.hours.from")} value={values.hoursFrom} error={errors.hoursFrom} d={d} />
          <HourSelect id="hoursTo" label={t("centre.hours.to")} value={values.hoursTo} error={errors.hoursTo} d={d} />
        </fieldset>

        <div className="field" data-invalid={errors.timeZone ? true : undefined}>
          <label htmlFor="timeZone" className="field__label">
            {t("centre.timeZone.label")}
          </label>
          {errors.timeZone ? (
            <span className="field-error" id="timeZone-error">
              {errors.timeZone}
            </span>
          ) : null}
          <select
            id="timeZone"
            name="timeZone"
            className="select"
            defaultValue={d.timeZones.some((z) => z.value === values.timeZone) ? values.timeZone : d.values.timeZone}
            aria-invalid={errors.timeZone ? true : undefined}
            aria-describedby={errors.timeZone ? "timeZone-error" : undefined}
          >
            {d.timeZones.map((zone) => (
              <option key={zone.value} value={zone.value}>
                {zone.label}
              </option>
            ))}
          </select>
        </div>

        <Button type="submit">
          {t("centre.save")}
        </Button>
      </Form>
    </>
  );
}

/**
 * What the reminder box means. Reminders need the notices agreement too: without it the box
 * is unticked and not offered, and the page says why and where to agree (never a consent
 * recorded from a checkbox).
 */
function EmailHint({ d }: { d: Loaded }) {
  const { t } = useTranslation("preferences");
  if (d.eCommunications === "granted") return <>{t("centre.channels.emailHint")}</>;
  if (!d.hasEmail) return <>{t("centre.channels.noEmail")}</>;
  return (
    <>
      {t("centre.channels.needsNotices")} <a href="#notices-title">{t("centre.channels.noticesLink")}</a>
    </>
  );
}

function Notices({ d, error }: { d: Loaded; error?: string }) {
  const { t } = useTranslation("preferences");
  if (!d.hasEmail) return null;
  const granted = d.eCommunications === "granted";
  return (
    <section className="panel" aria-labelledby="notices-title">
      <h2 id="notices-title">{t("centre.notices.title")}</h2>
      {error ? <Alert tone="warning" live="alert" title={error} /> : null}
      {d.done === "granted" ? <Alert tone="success" title={t("centre.notices.doneGranted")} /> : null}
      {d.done === "withdrawn" ? <Alert tone="success" title={t("centre.notices.doneWithdrawn")} /> : null}
      <p>{t(granted ? "centre.notices.granted" : d.eCommunications === "withdrawn" ? "centre.notices.withdrawn" : "centre.notices.none")}</p>
      {granted ? (
        <>
          <p>{t("centre.notices.withdrawHint")}</p>
          <Form method="post">
            <input type="hidden" name="intent" value="withdraw-notices" />
            <Button type="submit" variant="secondary">
              {t("centre.notices.withdraw")}
            </Button>
          </Form>
        </>
      ) : d.notices ? (
        <>
          {/* The exact words "Yes" agrees to: what the consent record stores. */}
          <TermsLines lines={d.notices.lines} />
          <Form method="post">
            <input type="hidden" name="intent" value="grant-notices" />
            <input type="hidden" name="terms" value={d.notices.sha256} />
            <Button type="submit" variant="secondary">
              {t("centre.notices.grant")}
            </Button>
          </Form>
        </>
      ) : null}
    </section>
  );
}

function Consents({ d }: { d: Loaded }) {
  const { t } = useTranslation("preferences");
  return (
    <section aria-labelledby="consents-title">
      <h2 id="consents-title">{t("centre.consents.title")}</h2>
      {d.consents.length === 0 ? (
        <p>{t("centre.consents.none")}</p>
      ) : (
        <ul className="option-list">
          {d.consents.map((c) => (
            <li key={c.id} className="panel">
              <h3>{t(`centre.consents.kinds.${c.kind}`)}</h3>
              <p>{t(`centre.consents.${c.action}`, { date: c.when })}</p>
              <details className="terms">
                <summary>{t("centre.consents.text")}</summary>
                <div className="terms__lines">
                  {c.lines.map((line, index) => (
                    <p key={index}>{line}</p>
                  ))}
                </div>
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
