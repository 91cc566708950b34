/**
 * `payment.receipt` (requested): the receipt for a payment Stripe confirmed, queued by the
 * payment's `payment.succeeded` audit event in the transaction that posts it (migration
 * 20261128002000_payment_notices.sql). Params: `{ payment_id }`. What it says comes from
 * api.payment_receipt when the message goes (null unless the payment has succeeded: then the
 * message no longer applies); the words from app/utils/payment-receipt.server.ts.
 */
import { z } from "zod";
import { loadPaymentReceipt, paymentReceiptMessage } from "~/utils/payment-receipt.server";
import type { OutboxTemplate } from "./types.server";

const ParamsSchema = z.object({ payment_id: z.uuid() });

export const paymentReceiptTemplate: OutboxTemplate = {
  async render(message, { language, appUrl }) {
    const { payment_id } = ParamsSchema.parse(message.params);
    const receipt = await loadPaymentReceipt(payment_id);
    return receipt ? paymentReceiptMessage(receipt, language, appUrl) : null;
  },
};
