import { createCookie } from "@remix-run/node";
import { RemixI18Next } from "remix-i18next/server";
import { defaultNamespace, fallbackLanguage, isLanguage, supportedLanguages, type Language } from "./config";
import { resources } from "./resources.server";

/** The borrower's chosen language when not signed in (the switcher sets it). Not personal data. */
export const languageCookie = createCookie("lng", {
  path: "/",
  httpOnly: true,
  sameSite: "lax",
  secure: process.env.NODE_ENV === "production",
  maxAge: 60 * 60 * 24 * 365,
});

export const i18nServer = new RemixI18Next({
  detection: {
    supportedLanguages: [...supportedLanguages],
    fallbackLanguage,
    cookie: languageCookie,
    // Signed-in borrowers' own language comes first; see getLanguage().
    order: ["cookie", "header"],
  },
  i18next: {
    resources,
    defaultNS: defaultNamespace,
    fallbackLng: fallbackLanguage,
    interpolation: { escapeValue: false },
  },
});

/**
 * The language for a request: the signed-in borrower's record, then the cookie, then
 * Accept-Language, then English.
 */
export async function getLanguage(request: Request, recordLanguage?: string | null): Promise<Language> {
  if (isLanguage(recordLanguage)) return recordLanguage;
  const detected = await i18nServer.getLocale(request);
  const primary = detected.split("-")[0]?.toLowerCase();
  return isLanguage(primary) ? primary : fallbackLanguage;
}
