/**
 * The borrower routes of issue 4 through their own loaders and actions, with real Requests,
 * real signed cookies carried from one response to the next, and this file's own database:
 * the link leaves the address, the one question, wrong answers and typing problems, double
 * submits, "send me a new link" answering everyone alike, sign-out, expired sessions, and
 * every account route answering 404 for another borrower's account.
 */
import { describe, expect, test } from "vitest";
import { loader as rootLoader } from "~/root";
import { loader as accountLoader } from "~/routes/account._index";
import { loader as preferencesLoader } from "~/routes/account.$accountId.preferences";
import { loader as myPlanLoader } from "~/routes/account.$accountId.my-plan._index";
import { loader as disputeLoader } from "~/routes/account.$accountId.dispute";
import { loader as payLoader } from "~/routes/account.$accountId.pay._index";
import { loader as planLoader } from "~/routes/account.$accountId.plan._index";
import { loader as overviewLoader } from "~/routes/account.$accountId._index";
import { loader as balanceLoader } from "~/routes/account.$accountId.balance";
import { loader as genuineLoader } from "~/routes/genuine";
import { action as languageAction } from "~/routes/language";
import { action as newLinkAction, loader as newLinkLoader } from "~/routes/new-link";
import { action as sessionAction } from "~/routes/session";
import { loader as signInLoader } from "~/routes/sign-in";
import { action as signOutAction } from "~/routes/sign-out";
import { loader as signedOutLoader } from "~/routes/signed-out";
import { listLocalEmails } from "~/services/email/local-outbox.server";
import { hashToken } from "~/utils/access-links.server";
import { testDb } from "../setup/db";
import { answer, call, context, mintToken, open, req, signIn, type Outcome } from "../setup/routes";
import { withLocalEmail } from "../setup/env";
import { settleOutbox } from "../setup/outbox";

const ALEX = "b0000000-0000-4000-8000-000000000001";
const DEMO = {
  1001: "a0000000-0000-4000-8000-000000001001",
  1002: "a0000000-0000-4000-8000-000000001002",
  1003: "a0000000-0000-4000-8000-000000001003",
  1004: "a0000000-0000-4000-8000-000000001004",
  1005: "a0000000-0000-4000-8000-000000001005",
};
const ALEX_DOB = { "dob.month": "4", "dob.day": "12", "dob.year": "1985" };
const MARIA_DOB = { "dob.month": "11", "dob.day": "3", "dob.year": "1979" };

withLocalEmail();

// ---------------------------------------------------------------------------------------
// Helpers: a cookie jar, requests, and what a loader or action answered

const cookieNames = (headers: Headers) => headers.getSetCookie().map((line) => line.slice(0, line.indexOf("=")));

const view = (outcome: Outcome) => (outcome.data as { view: { kind: string; [key: string]: unknown } }).view;

// ---------------------------------------------------------------------------------------

describe("/l/:token", () => {
  test("a well-formed token moves into the link cookie and out of the address at once", async () => {
    const token = await mintToken("DEMO-1001");
    const { jar, outcome } = await open(token);
    expect(outcome.status).toBe(303);
    expect(outcome.headers.get("Location")).toBe("/sign-in");
    expect(outcome.headers.get("Cache-Control")).toBe("no-store");
    expect(cookieNames(outcome.headers)).toEqual(["repay_link"]);
    expect(outcome.headers.get("Set-Cookie")).toMatch(/HttpOnly/i);
    expect(outcome.headers.get("Set-Cookie")).toMatch(/SameSite=Lax/i);
    expect(outcome.headers.get("Set-Cookie")).not.toContain(token);
    expect(jar.has("repay_link")).toBe(true);
  });

  test.each([
    ["short", "abc"],
    ["overlong", "a".repeat(5000)],
    ["odd characters", "%00%ff<script>"],
    ["unicode", "ñandú-ñandú-ñandú-ñandú-ñandú-ñandú-ñandú-x"],
    ["44 characters", "A".repeat(44)],
  ])("a malformed token (%s) lands on the friendly page, never a 500", async (_name, token) => {
    const { outcome } = await open(token);
    expect(outcome.status).toBe(303);
    expect(outcome.headers.get("Location")).toBe("/sign-in?link=broken");
    const page = await call(() => signInLoader({ request: req("/sign-in?link=broken"), params: {}, context }));
    expect(view(page)).toEqual({ kind: "problem", problem: "unknown", contact: null });
  });
});

describe("/sign-in", () => {
  test("without a link cookie it explains how to open a link, and offers a new one", async () => {
    const page = await call(() => signInLoader({ request: req("/sign-in"), params: {}, context }));
    expect(page.status).toBe(200);
    expect(view(page)).toEqual({ kind: "problem", problem: "missing", contact: null });
    expect(page.data?.title).toBe("Open your secure link");
  });

  test("a ready link asks the question on file: date of birth for Alex, ZIP code for Sam", async () => {
    const alex = await open(await mintToken("DEMO-1001"));
    const page = await call(() => signInLoader({ request: req("/sign-in", { jar: alex.jar }), params: {}, context }));
    expect(view(page)).toEqual({ kind: "question", checkKind: "date_of_birth", creditorName: "Northwind Lending" });
    expect(page.data?.title).toBe("Confirm it's you");

    const sam = await open(await mintToken("DEMO-1003"));
    expect(view(await call(() => signInLoader({ request: req("/sign-in", { jar: sam.jar }), params: {}, context })))).toMatchObject({
      kind: "question",
      checkKind: "postal_code",
    });
  });

  test("María's link switches the page to Spanish once, unless she chose a language", async () => {
    const { jar } = await open(await mintToken("DEMO-1002"));
    const first = await call(() => signInLoader({ request: req("/sign-in", { jar }), params: {}, context }));
    expect(first.status).toBe(303);
    expect(first.headers.get("Location")).toBe("/sign-in?lang=1");
    expect(first.headers.get("Set-Cookie")).toMatch(/^lng=/);
    jar.apply(first.headers);
    const page = await call(() => signInLoader({ request: req("/sign-in?lang=1", { jar }), params: {}, context }));
    expect(page.data?.title).toBe("Confirme que es usted");
  });

  test("typing problems are 400 with a translated message and spend none of the link's attempts", async () => {
    const token = await mintToken("DEMO-1001");
    const { jar } = await open(token);
    const cases: Array<[Record<string, string>, string]> = [
      [{}, "Enter your date of birth"],
      [{ "dob.month": "4", "dob.day": "12" }, "Your date of birth needs a day, a month and a year"],
      [{ "dob.month": "13", "dob.day": "12", "dob.year": "1985" }, "Your date of birth must be a real date, like 4 12 1985"],
      [{ "dob.month": "4", "dob.day": "12", "dob.year": "85" }, "Write the year with 4 numbers, like 1985"],
      [{ "dob.month": "4", "dob.day": "12", "dob.year": "2999" }, "Your date of birth must be in the past"],
      [{ "dob.month": "x".repeat(5000), "dob.day": "12", "dob.year": "1985" }, "Your date of birth must be a real date, like 4 12 1985"],
    ];
    for (const [form, message] of cases) {
      const outcome = await answer(jar, form);
      expect(outcome.status).toBe(400);
      expect(outcome.data).toMatchObject({ reply: { fieldError: message, wrong: null } });
    }
    const { rows } = await testDb().query<{ failed_attempts: number }>("select failed_attempts from app.access_links where token_hash = $1", [hashToken(token)]);
    expect(rows[0]!.failed_attempts).toBe(0);
  });

  test("a date typed the way people type it is accepted: 'April', ' 04 ', full-width digits", async () => {
    const jar = await signIn("DEMO-1001", { "dob.month": " April ", "dob.day": "１２", "dob.year": "1985" });
    expect(jar.has("repay_session")).toBe(true);
  });

  test("a wrong answer is 400 with the attempts left, and keeps nothing it was given", async () => {
    const { jar } = await open(await mintToken("DEMO-1001"));
    const outcome = await answer(jar, { "dob.month": "4", "dob.day": "13", "dob.year": "1985" });
    expect(outcome.status).toBe(400);
    expect(outcome.data).toEqual({
      reply: { checkKind: "date_of_birth", fieldError: null, invalidParts: [], values: { day: "", month: "", year: "", zip: "" }, wrong: { attemptsLeft: 4 } },
    });
  });

  test("five wrong answers pause the link: the page says until when, and gives the lender's phone and hours", async () => {
    const { jar } = await open(await mintToken("DEMO-1001"));
    for (let i = 0; i < 4; i++) expect((await answer(jar, { "dob.month": "1", "dob.day": "1", "dob.year": "1980" })).status).toBe(400);
    const fifth = await answer(jar, { "dob.month": "1", "dob.day": "1", "dob.year": "1980" });
    expect(fifth.status).toBe(303);
    expect(fifth.headers.get("Location")).toBe("/sign-in");
    // Even the right answer is refused while paused.
    expect((await answer(jar, ALEX_DOB)).headers.get("Location")).toBe("/sign-in");
    const page = await call(() => signInLoader({ request: req("/sign-in", { jar }), params: {}, context }));
    expect(page.data?.title).toBe("Please wait before trying again");
    expect(view(page)).toMatchObject({
      kind: "paused",
      reason: "link",
      until: expect.stringMatching(/^\d{1,2}:\d{2}\s?[AP]M\sE[SD]T$|^\w+, \w+ \d{1,2} at/),
      contact: { name: "Northwind Lending", phone: { display: "1-800-555-0199", href: "tel:+18005550199" }, hours: "Monday to Friday, 8 a.m. to 8 p.m. Eastern" },
    });
  });

  test("the right answer starts a session, clears the link cookie and goes to the account", async () => {
    const { jar } = await open(await mintToken("DEMO-1001"));
    const outcome = await answer(jar, ALEX_DOB);
    expect(outcome.status).toBe(303);
    // The first sign-in asks once about notices by email, then goes on to the account.
    expect(outcome.headers.get("Location")).toBe("/email-notices?next=%2Faccount");
    expect(cookieNames(outcome.headers).sort()).toEqual(["repay_link", "repay_session"]);
    jar.apply(outcome.headers);
    expect(jar.has("repay_link")).toBe(false);
    expect(jar.has("repay_session")).toBe(true);
  });

  test("a double submit never fails: the second finds the link spent and lands on the account too", async () => {
    const { jar } = await open(await mintToken("DEMO-1001"));
    const before = jar.copy();
    const [first, second] = await Promise.all([answer(before, ALEX_DOB), answer(before.copy(), ALEX_DOB)]);
    const outcomes = [first, second].map((o) => o.headers.get("Location")).sort();
    expect(outcomes).toEqual(["/email-notices?next=%2Faccount", "/sign-in"]);
    // The browser shows the second response, with the first one's cookies.
    const signedIn = jar.apply((first.headers.get("Location") !== "/sign-in" ? first : second).headers);
    const page = await call(() => signInLoader({ request: req("/sign-in", { jar: signedIn }), params: {}, context }));
    expect(page.status).toBe(303);
    expect(page.headers.get("Location")).toBe("/account");
  });

  test("opened twice before answering works; once spent, the link cannot sign in again", async () => {
    const token = await mintToken("DEMO-1001");
    const { jar } = await open(token);
    await open(token, jar);
    const signedIn = jar.apply((await answer(jar, ALEX_DOB)).headers);
    expect(signedIn.has("repay_session")).toBe(true);

    const stranger = await open(token);
    const page = await call(() => signInLoader({ request: req("/sign-in", { jar: stranger.jar }), params: {}, context }));
    expect(view(page)).toMatchObject({ kind: "problem", problem: "used" });
    const replay = await answer(stranger.jar, ALEX_DOB);
    expect(replay.status).toBe(303);
    expect(replay.headers.get("Location")).toBe("/sign-in");
    expect(cookieNames(replay.headers)).toEqual([]);
  });
});

describe("/new-link", () => {
  async function ask(identifier: string, extra: Record<string, string> = {}) {
    return call(() => newLinkAction({ request: req("/new-link", { method: "POST", form: { identifier, ...extra } }), params: {}, context }));
  }

  test("known and unknown inputs get the same status, redirect, cookies and page", async () => {
    const before = (await listLocalEmails(500)).length;
    const outcomes = [await ask("DEMO-1001"), await ask("nobody@example.org"), await ask("alex.rivera@example.com"), await ask("DEMO-9999")];
    await settleOutbox();
    for (const outcome of outcomes) {
      expect(outcome.status).toBe(303);
      expect(outcome.headers.get("Location")).toBe("/new-link?sent=1");
      expect(cookieNames(outcome.headers)).toEqual([]);
      expect([...outcome.headers.keys()].sort()).toEqual([...outcomes[0]!.headers.keys()].sort());
    }
    // Something was sent for the two that matched (through the outbox), nothing says so.
    expect((await listLocalEmails(500)).length).toBe(before + 2);
    const { rows } = await testDb().query<{ template: string; state: string }>(
      "select template, state from app.outbound_messages where template = 'access.new_link' and account_id = $1",
      [DEMO[1001]],
    );
    expect(rows).toEqual([
      { template: "access.new_link", state: "sent" },
      { template: "access.new_link", state: "sent" },
    ]);

    const page = await call(() => newLinkLoader({ request: req("/new-link?sent=1"), params: {}, context }));
    expect(page.data).toMatchObject({ title: "Check your email", sent: true });
    expect(page.data?.creditors).toEqual([{ name: "Northwind Lending", phone: { display: "1-800-555-0199", href: "tel:+18005550199" }, hours: "Monday to Friday, 8 a.m. to 8 p.m. Eastern" }]);
  });

  test("a filled honeypot gets the same answer, and nothing is looked up or sent", async () => {
    const before = (await listLocalEmails(500)).length;
    const outcome = await ask("DEMO-1004", { website: "http://spam.example" });
    await settleOutbox();
    expect(outcome.status).toBe(303);
    expect(outcome.headers.get("Location")).toBe("/new-link?sent=1");
    expect((await listLocalEmails(500)).length).toBe(before);
  });

  test("empty or overlong input is 400 with a translated message", async () => {
    expect(await ask("   ")).toMatchObject({ status: 400, data: { error: "Enter your email address or the reference from your letter" } });
    expect(await ask("x".repeat(300))).toMatchObject({ status: 400, data: { error: expect.stringMatching(/^This is too long/) } });
    const spanish = await call(() => newLinkAction({ request: req("/new-link", { method: "POST", form: {}, language: "es" }), params: {}, context }));
    expect(spanish).toMatchObject({ status: 400, data: { error: "Escriba su correo electrónico o la referencia de su carta" } });
  });
});

describe("signed-in pages", () => {
  test("Alex's one account opens straight away; Sam picks from his two", async () => {
    const alex = await signIn("DEMO-1001", ALEX_DOB);
    const one = await call(() => accountLoader({ request: req("/account", { jar: alex }), params: {}, context }));
    expect(one.status).toBe(302);
    expect(one.headers.get("Location")).toBe(`/account/${DEMO[1001]}`);

    const sam = await signIn("DEMO-1003", { zip: "94110-1234" });
    const two = await call(() => accountLoader({ request: req("/account", { jar: sam }), params: {}, context }));
    expect(two.status).toBe(200);
    expect((two.data?.accounts as Array<{ accountId: string }>).map((a) => a.accountId)).toEqual([DEMO[1003], DEMO[1004]]);
  });

  test("the overview's lines add up to what is owed", async () => {
    const jar = await signIn("DEMO-1002", MARIA_DOB);
    const page = await call(() => overviewLoader({ request: req(`/account/${DEMO[1002]}`, { jar }), params: { accountId: DEMO[1002] }, context }));
    const owed = page.data?.owed as Record<string, number>;
    expect(owed).toEqual({ totalMinor: 266338, borrowedMinor: 250000, interestMinor: 28838, feesMinor: 12500, paidMinor: 25000, reversedMinor: 0, takenOffMinor: 0, addedMinor: 0 });
    expect(owed.borrowedMinor! + owed.interestMinor! + owed.feesMinor! - owed.paidMinor! + owed.reversedMinor! - owed.takenOffMinor! + owed.addedMinor!).toBe(owed.totalMinor);
    expect(page.data?.title).toBe("Su cuenta con Northwind Lending");
  });

  test("every account route answers 404 for another borrower's account, and for ids that are not ids", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const others = [DEMO[1002], DEMO[1003], DEMO[1004], DEMO[1005], "a0000000-0000-4000-8000-000000009999", "not-an-id", "../1001"];
    for (const accountId of others) {
      const params = { accountId };
      const request = () => req(`/account/${encodeURIComponent(accountId)}`, { jar });
      expect((await call(() => overviewLoader({ request: request(), params, context }))).status, `overview ${accountId}`).toBe(404);
      expect((await call(() => balanceLoader({ request: request(), params, context }))).status, `balance ${accountId}`).toBe(404);
      expect((await call(() => payLoader({ request: request(), params, context }))).status, `pay ${accountId}`).toBe(404);
      expect((await call(() => planLoader({ request: request(), params, context }))).status, `plan ${accountId}`).toBe(404);
      expect((await call(() => myPlanLoader({ request: request(), params, context }))).status, `my-plan ${accountId}`).toBe(404);
      expect((await call(() => disputeLoader({ request: request(), params, context }))).status, `dispute ${accountId}`).toBe(404);
      expect((await call(() => preferencesLoader({ request: request(), params, context }))).status, `preferences ${accountId}`).toBe(404);
    }
    // Their own account works.
    expect((await call(() => overviewLoader({ request: req("/", { jar }), params: { accountId: DEMO[1001] }, context }))).status).toBe(200);
    expect((await call(() => balanceLoader({ request: req("/", { jar }), params: { accountId: DEMO[1001] }, context }))).status).toBe(200);
    expect((await call(() => preferencesLoader({ request: req("/", { jar }), params: { accountId: DEMO[1001] }, context }))).status).toBe(200);
  });

  test("without a session, account pages send the visitor home", async () => {
    const outcome = await call(() => overviewLoader({ request: req(`/account/${DEMO[1001]}`), params: { accountId: DEMO[1001] }, context }));
    expect(outcome.status).toBe(302);
    expect(outcome.headers.get("Location")).toBe("/");
  });

  test("an expired session redirects to the friendly signed-out page and clears the cookie", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    await testDb().query(
      "update app.borrower_sessions set created_at = now() - interval '20 minutes', last_seen_at = now() - interval '16 minutes' where borrower_id = $1 and revoked_at is null",
      [ALEX],
    );
    for (const run of [
      () => accountLoader({ request: req("/account", { jar }), params: {}, context }),
      () => overviewLoader({ request: req("/", { jar }), params: { accountId: DEMO[1001] }, context }),
      () => balanceLoader({ request: req("/", { jar }), params: { accountId: DEMO[1001] }, context }),
      () => sessionAction({ request: req("/session", { method: "POST", form: {}, jar }), params: {}, context }),
    ]) {
      const outcome = await call(run);
      expect(outcome.status).toBe(302);
      expect(outcome.headers.get("Location")).toBe("/signed-out?reason=expired");
      expect(outcome.headers.get("Set-Cookie")).toMatch(/^repay_session=;.*Max-Age=0/);
    }
    const page = await call(() => signedOutLoader({ request: req("/signed-out?reason=expired"), params: {}, context }));
    expect(page.data).toEqual({ title: "We signed you out", reason: "expired" });
    const odd = await call(() => signedOutLoader({ request: req("/signed-out?reason=%3Cscript%3E"), params: {}, context }));
    expect(odd.data).toEqual({ title: "You have signed out", reason: null });
  });

  test("the root knows who is signed in: their language, the sign-out label and the idle count", async () => {
    const jar = await signIn("DEMO-1002", MARIA_DOB);
    const root = await call(() => rootLoader({ request: req("/genuine", { jar }), params: {}, context }));
    expect(root.data).toMatchObject({
      language: "es",
      borrower: { signOut: "Cerrar sesión", idle: { title: "¿Necesita más tiempo?", stay: "Seguir en mi cuenta" } },
    });
    const secondsLeft = (root.data?.borrower as { secondsLeft: number }).secondsLeft;
    expect(secondsLeft).toBeGreaterThan(14 * 60);
    expect(secondsLeft).toBeLessThanOrEqual(15 * 60);
    expect((await call(() => rootLoader({ request: req("/genuine"), params: {}, context }))).data).toMatchObject({ language: "en", borrower: null });
  });

  test("'Stay signed in' records the activity and says how long is left", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    await testDb().query("update app.borrower_sessions set created_at = now() - interval '14 minutes', last_seen_at = now() - interval '14 minutes' where borrower_id = $1 and revoked_at is null", [ALEX]);
    const outcome = await call(() => sessionAction({ request: req("/session", { method: "POST", form: {}, jar }), params: {}, context }));
    expect(outcome.data).toMatchObject({ ok: true });
    expect((outcome.data as { secondsLeft: number }).secondsLeft).toBeGreaterThan(14 * 60);
  });

  test("switching language while signed in saves it to the borrower's record", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const outcome = await call(() => languageAction({ request: req("/language", { method: "POST", form: { language: "es", redirectTo: "/account" }, jar }), params: {}, context }));
    expect(outcome.status).toBe(302);
    const { rows } = await testDb().query<{ language: string }>("select language from app.borrowers where id = $1", [ALEX]);
    expect(rows[0]!.language).toBe("es");
    const root = await call(() => rootLoader({ request: req("/account", { jar }), params: {}, context }));
    expect(root.data).toMatchObject({ language: "es" });
    await testDb().query("update app.borrowers set language = 'en' where id = $1", [ALEX]);
  });
});

describe("/sign-out", () => {
  test("ends this session, keeps the borrower's language, and lands on the signed-out page", async () => {
    const jar = await signIn("DEMO-1002", MARIA_DOB);
    const outcome = await call(() => signOutAction({ request: req("/sign-out", { method: "POST", form: { intent: "this" }, jar }), params: {}, context }));
    expect(outcome.status).toBe(303);
    expect(outcome.headers.get("Location")).toBe("/signed-out");
    expect(cookieNames(outcome.headers).sort()).toEqual(["lng", "repay_session"]);
    jar.apply(outcome.headers);
    expect(jar.has("repay_session")).toBe(false);
    const page = await call(() => signedOutLoader({ request: req("/signed-out", { jar }), params: {}, context }));
    expect(page.data).toEqual({ title: "Cerró la sesión", reason: null });
  });

  test("everywhere ends every session of the borrower; the idle warning's sign-out says why", async () => {
    const phone = await signIn("DEMO-1001", ALEX_DOB);
    const laptop = await signIn("DEMO-1001", ALEX_DOB);
    const everywhere = await call(() => signOutAction({ request: req("/sign-out", { method: "POST", form: { intent: "everywhere" }, jar: phone }), params: {}, context }));
    expect(everywhere.headers.get("Location")).toBe("/signed-out?reason=everywhere");
    const later = await call(() => overviewLoader({ request: req("/", { jar: laptop }), params: { accountId: DEMO[1001] }, context }));
    expect(later.headers.get("Location")).toBe("/signed-out?reason=expired");

    const expired = await call(() => signOutAction({ request: req("/sign-out", { method: "POST", form: { intent: "this", reason: "expired" } }), params: {}, context }));
    expect(expired.headers.get("Location")).toBe("/signed-out?reason=expired");
  });

  test("a malformed sign-out is 400, never a 500", async () => {
    const outcome = await call(() => signOutAction({ request: req("/sign-out", { method: "POST", form: { intent: "nobody" } }), params: {}, context }));
    expect(outcome.status).toBe(400);
  });
});

test("/genuine lists the lenders' official contacts and what our links start with", async () => {
  const page = await call(() => genuineLoader({ request: req("/genuine", { language: "es" }), params: {}, context }));
  expect(page.data).toMatchObject({
    title: "¿Este mensaje es realmente nuestro?",
    linkStart: expect.stringMatching(/^https?:\/\/[^/]+\/l\/$/),
    creditors: [{ name: "Northwind Lending", phone: { display: "1-800-555-0199" }, hours: "De lunes a viernes, de 8 a. m. a 8 p. m., hora del Este", email: "help@northwind.example.com" }],
  });
});
