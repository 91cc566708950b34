/**
 * The written confirmation of an agreed plan, settlement or promise (issue 5 item 6): the
 * same terms lines the borrower agreed to, and the schedule, in their language. Sent once per
 * arrangement (the idempotency key is the arrangement id), after the agreement is stored.
 */
import { arrangementConfirmationEmail } from "~emails/arrangement-confirmation";
import type { EvaluatedChoice } from "~/domain/arrangement-choice";
import { formatMoney } from "~/domain/money";
import { formatPhoneNumber } from "~/domain/phone";
import { intlLocale, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { getEmailT } from "~/services/email/t.server";
import { emailIdempotencyKey, sendEmail, type SendEmailResult } from "~/services/email/send.server";
import type { Terms, TermsAccount } from "~/utils/arrangement-terms.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { getEnv } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";

export interface ArrangementConfirmationInput {
  arrangementId: string;
  accountId: string;
  to: string;
  language: Language;
  status: "active" | "pending_review";
  choice: EvaluatedChoice;
  terms: Terms;
  account: TermsAccount;
  contact: { supportPhone: string; supportEmail: string | null };
}

export async function sendArrangementConfirmation(input: ArrangementConfirmationInput): Promise<SendEmailResult> {
  const { choice, account, language } = input;
  const env = getEnv();
  const [t, accountT] = await Promise.all([getEmailT(language), i18nServer.getFixedT(language, "account")]);
  const locale = intlLocale(language, account.region);
  const money = (minor: number) => formatMoney(minor, account.currency, locale);
  const date = (iso: string) => formatCalendarDate(iso, language, account.region);
  const contact = [formatPhoneNumber(input.contact.supportPhone), input.contact.supportEmail].filter(Boolean).join(", ");
  const result = await sendEmail({
    to: input.to,
    idempotencyKey: emailIdempotencyKey("arrangement-confirmation", input.arrangementId),
    tags: [{ name: "kind", value: "arrangement-confirmation" }],
    ...arrangementConfirmationEmail({
      t,
      lang: language,
      appUrl: env.APP_URL,
      creditorName: account.creditorName,
      creditorContact: contact || null,
      kind: choice.kind,
      status: input.status,
      reviewDueOn: input.status === "pending_review" && choice.reviewDueOn ? date(choice.reviewDueOn) : null,
      totalText: money(choice.totalMinor),
      installments: choice.installments.map((installment) => ({ dateText: date(installment.dueOn), amountText: money(installment.amountMinor) })),
      termsLines: input.terms.lines,
      manageUrl: new URL(`/account/${input.accountId}/my-plan`, env.APP_URL).toString(),
      referenceText: accountT("referenceEnding", { last4: account.referenceLast4 }),
    }),
  });
  if (result.status === "error") logger.warn("arrangement.confirmation_email_failed", { arrangementId: input.arrangementId, code: result.code });
  return result;
}
