/**
 * The emails that say "we have it" when a borrower asks for help or disputes a debt
 * (ADR 007), in the borrower's language:
 * - sendHardshipReceived: we have your request for help, what you asked for, what happens
 *   while we look and by when we answer, and free debt advice for the creditor's region;
 * - sendDisputeReceived: we have your dispute, what happens while we look, by when we answer
 *   in writing, and (identity theft in the US) where to report it;
 * - sendHardshipDecided: our answer to the request for help (what we agreed or why not, the
 *   staff member's note, what happens next and by when, free debt advice);
 * - sendDisputeResolved: our written answer to the dispute (outcome, reason, note, what next).
 *
 * As in autopay-email.server.ts: the caller has already looked the data up (nothing here
 * reads the database); each email is sent once, with the idempotency key `<kind>/<our id>`;
 * failures are logged with ids and codes only. Links are plain portal addresses (no tokens).
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
import { emailIdempotencyKey, sendEmail, type SendEmailInput, type SendEmailResult } from "~/services/email/send.server";
import { getEmailT } from "~/services/email/t.server";
import type { AutopayEmailBase } from "~/utils/autopay-email.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { getEnv } from "~/utils/env.server";
import type { DisputeKind, DisputeOutcome, HardshipDecision, HardshipHelp } from "~/utils/hardship.server";
import { logger } from "~/utils/logger.server";
import { disputeResolutionWords, hardshipDecisionWords, type DecisionWords } from "~/utils/request-decisions.server";

/** Who gets the email and the account it is about: the same fields as the automatic-payment emails. */
export type RequestEmailBase = AutopayEmailBase;

export type RequestEmailKind = "hardship-received" | "dispute-received" | "hardship-decided" | "dispute-resolved";

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

/** Sends one email with its idempotency key and kind tag; logs a failure with ids only. */
async function send(
  kind: RequestEmailKind,
  id: string,
  to: string,
  email: Pick<SendEmailInput, "subject" | "react">,
  logIds: Record<string, string>,
): Promise<SendEmailResult> {
  const result = await sendEmail({
    to,
    idempotencyKey: emailIdempotencyKey(kind, id),
    tags: [{ name: "kind", value: kind }],
    ...email,
  });
  if (result.status === "error") logger.warn("request.email_failed", { kind, ...logIds, code: result.code });
  return result;
}

/** We have the borrower's request for help; we answer by decisionDueOn (an ISO date). */
export async function sendHardshipReceived(
  input: RequestEmailBase & {
    requestId: string;
    help: HardshipHelp;
    /** For payment_break: how long a break they asked for. */
    breakDays: 30 | 60 | 90 | null;
    /** For lower_payments: the monthly payment they proposed. */
    proposedMonthlyMinor: number | null;
    decisionDueOn: string;
  },
): Promise<SendEmailResult> {
  const { common, money, date, url } = await prepare(input);
  const asked: HardshipHelpAsked =
    input.help === "payment_break"
      ? { help: "payment_break", breakDays: input.breakDays }
      : input.help === "lower_payments"
        ? { help: "lower_payments", monthlyText: input.proposedMonthlyMinor === null ? null : money(input.proposedMonthlyMinor) }
        : { help: input.help };
  const email = hardshipReceivedEmail({
    ...common,
    asked,
    decisionDueText: date(input.decisionDueOn),
    helpUrl: url("help"),
    advice: debtAdviceFor(input.region),
  });
  return send("hardship-received", input.requestId, input.to, email, { requestId: input.requestId, accountId: input.accountId });
}

/** We have the borrower's dispute; we answer in writing by answerDueOn (an ISO date). */
export async function sendDisputeReceived(
  input: RequestEmailBase & {
    disputeId: string;
    kind: DisputeKind;
    answerDueOn: string;
  },
): Promise<SendEmailResult> {
  const { common, date, url } = await prepare(input);
  const email = disputeReceivedEmail({
    ...common,
    kind: input.kind,
    answerDueText: date(input.answerDueOn),
    disputeUrl: url("dispute"),
    identityTheftReportUrl: input.kind === "identity_theft" && input.region === "US" ? IDENTITY_THEFT_REPORT_URL : null,
  });
  return send("dispute-received", input.disputeId, input.to, email, { disputeId: input.disputeId, accountId: input.accountId });
}

/** The email's own lines (namespace `hardship` or `dispute`, key `email.*`) around the decision's words. */
function decisionCopy(t: TFunction, creditorName: string, words: DecisionWords): DecisionEmailCopy {
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
 * Our answer to a request for help. Sent once per decision (key `hardship-decided/<request id>`:
 * a request is decided once). `pausedUntilOn` is the day collection may start again (ISO, the
 * creditor's zone) while the pause still holds, else null.
 */
export async function sendHardshipDecided(
  input: RequestEmailBase & { requestId: string; decision: HardshipDecision; pausedUntilOn: string | null },
): Promise<SendEmailResult> {
  const { common, money, date, url } = await prepare(input);
  const t = await i18nServer.getFixedT(input.language, "hardship");
  const words = hardshipDecisionWords(t, input.decision, { money, pausedUntil: input.pausedUntilOn ? date(input.pausedUntilOn) : null });
  const email = hardshipDecidedEmail({
    ...common,
    copy: decisionCopy(t, input.creditorName, words),
    helpUrl: url("help"),
    advice: debtAdviceFor(input.region),
  });
  return send("hardship-decided", input.requestId, input.to, email, { requestId: input.requestId, accountId: input.accountId });
}

/** Our written answer to a dispute. Sent once per dispute (key `dispute-resolved/<dispute id>`). */
export async function sendDisputeResolved(
  input: RequestEmailBase & {
    disputeId: string;
    kind: DisputeKind;
    outcome: DisputeOutcome;
    reason: string;
    note: string | null;
    collectionStopped: boolean;
  },
): Promise<SendEmailResult> {
  const { common, url } = await prepare(input);
  const t = await i18nServer.getFixedT(input.language, "dispute");
  const words = disputeResolutionWords(t, input, { name: input.creditorName, region: input.region });
  const email = disputeResolvedEmail({
    ...common,
    copy: decisionCopy(t, input.creditorName, words),
    told: common.t(`dispute.told.${input.kind}`),
    disputeUrl: url("dispute"),
  });
  return send("dispute-resolved", input.disputeId, input.to, email, { disputeId: input.disputeId, accountId: input.accountId });
}
