import { useTranslation } from "react-i18next";
import { languageNames, supportedLanguages, type Language } from "~/i18n/config";

/**
 * A plain form, so it works without JavaScript: one button per other language, each
 * labelled in its own language (and marked with `lang`, so screen readers pronounce it).
 */
export function LanguageSwitcher({ current, redirectTo }: { current: string; redirectTo: string }) {
  const { t } = useTranslation();
  const others = supportedLanguages.filter((l) => l !== current);
  return (
    <form method="post" action="/language" className="language-switcher" aria-label={t("language.label")}>
      <input type="hidden" name="redirectTo" value={redirectTo} />
      {others.map((language: Language) => (
        <button key={language} type="submit" name="language" value={language} lang={language} className="link-button">
          {languageNames[language]}
        </button>
      ))}
    </form>
  );
}
