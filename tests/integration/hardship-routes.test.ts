/**
 * "Ask for help" through its routes (issue 7 items 1-2), signed in as Alex (DEMO-1001) and
 * María (DEMO-1002, Spanish): each step saves to one draft and leads to the next; amounts
 * typed the ways people type them; a bad amount is a 400 on that line, nothing saved; health
 * details without the consent box are refused; the check page refuses to send without what
 * happened and the help asked for (409), even when reached by its URL; sending pauses
 * collection, confirms on the page and by email, once however often it is sent; another
 * borrower and unknown steps are 404.
 */
import { describe, expect, test } from "vitest";
import { loader as overviewLoader } from "~/routes/account.$accountId._index";
import { action as helpAction, loader as helpLoader } from "~/routes/account.$accountId.help._index";
import { action as stepAction, loader as stepLoader } from "~/routes/account.$accountId.help.$step";
import { newAccount } from "../setup/accounts";
import { testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { settleOutbox, templateEmails } from "../setup/outbox";
import { call, context, req, signIn, type Jar } from "../setup/routes";

withLocalEmail();

const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";
const DEMO_1002 = "a0000000-0000-4000-8000-000000001002";
const ALEX_DOB = { "dob.month": "4", "dob.day": "12", "dob.year": "1985" };
const MARIA_DOB = { "dob.month": "11", "dob.day": "3", "dob.year": "1979" };

const open = (jar: Jar, accountId: string, step: string) =>
  call(() => stepLoader({ request: req(`/account/${accountId}/help/${step}`, { jar }), params: { accountId, step }, context }));
const post = (jar: Jar, accountId: string, step: string, form: Record<string, string | string[]>) =>
  call(() => stepAction({ request: req(`/account/${accountId}/help/${step}`, { method: "POST", form, jar }), params: { accountId, step }, context }));
const hub = (jar: Jar, accountId: string, query = "") =>
  call(() => helpLoader({ request: req(`/account/${accountId}/help${query}`, { jar }), params: { accountId }, context }));

async function request(accountId: string) {
  const { rows } = await testDb().query<{ status: string; ie_lines: unknown; help: string | null; health_note: string | null; monthly_income_minor: number | null }>(
    "select status, ie_lines, help, health_note, monthly_income_minor::int from app.hardship_requests where account_id = $1",
    [accountId],
  );
  return rows;
}

describe("Ask for help", () => {
  test("step by step to sent: amounts as people type them, one request and one pause, the email once", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    expect((await hub(jar, DEMO_1001)).data).toMatchObject({ request: null, title: "Ask for help" });
    expect((await open(jar, DEMO_1001, "reasons")).data).toMatchObject({ step: "reasons", index: 0, total: 9, draft: null });

    const reasons = await post(jar, DEMO_1001, "reasons", { reasons: ["job_loss", "caring"], note: "My hours were cut in October." });
    expect(reasons.status).toBe(303);
    expect(reasons.headers.get("Location")).toBe(`/account/${DEMO_1001}/help/income`);

    const income = await post(jar, DEMO_1001, "income", {
      "ie.earnings.amount": "$1,200.50",
      "ie.earnings.frequency": "monthly",
      "ie.benefits.amount": " 50 ",
      "ie.benefits.frequency": "weekly",
      "ie.pensions.amount": "",
      "ie.pensions.frequency": "monthly",
    });
    expect(income.status).toBe(303);
    await post(jar, DEMO_1001, "fixed", { "ie.home_and_contents.amount": "1,200", "ie.home_and_contents.frequency": "monthly" });
    await post(jar, DEMO_1001, "flexible", { "ie.food_and_housekeeping.amount": "100.5", "ie.food_and_housekeeping.frequency": "fortnightly" });
    const [draft] = await request(DEMO_1001);
    expect(draft!.ie_lines).toEqual([
      { category: "earnings", amount_minor: 120_050, frequency: "monthly" },
      { category: "benefits", amount_minor: 5_000, frequency: "weekly" },
      { category: "home_and_contents", amount_minor: 120_000, frequency: "monthly" },
      { category: "food_and_housekeeping", amount_minor: 10_050, frequency: "fortnightly" },
    ]);

    // Income 1,200.50 + 216.67 (50 a week) = 1,417.17; out 1,200.00 + 217.75 = 1,417.75: 0.58 short.
    const help = await open(jar, DEMO_1001, "check");
    expect(help.data).toMatchObject({ monthly: { income: "$1,417.17", outgoings: "$1,417.75", surplusMinor: -58 }, missing: ["help"] });
    const early = await post(jar, DEMO_1001, "check", {});
    expect(early.status).toBe(409);
    expect(early.data).toMatchObject({ errors: { form: "Before you send it, please tell us: The help you would like." } });

    expect((await post(jar, DEMO_1001, "help", { help: "payment_break", breakDays: "60" })).status).toBe(303);
    const sends = await Promise.all([post(jar, DEMO_1001, "check", {}), post(jar, DEMO_1001, "check", {})]);
    expect(sends.map((s) => s.status)).toEqual([303, 303]);
    expect(sends[0]!.headers.get("Location")).toBe(`/account/${DEMO_1001}/help?sent=1`);
    const stored = await request(DEMO_1001);
    expect(stored).toEqual([expect.objectContaining({ status: "submitted", help: "payment_break", monthly_income_minor: 141_717 })]);
    const { rows: pauses } = await testDb().query<{ n: number }>("select count(*)::int as n from app.collection_pauses where account_id = $1 and lifted_at is null", [DEMO_1001]);
    expect(pauses[0]!.n).toBe(1);

    const page = await hub(jar, DEMO_1001, "?sent=1");
    expect(page.data).toMatchObject({ sent: true, request: { status: "submitted" } });
    const overview = await call(() => overviewLoader({ request: req(`/account/${DEMO_1001}`, { jar }), params: { accountId: DEMO_1001 }, context }));
    expect(overview.data).toMatchObject({ hardship: { status: "submitted", dueOn: expect.any(String) } });
    // A sent request is not edited through the form.
    expect((await open(jar, DEMO_1001, "reasons")).status).toBe(303);
    await settleOutbox();
    expect(await templateEmails("hardship.received")).toHaveLength(1);
  });

  test("a bad amount or a missing choice: a 400 on that field, and nothing is saved", async () => {
    const jar = await signIn("DEMO-1002", MARIA_DOB);
    const bad = await post(jar, DEMO_1002, "income", { "ie.earnings.amount": "mil", "ie.earnings.frequency": "monthly", "ie.benefits.amount": "20", "ie.benefits.frequency": "daily" });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ errors: { "ie.earnings.amount": "Escriba un monto como 120 o 120.50", "ie.benefits.frequency": "Elija cada cuánto" } });
    expect((await post(jar, DEMO_1002, "reasons", { note: "x" })).data).toMatchObject({ errors: { reasons: "Elija qué ha pasado" } });
    expect((await post(jar, DEMO_1002, "help", { help: "lower_payments", proposed: "" })).data).toMatchObject({ errors: { proposed: "Escriba cuánto podría pagar cada mes" } });
    expect((await post(jar, DEMO_1002, "help", { help: "payment_break", breakDays: "45" })).data).toMatchObject({ errors: { breakDays: "Elija cuánto tiempo de descanso necesita" } });
    expect(await request(DEMO_1002)).toEqual([]);
  });

  test("health details need the consent box; they can be deleted later, and the audit trail never had them", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const account = await newAccount({ prefix: "TEST-HSR" });
    const note = "I have a long-term illness.";
    const terms = ((await open(jar, account, "health")).data as { health: { sha256: string; lines: string[] } }).health;
    expect(terms.lines[0]).toBe("I agree that Northwind Lending keeps what I write below about my health or circumstances, to take it into account when dealing with my account.");
    const refused = await post(jar, account, "health", { note, terms: terms.sha256 });
    expect(refused.status).toBe(400);
    expect(refused.data).toMatchObject({ errors: { consent: 'To share this, tick "I agree to this" first, or leave the box empty' } });
    expect(await request(account)).toEqual([]);
    const tampered = await post(jar, account, "health", { note, consent: "on", terms: "0".repeat(64) });
    expect(tampered.status).toBe(400);
    expect(await request(account)).toEqual([]);

    expect((await post(jar, account, "health", { note, consent: "on", terms: terms.sha256 })).status).toBe(303);
    expect(await request(account)).toEqual([expect.objectContaining({ health_note: note })]);
    const deleted = await call(() => helpAction({ request: req(`/account/${account}/help`, { method: "POST", form: { intent: "delete-health" }, jar }), params: { accountId: account }, context }));
    expect(deleted.status).toBe(303);
    expect(await request(account)).toEqual([expect.objectContaining({ health_note: null })]);
    const { rows } = await testDb().query<{ trail: string }>("select coalesce(json_agg(metadata)::text, '') as trail from app.audit_events where account_id = $1", [account]);
    expect(rows[0]!.trail).not.toContain("illness");
  });

  test("another borrower's account and unknown steps are 404", async () => {
    const jar = await signIn("DEMO-1002", MARIA_DOB);
    expect((await open(jar, DEMO_1001, "reasons")).status).toBe(404);
    expect((await post(jar, DEMO_1001, "reasons", { reasons: "other" })).status).toBe(404);
    expect((await hub(jar, DEMO_1001)).status).toBe(404);
    expect((await call(() => helpAction({ request: req(`/account/${DEMO_1001}/help`, { method: "POST", form: { intent: "delete-health" }, jar }), params: { accountId: DEMO_1001 }, context }))).status).toBe(404);
    expect((await open(jar, DEMO_1002, "delete-everything")).status).toBe(404);
  });
});
