/**
 * The language of a page that anyone may open (new link, signed out, "is this genuine?"),
 * decided exactly as the root decides it, so the page's title and its text agree: a
 * signed-in borrower's record first, then the language cookie, then the browser.
 *
 * (Remix hands each loader its own copy of the Request, so this cannot share the root's
 * session lookup; a visitor without a session cookie costs no query at all.)
 */
import { type Language } from "~/i18n/config";
import { getLanguage } from "~/i18n/i18next.server";
import { getBorrowerSession } from "~/utils/session.server";

export async function pageLanguage(request: Request): Promise<Language> {
  const session = await getBorrowerSession(request);
  return getLanguage(request, session.status === "ok" ? session.language : null);
}
