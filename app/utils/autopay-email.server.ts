/**
 * The emails of "pay automatically" (automatic payments of a repayment plan from a saved card
 * or bank account), in the borrower's language:
 * - autopayAuthorizationMessage: the copy of the recurring-payment authorization just given;
 * - automaticPaymentFailedMessage: a payment did not go through (we try again, or we stopped);
 * - confirmAutomaticPaymentMessage: the bank asked the borrower to confirm a payment;
 * - planPaidOffMessage: the plan is complete.
 *
 * Each function builds the email (subject and React body) from facts the caller has already
 * looked up: nothing here reads the database or sends. The outbox sends them (ADR 014): the
 * database queues each once, in the transaction of the event that causes it (migration
 * 20261128002000_payment_notices.sql), and the templates in
 * app/utils/outbox-templates/payment-notices.server.ts read the facts through
 * app/utils/payment-emails.server.ts when the message goes. Links are plain portal addresses
 * (no tokens): the portal asks the borrower to sign in.
 */
import { autopayAuthorizationEmail } from "~emails/autopay-authorization";
import { automaticPaymentFailedEmail } from "~emails/automatic-payment-failed";
import { confirmAutomaticPaymentEmail } from "~emails/confirm-automatic-payment";
import { planPaidOffEmail } from "~emails/plan-paid-off";
import { formatMoney } from "~/domain/money";
import { formatPhoneNumber } from "~/domain/phone";
import { intlLocale, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { getEmailT } from "~/services/email/t.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { getEnv } from "~/utils/env.server";
import type { OutboxRendered } from "~/utils/outbox-templates/types.server";

/**
 * How many times an automatic payment is tried before we stop and tell the borrower: the
 * "no more tries" email says "We tried … 3 times". The charge sweep's retry schedule must
 * agree with it.
 */
export const AUTOMATIC_PAYMENT_TRIES = 3;

/** The account an email is about, in the borrower's language (the outbox knows where it goes). */
export interface AutopayEmailBase {
  language: Language;
  /** The creditor's region, e.g. "US": with the language, how amounts and dates are written. */
  region: string;
  /** ISO 4217, e.g. "USD". */
  currency: string;
  creditorName: string;
  contact: { supportPhone: string; supportEmail: string | null };
  /** The account reference's last characters, shown as "Reference ending in 1001". */
  referenceLast4: string;
  accountId: string;
}

/** What every email needs, in the borrower's language and the creditor's formats. */
async function prepare(input: AutopayEmailBase) {
  const env = getEnv();
  const [t, accountT] = await Promise.all([getEmailT(input.language), i18nServer.getFixedT(input.language, "account")]);
  const locale = intlLocale(input.language, input.region);
  const contact = [formatPhoneNumber(input.contact.supportPhone), input.contact.supportEmail].filter(Boolean).join(", ");
  const accountPath = `/account/${input.accountId}`;
  return {
    money: (minor: number) => formatMoney(minor, input.currency, locale),
    date: (iso: string) => formatCalendarDate(iso, input.language, input.region),
    /** The borrower's account page: `/account/<id>`, with no trailing slash. */
    accountUrl: new URL(accountPath, env.APP_URL).toString(),
    /** A page of the borrower's account, e.g. "my-plan". */
    url: (page: string) => new URL(`${accountPath}/${page}`, env.APP_URL).toString(),
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

/** The recurring-payment authorization the borrower just gave, with the exact words they agreed to. */
export async function autopayAuthorizationMessage(
  input: AutopayEmailBase & {
    methodText: string;
    termsLines: string[];
    installments: { dueOn: string; amountMinor: number }[];
  },
): Promise<OutboxRendered> {
  const { common, money, date, url } = await prepare(input);
  const totalMinor = input.installments.reduce((sum, installment) => sum + installment.amountMinor, 0);
  return autopayAuthorizationEmail({
    ...common,
    methodText: input.methodText,
    installments: input.installments.map((installment) => ({ dateText: date(installment.dueOn), amountText: money(installment.amountMinor) })),
    totalText: money(totalMinor),
    termsLines: input.termsLines,
    manageUrl: url("payment-methods"),
  });
}

/** An automatic payment did not go through: we try again on nextAttemptOn, or (null) we stopped trying. */
export async function automaticPaymentFailedMessage(
  input: AutopayEmailBase & {
    amountMinor: number;
    dueOn: string;
    nextAttemptOn: string | null;
  },
): Promise<OutboxRendered> {
  const { common, money, date, url } = await prepare(input);
  return automaticPaymentFailedEmail({
    ...common,
    amountText: money(input.amountMinor),
    dueText: date(input.dueOn),
    nextAttemptText: input.nextAttemptOn ? date(input.nextAttemptOn) : null,
    tries: AUTOMATIC_PAYMENT_TRIES,
    planUrl: url("my-plan"),
    paymentMethodsUrl: url("payment-methods"),
    helpUrl: url("help"),
  });
}

/** The bank asked the borrower to confirm an automatic payment (authentication_required): nothing was taken. */
export async function confirmAutomaticPaymentMessage(
  input: AutopayEmailBase & {
    amountMinor: number;
    dueOn: string;
  },
): Promise<OutboxRendered> {
  const { common, money, date, url } = await prepare(input);
  return confirmAutomaticPaymentEmail({
    ...common,
    amountText: money(input.amountMinor),
    dueText: date(input.dueOn),
    planUrl: url("my-plan"),
  });
}

/** The plan is complete; balanceMinor is what is still owed on the account (0 when it is paid off). */
export async function planPaidOffMessage(
  input: AutopayEmailBase & {
    totalPaidMinor: number;
    balanceMinor: number;
    lastPaymentOn: string;
  },
): Promise<OutboxRendered> {
  const { common, money, date, accountUrl } = await prepare(input);
  return planPaidOffEmail({
    ...common,
    totalText: money(input.totalPaidMinor),
    balanceText: money(Math.max(input.balanceMinor, 0)),
    owed: input.balanceMinor > 0,
    lastPaymentText: date(input.lastPaymentOn),
    accountUrl,
  });
}
