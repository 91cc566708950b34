/**
 * The emails after money moves, queued by the audit events of the functions that record it
 * (migration 20261128002000_payment_notices.sql; ADR 014):
 * - `plan.paid_off` (requested), params `{ arrangement_id }`: the plan is complete;
 * - `payment.automatic_failed` (requested: the authorization promises it), params `{ payment_id, attempt }`: an automatic
 *   payment did not go through (we try again, no more tries, or confirm with your bank);
 * - `autopay.authorization` (requested), params `{ authorization_id }`: the copy of the
 *   automatic payment authorization once the method is saved.
 * (`payment.receipt` is in ./payment-receipt.server.ts.) The facts are read when the message
 * goes (app/utils/payment-emails.server.ts); null (the message is cancelled) when it no longer
 * applies.
 */
import { z } from "zod";
import { authorizationNoticeMessage, automaticPaymentNoticeMessage, planPaidOffNoticeMessage } from "~/utils/payment-emails.server";
import type { OutboxTemplate } from "./types.server";

const PaidOffParams = z.object({ arrangement_id: z.uuid() });
const AutomaticFailedParams = z.object({ payment_id: z.uuid(), attempt: z.number().int().min(1) });
const AuthorizationParams = z.object({ authorization_id: z.uuid() });

export const planPaidOffTemplate: OutboxTemplate = {
  render: (message, { language }) => planPaidOffNoticeMessage(PaidOffParams.parse(message.params).arrangement_id, language),
};

export const automaticPaymentFailedTemplate: OutboxTemplate = {
  render: (message, { language }) => automaticPaymentNoticeMessage(AutomaticFailedParams.parse(message.params).payment_id, language),
};

export const autopayAuthorizationTemplate: OutboxTemplate = {
  render: (message, { language }) => authorizationNoticeMessage(AuthorizationParams.parse(message.params).authorization_id, language),
};
