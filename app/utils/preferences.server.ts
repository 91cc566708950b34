/**
 * Contact preferences and consent to electronic communications (issue 9 items 5 and 6; ADR
 * 014): typed wrappers of the `api.*` functions in
 * supabase/migrations/20261128001700_preference_centre.sql, the exact words each consent
 * stores (hashed like every consent), and the preference form's parser.
 *
 * Every change is a consent record with the words of what the borrower saw or chose; a form
 * that changes nothing writes nothing. Another borrower's account is a thrown 404.
 */
import { z } from "zod";
import { intlLocale, languageNames, supportedLanguages, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";
import { orNotFound, requireUuid, withReasons } from "~/utils/accounts.server";
import { termsFromLines, type Terms } from "~/utils/arrangement-terms.server";
import { consentArg, type ConsentInput } from "~/utils/consent.server";

const Uuid = z.uuid();
const LanguageSchema = z.enum(supportedLanguages);
const Hour = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/);

/** The versions of the words; a change of wording is a new version. */
export const EMAIL_NOTICES_VERSION = "email-notices.v1";
export const CONTACT_PREFERENCES_VERSION = "contact-preferences.v1";
export const UNSUBSCRIBE_VERSION = "unsubscribe.v1";

/** "a•••@example.com": enough to recognise, not enough to read over a shoulder. */
export function maskEmail(email: string): string {
  const at = email.indexOf("@");
  return at > 0 ? `${email[0]}•••${email.slice(at)}` : "•••";
}

/** Only a path on this site: "/x" but never "//evil.example" or "/\evil.example". */
export const LocalPath = z
  .string()
  .max(2000)
  .regex(/^\/(?![/\\])[^\s]*$/);

// ---------------------------------------------------------------------------------------
// Reading

const CONSENT_KINDS = [
  "plan_agreement",
  "plan_change",
  "recurring_payment_authorization",
  "e_communications",
  "contact_preferences",
  "health_data",
  "debt_adviser_contact",
] as const;
export type ConsentKind = (typeof CONSENT_KINDS)[number];

const ConsentRecordSchema = z
  .object({
    id: Uuid,
    kind: z.enum(CONSENT_KINDS),
    action: z.enum(["granted", "withdrawn"]),
    account_id: Uuid.nullable(),
    version: z.string(),
    language: LanguageSchema,
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    body: z.string(),
    created_at: z.coerce.date(),
  })
  .transform((c) => ({
    id: c.id,
    kind: c.kind,
    action: c.action,
    accountId: c.account_id,
    version: c.version,
    language: c.language,
    sha256: c.sha256,
    body: c.body,
    createdAt: c.created_at,
  }));
export type ConsentRecord = z.output<typeof ConsentRecordSchema>;

const Answer = z.enum(["granted", "withdrawn"]).nullable();

const PreferencesSchema = z
  .object({
    language: LanguageSchema,
    time_zone: z.string(),
    email: z.string().nullable(),
    email_allowed: z.boolean(),
    sms_allowed: z.boolean(),
    post_allowed: z.boolean(),
    preferred_start: Hour.nullable(),
    preferred_end: Hour.nullable(),
    e_communications: Answer,
    creditor: z.object({ name: z.string(), time_zone: z.string(), region: z.string(), contact_earliest: Hour, contact_latest: Hour }),
    consents: z.array(ConsentRecordSchema),
  })
  .transform((p) => ({
    language: p.language,
    timeZone: p.time_zone,
    email: p.email,
    emailAllowed: p.email_allowed,
    smsAllowed: p.sms_allowed,
    postAllowed: p.post_allowed,
    preferredStart: p.preferred_start,
    preferredEnd: p.preferred_end,
    eCommunications: p.e_communications,
    creditor: {
      name: p.creditor.name,
      timeZone: p.creditor.time_zone,
      region: p.creditor.region,
      contactEarliest: p.creditor.contact_earliest,
      contactLatest: p.creditor.contact_latest,
    },
    consents: p.consents,
  }));
export type Preferences = z.output<typeof PreferencesSchema>;

/** The preference centre of the borrower whose account this is (404 for anyone else's). */
export async function getPreferences(borrowerId: string, accountId: string): Promise<Preferences> {
  const account = requireUuid(accountId);
  return orNotFound(() => rpc("borrower_preferences", { p_borrower_id: Uuid.parse(borrowerId), p_account_id: account }, PreferencesSchema));
}

const StatusSchema = z
  .object({ answer: Answer, email: z.string().nullable(), language: LanguageSchema, creditor_name: z.string() })
  .transform((s) => ({ answer: s.answer, email: s.email, language: s.language, creditorName: s.creditor_name }));
export type EmailConsentStatus = z.output<typeof StatusSchema>;

/** The borrower's latest answer about notices by email (null: never asked). */
export async function getEmailConsentStatus(borrowerId: string): Promise<EmailConsentStatus> {
  return orNotFound(() => rpc("e_communications_status", { p_borrower_id: Uuid.parse(borrowerId) }, StatusSchema));
}

/** True when sign-in should ask about notices by email: never answered, and an address on file. */
export async function needsEmailConsent(borrowerId: string): Promise<boolean> {
  const status = await getEmailConsentStatus(borrowerId);
  return status.answer === null && status.email !== null;
}

// ---------------------------------------------------------------------------------------
// The words

/** The question at the first sign-in (and the words a grant or withdrawal in the preference centre points at). */
export async function emailNoticesTerms(creditorName: string, email: string | null, language: Language): Promise<Terms> {
  const t = await i18nServer.getFixedT(language, "preferences");
  const address = email ? maskEmail(email) : "•••";
  return termsFromLines(EMAIL_NOTICES_VERSION, language, [
    t("terms.notices.ask", { creditorName, email: address }),
    t("terms.notices.means"),
    t("terms.notices.anyway"),
    t("terms.notices.withdraw"),
  ]);
}

export interface PreferenceChoice {
  language: Language;
  timeZone: string;
  emailAllowed: boolean;
  smsAllowed: boolean;
  postAllowed: boolean;
  preferredStart: string | null;
  preferredEnd: string | null;
}

/** "9:00 AM" / "9:00"; 24:00 is "midnight". */
export function formatHour(hour: string, language: Language, region: string, midnight: string): string {
  if (hour === "24:00") return midnight;
  const [h, m] = hour.split(":").map(Number);
  return new Intl.DateTimeFormat(intlLocale(language, region), { hour: "numeric", minute: "2-digit", timeZone: "UTC" }).format(
    new Date(Date.UTC(2026, 0, 1, h, m)),
  );
}

/** "Eastern Time (New York)": the zone's everyday name in the language, and its city. */
export function timeZoneLabel(zone: string, language: Language, region: string): string {
  let generic = zone;
  try {
    generic =
      new Intl.DateTimeFormat(intlLocale(language, region), { timeZone: zone, timeZoneName: "longGeneric" })
        .formatToParts(new Date(Date.UTC(2026, 0, 15)))
        .find((part) => part.type === "timeZoneName")?.value ?? zone;
  } catch {
    return zone;
  }
  const city = zone.split("/").at(-1)?.replace(/_/g, " ") ?? zone;
  return generic === zone ? zone : `${generic} (${city})`;
}

/** The zones offered per creditor region (the borrower's own is always added). */
const ZONES_BY_REGION: Record<string, readonly string[]> = {
  US: ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico"],
  GB: ["Europe/London"],
};

export function timeZoneOptions(current: string, creditorZone: string, region: string, language: Language): Array<{ value: string; label: string }> {
  const zones = [...new Set([current, creditorZone, ...(ZONES_BY_REGION[region] ?? [])])];
  return zones.map((zone) => ({ value: zone, label: timeZoneLabel(zone, language, region) }));
}

/** The words of what the borrower chose in the preference centre. */
export async function preferencesTerms(choice: PreferenceChoice, creditor: { name: string; region: string }, language: Language): Promise<Terms> {
  const t = await i18nServer.getFixedT(language, "preferences");
  const yesNo = (on: boolean) => t(on ? "terms.preferences.yes" : "terms.preferences.no");
  const midnight = t("hours.midnight");
  const hours =
    choice.preferredStart && choice.preferredEnd
      ? t("terms.preferences.hours", {
          from: formatHour(choice.preferredStart, language, creditor.region, midnight),
          to: formatHour(choice.preferredEnd, language, creditor.region, midnight),
        })
      : t("terms.preferences.noHours");
  return termsFromLines(CONTACT_PREFERENCES_VERSION, language, [
    t("terms.preferences.intro", { creditorName: creditor.name }),
    t("terms.preferences.language", { language: languageNames[choice.language] }),
    t("terms.preferences.email", { answer: yesNo(choice.emailAllowed) }),
    t("terms.preferences.sms", { answer: yesNo(choice.smsAllowed), creditorName: creditor.name }),
    t("terms.preferences.post", { answer: yesNo(choice.postAllowed), creditorName: creditor.name }),
    hours,
    t("terms.preferences.timeZone", { zone: timeZoneLabel(choice.timeZone, language, creditor.region) }),
  ]);
}

/** The unsubscribe page's words, stored with the withdrawal its button makes. */
export async function unsubscribeTerms(creditorName: string, email: string | null, language: Language): Promise<Terms> {
  const t = await i18nServer.getFixedT(language, "preferences");
  return termsFromLines(UNSUBSCRIBE_VERSION, language, [
    t("unsubscribe.ask", { creditorName, email: email ? maskEmail(email) : "•••" }),
    t("unsubscribe.what"),
    t("unsubscribe.later"),
  ]);
}

// ---------------------------------------------------------------------------------------
// Writing

export type Where = { ip: string | null; userAgent: string | null };

function consentOf(terms: Terms, where: Where): ReturnType<typeof consentArg> {
  const input: ConsentInput = { version: terms.version, language: terms.language, body: terms.body, sha256: terms.sha256, ip: where.ip, userAgent: where.userAgent };
  return consentArg(input);
}

const RecordResultSchema = z.object({ outcome: z.enum(["recorded", "unchanged", "already_answered"]), answer: Answer });

/** "Yes, email me" (granted) or "No thanks" / withdraw (withdrawn), with the words shown. */
export async function recordEmailConsent(input: {
  borrowerId: string;
  action: "granted" | "withdrawn";
  origin: "first_sign_in" | "preference_centre";
  terms: Terms;
  where: Where;
}): Promise<z.output<typeof RecordResultSchema>> {
  return orNotFound(() =>
    rpc(
      "record_e_communications_consent",
      { p_borrower_id: Uuid.parse(input.borrowerId), p_action: input.action, p_origin: input.origin, p_consent: consentOf(input.terms, input.where) },
      RecordResultSchema,
    ),
  );
}

export const UPDATE_REFUSALS = ["invalid_language", "unknown_time_zone", "invalid_hours", "invalid_preferences", "invalid_consent", "consent_hash_mismatch"] as const;
export type UpdateRefusal = (typeof UPDATE_REFUSALS)[number];

const UpdateResultSchema = z.object({ outcome: z.enum(["changed", "unchanged"]), language_changed: z.boolean().optional() });

/** Saves the whole form; nothing changed writes nothing. */
export async function updateContactPreferences(input: {
  borrowerId: string;
  accountId: string;
  choice: PreferenceChoice;
  terms: Terms;
  where: Where;
}): Promise<{ ok: true; outcome: "changed" | "unchanged" } | { ok: false; reason: UpdateRefusal }> {
  const account = requireUuid(input.accountId);
  const c = input.choice;
  const result = await withReasons(UPDATE_REFUSALS, () =>
    rpc(
      "update_contact_preferences",
      {
        p_borrower_id: Uuid.parse(input.borrowerId),
        p_account_id: account,
        p_language: c.language,
        p_time_zone: c.timeZone,
        p_email_allowed: c.emailAllowed,
        p_sms_allowed: c.smsAllowed,
        p_post_allowed: c.postAllowed,
        p_preferred_start: c.preferredStart,
        p_preferred_end: c.preferredEnd,
        p_consent: consentOf(input.terms, input.where),
      },
      UpdateResultSchema,
    ),
  );
  return result.ok ? { ok: true, outcome: result.value.outcome } : result;
}

const UnsubscribeStatusSchema = z
  .object({ email: z.string().nullable(), language: LanguageSchema, creditor_name: z.string(), stopped: z.boolean() })
  .transform((s) => ({ email: s.email, language: s.language, creditorName: s.creditor_name, stopped: s.stopped }));
export type UnsubscribeStatus = z.output<typeof UnsubscribeStatusSchema>;

function messageNotFound(error: unknown): boolean {
  return isRpcError(error) && error.code === "PT404";
}

/** Whose email the message was and whether reminders are already stopped; null for an unknown message. */
export async function getUnsubscribeStatus(messageId: string): Promise<UnsubscribeStatus | null> {
  try {
    return await rpc("unsubscribe_status", { p_message_id: Uuid.parse(messageId) }, UnsubscribeStatusSchema);
  } catch (error) {
    if (messageNotFound(error)) return null;
    throw error;
  }
}

/** Stops reminder emails to the message's borrower: "stopped", "already_stopped", or null for an unknown message. */
export async function unsubscribeByMessage(messageId: string, terms: Terms, where: Where): Promise<"stopped" | "already_stopped" | null> {
  try {
    const result = await rpc(
      "unsubscribe_by_message",
      { p_message_id: Uuid.parse(messageId), p_consent: consentOf(terms, where) },
      z.object({ outcome: z.enum(["stopped", "already_stopped"]) }),
    );
    return result.outcome;
  } catch (error) {
    if (messageNotFound(error)) return null;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------
// The preference form

export type PreferenceField = "language" | "timeZone" | "channels" | "hoursFrom" | "hoursTo" | "form";
export type PreferenceProblem =
  | { field: "language"; code: "invalid" }
  | { field: "timeZone"; code: "invalid" }
  | { field: "channels"; code: "invalid" }
  | { field: "hoursFrom"; code: "invalid" | "missing" | "outside_window" }
  | { field: "hoursTo"; code: "invalid" | "missing" | "before_start" | "outside_window" }
  | { field: "form"; code: "unexpected" };

const FIELDS = new Set(["intent", "language", "timeZone", "email", "sms", "post", "hoursFrom", "hoursTo"]);
const Checked = z.literal("on").optional();
const HourOrNone = z.union([z.literal(""), Hour]).optional();

/**
 * The preference form as typed or tampered with: the values, or a problem per field. Any field
 * the form does not have is refused (a tampered form changes nothing).
 */
export function parsePreferenceForm(raw: Record<string, unknown>): { ok: true; choice: PreferenceChoice } | { ok: false; problems: PreferenceProblem[] } {
  const problems: PreferenceProblem[] = [];
  if (Object.keys(raw).some((key) => !FIELDS.has(key))) problems.push({ field: "form", code: "unexpected" });
  const language = LanguageSchema.safeParse(raw.language);
  if (!language.success) problems.push({ field: "language", code: "invalid" });
  const timeZone = z
    .string()
    .regex(/^(UTC|[A-Z][A-Za-z_-]*\/[A-Za-z0-9_+/-]{1,60})$/)
    .safeParse(raw.timeZone);
  if (!timeZone.success) problems.push({ field: "timeZone", code: "invalid" });
  const email = Checked.safeParse(raw.email);
  const sms = Checked.safeParse(raw.sms);
  const post = Checked.safeParse(raw.post);
  if (!email.success || !sms.success || !post.success) problems.push({ field: "channels", code: "invalid" });
  const from = HourOrNone.safeParse(raw.hoursFrom);
  const to = HourOrNone.safeParse(raw.hoursTo);
  const start = from.success ? from.data || null : null;
  const end = to.success ? to.data || null : null;
  if (!from.success || start === "24:00") problems.push({ field: "hoursFrom", code: "invalid" });
  if (!to.success || end === "00:00") problems.push({ field: "hoursTo", code: "invalid" });
  if (from.success && to.success && start !== "24:00" && end !== "00:00") {
    if (start && !end) problems.push({ field: "hoursTo", code: "missing" });
    else if (end && !start) problems.push({ field: "hoursFrom", code: "missing" });
    else if (start && end && end <= start) problems.push({ field: "hoursTo", code: "before_start" });
  }
  if (problems.length > 0 || !language.success || !timeZone.success) return { ok: false, problems };
  return {
    ok: true,
    choice: {
      language: language.data,
      timeZone: timeZone.data,
      emailAllowed: email.data === "on",
      smsAllowed: sms.data === "on",
      postAllowed: post.data === "on",
      preferredStart: start,
      preferredEnd: end,
    },
  };
}

/** Every hour of the day as a choice, "00:00" to "24:00". */
export const HOUR_CHOICES = Array.from({ length: 25 }, (_, h) => `${String(h).padStart(2, "0")}:00`);

/** The creditor's contact window, "HH:MM" to "HH:MM" (24:00 the end of the day). */
export interface ContactWindow {
  earliest: string;
  latest: string;
}

/**
 * Preferred hours the creditor's window can honour: they overlap it (app.next_contact_time
 * ignores hours that do not, so the consent's words would claim what never happens). The
 * problem sits on the time that is out of reach: a start at or after the window's end, or an
 * end at or before its start. "HH:MM" strings compare as times.
 */
export function windowProblem(choice: Pick<PreferenceChoice, "preferredStart" | "preferredEnd">, window: ContactWindow): PreferenceProblem | null {
  const { preferredStart: start, preferredEnd: end } = choice;
  if (!start || !end) return null;
  const from = start > window.earliest ? start : window.earliest;
  const to = end < window.latest ? end : window.latest;
  if (from < to) return null;
  return start >= window.latest ? { field: "hoursFrom", code: "outside_window" } : { field: "hoursTo", code: "outside_window" };
}

/**
 * The hours each select offers: inside the creditor's window (a start before its end, an end
 * after its start), plus the one already saved so the page never hides a stored choice.
 */
export function hourChoices(field: "hoursFrom" | "hoursTo", window: ContactWindow, current: string | null): string[] {
  return HOUR_CHOICES.filter((hour) =>
    hour === current || (field === "hoursFrom" ? hour >= window.earliest && hour < window.latest : hour > window.earliest && hour <= window.latest),
  );
}
