/**
 * Joins class names, skipping empty ones. In its own module so that components without
 * react-aria (Page, Money, Alert) do not pull react-aria into a page's JavaScript.
 */
export function classes(...names: Array<string | false | null | undefined>): string {
  return names.filter(Boolean).join(" ");
}
