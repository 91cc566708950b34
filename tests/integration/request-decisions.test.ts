/**
 * Staff decisions on hardship requests and disputes (issue 8 item 3, issue 7 items 1 and 5;
 * ADR 011), through the app's wrappers, the console's routes with a real staff session, and
 * the borrower's pages:
 * - each decision writes exactly one staff audit event, and never the note to the borrower;
 * - a second decision is refused (409 already_decided), also when two staff decide at once
 *   (a real race on PostgreSQL; PGlite runs one statement at a time);
 * - a settlement or a freeze above the agent's limit is refused through the api and through a
 *   forged form (403), and goes to a supervisor instead (escalation, audited), who decides it;
 * - the borrower sees the decision, its reason in plain words and the note on the help page,
 *   the overview and the dispute tracker, and gets one email in their language;
 * - "tell us once": health notes shared under a standing consent reach staff on later
 *   contacts, each read audited (ids only), nothing once consent is withdrawn;
 * - staff download a request's document as an attachment with nosniff, audited;
 * - signed out, every console route sends the browser to the sign-in page.
 */
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { loader as overviewLoader } from "~/routes/account.$accountId._index";
import { loader as disputeLoader } from "~/routes/account.$accountId.dispute";
import { loader as helpLoader } from "~/routes/account.$accountId.help._index";
import { loader as documentLoader } from "~/routes/ops.documents.$documentId";
import { action as disputeReviewAction, loader as disputeReviewLoader } from "~/routes/ops.requests.dispute.$disputeId";
import { action as hardshipReviewAction, loader as hardshipReviewLoader } from "~/routes/ops.requests.hardship.$requestId";
import { runOutbox } from "~/services/email/outbox.server";
import { rpc } from "~/services/supabase/rpc.server";
import { consentHash } from "~/utils/consent.server";
import {
  addRequestDocument,
  liftEndedPauses,
  listDisputes,
  openDispute,
  saveHardshipStep,
  submitHardshipRequest,
  withdrawHealthConsent,
} from "~/utils/hardship.server";
import {
  decideHardship,
  DISPUTE_RESOLUTION_REASONS,
  escalateHardship,
  getHardshipReview,
  HARDSHIP_DECISION_REASONS,
  resolveDispute,
  type HardshipDecisionInput,
} from "~/utils/request-decisions.server";
import { getVulnerabilityNotes } from "~/utils/vulnerability.server";
import { ALEX, newAccount } from "../setup/accounts";
import { addDays, DEMO_ZONE, today } from "../setup/dates";
import { onRealPostgres, testDb } from "../setup/db";
import { withEnv, withLocalEmail } from "../setup/env";
import { settleOutbox, templateEmails } from "../setup/outbox";
import { hintOf } from "../setup/rpc-errors";
import { call, context, req, signIn, type Jar } from "../setup/routes";
import { signInStaff, STAFF } from "../setup/staff";

withEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined });
withLocalEmail();

const MARIA = "b0000000-0000-4000-8000-000000000002";
const ALEX_DOB = { "dob.month": "4", "dob.day": "12", "dob.year": "1985" };
const MARIA_DOB = { "dob.month": "11", "dob.day": "3", "dob.year": "1979" };
const AGENT = STAFF.agent.id;
const SUPERVISOR = STAFF.supervisor.id;
const NOTE = "We are sorry things are hard.\nCall us any time if you want to talk it through.";
const HEALTH = "I have been in hospital since September and cannot work for now.";

const healthConsent = () => {
  const body = "You agree that we keep what you told us about your health, to take it into account.";
  return { version: "health-data.v1", language: "en" as const, body, sha256: consentHash(body), ip: "203.0.113.7", userAgent: "Vitest/3 (decisions)" };
};

/** A sent hardship request on a fresh account (balance principal + $96.50 + $44.00). */
async function sentRequest({ principal = 110_000, borrowerId = ALEX, health = false }: { principal?: number; borrowerId?: string; health?: boolean } = {}) {
  const accountId = await newAccount({ principal, borrowerId, prefix: "TEST-RD" });
  await saveHardshipStep(borrowerId, accountId, { step: "reasons", reasons: ["job_loss"], note: "I lost my job in October." });
  await saveHardshipStep(borrowerId, accountId, {
    step: "income",
    lines: [{ category: "earnings", amountMinor: 90_000, frequency: "monthly" }],
  });
  if (health) await saveHardshipStep(borrowerId, accountId, { step: "health", note: HEALTH, consent: healthConsent() });
  const saved = await saveHardshipStep(borrowerId, accountId, { step: "help", help: "payment_break", breakDays: 60 });
  if (!saved.ok) throw new Error(saved.reason);
  const sent = await submitHardshipRequest({
    borrowerId,
    requestId: saved.request.id,
    monthlyIncomeMinor: 90_000,
    monthlyOutgoingsMinor: 0,
    decisionDueOn: addDays(today(), 7),
  });
  if (!sent.ok) throw new Error(sent.reason);
  return { accountId, requestId: saved.request.id };
}

async function referenceOf(accountId: string): Promise<string> {
  const { rows } = await testDb().query<{ reference: string }>("select reference from app.accounts where id = $1", [accountId]);
  return rows[0]!.reference;
}

async function staffEvents(subjectId: string) {
  const { rows } = await testDb().query<{ action: string; actor_id: string; reason_code: string | null; metadata: Record<string, unknown> }>(
    "select action, actor_id, reason_code, metadata from app.audit_events where subject_id = $1 and actor_kind = 'staff' order by event_no",
    [subjectId],
  );
  return rows;
}

async function trail(accountId: string): Promise<string> {
  const { rows } = await testDb().query("select * from app.audit_events where account_id = $1", [accountId]);
  return JSON.stringify(rows);
}

async function pauseOf(requestId: string, table: "hardship_requests" | "disputes" = "hardship_requests") {
  const { rows } = await testDb().query<{ lifted: boolean; ends_on: string | null }>(
    `select p.lifted_at is not null as lifted, to_char((p.ends_at at time zone $2), 'YYYY-MM-DD') as ends_on
       from app.${table} as r join app.collection_pauses as p on p.id = r.pause_id where r.id = $1`,
    [requestId, DEMO_ZONE],
  );
  return rows[0]!;
}

/** What the borrower was emailed for one outbox message (`<template>/<subject id>`). */
async function outbox(dedupeKey: string) {
  await settleOutbox();
  return templateEmails(dedupeKey.slice(0, dedupeKey.indexOf("/")), dedupeKey);
}

// The console's routes, driven as a browser drives them.
const hardshipPage = (jar: Jar | undefined, requestId: string, query = "") =>
  call(() => hardshipReviewLoader({ request: req(`/ops/requests/hardship/${requestId}${query}`, { jar }), params: { requestId }, context }));
const hardshipPost = (jar: Jar | undefined, requestId: string, form: Record<string, string>) =>
  call(() => hardshipReviewAction({ request: req(`/ops/requests/hardship/${requestId}`, { method: "POST", form, jar }), params: { requestId }, context }));
const disputePage = (jar: Jar | undefined, disputeId: string, query = "") =>
  call(() => disputeReviewLoader({ request: req(`/ops/requests/dispute/${disputeId}${query}`, { jar }), params: { disputeId }, context }));
const disputePost = (jar: Jar | undefined, disputeId: string, form: Record<string, string>) =>
  call(() => disputeReviewAction({ request: req(`/ops/requests/dispute/${disputeId}`, { method: "POST", form, jar }), params: { disputeId }, context }));

describe("the reason codes", () => {
  test("the app and the database keep the same lists", async () => {
    for (const [outcome, reasons] of Object.entries(HARDSHIP_DECISION_REASONS)) {
      const { rows } = await testDb().query<{ reasons: string[] }>("select app.hardship_decision_reasons($1) as reasons", [outcome]);
      expect(rows[0]!.reasons).toEqual(reasons);
    }
    for (const [outcome, reasons] of Object.entries(DISPUTE_RESOLUTION_REASONS)) {
      const { rows } = await testDb().query<{ reasons: string[] }>("select app.dispute_resolution_reasons($1) as reasons", [outcome]);
      expect(rows[0]!.reasons).toEqual(reasons);
    }
  });
});

describe("hardship decisions", () => {
  test("one staff audit event per decision, without the note; the second decision is refused; a break holds the pause to its end", async () => {
    const { accountId, requestId } = await sentRequest();
    const decided = await decideHardship(AGENT, requestId, { outcome: "payment_break", breakDays: 60, reason: "income_fell", note: NOTE });
    expect(decided).toMatchObject({ ok: true, request: { status: "decided", outcome: "payment_break", paused: true } });
    expect(await pauseOf(requestId)).toEqual({ lifted: false, ends_on: addDays(today(), 60) });

    const events = await staffEvents(requestId);
    expect(events).toEqual([
      expect.objectContaining({
        action: "hardship.decided",
        actor_id: AGENT,
        reason_code: "income_fell",
        metadata: expect.objectContaining({ outcome: "payment_break", break_days: 60, has_note: true, pause_ends_on: addDays(today(), 60) }),
      }),
    ]);
    expect(await trail(accountId)).not.toContain("sorry things are hard");

    expect(await decideHardship(SUPERVISOR, requestId, { outcome: "declined", reason: "can_afford_payments", note: null })).toEqual({ ok: false, reason: "already_decided" });
    expect(await staffEvents(requestId)).toHaveLength(1);

    // The break ends by itself in `npm run jobs`.
    await testDb().query("update app.collection_pauses set starts_at = now() - interval '61 days', ends_at = now() - interval '1 day' where id = (select pause_id from app.hardship_requests where id = $1)", [requestId]);
    expect(await liftEndedPauses()).toBeGreaterThanOrEqual(1);
    expect(await pauseOf(requestId)).toMatchObject({ lifted: true });
  });

  test("declined and a freeze lift the pause now; lower payments, a settlement and debt advice hold it 30 days", async () => {
    const cases: Array<[HardshipDecisionInput, boolean]> = [
      [{ outcome: "declined", reason: "need_more_information", note: null }, true],
      [{ outcome: "freeze_interest", reason: "illness_or_disability", note: null }, true],
      [{ outcome: "lower_payments", monthlyMinor: 2_500, reason: "budget_shortfall", note: null }, false],
      [{ outcome: "settlement", settlementMinor: 80_000, reason: "income_fell", note: null }, false],
      [{ outcome: "debt_advice", reason: "several_debts", note: null }, false],
    ];
    for (const [input, lifted] of cases) {
      const { requestId } = await sentRequest();
      const decided = await decideHardship(AGENT, requestId, input);
      expect(decided, input.outcome).toMatchObject({ ok: true, request: { status: "decided", outcome: input.outcome, paused: !lifted } });
      expect(await pauseOf(requestId), input.outcome).toEqual(lifted ? { lifted: true, ends_on: null } : { lifted: false, ends_on: addDays(today(), 30) });
      expect(await staffEvents(requestId)).toHaveLength(1);
    }
  });

  test("a decision that does not fit is refused and writes nothing; an inactive staff member is refused", async () => {
    const { requestId } = await sentRequest();
    const refused = await Promise.all([
      decideHardship(AGENT, requestId, { outcome: "declined", reason: "income_fell", note: null }),
      decideHardship(AGENT, requestId, { outcome: "declined", reason: "other", note: null }),
      decideHardship(AGENT, requestId, { outcome: "declined", reason: "other", note: "   " }),
      decideHardship(AGENT, requestId, { outcome: "settlement", settlementMinor: 1_000_000, reason: "income_fell", note: null }),
      decideHardship(AGENT, requestId, { outcome: "declined", reason: "need_more_information", note: "x".repeat(1001) }),
      decideHardship(AGENT, requestId, { outcome: "payment_break", breakDays: 45 as 30, reason: "income_fell", note: null }),
    ]);
    expect(refused.map((r) => !r.ok && r.reason)).toEqual(["invalid_decision", "reason_required", "reason_required", "invalid_decision", "invalid_decision", "invalid_decision"]);
    expect(await staffEvents(requestId)).toEqual([]);

    await testDb().query("insert into app.staff (email, full_name, role, approval_limit_minor, active) values ('gone@example.com', 'Former Agent', 'agent', 200000, false)");
    const { rows } = await testDb().query<{ id: string }>("select id from app.staff where email = 'gone@example.com'");
    expect(await hintOf(rpc("staff_decide_hardship", { p_staff_id: rows[0]!.id, p_request_id: requestId, p_outcome: "declined", p_reason: "need_more_information" }, z.unknown()))).toBe(
      "staff_forbidden",
    );
    await expect(decideHardship(rows[0]!.id, requestId, { outcome: "declined", reason: "need_more_information", note: null })).rejects.toMatchObject({ status: 403 });
    expect(await staffEvents(requestId)).toEqual([]);
  });

  test("four eyes: above the agent's limit a settlement or a freeze is refused, by the api and by a forged form; it goes to a supervisor, who decides it", async () => {
    // $3,000.00 + $96.50 + $44.00: above the agent's $2,000 limit, within the supervisor's.
    const { accountId, requestId } = await sentRequest({ principal: 300_000 });
    expect(await decideHardship(AGENT, requestId, { outcome: "settlement", settlementMinor: 150_000, reason: "income_fell", note: null })).toEqual({ ok: false, reason: "over_limit" });
    expect(await decideHardship(AGENT, requestId, { outcome: "freeze_interest", reason: "income_fell", note: null })).toEqual({ ok: false, reason: "over_limit" });

    const agent = await signInStaff(STAFF.agent.email);
    const page = await hardshipPage(agent, requestId);
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({ overLimit: true, canDecide: true, canEscalate: true });
    expect((page.data as { form: { outcomes: string[] } }).form.outcomes).toEqual(["payment_break", "lower_payments", "declined", "debt_advice"]);

    const forged = await hardshipPost(agent, requestId, { intent: "decide", outcome: "settlement", settlement: "1,500.00", reason: "income_fell", note: "" });
    expect(forged.status).toBe(403);
    expect(forged.data).toMatchObject({ problem: "The balance is above your approval limit. Send it to a supervisor instead." });
    expect(await staffEvents(requestId)).toEqual([]);

    const sent = await hardshipPost(agent, requestId, { intent: "escalate" });
    expect(sent.status).toBe(303);
    expect(sent.headers.get("Location")).toBe(`/ops/requests/hardship/${requestId}?done=escalated`);
    expect(await staffEvents(requestId)).toEqual([expect.objectContaining({ action: "hardship.escalated", actor_id: AGENT, reason_code: "over_limit" })]);
    expect((await hardshipPost(agent, requestId, { intent: "escalate" })).status).toBe(409);
    expect(await escalateHardship(AGENT, requestId, "second_opinion")).toEqual({ ok: false, reason: "already_escalated" });

    // Once with a supervisor, the agent decides nothing, not even a decline.
    expect((await hardshipPage(agent, requestId)).data).toMatchObject({ canDecide: false, canEscalate: false, escalation: { reason: "over_limit", byMe: true } });
    expect(await decideHardship(AGENT, requestId, { outcome: "declined", reason: "can_afford_payments", note: null })).toEqual({ ok: false, reason: "escalated" });

    const supervisor = await signInStaff(STAFF.supervisor.email);
    expect((await hardshipPage(supervisor, requestId)).data).toMatchObject({ overLimit: false, canDecide: true });
    const decided = await hardshipPost(supervisor, requestId, { intent: "decide", outcome: "settlement", settlement: "1,500.00", reason: "income_fell", note: "" });
    expect(decided.status).toBe(303);
    expect((await hardshipPage(supervisor, requestId, "?done=decided")).data).toMatchObject({
      status: "decided",
      done: "decided",
      decision: { outcome: "settlement", reason: "income_fell", settlement: "$1,500.00", by: "Daniel Brooks" },
    });
    expect((await staffEvents(requestId)).map((e) => [e.action, e.actor_id])).toEqual([
      ["hardship.escalated", AGENT],
      ["hardship.decided", SUPERVISOR],
    ]);
    expect(await trail(accountId)).not.toContain(HEALTH);
  });

  test("the person who sent a request to a supervisor does not grant it", async () => {
    const { requestId } = await sentRequest();
    expect(await escalateHardship(SUPERVISOR, requestId, "second_opinion")).toMatchObject({ ok: true });
    expect(await decideHardship(SUPERVISOR, requestId, { outcome: "payment_break", breakDays: 30, reason: "income_fell", note: null })).toEqual({ ok: false, reason: "four_eyes" });
    expect(await decideHardship(STAFF.admin.id, requestId, { outcome: "payment_break", breakDays: 30, reason: "income_fell", note: null })).toMatchObject({ ok: true });
  });

  test("bad input through the form: a 400 with the message on the right field, nothing decided", async () => {
    const { requestId } = await sentRequest();
    const agent = await signInStaff(STAFF.agent.email);
    const empty = await hardshipPost(agent, requestId, { intent: "decide" });
    expect(empty.status).toBe(400);
    expect(empty.data).toMatchObject({ errors: { outcome: "Choose a decision" } });
    const mismatched = await hardshipPost(agent, requestId, { intent: "decide", outcome: "lower_payments", monthly: "twenty", reason: "can_afford_payments", note: "" });
    expect(mismatched.status).toBe(400);
    expect(mismatched.data).toMatchObject({
      errors: { reason: "Choose a reason that fits the decision", monthly: "Enter an amount more than 0, like 75.00" },
      values: { outcome: "lower_payments", monthly: "twenty" },
    });
    expect((await hardshipPost(agent, requestId, { intent: "delete-everything" })).status).toBe(400);
    expect(await staffEvents(requestId)).toEqual([]);
    expect((await hardshipPage(agent, "not-a-uuid")).status).toBe(404);
    expect((await hardshipPage(agent, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });

  test("two staff deciding at once: one decision, the other is told it was decided (PGlite serializes; PostgreSQL races)", async () => {
    const { requestId } = await sentRequest();
    const results = await Promise.all(
      [AGENT, SUPERVISOR, STAFF.admin.id, AGENT].map((staff, i) =>
        decideHardship(staff, requestId, i % 2 ? { outcome: "declined", reason: "can_afford_payments", note: null } : { outcome: "payment_break", breakDays: 30, reason: "income_fell", note: null }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(["already_decided", "already_decided", "already_decided"]);
    expect(await staffEvents(requestId)).toHaveLength(1);
  });
});

describe.runIf(onRealPostgres())("decisions racing each other (real PostgreSQL)", () => {
  test("ten rounds of two staff deciding the same request through the console at once: one 303, one 409 each time", async () => {
    const agent = await signInStaff(STAFF.agent.email);
    const supervisor = await signInStaff(STAFF.supervisor.email);
    for (let round = 0; round < 10; round += 1) {
      const { requestId } = await sentRequest();
      const [a, b] = await Promise.all([
        hardshipPost(agent, requestId, { intent: "decide", outcome: "declined", reason: "can_afford_payments", note: "" }),
        hardshipPost(supervisor, requestId, { intent: "decide", outcome: "payment_break", breakDays: "30", reason: "income_fell", note: "" }),
      ]);
      expect([a.status, b.status].sort()).toEqual([303, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.data).toMatchObject({ problem: "Someone already decided this request. Their decision is shown below; yours was not recorded." });
      expect(await staffEvents(requestId)).toHaveLength(1);
    }
  });

  test("two answers to one dispute at once: one resolution, one audit event", async () => {
    for (let round = 0; round < 10; round += 1) {
      const accountId = await newAccount({ prefix: "TEST-RD" });
      const opened = await openDispute({ borrowerId: ALEX, accountId, kind: "wrong_amount", details: null, dueOn: addDays(today(), 30) });
      if (!opened.ok) throw new Error(opened.reason);
      const results = await Promise.all([
        resolveDispute(AGENT, opened.dispute.id, { outcome: "corrected", reason: "fee_refunded", note: null }),
        resolveDispute(SUPERVISOR, opened.dispute.id, { outcome: "not_upheld", reason: "amount_verified", note: null }),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.find((r) => !r.ok)).toEqual({ ok: false, reason: "already_decided" });
      expect(await staffEvents(opened.dispute.id)).toHaveLength(1);
    }
  });
});

describe("the borrower is told", () => {
  test("the help page and the overview show the decision, its reason in plain words and the note; one email in English", async () => {
    const { accountId, requestId } = await sentRequest();
    const decided = await decideHardship(AGENT, requestId, { outcome: "declined", reason: "can_afford_payments", note: NOTE });
    expect(decided.ok).toBe(true);
    // Two passes of the sender (as `npm run jobs` runs it): one email.
    await runOutbox();
    await runOutbox();

    const jar = await signIn(await referenceOf(accountId), ALEX_DOB);
    const decision = {
      headline: "We cannot agree to the help you asked for.",
      why: "What you told us about your money shows you can keep up your payments as they are.",
      note: NOTE,
      noteTitle: "A note from Northwind Lending",
    };
    const help = await call(() => helpLoader({ request: req(`/account/${accountId}/help`, { jar }), params: { accountId }, context }));
    expect(help.data).toMatchObject({ decision: { ...decision, title: "Our answer" } });
    expect((help.data as { decision: { next: string[] } }).decision.next[0]).toMatch(/^Your payments start again now\./);
    const overview = await call(() => overviewLoader({ request: req(`/account/${accountId}`, { jar }), params: { accountId }, context }));
    expect(overview.data).toMatchObject({ hardshipDecision: decision });

    const mail = await outbox(`hardship.decided/${requestId}`);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe("Our answer to your request for help with your Northwind Lending account");
    expect(mail[0]!.text).toContain(decision.headline);
    expect(mail[0]!.text).toContain(decision.why);
    expect(mail[0]!.text).toContain("Call us any time if you want to talk it through.");
    expect(mail[0]!.text).toContain("NFCC");
  });

  test("María's payment break, decided in the console: her page and her email say it in Spanish, with the date", async () => {
    const { accountId, requestId } = await sentRequest({ borrowerId: MARIA });
    const agent = await signInStaff(STAFF.agent.email);
    const decided = await hardshipPost(agent, requestId, { intent: "decide", outcome: "payment_break", breakDays: "90", reason: "income_fell", note: "Esperamos que pronto encuentre trabajo." });
    expect(decided.status).toBe(303);

    const jar = await signIn(await referenceOf(accountId), MARIA_DOB);
    const help = await call(() => helpLoader({ request: req(`/account/${accountId}/help`, { jar, language: "es" }), params: { accountId }, context }));
    expect(help.data).toMatchObject({
      decision: {
        title: "Nuestra respuesta",
        headline: "Aceptamos una pausa en sus pagos de 90 días.",
        why: "Nos dijo que sus ingresos bajaron.",
        note: "Esperamos que pronto encuentre trabajo.",
      },
    });
    const next = (help.data as { decision: { next: string[] } }).decision.next;
    expect(next[0]).toMatch(/^No le pediremos que pague antes del \d{1,2} de [a-z]+ de \d{4}\./);

    const mail = await outbox(`hardship.decided/${requestId}`);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe("Nuestra respuesta a su solicitud de ayuda con su cuenta de Northwind Lending");
    expect(mail[0]!.text).toContain("Aceptamos una pausa en sus pagos de 90 días.");
    expect(mail[0]!.text).toContain(next[0]);
  });
  test("the review page lists the earlier contacts: the acknowledgement and the decision, each with its state", async () => {
    const { requestId } = await sentRequest({ borrowerId: MARIA });
    await runOutbox(); // the acknowledgement goes before anyone decides
    const agent = await signInStaff(STAFF.agent.email);
    expect((await hardshipPost(agent, requestId, { intent: "decide", outcome: "payment_break", breakDays: "30", reason: "income_fell", note: "" })).status).toBe(303);
    await settleOutbox();
    const page = await hardshipPage(agent, requestId);
    const { contacts } = page.data as { contacts: Array<{ what: string; stateLabel: string }> };
    expect(contacts.slice(0, 2).map((c) => [c.what, c.stateLabel])).toEqual([
      ["Hardship request decided", "Sent"],
      ["Hardship request received", "Sent"],
    ]);
  });
});

describe("disputes", () => {
  test("received → under review → answered with a reason and a note; the tracker shows them; the answer by email once, in Spanish", async () => {
    const accountId = await newAccount({ borrowerId: MARIA, prefix: "TEST-RD" });
    const opened = await openDispute({ borrowerId: MARIA, accountId, kind: "already_paid", details: "Pagué en mayo.", dueOn: addDays(today(), 30) });
    if (!opened.ok) throw new Error(opened.reason);
    const disputeId = opened.dispute.id;

    const agent = await signInStaff(STAFF.agent.email);
    expect((await disputePage(agent, disputeId)).data).toMatchObject({ status: "received", details: "Pagué en mayo." });
    expect((await disputePost(agent, disputeId, { intent: "review" })).status).toBe(303);
    expect((await disputePage(agent, disputeId)).data).toMatchObject({ status: "under_review" });

    const wrong = await disputePost(agent, disputeId, { intent: "resolve", outcome: "not_upheld", reason: "fee_refunded", note: "" });
    expect(wrong.status).toBe(400);
    expect(wrong.data).toMatchObject({ errors: { reason: "Choose a reason that fits the decision" } });

    const note = "Si tiene un estado de cuenta de mayo, envíenoslo y lo revisamos otra vez.";
    const answered = await disputePost(agent, disputeId, { intent: "resolve", outcome: "not_upheld", reason: "payment_not_found", note });
    expect(answered.status).toBe(303);
    const again = await disputePost(agent, disputeId, { intent: "resolve", outcome: "upheld", reason: "paid_in_full", note: "" });
    expect(again.status).toBe(409);
    expect((await staffEvents(disputeId)).map((e) => e.action)).toEqual(["dispute.under_review", "dispute.resolved"]);
    expect(await pauseOf(disputeId, "disputes")).toMatchObject({ lifted: true });
    expect(await trail(accountId)).not.toContain("estado de cuenta");

    const jar = await signIn(await referenceOf(accountId), MARIA_DOB);
    const tracker = await call(() => disputeLoader({ request: req(`/account/${accountId}/dispute`, { jar, language: "es" }), params: { accountId }, context }));
    expect(tracker.data).toMatchObject({
      dispute: { status: "resolved", outcome: "not_upheld" },
      answer: {
        headline: "Lo revisamos y la deuda es correcta.",
        why: "No encontramos el pago que nos mencionó. Si tiene un recibo o un estado de cuenta del banco, envíenoslo.",
        note,
      },
    });
    const overview = await call(() => overviewLoader({ request: req(`/account/${accountId}`, { jar, language: "es" }), params: { accountId }, context }));
    expect(overview.data).toMatchObject({ disputeAnswer: { headline: "Lo revisamos y la deuda es correcta.", note } });

    const mail = await outbox(`dispute.resolved/${disputeId}`);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe("Nuestra respuesta a su disputa sobre su cuenta de Northwind Lending");
    expect(mail[0]!.text).toContain(note);
    expect(mail[0]!.text).toContain("CFPB");
  });

  test("upheld: nothing more is collected, the pause stays; the borrower is told so", async () => {
    const accountId = await newAccount({ prefix: "TEST-RD" });
    const opened = await openDispute({ borrowerId: ALEX, accountId, kind: "not_mine", details: null, dueOn: addDays(today(), 30) });
    if (!opened.ok) throw new Error(opened.reason);
    expect(await resolveDispute(AGENT, opened.dispute.id, { outcome: "upheld", reason: "not_borrowers_debt", note: null })).toMatchObject({
      ok: true,
      dispute: { status: "resolved", collectionStopped: true },
    });
    expect(await pauseOf(opened.dispute.id, "disputes")).toEqual({ lifted: false, ends_on: null });
    const [dispute] = await listDisputes(ALEX, accountId);
    expect(dispute).toMatchObject({ outcome: "upheld", outcomeReason: "not_borrowers_debt", collectionStopped: true });
    const jar = await signIn(await referenceOf(accountId), ALEX_DOB);
    const tracker = await call(() => disputeLoader({ request: req(`/account/${accountId}/dispute`, { jar }), params: { accountId }, context }));
    expect(tracker.data).toMatchObject({
      answer: {
        why: "We found this debt is not yours.",
        next: ["We will not ask you to pay this account, and no automatic payments will be taken. You do not need to do anything."],
      },
    });
  });
});

describe("tell us once", () => {
  test("health notes shared with consent reach staff on later contacts, each read audited; nothing after the consent is withdrawn", async () => {
    const { accountId, requestId } = await sentRequest({ health: true });
    const before = await staffEvents(accountId);

    const notes = await getVulnerabilityNotes(AGENT, accountId);
    expect(notes).toEqual([expect.objectContaining({ requestId, accountId, note: HEALTH })]);
    const read = (await staffEvents(accountId)).slice(before.length);
    expect(read).toEqual([expect.objectContaining({ action: "staff.vulnerability_notes_viewed", actor_id: AGENT, metadata: { borrower_id: ALEX, notes: 1 } })]);
    expect(await trail(accountId)).not.toContain("hospital");

    // A later contact: a dispute on another of Alex's accounts shows that something was shared.
    const other = await newAccount({ prefix: "TEST-RD" });
    const opened = await openDispute({ borrowerId: ALEX, accountId: other, kind: "wrong_amount", details: null, dueOn: addDays(today(), 30) });
    if (!opened.ok) throw new Error(opened.reason);
    const agent = await signInStaff(STAFF.agent.email);
    const page = await disputePage(agent, opened.dispute.id);
    expect(page.data).toMatchObject({ vulnerabilityShared: true, notes: null });
    expect(await staffEvents(other)).toEqual([]);
    const shown = await disputePage(agent, opened.dispute.id, "?notes=show");
    expect(shown.data).toMatchObject({ notes: [expect.objectContaining({ note: HEALTH })] });
    expect((await staffEvents(other)).map((e) => e.action)).toEqual(["staff.vulnerability_notes_viewed"]);

    // The review of the request itself never carries the note.
    expect(JSON.stringify(await getHardshipReview(AGENT, requestId))).not.toContain("hospital");

    await withdrawHealthConsent(ALEX, requestId);
    expect(await getVulnerabilityNotes(AGENT, accountId)).toEqual([]);
    expect((await disputePage(agent, opened.dispute.id)).data).toMatchObject({ vulnerabilityShared: false });
    expect((await staffEvents(accountId)).filter((e) => e.action === "staff.vulnerability_notes_viewed").map((e) => e.metadata)).toEqual([
      { borrower_id: ALEX, notes: 1 },
      { borrower_id: ALEX, notes: 0 },
    ]);
  });
});

describe("documents", () => {
  test("staff download a request's document as an attachment with nosniff, audited; anything else is a 404", async () => {
    const { accountId, requestId } = await sentRequest();
    const added = await addRequestDocument({ borrowerId: ALEX, kind: "hardship", requestId, filename: "carta de despido.pdf", bytes: new TextEncoder().encode("%PDF-1.4\n% a letter\n") });
    if (!added.ok) throw new Error(added.reason);
    const agent = await signInStaff(STAFF.agent.email);
    expect((await hardshipPage(agent, requestId)).data).toMatchObject({ documents: [{ id: added.document.id, filename: "carta de despido.pdf" }] });

    const response = await documentLoader({ request: req(`/ops/documents/${added.document.id}`, { jar: agent }), params: { documentId: added.document.id }, context });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/pdf");
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="carta_de_despido.pdf"; filename*=UTF-8''carta%20de%20despido.pdf`);
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(await response.text()).toBe("%PDF-1.4\n% a letter\n");
    expect(await staffEvents(added.document.id)).toEqual([expect.objectContaining({ action: "document.downloaded", actor_id: AGENT, metadata: { request_id: requestId, kind: "hardship" } })]);
    expect((await trail(accountId)).includes("despido")).toBe(false);

    for (const documentId of ["00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      const missing = await call(() => documentLoader({ request: req(`/ops/documents/${documentId}`, { jar: agent }), params: { documentId }, context }));
      expect(missing.status).toBe(404);
    }
  });
});

describe("signed out", () => {
  test("every console route and action sends the browser to the console's sign-in page", async () => {
    const { requestId } = await sentRequest();
    const id = "00000000-0000-4000-8000-000000000000";
    const outcomes = await Promise.all([
      hardshipPage(undefined, requestId),
      hardshipPost(undefined, requestId, { intent: "decide", outcome: "declined", reason: "can_afford_payments" }),
      disputePage(undefined, id),
      disputePost(undefined, id, { intent: "review" }),
      call(() => documentLoader({ request: req(`/ops/documents/${id}`), params: { documentId: id }, context })),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe(302);
      expect(outcome.headers.get("Location")).toBe("/ops/sign-in");
    }
    expect(await staffEvents(requestId)).toEqual([]);
  });
});
