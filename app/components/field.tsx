/**
 * Pieces every field shares: the label's "(optional)" marker and the error text inside
 * react-aria's FieldError. Internal to the UI kit; routes use the field components.
 */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { FieldError, Label } from "react-aria-components";

/** Server (or conform) errors for one field; null/undefined/[] means none. */
export type FieldErrors = readonly string[] | null | undefined;

export function hasErrors(errors: FieldErrors): errors is readonly string[] {
  return Array.isArray(errors) && errors.length > 0;
}

/**
 * The label. Required fields are not starred (most fields are required); optional ones say
 * so in words, as GOV.UK recommends.
 */
export function FieldLabel({ children, isOptional, className = "field__label" }: { children: ReactNode; isOptional?: boolean; className?: string }) {
  const { t } = useTranslation("common");
  return (
    <Label className={className}>
      {children}
      {isOptional ? <span className="field__optional"> {t("ui.optional")}</span> : null}
    </Label>
  );
}

/**
 * react-aria's FieldError showing the given errors (from the server or conform) or, when
 * there are none, react-aria's own validation errors (from a `validate` prop). It renders
 * only while the field is invalid, and the field points to it with aria-describedby.
 * "Error:" is read out before the message but not shown: the red text and bar show it.
 */
export function FieldErrorMessage({ errors }: { errors: FieldErrors }) {
  return (
    <FieldError className="field-error">
      {({ validationErrors }) => <ErrorLines errors={hasErrors(errors) ? errors : validationErrors} />}
    </FieldError>
  );
}

export function ErrorLines({ errors }: { errors: readonly string[] }) {
  const { t } = useTranslation("common");
  return (
    <>
      {errors.map((error, index) => (
        <span key={index} className="field-error__line">
          <span className="visually-hidden">{t("ui.errorPrefix")} </span>
          {error}
        </span>
      ))}
    </>
  );
}
