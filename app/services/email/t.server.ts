/**
 * A fixed translation function for emails. An email is written in the borrower's language
 * from their record, not in the language of whoever's request caused it (a staff member's
 * decision, a background job), so callers pass the language explicitly.
 */
import type { EmailT } from "~emails/layout";
import { type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";

export async function getEmailT(language: Language): Promise<EmailT> {
  return i18nServer.getFixedT(language, "email");
}
