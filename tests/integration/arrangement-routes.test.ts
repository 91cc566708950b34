/**
 * The arrangement routes of issue 5 through their own loaders and actions, signed in as Alex
 * (DEMO-1001, $1,240.50) with real Requests and cookies: the simulator, the review page and
 * "I agree" (consent, audit event, and the written confirmation through the outbox: one
 * `plan.confirmation` message, sent to the local Resend stand-in), double submits, tampered
 * and junk forms (no message), another borrower's account, moving one payment, cancelling,
 * and a plan that waits for review.
 *
 * The tests share this file's database and run in order: the simulator and the refusals first
 * (no arrangement yet), then the $100 plan, its move and its cancellation, then a $60 plan.
 * Dates are computed in America/New_York, the demo creditor's zone.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { loader as myPlanLoader } from "~/routes/account.$accountId.my-plan._index";
import { action as cancelAction, loader as cancelLoader } from "~/routes/account.$accountId.my-plan.cancel";
import { action as moveAction, loader as moveLoader } from "~/routes/account.$accountId.my-plan.move";
import { loader as planLoader } from "~/routes/account.$accountId.plan._index";
import { action as reviewAction, loader as reviewLoader } from "~/routes/account.$accountId.plan.review";
import { testDb } from "../setup/db";
import { addDays, DEMO_ZONE as ZONE, today } from "../setup/dates";
import { withLocalEmail } from "../setup/env";
import { settleOutbox, templateEmails, templateMessages } from "../setup/outbox";
import { call, context, req, signIn, type Jar } from "../setup/routes";

const DEMO = {
  1001: "a0000000-0000-4000-8000-000000001001",
  1002: "a0000000-0000-4000-8000-000000001002",
};
const ALEX_DOB = { "dob.month": "4", "dob.day": "12", "dob.year": "1985" };
const ALEX_EMAIL = "alex.rivera@example.com";
const BALANCE_1001 = 124_050;

withLocalEmail();

// ---------------------------------------------------------------------------------------
// Helpers (requests, cookies and sign-in: tests/setup/routes.ts)

type Choice = Record<"kind" | "by" | "amount" | "count" | "frequency" | "start" | "payments", string>;

function planChoice(amount: string, fields: Partial<Choice> = {}): Choice {
  return { kind: "plan", by: "amount", amount, count: "", frequency: "monthly", start: addDays(today(), 30), payments: "1", ...fields };
}

const query = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** What the database holds for an account: rows of each table the agreement writes, and its confirmations. */
async function counts(accountId: string) {
  const { rows } = await testDb().query<Record<"arrangements" | "installments" | "consents" | "consent_texts" | "audit" | "confirmations", number>>(
    `select
       (select count(*)::int from app.arrangements where account_id = $1) as arrangements,
       (select count(*)::int from app.installments i join app.arrangements a on a.id = i.arrangement_id where a.account_id = $1) as installments,
       (select count(*)::int from app.consents where account_id = $1) as consents,
       (select count(*)::int from app.consent_texts) as consent_texts,
       (select count(*)::int from app.audit_events where account_id = $1 and (action like 'arrangement.%' or action like 'installment.%')) as audit,
       (select count(*)::int from app.outbound_messages where account_id = $1 and template = 'plan.confirmation') as confirmations`,
    [accountId],
  );
  return rows[0]!;
}

/** The confirmation emails the outbox sent for this arrangement (after the nudged pass). */
async function confirmationEmails(arrangementId: string) {
  await settleOutbox();
  return templateEmails("plan.confirmation", `plan.confirmation/${arrangementId}`);
}

/** The plain text's lines, without the list marker html-to-text puts before each payment. */
const textLines = (text: string) => text.split("\n").map((line) => line.trim().replace(/^[*-]\s+/, ""));

// ---------------------------------------------------------------------------------------

let jar: Jar;
const base = `/account/${DEMO[1001]}`;
const params1001 = { accountId: DEMO[1001] };

const plan = (search: string) => call(() => planLoader({ request: req(`${base}/plan${search}`, { jar }), params: params1001, context }));
const review = (choice: Choice) => call(() => reviewLoader({ request: req(`${base}/plan/review?${query(choice)}`, { jar }), params: params1001, context }));
const agree = (form: Record<string, string>) =>
  call(() => reviewAction({ request: req(`${base}/plan/review`, { method: "POST", form, jar }), params: params1001, context }));

type ReviewData = { terms: { lines: string[]; sha256: string }; installments: Array<{ dueOn: string; amountMinor: number }>; reviewDueOn: string | null };

async function shownTerms(choice: Choice): Promise<ReviewData> {
  const outcome = await review(choice);
  expect(outcome.status).toBe(200);
  return outcome.data as unknown as ReviewData;
}

beforeAll(async () => {
  jar = await signIn("DEMO-1001", ALEX_DOB);
});

describe("the simulator (/plan)", () => {
  test("opens with the defaults and no errors", async () => {
    const outcome = await plan("");
    expect(outcome.status).toBe(200);
    const data = outcome.data as { submitted: boolean; values: Choice; context: { balanceMinor: number; today: string } };
    expect(data.submitted).toBe(false);
    expect(data.values).toMatchObject({ kind: "plan", by: "amount", amount: "", frequency: "monthly" });
    expect(data.values.start > today()).toBe(true);
    expect(data.values.start <= addDays(today(), 30)).toBe(true);
    expect(data.context.balanceMinor).toBe(BALANCE_1001);
    expect(data.context.today).toBe(today());
  });

  test("a submitted GET form returns its own values", async () => {
    const start = addDays(today(), 30);
    const outcome = await plan(`?${query({ kind: "plan", by: "amount", amount: "100", frequency: "monthly", start })}`);
    expect(outcome.status).toBe(200);
    const data = outcome.data as { submitted: boolean; values: Choice };
    expect(data.submitted).toBe(true);
    expect(data.values).toMatchObject({ kind: "plan", by: "amount", amount: "100", frequency: "monthly", start });
  });

  test("the review page of an outside-policy or junk choice sends the borrower back to the simulator", async () => {
    for (const choice of [planChoice("50"), planChoice("abc", { frequency: "daily", start: "2026-02-30" })]) {
      const outcome = await review(choice);
      expect(outcome.status).toBe(303);
      expect(outcome.headers.get("Location")).toMatch(new RegExp(`^${base}/plan\\?`));
    }
  });
});

describe("refused agreements store nothing", () => {
  test("the shown hash with a changed amount: 400, with the fresh terms to read again", async () => {
    const before = await counts(DEMO[1001]);
    const shown = await shownTerms(planChoice("100"));
    const outcome = await agree({ ...planChoice("90"), terms: shown.terms.sha256 });
    expect(outcome.status).toBe(400);
    const fresh = (outcome.data as { fresh: ReviewData | null }).fresh;
    expect(fresh?.terms.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fresh?.terms.sha256).not.toBe(shown.terms.sha256);
    expect(await counts(DEMO[1001])).toEqual(before);
  });

  test("a wrong hash, or none: 400", async () => {
    const before = await counts(DEMO[1001]);
    expect((await agree({ ...planChoice("100"), terms: "0".repeat(64) })).status).toBe(400);
    expect((await agree({ ...planChoice("100") })).status).toBe(400);
    expect(await counts(DEMO[1001])).toEqual(before);
  });

  test("an outside-policy choice ($50 a month, 25 payments): 422", async () => {
    const before = await counts(DEMO[1001]);
    const outcome = await agree({ ...planChoice("50"), terms: "0".repeat(64) });
    expect(outcome.status).toBe(422);
    expect(await counts(DEMO[1001])).toEqual(before);
  });

  test.each<[string, Record<string, string>]>([
    ["junk in every field", { ...planChoice("abc", { frequency: "daily", start: "2026-02-30" }), terms: "x" }],
    ["a count that is not a number", { ...planChoice("", { by: "count", count: "1.5" }), terms: "x" }],
    ["a settlement of 4 payments", { ...planChoice("", { kind: "settlement", payments: "4" }), terms: "x" }],
    ["a promise above the balance", { ...planChoice("1240.51", { kind: "promise" }), terms: "x" }],
    ["nothing at all", {}],
    ["overlong fields", { ...planChoice("1".repeat(5000)), terms: "x".repeat(5000) }],
  ])("%s: 4xx, never 500", async (_name, form) => {
    const before = await counts(DEMO[1001]);
    const outcome = await agree(form);
    expect(outcome.status).toBeGreaterThanOrEqual(400);
    expect(outcome.status).toBeLessThan(500);
    expect(await counts(DEMO[1001])).toEqual(before);
  });
});

describe("another borrower's account (DEMO-1002, María's) is 404", () => {
  const params = { accountId: DEMO[1002] };
  const path = `/account/${DEMO[1002]}`;

  test("simulator, review page and agree", async () => {
    const before = await counts(DEMO[1002]);
    const choice = planChoice("100");
    const shown = await shownTerms(choice);
    expect((await call(() => planLoader({ request: req(`${path}/plan`, { jar }), params, context }))).status).toBe(404);
    expect((await call(() => reviewLoader({ request: req(`${path}/plan/review?${query(choice)}`, { jar }), params, context }))).status).toBe(404);
    const posted = await call(() => reviewAction({ request: req(`${path}/plan/review`, { method: "POST", form: { ...choice, terms: shown.terms.sha256 }, jar }), params, context }));
    expect(posted.status).toBe(404);
    expect((await call(() => myPlanLoader({ request: req(`${path}/my-plan`, { jar }), params, context }))).status).toBe(404);
    expect((await call(() => moveLoader({ request: req(`${path}/my-plan/move`, { jar }), params, context }))).status).toBe(404);
    expect((await call(() => cancelLoader({ request: req(`${path}/my-plan/cancel`, { jar }), params, context }))).status).toBe(404);
    expect(await counts(DEMO[1002])).toEqual(before);
  });

  test("a malformed account id is 404 too", async () => {
    const outcome = await call(() => planLoader({ request: req(`/account/not-a-uuid/plan`, { jar }), params: { accountId: "not-a-uuid" }, context }));
    expect(outcome.status).toBe(404);
  });
});

describe("agreeing $100 a month, moving a payment, cancelling", () => {
  let hash = "";
  let lines: string[] = [];

  test("the review page shows the terms as lines and their SHA-256", async () => {
    const shown = await shownTerms(planChoice("100"));
    expect(shown.terms.lines.length).toBeGreaterThanOrEqual(2);
    expect(shown.terms.lines.join("\n")).toContain("$1,240.50");
    expect(shown.terms.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(shown.installments).toHaveLength(13);
    expect(shown.installments.at(-1)?.amountMinor).toBe(4_050);
    expect(shown.reviewDueOn).toBeNull();
    hash = shown.terms.sha256;
    lines = shown.terms.lines;
  });

  test("I agree: 303 to My plan; the arrangement, 13 payments, the consent, the audit event and the email", async () => {
    const before = await counts(DEMO[1001]);
    const outcome = await agree({ ...planChoice("100"), terms: hash });
    expect(outcome.status).toBe(303);
    expect(outcome.headers.get("Location")).toBe(`${base}/my-plan?agreed=1&emailed=1`);

    const after = await counts(DEMO[1001]);
    expect(after.arrangements - before.arrangements).toBe(1);
    expect(after.installments - before.installments).toBe(13);
    expect(after.consents - before.consents).toBe(1);

    const db = testDb();
    const { rows: arrangements } = await db.query<{ id: string; status: string; total_minor: string; review_due_at: Date | null }>(
      "select id, status, total_minor::text, review_due_at from app.arrangements where account_id = $1",
      [DEMO[1001]],
    );
    expect(arrangements).toHaveLength(1);
    expect(arrangements[0]).toMatchObject({ status: "active", total_minor: String(BALANCE_1001), review_due_at: null });
    const { rows: installments } = await db.query<{ due_on: string; amount_minor: string }>(
      "select to_char(due_on, 'YYYY-MM-DD') as due_on, amount_minor::text from app.installments where arrangement_id = $1 order by seq",
      [arrangements[0]!.id],
    );
    expect(installments).toHaveLength(13);
    expect(installments[0]?.due_on).toBe(addDays(today(), 30));
    expect(installments.reduce((total, i) => total + Number(i.amount_minor), 0)).toBe(BALANCE_1001);

    const { rows: consents } = await db.query<{ text_sha256: string; kind: string; body: string; text_version: string }>(
      `select c.text_sha256, c.kind, t.body, c.text_version
         from app.consents c join app.consent_texts t on t.id = c.text_id
        where c.account_id = $1`,
      [DEMO[1001]],
    );
    expect(consents).toHaveLength(1);
    expect(consents[0]).toMatchObject({ text_sha256: hash, kind: "plan_agreement", text_version: "plan-terms.v1", body: lines.join("\n") });

    const { rows: audit } = await db.query<{ n: number }>(
      "select count(*)::int as n from app.audit_events where account_id = $1 and action = 'arrangement.agreed' and subject_id = $2",
      [DEMO[1001], arrangements[0]!.id],
    );
    expect(audit[0]?.n).toBe(1);
    expect(after.audit - before.audit).toBe(1);

    // The written confirmation: one message queued with the agreement, sent by the nudged pass.
    expect(after.confirmations - before.confirmations).toBe(1);
    const messages = await templateMessages("plan.confirmation", `plan.confirmation/${arrangements[0]!.id}`);
    expect(messages).toEqual([expect.objectContaining({ category: "requested", account_id: DEMO[1001], params: { arrangement_id: arrangements[0]!.id } })]);
    const emails = await confirmationEmails(arrangements[0]!.id);
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ to_addresses: [ALEX_EMAIL], subject: "Your payment plan with Northwind Lending" });
    const emailLines = textLines(emails[0]!.text);
    for (const line of lines) expect(emailLines).toContain(line);
    expect(emailLines).toContain("Total: $1,240.50");
    expect(emailLines.filter((line) => / — \$100\.00$/.test(line))).toHaveLength(12);
    expect(emailLines.filter((line) => / — \$40\.50$/.test(line))).toHaveLength(1);
  });

  test("My plan shows it, with the exact terms agreed", async () => {
    const outcome = await call(() => myPlanLoader({ request: req(`${base}/my-plan?agreed=1&emailed=1`, { jar }), params: params1001, context }));
    expect(outcome.status).toBe(200);
    const data = outcome.data as { done: string; emailed: boolean; arrangement: { status: string; live: boolean; terms: { lines: string[]; payments: { headingIndex: number; count: number } | null }; installments: unknown[]; canMove: boolean } };
    expect(data.done).toBe("agreed");
    expect(data.emailed).toBe(true);
    expect(data.arrangement).toMatchObject({ status: "active", live: true, terms: { lines, payments: { headingIndex: lines.indexOf("Payments:"), count: 13 } }, canMove: true });
    expect(data.arrangement.installments).toHaveLength(13);
  });

  test("a second identical submit lands on My plan and stores nothing more: still one message, one email", async () => {
    const before = await counts(DEMO[1001]);
    const outcome = await agree({ ...planChoice("100"), terms: hash });
    expect(outcome.status).toBe(303);
    expect(outcome.headers.get("Location")).toBe(`${base}/my-plan`);
    expect(await counts(DEMO[1001])).toEqual(before);
    expect(before.arrangements).toBe(1);
    expect(before.confirmations).toBe(1);
    const { rows } = await testDb().query<{ id: string }>("select id from app.arrangements where account_id = $1", [DEMO[1001]]);
    expect(await confirmationEmails(rows[0]!.id)).toHaveLength(1);
  });

  test("with a live plan, the simulator and the review page lead to My plan", async () => {
    const simulator = await plan("");
    expect(simulator.status).toBe(303);
    expect(simulator.headers.get("Location")).toBe(`${base}/my-plan`);
    const reviewed = await review(planChoice("100"));
    expect(reviewed.status).toBe(303);
    expect(reviewed.headers.get("Location")).toBe(`${base}/my-plan`);
  });

  test("moving the first payment: dates listed, the one-line consent, then the move; a second move is refused", async () => {
    const { rows } = await testDb().query<{ id: string; due_on: string }>(
      `select i.id, to_char(i.due_on, 'YYYY-MM-DD') as due_on
         from app.installments i join app.arrangements a on a.id = i.arrangement_id
        where a.account_id = $1 and a.status = 'active' order by i.seq limit 1`,
      [DEMO[1001]],
    );
    const first = rows[0]!;
    const move = (search: string) => call(() => moveLoader({ request: req(`${base}/my-plan/move${search}`, { jar }), params: params1001, context }));

    const chosen = await move(`?installment=${first.id}`);
    expect(chosen.status).toBe(200);
    const chosenData = chosen.data as { canMove: boolean; chosen: string | null; dates: string[]; days: number };
    expect(chosenData).toMatchObject({ canMove: true, chosen: first.id, days: 14 });
    expect(chosenData.dates).toHaveLength(14);
    expect(chosenData.dates[0]).toBe(addDays(first.due_on, 1));
    expect(chosenData.dates.at(-1)).toBe(addDays(first.due_on, 14));

    const to = chosenData.dates[6]!;
    const confirm = await move(`?installment=${first.id}&date=${to}`);
    const confirmData = confirm.data as { to: string | null; confirm: { lines: string[]; sha256: string } | null };
    expect(confirmData.to).toBe(to);
    expect(confirmData.confirm?.lines).toHaveLength(1);

    const before = await counts(DEMO[1001]);
    // A date outside the list, or a wrong hash, is refused and moves nothing.
    const tooFar = await call(() =>
      moveAction({ request: req(`${base}/my-plan/move`, { method: "POST", form: { installment: first.id, date: addDays(first.due_on, 15), terms: confirmData.confirm!.sha256 }, jar }), params: params1001, context }),
    );
    expect(tooFar.status).toBe(400);
    const wrongHash = await call(() =>
      moveAction({ request: req(`${base}/my-plan/move`, { method: "POST", form: { installment: first.id, date: to, terms: "0".repeat(64) }, jar }), params: params1001, context }),
    );
    expect(wrongHash.status).toBe(400);
    expect(await counts(DEMO[1001])).toEqual(before);

    const moved = await call(() =>
      moveAction({ request: req(`${base}/my-plan/move`, { method: "POST", form: { installment: first.id, date: to, terms: confirmData.confirm!.sha256 }, jar }), params: params1001, context }),
    );
    expect(moved.status).toBe(303);
    expect(moved.headers.get("Location")).toBe(`${base}/my-plan?moved=${to}`);

    const { rows: after } = await testDb().query<{ due_on: string; original_due_on: string; moved: boolean }>(
      "select to_char(due_on, 'YYYY-MM-DD') as due_on, to_char(original_due_on, 'YYYY-MM-DD') as original_due_on, moved_at is not null as moved from app.installments where id = $1",
      [first.id],
    );
    expect(after[0]).toEqual({ due_on: to, original_due_on: first.due_on, moved: true });
    const counted = await counts(DEMO[1001]);
    expect(counted.consents - before.consents).toBe(1);
    expect(counted.audit - before.audit).toBe(1);
    const { rows: movedEvents } = await testDb().query<{ n: number }>(
      "select count(*)::int as n from app.audit_events where action = 'installment.moved' and subject_id = $1",
      [first.id],
    );
    expect(movedEvents[0]?.n).toBe(1);

    const again = await move(`?installment=${first.id}`);
    expect((again.data as { canMove: boolean; dates: string[] }).canMove).toBe(false);
    expect((again.data as { dates: string[] }).dates).toEqual([]);
    const secondMove = await call(() =>
      moveAction({ request: req(`${base}/my-plan/move`, { method: "POST", form: { installment: first.id, date: addDays(to, 1), terms: confirmData.confirm!.sha256 }, jar }), params: params1001, context }),
    );
    expect(secondMove.status).toBe(400);
    const { rows: unchanged } = await testDb().query<{ due_on: string }>("select to_char(due_on, 'YYYY-MM-DD') as due_on from app.installments where id = $1", [first.id]);
    expect(unchanged[0]?.due_on).toBe(to);
  });

  test("cancelling: a wrong hash is refused; the shown one cancels the plan and its payments", async () => {
    const shown = await call(() => cancelLoader({ request: req(`${base}/my-plan/cancel`, { jar }), params: params1001, context }));
    expect(shown.status).toBe(200);
    const { sha256, lines: cancelLines } = shown.data as { sha256: string; lines: string[] };
    expect(cancelLines.length).toBeGreaterThan(0);
    const cancel = (terms: string) => call(() => cancelAction({ request: req(`${base}/my-plan/cancel`, { method: "POST", form: { terms }, jar }), params: params1001, context }));

    expect((await cancel("0".repeat(64))).status).toBe(400);
    const done = await cancel(sha256);
    expect(done.status).toBe(303);
    expect(done.headers.get("Location")).toBe(`${base}/my-plan?cancelled=1`);
    const { rows } = await testDb().query<{ status: string; scheduled: number }>(
      `select a.status, (select count(*)::int from app.installments i where i.arrangement_id = a.id and i.status = 'scheduled') as scheduled
         from app.arrangements a where a.account_id = $1`,
      [DEMO[1001]],
    );
    expect(rows).toEqual([{ status: "cancelled", scheduled: 0 }]);
    // Nothing live: the simulator opens again.
    expect((await plan("")).status).toBe(200);
  });
});

describe("a plan longer than 18 months waits for review", () => {
  test("$60 a month: pending_review, review due at the end of the day 2 working days later", async () => {
    const choice = planChoice("60");
    const shown = await shownTerms(choice);
    expect(shown.installments).toHaveLength(21);
    expect(shown.reviewDueOn).not.toBeNull();

    const outcome = await agree({ ...choice, terms: shown.terms.sha256 });
    expect(outcome.status).toBe(303);
    expect(outcome.headers.get("Location")).toBe(`${base}/my-plan?agreed=1&emailed=1`);

    const { rows } = await testDb().query<{ status: string; review_due_on: string | null; policy_rules: string[] }>(
      `select status, to_char((review_due_at - interval '1 microsecond') at time zone '${ZONE}', 'YYYY-MM-DD') as review_due_on, policy_rules
         from app.arrangements where account_id = $1 and status in ('active', 'pending_review')`,
      [DEMO[1001]],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe("pending_review");
    expect(rows[0]?.policy_rules).toEqual(["plan_longer_than_auto_approve"]);
    // Two working days (Mon–Fri) after today, never the day itself.
    const due = rows[0]!.review_due_on!;
    expect(due > today()).toBe(true);
    expect(due <= addDays(today(), 4)).toBe(true);
    expect([0, 6]).not.toContain(new Date(`${due}T00:00:00Z`).getUTCDay());

    const myPlan = await call(() => myPlanLoader({ request: req(`${base}/my-plan`, { jar }), params: params1001, context }));
    expect((myPlan.data as { arrangement: { status: string; reviewDueOn: string | null } }).arrangement).toMatchObject({ status: "pending_review" });
    expect((myPlan.data as { arrangement: { reviewDueOn: string | null } }).arrangement.reviewDueOn).not.toBeNull();

    // Its confirmation says it waits for review, and by when we reply.
    const { rows: live } = await testDb().query<{ id: string }>("select id from app.arrangements where account_id = $1 and status = 'pending_review'", [DEMO[1001]]);
    expect(await templateMessages("plan.confirmation", `plan.confirmation/${live[0]!.id}`)).toHaveLength(1);
    const [email] = await confirmationEmails(live[0]!.id);
    expect(email!.subject).toBe("Your plan request to Northwind Lending");
    expect(email!.text).toContain("WE HAVE YOUR REQUEST");
    expect(email!.text).toContain(`We will reply by ${shown.reviewDueOn}.`);
    expect(email!.text).toContain("Until then, nothing changes on your account.");
    for (const line of shown.terms.lines) expect(textLines(email!.text)).toContain(line);
  });
});
