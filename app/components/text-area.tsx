import type { ReactNode } from "react";
import { Text, TextArea as AriaTextArea, TextField as AriaTextField, type TextFieldProps as AriaTextFieldProps } from "react-aria-components";
import { classes } from "./classes";
import { FieldErrorMessage, FieldLabel, hasErrors, type FieldErrors } from "./field";
import { useKeptValue } from "./use-kept-value";

export interface TextAreaProps extends Omit<AriaTextFieldProps, "children" | "className" | "validationBehavior"> {
  label: ReactNode;
  description?: ReactNode;
  errors?: FieldErrors;
  isOptional?: boolean;
  /** Visible lines (the box grows with the page, not with the text). */
  rows?: number;
  className?: string;
}

/**
 * A labelled multi-line text box (react-aria TextField with a TextArea), for a borrower's own
 * words: same label, description and error pattern as TextField, `name` on the real
 * `<textarea>` so it submits with JavaScript off.
 */
export function TextArea({ label, description, errors, isOptional, rows = 5, className, isInvalid, value, defaultValue, onChange, ...props }: TextAreaProps) {
  const kept = useKeptValue<HTMLTextAreaElement>({ value, defaultValue, onChange });
  return (
    <AriaTextField {...props} value={kept.value} onChange={kept.onChange} validationBehavior="aria" isInvalid={isInvalid || hasErrors(errors) || undefined} className={classes("field", className)}>
      <FieldLabel isOptional={isOptional}>{label}</FieldLabel>
      {description ? (
        <Text slot="description" elementType="div" className="field__description">
          {description}
        </Text>
      ) : null}
      <FieldErrorMessage errors={errors} />
      <AriaTextArea ref={kept.ref} className="input input--area" rows={rows} />
    </AriaTextField>
  );
}
