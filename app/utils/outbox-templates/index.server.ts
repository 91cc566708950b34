/**
 * The outbox's template registry (ADR 014): the name a database function gives
 * app.enqueue_message → how the sender renders it. Adding a message is one import and one
 * line below, plus the app.enqueue_message call in the function that causes it.
 */
import { complaintAnsweredTemplate, complaintReceivedTemplate } from "./complaints.server";
import { debtAdviceReceivedTemplate } from "./debt-advice-received.server";
import { paymentReceiptTemplate } from "./payment-receipt.server";
import { planDecisionTemplate } from "./plan-decision.server";
import { disputeReceivedTemplate, disputeResolvedTemplate, hardshipDecidedTemplate, hardshipReceivedTemplate } from "./request-notices.server";
import { reminderMissedTemplate, reminderUpcomingTemplate } from "~/utils/reminders.server";
import type { OutboxTemplates } from "./types.server";

export type { OutboxAccount, OutboxMessage, OutboxRenderContext, OutboxRendered, OutboxTemplate, OutboxTemplates } from "./types.server";

export const outboxTemplates: OutboxTemplates = {
  "reminder.upcoming": reminderUpcomingTemplate,
  "reminder.missed": reminderMissedTemplate,
  "payment.receipt": paymentReceiptTemplate,
  "hardship.received": hardshipReceivedTemplate,
  "hardship.decided": hardshipDecidedTemplate,
  "dispute.received": disputeReceivedTemplate,
  "dispute.resolved": disputeResolvedTemplate,
  "debt_advice.received": debtAdviceReceivedTemplate,
  "complaint.received": complaintReceivedTemplate,
  "complaint.answered": complaintAnsweredTemplate,
  "plan.decision": planDecisionTemplate,
};
