/** Languages the portal speaks. English is the fallback for any missing key. */
export const supportedLanguages = ["en", "es"] as const;
export type Language = (typeof supportedLanguages)[number];
export const fallbackLanguage: Language = "en";
export const defaultNamespace = "common";

/** Each language's name written in that language, for the switcher. */
export const languageNames: Record<Language, string> = { en: "English", es: "Español" };

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (supportedLanguages as readonly string[]).includes(value);
}

/**
 * The Intl locale for a language in a creditor's region. Both US locales write $1,200.50,
 * which Spanish speakers in the US expect (es-ES would write 1200,50 US$).
 */
export function intlLocale(language: Language, region = "US"): string {
  return `${language}-${region}`;
}
