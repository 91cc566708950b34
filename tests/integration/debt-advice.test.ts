/**
 * "Getting debt advice" through its route (issue 7 item 3; ADR 008), signed in through the
 * real link and sign-in routes: bad input is a 400 with the message on its field and stores
 * nothing; the adviser's details are refused without their own consent (on the page and in
 * the database); a declaration pauses collection until the end of day 60 in the creditor's
 * zone, so the sweep charges nothing, and is confirmed on the page and by one email; a replay
 * creates one; the pause ends by itself through npm run jobs, the plan's payments moving after
 * it; ending it early lifts the pause and erases the adviser's details; staff see the
 * adviser's contact only while the consent stands; a breathing space is refused for the US
 * creditor and kept for a creditor in England and Wales; another borrower's account is a 404.
 */
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { runJobs } from "~/jobs/run-jobs.server";
import { action as adviserAction, loader as adviserLoader } from "~/routes/account.$accountId.help.adviser";
import { loader as helpLoader } from "~/routes/account.$accountId.help._index";
import { rpc } from "~/services/supabase/rpc.server";
import { runSweep } from "~/utils/automatic-charges.server";
import { getAccountDebtAdviceForStaff } from "~/utils/debt-advice.server";
import { ALEX, newAccount } from "../setup/accounts";
import { autopayPlan } from "../setup/autopay";
import { addDays, today } from "../setup/dates";
import { testDb } from "../setup/db";
import { withEnv, withLocalEmail } from "../setup/env";
import { notFound } from "../setup/not-found";
import { settleOutbox, templateEmails } from "../setup/outbox";
import { call, context, req, signIn, type Jar } from "../setup/routes";
import { hintOf } from "../setup/rpc-errors";

withEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined, JOBS_SECRET: undefined });
withLocalEmail();

const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";
const DEMO_1002 = "a0000000-0000-4000-8000-000000001002";
const ALEX_DOB = { "dob.month": "4", "dob.day": "12", "dob.year": "1985" };
const MARIA_DOB = { "dob.month": "11", "dob.day": "3", "dob.year": "1979" };

const page = (jar: Jar, accountId: string, query = "") =>
  call(() => adviserLoader({ request: req(`/account/${accountId}/help/adviser${query}`, { jar }), params: { accountId }, context }));
const send = (jar: Jar, accountId: string, form: Record<string, string>) =>
  call(() => adviserAction({ request: req(`/account/${accountId}/help/adviser`, { method: "POST", form, jar, userAgent: "Vitest/3 (debt advice)" }), params: { accountId }, context }));

async function referenceOf(accountId: string): Promise<string> {
  const { rows } = await testDb().query<{ reference: string }>("select reference from app.accounts where id = $1", [accountId]);
  return rows[0]!.reference;
}

/** A fresh account of Alex's, and Alex signed in on it. */
async function alexOn(accountId?: string): Promise<{ jar: Jar; accountId: string }> {
  const id = accountId ?? (await newAccount({ prefix: "TEST-ADV" }));
  return { jar: await signIn(await referenceOf(id), ALEX_DOB), accountId: id };
}

/** The consent's hash as the page carries it in its hidden field. */
async function termsOf(jar: Jar, accountId: string): Promise<string> {
  const loaded = await page(jar, accountId);
  return (loaded.data as { terms: { sha256: string } }).terms.sha256;
}

async function stored(accountId: string) {
  const { rows } = await testDb().query<{ declarations: number; pauses: number; consents: number }>(
    `select (select count(*)::int from app.debt_advice_declarations where account_id = $1) as declarations,
            (select count(*)::int from app.collection_pauses where account_id = $1 and lifted_at is null) as pauses,
            (select count(*)::int from app.consents where account_id = $1 and kind = 'debt_adviser_contact') as consents`,
    [accountId],
  );
  return rows[0]!;
}

async function declaration(accountId: string) {
  const { rows } = await testDb().query<{
    kind: string;
    status: string;
    end_reason: string | null;
    breathing_space_reference: string | null;
    adviser_name: string | null;
    adviser_phone: string | null;
    adviser_email: string | null;
    reason: string;
    ends_at: string;
    expected_ends_at: string;
    lifted: boolean;
  }>(
    `select d.kind, d.status, d.end_reason, d.breathing_space_reference, d.adviser_name, d.adviser_phone, d.adviser_email,
            p.reason, p.ends_at::text as ends_at,
            ((((now() at time zone c.time_zone)::date + 60)::timestamp at time zone c.time_zone))::text as expected_ends_at,
            p.lifted_at is not null as lifted
       from app.debt_advice_declarations as d
       join app.collection_pauses as p on p.id = d.pause_id
       join app.accounts as a on a.id = d.account_id
       join app.creditors as c on c.id = a.creditor_id
      where d.account_id = $1
      order by d.declared_at desc
      limit 1`,
    [accountId],
  );
  return rows[0]!;
}

async function audits(accountId: string) {
  const { rows } = await testDb().query<{ action: string; reason_code: string | null; metadata: Record<string, unknown> }>(
    "select action, reason_code, metadata from app.audit_events where account_id = $1 order by event_no",
    [accountId],
  );
  return rows;
}

async function emails(accountId: string) {
  await settleOutbox();
  return (await templateEmails("debt_advice.received")).filter((e) => e.text.includes(`/account/${accountId}/help/adviser`));
}

async function automaticPayments(accountId: string): Promise<number> {
  const { rows } = await testDb().query<{ n: number }>("select count(*)::int as n from app.payments where account_id = $1 and origin = 'automatic'", [accountId]);
  return rows[0]!.n;
}

const ADVISER = { adviserName: "Dana Whitfield", adviserPhone: "(800) 388-2227", adviserEmail: "Dana.Whitfield@GreenPath.example.org" };

describe("Getting debt advice: bad input", () => {
  test("an empty organisation, 1,000 characters, a bad phone or email: a 400 with the message on its field, nothing stored", async () => {
    const { jar, accountId } = await alexOn();
    const before = await page(jar, accountId);
    expect(before.data).toMatchObject({ title: "Getting debt advice", breathingSpace: false, active: null, previous: null });
    const terms = await termsOf(jar, accountId);

    const empty = await send(jar, accountId, { organisation: "   " });
    expect(empty.status).toBe(400);
    expect(empty.data).toMatchObject({ errors: { organisation: "Enter the name of the organization giving you debt advice" } });

    const long = "x".repeat(1000);
    const tooLong = await send(jar, accountId, { organisation: long, consent: "on", terms, adviserName: long, adviserPhone: long, adviserEmail: long });
    expect(tooLong.status).toBe(400);
    expect(tooLong.data).toMatchObject({
      errors: {
        organisation: "Use 200 characters or fewer (you used 1000)",
        adviserName: "Use 200 characters or fewer (you used 1000)",
        adviserPhone: "Use 40 characters or fewer (you used 1000)",
        adviserEmail: "Use 254 characters or fewer (you used 1000)",
      },
      // What they typed comes back, so nothing is lost.
      values: { organisation: long, consent: true },
    });

    const bad = await send(jar, accountId, { organisation: "GreenPath", consent: "on", terms, adviserPhone: "call me", adviserEmail: "dana@greenpath" });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({
      errors: { adviserPhone: "Enter a phone number like 1-800-388-2227", adviserEmail: "Enter an email address like name@example.com" },
    });
    const short = await send(jar, accountId, { organisation: "GreenPath", consent: "on", terms, adviserPhone: "555-0101" });
    expect(short.data).toMatchObject({ errors: { adviserPhone: "Enter a phone number like 1-800-388-2227" } });
    const nameOnly = await send(jar, accountId, { organisation: "GreenPath", consent: "on", terms, adviserName: "Dana" });
    expect(nameOnly.data).toMatchObject({ errors: { adviserPhone: "Enter your adviser's phone number or email address, so we can reach them" } });
    const forgedIntent = await send(jar, accountId, { intent: "erase-my-debt", organisation: "GreenPath" });
    expect(forgedIntent.status).toBe(400);
    expect(forgedIntent.data).toMatchObject({ errors: { form: "We could not read what you sent. Please try again." } });

    expect(await stored(accountId)).toEqual({ declarations: 0, pauses: 0, consents: 0 });
  });

  test("the adviser's details without the consent are refused on their fields, never dropped, in the page and in the database", async () => {
    const { jar, accountId } = await alexOn();
    const without = await send(jar, accountId, { organisation: "GreenPath Financial Wellness", ...ADVISER });
    expect(without.status).toBe(400);
    const needs = 'To give us this, tick "I agree to this" above first. Or leave it empty.';
    expect(without.data).toMatchObject({ errors: { adviserName: needs, adviserPhone: needs, adviserEmail: needs } });

    const ticked = await send(jar, accountId, { organisation: "GreenPath Financial Wellness", consent: "on", terms: await termsOf(jar, accountId) });
    expect(ticked.status).toBe(400);
    expect(ticked.data).toMatchObject({ errors: { consent: "Enter how to reach your adviser below, or untick this box" } });

    // A stale page (the words changed since it was shown): nothing is recorded against them.
    const stale = await send(jar, accountId, { organisation: "GreenPath", consent: "on", terms: "0".repeat(64), adviserEmail: "dana@greenpath.example.org" });
    expect(stale.status).toBe(400);
    expect(stale.data).toMatchObject({ errors: { form: "Something changed while this page was open. Please check and try again." } });

    // The database refuses it too, whoever calls.
    const direct = rpc(
      "declare_debt_advice",
      {
        p_borrower_id: ALEX,
        p_account_id: accountId,
        p_kind: "debt_advice",
        p_organisation: "GreenPath",
        p_breathing_space_reference: null,
        p_adviser_name: null,
        p_adviser_phone: "+18003882227",
        p_adviser_email: null,
        p_consent: null,
      },
      z.unknown(),
    );
    expect(await hintOf(direct)).toBe("invalid_consent");
    expect(await stored(accountId)).toEqual({ declarations: 0, pauses: 0, consents: 0 });
  });
});

describe("Getting debt advice: the pause", () => {
  test("a declaration pauses collection until the end of day 60, the sweep charges nothing, one email; a replay creates one", async () => {
    const plan = await autopayPlan();
    const { jar, accountId } = await alexOn(plan.accountId);
    const form = { intent: "declare", organisation: "  GreenPath   Financial Wellness ", consent: "on", terms: await termsOf(jar, accountId), ...ADVISER };
    const sent = await send(jar, accountId, form);
    expect(sent.status).toBe(303);
    expect(sent.headers.get("Location")).toBe(`/account/${accountId}/help/adviser?done=sent`);
    expect((await send(jar, accountId, form)).status).toBe(303);
    expect(await stored(accountId)).toEqual({ declarations: 1, pauses: 1, consents: 1 });

    const row = await declaration(accountId);
    expect(row).toMatchObject({
      kind: "debt_advice",
      status: "active",
      reason: "debt_advice",
      adviser_name: "Dana Whitfield",
      adviser_phone: "+18003882227",
      adviser_email: "dana.whitfield@greenpath.example.org",
      lifted: false,
    });
    // The end of day 60 in New York: midnight at the start of day 61 (today is day 1).
    expect(row.ends_at).toBe(row.expected_ends_at);

    const untilText = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" }).format(new Date(`${addDays(today(), 59)}T00:00:00Z`));
    const shown = await page(jar, accountId, "?done=sent");
    expect(shown.data).toMatchObject({
      notice: "sent",
      active: {
        kind: "debt_advice",
        organisation: "GreenPath Financial Wellness",
        pausedUntil: untilText,
        adviser: { name: "Dana Whitfield", phone: "1-800-388-2227", email: "dana.whitfield@greenpath.example.org" },
      },
    });

    // The help page shows it too.
    const help = await call(() => helpLoader({ request: req(`/account/${accountId}/help`, { jar }), params: { accountId }, context }));
    expect(JSON.stringify(help.data)).toContain(`We will not ask you to pay this account until the end of ${untilText}.`);

    // A different declaration while this one holds is a conflict, not a second pause.
    const other = await send(jar, accountId, { organisation: "Another agency" });
    expect(other.status).toBe(409);
    expect(other.data).toMatchObject({ errors: { form: "You have already told us you are getting debt advice. It is shown below." } });

    // The sweep skips the paused account.
    await runSweep({ today: plan.installments[0]!.dueOn });
    expect(await automaticPayments(accountId)).toBe(0);

    const mail = await emails(accountId);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe("We have paused collection on your Northwind Lending account");
    expect(mail[0]!.text).toContain(`We will not ask you to pay this account until the end of ${untilText}.`);
    expect(mail[0]!.text).toContain("You let Northwind Lending contact your adviser about this account.");
    // The email never repeats what the borrower typed.
    expect(mail[0]!.text).not.toMatch(/GreenPath|Dana|388-2227/);

    const events = await audits(accountId);
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["collection.paused", "debt_advice.declared", "consent.granted"]));
    expect(events.filter((e) => e.action === "debt_advice.declared")).toHaveLength(1);
    expect(JSON.stringify(events)).not.toMatch(/GreenPath|Dana|2227|greenpath/i);
  });

  test("the pause ends by itself after 60 days through npm run jobs: the payments due in it move after it and are charged then", async () => {
    const plan = await autopayPlan();
    const { jar, accountId } = await alexOn(plan.accountId);
    const terms = await termsOf(jar, accountId);
    expect((await send(jar, accountId, { organisation: "GreenPath", consent: "on", terms, adviserEmail: "dana@greenpath.example.org" })).status).toBe(303);

    // Sixty days pass: the pause started on day 1, 60 days ago, and its end (midnight) has come.
    await testDb().query(
      `update app.collection_pauses as p
          set starts_at = (((now() at time zone c.time_zone)::date - 60)::timestamp at time zone c.time_zone) + interval '9 hours',
              ends_at = ((now() at time zone c.time_zone)::date)::timestamp at time zone c.time_zone
         from app.accounts as a join app.creditors as c on c.id = a.creditor_id
        where a.id = p.account_id and p.account_id = $1`,
      [accountId],
    );
    // Before the jobs run, the page already says it has ended.
    expect((await page(jar, accountId)).data).toMatchObject({ active: null });

    const report = await runJobs({ today: plan.installments[0]!.dueOn });
    expect(report.pausesLifted).toBe(1);
    expect((await runJobs({ today: plan.installments[0]!.dueOn })).pausesLifted).toBe(0);
    expect(await automaticPayments(accountId)).toBe(0);

    const { rows: moved } = await testDb().query<{ due_on: string; paused_days: number }>(
      "select to_char(due_on, 'YYYY-MM-DD') as due_on, paused_days from app.installments where arrangement_id = $1 order by seq",
      [plan.arrangementId],
    );
    expect(moved).toEqual(plan.installments.map((i) => ({ due_on: addDays(i.dueOn, 60), paused_days: 60 })));
    expect(await declaration(accountId)).toMatchObject({ status: "ended", end_reason: "pause_ended", lifted: true });
    const events = await audits(accountId);
    expect(events.find((e) => e.action === "collection.resumed")).toMatchObject({ reason_code: "pause_ended", metadata: { paused_days: 60, installments_moved: 3 } });
    expect(events.find((e) => e.action === "debt_advice.ended")).toMatchObject({ reason_code: "pause_ended" });

    const after = await page(jar, accountId);
    // Its last day was yesterday (day 60): it ended at midnight.
    const yesterday = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" }).format(new Date(`${addDays(today(), -1)}T00:00:00Z`));
    expect(after.data).toMatchObject({ active: null, previous: { kind: "debt_advice", byBorrower: false, endedOn: yesterday } });
    // The consent to contact the adviser was not withdrawn: staff still see them.
    expect(await getAccountDebtAdviceForStaff(accountId)).toMatchObject({ status: "ended", active: false, adviser: { email: "dana@greenpath.example.org" } });

    // Charged on the moved date, once.
    await runSweep({ today: addDays(plan.installments[0]!.dueOn, 59) });
    expect(await automaticPayments(accountId)).toBe(0);
    await runSweep({ today: addDays(plan.installments[0]!.dueOn, 60) });
    expect(await automaticPayments(accountId)).toBe(1);
  });

  test("ending it early lifts the pause and erases the adviser's details; staff see the contact only while the consent stands", async () => {
    const plan = await autopayPlan();
    const { jar, accountId } = await alexOn(plan.accountId);
    const terms = await termsOf(jar, accountId);
    expect((await send(jar, accountId, { organisation: "GreenPath", consent: "on", terms, ...ADVISER })).status).toBe(303);

    const staff = await getAccountDebtAdviceForStaff(accountId);
    expect(staff).toMatchObject({
      kind: "debt_advice",
      organisation: "GreenPath",
      active: true,
      borrowerId: ALEX,
      adviser: { name: "Dana Whitfield", phone: "+18003882227", email: "dana.whitfield@greenpath.example.org" },
      contactConsent: { textVersion: "adviser-contact.v1", language: "en" },
    });

    // "Stop contacting my adviser": the declaration and the pause stay, the details go.
    const stop = await send(jar, accountId, { intent: "withdraw-contact" });
    expect(stop.status).toBe(303);
    expect(stop.headers.get("Location")).toBe(`/account/${accountId}/help/adviser?done=contact-removed`);
    expect(await getAccountDebtAdviceForStaff(accountId)).toMatchObject({ active: true, adviser: null, contactConsent: null });
    expect(await declaration(accountId)).toMatchObject({ adviser_name: null, adviser_phone: null, adviser_email: null, status: "active" });
    const { rows: consents } = await testDb().query<{ action: string }>(
      "select action from app.consents where account_id = $1 and kind = 'debt_adviser_contact' order by created_at",
      [accountId],
    );
    expect(consents.map((c) => c.action)).toEqual(["granted", "withdrawn"]);
    expect((await page(jar, accountId)).data).toMatchObject({ active: { adviser: null } });

    // "I'm no longer working with an adviser": collection starts again.
    const ended = await send(jar, accountId, { intent: "end" });
    expect(ended.status).toBe(303);
    expect(ended.headers.get("Location")).toBe(`/account/${accountId}/help/adviser?done=ended`);
    expect((await send(jar, accountId, { intent: "end" })).status).toBe(303);
    expect(await stored(accountId)).toMatchObject({ declarations: 1, pauses: 0 });
    expect(await declaration(accountId)).toMatchObject({ status: "ended", end_reason: "borrower_ended", lifted: true });
    expect((await page(jar, accountId, "?done=ended")).data).toMatchObject({ notice: "ended", active: null, previous: { byBorrower: true } });
    expect((await audits(accountId)).filter((e) => e.action === "debt_advice.ended")).toEqual([
      expect.objectContaining({ reason_code: "borrower_ended" }),
    ]);

    // The sweep charges the first payment on its date again.
    await runSweep({ today: plan.installments[0]!.dueOn });
    expect(await automaticPayments(accountId)).toBe(1);

    // They can tell us again later: a new declaration, a new pause.
    expect((await send(jar, accountId, { organisation: "GreenPath" })).status).toBe(303);
    expect(await stored(accountId)).toMatchObject({ declarations: 2, pauses: 1 });

    expect(await hintOf(rpc("account_debt_advice", { p_account_id: "00000000-0000-4000-8000-000000000000" }, z.unknown()))).toBe("account_not_found");
  });
});

describe("Getting debt advice: a breathing space", () => {
  test("the US creditor does not offer it, and a forged one is refused", async () => {
    const { jar, accountId } = await alexOn();
    expect((await page(jar, accountId)).data).toMatchObject({ breathingSpace: false });
    const forged = await send(jar, accountId, { kind: "breathing_space", organisation: "StepChange", reference: "BS-1" });
    expect(forged.status).toBe(400);
    expect(forged.data).toMatchObject({
      errors: { form: "A breathing space does not apply to this account. You can still tell us you are working with a debt adviser." },
    });
    const unknown = await send(jar, accountId, { kind: "bankruptcy", organisation: "StepChange" });
    expect(unknown.status).toBe(400);
    expect(await hintOf(
      rpc(
        "declare_debt_advice",
        {
          p_borrower_id: ALEX,
          p_account_id: accountId,
          p_kind: "breathing_space",
          p_organisation: "StepChange",
          p_breathing_space_reference: null,
          p_adviser_name: null,
          p_adviser_phone: null,
          p_adviser_email: null,
          p_consent: null,
        },
        z.unknown(),
      ),
    )).toBe("breathing_space_not_available");
    expect(await stored(accountId)).toEqual({ declarations: 0, pauses: 0, consents: 0 });
  });

  test("a creditor in England and Wales offers it: paused until the end of day 60 in London, with its reference", async () => {
    const { rows } = await testDb().query<{ account_id: string }>(
      `with creditor as (
         insert into app.creditors (name, legal_name, jurisdiction, time_zone, currency, region, support_phone, support_hours, support_email, plan_policy)
         select 'Thames Credit', 'Thames Credit Ltd', 'GB-EAW', 'Europe/London', 'GBP', 'GB', '+448001234567',
                jsonb_build_object('en', 'Monday to Friday, 9am to 5pm'), null, c.plan_policy
           from app.creditors as c where c.id = 'c0000000-0000-4000-8000-000000000001'
         returning id
       ), borrower as (
         insert into app.borrowers (creditor_id, full_name, email, language, time_zone, identity_check_kind, date_of_birth)
         select id, 'Olivia Hughes', 'olivia.hughes@example.com', 'en', 'Europe/London', 'date_of_birth', date '1985-04-12' from creditor
         returning id, creditor_id
       )
       insert into app.accounts (creditor_id, borrower_id, reference, product, opened_on, original_amount_minor, currency, itemization_date)
       select creditor_id, id, 'TEST-GB-${process.pid}', 'personal_loan', current_date - 100, 50000, 'GBP', current_date - 100 from borrower
       returning id as account_id`,
    );
    const accountId = rows[0]!.account_id;
    await testDb().query(
      `insert into app.ledger_entries (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency, effective_on, reason_code)
       values ($1, 'principal', 50000, 0, 0, 50000, 'GBP', current_date - 50, 'loan_disbursed')`,
      [accountId],
    );
    const jar = await signIn(`TEST-GB-${process.pid}`, ALEX_DOB);
    const loaded = await page(jar, accountId);
    expect(loaded.data).toMatchObject({ breathingSpace: true, freeAdvice: "GB" });

    const bad = await send(jar, accountId, { kind: "breathing_space", organisation: "StepChange", reference: "BS<script>", consent: "on", terms: await termsOf(jar, accountId), adviserPhone: "12345" });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({
      errors: { reference: "Use only letters, numbers, spaces, hyphens (-) and slashes (/)", adviserPhone: "Enter a phone number like 0800 138 7777" },
    });

    const sent = await send(jar, accountId, {
      kind: "breathing_space",
      organisation: "StepChange Debt Charity",
      reference: "BS-2026/00123",
      consent: "on",
      terms: await termsOf(jar, accountId),
      adviserPhone: "0800 138 1111",
    });
    expect(sent.status).toBe(303);
    const row = await declaration(accountId);
    expect(row).toMatchObject({ kind: "breathing_space", reason: "breathing_space", breathing_space_reference: "BS-2026/00123", adviser_phone: "+448001381111" });
    expect(row.ends_at).toBe(row.expected_ends_at);

    const untilText = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(new Date(`${addDays(today("Europe/London"), 59)}T00:00:00Z`));
    expect((await page(jar, accountId)).data).toMatchObject({ active: { kind: "breathing_space", reference: "BS-2026/00123", pausedUntil: untilText } });
    const mail = await emails(accountId);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain("You told us you are in a breathing space.");
    expect(mail[0]!.text).toContain(untilText);
  });
});

describe("Getting debt advice: whose account", () => {
  test("María reads it in Spanish and cannot see, declare on or end Alex's account", async () => {
    const jar = await signIn("DEMO-1002", MARIA_DOB);
    const own = await page(jar, DEMO_1002);
    expect(own.data).toMatchObject({ title: "Recibir asesoría de deudas" });
    const empty = await send(jar, DEMO_1002, { organisation: "" });
    expect(empty.status).toBe(400);
    expect(empty.data).toMatchObject({ errors: { organisation: "Escriba el nombre de la organización que le da asesoría de deudas" } });

    await notFound(adviserLoader({ request: req(`/account/${DEMO_1001}/help/adviser`, { jar }), params: { accountId: DEMO_1001 }, context }));
    expect((await send(jar, DEMO_1001, { organisation: "GreenPath" })).status).toBe(404);
    expect((await send(jar, DEMO_1001, { intent: "end" })).status).toBe(404);
    expect((await page(jar, "not-a-uuid")).status).toBe(404);
    expect(await stored(DEMO_1001)).toEqual({ declarations: 0, pauses: 0, consents: 0 });

    // Her own, in Spanish, confirmed by email in Spanish.
    expect((await send(jar, DEMO_1002, { organisation: "GreenPath" })).status).toBe(303);
    const mail = await emails(DEMO_1002);
    expect(mail[0]!.subject).toBe("Pausamos el cobro de su cuenta con Northwind Lending");
  });
});
