/**
 * The written confirmation of an agreed plan, settlement or promise (issue 5 item 6): the
 * same terms lines the borrower agreed to, and the schedule, in their language. A request
 * waiting for staff review says when we will reply.
 *
 * The outbox sends it (ADR 014): the agreement's audit event (arrangement.agreed, or
 * plan_offer.accepted for a counter-offer) queues one message per arrangement in the same
 * transaction (migration 20261128002050_plan_confirmation_notice.sql, template
 * `plan.confirmation`), and the route nudges the sender once the agreement has committed.
 * The facts come from the database (api.arrangement_confirmation_notice) when the message
 * goes: the terms are the consent's stored text, never rendered again.
 */
import { z } from "zod";
import { arrangementConfirmationEmail, type ArrangementEmailStatus, type ArrangementKind } from "~emails/arrangement-confirmation";
import { formatMoney } from "~/domain/money";
import { formatPhoneNumber } from "~/domain/phone";
import { intlLocale, supportedLanguages, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { getEmailT } from "~/services/email/t.server";
import { rpc } from "~/services/supabase/rpc.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { getEnv } from "~/utils/env.server";
import { OutboxAccountSchema, type OutboxRendered } from "~/utils/outbox-templates/types.server";

/** What the confirmation says, as facts: the builder formats them in `language`. */
export interface ArrangementConfirmationInput {
  accountId: string;
  language: Language;
  kind: ArrangementKind;
  status: ArrangementEmailStatus;
  /** The last day of the review (YYYY-MM-DD, the creditor's zone); shown only while pending_review. */
  reviewDueOn: string | null;
  totalMinor: number;
  currency: string;
  installments: ReadonlyArray<{ dueOn: string; amountMinor: number }>;
  /** The exact terms agreed to, as plain-text lines (the consent's text split on "\n"). */
  termsLines: readonly string[];
  referenceLast4: string;
  creditor: { name: string; region: string; supportPhone: string; supportEmail: string | null };
}

/** The confirmation email for these facts (subject and element), in the input's language. */
export async function arrangementConfirmationMessage(input: ArrangementConfirmationInput): Promise<OutboxRendered> {
  const { language, creditor } = input;
  const env = getEnv();
  const [t, accountT] = await Promise.all([getEmailT(language), i18nServer.getFixedT(language, "account")]);
  const locale = intlLocale(language, creditor.region);
  const money = (minor: number) => formatMoney(minor, input.currency, locale);
  const date = (iso: string) => formatCalendarDate(iso, language, creditor.region);
  const contact = [formatPhoneNumber(creditor.supportPhone), creditor.supportEmail].filter(Boolean).join(", ");
  return arrangementConfirmationEmail({
    t,
    lang: language,
    appUrl: env.APP_URL,
    creditorName: creditor.name,
    creditorContact: contact || null,
    kind: input.kind,
    status: input.status,
    reviewDueOn: input.status === "pending_review" && input.reviewDueOn ? date(input.reviewDueOn) : null,
    totalText: money(input.totalMinor),
    installments: input.installments.map((installment) => ({ dateText: date(installment.dueOn), amountText: money(installment.amountMinor) })),
    termsLines: [...input.termsLines],
    manageUrl: new URL(`/account/${input.accountId}/my-plan`, env.APP_URL).toString(),
    referenceText: accountT("referenceEnding", { last4: input.referenceLast4 }),
  });
}

const Uuid = z.uuid();

const NoticeSchema = OutboxAccountSchema.extend({
  arrangement_id: Uuid,
  kind: z.enum(["plan", "settlement", "promise"]),
  status: z.enum(["pending_review", "active", "declined", "completed", "cancelled", "broken"]),
  total_minor: z.number().int().positive(),
  review_due_on: z.iso.date().nullable(),
  installments: z.array(z.object({ due_on: z.iso.date(), amount_minor: z.number().int().positive() })).min(1),
  terms: z.object({ version: z.string(), language: z.enum(supportedLanguages), body: z.string().min(1) }),
}).nullable();
export type ArrangementConfirmationNotice = NonNullable<z.output<typeof NoticeSchema>>;

/** The facts of an arrangement for its confirmation; null for an unknown id. */
export async function getArrangementConfirmationNotice(arrangementId: string): Promise<ArrangementConfirmationNotice | null> {
  return rpc("arrangement_confirmation_notice", { p_arrangement_id: Uuid.parse(arrangementId) }, NoticeSchema);
}

/**
 * The confirmation of an arrangement as it is now, in the borrower's language: null (the
 * message is cancelled, not sent) when the arrangement is unknown or no longer live
 * (declined, cancelled, completed or broken before it went: "it is set up" would be untrue,
 * and those changes have their own words).
 */
export async function arrangementConfirmationNoticeMessage(arrangementId: string): Promise<OutboxRendered | null> {
  const notice = await getArrangementConfirmationNotice(arrangementId);
  if (!notice || (notice.status !== "active" && notice.status !== "pending_review")) return null;
  return arrangementConfirmationMessage({
    accountId: notice.account_id,
    language: notice.borrower.language,
    kind: notice.kind,
    status: notice.status,
    reviewDueOn: notice.review_due_on,
    totalMinor: notice.total_minor,
    currency: notice.currency,
    installments: notice.installments.map((i) => ({ dueOn: i.due_on, amountMinor: i.amount_minor })),
    termsLines: notice.terms.body.split("\n"),
    referenceLast4: notice.reference_last4,
    creditor: {
      name: notice.creditor.name,
      region: notice.creditor.region,
      supportPhone: notice.creditor.support_phone,
      supportEmail: notice.creditor.support_email,
    },
  });
}
