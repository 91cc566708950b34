import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { supportedLanguages } from "~/i18n/config";
import { languageCookie } from "~/i18n/i18next.server";

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

/** The language switcher's plain form posts here; it works without JavaScript. */
export async function action({ request }: ActionFunctionArgs) {
  const form = Object.fromEntries(await request.formData());
  const parsed = LanguageForm.safeParse(form);
  if (!parsed.success) {
    throw new Response("Unsupported language", { status: 400 });
  }
  return redirect(parsed.data.redirectTo, {
    headers: { "Set-Cookie": await languageCookie.serialize(parsed.data.language) },
  });
}

export async function loader() {
  return redirect("/");
}
