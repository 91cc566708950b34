import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { supportedLanguages } from "~/i18n/config";
import { languageCookie } from "~/i18n/i18next.server";
import { setBorrowerLanguage } from "~/utils/accounts.server";
import { getBorrowerSession } from "~/utils/session.server";

/** Only a path on this site: "/x" but never "//evil.example" or "/\evil.example". */
const LocalPath = z
  .string()
  .max(2000)
  .regex(/^\/(?![/\\])[^\s]*$/)
  .catch("/");

const LanguageForm = z.object({
  language: z.enum(supportedLanguages),
  redirectTo: LocalPath,
});

/**
 * The language switcher's plain form posts here; it works without JavaScript. A signed-in
 * borrower's choice is also saved to their record (pages and emails use it from then on).
 */
export async function action({ request }: ActionFunctionArgs) {
  const form = Object.fromEntries(await request.formData());
  const parsed = LanguageForm.safeParse(form);
  if (!parsed.success) {
    throw new Response("Unsupported language", { status: 400 });
  }
  const session = await getBorrowerSession(request);
  if (session.status === "ok") await setBorrowerLanguage(session.borrowerId, parsed.data.language);
  return redirect(parsed.data.redirectTo, {
    headers: { "Set-Cookie": await languageCookie.serialize(parsed.data.language) },
  });
}

export async function loader() {
  return redirect("/");
}
