import { useEffect, useId, useRef, type MouseEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { classes } from "./classes";

export interface ErrorSummaryItem {
  /** The `id` of the field's input (a TextField's `id`, a DatePartsField's day box, a RadioCards' first option). */
  fieldId: string;
  message: string;
}

export interface ErrorSummaryProps {
  errors: readonly ErrorSummaryItem[];
  /** Defaults to "There is a problem". */
  title?: ReactNode;
  className?: string;
}

/**
 * The GOV.UK error summary: at the top of a form that came back with errors, a box listing
 * each problem as a link to its field. Put it under the h1, above the form; show the same
 * messages next to the fields.
 *
 * It takes focus when it appears (the `autofocus` attribute does this with JavaScript off,
 * an effect does it after a client-side submit) so screen reader and keyboard users land on
 * it, and `role="alert"` announces it. A link moves focus to its field and scrolls the
 * field's label or legend into view, so the question is visible above the keyboard.
 */
export function ErrorSummary({ errors, title, className }: ErrorSummaryProps) {
  const { t } = useTranslation("common");
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const signature = errors.map((e) => `${e.fieldId}:${e.message}`).join("|");

  useEffect(() => {
    if (signature) ref.current?.focus();
  }, [signature]);

  if (errors.length === 0) return null;

  return (
    <div
      ref={ref}
      className={classes("error-summary", className)}
      role="alert"
      aria-labelledby={titleId}
      tabIndex={-1}
      // Moving focus here on arrival is the documented GOV.UK behaviour for failed forms.
      // eslint-disable-next-line jsx-a11y/no-autofocus
      autoFocus
    >
      <h2 id={titleId} className="error-summary__title">
        {title ?? t("ui.errorSummary.title")}
      </h2>
      <ul className="error-summary__list">
        {errors.map((error) => (
          <li key={`${error.fieldId}:${error.message}`}>
            <a href={`#${error.fieldId}`} onClick={focusField}>
              {error.message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function focusField(event: MouseEvent<HTMLAnchorElement>) {
  const id = decodeURIComponent(event.currentTarget.hash.slice(1));
  const field = document.getElementById(id);
  if (!field) return;
  event.preventDefault();
  // The whole field (label or legend first), so the question shows above the phone's keyboard.
  (field.closest(".field") ?? field).scrollIntoView();
  field.focus({ preventScroll: true });
}
