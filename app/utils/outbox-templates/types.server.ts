/**
 * What an outbox template is (ADR 014): the sender claims a message, finds its template by
 * name in the registry (./index.server.ts) and asks it for the email. A template reads what
 * it needs from the database when it renders (the message's `params` hold ids only), so a
 * message shows the facts as they are when it goes.
 */
import type { ReactElement } from "react";
import { z } from "zod";
import type { EmailT } from "~emails/layout";
import { formatPhoneNumber } from "~/domain/phone";
import { supportedLanguages, type Language } from "~/i18n/config";

/** The creditor as the email notices read it (api.*_notice functions): who we are, how to reach a person. */
export const NoticeCreditorSchema = z.object({
  name: z.string().min(1),
  region: z.string().regex(/^[A-Z]{2}$/),
  support_phone: z.string().min(1),
  support_email: z.string().nullable(),
});

/** The same with the creditor's time zone (dates and times in its zone). */
export const NoticeCreditorWithZoneSchema = NoticeCreditorSchema.extend({ time_zone: z.string().min(1) });

/** The borrower as the email notices read them: the address on file now and their language. */
export const NoticeBorrowerSchema = z.object({ email: z.string().nullable(), language: z.enum(supportedLanguages) });

/** The footer's "how to reach a person": "(212) 555-0100, help@northwind.example"; null when there is neither. */
export function emailContactLine(creditor: { support_phone: string; support_email: string | null }): string | null {
  return [formatPhoneNumber(creditor.support_phone), creditor.support_email].filter(Boolean).join(", ") || null;
}

/** The facts of the account a message is about (app.account_notice_json), when it is about one. */
export const OutboxAccountSchema = z.object({
  account_id: z.uuid(),
  currency: z.string().length(3),
  reference_last4: z.string(),
  creditor: NoticeCreditorWithZoneSchema,
  borrower: NoticeBorrowerSchema,
});
export type OutboxAccount = z.infer<typeof OutboxAccountSchema>;

/** Params values: ids, codes, integers, booleans, dates (app.message_params_are_valid). */
const ParamValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** One claimed message, as api.outbox_claim returns it. */
export const OutboxMessageSchema = z.object({
  id: z.uuid(),
  template: z.string().min(1),
  category: z.enum(["requested", "outreach"]),
  channel: z.literal("email"),
  borrower_id: z.uuid().nullable(),
  account_id: z.uuid().nullable(),
  staff_id: z.uuid().nullable(),
  params: z.record(z.string(), ParamValue),
  dedupe_key: z.string(),
  /** Attempts started, this one included (1 on the first). */
  attempts: z.number().int().min(1),
  created_at: z.coerce.date(),
  /** The recipient's address now: the borrower's email, or the staff member's. */
  to_address: z.string().min(3),
  /** The recipient's language now (the borrower's; English for staff). */
  language: z.enum(supportedLanguages),
  /** The borrower's time zone (UTC for staff). */
  time_zone: z.string().min(1),
  account: OutboxAccountSchema.nullable(),
});
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;

/** What a template gets besides the message. */
export interface OutboxRenderContext {
  /** The language to write in (= message.language). */
  language: Language;
  /** Email strings in that language (namespace `email`). */
  t: EmailT;
  /** The portal's public address (APP_URL). */
  appUrl: string;
  /** Outreach only: the one-tap opt-out link, for a template that shows it in its body (`showsStopLink`); the List-Unsubscribe header carries the same. */
  unsubscribeUrl: string | null;
  /** The moment the sender counts as now. */
  now: Date;
}

/** The email a template makes: as React Email templates in emails/ return it (`xxxEmail(props)`). */
export interface OutboxRendered {
  subject: string;
  react: ReactElement;
}

export interface OutboxTemplate {
  /**
   * The email for this message, or null when it no longer applies (e.g. the payment a
   * reminder is about was made): the message is then cancelled (reason `not_applicable`),
   * not sent. Throwing counts as a failed attempt (retried).
   */
  render(message: OutboxMessage, context: OutboxRenderContext): Promise<OutboxRendered | null>;
  /**
   * True when the email itself shows the one-tap link to stop reminders (the reminders, from
   * `context.unsubscribeUrl`): the footer then does not repeat it. Otherwise the sender puts
   * the link in the footer of every email to a borrower.
   */
  showsStopLink?: boolean;
}

/** Template name → template. */
export type OutboxTemplates = Readonly<Record<string, OutboxTemplate>>;
