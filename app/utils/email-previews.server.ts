/**
 * Sample data for every email in `emails/`, for /dev/emails (local mode): each preview builds
 * its template's `{ subject, react }` with the same builder the send site calls, from made-up
 * values for the demo creditor Northwind Lending, in English for Alex (DEMO-1001) and in
 * Spanish for María (DEMO-1002).
 *
 * Every sample is an object literal passed to the template's builder, so a change to a
 * template's props breaks the typecheck here rather than the page. The words the send sites
 * choose themselves (terms lines, decision words, reference lines, method names) come from
 * the same helpers the send sites use, so the subject and body are what a borrower would get.
 *
 * A template file with no preview here fails tests/integration/email-previews.test.ts.
 */
import { render } from "@react-email/render";
import { createElement, type ReactElement } from "react";
import { StopRemindersLinkContext } from "~emails/layout";
import { arrangementConfirmationEmail } from "~emails/arrangement-confirmation";
import { automaticPaymentFailedEmail } from "~emails/automatic-payment-failed";
import { autopayAuthorizationEmail } from "~emails/autopay-authorization";
import { complaintAnsweredEmail, complaintReceivedEmail } from "~emails/complaint";
import { confirmAutomaticPaymentEmail } from "~emails/confirm-automatic-payment";
import { debtAdviceReceivedEmail } from "~emails/debt-advice-received";
import { disputeReceivedEmail, IDENTITY_THEFT_REPORT_URL, type DisputeKind } from "~emails/dispute-received";
import { disputeResolvedEmail } from "~emails/dispute-resolved";
import { hardshipDecidedEmail } from "~emails/hardship-decided";
import { hardshipReceivedEmail } from "~emails/hardship-received";
import type { EmailT } from "~emails/layout";
import { newLinkEmail } from "~emails/new-link";
import { paymentReceiptEmail } from "~emails/payment-receipt";
import { planApprovedEmail } from "~emails/plan-approved";
import { planCounterOfferEmail } from "~emails/plan-counter-offer";
import { planDeclinedEmail } from "~emails/plan-declined";
import { planPaidOffEmail } from "~emails/plan-paid-off";
import { reminderMissedEmail } from "~emails/reminder-missed";
import type { ReminderEmailCommonProps } from "~emails/reminder-parts";
import { reminderUpcomingEmail } from "~emails/reminder-upcoming";
import { debtAdviceFor } from "~emails/request-parts";
import { staffSignInEmail } from "~emails/staff-sign-in";
import { evaluateChoice, type ChoiceValues, type EvaluatedChoice } from "~/domain/arrangement-choice";
import { formatMoney } from "~/domain/money";
import { formatPhoneNumber } from "~/domain/phone";
import { parsePlanPolicy } from "~/domain/plan-policy";
import { intlLocale, isLanguage, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { getEmailT } from "~/services/email/t.server";
import { arrangementTerms, type TermsAccount } from "~/utils/arrangement-terms.server";
import { formatCalendarDate, formatInstant } from "~/utils/borrower-format.server";
import { getEnv } from "~/utils/env.server";
import { autopayTerms, methodText } from "~/utils/payment-authorizations.server";
import { borrowerReasonText } from "~/utils/plan-decision-email.server";
import { decisionCopy } from "~/utils/request-email.server";
import { disputeResolutionWords, hardshipDecisionWords } from "~/utils/request-decisions.server";

/** What a preview gives: the subject and the element, exactly as the template's builder returns them. */
export type PreviewEmail = { subject: string; react: ReactElement };

/** Everything a sample needs, in one language. */
export type PreviewSample = {
  language: Language;
  t: EmailT;
  appUrl: string;
  /** The borrower's first name (staff sign-in uses a staff member's). */
  name: string;
  creditorName: string;
  creditorContact: string;
  /** "Reference ending in 1001" / "Referencia que termina en 1002". */
  referenceText: string;
  referenceLast4: string;
  balanceMinor: number;
  money: (minor: number) => string;
  /** An ISO calendar date, written out as the emails write it. */
  date: (iso: string) => string;
  /** A page of the borrower's account, e.g. "my-plan". */
  url: (page: string) => string;
  /** The sample plan (12 monthly payments from December 4, 2026) the borrower agreed to. */
  plan: EvaluatedChoice;
  termsAccount: TermsAccount;
};

export type EmailPreview = {
  /** The address segment, e.g. "reminder-upcoming-automatic". */
  id: string;
  /** The template file in emails/, e.g. "reminder-upcoming.tsx". */
  file: string;
  /**
   * Where the one-tap "stop reminders" link is, as the outbox sends it: in the footer (the
   * default, every email to a borrower), "body" (the email shows it itself: the reminders,
   * whose outbox templates set showsStopLink), or "none" (an email to staff).
   */
  stopLink?: "body" | "none";
  build: (sample: PreviewSample) => Promise<PreviewEmail> | PreviewEmail;
};

// ---------------------------------------------------------------------------------------
// The made-up borrower, account and creditor

const CREDITOR = {
  name: "Northwind Lending",
  region: "US",
  currency: "USD",
  timeZone: "America/New_York",
  supportPhone: "+18005550199",
  supportEmail: "help@northwind.example.com",
} as const;

/** The demo plan policy (supabase/seed.sql). */
const POLICY = parsePlanPolicy({
  minimumPaymentMinor: 2500,
  longestPlanMonths: 24,
  autoApproveLongestPlanMonths: 18,
  latestFirstPaymentDays: 30,
  frequencies: ["weekly", "every_two_weeks", "monthly"],
  settlementMaxDiscountBps: 3000,
  autoApproveSettlementDiscountBps: 1500,
  freezeInterestAndFeesWhileArranged: true,
  paymentAllocationOrder: ["fees", "interest", "principal"],
  movePaymentMaxDays: 14,
});

/** A fixed "today" (the creditor's zone), so every preview reads the same whenever it is opened. */
const TODAY = "2026-11-27";

const PEOPLE: Record<Language, { name: string; accountId: string; last4: string; balanceMinor: number }> = {
  en: { name: "Alex", accountId: "a0000000-0000-4000-8000-000000001001", last4: "1001", balanceMinor: 124_050 },
  es: { name: "María", accountId: "a0000000-0000-4000-8000-000000001002", last4: "1002", balanceMinor: 266_338 },
};

function choice(values: Partial<ChoiceValues>, balanceMinor: number): EvaluatedChoice {
  const result = evaluateChoice(
    { kind: "plan", by: "count", amount: "", count: "12", frequency: "monthly", start: "2026-12-04", payments: "1", ...values },
    { balanceMinor, policy: POLICY, today: TODAY },
  );
  if (!result.ok) throw new Error(`the preview's sample plan is not valid: ${JSON.stringify(result.errors)}`);
  return result;
}

export async function previewSample(language: Language): Promise<PreviewSample> {
  const person = PEOPLE[language];
  const appUrl = getEnv().APP_URL;
  const [t, accountT] = await Promise.all([getEmailT(language), i18nServer.getFixedT(language, "account")]);
  const locale = intlLocale(language, CREDITOR.region);
  return {
    language,
    t,
    appUrl,
    name: person.name,
    creditorName: CREDITOR.name,
    creditorContact: `${formatPhoneNumber(CREDITOR.supportPhone)}, ${CREDITOR.supportEmail}`,
    referenceText: accountT("referenceEnding", { last4: person.last4 }),
    referenceLast4: person.last4,
    balanceMinor: person.balanceMinor,
    money: (minor) => formatMoney(minor, CREDITOR.currency, locale),
    date: (iso) => formatCalendarDate(iso, language, CREDITOR.region),
    url: (page) => new URL(`/account/${person.accountId}/${page}`, appUrl).toString(),
    plan: choice({}, person.balanceMinor),
    termsAccount: {
      creditorName: CREDITOR.name,
      referenceLast4: person.last4,
      currency: CREDITOR.currency,
      region: CREDITOR.region,
      balanceMinor: person.balanceMinor,
    },
  };
}

/** The fields every account email shares (AutopayEmailCommonProps and its relatives). */
function common(s: PreviewSample) {
  return { t: s.t, lang: s.language, appUrl: s.appUrl, creditorName: s.creditorName, creditorContact: s.creditorContact, referenceText: s.referenceText };
}

/** The complaint emails' shared props: no account reference (a complaint may be about none), the complaint's own, and its page. */
function complaintCommon(s: PreviewSample) {
  return { t: s.t, lang: s.language, appUrl: s.appUrl, creditorName: s.creditorName, creditorContact: s.creditorContact, reference: "C-000123", pageUrl: new URL("/complaint", s.appUrl).toString() };
}

function rows(s: PreviewSample, plan: EvaluatedChoice) {
  return plan.installments.map((installment) => ({ dateText: s.date(installment.dueOn), amountText: s.money(installment.amountMinor) }));
}

async function visaEnding4242(language: Language): Promise<string> {
  return methodText({ type: "card", label: "visa", last4: "4242" }, language);
}

/** The reminders' shared props, as app/utils/reminders.server.ts prepares them (payment 2 of 12). */
async function reminderCommon(s: PreviewSample): Promise<ReminderEmailCommonProps> {
  const r = await i18nServer.getFixedT(s.language, "reminders");
  return {
    ...common(s),
    r,
    planUrl: s.url("my-plan"),
    helpUrl: s.url("help"),
    place: { seq: 2, total: s.plan.installments.length },
    unsubscribeUrl: new URL("/unsubscribe/preview-token", s.appUrl).toString(),
  };
}

/** The plan decision emails' shared props, as app/utils/plan-decision-email.server.ts builds them. */
async function planDecisionCommon(s: PreviewSample, decision: "approved" | "declined" | "countered", reasonCode: string, note: string | null) {
  const w = await i18nServer.getFixedT(s.language, "offer");
  return {
    ...common(s),
    w: w as unknown as EmailT,
    note,
    reasonText: borrowerReasonText(w, decision, reasonCode, note, s.creditorName),
  };
}

/** Notes a staff member might write, in the borrower's language. */
const NOTES: Record<Language, { plan: string; counter: string; hardship: string; dispute: string; complaint: string }> = {
  en: {
    plan: "Thank you for telling us about your new job. We are glad this plan works for you.",
    counter: "Thank you for telling us about your new job. A first payment on December 18 comes after your first paycheck.",
    hardship: "I'm sorry to hear about your hours being cut. We will look at your plan again when the break ends.",
    dispute: "We found the late fee from October was added twice. We have taken one off.",
    complaint:
      "You were right that our letter arrived after the payment date we gave you. We are sorry. We have removed the $25.00 late fee and changed how we date these letters.",
  },
  es: {
    plan: "Gracias por contarnos lo de su nuevo trabajo. Nos alegra que este plan le sirva.",
    counter: "Gracias por contarnos lo de su nuevo trabajo. Un primer pago el 18 de diciembre llega después de su primer sueldo.",
    hardship: "Lamentamos que le hayan reducido las horas. Volveremos a revisar su plan cuando termine la pausa.",
    dispute: "Vimos que el cargo por pago atrasado de octubre se sumó dos veces. Hemos quitado uno.",
    complaint:
      "Tiene razón: nuestra carta llegó después de la fecha de pago que le dimos. Lo sentimos. Hemos quitado el cargo por pago atrasado de $25.00 y cambiado la forma de fechar estas cartas.",
  },
};

// ---------------------------------------------------------------------------------------
// The previews: one or more per template file, in the order a borrower meets them

export const EMAIL_PREVIEWS: readonly EmailPreview[] = [
  {
    id: "new-link",
    file: "new-link.tsx",
    build: (s) =>
      newLinkEmail({
        ...common(s),
        linkUrl: new URL(`/l/preview-token?from=email&lang=${s.language}`, s.appUrl).toString(),
        expiresInMinutes: 30,
      }),
  },
  {
    id: "arrangement-confirmation",
    file: "arrangement-confirmation.tsx",
    build: async (s) => {
      const terms = await arrangementTerms(s.plan, s.termsAccount, POLICY, s.language);
      return arrangementConfirmationEmail({
        ...common(s),
        kind: "plan",
        status: "active",
        reviewDueOn: null,
        totalText: s.money(s.plan.totalMinor),
        installments: rows(s, s.plan),
        termsLines: terms.lines,
        manageUrl: s.url("my-plan"),
      });
    },
  },
  {
    id: "arrangement-confirmation-review",
    file: "arrangement-confirmation.tsx",
    build: async (s) => {
      // 20 monthly payments: longer than the demo policy approves on its own, so staff decide.
      const plan = choice({ count: "20" }, s.balanceMinor);
      const terms = await arrangementTerms(plan, s.termsAccount, POLICY, s.language);
      return arrangementConfirmationEmail({
        ...common(s),
        kind: "plan",
        status: "pending_review",
        reviewDueOn: plan.reviewDueOn ? s.date(plan.reviewDueOn) : null,
        totalText: s.money(plan.totalMinor),
        installments: rows(s, plan),
        termsLines: terms.lines,
        manageUrl: s.url("my-plan"),
      });
    },
  },
  {
    id: "plan-approved",
    file: "plan-approved.tsx",
    build: async (s) =>
      planApprovedEmail({
        ...(await planDecisionCommon(s, "approved", "affordable", NOTES[s.language].plan)),
        kind: "plan",
        installments: rows(s, s.plan),
        totalText: s.money(s.plan.totalMinor),
        planUrl: s.url("my-plan"),
      }),
  },
  {
    id: "plan-declined",
    file: "plan-declined.tsx",
    build: async (s) =>
      planDeclinedEmail({
        ...(await planDecisionCommon(s, "declined", "plan_too_long", null)),
        kind: "plan",
        chooseUrl: s.url("plan"),
        helpUrl: s.url("help"),
        advice: debtAdviceFor(CREDITOR.region),
      }),
  },
  {
    id: "plan-counter-offer",
    file: "plan-counter-offer.tsx",
    build: async (s) => {
      const offer = choice({ count: "15", start: "2026-12-18" }, s.balanceMinor);
      return planCounterOfferEmail({
        ...(await planDecisionCommon(s, "countered", "different_start", NOTES[s.language].counter)),
        installments: rows(s, offer),
        totalText: s.money(offer.totalMinor),
        openUntilText: formatInstant(new Date("2026-12-12T22:00:00Z"), s.language, CREDITOR.timeZone, CREDITOR.region),
        offerUrl: s.url("my-plan/offer"),
      });
    },
  },
  {
    id: "autopay-authorization",
    file: "autopay-authorization.tsx",
    build: async (s) => {
      const installments = s.plan.installments.map((i) => ({ dueOn: i.dueOn, amountMinor: i.amountMinor, paidMinor: 0 }));
      const terms = await autopayTerms(
        {
          creditorName: s.creditorName,
          referenceLast4: s.referenceLast4,
          currency: CREDITOR.currency,
          region: CREDITOR.region,
          supportPhone: CREDITOR.supportPhone,
          installments,
        },
        s.language,
      );
      return autopayAuthorizationEmail({
        ...common(s),
        methodText: await visaEnding4242(s.language),
        installments: rows(s, s.plan),
        totalText: s.money(s.plan.totalMinor),
        termsLines: terms.lines,
        manageUrl: s.url("payment-methods"),
      });
    },
  },
  {
    id: "reminder-upcoming",
    stopLink: "body",
    file: "reminder-upcoming.tsx",
    build: async (s) =>
      reminderUpcomingEmail({
        ...(await reminderCommon(s)),
        amountText: s.money(s.plan.regularMinor),
        dueText: s.date("2027-01-04"),
        automaticMethodText: null,
        changed: null,
        moveUrl: `${s.url("my-plan/move")}?installment=00000000-0000-4000-8000-000000000002`,
      }),
  },
  {
    id: "reminder-upcoming-automatic-changed",
    stopLink: "body",
    file: "reminder-upcoming.tsx",
    build: async (s) =>
      reminderUpcomingEmail({
        ...(await reminderCommon(s)),
        amountText: s.money(s.plan.regularMinor - 4_000),
        dueText: s.date("2027-01-04"),
        automaticMethodText: await visaEnding4242(s.language),
        changed: { agreedText: s.money(s.plan.regularMinor), paidText: s.money(4_000) },
        moveUrl: `${s.url("my-plan/move")}?installment=00000000-0000-4000-8000-000000000002`,
      }),
  },
  {
    id: "confirm-automatic-payment",
    file: "confirm-automatic-payment.tsx",
    build: (s) =>
      confirmAutomaticPaymentEmail({ ...common(s), amountText: s.money(s.plan.regularMinor), dueText: s.date("2027-01-04"), planUrl: s.url("my-plan") }),
  },
  {
    id: "payment-receipt",
    file: "payment-receipt.tsx",
    build: (s) =>
      paymentReceiptEmail({
        ...common(s),
        amountText: s.money(s.plan.regularMinor),
        dateText: formatInstant(new Date("2026-12-04T14:02:00Z"), s.language, CREDITOR.timeZone, CREDITOR.region),
        balanceText: s.money(s.balanceMinor - s.plan.regularMinor),
        paidOff: false,
        reference: "3F9A1C7E",
        accountUrl: s.url("").replace(/\/$/, ""),
      }),
  },
  {
    id: "automatic-payment-failed",
    file: "automatic-payment-failed.tsx",
    build: (s) =>
      automaticPaymentFailedEmail({
        ...common(s),
        amountText: s.money(s.plan.regularMinor),
        dueText: s.date("2027-01-04"),
        nextAttemptText: s.date("2027-01-07"),
        tries: 1,
        planUrl: s.url("my-plan"),
        paymentMethodsUrl: s.url("payment-methods"),
        helpUrl: s.url("help"),
      }),
  },
  {
    id: "automatic-payment-failed-stopped",
    file: "automatic-payment-failed.tsx",
    build: (s) =>
      automaticPaymentFailedEmail({
        ...common(s),
        amountText: s.money(s.plan.regularMinor),
        dueText: s.date("2027-01-04"),
        nextAttemptText: null,
        tries: 3,
        planUrl: s.url("my-plan"),
        paymentMethodsUrl: s.url("payment-methods"),
        helpUrl: s.url("help"),
      }),
  },
  {
    id: "reminder-missed",
    stopLink: "body",
    file: "reminder-missed.tsx",
    build: async (s) => reminderMissedEmail({ ...(await reminderCommon(s)), amountText: s.money(s.plan.regularMinor), dueText: s.date("2027-01-04") }),
  },
  {
    id: "plan-paid-off",
    file: "plan-paid-off.tsx",
    build: (s) =>
      planPaidOffEmail({
        ...common(s),
        totalText: s.money(s.plan.totalMinor),
        balanceText: s.money(0),
        owed: false,
        lastPaymentText: s.date(s.plan.lastDueOn),
        accountUrl: s.url(""),
      }),
  },
  {
    id: "hardship-received",
    file: "hardship-received.tsx",
    build: (s) =>
      hardshipReceivedEmail({
        ...common(s),
        asked: { help: "lower_payments", monthlyText: s.money(5_000) },
        decisionDueText: s.date("2026-12-11"),
        helpUrl: s.url("help"),
        advice: debtAdviceFor(CREDITOR.region),
      }),
  },
  {
    id: "hardship-decided",
    file: "hardship-decided.tsx",
    build: async (s) => {
      const h = await i18nServer.getFixedT(s.language, "hardship");
      const words = hardshipDecisionWords(
        h,
        { outcome: "payment_break", reason: "income_fell", note: NOTES[s.language].hardship, breakDays: 60, monthlyMinor: null, settlementMinor: null, balanceMinor: null },
        { money: s.money, pausedUntil: s.date("2027-01-26") },
      );
      return hardshipDecidedEmail({
        ...common(s),
        copy: decisionCopy(h, s.creditorName, words),
        helpUrl: s.url("help"),
        advice: debtAdviceFor(CREDITOR.region),
      });
    },
  },
  {
    id: "debt-advice-received",
    file: "debt-advice-received.tsx",
    build: async (s) =>
      debtAdviceReceivedEmail({
        ...common(s),
        at: await i18nServer.getFixedT(s.language, "advice"),
        kind: "debt_advice",
        pausedUntilText: s.date("2027-01-26"),
        contactShared: true,
        adviserUrl: s.url("help/adviser"),
      }),
  },
  {
    id: "dispute-received",
    file: "dispute-received.tsx",
    build: (s) => {
      const kind: DisputeKind = "wrong_amount";
      return disputeReceivedEmail({
        ...common(s),
        kind,
        answerDueText: s.date("2026-12-28"),
        disputeUrl: s.url("dispute"),
        identityTheftReportUrl: null,
      });
    },
  },
  {
    id: "dispute-received-identity-theft",
    file: "dispute-received.tsx",
    build: (s) =>
      disputeReceivedEmail({
        ...common(s),
        kind: "identity_theft",
        answerDueText: s.date("2026-12-28"),
        disputeUrl: s.url("dispute"),
        identityTheftReportUrl: IDENTITY_THEFT_REPORT_URL,
      }),
  },
  {
    id: "dispute-resolved",
    file: "dispute-resolved.tsx",
    build: async (s) => {
      const d = await i18nServer.getFixedT(s.language, "dispute");
      const words = disputeResolutionWords(
        d,
        { outcome: "corrected", reason: "fee_refunded", note: NOTES[s.language].dispute, collectionStopped: false },
        { name: s.creditorName, region: CREDITOR.region },
      );
      return disputeResolvedEmail({
        ...common(s),
        copy: decisionCopy(d, s.creditorName, words),
        told: s.t("dispute.told.wrong_amount"),
        disputeUrl: s.url("dispute"),
      });
    },
  },
  {
    id: "complaint-received",
    file: "complaint.tsx",
    build: (s) =>
      complaintReceivedEmail({
        ...complaintCommon(s),
        answerByText: s.date("2026-12-12"),
      }),
  },
  {
    id: "complaint-answered",
    file: "complaint.tsx",
    build: (s) =>
      complaintAnsweredEmail({
        ...complaintCommon(s),
        outcome: "upheld",
        response: NOTES[s.language].complaint,
        regulator: CREDITOR.region === "US" ? "cfpb" : null,
      }),
  },
  {
    id: "staff-sign-in",
    stopLink: "none",
    file: "staff-sign-in.tsx",
    build: (s) =>
      staffSignInEmail({
        t: s.t,
        lang: s.language,
        name: s.language === "es" ? "Lucía" : "Dana",
        linkUrl: new URL("/ops/l/preview-token", s.appUrl).toString(),
      }),
  },
];

/** The files in emails/ that are parts of messages, not messages: they need no preview. */
export const EMAIL_HELPER_FILES: readonly string[] = ["layout.tsx", "autopay-parts.tsx", "plan-decision-parts.tsx", "request-parts.tsx", "reminder-parts.tsx"];

export function findEmailPreview(id: string | undefined): EmailPreview | null {
  return EMAIL_PREVIEWS.find((preview) => preview.id === id) ?? null;
}

export type RenderedPreview = { id: string; file: string; language: Language; subject: string; html: string; text: string };

/** One preview in one language, rendered as sendEmail renders it (HTML and the plain-text twin); null for an unknown id or language. */
export async function renderEmailPreview(id: string | undefined, language: string | undefined): Promise<RenderedPreview | null> {
  const preview = findEmailPreview(id);
  if (!preview || !isLanguage(language)) return null;
  const sample = await previewSample(language);
  const email = await preview.build(sample);
  // As the outbox sends it to a borrower: the footer's one-tap link to stop reminders, unless
  // the email shows it itself or goes to staff.
  const stopLink = preview.stopLink ? null : new URL("/unsubscribe/v1.preview", getEnv().APP_URL).toString();
  const react = stopLink ? createElement(StopRemindersLinkContext.Provider, { value: stopLink }, email.react) : email.react;
  const [html, text] = await Promise.all([render(react), render(react, { plainText: true })]);
  return { id: preview.id, file: preview.file, language, subject: email.subject, html, text };
}

/** Every preview's subject in one language, for the list (no rendering). */
export async function previewSubjects(language: Language): Promise<Record<string, string>> {
  const sample = await previewSample(language);
  const entries = await Promise.all(EMAIL_PREVIEWS.map(async (preview) => [preview.id, (await preview.build(sample)).subject] as const));
  return Object.fromEntries(entries);
}
