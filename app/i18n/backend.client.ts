import type { BackendModule } from "i18next";

/**
 * Loads a namespace the page did not ship with (after a client-side navigation) from the
 * static files in public/locales. The first page's namespaces arrive inlined in the HTML.
 */
export const fetchBackend: BackendModule = {
  type: "backend",
  init() {},
  read(language, namespace, callback) {
    fetch(`/locales/${encodeURIComponent(language)}/${encodeURIComponent(namespace)}.json`)
      .then((response) => {
        if (!response.ok) throw new Error(`locale ${language}/${namespace}: ${response.status}`);
        return response.json();
      })
      .then((data) => callback(null, data), (error: unknown) => callback(error as Error, false));
  },
};
