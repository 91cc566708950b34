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
import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useChangeLanguage } from "remix-i18next/react";
import { LanguageSwitcher } from "~/components/language-switcher";
import { SignOutForm } from "~/components/sign-out-form";
import { SiteFooter, SiteHeader } from "~/components/site-chrome";
import { fallbackLanguage } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { logger } from "~/utils/logger.server";
import { getBorrowerSession } from "~/utils/session.server";
import { useNonce } from "~/utils/nonce";
import stylesUrl from "~/styles/app.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesUrl },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const handle = { i18n: ["common"] };

/**
 * The idle warning (react-aria's modal dialog) loads only for signed-in borrowers, so public
 * pages do not carry its JavaScript.
 */
const IdleWarning = lazy(() => import("~/components/idle-warning").then((module) => ({ default: module.IdleWarning })));

/** Ask "Do you need more time?" this long before a signed-in session ends for inactivity. */
const IDLE_WARNING_SECONDS = 120;

export async function loader({ request }: LoaderFunctionArgs) {
  // A signed-in borrower reads pages in the language on their record. A public page still
  // opens when the session cannot be checked: it shows no account data.
  const session = await getBorrowerSession(request).catch((error: unknown) => {
    logger.error("root.session_check_failed", { error });
    return null;
  });
  const signedIn = session?.status === "ok" ? session : null;
  const language = await getLanguage(request, signedIn?.language);
  const url = new URL(request.url);
  return { language, path: url.pathname + url.search, borrower: signedIn ? await borrowerChrome(language, signedIn.idleExpiresAt) : null };
}

/** The signed-in header's words and the idle warning's, translated here so no page ships a namespace for them. */
async function borrowerChrome(language: string, idleExpiresAt: Date) {
  const t = await i18nServer.getFixedT(language, "access");
  return {
    secondsLeft: Math.max(0, Math.round((idleExpiresAt.getTime() - Date.now()) / 1000)),
    signOut: t("signOut.button"),
    idle: {
      title: t("idle.title"),
      body: t("idle.body", { count: Math.round(IDLE_WARNING_SECONDS / 60) }),
      stay: t("idle.stay"),
      signOut: t("idle.signOut"),
    },
  };
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
          <div className="site-header__actions">
            <LanguageSwitcher current={language} redirectTo={data?.path ?? "/"} />
            {data?.borrower ? <SignOutForm label={data.borrower.signOut} /> : null}
          </div>
        </SiteHeader>
        <main id="main" tabIndex={-1} className="site-main">
          {children}
        </main>
        {data?.borrower ? (
          <Suspense fallback={null}>
            <IdleWarning secondsLeft={data.borrower.secondsLeft} warnSeconds={IDLE_WARNING_SECONDS} text={data.borrower.idle} />
          </Suspense>
        ) : null}
        {data?.path.startsWith("/ops") ? null : <SiteFooter />}
        <InlineTranslations />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  useLoaderData<typeof loader>();
  // Marks the page as hydrated: from here on the scripts own it (tests wait for this).
  useEffect(() => {
    document.documentElement.dataset.hydrated = "";
  }, []);
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
