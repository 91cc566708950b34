import type { ReactNode } from "react";
import { Input, Text, TextField as AriaTextField, type TextFieldProps as AriaTextFieldProps } from "react-aria-components";
import { classes } from "./classes";
import { FieldErrorMessage, FieldLabel, hasErrors, type FieldErrors } from "./field";
import { useKeptValue } from "./use-kept-value";

/** Input widths in characters, so the box hints at the answer's length (GOV.UK "fixed width inputs"). */
export type InputWidth = "2" | "4" | "5" | "10" | "20" | "full";

export interface TextFieldProps extends Omit<AriaTextFieldProps, "children" | "className" | "validationBehavior"> {
  label: ReactNode;
  /** Hint under the label: what to type, where to find it. */
  description?: ReactNode;
  /** Errors to show (from the server's `submission.reply()` or conform); any error marks the field invalid. */
  errors?: FieldErrors;
  /** Adds "(optional)" to the label. */
  isOptional?: boolean;
  width?: InputWidth;
  /** Shown before the input, e.g. a currency symbol; hidden from screen readers (say it in the label). */
  prefix?: ReactNode;
  className?: string;
}

/**
 * A labelled text input with a description and errors built in (react-aria TextField).
 *
 * - `name` lands on the real `<input>`, so the value submits in a plain form with JS off.
 * - `validationBehavior="aria"`: no browser-native (untranslated) bubbles; errors show in our
 *   own words, and `isRequired` becomes `aria-required`.
 * - `id` lands on the `<input>`: an ErrorSummary links to `#id`.
 * - Pass `inputMode`, `autoComplete`, `type`, `defaultValue` and friends as on react-aria's TextField.
 */
export function TextField({ label, description, errors, isOptional, width = "full", prefix, className, isInvalid, value, defaultValue, onChange, ...props }: TextFieldProps) {
  const kept = useKeptValue<HTMLInputElement>({ value, defaultValue, onChange });
  return (
    <AriaTextField
      {...props}
      value={kept.value}
      onChange={kept.onChange}
      validationBehavior="aria"
      isInvalid={isInvalid || hasErrors(errors) || undefined}
      className={classes("field", className)}
    >
      <FieldLabel isOptional={isOptional}>{label}</FieldLabel>
      {description ? (
        <Text slot="description" elementType="div" className="field__description">
          {description}
        </Text>
      ) : null}
      <FieldErrorMessage errors={errors} />
      {prefix ? (
        <div className="input-affix">
          <span className="input-affix__prefix" aria-hidden="true">
            {prefix}
          </span>
          <Input ref={kept.ref} className={classes("input", `input--w${width}`)} />
        </div>
      ) : (
        <Input ref={kept.ref} className={classes("input", `input--w${width}`)} />
      )}
    </AriaTextField>
  );
}
