/**
 * The receipt email for a payment Stripe confirmed (issue 6 item 6), in the borrower's
 * language, sent once per payment: the idempotency key is `payment-receipt/<payment id>`, so
 * a replayed webhook event, or the second event of the same payment, never sends a second
 * email. It is queued with the payment's other emails (payment-emails.server.ts) after the
 * webhook or the sweep recorded the payment.
 *
 * What the receipt says comes from `api.payment_receipt`
 * (supabase/migrations/20261128000500_payment_receipts.sql), which is null until the payment
 * has succeeded: asking about a payment that is still processing, failed or unknown sends
 * nothing.
 */
import { z } from "zod";
import { paymentReceiptEmail } from "~emails/payment-receipt";
import { formatMoney } from "~/domain/money";
import { formatPhoneNumber } from "~/domain/phone";
import { intlLocale, supportedLanguages, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { emailIdempotencyKey, sendEmail, type SendEmailResult } from "~/services/email/send.server";
import { getEmailT } from "~/services/email/t.server";
import { rpc } from "~/services/supabase/rpc.server";
import { formatInstant } from "~/utils/borrower-format.server";
import { getEnv } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";

const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");

const ReceiptSchema = z
  .object({
    payment_id: z.uuid(),
    account_id: z.uuid(),
    amount_minor: Minor,
    currency: z.string().length(3),
    succeeded_at: z.coerce.date(),
    balance_after_minor: Minor,
    reference_last4: z.string().min(1),
    creditor: z.object({
      name: z.string().min(1),
      region: z.string().regex(/^[A-Z]{2}$/),
      time_zone: z.string().min(1),
      support_phone: z.string().min(1),
      support_email: z.string().nullable(),
    }),
    borrower: z.object({ email: z.string().nullable(), language: z.enum(supportedLanguages) }),
  })
  .nullable();

type Receipt = NonNullable<z.output<typeof ReceiptSchema>>;

/** The receipt of a payment that succeeded, or null (not succeeded, or no such payment). */
export async function loadPaymentReceipt(paymentId: string): Promise<Receipt | null> {
  return rpc("payment_receipt", { p_payment_id: paymentId }, ReceiptSchema);
}

/** The receipt email in a language: the same words whether it is sent at once or from the outbox. */
export async function paymentReceiptMessage(receipt: Receipt, language: Language, appUrl: string) {
  const { creditor } = receipt;
  const [t, accountT] = await Promise.all([getEmailT(language), i18nServer.getFixedT(language, "account")]);
  const locale = intlLocale(language, creditor.region);
  const money = (minor: number) => formatMoney(minor, receipt.currency, locale);
  const contact = [formatPhoneNumber(creditor.support_phone), creditor.support_email].filter(Boolean).join(", ");
  return paymentReceiptEmail({
    t,
    lang: language,
    appUrl,
    creditorName: creditor.name,
    creditorContact: contact || null,
    amountText: money(receipt.amount_minor),
    // As the return page shows it: the day and the time with its zone, in the creditor's zone.
    dateText: formatInstant(receipt.succeeded_at, language, creditor.time_zone, creditor.region),
    balanceText: money(Math.max(receipt.balance_after_minor, 0)),
    paidOff: receipt.balance_after_minor <= 0,
    reference: receipt.payment_id.slice(0, 8).toUpperCase(),
    referenceText: accountT("referenceEnding", { last4: receipt.reference_last4 }),
    accountUrl: new URL(`/account/${receipt.account_id}`, appUrl).toString(),
  });
}

/**
 * Sends the receipt of one payment. Null when there is nothing to send: the payment has not
 * succeeded (or does not exist), or the borrower has no email on file. Sending it again is
 * safe: the idempotency key makes the email service answer with the first send.
 * Throws only when the database cannot be asked (an outage or a bug).
 */
export async function sendPaymentReceipt(paymentId: string): Promise<SendEmailResult | null> {
  const id = z.uuid().safeParse(paymentId);
  if (!id.success) return null;
  const receipt = await loadPaymentReceipt(id.data);
  const to = receipt?.borrower.email;
  if (!receipt || !to) return null;

  const result = await sendEmail({
    to,
    idempotencyKey: emailIdempotencyKey("payment-receipt", receipt.payment_id),
    tags: [{ name: "kind", value: "payment-receipt" }],
    ...(await paymentReceiptMessage(receipt, receipt.borrower.language, getEnv().APP_URL)),
  });
  if (result.status === "error") logger.warn("payment.receipt_email_failed", { paymentId: receipt.payment_id, code: result.code });
  return result;
}
