/**
 * Getting debt advice (issue 7 item 3; ADR 008): what the page and the server share, with no
 * I/O, so the browser could run it too. Where a statutory breathing space exists (England and
 * Wales, as the database's app.breathing_space_applies), the limits of each field, a phone
 * number as the borrower types it turned into E.164 for the creditor's region, and the one
 * parser of the declaration form, which answers with an error code per field.
 */

export const DEBT_ADVICE_KINDS = ["debt_advice", "breathing_space"] as const;
export type DebtAdviceKind = (typeof DEBT_ADVICE_KINDS)[number];

/** Collection pauses for 60 days: the day of the declaration is day 1. */
export const DEBT_ADVICE_PAUSE_DAYS = 60;

export const ORGANISATION_MAX = 200;
export const ADVISER_NAME_MAX = 200;
export const ADVISER_EMAIL_MAX = 254;
export const REFERENCE_MAX = 40;
/** Longest phone number as typed ("+44 (0) 800 138 7777 ext. 12" is well under it). */
export const PHONE_INPUT_MAX = 40;

/** ISO 3166-2 jurisdictions with a statutory breathing space: England and Wales. */
const BREATHING_SPACE_JURISDICTIONS = new Set(["GB-EAW", "GB-ENG", "GB-WLS"]);

export function breathingSpaceApplies(jurisdiction: string): boolean {
  return BREATHING_SPACE_JURISDICTIONS.has(jurisdiction);
}

/**
 * A phone number as people write it in the creditor's region, as E.164, or null:
 * "(800) 388-2227", "1-800-388-2227" → "+18003882227" (US); "0800 138 7777" → "+448001387777"
 * (GB); "+44 800 138 7777" anywhere. Letters, extensions or a wrong length are refused.
 */
export function normalizeAdviserPhone(input: string, region: string): string | null {
  const text = input.trim();
  if (text.length === 0 || text.length > PHONE_INPUT_MAX || !/^\+?[0-9 ().\-/]+$/.test(text)) return null;
  const international = text.startsWith("+");
  let digits = text.replace(/\D/g, "");
  if (international) {
    // "+44 (0) 800…": the trunk zero in brackets is not dialled from abroad.
    if (/^\+44\s*\(0\)/.test(text)) digits = `44${digits.slice(3)}`;
    return /^[1-9][0-9]{6,14}$/.test(digits) ? `+${digits}` : null;
  }
  if (region === "US" || region === "CA") {
    if (/^[2-9][0-9]{9}$/.test(digits)) return `+1${digits}`;
    if (/^1[2-9][0-9]{9}$/.test(digits)) return `+${digits}`;
    return null;
  }
  if (region === "GB") {
    if (/^0[1-9][0-9]{8,9}$/.test(digits)) return `+44${digits.slice(1)}`;
    if (/^44[1-9][0-9]{8,9}$/.test(digits)) return `+${digits}`;
    return null;
  }
  return null;
}

/** A working email address, as the database checks it too; lower-cased. */
export function normalizeAdviserEmail(input: string): string | null {
  const email = input.trim().toLowerCase();
  if (email.length === 0 || email.length > ADVISER_EMAIL_MAX) return null;
  // One @, a dot in the domain, no spaces, nothing odd around the @.
  return /^[^@\s"<>(),;:]+@[^@\s"<>(),;:]+\.[a-z]{2,}$/.test(email) && !/\.\.|^\.|\.@|@\./.test(email) ? email : null;
}

/** Words as one line: runs of spaces and line breaks become one space, other control characters go. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\s+/g, " ").replace(/[\u0000-\u001f\u007f]/g, "").trim();
}

export type DeclarationField = "kind" | "organisation" | "reference" | "adviserName" | "adviserPhone" | "adviserEmail" | "consent";

export type DeclarationErrorCode =
  | "required"
  | "too_long"
  | "invalid"
  | "not_available"
  | "needs_consent"
  | "needs_way"
  | "no_contact";

export interface DeclarationValue {
  kind: DebtAdviceKind;
  organisation: string;
  /** Only for a breathing space. */
  reference: string | null;
  /** The adviser's contact: only when the borrower ticked the consent (then phone or email). */
  adviser: { name: string | null; phone: string | null; email: string | null } | null;
}

export type DeclarationParse =
  | { ok: true; value: DeclarationValue }
  | { ok: false; errors: Partial<Record<DeclarationField, { code: DeclarationErrorCode; count?: number }>> };

/** The form's fields as sent (a missing field is ""; a ticked box is "on"). */
export type DeclarationFields = Record<"kind" | "organisation" | "reference" | "adviserName" | "adviserPhone" | "adviserEmail" | "consent", string>;

/**
 * Reads the declaration form: the organisation is required; a breathing space only where one
 * exists (its reference is kept only for one); the adviser's details only with the consent
 * ticked, and then with a phone number or an email. Contact details without the consent are
 * refused on their field, never dropped.
 */
export function parseDeclaration(fields: DeclarationFields, options: { breathingSpace: boolean; region: string }): DeclarationParse {
  const errors: Partial<Record<DeclarationField, { code: DeclarationErrorCode; count?: number }>> = {};
  const kindText = fields.kind.trim() || "debt_advice";
  const kind = (DEBT_ADVICE_KINDS as readonly string[]).includes(kindText) ? (kindText as DebtAdviceKind) : null;
  if (!kind) errors.kind = { code: "invalid" };
  else if (kind === "breathing_space" && !options.breathingSpace) errors.kind = { code: "not_available" };

  const organisation = oneLine(fields.organisation);
  if (organisation === "") errors.organisation = { code: "required" };
  else if (organisation.length > ORGANISATION_MAX) errors.organisation = { code: "too_long", count: organisation.length };

  let reference: string | null = null;
  if (kind === "breathing_space") {
    const text = oneLine(fields.reference);
    if (text.length > REFERENCE_MAX) errors.reference = { code: "too_long", count: text.length };
    else if (text !== "" && !/^[A-Za-z0-9][A-Za-z0-9 /-]*$/.test(text)) errors.reference = { code: "invalid" };
    else reference = text || null;
  }

  const name = oneLine(fields.adviserName);
  const phoneText = fields.adviserPhone.trim();
  const emailText = fields.adviserEmail.trim();
  const consent = fields.consent === "on";
  const given = { adviserName: name, adviserPhone: phoneText, adviserEmail: emailText };
  let adviser: DeclarationValue["adviser"] = null;
  if (!consent) {
    for (const [field, value] of Object.entries(given) as Array<[keyof typeof given, string]>) {
      if (value !== "") errors[field] = { code: "needs_consent" };
    }
  } else if (name === "" && phoneText === "" && emailText === "") {
    errors.consent = { code: "no_contact" };
  } else {
    if (name.length > ADVISER_NAME_MAX) errors.adviserName = { code: "too_long", count: name.length };
    const phone = phoneText === "" ? null : normalizeAdviserPhone(phoneText, options.region);
    if (phoneText !== "" && !phone) errors.adviserPhone = phoneText.length > PHONE_INPUT_MAX ? { code: "too_long", count: phoneText.length } : { code: "invalid" };
    const email = emailText === "" ? null : normalizeAdviserEmail(emailText);
    if (emailText !== "" && !email) errors.adviserEmail = emailText.length > ADVISER_EMAIL_MAX ? { code: "too_long", count: emailText.length } : { code: "invalid" };
    if (phoneText === "" && emailText === "") errors.adviserPhone = { code: "needs_way" };
    adviser = { name: name || null, phone, email };
  }

  if (Object.keys(errors).length > 0 || !kind) return { ok: false, errors };
  return { ok: true, value: { kind, organisation, reference, adviser } };
}
