/**
 * The console's contact history (issue 9 item 8): every message about an account (and the
 * sign-in links to its borrower), its state and why it did not go, from the outbox
 * (ADR 014). No addresses or bodies: what was said is in the template, who it went to is on
 * the account page.
 */
import { z } from "zod";
import { intlLocale, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { rpc } from "~/services/supabase/rpc.server";
import type { Staff } from "~/utils/staff-session.server";

export const MESSAGE_STATES = ["queued", "sending", "sent", "failed", "cancelled"] as const;

const Timestamp = z.coerce.date();

const MessageSchema = z.object({
  id: z.uuid(),
  template: z.string().min(1),
  category: z.enum(["requested", "outreach"]),
  channel: z.string().min(1),
  state: z.enum(MESSAGE_STATES),
  created_at: Timestamp,
  not_before: Timestamp.nullable(),
  sent_at: Timestamp.nullable(),
  attempts: z.number().int().nonnegative(),
  language: z.string().nullable(),
  last_error_code: z.string().nullable(),
  cancel_reason: z.string().nullable(),
});
export type ContactMessage = z.output<typeof MessageSchema>;

/** Newest first, at most 200. Throws the rpc error PT404 when the account does not exist, PT403 for a stale staff member. */
export async function accountMessages(staff: Staff, accountId: string): Promise<ContactMessage[]> {
  return rpc("account_messages", { p_staff_id: staff.id, p_account_id: accountId }, z.array(MessageSchema));
}

/** The latest messages in a line each (when, which message, its state), for the review pages' "earlier contacts". */
export async function recentContacts(staff: Staff, accountId: string, language: Language, timeZone: string, limit = 10) {
  const [messages, t] = await Promise.all([accountMessages(staff, accountId), i18nServer.getFixedT(language, "ops")]);
  const when = new Intl.DateTimeFormat(intlLocale(language), { dateStyle: "medium", timeStyle: "short", timeZone });
  return messages.slice(0, limit).map((m) => ({
    id: m.id,
    when: when.format(m.sent_at ?? m.created_at),
    what: t(`account.messages.template.${m.template}`, { defaultValue: m.template }),
    state: t(`account.messages.state.${m.state}`),
    reason: m.cancel_reason ? t(`account.messages.reason.${m.cancel_reason}`, { defaultValue: m.cancel_reason }) : null,
  }));
}
