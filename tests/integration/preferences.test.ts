/**
 * Consent to electronic communications, the preference centre and the one-tap unsubscribe
 * (issue 9 items 5 and 6; ADR 014) through their routes and the real database: the first
 * sign-in asks once and records the answer with the words' hash; every preference change is a
 * consent record with its words' hash, and a form that changes nothing writes nothing; a
 * tampered form is a 400 on its field and changes nothing; another borrower's account is a
 * 404; an unsubscribe link works without a session, stops outreach ('opted_out') and leaves
 * what the borrower asked for alone, while a forged, expired or malformed one changes nothing.
 * Preferred hours outside the creditor's window are refused (page and database); agreeing to
 * notices in the preference centre is to the words shown there; the reminder box is ticked
 * only when reminders can go (the box and the notices agreement).
 */
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, test } from "vitest";
import { action as noticesAction, loader as noticesLoader } from "~/routes/email-notices";
import { action as preferencesAction, loader as preferencesLoader } from "~/routes/account.$accountId.preferences";
import { action as unsubscribeAction, loader as unsubscribeLoader } from "~/routes/unsubscribe.$token";
import { languageCookie } from "~/i18n/i18next.server";
import { preferencesTerms, updateContactPreferences } from "~/utils/preferences.server";
import { unsubscribeToken } from "~/utils/unsubscribe-token.server";
import { testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { answer, call, context, Jar, mintToken, open, req, signIn } from "../setup/routes";

withLocalEmail();

const ALEX_DOB = { "dob.month": "4", "dob.day": "12", "dob.year": "1985" };
const MARIA_DOB = { "dob.month": "11", "dob.day": "3", "dob.year": "1979" };
const NOTICES_PATH = "/email-notices?next=%2Faccount";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

let clones = 0;

/** A fresh copy of a demo account and its borrower (same answers, its own address), so each test starts clean. */
async function cloneOf(source: string, language?: "en" | "es"): Promise<{ reference: string; accountId: string; borrowerId: string }> {
  clones += 1;
  const reference = `PREF-${clones}`;
  const { rows } = await testDb().query<{ account_id: string; borrower_id: string }>(
    `with src as (select a.* from app.accounts as a where a.reference = $1),
          nb as (
            insert into app.borrowers (creditor_id, full_name, email, phone, language, time_zone, identity_check_kind, date_of_birth, postal_code)
            select b.creditor_id, b.full_name, $3, b.phone, coalesce($4, b.language), b.time_zone, b.identity_check_kind, b.date_of_birth, b.postal_code
              from app.borrowers as b join src on src.borrower_id = b.id
            returning id
          )
     insert into app.accounts (creditor_id, borrower_id, reference, product, original_creditor, opened_on, first_missed_payment_on,
                               charged_off_on, original_amount_minor, currency, interest_rate_bps, itemization_date, status)
     select src.creditor_id, nb.id, $2, src.product, src.original_creditor, src.opened_on, src.first_missed_payment_on,
            src.charged_off_on, src.original_amount_minor, src.currency, src.interest_rate_bps, src.itemization_date, src.status
       from src, nb
     returning id as account_id, borrower_id`,
    [source, reference, `${reference.toLowerCase()}@example.com`, language ?? null],
  );
  return { reference, accountId: rows[0]!.account_id, borrowerId: rows[0]!.borrower_id };
}

/** Signs in through the link and the answer; returns the cookies and where sign-in sent them. */
async function signInAt(reference: string, dob: Record<string, string>): Promise<{ jar: Jar; location: string | null }> {
  const { jar } = await open(await mintToken(reference));
  const outcome = await answer(jar, dob);
  expect(outcome.status).toBe(303);
  jar.apply(outcome.headers);
  return { jar, location: outcome.headers.get("Location") };
}

const notices = (jar: Jar) => call(() => noticesLoader({ request: req(NOTICES_PATH, { jar }), params: {}, context }));
const answerNotices = (jar: Jar, form: Record<string, string>) =>
  call(() => noticesAction({ request: req(NOTICES_PATH, { method: "POST", form, jar, userAgent: "Vitest/3" }), params: {}, context }));
const centre = (jar: Jar, accountId: string) =>
  call(() => preferencesLoader({ request: req(`/account/${accountId}/preferences`, { jar }), params: { accountId }, context }));
const save = (jar: Jar, form: Record<string, string>, accountId: string) =>
  call(() => preferencesAction({ request: req(`/account/${accountId}/preferences`, { method: "POST", form, jar }), params: { accountId }, context }));

interface ConsentRow {
  kind: string;
  action: string;
  text_sha256: string;
  body: string;
  language: string;
  text_version: string;
  user_agent: string | null;
}

async function consents(borrowerId: string, kind?: string): Promise<ConsentRow[]> {
  const { rows } = await testDb().query<ConsentRow>(
    `select c.kind, c.action, c.text_sha256, t.body, c.language, c.text_version, c.user_agent
       from app.consents as c join app.consent_texts as t on t.id = c.text_id
      where c.borrower_id = $1 and ($2::text is null or c.kind = $2)
      order by c.created_at, c.id`,
    [borrowerId, kind ?? null],
  );
  return rows;
}

async function audits(borrowerId: string, prefix: string): Promise<Array<{ action: string; reason_code: string | null; metadata: Record<string, unknown> }>> {
  const { rows } = await testDb().query<{ action: string; reason_code: string | null; metadata: Record<string, unknown> }>(
    "select action, reason_code, metadata from app.audit_events where actor_id = $1 and action like $2 order by event_no",
    [borrowerId, `${prefix}%`],
  );
  return rows;
}

async function settings(borrowerId: string) {
  const { rows } = await testDb().query<{ language: string; time_zone: string; prefs: Record<string, unknown> | null }>(
    `select b.language, b.time_zone,
            (select to_jsonb(p) - 'updated_at' - 'borrower_id' from app.contact_preferences as p where p.borrower_id = b.id) as prefs
       from app.borrowers as b where b.id = $1`,
    [borrowerId],
  );
  return rows[0]!;
}

const FULL_FORM = {
  intent: "save",
  language: "en",
  timeZone: "America/New_York",
  email: "on",
  post: "on",
  hoursFrom: "",
  hoursTo: "",
};

describe("notices by email at the first sign-in", () => {
  test("asked once: 'Yes, email me' is recorded with the words' hash; the next sign-in goes straight to the account", async () => {
    const { reference, borrowerId: alex } = await cloneOf("DEMO-1001");
    const first = await signInAt(reference, ALEX_DOB);
    expect(first.location).toBe(NOTICES_PATH);

    const page = await notices(first.jar);
    expect(page.status).toBe(200);
    const lines = page.data!.lines as string[];
    expect(lines[0]).toBe("Northwind Lending would like to send you notices by email at p•••@example.com.");
    expect(lines.join("\n")).toContain("reminders before a payment is taken");
    expect(lines.join("\n")).toContain("Receipts, and anything you ask for, are emailed to you either way.");
    expect(lines.join("\n")).toContain("in your contact preferences, or with the link at the end of every reminder email");
    expect(JSON.stringify(page.data)).not.toContain(`${reference.toLowerCase()}@`);

    // The words changed under the form (a tampered hash): nothing is recorded.
    const stale = await answerNotices(first.jar, { choice: "granted", terms: "0".repeat(64), next: "/account" });
    expect(stale.status).toBe(409);
    const forged = await answerNotices(first.jar, { choice: "maybe", terms: page.data!.sha256 as string, next: "/account" });
    expect(forged.status).toBe(400);
    expect(await consents(alex, "e_communications")).toEqual([]);

    const yes = await answerNotices(first.jar, { choice: "granted", terms: page.data!.sha256 as string, next: "/account" });
    expect(yes.status).toBe(303);
    expect(yes.headers.get("Location")).toBe("/account");
    // A double press (or a second tab) records nothing more.
    expect((await answerNotices(first.jar, { choice: "withdrawn", terms: page.data!.sha256 as string, next: "/account" })).status).toBe(303);

    const recorded = await consents(alex, "e_communications");
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ action: "granted", language: "en", text_version: "email-notices.v1", user_agent: "Vitest/3", body: lines.join("\n") });
    expect(recorded[0]!.text_sha256).toBe(sha256(recorded[0]!.body));
    expect(await audits(alex, "consent.")).toEqual([
      { action: "consent.granted", reason_code: "first_sign_in", metadata: { kind: "e_communications", origin: "first_sign_in" } },
    ]);

    // Asked only once: the page itself moves on, and sign-in goes straight to the account.
    const again = await notices(first.jar);
    expect(again.status).toBe(303);
    expect(again.headers.get("Location")).toBe("/account");
    expect((await signInAt(reference, ALEX_DOB)).location).toBe("/account");
  });

  test("'No thanks' is recorded as withdrawn, in the borrower's language, so we do not ask again; an outside address is never the next stop", async () => {
    const { reference, borrowerId: maria } = await cloneOf("DEMO-1002");
    const first = await signInAt(reference, MARIA_DOB);
    expect(first.location).toBe(NOTICES_PATH);
    const page = await notices(first.jar);
    expect((page.data!.lines as string[])[0]).toBe("Northwind Lending quiere enviarle avisos por correo electrónico a p•••@example.com.");
    const no = await answerNotices(first.jar, { choice: "withdrawn", terms: page.data!.sha256 as string, next: "//evil.example/x" });
    expect(no.status).toBe(303);
    expect(no.headers.get("Location")).toBe("/account");
    const recorded = await consents(maria, "e_communications");
    expect(recorded).toMatchObject([{ action: "withdrawn", language: "es" }]);
    expect(recorded[0]!.text_sha256).toBe(sha256(recorded[0]!.body));
    expect((await signInAt(reference, MARIA_DOB)).location).toBe("/account");
  });
});

describe("the preference centre", () => {
  let alex: string;
  let account: string;
  let jar: Jar;
  beforeEach(async () => {
    const clone = await cloneOf("DEMO-1001");
    alex = clone.borrowerId;
    account = clone.accountId;
    jar = await signIn(clone.reference, ALEX_DOB);
  });

  test("every change is a consent record with the words' hash and one audit event; a form that changes nothing writes nothing", async () => {
    const page = await centre(jar, account);
    expect(page.status).toBe(200);
    // Alex has not answered about notices by email: reminders cannot go, so the box is unticked.
    expect(page.data).toMatchObject({
      values: { language: "en", timeZone: "America/New_York", email: false, sms: false, post: true, hoursFrom: "", hoursTo: "" },
      window: { from: "8:00 AM", to: "9:00 PM" },
      eCommunications: null,
    });

    // The page's form as it came: nothing changed, nothing written.
    const same = await save(jar, FULL_FORM, account);
    expect(same.status).toBe(303);
    expect(same.headers.get("Location")).toBe(`/account/${account}/preferences?done=unchanged`);
    expect(await consents(alex, "contact_preferences")).toEqual([]);
    expect(await audits(alex, "contact_preferences.")).toEqual([]);
    expect((await settings(alex)).prefs).toBeNull();

    // Hours and text messages.
    const hours = await save(jar, { ...FULL_FORM, sms: "on", hoursFrom: "09:00", hoursTo: "17:00" }, account);
    expect(hours.headers.get("Location")).toBe(`/account/${account}/preferences?done=saved`);
    expect((await settings(alex)).prefs).toEqual({
      email_allowed: true,
      sms_allowed: true,
      post_allowed: true,
      preferred_start: "09:00:00",
      preferred_end: "17:00:00",
    });
    let records = await consents(alex, "contact_preferences");
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ action: "granted", language: "en", text_version: "contact-preferences.v1" });
    expect(records[0]!.text_sha256).toBe(sha256(records[0]!.body));
    expect(records[0]!.body.split("\n")).toEqual([
      "How Northwind Lending may contact me:",
      "Language: English",
      "Reminder emails: yes",
      "Text messages: yes (kept for Northwind Lending's other systems)",
      "Letters by post: yes (kept for Northwind Lending's other systems)",
      "Best time to contact me: 9:00 AM to 5:00 PM",
      "My time zone: Eastern Time (New York)",
    ]);

    // The same again: nothing.
    expect((await save(jar, { ...FULL_FORM, sms: "on", hoursFrom: "09:00", hoursTo: "17:00" }, account)).headers.get("Location")).toContain("done=unchanged");
    expect(await consents(alex, "contact_preferences")).toHaveLength(1);

    // Language and time zone (on the borrower) and email off: the page answers in Spanish.
    const spanish = await save(jar, { ...FULL_FORM, language: "es", timeZone: "America/Chicago", sms: "on", hoursFrom: "09:00", hoursTo: "24:00" }, account);
    expect(spanish.status).toBe(303);
    const lng = spanish.headers.getSetCookie().find((c) => c.startsWith("lng="));
    expect(await languageCookie.parse(lng?.split(";")[0] ?? "")).toBe("es");
    expect(await settings(alex)).toMatchObject({ language: "es", time_zone: "America/Chicago", prefs: { preferred_end: "24:00:00" } });
    const after = await centre(jar, account);
    expect(after.data).toMatchObject({ title: "Preferencias de contacto", values: { language: "es", timeZone: "America/Chicago", hoursTo: "24:00" } });
    records = await consents(alex, "contact_preferences");
    expect(records).toHaveLength(2);
    expect(records[1]!.text_sha256).toBe(sha256(records[1]!.body));
    expect(records[1]!.body).toContain("Language: Español");
    expect(records[1]!.body).toContain("Best time to contact me: 9:00 AM to midnight");
    expect(records[1]!.body).toContain("My time zone: Central Time (Chicago)");

    const events = await audits(alex, "contact_preferences.");
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({
      reason_code: "preference_centre",
      metadata: { origin: "preference_centre", language: "es", language_changed: true, time_zone_changed: true, hours_changed: true, preferred_end_minute: 1440 },
    });
    // Audit metadata holds no words, addresses or zone names.
    expect(JSON.stringify(events)).not.toMatch(/Chicago|example\.com|Northwind/);

    // The list of what they agreed to shows each record with its words.
    const list = after.data!.consents as Array<{ kind: string; action: string; lines: string[]; sha256: string }>;
    expect(list.slice(0, 2).map((c) => [c.kind, c.action])).toEqual([
      ["contact_preferences", "granted"],
      ["contact_preferences", "granted"],
    ]);
    expect(list[0]!.sha256).toBe(records[1]!.text_sha256);
    expect(list[0]!.lines.join("\n")).toBe(records[1]!.body);
  });

  test("notices by email can be withdrawn (and agreed to again), each a record; the same answer twice writes once", async () => {
    const withdraw = () => save(jar, { intent: "withdraw-notices" }, account);
    expect((await withdraw()).headers.get("Location")).toBe(`/account/${account}/preferences?done=withdrawn#notices-title`);
    expect((await withdraw()).status).toBe(303);
    expect((await consents(alex, "e_communications")).map((c) => c.action)).toEqual(["withdrawn"]);

    // The page shows the words "Yes, email me notices" agrees to, and the form carries their hash.
    const shown = (await centre(jar, account)).data!.notices as { lines: string[]; sha256: string };
    expect(shown.lines[0]).toBe("Northwind Lending would like to send you notices by email at p•••@example.com.");
    expect(shown.lines).toHaveLength(4);
    expect(shown.sha256).toBe(sha256(shown.lines.join("\n")));

    // Words that changed under the form (a tampered hash), or no hash at all: nothing recorded.
    const stale = await save(jar, { intent: "grant-notices", terms: "0".repeat(64) }, account);
    expect(stale.status).toBe(409);
    expect(stale.data).toMatchObject({ notices: "The words about notices by email have changed since this page opened. Nothing was saved. Please read them again below." });
    expect((await save(jar, { intent: "grant-notices" }, account)).status).toBe(400);
    expect((await consents(alex, "e_communications")).map((c) => c.action)).toEqual(["withdrawn"]);

    expect((await save(jar, { intent: "grant-notices", terms: shown.sha256 }, account)).status).toBe(303);
    const records = await consents(alex, "e_communications");
    expect(records.map((c) => c.action)).toEqual(["withdrawn", "granted"]);
    for (const r of records) expect(r.text_sha256).toBe(sha256(r.body));
    // What is stored is what was shown.
    expect(records[1]!.body).toBe(shown.lines.join("\n"));
    expect(records[1]!.text_sha256).toBe(shown.sha256);
    const granted = await centre(jar, account);
    expect(granted.data).toMatchObject({ eCommunications: "granted", notices: null });
    // An intent with fields it does not take is refused.
    expect((await save(jar, { intent: "withdraw-notices", language: "es" }, account)).status).toBe(400);
  });

  test("a tampered form is a 400 with a translated message on its field, and nothing changes", async () => {
    const before = await settings(alex);
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ ...FULL_FORM, language: "fr" }, "language", "Choose English or Español"],
      [{ ...FULL_FORM, hoursFrom: "17:00", hoursTo: "09:00" }, "hoursTo", "The end time must be later than the start time"],
      [{ ...FULL_FORM, hoursFrom: "09:00", hoursTo: "09:00" }, "hoursTo", "The end time must be later than the start time"],
      [{ ...FULL_FORM, hoursFrom: "09:00" }, "hoursTo", 'Choose an end time, or set both times to "No preference"'],
      [{ ...FULL_FORM, hoursFrom: "25:00", hoursTo: "26:00" }, "hoursFrom", "Choose a start time from the list"],
      [{ ...FULL_FORM, timeZone: "Mars/Olympus_Mons" }, "timeZone", "Choose a time zone from the list"],
      [{ ...FULL_FORM, timeZone: "EST5EDT'; drop table app.borrowers; --" }, "timeZone", "Choose a time zone from the list"],
      [{ ...FULL_FORM, email: "yes please" }, "channels", "Tick or untick each way we may contact you"],
      [{ ...FULL_FORM, sms: "on", isAdmin: "true" }, "form", "Something in the form was not as we sent it. Nothing was changed. Please check your choices and save again."],
      [{ ...FULL_FORM, intent: "delete" }, "form", "Something in the form was not as we sent it. Nothing was changed. Please check your choices and save again."],
    ];
    for (const [form, field, message] of cases) {
      const outcome = await save(jar, form, account);
      expect(outcome.status, JSON.stringify(form)).toBe(400);
      expect((outcome.data!.errors as Record<string, string>)[field], JSON.stringify(form)).toBe(message);
    }
    // In Spanish for a Spanish speaker.
    const mariaClone = await cloneOf("DEMO-1002");
    const maria = await signIn(mariaClone.reference, MARIA_DOB);
    const spanish = await save(maria, { ...FULL_FORM, language: "es", hoursFrom: "18:00", hoursTo: "08:00" }, mariaClone.accountId);
    expect(spanish.status).toBe(400);
    expect(spanish.data).toMatchObject({ errors: { hoursTo: "La hora de fin debe ser posterior a la hora de inicio" } });

    expect(await settings(alex)).toEqual(before);
    expect(await consents(alex, "contact_preferences")).toEqual([]);
    expect(await audits(alex, "contact_preferences.")).toEqual([]);
  });

  test("the reminder box is ticked only when reminders can go: the box and the notices agreement", async () => {
    // Never answered: unticked, whatever contact_preferences.email_allowed says.
    expect((await centre(jar, account)).data).toMatchObject({ eCommunications: null, values: { email: false } });
    // Saving while the box is not offered keeps the saved choice (no consent from a checkbox).
    expect((await save(jar, { ...FULL_FORM, email: "", sms: "on" }, account)).status).toBe(400);
    const { email: _email, ...withoutEmail } = FULL_FORM;
    expect((await save(jar, { ...withoutEmail, sms: "on" }, account)).headers.get("Location")).toContain("done=saved");
    expect((await settings(alex)).prefs).toMatchObject({ email_allowed: true, sms_allowed: true });
    expect((await consents(alex, "contact_preferences"))[0]!.body).toContain("Reminder emails: yes");
    expect(await consents(alex, "e_communications")).toEqual([]);

    // "No thanks" (a withdrawal): still unticked.
    await save(jar, { intent: "withdraw-notices" }, account);
    expect((await centre(jar, account)).data).toMatchObject({ eCommunications: "withdrawn", values: { email: false } });

    // Agreed: ticked, as reminders now go.
    const shown = (await centre(jar, account)).data!.notices as { sha256: string };
    await save(jar, { intent: "grant-notices", terms: shown.sha256 }, account);
    expect((await centre(jar, account)).data).toMatchObject({ eCommunications: "granted", values: { email: true } });

    // Agreed, then the box unticked: unticked, and saved.
    expect((await save(jar, { ...withoutEmail, sms: "on" }, account)).headers.get("Location")).toContain("done=saved");
    expect((await settings(alex)).prefs).toMatchObject({ email_allowed: false });
    expect((await centre(jar, account)).data).toMatchObject({ eCommunications: "granted", values: { email: false } });
  });

  test("preferred hours must overlap the creditor's window: a 400 naming it, nothing stored; the selects offer only its hours", async () => {
    const page = await centre(jar, account);
    const choices = page.data!.hourChoices as { hoursFrom: Array<{ value: string; label: string }>; hoursTo: Array<{ value: string; label: string }> };
    expect(choices.hoursFrom.map((c) => c.value)).toEqual(["08:00", "09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00", "17:00", "18:00", "19:00", "20:00"]);
    expect(choices.hoursTo.map((c) => c.value)).toEqual(["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00", "17:00", "18:00", "19:00", "20:00", "21:00"]);
    expect(choices.hoursTo.at(-1)!.label).toBe("9:00 PM");

    const message = "Choose times between 8:00 AM and 9:00 PM: Northwind Lending only contacts people then";
    const cases: Array<[Record<string, string>, string]> = [
      [{ ...FULL_FORM, hoursFrom: "21:00", hoursTo: "24:00" }, "hoursFrom"],
      [{ ...FULL_FORM, hoursFrom: "22:00", hoursTo: "23:00" }, "hoursFrom"],
      [{ ...FULL_FORM, hoursFrom: "00:00", hoursTo: "08:00" }, "hoursTo"],
    ];
    for (const [form, field] of cases) {
      const outcome = await save(jar, form, account);
      expect(outcome.status, JSON.stringify(form)).toBe(400);
      expect(outcome.data!.errors, JSON.stringify(form)).toEqual({ [field]: message });
    }
    // Overlapping the window in part is fine (the window narrows it).
    expect((await save(jar, { ...FULL_FORM, hoursFrom: "20:00", hoursTo: "24:00" }, account)).headers.get("Location")).toContain("done=saved");
    expect((await settings(alex)).prefs).toMatchObject({ preferred_start: "20:00:00", preferred_end: "24:00:00" });
    // A saved choice outside the selects' range is still offered, so the page shows it.
    const after = (await centre(jar, account)).data!.hourChoices as { hoursTo: Array<{ value: string }> };
    expect(after.hoursTo.at(-1)!.value).toBe("24:00");

    // In Spanish for a Spanish speaker.
    const mariaClone = await cloneOf("DEMO-1002");
    const maria = await signIn(mariaClone.reference, MARIA_DOB);
    const spanish = await save(maria, { ...FULL_FORM, language: "es", hoursFrom: "21:00", hoursTo: "24:00" }, mariaClone.accountId);
    expect(spanish.status).toBe(400);
    expect(spanish.data).toMatchObject({ errors: { hoursFrom: "Elija horas entre las 8:00 a.m. y las 9:00 p.m.: Northwind Lending solo contacta a las personas en ese horario" } });
    expect((await settings(mariaClone.borrowerId)).prefs).toBeNull();
    expect(await consents(mariaClone.borrowerId, "contact_preferences")).toEqual([]);

    // The database refuses it too (PT422 invalid_hours), and writes nothing.
    const choice = { language: "en" as const, timeZone: "America/New_York", emailAllowed: true, smsAllowed: false, postAllowed: true, preferredStart: "21:00", preferredEnd: "24:00" };
    const terms = await preferencesTerms(choice, { name: "Northwind Lending", region: "US" }, "en");
    const where = { ip: null, userAgent: null };
    expect(await updateContactPreferences({ borrowerId: mariaClone.borrowerId, accountId: mariaClone.accountId, choice, terms, where })).toEqual({ ok: false, reason: "invalid_hours" });
    expect((await settings(mariaClone.borrowerId)).prefs).toBeNull();
    expect(await consents(mariaClone.borrowerId, "contact_preferences")).toEqual([]);
  });

  test("another borrower's account in the address is a 404, and nothing changes", async () => {
    const { borrowerId: maria, accountId: hers } = await cloneOf("DEMO-1002");
    expect((await centre(jar, hers)).status).toBe(404);
    expect((await save(jar, { ...FULL_FORM, language: "es", sms: "on" }, hers)).status).toBe(404);
    expect((await save(jar, { intent: "withdraw-notices" }, hers)).status).toBe(404);
    expect((await centre(jar, "not-a-uuid")).status).toBe(404);
    expect(await consents(maria)).toEqual([]);
    expect(await consents(alex)).toEqual([]);
    // Without a session: home.
    const anonymous = await call(() => preferencesLoader({ request: req(`/account/${account}/preferences`), params: { accountId: account }, context }));
    expect(anonymous.status).toBe(302);
  });
});

describe("the one-tap unsubscribe", () => {
  async function enqueue(borrowerId: string, accountId: string, category: "requested" | "outreach", key: string): Promise<string> {
    const { rows } = await testDb().query<{ id: string }>("select app.enqueue_message($1, $2, $3, $4, '{}'::jsonb, $5) as id", [
      category === "outreach" ? "reminder.upcoming" : "payment.receipt",
      category,
      borrowerId,
      accountId,
      key,
    ]);
    return rows[0]!.id;
  }

  const tap = (token: string, jar = new Jar()) => call(() => unsubscribeAction({ request: req(`/unsubscribe/${token}`, { method: "POST", form: { intent: "stop" }, jar }), params: { token }, context }));
  const view = (token: string, language = "en") => call(() => unsubscribeLoader({ request: req(`/unsubscribe/${token}`, { language }), params: { token }, context }));

  test("works without a session, stops outreach ('opted_out') and leaves what the borrower asked for alone; a second tap writes nothing", async () => {
    const { reference, borrowerId: alex, accountId: account } = await cloneOf("DEMO-1001");
    // Alex agreed to notices by email, so outreach may go until the link is used.
    const jar = await signIn(reference, ALEX_DOB);
    const page = await notices(jar);
    await answerNotices(jar, { choice: "granted", terms: page.data!.sha256 as string, next: "/account" });
    const reminder = await enqueue(alex, account, "outreach", `test-reminder/${alex}`);
    const receipt = await enqueue(alex, account, "requested", `test-receipt/${alex}`);
    const block = async () => (await testDb().query<{ r: string | null }>("select app.outreach_block_reason($1) as r", [alex])).rows[0]!.r;
    expect(await block()).toBeNull();

    const token = unsubscribeToken(reminder);
    const shown = await view(token);
    expect(shown.status).toBe(200);
    expect(shown.data).toMatchObject({
      view: {
        kind: "ask",
        lines: [
          "Stop reminder emails from Northwind Lending to p•••@example.com.",
          "We will not send you reminder emails any more. Receipts and anything you ask for will still come.",
          "You can turn reminder emails back on in your contact preferences after you sign in.",
        ],
      },
    });
    expect(JSON.stringify(shown.data)).not.toMatch(new RegExp(`${reference}|Alex|Rivera`, "i"));

    const first = await tap(token);
    expect(first.status).toBe(303);
    expect(first.headers.get("Location")).toBe(`/unsubscribe/${token}?done=1`);
    const done = await call(() => unsubscribeLoader({ request: req(`/unsubscribe/${token}?done=1`), params: { token }, context }));
    expect(done.data).toMatchObject({ title: "Reminder emails stopped", view: { kind: "done" } });
    expect(await block()).toBe("opted_out");
    expect((await settings(alex)).prefs).toMatchObject({ email_allowed: false });

    const records = await consents(alex, "contact_preferences");
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ action: "withdrawn", text_version: "unsubscribe.v1", language: "en" });
    expect(records[0]!.text_sha256).toBe(sha256(records[0]!.body));
    expect(records[0]!.body).toBe((shown.data!.view as { lines: string[] }).lines.join("\n"));
    const events = await audits(alex, "contact_preferences.");
    expect(events).toEqual([
      { action: "contact_preferences.email_stopped", reason_code: "email_link", metadata: { origin: "email_link", message_id: reminder, email_allowed: false } },
    ]);

    // A second tap: "already stopped", nothing new.
    const second = await tap(token);
    expect(second.headers.get("Location")).toBe(`/unsubscribe/${token}`);
    expect((await view(token)).data).toMatchObject({ title: "Reminder emails are already stopped", view: { kind: "already" } });
    expect(await consents(alex, "contact_preferences")).toHaveLength(1);
    expect(await audits(alex, "contact_preferences.")).toHaveLength(1);

    // What the borrower asked for is untouched: still queued, still requested.
    const { rows } = await testDb().query<{ id: string; state: string; category: string }>(
      "select id, state, category from app.outbound_messages where id = any($1) order by category",
      [[receipt, reminder]],
    );
    expect(rows.find((r) => r.id === receipt)).toMatchObject({ state: "queued", category: "requested" });
  });

  test("RFC 8058 one-click POST to the same address answers 200 and stops reminders, in the borrower's language", async () => {
    const { borrowerId: maria, accountId } = await cloneOf("DEMO-1002");
    const message = await enqueue(maria, accountId, "outreach", `test-reminder/${maria}`);
    const token = unsubscribeToken(message);
    const request = new Request(`http://localhost:3000/unsubscribe/${token}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    const outcome = await call(() => unsubscribeAction({ request, params: { token }, context }));
    expect(outcome.status).toBe(200);
    expect((await settings(maria)).prefs).toMatchObject({ email_allowed: false });
    expect(await consents(maria, "contact_preferences")).toMatchObject([{ action: "withdrawn", language: "es" }]);
  });

  test("a forged, expired, malformed or unknown link is a 4xx page, and nothing changes", async () => {
    const { borrowerId: alex, accountId } = await cloneOf("DEMO-1001");
    const message = await enqueue(alex, accountId, "outreach", `test-reminder-2/${alex}`);
    const good = unsubscribeToken(message);
    const forged = `${good.slice(0, -4)}${good.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    const otherMessage = good.replace(message, "00000000-0000-4000-8000-000000000000");
    const expired = unsubscribeToken(message, new Date(Date.now() - 61 * 86_400_000));
    const unknown = unsubscribeToken("00000000-0000-4000-8000-000000000000");
    const cases: Array<[string, number, string]> = [
      [forged, 400, "This link does not work"],
      [otherMessage, 400, "This link does not work"],
      ["v1.not-a-token", 400, "This link does not work"],
      ["x".repeat(500), 400, "This link does not work"],
      [expired, 410, "This link has expired"],
      [unknown, 404, "We could not find this email"],
    ];
    for (const [token, status, title] of cases) {
      const shown = await view(token);
      expect(shown.status, token).toBe(status);
      expect(shown.data, token).toMatchObject({ title });
      expect((await tap(token)).status, token).toBe(status);
    }
    expect((await view(expired, "es")).data).toMatchObject({ title: "Este enlace ha vencido" });
    expect((await settings(alex)).prefs).toBeNull();
    expect(await consents(alex, "contact_preferences")).toEqual([]);
    expect(await audits(alex, "contact_preferences.")).toEqual([]);
  });
});
