/**
 * /sign-in: the one question after a secure link (issue 4 items 1–2, DESIGN §5 item 1).
 *
 * The loader reads the link cookie that /l/:token set and asks the database what the link
 * is, without spending it: ready (ask the question on file: date of birth or ZIP code),
 * locked (a kind pause with the time it ends and the lender's phone), or expired, used,
 * unknown or missing (a friendly page offering a new link).
 *
 * The action parses the answer first (a typing problem never spends one of the link's five
 * attempts), then one database call decides. Only a wrong answer renders here (400, calm,
 * with the attempts left); everything else redirects (Post/Redirect/Get): to /account with a
 * new session, or back to this page, whose loader shows the pause or the problem. So a
 * double submit, a replay or a reload never shows an error: the second submit of a right
 * answer finds the link spent and lands on the account if the first one signed in.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button, ButtonLink } from "~/components/button";
import { CreditorContact } from "~/components/creditor-contact";
import { DatePartsField, type DatePart } from "~/components/date-parts-field";
import { ErrorSummary } from "~/components/error-summary";
import { Page } from "~/components/page";
import { TextField } from "~/components/text-field";
import { parseDateOfBirth, parseZipCode, type DateOfBirthProblem, type ZipCodeProblem } from "~/domain/identity-check";
import { isLanguage, type Language } from "~/i18n/config";
import { getLanguage, i18nServer, languageCookie } from "~/i18n/i18next.server";
import { openAccessLink, verifyAccessAnswer, type LinkState } from "~/utils/access-links.server";
import { creditorContact, formatSoon, type CreditorContactView } from "~/utils/borrower-format.server";
import {
  clearLinkToken,
  commitBorrowerSession,
  getBorrowerSession,
  getLinkToken,
  type BorrowerSessionState,
} from "~/utils/session.server";
import { noStore } from "~/utils/no-store";
import { needsEmailConsent } from "~/utils/preferences.server";

export const headers = noStore;

export const handle = { i18n: ["common", "access"] };

type CheckKind = "date_of_birth" | "postal_code";
type Problem = "expired" | "used" | "unknown" | "missing";

type View =
  | { kind: "question"; checkKind: CheckKind; creditorName: string }
  | { kind: "paused"; reason: "link" | "ip"; until: string | null; contact: CreditorContactView | null }
  | { kind: "problem"; problem: Problem; contact: CreditorContactView | null };

/** What a form that came back shows: field errors (typing problems) or a wrong answer. */
type FormReply = {
  checkKind: CheckKind;
  fieldError: string | null;
  invalidParts: DatePart[];
  values: { day: string; month: string; year: string; zip: string };
  wrong: { attemptsLeft: number } | null;
};

function titleKey(view: View): string {
  switch (view.kind) {
    case "question":
      return "signIn.meta.title";
    case "paused":
      return "lockout.meta.title";
    case "problem":
      return `linkProblem.${view.problem}.title`;
  }
}

/** The page's language: the signed-in borrower's record, then the cookie, then the browser. */
function languageFor(request: Request, session: BorrowerSessionState): Promise<Language> {
  return getLanguage(request, session.status === "ok" ? session.language : null);
}

/** True when the visitor chose a language with the switcher (its cookie then wins). */
async function hasChosenLanguage(request: Request): Promise<boolean> {
  return isLanguage(await languageCookie.parse(request.headers.get("Cookie")));
}

/**
 * The zone a lock's end is told in: the creditor's. `LinkCreditor` does not carry it yet (see
 * the note to the data engineer); until it does, the demo creditor's zone, and the time says
 * its zone ("10:45 AM EST") so it is never ambiguous.
 */

function contactFor(state: LinkState, language: Language): CreditorContactView | null {
  return state.status === "unknown" ? null : creditorContact(state.creditor, language);
}

function viewFor(state: LinkState, language: Language, paused: boolean): View {
  switch (state.status) {
    case "ready":
      // "?paused=ip": the action found this connection over its limit (no time is known).
      return paused
        ? { kind: "paused", reason: "ip", until: null, contact: contactFor(state, language) }
        : { kind: "question", checkKind: state.checkKind, creditorName: state.creditor.name };
    case "locked":
      return {
        kind: "paused",
        reason: "link",
        until: formatSoon(state.lockedUntil, language, state.creditor.timeZone),
        contact: contactFor(state, language),
      };
    case "expired":
    case "used":
    case "unknown":
      return { kind: "problem", problem: state.status, contact: contactFor(state, language) };
  }
}

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const [token, session] = await Promise.all([getLinkToken(request), getBorrowerSession(request)]);
  const signedIn = session.status === "ok";
  let state: LinkState | null = null;
  if (token) state = await openAccessLink(token);

  // Already signed in and this link cannot sign in (spent by this very borrower's first
  // submit, say): the account is where they meant to go.
  if (signedIn && (!state || (state.status !== "ready" && state.status !== "locked"))) {
    throw redirect("/account", { status: 303, headers: { "Set-Cookie": await clearLinkToken() } });
  }

  // A borrower who has not chosen a language reads the page in the one on their record.
  if (state && state.status !== "unknown" && !url.searchParams.has("lang") && !(await hasChosenLanguage(request))) {
    const current = await languageFor(request, session);
    if (current !== state.language) {
      const next = new URL(url);
      next.searchParams.set("lang", "1");
      throw redirect(next.pathname + next.search, {
        status: 303,
        headers: { "Set-Cookie": await languageCookie.serialize(state.language), "Cache-Control": "no-store" },
      });
    }
  }

  const language = await languageFor(request, session);
  const view: View = state
    ? viewFor(state, language, url.searchParams.get("paused") === "ip")
    : { kind: "problem", problem: url.searchParams.get("link") === "broken" ? "unknown" : "missing", contact: null };
  const t = await i18nServer.getFixedT(language, "access");
  return data({ title: t(titleKey(view)), view }, { headers: { "Cache-Control": "no-store" } });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ?? "Repay" },
  { name: "robots", content: "noindex" },
];

// ---------------------------------------------------------------------------------------
// The answer

/** Each box is text a person typed; anything longer is not an answer and is not looked at. */
const Typed = z.string().max(200).optional();
const AnswerFormSchema = z.object({
  "dob.day": Typed,
  "dob.month": Typed,
  "dob.year": Typed,
  zip: Typed,
});

const DOB_MESSAGE: Record<DateOfBirthProblem, string> = {
  required: "signIn.errors.dobRequired",
  incomplete: "signIn.errors.dobIncomplete",
  not_a_date: "signIn.errors.dobNotADate",
  in_future: "signIn.errors.dobInFuture",
  year_four_digits: "signIn.errors.dobYearFourDigits",
};
const ZIP_MESSAGE: Record<ZipCodeProblem, string> = {
  required: "signIn.errors.zipRequired",
  not_a_zip: "signIn.errors.zipNotAZip",
};

async function readForm(request: Request): Promise<Record<string, FormDataEntryValue> | null> {
  try {
    return Object.fromEntries(await request.formData());
  } catch {
    return null;
  }
}

function reply(checkKind: CheckKind, values: FormReply["values"], extra: Partial<FormReply>) {
  const body: FormReply = { checkKind, fieldError: null, invalidParts: [], values, wrong: null, ...extra };
  return data({ reply: body }, { status: 400, headers: { "Cache-Control": "no-store" } });
}

function parseAnswer(checkKind: CheckKind, form: z.output<typeof AnswerFormSchema> | null, t: TFunction) {
  if (checkKind === "date_of_birth") {
    const parsed = form ? parseDateOfBirth({ day: form["dob.day"], month: form["dob.month"], year: form["dob.year"] }) : null;
    if (parsed?.ok) return { ok: true as const, answer: parsed.iso };
    return {
      ok: false as const,
      message: t(parsed ? DOB_MESSAGE[parsed.reason] : DOB_MESSAGE.not_a_date),
      parts: parsed ? parsed.parts : (["day", "month", "year"] as DatePart[]),
    };
  }
  const parsed = form ? parseZipCode(form.zip) : null;
  if (parsed?.ok) return { ok: true as const, answer: parsed.zip };
  return { ok: false as const, message: t(parsed ? ZIP_MESSAGE[parsed.reason] : ZIP_MESSAGE.not_a_zip), parts: [] as DatePart[] };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const [token, session, raw] = await Promise.all([getLinkToken(request), getBorrowerSession(request), readForm(request)]);
  const back = () => redirect("/sign-in", { status: 303 });
  if (!token) return back();

  const state = await openAccessLink(token);
  if (state.status !== "ready") return back();

  const language = await languageFor(request, session);
  const t = await i18nServer.getFixedT(language, "access");
  const form = raw ? AnswerFormSchema.safeParse(raw) : null;
  const fields = form?.success ? form.data : null;
  const values = {
    day: fields?.["dob.day"] ?? "",
    month: fields?.["dob.month"] ?? "",
    year: fields?.["dob.year"] ?? "",
    zip: fields?.zip ?? "",
  };

  const parsed = parseAnswer(state.checkKind, fields, t);
  if (!parsed.ok) return reply(state.checkKind, values, { fieldError: parsed.message, invalidParts: parsed.parts });

  const result = await verifyAccessAnswer({ token, answer: parsed.answer, clientIp: context.clientIp });
  switch (result.status) {
    case "ok": {
      const headers = new Headers({ "Cache-Control": "no-store" });
      headers.append("Set-Cookie", await commitBorrowerSession(result.sessionId));
      headers.append("Set-Cookie", await clearLinkToken());
      // First sign-in: ask once about notices by email (issue 9 item 5), then on to the account.
      const next = (await needsEmailConsent(result.borrowerId)) ? "/email-notices?next=%2Faccount" : "/account";
      return redirect(next, { status: 303, headers });
    }
    case "wrong":
      // The answer is not shown again: it was a guess at a fact about someone.
      return reply(state.checkKind, { day: "", month: "", year: "", zip: "" }, { wrong: { attemptsLeft: result.attemptsLeft } });
    case "ip_limited":
      return redirect("/sign-in?paused=ip", { status: 303 });
    default:
      // locked, expired, used, unknown: the page's loader shows each one.
      return back();
  }
}

// ---------------------------------------------------------------------------------------
// The page

export default function SignIn() {
  const { view } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const formReply = actionData && "reply" in actionData ? actionData.reply : null;

  switch (view.kind) {
    case "question":
      return <Question checkKind={view.checkKind} creditorName={view.creditorName} reply={formReply} />;
    case "paused":
      return <Paused reason={view.reason} until={view.until} contact={view.contact} />;
    case "problem":
      return <LinkProblem problem={view.problem} contact={view.contact} />;
  }
}

function Question({ checkKind, creditorName, reply }: { checkKind: CheckKind; creditorName: string; reply: FormReply | null }) {
  const { t } = useTranslation("access");
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting" && navigation.formAction === "/sign-in";
  const fieldId = checkKind === "date_of_birth" ? "dob" : "zip";
  const errors = reply?.fieldError ? [reply.fieldError] : undefined;
  const values = reply?.values;

  return (
    <Page title={t("signIn.title")} narrow>
      <p className="lead">{t("signIn.creditor", { creditorName })}</p>
      <p>{t("signIn.why")}</p>
      {reply?.fieldError ? <ErrorSummary errors={[{ fieldId, message: reply.fieldError }]} /> : null}
      {reply?.wrong ? (
        <Alert tone="warning" live="alert" title={t("signIn.wrong.title")}>
          <p>{t("signIn.wrong.check")}</p>
          <p>{t("signIn.wrong.attemptsLeft", { count: reply.wrong.attemptsLeft })}</p>
        </Alert>
      ) : null}
      <Form method="post" action="/sign-in" noValidate>
        {checkKind === "date_of_birth" ? (
          <DatePartsField
            id="dob"
            name="dob"
            legend={t("signIn.dob.legend")}
            description={t("signIn.dob.hint")}
            isBirthday
            isRequired
            errors={errors}
            invalidParts={reply?.invalidParts}
            defaultValue={{ day: values?.day, month: values?.month, year: values?.year }}
          />
        ) : (
          <TextField
            id="zip"
            name="zip"
            label={t("signIn.zip.label")}
            description={t("signIn.zip.hint")}
            inputMode="numeric"
            autoComplete="postal-code"
            spellCheck="false"
            maxLength={12}
            width="10"
            isRequired
            errors={errors}
            defaultValue={values?.zip}
          />
        )}
        <Button type="submit" isDisabled={submitting}>
          {submitting ? t("signIn.submitting") : t("signIn.submit")}
        </Button>
      </Form>
      <p>
        <Link to="/genuine">{t("signIn.genuine")}</Link>
      </p>
    </Page>
  );
}

function Paused({ reason, until, contact }: { reason: "link" | "ip"; until: string | null; contact: CreditorContactView | null }) {
  const { t } = useTranslation("access");
  return (
    <Page title={t("lockout.title")} narrow>
      <p className="lead">{t(reason === "link" ? "lockout.linkBody" : "lockout.ipBody")}</p>
      <p>{until ? t("lockout.until", { time: until }) : t("lockout.later")}</p>
      <p>{t("lockout.nothingChanged")}</p>
      {contact ? (
        <section className="panel" aria-labelledby="paused-help">
          <h2 id="paused-help">{t("lockout.helpTitle")}</h2>
          <CreditorContact
            callLabel={t("lockout.call", { creditorName: contact.name })}
            phone={contact.phone}
            hours={t("lockout.hours", { hours: contact.hours })}
          />
        </section>
      ) : null}
      <ButtonLink to="/sign-in" variant="secondary">
        {t("lockout.tryAgain")}
      </ButtonLink>
    </Page>
  );
}

function LinkProblem({ problem, contact }: { problem: Problem; contact: CreditorContactView | null }) {
  const { t } = useTranslation("access");
  return (
    <Page title={t(`linkProblem.${problem}.title`)} narrow>
      <p className="lead">{t(`linkProblem.${problem}.body`)}</p>
      {problem === "missing" ? null : <p>{t("linkProblem.nothingChanged")}</p>}
      <p>{t("linkProblem.newLinkIntro")}</p>
      <ButtonLink to="/new-link">{t("linkProblem.newLink")}</ButtonLink>
      {contact ? (
        <CreditorContact
          callLabel={t("linkProblem.orCall", { creditorName: contact.name })}
          phone={contact.phone}
          hours={t("lockout.hours", { hours: contact.hours })}
        />
      ) : null}
      <p>
        <Link to="/genuine">{t("signIn.genuine")}</Link>
      </p>
    </Page>
  );
}
