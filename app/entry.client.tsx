import { RemixBrowser } from "@remix-run/react";
import i18next from "i18next";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { I18nextProvider, initReactI18next } from "react-i18next";
import { getInitialNamespaces } from "remix-i18next/client";
import { fetchBackend } from "~/i18n/backend.client";
import { defaultNamespace, fallbackLanguage } from "~/i18n/config";

async function hydrate() {
  const inlined = document.getElementById("i18n-resources")?.textContent;
  const language = document.documentElement.lang || fallbackLanguage;
  await i18next
    .use(initReactI18next)
    .use(fetchBackend)
    .init({
      lng: language,
      ns: getInitialNamespaces(),
      defaultNS: defaultNamespace,
      fallbackLng: fallbackLanguage,
      resources: inlined ? { [language]: JSON.parse(inlined) } : undefined,
      partialBundledLanguages: true,
      interpolation: { escapeValue: false },
      react: { useSuspense: false },
    });

  startTransition(() => {
    hydrateRoot(
      document,
      <I18nextProvider i18n={i18next}>
        <StrictMode>
          <RemixBrowser />
        </StrictMode>
      </I18nextProvider>,
    );
  });
}

void hydrate();
