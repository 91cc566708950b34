/**
 * The outbox's template registry (ADR 014): the name a database function gives
 * app.enqueue_message → how the sender renders it. Adding a message is one import and one
 * line below, plus the app.enqueue_message call in the function that causes it.
 */
import { complaintAnsweredTemplate, complaintReceivedTemplate } from "./complaints.server";
import { debtAdviceReceivedTemplate } from "./debt-advice-received.server";
import { accessLinkFromStaffTemplate, accessNewLinkTemplate, staffSignInTemplate } from "./link-emails.server";
import { automaticPaymentFailedTemplate, autopayAuthorizationTemplate, planPaidOffTemplate } from "./payment-notices.server";
import { paymentReceiptTemplate } from "./payment-receipt.server";
import { planConfirmationTemplate } from "./plan-confirmation.server";
import { planDecisionTemplate } from "./plan-decision.server";
import { disputeReceivedTemplate, disputeResolvedTemplate, hardshipDecidedTemplate, hardshipReceivedTemplate } from "./request-notices.server";
import { reminderMissedTemplate, reminderUpcomingTemplate } from "~/utils/reminders.server";
import type { OutboxTemplates } from "./types.server";

export type { OutboxAccount, OutboxMessage, OutboxRenderContext, OutboxRendered, OutboxTemplate, OutboxTemplates } from "./types.server";

export const outboxTemplates: OutboxTemplates = {
  "reminder.upcoming": reminderUpcomingTemplate,
  "reminder.missed": reminderMissedTemplate,
  "access.new_link": accessNewLinkTemplate,
  "access.link_from_staff": accessLinkFromStaffTemplate,
  "staff.sign_in": staffSignInTemplate,
  "payment.receipt": paymentReceiptTemplate,
  "plan.paid_off": planPaidOffTemplate,
  "payment.automatic_failed": automaticPaymentFailedTemplate,
  "autopay.authorization": autopayAuthorizationTemplate,
  "hardship.received": hardshipReceivedTemplate,
  "hardship.decided": hardshipDecidedTemplate,
  "dispute.received": disputeReceivedTemplate,
  "dispute.resolved": disputeResolvedTemplate,
  "debt_advice.received": debtAdviceReceivedTemplate,
  "complaint.received": complaintReceivedTemplate,
  "complaint.answered": complaintAnsweredTemplate,
  "plan.decision": planDecisionTemplate,
  "plan.confirmation": planConfirmationTemplate,
};
