/**
 * What the borrower is told after money moves (issue 6 items 4-6), read from the database
 * when the message goes (ADR 014):
 *
 * - the plan paid off (`api.completed_arrangement_notice`), after the payment that completed it;
 * - an automatic payment that did not go through (`api.automatic_payment_notice`): either
 *   "we will try again on …" / "please pay it yourself", or "your bank asks you to confirm";
 * - the authorization of automatic payments, once the method is saved
 *   (`api.payment_authorization_notice`), with the exact words agreed.
 *
 * (The receipt has its own module, app/utils/payment-receipt.server.ts.) The database queues
 * each message once, in the transaction of the audit event that marks the fact (migration
 * 20261128002000_payment_notices.sql); the outbox templates
 * (app/utils/outbox-templates/payment-notices.server.ts) call these, and the words come from
 * app/utils/autopay-email.server.ts. Each returns null when the message no longer applies:
 * the sender then cancels it instead of sending.
 */
import { z } from "zod";
import type { Language } from "~/i18n/config";
import { rpc } from "~/services/supabase/rpc.server";
import { automaticPaymentFailedMessage, autopayAuthorizationMessage, confirmAutomaticPaymentMessage, planPaidOffMessage, type AutopayEmailBase } from "~/utils/autopay-email.server";
import { NoticeCreditorSchema, type OutboxRendered } from "~/utils/outbox-templates/types.server";
import { methodText } from "~/utils/payment-authorizations.server";

const Uuid = z.uuid();
const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");
const IsoDate = z.iso.date();

/** The account and creditor facts every notice carries. */
const Contacts = {
  account_id: Uuid,
  currency: z.string().length(3),
  reference_last4: z.string().min(1),
  creditor: NoticeCreditorSchema,
};

type ContactFacts = { account_id: string; currency: string; reference_last4: string; creditor: z.output<typeof Contacts.creditor> };

function base(notice: ContactFacts, language: Language): AutopayEmailBase {
  return {
    language,
    region: notice.creditor.region,
    currency: notice.currency,
    creditorName: notice.creditor.name,
    contact: { supportPhone: notice.creditor.support_phone, supportEmail: notice.creditor.support_email },
    referenceLast4: notice.reference_last4,
    accountId: notice.account_id,
  };
}

const AutomaticNoticeSchema = z
  .object({
    ...Contacts,
    payment_id: Uuid,
    arrangement_id: Uuid,
    status: z.string(),
    failure_code: z.string().nullable(),
    attempt: z.number().int(),
    amount_minor: Minor,
    due_on: IsoDate,
    next_attempt_on: IsoDate.nullable(),
    installment_status: z.string(),
    arrangement_status: z.string(),
    latest_attempt: z.number().int(),
  })
  .nullable();

/**
 * For an automatic payment that did not go through: the email that says what happens next
 * (confirm with the bank, we try again, or pay it yourself). Null when it no longer applies:
 * the payment is not a failed automatic one (or went through since), its installment was paid
 * since, its plan is no longer active, or a later attempt was made (which has its own email).
 */
export async function automaticPaymentNoticeMessage(paymentId: string, language: Language): Promise<OutboxRendered | null> {
  const notice = await rpc("automatic_payment_notice", { p_payment_id: Uuid.parse(paymentId) }, AutomaticNoticeSchema);
  if (!notice || notice.status !== "failed") return null;
  if (notice.installment_status === "paid" || notice.arrangement_status !== "active" || notice.latest_attempt > notice.attempt) return null;
  const common = { ...base(notice, language), amountMinor: notice.amount_minor, dueOn: notice.due_on };
  if (notice.failure_code === "authentication_required") return confirmAutomaticPaymentMessage(common);
  return automaticPaymentFailedMessage({ ...common, nextAttemptOn: notice.next_attempt_on });
}

const PaidOffNoticeSchema = z
  .object({
    ...Contacts,
    arrangement_id: Uuid,
    total_paid_minor: Minor,
    last_payment_on: IsoDate,
    balance_minor: Minor,
  })
  .nullable();

/** The paid-off confirmation of a completed plan; null unless the plan is completed. */
export async function planPaidOffNoticeMessage(arrangementId: string, language: Language): Promise<OutboxRendered | null> {
  const notice = await rpc("completed_arrangement_notice", { p_arrangement_id: Uuid.parse(arrangementId) }, PaidOffNoticeSchema);
  if (!notice) return null;
  return planPaidOffMessage({
    ...base(notice, language),
    totalPaidMinor: notice.total_paid_minor,
    balanceMinor: Math.max(notice.balance_minor, 0),
    lastPaymentOn: notice.last_payment_on,
  });
}

const AuthorizationNoticeSchema = z
  .object({
    ...Contacts,
    authorization_id: Uuid,
    method_type: z.enum(["card", "us_bank_account"]),
    method_label: z.string().nullable(),
    method_last4: z.string().regex(/^\d{4}$/),
    terms_body: z.string().min(1),
    installments: z.array(z.object({ due_on: IsoDate, amount_minor: Minor })),
  })
  .nullable();

/** The authorization the borrower gave, with the words agreed; null unless it is active (stopped or replaced since). */
export async function authorizationNoticeMessage(authorizationId: string, language: Language): Promise<OutboxRendered | null> {
  const notice = await rpc("payment_authorization_notice", { p_authorization_id: Uuid.parse(authorizationId) }, AuthorizationNoticeSchema);
  if (!notice) return null;
  return autopayAuthorizationMessage({
    ...base(notice, language),
    methodText: await methodText({ type: notice.method_type, label: notice.method_label, last4: notice.method_last4 }, language),
    termsLines: notice.terms_body.split("\n"),
    installments: notice.installments.map((i) => ({ dueOn: i.due_on, amountMinor: i.amount_minor })),
  });
}
