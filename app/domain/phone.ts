/**
 * Telephone numbers for display. The database holds E.164 ("+18005550199"); people read
 * North American numbers as "1-800-555-0199" and dial from a `tel:` link. Pure: shared by
 * pages and emails.
 */

/** "+18005550199" → "1-800-555-0199"; other countries keep their E.164 form. */
export function formatPhoneNumber(e164: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return nanp ? `1-${nanp[1]}-${nanp[2]}-${nanp[3]}` : e164;
}

/** The href of a link that dials the number: "tel:+18005550199". */
export function telHref(e164: string): string {
  return `tel:${e164.replace(/[^+\d]/g, "")}`;
}
