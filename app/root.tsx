import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useChangeLanguage } from "remix-i18next/react";
import { LanguageSwitcher } from "~/components/language-switcher";
import { SiteFooter, SiteHeader } from "~/components/site-chrome";
import { fallbackLanguage } from "~/i18n/config";
import { getLanguage } from "~/i18n/i18next.server";
import { useNonce } from "~/utils/nonce";
import stylesUrl from "~/styles/app.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesUrl },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const handle = { i18n: ["common"] };

export async function loader({ request }: LoaderFunctionArgs) {
  const language = await getLanguage(request);
  const url = new URL(request.url);
  return { language, path: url.pathname + url.search };
}

/** The translations this page was rendered with, so the browser needs no request to hydrate. */
function InlineTranslations() {
  const { i18n } = useTranslation();
  const language = i18n.language;
  const namespaces = ([] as string[]).concat(i18n.options.ns ?? []);
  const data: Record<string, unknown> = {};
  for (const ns of namespaces) {
    const bundle = i18n.getResourceBundle(language, ns);
    if (bundle) data[ns] = bundle;
  }
  // JSON in a non-executable script tag: CSP does not apply, and "<" is escaped so the
  // text cannot close the tag.
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return <script id="i18n-resources" type="application/json" suppressHydrationWarning dangerouslySetInnerHTML={{ __html: json }} />;
}

/** Which kind of error page to show: the words differ, the details never reach the visitor. */
function errorKind(error: unknown): "notFound" | "badRequest" | "server" {
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return status === 404 ? "notFound" : status < 500 ? "badRequest" : "server";
}

/** The page title for an error page (routes' own meta does not run for a thrown error). */
function useErrorTitle(): string | null {
  const error = useRouteError();
  const { t } = useTranslation();
  if (!error) return null;
  return `${t(`errors.${errorKind(error)}.title`)} | ${t("appName")}`;
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const errorTitle = useErrorTitle();
  const nonce = useNonce();
  const { t, i18n } = useTranslation();
  const language = data?.language ?? i18n.language ?? fallbackLanguage;
  useChangeLanguage(language);
  return (
    <html lang={language} dir="ltr">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <meta name="referrer" content="no-referrer" />
        {errorTitle ? <title>{errorTitle}</title> : null}
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          {t("skipToContent")}
        </a>
        <SiteHeader>
          <LanguageSwitcher current={language} redirectTo={data?.path ?? "/"} />
        </SiteHeader>
        <main id="main" tabIndex={-1} className="site-main">
          {children}
        </main>
        <SiteFooter />
        <InlineTranslations />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  useLoaderData<typeof loader>();
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  const kind = errorKind(error);
  return (
    <div className="page narrow">
      <h1>{t(`errors.${kind}.title`)}</h1>
      <p>{t(`errors.${kind}.body`)}</p>
      <p>
        <a href="/">{t("errors.goHome")}</a>
      </p>
      {import.meta.env.DEV && error instanceof Error ? (
        <pre className="dev-stack">{error.stack}</pre>
      ) : null}
    </div>
  );
}
