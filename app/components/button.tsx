import { Link, type LinkProps } from "@remix-run/react";
import type { ReactNode } from "react";
import { Button as AriaButton, type ButtonProps as AriaButtonProps } from "react-aria-components";
import { classes } from "./classes";

export type ButtonVariant = "primary" | "secondary";

export interface ButtonProps extends Omit<AriaButtonProps, "className" | "children"> {
  children: ReactNode;
  /** `primary` for the one main action on a page, `secondary` for the rest. */
  variant?: ButtonVariant;
  className?: string;
}

/**
 * A real `<button>` (react-aria's Button), so it submits a plain form without JavaScript.
 * Give it `type="submit"` inside a form, and `name="intent" value="…"` to tell buttons apart.
 * It is full width on phones and sized to its text on wider screens.
 */
export function Button({ variant = "primary", className, children, ...props }: ButtonProps) {
  return (
    <AriaButton {...props} className={classes("button", `button--${variant}`, className)}>
      {children}
    </AriaButton>
  );
}

export interface ButtonLinkProps extends Omit<LinkProps, "className" | "children"> {
  children: ReactNode;
  /**
   * `option` is a large card-like choice (title, optional description, an arrow), for a list of
   * next steps such as "Pay now" / "Set up a plan"; `primary` and `secondary` look like Button.
   */
  variant?: ButtonVariant | "option";
  /** A line under the title, for `option` links. Part of the link's accessible name. */
  description?: ReactNode;
  className?: string;
}

/**
 * A link that looks like a button: for going somewhere (a GET), never for changing anything
 * (use a Button in a form for that). It is an ordinary `<a href>`, so it works without JavaScript.
 */
export function ButtonLink({ variant = "primary", description, className, children, ...props }: ButtonLinkProps) {
  if (variant === "option") {
    return (
      <Link {...props} className={classes("option-link", className)}>
        <span className="option-link__text">
          <span className="option-link__title">{children}</span>
          {description ? <span className="option-link__description">{description}</span> : null}
        </span>
        <svg className="option-link__arrow" aria-hidden="true" focusable="false" viewBox="0 0 16 16" width="16" height="16">
          <path d="M5 2l6 6-6 6" fill="none" stroke="currentColor" strokeWidth="2.5" />
        </svg>
      </Link>
    );
  }
  return (
    <Link {...props} className={classes("button", `button--${variant}`, className)}>
      {children}
    </Link>
  );
}
