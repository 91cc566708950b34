import { useId, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Input, Label, TextField as AriaTextField } from "react-aria-components";
import { classes } from "./classes";
import { ErrorLines, hasErrors, type FieldErrors } from "./field";
import { useKeptValue } from "./use-kept-value";

export type DatePart = "day" | "month" | "year";
/**
 * The order people write dates in: in the US, English speakers write month first
 * (4/12/1985); Spanish speakers write day first (12/4/1985). The labels say which box is which.
 */
const ORDER: Record<string, readonly DatePart[]> = {
  en: ["month", "day", "year"],
  es: ["day", "month", "year"],
};
const BDAY: Record<DatePart, string> = { day: "bday-day", month: "bday-month", year: "bday-year" };

export interface DatePartsFieldProps {
  /** Form names are `<name>.day`, `<name>.month`, `<name>.year`. */
  name: string;
  /** The question, shown as the fieldset's legend ("What is your date of birth?"). */
  legend: ReactNode;
  /** Hint under the legend, e.g. "For example, 27 3 1985". */
  description?: ReactNode;
  /** Errors for the whole date, shown once for the group. */
  errors?: FieldErrors;
  /** Which boxes to mark invalid; all three when there are errors and this is not given. */
  invalidParts?: readonly DatePart[];
  defaultValue?: Partial<Record<DatePart, string>>;
  /** Offer the browser's saved date of birth (autocomplete bday-day / bday-month / bday-year). */
  isBirthday?: boolean;
  isRequired?: boolean;
  isDisabled?: boolean;
  /** Id of the day box, the target of an ErrorSummary link; defaults to `name`. Month and year get `<id>-month`, `<id>-year`. */
  id?: string;
  className?: string;
}

/**
 * A date a person types from memory (date of birth): three labelled boxes, day, month and year,
 * in a fieldset whose legend asks the question (the GOV.UK "date input" pattern).
 *
 * Not react-aria's DateField: its segments keep the typed value in the browser until
 * hydration, so nothing would submit with JavaScript off (DESIGN §1.2). These are plain text
 * boxes (`inputMode="numeric"`) and the server puts the date together and checks it.
 * The boxes follow the order the language writes dates in (ORDER); the labels say which is which.
 */
export function DatePartsField({
  name,
  legend,
  description,
  errors,
  invalidParts,
  defaultValue,
  isBirthday,
  isRequired,
  isDisabled,
  id,
  className,
}: DatePartsFieldProps) {
  const { t, i18n } = useTranslation("common");
  const parts = ORDER[i18n.language] ?? ORDER.en!;
  const baseId = id ?? name;
  const generated = useId();
  const descriptionId = `${generated}-description`;
  const errorId = `${generated}-error`;
  const invalid = hasErrors(errors);
  const describedBy = [description ? descriptionId : null, invalid ? errorId : null].filter(Boolean).join(" ") || undefined;

  return (
    <fieldset className={classes("field", "date-parts", className)} aria-describedby={describedBy} data-invalid={invalid || undefined}>
      <legend className="field__label">{legend}</legend>
      {description ? (
        <div id={descriptionId} className="field__description">
          {description}
        </div>
      ) : null}
      {invalid ? (
        <div id={errorId} className="field-error">
          <ErrorLines errors={errors} />
        </div>
      ) : null}
      <div className="date-parts__items">
        {parts.map((part, index) => (
          <DatePartBox
            key={part}
            part={part}
            id={index === 0 ? baseId : `${baseId}-${part}`}
            name={`${name}.${part}`}
            label={t(`ui.date.${part}`)}
            defaultValue={defaultValue?.[part]}
            autoComplete={isBirthday ? BDAY[part] : "off"}
            isRequired={isRequired}
            isDisabled={isDisabled}
            isInvalid={invalid && (invalidParts ? invalidParts.includes(part) : true)}
          />
        ))}
      </div>
    </fieldset>
  );
}

/** One box of the three; keeps what was typed before the scripts loaded (useKeptValue). */
function DatePartBox({
  part,
  label,
  defaultValue,
  ...props
}: {
  part: DatePart;
  id: string;
  name: string;
  label: string;
  defaultValue?: string;
  autoComplete: string;
  isRequired?: boolean;
  isDisabled?: boolean;
  isInvalid: boolean;
}) {
  const kept = useKeptValue<HTMLInputElement>({ defaultValue });
  return (
    <AriaTextField
      {...props}
      value={kept.value}
      onChange={kept.onChange}
      inputMode="numeric"
      spellCheck="false"
      validationBehavior="aria"
      className="date-parts__item"
    >
      <Label className="date-parts__label">{label}</Label>
      <Input ref={kept.ref} className={classes("input", part === "year" ? "input--w4" : "input--w2")} />
    </AriaTextField>
  );
}
