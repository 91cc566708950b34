/**
 * What the borrower is told after money moves (issue 6 items 4-6), each email once: its
 * idempotency key is built from the payment, arrangement or authorization it is about, so a
 * replayed webhook, the second event of one payment, or the sweep and the webhook both
 * reporting the same charge never send a second one.
 *
 * - after a payment: the receipt (when it succeeded), the paid-off confirmation (when it
 *   completed the plan), and for an automatic payment that did not go through, either "we
 *   will try again on …" / "please pay it yourself" or "your bank asks you to confirm";
 * - after a saved payment method is activated: the authorization with its exact words.
 *
 * The facts come from the database (`api.*_notice` functions), never from the request that
 * triggered the email. Sends run in the background; errors are logged with ids only.
 */
import { z } from "zod";
import { supportedLanguages } from "~/i18n/config";
import { rpc } from "~/services/supabase/rpc.server";
import type { SendEmailResult } from "~/services/email/send.server";
import { sendAutomaticPaymentFailed, sendAutopayAuthorization, sendConfirmAutomaticPayment, sendPlanPaidOff } from "~/utils/autopay-email.server";
import { queueEmail, settleQueuedEmails } from "~/utils/background-email.server";
import { methodText } from "~/utils/payment-authorizations.server";
import { sendPaymentReceipt } from "~/utils/payment-receipt.server";

const Uuid = z.uuid();
const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");
const IsoDate = z.iso.date();

const Contacts = {
  reference_last4: z.string().min(1),
  creditor: z.object({
    name: z.string().min(1),
    region: z.string().regex(/^[A-Z]{2}$/),
    support_phone: z.string().min(1),
    support_email: z.string().nullable(),
  }),
  borrower: z.object({ email: z.string().nullable(), language: z.enum(supportedLanguages) }),
};

function base(notice: { account_id: string; currency: string } & { [K in keyof typeof Contacts]: z.output<(typeof Contacts)[K]> }, to: string) {
  return {
    to,
    language: notice.borrower.language,
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
    payment_id: Uuid,
    account_id: Uuid,
    arrangement_id: Uuid,
    status: z.string(),
    failure_code: z.string().nullable(),
    attempt: z.number().int(),
    amount_minor: Minor,
    currency: z.string().length(3),
    due_on: IsoDate,
    next_attempt_on: IsoDate.nullable(),
    ...Contacts,
  })
  .nullable();

/** For an automatic payment that did not go through: the email that says what happens next. */
export async function sendAutomaticPaymentNotice(paymentId: string): Promise<SendEmailResult | null> {
  const notice = await rpc("automatic_payment_notice", { p_payment_id: Uuid.parse(paymentId) }, AutomaticNoticeSchema);
  const to = notice?.borrower.email;
  if (!notice || !to || notice.status !== "failed") return null;
  const common = { ...base(notice, to), paymentId: notice.payment_id, amountMinor: notice.amount_minor, dueOn: notice.due_on };
  if (notice.failure_code === "authentication_required") return sendConfirmAutomaticPayment(common);
  return sendAutomaticPaymentFailed({ ...common, nextAttemptOn: notice.next_attempt_on });
}

const PaidOffNoticeSchema = z
  .object({
    arrangement_id: Uuid,
    account_id: Uuid,
    total_paid_minor: Minor,
    currency: z.string().length(3),
    last_payment_on: IsoDate,
    balance_minor: Minor,
    ...Contacts,
  })
  .nullable();

/** When this payment completed a plan: the paid-off confirmation. */
export async function sendPlanPaidOffNotice(paymentId: string): Promise<SendEmailResult | null> {
  const arrangementId = await rpc("payment_completed_arrangement", { p_payment_id: Uuid.parse(paymentId) }, Uuid.nullable());
  if (!arrangementId) return null;
  const notice = await rpc("completed_arrangement_notice", { p_arrangement_id: arrangementId }, PaidOffNoticeSchema);
  const to = notice?.borrower.email;
  if (!notice || !to) return null;
  return sendPlanPaidOff({
    ...base(notice, to),
    arrangementId: notice.arrangement_id,
    totalPaidMinor: notice.total_paid_minor,
    balanceMinor: Math.max(notice.balance_minor, 0),
    lastPaymentOn: notice.last_payment_on,
  });
}

/** Every email one payment may call for; each decides from the database whether it applies. */
export async function sendPaymentEmails(paymentId: string): Promise<void> {
  await sendPaymentReceipt(paymentId);
  await sendPlanPaidOffNotice(paymentId);
  await sendAutomaticPaymentNotice(paymentId);
}

const AuthorizationNoticeSchema = z
  .object({
    authorization_id: Uuid,
    account_id: Uuid,
    method_type: z.enum(["card", "us_bank_account"]),
    method_label: z.string().nullable(),
    method_last4: z.string().regex(/^\d{4}$/),
    terms_body: z.string().min(1),
    currency: z.string().length(3),
    installments: z.array(z.object({ due_on: IsoDate, amount_minor: Minor })),
    ...Contacts,
  })
  .nullable();

/** The authorization the borrower gave, once it is active (the method is saved). */
export async function sendAuthorizationEmail(authorizationId: string): Promise<SendEmailResult | null> {
  const notice = await rpc("payment_authorization_notice", { p_authorization_id: Uuid.parse(authorizationId) }, AuthorizationNoticeSchema);
  const to = notice?.borrower.email;
  if (!notice || !to) return null;
  return sendAutopayAuthorization({
    ...base(notice, to),
    authorizationId: notice.authorization_id,
    methodText: await methodText({ type: notice.method_type, label: notice.method_label, last4: notice.method_last4 }, notice.borrower.language),
    termsLines: notice.terms_body.split("\n"),
    installments: notice.installments.map((i) => ({ dueOn: i.due_on, amountMinor: i.amount_minor })),
  });
}

// ---------------------------------------------------------------------------------------
// In the background

/**
 * Starts the payment's emails in the background and returns at once; never throws. Stripe
 * sends two events per Checkout payment and the sweep reports what the webhook reports too:
 * sends for one payment wait for each other, and the idempotency keys keep each to one email.
 */
export function queuePaymentEmails(paymentId: string): void {
  queueEmail(`payment/${paymentId}`, () => sendPaymentEmails(paymentId), "payment.email_failed", { paymentId });
}

export function queueAuthorizationEmail(authorizationId: string): void {
  queueEmail(`authorization/${authorizationId}`, () => sendAuthorizationEmail(authorizationId), "autopay.email_failed", { authorizationId });
}

/** Resolves once every email this process has queued has finished (tests, shutdown, jobs). */
export const settlePaymentEmails = settleQueuedEmails;
