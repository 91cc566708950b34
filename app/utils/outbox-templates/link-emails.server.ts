/**
 * The sign-in link emails (requested; ADR 014, ADR 003, ADR 012), queued by the function that
 * creates the link (migration 20261128002100_link_emails.sql). Params: `{ link_id }` (and the
 * page's `language` for a staff sign-in link). The token is in no table: it is derived again
 * here from the link's id (app/utils/link-token.server.ts), so every attempt sends the same
 * email with the same link.
 *
 * - `access.new_link`: the borrower asked for a new link ("Send me a new link", 30 minutes).
 * - `access.link_from_staff`: a staff member emailed the borrower a 30-day link from the console.
 * - `staff.sign_in`: a staff member's one-time console sign-in link (15 minutes).
 *
 * Null (the message is cancelled, not sent) when the link was used or has expired since, when
 * the staff member was deactivated, or when no session secret in rotation derives the token
 * the link was made with (a retired secret): such a link could not sign anyone in.
 * The wording of every attempt is fixed by the link itself (its lifetime, not the time left),
 * so a resend under the same idempotency key carries the same payload.
 */
import { z } from "zod";
import { supportedLanguages } from "~/i18n/config";
import { getEmailT } from "~/services/email/t.server";
import { rpc } from "~/services/supabase/rpc.server";
import { linkTokenFor } from "~/utils/link-token.server";
import { logger } from "~/utils/logger.server";
import { newLinkEmail } from "~emails/new-link";
import { staffSignInEmail } from "~emails/staff-sign-in";
import { emailContactLine, type OutboxMessage, type OutboxRenderContext, type OutboxRendered, type OutboxTemplate } from "./types.server";

const Timestamp = z.coerce.date();

const LinkParams = z.object({ link_id: z.uuid() });
const StaffParams = z.object({ link_id: z.uuid(), language: z.enum(supportedLanguages).optional() });

const AccessLinkSchema = z
  .object({
    link_id: z.uuid(),
    account_id: z.uuid(),
    purpose: z.enum(["outreach", "resend"]),
    token_hash: z.string(),
    created_at: Timestamp,
    expires_at: Timestamp,
    used_at: Timestamp.nullable(),
  })
  .nullable();

const StaffLinkSchema = z
  .object({
    link_id: z.uuid(),
    staff_id: z.uuid(),
    token_hash: z.string(),
    created_at: Timestamp,
    expires_at: Timestamp,
    used_at: Timestamp.nullable(),
    full_name: z.string(),
    active: z.boolean(),
  })
  .nullable();

/** The token, or null (logged with ids) when no secret in rotation derives the stored hash. */
function tokenFor(message: OutboxMessage, link: { link_id: string; token_hash: string }): string | null {
  const token = linkTokenFor(link.link_id, link.token_hash);
  if (token === null) logger.warn("outbox.link_token_unavailable", { messageId: message.id, template: message.template, linkId: link.link_id });
  return token;
}

const lifetimeMinutes = (link: { created_at: Date; expires_at: Date }) => Math.max(1, Math.round((link.expires_at.getTime() - link.created_at.getTime()) / 60_000));

async function borrowerLinkEmail(message: OutboxMessage, context: OutboxRenderContext, wording: "minutes" | "days"): Promise<OutboxRendered | null> {
  const { link_id } = LinkParams.parse(message.params);
  const link = await rpc("access_link_for_email", { p_link_id: link_id }, AccessLinkSchema);
  // The message is about the link's account; anything else is not this link's email.
  if (!link || !message.account || link.account_id !== message.account_id) return null;
  if (link.used_at !== null || link.expires_at.getTime() <= context.now.getTime()) return null;
  const token = tokenFor(message, link);
  if (token === null) return null;

  const { creditor } = message.account;
  const contact = emailContactLine(creditor);
  const minutes = lifetimeMinutes(link);
  return newLinkEmail({
    t: context.t,
    lang: context.language,
    appUrl: context.appUrl,
    creditorName: creditor.name,
    creditorContact: contact,
    linkUrl: `${context.appUrl}/l/${token}`,
    expiresInMinutes: minutes,
    expiresInDays: wording === "days" ? Math.round(minutes / (24 * 60)) : undefined,
  });
}

export const accessNewLinkTemplate: OutboxTemplate = {
  render: (message, context) => borrowerLinkEmail(message, context, "minutes"),
};

export const accessLinkFromStaffTemplate: OutboxTemplate = {
  render: (message, context) => borrowerLinkEmail(message, context, "days"),
};

export const staffSignInTemplate: OutboxTemplate = {
  async render(message, context) {
    const params = StaffParams.parse(message.params);
    const link = await rpc("staff_sign_in_link_for_email", { p_link_id: params.link_id }, StaffLinkSchema);
    if (!link || link.staff_id !== message.staff_id) return null;
    if (link.used_at !== null || !link.active || link.expires_at.getTime() <= context.now.getTime()) return null;
    const token = tokenFor(message, link);
    if (token === null) return null;
    // Staff have no language on file: the email speaks the language of the page they asked on.
    const language = params.language ?? context.language;
    const t = language === context.language ? context.t : await getEmailT(language);
    return staffSignInEmail({ t, lang: language, name: link.full_name, linkUrl: `${context.appUrl}/ops/l/${token}` });
  },
};
