/**
 * The emails that say "we have it" when a borrower asks for help or disputes a debt
 * (ADR 007), in the borrower's language:
 * - sendHardshipReceived: we have your request for help, what you asked for, what happens
 *   while we look and by when we answer, and free debt advice for the creditor's region;
 * - sendDisputeReceived: we have your dispute, what happens while we look, by when we answer
 *   in writing, and (identity theft in the US) where to report it.
 *
 * As in autopay-email.server.ts: the caller has already looked the data up (nothing here
 * reads the database); each email is sent once, with the idempotency key `<kind>/<our id>`;
 * failures are logged with ids and codes only. Links are plain portal addresses (no tokens).
 */
import { disputeReceivedEmail, IDENTITY_THEFT_REPORT_URL } from "~emails/dispute-received";
import { hardshipReceivedEmail, type HardshipHelpAsked } from "~emails/hardship-received";
import { debtAdviceFor } from "~emails/request-parts";
import { formatMoney } from "~/domain/money";
import { formatPhoneNumber } from "~/domain/phone";
import { intlLocale } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { emailIdempotencyKey, sendEmail, type SendEmailInput, type SendEmailResult } from "~/services/email/send.server";
import { getEmailT } from "~/services/email/t.server";
import type { AutopayEmailBase } from "~/utils/autopay-email.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { getEnv } from "~/utils/env.server";
import type { DisputeKind, HardshipHelp } from "~/utils/hardship.server";
import { logger } from "~/utils/logger.server";

/** Who gets the email and the account it is about: the same fields as the automatic-payment emails. */
export type RequestEmailBase = AutopayEmailBase;

export type RequestEmailKind = "hardship-received" | "dispute-received";

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
