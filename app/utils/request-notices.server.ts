/**
 * The written confirmations of a hardship request and a dispute (issue 7 items 2 and 4), and
 * the written answers to them (a staff decision, ADR 011): the facts come from the database
 * (`api.hardship_notice`, `api.dispute_notice`, `api.hardship_decision_notice`,
 * `api.dispute_resolution_notice`) when the message goes, the words from
 * app/utils/request-email.server.ts. The outbox sends them (ADR 014): the database function
 * that records the request or the answer queues the message in its own transaction
 * (migration 20261128001900_outbox_notices.sql), and the templates in
 * app/utils/outbox-templates/request-notices.server.ts call these. Null when the message no
 * longer applies (the request was withdrawn or decided before its confirmation went).
 */
import { z } from "zod";
import { rpc } from "~/services/supabase/rpc.server";
import { dayIn } from "~/utils/borrower-format.server";
import { DISPUTE_OUTCOMES, HARDSHIP_OUTCOMES } from "~/utils/hardship.server";
import { NoticeBorrowerSchema, NoticeCreditorWithZoneSchema, type OutboxRendered } from "~/utils/outbox-templates/types.server";
import { disputeReceivedMessage, disputeResolvedMessage, hardshipDecidedMessage, hardshipReceivedMessage } from "~/utils/request-email.server";

const Uuid = z.uuid();

const AccountNotice = {
  account_id: Uuid,
  currency: z.string().length(3),
  reference_last4: z.string().min(1),
  creditor: NoticeCreditorWithZoneSchema,
  borrower: NoticeBorrowerSchema,
};

function base(notice: { account_id: string; currency: string; reference_last4: string; creditor: z.output<typeof AccountNotice.creditor>; borrower: { language: "en" | "es" } }) {
  return {
    language: notice.borrower.language,
    region: notice.creditor.region,
    currency: notice.currency,
    creditorName: notice.creditor.name,
    contact: { supportPhone: notice.creditor.support_phone, supportEmail: notice.creditor.support_email },
    referenceLast4: notice.reference_last4,
    accountId: notice.account_id,
  };
}

const DisputeNoticeSchema = z
  .object({ ...AccountNotice, dispute_id: Uuid, kind: z.enum(["not_mine", "wrong_amount", "already_paid", "identity_theft"]), due_at: z.coerce.date() })
  .nullable();

export async function disputeNoticeMessage(disputeId: string): Promise<OutboxRendered | null> {
  const notice = await rpc("dispute_notice", { p_dispute_id: Uuid.parse(disputeId) }, DisputeNoticeSchema);
  if (!notice) return null;
  return disputeReceivedMessage({ ...base(notice), disputeId: notice.dispute_id, kind: notice.kind, answerDueOn: dayIn(notice.due_at, notice.creditor.time_zone) });
}

const HardshipNoticeSchema = z
  .object({
    ...AccountNotice,
    request_id: Uuid,
    help: z.enum(["payment_break", "lower_payments", "freeze_interest", "settlement", "not_sure"]),
    break_days: z.union([z.literal(30), z.literal(60), z.literal(90)]).nullable(),
    proposed_monthly_minor: z.number().int().nullable(),
    decision_due_at: z.coerce.date(),
  })
  .nullable();

export async function hardshipNoticeMessage(requestId: string): Promise<OutboxRendered | null> {
  const notice = await rpc("hardship_notice", { p_request_id: Uuid.parse(requestId) }, HardshipNoticeSchema);
  if (!notice) return null;
  return hardshipReceivedMessage({
    ...base(notice),
    requestId: notice.request_id,
    help: notice.help,
    breakDays: notice.break_days,
    proposedMonthlyMinor: notice.proposed_monthly_minor,
    decisionDueOn: dayIn(notice.decision_due_at, notice.creditor.time_zone),
  });
}

// ---------------------------------------------------------------------------------------
// The answers

const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");

const HardshipDecisionNoticeSchema = z
  .object({
    ...AccountNotice,
    request_id: Uuid,
    outcome: z.enum(HARDSHIP_OUTCOMES),
    decision_reason: z.string(),
    decision_note: z.string().nullable(),
    granted_break_days: z.number().int().nullable(),
    agreed_monthly_minor: Minor.nullable(),
    settlement_minor: Minor.nullable(),
    balance_at_decision_minor: Minor.nullable(),
    pause_ends_at: z.coerce.date().nullable(),
  })
  .nullable();

export async function hardshipDecisionNoticeMessage(requestId: string): Promise<OutboxRendered | null> {
  const notice = await rpc("hardship_decision_notice", { p_request_id: Uuid.parse(requestId) }, HardshipDecisionNoticeSchema);
  if (!notice) return null;
  return hardshipDecidedMessage({
    ...base(notice),
    requestId: notice.request_id,
    decision: {
      outcome: notice.outcome,
      reason: notice.decision_reason,
      note: notice.decision_note,
      breakDays: notice.granted_break_days,
      monthlyMinor: notice.agreed_monthly_minor,
      settlementMinor: notice.settlement_minor,
      balanceMinor: notice.balance_at_decision_minor,
    },
    pausedUntilOn: notice.pause_ends_at ? dayIn(notice.pause_ends_at, notice.creditor.time_zone) : null,
  });
}

const DisputeResolutionNoticeSchema = z
  .object({
    ...AccountNotice,
    dispute_id: Uuid,
    kind: z.enum(["not_mine", "wrong_amount", "already_paid", "identity_theft"]),
    outcome: z.enum(DISPUTE_OUTCOMES),
    outcome_reason: z.string(),
    outcome_note: z.string().nullable(),
    collection_stopped: z.boolean(),
  })
  .nullable();

export async function disputeResolutionNoticeMessage(disputeId: string): Promise<OutboxRendered | null> {
  const notice = await rpc("dispute_resolution_notice", { p_dispute_id: Uuid.parse(disputeId) }, DisputeResolutionNoticeSchema);
  if (!notice) return null;
  return disputeResolvedMessage({
    ...base(notice),
    disputeId: notice.dispute_id,
    kind: notice.kind,
    outcome: notice.outcome,
    reason: notice.outcome_reason,
    note: notice.outcome_note,
    collectionStopped: notice.collection_stopped,
  });
}

