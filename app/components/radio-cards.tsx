import type { ReactNode } from "react";
import { RadioButton, RadioField, RadioGroup, Text, type RadioGroupProps } from "react-aria-components";
import { classes } from "./classes";
import { useKeptSelection } from "./use-kept-value";
import { FieldErrorMessage, FieldLabel, hasErrors, type FieldErrors } from "./field";

export interface RadioCardOption {
  value: string;
  title: ReactNode;
  /** A line or two under the title; screen readers hear it after the title. */
  description?: ReactNode;
  isDisabled?: boolean;
}

export interface RadioCardsProps extends Omit<RadioGroupProps, "children" | "className" | "validationBehavior" | "name" | "id"> {
  /** Required: every radio's `<input>` carries it, so the choice submits with JavaScript off. */
  name: string;
  /** The question ("How often do you want to pay?"). */
  label: ReactNode;
  description?: ReactNode;
  options: readonly RadioCardOption[];
  errors?: FieldErrors;
  isOptional?: boolean;
  /** Id of the first option's `<input>` (the target of an ErrorSummary link); defaults to `name`. */
  id?: string;
  className?: string;
}

/**
 * One choice among a few, drawn as large cards (title + description), on react-aria's
 * RadioGroup / RadioField / RadioButton.
 *
 * Each card holds a real, visible radio `<input name value>`: react-aria wraps it in a visually
 * hidden span, and app.css shows it again, so the checked state is drawn by the browser itself
 * and stays right with JavaScript off (react-aria's `data-selected` only updates once hydrated).
 * The whole card is the tap target.
 */
export function RadioCards({ name, label, description, options, errors, isOptional, id, className, isInvalid, value, defaultValue, onChange, ...props }: RadioCardsProps) {
  const firstId = id ?? name;
  const kept = useKeptSelection({ value, defaultValue, onChange });
  return (
    <RadioGroup
      {...props}
      ref={kept.ref}
      value={kept.value}
      onChange={kept.onChange}
      name={name}
      validationBehavior="aria"
      isInvalid={isInvalid || hasErrors(errors) || undefined}
      className={classes("field", "radio-cards", className)}
    >
      <FieldLabel isOptional={isOptional}>{label}</FieldLabel>
      {description ? (
        <Text slot="description" elementType="div" className="field__description">
          {description}
        </Text>
      ) : null}
      <FieldErrorMessage errors={errors} />
      <div className="radio-cards__list">
        {options.map((option, index) => (
          <RadioField
            key={option.value}
            value={option.value}
            id={index === 0 ? firstId : `${firstId}-${option.value}`}
            isDisabled={option.isDisabled}
            className="radio-card"
          >
            <RadioButton className="choice radio-card__button">
              <span className="radio-card__title">{option.title}</span>
            </RadioButton>
            {option.description ? (
              <Text slot="description" elementType="div" className="radio-card__description">
                {option.description}
              </Text>
            ) : null}
          </RadioField>
        ))}
      </div>
    </RadioGroup>
  );
}
