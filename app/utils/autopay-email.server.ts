/**
 * The emails of "pay automatically" (automatic payments of a repayment plan from a saved card
 * or bank account), in the borrower's language:
 * - sendAutopayAuthorization: the copy of the recurring-payment authorization just given;
 * - sendAutomaticPaymentFailed: a payment did not go through (we try again, or we stopped);
 * - sendConfirmAutomaticPayment: the bank asked the borrower to confirm a payment;
 * - sendPlanPaidOff: the plan is complete.
 *
 * The caller has already looked the data up: nothing here reads the database. Each email is
 * sent once: the idempotency key is `<kind>/<our id>`, so a retried job, a replayed event or
 * two workers at once never send it twice. Failures are logged with ids and codes only.
 * Links are plain portal addresses (no tokens): the portal asks the borrower to sign in.
 */
import { autopayAuthorizationEmail } from "~emails/autopay-authorization";
import { automaticPaymentFailedEmail } from "~emails/automatic-payment-failed";
import { confirmAutomaticPaymentEmail } from "~emails/confirm-automatic-payment";
import { planPaidOffEmail } from "~emails/plan-paid-off";
import { formatMoney } from "~/domain/money";
import { formatPhoneNumber } from "~/domain/phone";
import { intlLocale, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { emailIdempotencyKey, sendEmail, type SendEmailInput, type SendEmailResult } from "~/services/email/send.server";
import { getEmailT } from "~/services/email/t.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { getEnv } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";

/**
 * How many times an automatic payment is tried before we stop and tell the borrower: the
 * "no more tries" email says "We tried … 3 times". The charge sweep's retry schedule must
 * agree with it.
 */
export const AUTOMATIC_PAYMENT_TRIES = 3;

export interface AutopayEmailBase {
  to: string;
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

export type AutopayEmailKind = "autopay-authorization" | "automatic-payment-failed" | "confirm-automatic-payment" | "plan-paid-off";

/** What every email needs, in the borrower's language and the creditor's formats. */
async function prepare(input: AutopayEmailBase) {
  const env = getEnv();
  const [t, accountT] = await Promise.all([getEmailT(input.language), i18nServer.getFixedT(input.language, "account")]);
  const locale = intlLocale(input.language, input.region);
  const contact = [formatPhoneNumber(input.contact.supportPhone), input.contact.supportEmail].filter(Boolean).join(", ");
  return {
    money: (minor: number) => formatMoney(minor, input.currency, locale),
    date: (iso: string) => formatCalendarDate(iso, input.language, input.region),
    /** A page of the borrower's account: `page` "" is the account itself. */
    url: (page: string) => new URL(`/account/${input.accountId}${page ? `/${page}` : ""}`, env.APP_URL).toString(),
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
  kind: AutopayEmailKind,
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
  if (result.status === "error") logger.warn("autopay.email_failed", { kind, ...logIds, code: result.code });
  return result;
}

/** The recurring-payment authorization the borrower just gave, with the exact words they agreed to. */
export async function sendAutopayAuthorization(
  input: AutopayEmailBase & {
    authorizationId: string;
    methodText: string;
    termsLines: string[];
    installments: { dueOn: string; amountMinor: number }[];
  },
): Promise<SendEmailResult> {
  const { common, money, date, url } = await prepare(input);
  const totalMinor = input.installments.reduce((sum, installment) => sum + installment.amountMinor, 0);
  const email = autopayAuthorizationEmail({
    ...common,
    methodText: input.methodText,
    installments: input.installments.map((installment) => ({ dateText: date(installment.dueOn), amountText: money(installment.amountMinor) })),
    totalText: money(totalMinor),
    termsLines: input.termsLines,
    manageUrl: url("payment-methods"),
  });
  return send("autopay-authorization", input.authorizationId, input.to, email, { authorizationId: input.authorizationId, accountId: input.accountId });
}

/** An automatic payment did not go through: we try again on nextAttemptOn, or (null) we stopped trying. */
export async function sendAutomaticPaymentFailed(
  input: AutopayEmailBase & {
    paymentId: string;
    amountMinor: number;
    dueOn: string;
    nextAttemptOn: string | null;
  },
): Promise<SendEmailResult> {
  const { common, money, date, url } = await prepare(input);
  const email = automaticPaymentFailedEmail({
    ...common,
    amountText: money(input.amountMinor),
    dueText: date(input.dueOn),
    nextAttemptText: input.nextAttemptOn ? date(input.nextAttemptOn) : null,
    tries: AUTOMATIC_PAYMENT_TRIES,
    planUrl: url("my-plan"),
    paymentMethodsUrl: url("payment-methods"),
    helpUrl: url("help"),
  });
  return send("automatic-payment-failed", input.paymentId, input.to, email, { paymentId: input.paymentId, accountId: input.accountId });
}

/** The bank asked the borrower to confirm an automatic payment (authentication_required): nothing was taken. */
export async function sendConfirmAutomaticPayment(
  input: AutopayEmailBase & {
    paymentId: string;
    amountMinor: number;
    dueOn: string;
  },
): Promise<SendEmailResult> {
  const { common, money, date, url } = await prepare(input);
  const email = confirmAutomaticPaymentEmail({
    ...common,
    amountText: money(input.amountMinor),
    dueText: date(input.dueOn),
    planUrl: url("my-plan"),
  });
  return send("confirm-automatic-payment", input.paymentId, input.to, email, { paymentId: input.paymentId, accountId: input.accountId });
}

/** The plan is complete; balanceMinor is what is still owed on the account (0 when it is paid off). */
export async function sendPlanPaidOff(
  input: AutopayEmailBase & {
    arrangementId: string;
    totalPaidMinor: number;
    balanceMinor: number;
    lastPaymentOn: string;
  },
): Promise<SendEmailResult> {
  const { common, money, date, url } = await prepare(input);
  const email = planPaidOffEmail({
    ...common,
    totalText: money(input.totalPaidMinor),
    balanceText: money(Math.max(input.balanceMinor, 0)),
    owed: input.balanceMinor > 0,
    lastPaymentText: date(input.lastPaymentOn),
    accountUrl: url(""),
  });
  return send("plan-paid-off", input.arrangementId, input.to, email, { arrangementId: input.arrangementId, accountId: input.accountId });
}
