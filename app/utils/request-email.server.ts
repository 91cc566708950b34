/**
 * The emails that say "we have it" when a borrower asks for help or disputes a debt
 * (ADR 007), in the borrower's language:
 * - hardshipReceivedMessage: we have your request for help, what you asked for, what happens
 *   while we look and by when we answer, and free debt advice for the creditor's region;
 * - disputeReceivedMessage: we have your dispute, what happens while we look, by when we answer
 *   in writing, and (identity theft in the US) where to report it;
 * - hardshipDecidedMessage: our answer to the request for help (what we agreed or why not, the
 *   staff member's note, what happens next and by when, free debt advice);
 * - disputeResolvedMessage: our written answer to the dispute (outcome, reason, note, what next).
 *
 * Each function builds the email (subject and React body) from facts the caller has already
 * looked up (nothing here reads the database); the outbox sends it (ADR 014: the templates in
 * app/utils/outbox-templates/ read the facts via request-notices.server.ts). Links are plain
 * portal addresses (no tokens).
 */
import { disputeReceivedEmail, IDENTITY_THEFT_REPORT_URL } from "~emails/dispute-received";
import { disputeResolvedEmail } from "~emails/dispute-resolved";
import { hardshipDecidedEmail, type DecisionEmailCopy } from "~emails/hardship-decided";
import { hardshipReceivedEmail, type HardshipHelpAsked } from "~emails/hardship-received";
import { debtAdviceFor } from "~emails/request-parts";
import { formatMoney } from "~/domain/money";
import { formatPhoneNumber } from "~/domain/phone";
import type { TFunction } from "i18next";
import { intlLocale } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { getEmailT } from "~/services/email/t.server";
import type { AutopayEmailBase } from "~/utils/autopay-email.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { getEnv } from "~/utils/env.server";
import type { DisputeKind, DisputeOutcome, HardshipDecision, HardshipHelp } from "~/utils/hardship.server";
import type { OutboxRendered } from "~/utils/outbox-templates/types.server";
import { disputeResolutionWords, hardshipDecisionWords, type DecisionWords } from "~/utils/request-decisions.server";

/** The account the email is about, in the borrower's language: the automatic-payment emails' fields but the address (the outbox knows where it goes). */
export type RequestEmailBase = Omit<AutopayEmailBase, "to">;

/** What every email needs, in the borrower's language and the creditor's formats. */
async function prepare(input: RequestEmailBase) {
  const env = getEnv();
  const [t, accountT] = await Promise.all([getEmailT(input.language), i18nServer.getFixedT(input.language, "account")]);
  const locale = intlLocale(input.language, input.region);
  const contact = [formatPhoneNumber(input.contact.supportPhone), input.contact.supportEmail].filter(Boolean).join(", ");
  return {
    money: (minor: number) => formatMoney(minor, input.currency, locale),
    date: (iso: string) => formatCalendarDate(iso, input.language, input.region),
    /** A page of the borrower's account, e.g. "help". */
    url: (page: string) => new URL(`/account/${input.accountId}/${page}`, env.APP_URL).toString(),
    common: {
      t,
      lang: input.language,
      appUrl: env.APP_URL,
      creditorName: input.creditorName,
      creditorContact: contact || null,
      referenceText: accountT("referenceEnding", { last4: input.referenceLast4 }),
    },
  };
}

/** We have the borrower's request for help; we answer by decisionDueOn (an ISO date). */
export async function hardshipReceivedMessage(
  input: RequestEmailBase & {
    requestId: string;
    help: HardshipHelp;
    /** For payment_break: how long a break they asked for. */
    breakDays: 30 | 60 | 90 | null;
    /** For lower_payments: the monthly payment they proposed. */
    proposedMonthlyMinor: number | null;
    decisionDueOn: string;
  },
): Promise<OutboxRendered> {
  const { common, money, date, url } = await prepare(input);
  const asked: HardshipHelpAsked =
    input.help === "payment_break"
      ? { help: "payment_break", breakDays: input.breakDays }
      : input.help === "lower_payments"
        ? { help: "lower_payments", monthlyText: input.proposedMonthlyMinor === null ? null : money(input.proposedMonthlyMinor) }
        : { help: input.help };
  return hardshipReceivedEmail({
    ...common,
    asked,
    decisionDueText: date(input.decisionDueOn),
    helpUrl: url("help"),
    advice: debtAdviceFor(input.region),
  });
}

/** We have the borrower's dispute; we answer in writing by answerDueOn (an ISO date). */
export async function disputeReceivedMessage(
  input: RequestEmailBase & {
    disputeId: string;
    kind: DisputeKind;
    answerDueOn: string;
  },
): Promise<OutboxRendered> {
  const { common, date, url } = await prepare(input);
  return disputeReceivedEmail({
    ...common,
    kind: input.kind,
    answerDueText: date(input.answerDueOn),
    disputeUrl: url("dispute"),
    identityTheftReportUrl: input.kind === "identity_theft" && input.region === "US" ? IDENTITY_THEFT_REPORT_URL : null,
  });
}

/** The email's own lines (namespace `hardship` or `dispute`, key `email.*`) around the decision's words. */
export function decisionCopy(t: TFunction, creditorName: string, words: DecisionWords): DecisionEmailCopy {
  return {
    subject: t("email.subject", { creditorName }),
    preview: t("email.preview"),
    reason: t("email.reason"),
    heading: t("email.heading"),
    whyHeading: t("decisionWords.why"),
    noteHeading: t("decisionWords.note", { creditorName }),
    nextHeading: t("decisionWords.next"),
    button: t("email.button"),
    ...words,
  };
}

/**
 * Our answer to a request for help (a request is decided once). `pausedUntilOn` is the day collection may start again (ISO, the
 * creditor's zone) while the pause still holds, else null.
 */
export async function hardshipDecidedMessage(
  input: RequestEmailBase & { requestId: string; decision: HardshipDecision; pausedUntilOn: string | null },
): Promise<OutboxRendered> {
  const { common, money, date, url } = await prepare(input);
  const t = await i18nServer.getFixedT(input.language, "hardship");
  const words = hardshipDecisionWords(t, input.decision, { money, pausedUntil: input.pausedUntilOn ? date(input.pausedUntilOn) : null });
  return hardshipDecidedEmail({
    ...common,
    copy: decisionCopy(t, input.creditorName, words),
    helpUrl: url("help"),
    advice: debtAdviceFor(input.region),
  });
}

/** Our written answer to a dispute. */
export async function disputeResolvedMessage(
  input: RequestEmailBase & {
    disputeId: string;
    kind: DisputeKind;
    outcome: DisputeOutcome;
    reason: string;
    note: string | null;
    collectionStopped: boolean;
  },
): Promise<OutboxRendered> {
  const { common, url } = await prepare(input);
  const t = await i18nServer.getFixedT(input.language, "dispute");
  const words = disputeResolutionWords(t, input, { name: input.creditorName, region: input.region });
  return disputeResolvedEmail({
    ...common,
    copy: decisionCopy(t, input.creditorName, words),
    told: common.t(`dispute.told.${input.kind}`),
    disputeUrl: url("dispute"),
  });
}
