import { Link, useMatches } from "@remix-run/react";
import { feedbackPage } from "~/utils/feedback-lists";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** The site's header: the Repay name (a link home) and a slot for the language switcher. */
export function SiteHeader({ children }: { children?: ReactNode }) {
  const { t } = useTranslation("common");
  return (
    <header className="site-header">
      <div className="site-header__inner">
        <Link to="/" className="brand">
          <svg className="brand__mark" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
            <rect width="32" height="32" rx="7" fill="#fff" />
            <path d="M9 17l5 5 9-11" fill="none" stroke="#083f55" strokeWidth="3.5" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          <span>{t("appName")}</span>
          <span className="visually-hidden"> {t("header.home")}</span>
        </Link>
        {children}
      </div>
    </header>
  );
}

/**
 * The site's footer: where to check a message is genuine (/genuine) and where to get help (on
 * the landing page), and a short privacy note. The full privacy notice does not exist yet, so it
 * is words, not a link to nowhere.
 */
export function SiteFooter() {
  const { t } = useTranslation("common");
  const matches = useMatches();
  const page = feedbackPage(matches.at(-1)?.id);
  return (
    <footer className="site-footer">
      <div className="site-footer__inner">
        <nav aria-label={t("footer.navLabel")}>
          <ul className="site-footer__links">
            <li>
              <Link to="/genuine">{t("footer.genuine")}</Link>
            </li>
            <li>
              <Link to="/#help">{t("footer.help")}</Link>
            </li>
            <li>
              <Link to={`/feedback?page=${page}`}>{t("footer.feedback")}</Link>
            </li>
            <li>
              <Link to="/complaint">{t("footer.complaint")}</Link>
            </li>
          </ul>
        </nav>
        <p>
          <strong>{t("footer.privacyTitle")}</strong> {t("footer.privacyText")}
        </p>
        <p>{t("footer.cookies")}</p>
      </div>
    </footer>
  );
}
