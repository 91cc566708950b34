/**
 * Reminders (issue 9 item 3; ADR 014): the jobs step that queues them, and the renderers the
 * outbox sender calls when one goes.
 *
 * - queueReminders(): `api.queue_reminders`, once per jobs pass, before the sender. It writes
 *   each reminder to the outbox once (dedupe key per installment); the sender
 *   then applies consent, opt-out, pause, paid, hours and the attempts cap.
 * - the outbox templates `reminder.upcoming` and `reminder.missed`
 *   (registered in app/utils/outbox-templates/index.server.ts): they read the facts through
 *   `api.reminder_notice` when the message goes (never from its params: they hold ids
 *   only), in the borrower's language, and return the email, or null when the reminder no
 *   longer applies (paid since, plan ended, paused, date passed):
 *   the sender then cancels it.
 */
import { reminderMissedEmail } from "~emails/reminder-missed";
import { reminderUpcomingEmail } from "~emails/reminder-upcoming";
import type { ReminderEmailCommonProps } from "~emails/reminder-parts";
import { z } from "zod";
import { formatMoney } from "~/domain/money";
import { intlLocale } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { rpc } from "~/services/supabase/rpc.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { emailContactLine, NoticeBorrowerSchema, NoticeCreditorWithZoneSchema, type OutboxMessage, type OutboxRenderContext, type OutboxTemplate } from "~/utils/outbox-templates/types.server";
import { methodText } from "~/utils/payment-authorizations.server";

export const REMINDER_TEMPLATES = ["reminder.upcoming", "reminder.missed"] as const;
export type ReminderTemplate = (typeof REMINDER_TEMPLATES)[number];

const Uuid = z.uuid();
const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");
const IsoDate = z.iso.date();
const Count = z.number().int().min(0);

// ---------------------------------------------------------------------------------------
// Queueing

const QueuedSchema = z.object({
  "reminder.upcoming": Count,
  "reminder.amount_changed": Count,
  "reminder.missed": Count,
});

/** New reminders queued by one pass, per kind (amountChanged: the 10-days-ahead notice of a different automatic amount). */
export interface RemindersReport {
  upcoming: number;
  amountChanged: number;
  missed: number;
}

/**
 * Queues the reminders due now. today (YYYY-MM-DD) is the date for every creditor (tests,
 * `npm run jobs -- --today`); without it, each creditor's own date.
 */
export async function queueReminders(options: { today?: string; now?: Date } = {}): Promise<RemindersReport> {
  const args: Record<string, unknown> = { p_today: options.today === undefined ? null : IsoDate.parse(options.today) };
  if (options.now) args.p_now = options.now.toISOString();
  const counts = await rpc("queue_reminders", args, QueuedSchema);
  return {
    upcoming: counts["reminder.upcoming"],
    amountChanged: counts["reminder.amount_changed"],
    missed: counts["reminder.missed"],
  };
}

// ---------------------------------------------------------------------------------------
// Rendering

const NoticeSchema = z
  .object({
    installment_id: Uuid,
    account_id: Uuid,
    arrangement_id: Uuid,
    seq: z.number().int().min(1),
    installments_total: z.number().int().min(1),
    due_on: IsoDate,
    amount_minor: Minor,
    paid_minor: Minor,
    left_minor: Minor,
    currency: z.string().length(3),
    today: IsoDate,
    automatic: z.boolean(),
    method: z.object({ type: z.enum(["card", "us_bank_account"]), label: z.string().nullable(), last4: z.string().regex(/^\d{4}$/) }).nullable(),
    sendable: z.boolean(),
    reference_last4: z.string().min(1),
    creditor: NoticeCreditorWithZoneSchema,
    borrower: NoticeBorrowerSchema,
  })
  .nullable();

type Notice = NonNullable<z.output<typeof NoticeSchema>>;

/** `due_on`: the date the reminder was queued for (the installment's date then). */
const ParamsSchema = z.object({ installment_id: Uuid, due_on: IsoDate.optional() });

async function loadNotice(message: Pick<OutboxMessage, "params">): Promise<Notice | null> {
  const params = ParamsSchema.parse(message.params);
  const notice = await rpc("reminder_notice", { p_installment_id: params.installment_id }, NoticeSchema);
  if (!notice || !notice.sendable) return null;
  // The payment's date moved since (a pause ended, the borrower moved it): a reminder for the
  // new date is queued under its own key; this one no longer applies.
  if (params.due_on !== undefined && params.due_on !== notice.due_on) return null;
  return notice;
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
function calendarDay(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}

/** Translations, formats and links every reminder needs, in the borrower's language. */
async function prepare(notice: Notice, { language, t, appUrl, unsubscribeUrl, now }: OutboxRenderContext) {
  const [r, accountT] = await Promise.all([i18nServer.getFixedT(language, "reminders"), i18nServer.getFixedT(language, "account")]);
  const locale = intlLocale(language, notice.creditor.region);
  const contact = emailContactLine(notice.creditor);
  const url = (page: string) => new URL(`/account/${notice.account_id}/${page}`, appUrl).toString();
  const common: ReminderEmailCommonProps = {
    t,
    r,
    lang: language,
    appUrl,
    creditorName: notice.creditor.name,
    creditorContact: contact,
    referenceText: accountT("referenceEnding", { last4: notice.reference_last4 }),
    planUrl: url("my-plan"),
    helpUrl: url("help"),
    place: notice.installments_total > 1 ? { seq: notice.seq, total: notice.installments_total } : null,
    unsubscribeUrl,
  };
  return {
    common,
    /** Today in the creditor's zone, as the sender counts now. */
    today: calendarDay(now, notice.creditor.time_zone),
    money: (minor: number) => formatMoney(minor, notice.currency, locale),
    date: (iso: string) => formatCalendarDate(iso, language, notice.creditor.region),
    url,
    method: async () => (notice.method ? methodText(notice.method, language) : null),
  };
}

/**
 * `reminder.upcoming` (outreach): before a payment, and the 10-days-ahead notice of an
 * automatic payment of a different amount. Params: `{ installment_id, notice, ... }`.
 */
export const reminderUpcomingTemplate: OutboxTemplate = {
  showsStopLink: true,
  async render(message, context) {
    const notice = await loadNotice(message);
    if (!notice) return null;
    const { common, today, money, date, url, method } = await prepare(notice, context);
    // Its date passed before it could go (held by the attempts cap): the missed reminder covers it.
    if (notice.due_on < today) return null;
    const automaticMethodText = notice.automatic ? ((await method()) ?? "") : null;
    return reminderUpcomingEmail({
      ...common,
      amountText: money(notice.left_minor),
      dueText: date(notice.due_on),
      automaticMethodText,
      changed: notice.automatic && notice.paid_minor > 0 ? { agreedText: money(notice.amount_minor), paidText: money(notice.paid_minor) } : null,
      moveUrl: `${url("my-plan/move")}?installment=${notice.installment_id}`,
    });
  },
};

/** `reminder.missed` (outreach): after a payment's date passed unpaid. Params: `{ installment_id, ... }`. */
export const reminderMissedTemplate: OutboxTemplate = {
  showsStopLink: true,
  async render(message, context) {
    const notice = await loadNotice(message);
    if (!notice) return null;
    const { common, today, money, date } = await prepare(notice, context);
    if (notice.due_on >= today) return null;
    return reminderMissedEmail({ ...common, amountText: money(notice.left_minor), dueText: date(notice.due_on) });
  },
};
