import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { classes } from "./classes";

export type AlertTone = "info" | "success" | "warning" | "error";

export interface AlertProps {
  tone?: AlertTone;
  /** A short bold first line. */
  title?: ReactNode;
  children?: ReactNode;
  /**
   * How assistive technology hears it. Default: `alert` (interrupts) for errors only,
   * `status` (polite) for the rest; `none` for a message that is simply part of the page.
   */
  live?: "alert" | "status" | "none";
  className?: string;
}

/**
 * A message box: information, success, something to be aware of, or an error. The tone is
 * never carried by colour alone: each has its own icon and a word read to screen readers
 * ("Important:"), and the calm tones (info, success, warning) never use red.
 */
export function Alert({ tone = "info", title, children, live, className }: AlertProps) {
  const { t } = useTranslation("common");
  const liveness = live ?? (tone === "error" ? "alert" : "status");
  const role = liveness === "none" ? undefined : liveness;
  return (
    <div className={classes("alert", `alert--${tone}`, className)} role={role}>
      <AlertIcon tone={tone} />
      <div className="alert__body">
        {title ? (
          <p className="alert__title">
            <span className="visually-hidden">{t(`ui.alert.${tone}`)} </span>
            {title}
          </p>
        ) : (
          <span className="visually-hidden">{t(`ui.alert.${tone}`)} </span>
        )}
        {children}
      </div>
    </div>
  );
}

const ICON_PATHS: Record<AlertTone, ReactNode> = {
  info: (
    <>
      <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M12 11v6M12 7v.5" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
    </>
  ),
  success: (
    <>
      <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M7.5 12.5l3 3 6-6.5" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round" />
    </>
  ),
  warning: (
    <>
      <path d="M12 3L2 21h20L12 3z" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
      <path d="M12 10v5M12 18v.5" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
    </>
  ),
  error: (
    <>
      <circle cx="12" cy="12" r="10" fill="currentColor" />
      <path d="M12 7v6M12 16.5v.5" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
    </>
  ),
};

function AlertIcon({ tone }: { tone: AlertTone }) {
  return (
    <svg className="alert__icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      {ICON_PATHS[tone]}
    </svg>
  );
}
