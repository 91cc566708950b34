/**
 * The receipt email for a payment Stripe confirmed (issue 6 item 6), in the borrower's
 * language. The outbox sends it (ADR 014): the payment's `payment.succeeded` audit event
 * queues one `payment.receipt` message in the transaction that records the payment (migration
 * 20261128002000_payment_notices.sql, key `payment.receipt/<payment id>`), so a replayed
 * webhook event, the second event of the same payment, or the sweep and the webhook both
 * reporting one charge never make a second email; the template
 * (app/utils/outbox-templates/payment-receipt.server.ts) builds it here when it goes.
 *
 * What the receipt says comes from `api.payment_receipt`
 * (supabase/migrations/20261128000500_payment_receipts.sql), which is null until the payment
 * has succeeded (and again once it is refunded): then there is nothing to send.
 */
import { z } from "zod";
import { paymentReceiptEmail } from "~emails/payment-receipt";
import { formatMoney } from "~/domain/money";
import { intlLocale, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { getEmailT } from "~/services/email/t.server";
import { rpc } from "~/services/supabase/rpc.server";
import { formatInstant } from "~/utils/borrower-format.server";
import { NoticeBorrowerSchema, NoticeCreditorWithZoneSchema, emailContactLine } from "~/utils/outbox-templates/types.server";

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
    creditor: NoticeCreditorWithZoneSchema,
    borrower: NoticeBorrowerSchema,
  })
  .nullable();

type Receipt = NonNullable<z.output<typeof ReceiptSchema>>;

/** The receipt of a payment that succeeded, or null (not succeeded, or no such payment). */
export async function loadPaymentReceipt(paymentId: string): Promise<Receipt | null> {
  return rpc("payment_receipt", { p_payment_id: paymentId }, ReceiptSchema);
}

/** The receipt email in a language. */
export async function paymentReceiptMessage(receipt: Receipt, language: Language, appUrl: string) {
  const { creditor } = receipt;
  const [t, accountT] = await Promise.all([getEmailT(language), i18nServer.getFixedT(language, "account")]);
  const locale = intlLocale(language, creditor.region);
  const money = (minor: number) => formatMoney(minor, receipt.currency, locale);
  const contact = emailContactLine(creditor);
  return paymentReceiptEmail({
    t,
    lang: language,
    appUrl,
    creditorName: creditor.name,
    creditorContact: contact,
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
