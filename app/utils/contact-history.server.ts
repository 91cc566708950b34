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

/** Newest first, at most `limit` (1 to 200). Throws the rpc error PT404 when the account does not exist, PT403 for a stale staff member. */
export async function accountMessages(staff: Staff, accountId: string, limit = 200): Promise<ContactMessage[]> {
  return rpc("account_messages", { p_staff_id: staff.id, p_account_id: accountId, p_limit: limit }, z.array(MessageSchema));
}

/** One message as the console shows it, in the staff member's language. */
export interface ContactLine {
  id: string;
  /** When it was written (queued), in the creditor's time zone. */
  when: string;
  /** Which message ("Plan decision"). */
  what: string;
  /** Outreach or requested. */
  kind: string;
  state: ContactMessage["state"];
  stateLabel: string;
  /** When it went, when it waits until, attempts, the provider's error, why it was not sent: what applies, joined by " · ". */
  detail: string;
}

export interface ContactHistoryOptions {
  language: Language;
  /** The creditor's time zone: the times are written in it. */
  timeZone: string;
  /** How many, newest first (default 200, the most there is). */
  limit?: number;
  /** What counts as now ("waits until" is said only of a time still to come). */
  now?: Date;
}

/**
 * The contact history of an account, a line per message: the account page shows it all, the
 * review pages' "earlier contacts" the latest 10. Same rpc errors as accountMessages.
 */
export async function contactHistory(staff: Staff, accountId: string, options: ContactHistoryOptions): Promise<ContactLine[]> {
  const { language, timeZone, limit = 200, now = new Date() } = options;
  const [messages, t] = await Promise.all([accountMessages(staff, accountId, limit), i18nServer.getFixedT(language, "ops")]);
  const dateTime = new Intl.DateTimeFormat(intlLocale(language), { dateStyle: "medium", timeStyle: "short", timeZone });
  return messages.map((m) => ({
    id: m.id,
    when: dateTime.format(m.created_at),
    what: t(`account.messages.template.${m.template}`, { defaultValue: m.template }),
    kind: t(`account.messages.category.${m.category}`),
    state: m.state,
    stateLabel: t(`account.messages.state.${m.state}`),
    detail: [
      m.sent_at ? t("account.messages.sentAt", { when: dateTime.format(m.sent_at) }) : null,
      m.state === "queued" && m.not_before && m.not_before > now ? t("account.messages.waitsUntil", { when: dateTime.format(m.not_before) }) : null,
      m.attempts > 1 || m.state === "failed" ? t("account.messages.attempts", { count: m.attempts }) : null,
      m.last_error_code && m.state !== "sent" ? t("account.messages.error", { code: m.last_error_code }) : null,
      m.cancel_reason ? t(`account.messages.reason.${m.cancel_reason}`, { defaultValue: m.cancel_reason }) : null,
    ]
      .filter(Boolean)
      .join(" · "),
  }));
}

/** The latest messages for a review page's "earlier contacts". */
export function recentContacts(staff: Staff, accountId: string, language: Language, timeZone: string, limit = 10): Promise<ContactLine[]> {
  return contactHistory(staff, accountId, { language, timeZone, limit });
}
