/**
 * The written confirmation of a debt advice declaration (issue 7 item 3; ADR 008), in the
 * borrower's language: the facts come from the database (`api.debt_advice_notice`), the words
 * from emails/debt-advice-received.tsx. The outbox sends it (ADR 014): api.declare_debt_advice's
 * audit event queues the message in the same transaction (migration
 * 20261128001900_outbox_notices.sql) and the template `debt_advice.received`
 * (app/utils/outbox-templates/debt-advice-received.server.ts) renders it with these.
 */
import { z } from "zod";
import { debtAdviceReceivedEmail } from "~emails/debt-advice-received";
import { formatPhoneNumber } from "~/domain/phone";
import { i18nServer } from "~/i18n/i18next.server";
import { getEmailT } from "~/services/email/t.server";
import { rpc } from "~/services/supabase/rpc.server";
import { dayIn, formatCalendarDate } from "~/utils/borrower-format.server";
import { DEBT_ADVICE_KINDS, type DebtAdviceKind } from "~/utils/debt-advice";
import { getEnv } from "~/utils/env.server";
import { OutboxAccountSchema, type OutboxRendered } from "~/utils/outbox-templates/types.server";
import type { RequestEmailBase } from "~/utils/request-email.server";

const Uuid = z.uuid();

/** We have the borrower's declaration; collection is paused until the end of pausedUntilOn (an ISO date). */
export async function debtAdviceReceivedMessage(
  input: RequestEmailBase & { declarationId: string; kind: DebtAdviceKind; pausedUntilOn: string; contactShared: boolean },
): Promise<OutboxRendered> {
  const env = getEnv();
  const [t, at, accountT] = await Promise.all([
    getEmailT(input.language),
    i18nServer.getFixedT(input.language, "advice"),
    i18nServer.getFixedT(input.language, "account"),
  ]);
  const contact = [formatPhoneNumber(input.contact.supportPhone), input.contact.supportEmail].filter(Boolean).join(", ");
  return debtAdviceReceivedEmail({
    t,
    at,
    lang: input.language,
    appUrl: env.APP_URL,
    creditorName: input.creditorName,
    creditorContact: contact || null,
    referenceText: accountT("referenceEnding", { last4: input.referenceLast4 }),
    kind: input.kind,
    pausedUntilText: formatCalendarDate(input.pausedUntilOn, input.language, input.region),
    contactShared: input.contactShared,
    adviserUrl: new URL(`/account/${input.accountId}/help/adviser`, env.APP_URL).toString(),
  });
}

const NoticeSchema = OutboxAccountSchema.extend({
  declaration_id: Uuid,
  kind: z.enum(DEBT_ADVICE_KINDS),
  ends_at: z.coerce.date(),
  contact_shared: z.boolean(),
}).nullable();

/** The confirmation of an active declaration; null when it no longer applies (ended). */
export async function debtAdviceNoticeMessage(declarationId: string): Promise<OutboxRendered | null> {
  const notice = await rpc("debt_advice_notice", { p_declaration_id: Uuid.parse(declarationId) }, NoticeSchema);
  if (!notice) return null;
  return debtAdviceReceivedMessage({
    language: notice.borrower.language,
    region: notice.creditor.region,
    currency: notice.currency,
    creditorName: notice.creditor.name,
    contact: { supportPhone: notice.creditor.support_phone, supportEmail: notice.creditor.support_email },
    referenceLast4: notice.reference_last4,
    accountId: notice.account_id,
    declarationId: notice.declaration_id,
    kind: notice.kind,
    // The last paused day: the instant is midnight at the start of the day after.
    pausedUntilOn: dayIn(new Date(notice.ends_at.getTime() - 1), notice.creditor.time_zone),
    contactShared: notice.contact_shared,
  });
}
