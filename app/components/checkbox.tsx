import type { ReactNode } from "react";
import { CheckboxButton, CheckboxField, Text, type CheckboxFieldProps } from "react-aria-components";
import { classes } from "./classes";
import { useKeptChecked } from "./use-kept-value";
import { FieldErrorMessage, hasErrors, type FieldErrors } from "./field";

export interface CheckboxProps extends Omit<CheckboxFieldProps, "children" | "className" | "validationBehavior"> {
  /** The label, next to the box ("I agree to these terms"). */
  children: ReactNode;
  description?: ReactNode;
  errors?: FieldErrors;
  className?: string;
}

/**
 * One checkbox with its label, description and errors (react-aria CheckboxField). The real
 * `<input type="checkbox" name value>` is shown and drawn by the browser (see RadioCards), so it
 * submits and shows its state with JavaScript off. Unchecked boxes send nothing; a checked
 * box sends its `value` ("on" by default).
 */
export function Checkbox({ children, description, errors, className, isInvalid, isSelected, defaultSelected, onChange, ...props }: CheckboxProps) {
  const kept = useKeptChecked({ isSelected, defaultSelected, onChange });
  return (
    <CheckboxField
      {...props}
      ref={kept.ref}
      isSelected={kept.isSelected}
      onChange={kept.onChange}
      validationBehavior="aria"
      isInvalid={isInvalid || hasErrors(errors) || undefined}
      className={classes("field", "checkbox", className)}
    >
      <FieldErrorMessage errors={errors} />
      <CheckboxButton className="choice checkbox__button">
        <span className="checkbox__label">{children}</span>
      </CheckboxButton>
      {description ? (
        <Text slot="description" elementType="div" className="checkbox__description">
          {description}
        </Text>
      ) : null}
    </CheckboxField>
  );
}
