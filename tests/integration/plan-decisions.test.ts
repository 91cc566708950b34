/**
 * Staff decisions on plan requests (issue 8 item 3; ADR 010), through the app's wrappers and
 * supabase-js, and through the console and portal routes with real cookies:
 *
 * - four eyes: an agent cannot approve (or counter-offer) above their approval limit, by the
 *   api function directly or by a forged form on the console page; the request goes to a
 *   supervisor, and then only a supervisor or admin (not the one who sent it) approves;
 * - every decision writes exactly one audit event, with no free text in it;
 * - a second decision is refused (already_decided), also when two run at once on PostgreSQL;
 * - counter-offers: built with the domain code, accepted (consent with the exact words, an
 *   active plan), declined, expired, and refused for another borrower;
 * - the borrower's emails land in the local outbox once, in their language.
 *
 * Pending requests are made as borrowers make them: through the review page (DEMO-1001,
 * DEMO-1002) or api.agree_arrangement with a review rule (fresh accounts). Dates are in
 * America/New_York, the demo creditor's zone.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { loader as myPlanLoader } from "~/routes/account.$accountId.my-plan._index";
import { action as offerAction, loader as offerLoader } from "~/routes/account.$accountId.my-plan.offer";
import { action as reviewAction, loader as reviewLoader } from "~/routes/account.$accountId.plan.review";
import { action as opsAction, loader as opsLoader } from "~/routes/ops.requests.plan.$arrangementId";
import { runOutbox } from "~/services/email/outbox.server";
import { rpc } from "~/services/supabase/rpc.server";
import { agreeArrangement, consentHash, getAccountArrangement, type ConsentInput } from "~/utils/arrangements.server";
import { buildCounterOffer, readOfferValues } from "~/utils/plan-decision-offer";
import {
  acceptPlanOffer,
  approvePlanRequest,
  counterPlanRequest,
  declinePlanOffer,
  declinePlanRequest,
  escalatePlanRequest,
  getAccountPlanOffer,
  getPlanRequestReview,
  type DecisionResult,
  type PlanRequestReview,
} from "~/utils/plan-decisions.server";
import { ALEX, newAccount } from "../setup/accounts";
import { addDays, today } from "../setup/dates";
import { onRealPostgres, openSecondDatabase, testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { notFound } from "../setup/not-found";
import { settleOutbox, templateEmails, templateMessages } from "../setup/outbox";
import { call, context, req, signIn, type Jar } from "../setup/routes";
import { hintOf } from "../setup/rpc-errors";
import { signInStaff, STAFF } from "../setup/staff";

withLocalEmail();

const MARIA = "b0000000-0000-4000-8000-000000000002";
const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";
const DEMO_1002 = "a0000000-0000-4000-8000-000000001002";
const ALEX_DOB = { "dob.month": "4", "dob.day": "12", "dob.year": "1985" };
const MARIA_DOB = { "dob.month": "11", "dob.day": "3", "dob.year": "1979" };
const AGENT = STAFF.agent.id; // limit $2,000.00
const SUPERVISOR = STAFF.supervisor.id; // limit $10,000.00
const ADMIN = STAFF.admin.id; // limit $50,000.00

// ---------------------------------------------------------------------------------------
// Helpers

let bodies = 0;
function consent(): ConsentInput {
  const body = `Plan decision test terms ${++bodies}\nYou agree to pay as listed.`;
  return { version: "plan-terms.v1", language: "en", body, sha256: consentHash(body), ip: "203.0.113.9", userAgent: "Vitest (plan decisions)" };
}

/** A request waiting for review on a fresh account of the borrower owing `balanceMinor`. */
async function pendingRequest(balanceMinor: number, borrowerId = ALEX, firstInDays = 3): Promise<{ accountId: string; requestId: string }> {
  const accountId = await newAccount({ principal: balanceMinor, interest: 0, fees: 0, borrowerId, prefix: "TEST-PD" });
  const each = Math.floor(balanceMinor / 3);
  const t = today();
  const result = await agreeArrangement({
    borrowerId,
    accountId,
    kind: "plan",
    frequency: "monthly",
    discountBps: 0,
    balanceMinor,
    totalMinor: balanceMinor,
    installments: [
      { dueOn: addDays(t, firstInDays), amountMinor: each },
      { dueOn: addDays(t, firstInDays + 30), amountMinor: each },
      { dueOn: addDays(t, firstInDays + 60), amountMinor: balanceMinor - 2 * each },
    ],
    policyRules: ["plan_longer_than_auto_approve"],
    reviewDueOn: addDays(t, 2),
    consent: consent(),
  });
  if (!result.ok || result.status !== "pending_review") throw new Error("expected a pending request");
  return { accountId, requestId: result.arrangementId };
}

async function auditCount(): Promise<number> {
  const { rows } = await testDb().query<{ n: number }>("select count(*)::int as n from app.audit_events");
  return rows[0]!.n;
}

/** Runs the call and checks it wrote exactly one audit event; returns its result and the event. */
async function oneAuditEvent<T>(run: () => Promise<T>): Promise<{ result: T; event: AuditRow }> {
  const before = await auditCount();
  const result = await run();
  expect(await auditCount()).toBe(before + 1);
  const { rows } = await testDb().query<AuditRow>(
    "select action, actor_kind, actor_id, subject_kind, subject_id, account_id, reason_code, metadata from app.audit_events order by event_no desc limit 1",
  );
  return { result, event: rows[0]! };
}

type AuditRow = {
  action: string;
  actor_kind: string;
  actor_id: string | null;
  subject_kind: string;
  subject_id: string;
  account_id: string;
  reason_code: string | null;
  metadata: Record<string, unknown>;
};

async function requestRow(id: string) {
  const { rows } = await testDb().query<{ status: string; escalated_at: Date | null; escalated_by: string | null; decided_at: Date | null }>(
    "select status, escalated_at, escalated_by, decided_at from app.arrangements where id = $1",
    [id],
  );
  return rows[0]!;
}

async function decisionsOf(id: string) {
  const { rows } = await testDb().query<{ decision: string; staff_id: string; reason_code: string; note: string | null }>(
    "select decision, staff_id, reason_code, note from app.plan_decisions where arrangement_id = $1 order by created_at, id",
    [id],
  );
  return rows;
}

/** What the borrower was emailed for a decision (its outbox message `plan.decision/<decision id>`). */
async function emailFor(decisionId: string) {
  await settleOutbox();
  return templateEmails("plan.decision", `plan.decision/${decisionId}`);
}

function expectOk(result: DecisionResult): asserts result is Extract<DecisionResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected the decision to succeed, got ${result.reason}`);
}

/** A counter-offer of today's balance built with the domain code, as the console builds it. */
async function buildOffer(requestId: string, fields: Record<string, string>, staffId: string = AGENT) {
  const review = (await getPlanRequestReview(staffId, requestId)) as PlanRequestReview;
  const context = { balanceMinor: review.balance.totalMinor, policy: review.creditor.policy, today: review.account.today };
  const offer = buildCounterOffer(readOfferValues({ by: "count", frequency: "monthly", start: addDays(today(), 5), ...fields }), context);
  if (!offer.ok) throw new Error(`the counter-offer did not build: ${JSON.stringify(offer)}`);
  return { offer, balanceMinor: context.balanceMinor };
}

async function counterOk(requestId: string, fields: Record<string, string> = { count: "6" }, staffId: string = AGENT, note: string | null = "We can do six monthly payments.") {
  const { offer, balanceMinor } = await buildOffer(requestId, fields, staffId);
  const result = await counterPlanRequest({ staffId, arrangementId: requestId, reasonCode: "shorter_plan", note, balanceMinor, choice: offer.choice, policyRules: offer.policyRules });
  expectOk(result);
  return { result, offer };
}

/** The reasons a raw api call is refused with (bypassing the wrappers' types). */
const hint = (fn: string, args: Record<string, unknown>) => hintOf(rpc(fn, args, z.unknown()));

// ---------------------------------------------------------------------------------------

describe("four eyes: the approval limit is in the database", () => {
  test("an agent cannot approve a request above their limit; nothing changes", async () => {
    const { requestId } = await pendingRequest(250_000);
    const before = await auditCount();
    const result = await approvePlanRequest({ staffId: AGENT, arrangementId: requestId, reasonCode: "affordable", note: null });
    expect(result).toEqual({ ok: false, reason: "over_limit" });
    // Straight at the api function, with any arguments: the same answer.
    expect(await hint("approve_plan_request", { p_staff_id: AGENT, p_arrangement_id: requestId, p_reason_code: "other", p_note: "please" })).toBe("over_limit");
    expect((await requestRow(requestId)).status).toBe("pending_review");
    expect(await decisionsOf(requestId)).toEqual([]);
    expect(await auditCount()).toBe(before);
  });

  test("nor counter-offer above it", async () => {
    const { requestId } = await pendingRequest(250_000);
    const { offer, balanceMinor } = await buildOffer(requestId, { count: "6" }, SUPERVISOR);
    const result = await counterPlanRequest({
      staffId: AGENT,
      arrangementId: requestId,
      reasonCode: "shorter_plan",
      note: null,
      balanceMinor,
      choice: offer.choice,
      policyRules: offer.policyRules,
    });
    expect(result).toEqual({ ok: false, reason: "over_limit" });
    expect((await requestRow(requestId)).status).toBe("pending_review");
  });

  test("at the limit exactly, an agent approves: active, its schedule stands, one audit event", async () => {
    const { requestId, accountId } = await pendingRequest(200_000);
    const { result, event } = await oneAuditEvent(() => approvePlanRequest({ staffId: AGENT, arrangementId: requestId, reasonCode: "affordable", note: "Thank you for asking." }));
    expectOk(result);
    expect(result).toMatchObject({ decision: "approved", status: "active", arrangementId: requestId });
    expect(event).toMatchObject({
      action: "arrangement.approved",
      actor_kind: "staff",
      actor_id: AGENT,
      subject_kind: "arrangement",
      subject_id: requestId,
      account_id: accountId,
      reason_code: "affordable",
    });
    expect(event.metadata).toMatchObject({ decision_id: result.decisionId, balance_minor: 200_000, approval_limit_minor: 200_000, note_to_borrower: true });
    // The note is on the decision, never in the audit trail.
    expect(JSON.stringify(event.metadata)).not.toContain("Thank you");
    const arrangement = await getAccountArrangement(ALEX, accountId);
    expect(arrangement).toMatchObject({ status: "active" });
    expect(arrangement!.installments.map((i) => i.status)).toEqual(["scheduled", "scheduled", "scheduled"]);
    expect(await decisionsOf(requestId)).toEqual([{ decision: "approved", staff_id: AGENT, reason_code: "affordable", note: "Thank you for asking." }]);
  });

  test("escalation, then only a supervisor or admin decides, and not the one who escalated", async () => {
    const { requestId } = await pendingRequest(250_000);
    const escalated = await oneAuditEvent(() => escalatePlanRequest({ staffId: AGENT, arrangementId: requestId, reasonCode: "over_limit" }));
    expectOk(escalated.result);
    expect(escalated.event).toMatchObject({ action: "arrangement.escalated", actor_id: AGENT, reason_code: "over_limit" });
    const row = await requestRow(requestId);
    expect(row).toMatchObject({ status: "pending_review", escalated_by: AGENT });
    expect(row.escalated_at).toBeInstanceOf(Date);
    expect(await escalatePlanRequest({ staffId: SUPERVISOR, arrangementId: requestId, reasonCode: "second_opinion" })).toEqual({ ok: false, reason: "already_escalated" });

    // The agent can no longer decide it at all.
    expect(await approvePlanRequest({ staffId: AGENT, arrangementId: requestId, reasonCode: "affordable", note: null })).toEqual({ ok: false, reason: "escalated" });
    expect(await declinePlanRequest({ staffId: AGENT, arrangementId: requestId, reasonCode: "not_affordable", note: null })).toEqual({ ok: false, reason: "escalated" });

    const approved = await oneAuditEvent(() => approvePlanRequest({ staffId: SUPERVISOR, arrangementId: requestId, reasonCode: "circumstances_considered", note: null }));
    expectOk(approved.result);
    expect(approved.event.metadata).toMatchObject({ escalated: true, staff_role: "supervisor", approval_limit_minor: 1_000_000 });
    expect((await requestRow(requestId)).status).toBe("active");
  });

  test("a supervisor who asks for a second opinion does not approve it themselves; an admin does", async () => {
    const { requestId } = await pendingRequest(150_000);
    expectOk(await escalatePlanRequest({ staffId: SUPERVISOR, arrangementId: requestId, reasonCode: "second_opinion" }));
    expect(await approvePlanRequest({ staffId: SUPERVISOR, arrangementId: requestId, reasonCode: "affordable", note: null })).toEqual({ ok: false, reason: "four_eyes" });
    expectOk(await approvePlanRequest({ staffId: ADMIN, arrangementId: requestId, reasonCode: "affordable", note: null }));
  });

  test("inactive and unknown staff are refused; so are reason codes off the list and long notes", async () => {
    const { requestId } = await pendingRequest(50_000);
    const { rows } = await testDb().query<{ id: string }>(
      "insert into app.staff (email, full_name, role, approval_limit_minor, active) values ('gone.agent@example.com', 'Gone Agent', 'admin', 5000000, false) returning id",
    );
    const inactive = rows[0]!.id;
    expect(await approvePlanRequest({ staffId: inactive, arrangementId: requestId, reasonCode: "affordable", note: null })).toEqual({ ok: false, reason: "staff_forbidden" });
    expect(await declinePlanRequest({ staffId: "00000000-0000-4000-8000-000000000000", arrangementId: requestId, reasonCode: "other", note: null })).toEqual({ ok: false, reason: "staff_forbidden" });
    await notFound(getPlanRequestReview(SUPERVISOR, "00000000-0000-4000-8000-000000000000"));
    expect(await getPlanRequestReview(inactive, requestId)).toBeNull();
    expect(await hint("decline_plan_request", { p_staff_id: AGENT, p_arrangement_id: requestId, p_reason_code: "because", p_note: null })).toBe("invalid_decision");
    expect(await hint("approve_plan_request", { p_staff_id: AGENT, p_arrangement_id: requestId, p_reason_code: "not_affordable", p_note: null })).toBe("invalid_decision");
    expect(await hint("decline_plan_request", { p_staff_id: AGENT, p_arrangement_id: requestId, p_reason_code: "other", p_note: "x".repeat(1001) })).toBe("invalid_decision");
    expect(await hint("decline_plan_request", { p_staff_id: AGENT, p_arrangement_id: requestId, p_reason_code: "other", p_note: "   " })).toBe("invalid_decision");
    expect((await requestRow(requestId)).status).toBe("pending_review");
  });
});

describe("decisions", () => {
  test("decline: declined, its payments cancelled, one audit event; the note stays off the trail", async () => {
    const { requestId, accountId } = await pendingRequest(60_000);
    const { result, event } = await oneAuditEvent(() =>
      declinePlanRequest({ staffId: AGENT, arrangementId: requestId, reasonCode: "needs_more_information", note: "Please tell us about your income." }),
    );
    expectOk(result);
    expect(event).toMatchObject({ action: "arrangement.declined", reason_code: "needs_more_information", account_id: accountId });
    expect(JSON.stringify(event.metadata)).not.toContain("income");
    const arrangement = await getAccountArrangement(ALEX, accountId);
    expect(arrangement?.status).toBe("declined");
    expect(arrangement?.installments.every((i) => i.status === "cancelled")).toBe(true);
    // The borrower sees why on My plan's data.
    const planOffer = await getAccountPlanOffer(ALEX, accountId);
    expect(planOffer).toMatchObject({ offer: null, decision: { arrangementId: requestId, decision: "declined", reasonCode: "needs_more_information", note: "Please tell us about your income." } });
  });

  test("a second decision is refused: already_decided, nothing more written", async () => {
    const { requestId } = await pendingRequest(70_000);
    expectOk(await approvePlanRequest({ staffId: AGENT, arrangementId: requestId, reasonCode: "affordable", note: null }));
    const before = await auditCount();
    expect(await declinePlanRequest({ staffId: ADMIN, arrangementId: requestId, reasonCode: "other", note: null })).toEqual({ ok: false, reason: "already_decided" });
    expect(await approvePlanRequest({ staffId: ADMIN, arrangementId: requestId, reasonCode: "affordable", note: null })).toEqual({ ok: false, reason: "already_decided" });
    expect(await escalatePlanRequest({ staffId: AGENT, arrangementId: requestId, reasonCode: "second_opinion" })).toEqual({ ok: false, reason: "already_decided" });
    expect(await auditCount()).toBe(before);
    expect((await decisionsOf(requestId)).length).toBe(1);
    // The table itself keeps one final decision per request and is append-only.
    await expect(
      testDb().query("insert into app.plan_decisions (arrangement_id, account_id, staff_id, decision, reason_code, staff_role, staff_limit_minor) select id, account_id, $2, 'declined', 'other', 'admin', 0 from app.arrangements where id = $1", [
        requestId,
        ADMIN,
      ]),
    ).rejects.toMatchObject({ code: "23505" });
    await expect(testDb().query("update app.plan_decisions set reason_code = 'other' where arrangement_id = $1", [requestId])).rejects.toMatchObject({ code: "55000" });
  });

  test("a request the borrower withdrew, or that was never a request, cannot be decided", async () => {
    const { requestId, accountId } = await pendingRequest(40_000);
    const body = "I cancel.";
    await rpc(
      "cancel_arrangement",
      { p_borrower_id: ALEX, p_account_id: accountId, p_arrangement_id: requestId, p_consent: { version: "plan-change.v1", language: "en", body, sha256: consentHash(body), ip: null, user_agent: null } },
      z.unknown(),
    );
    expect(await approvePlanRequest({ staffId: AGENT, arrangementId: requestId, reasonCode: "affordable", note: null })).toEqual({ ok: false, reason: "already_decided" });
    await notFound(approvePlanRequest({ staffId: AGENT, arrangementId: "00000000-0000-4000-8000-000000000000", reasonCode: "affordable", note: null }));
  });

  test("approving needs the request's balance and dates to still hold; a counter-offer is the way then", async () => {
    const { requestId, accountId } = await pendingRequest(80_000);
    await testDb().query(
      `insert into app.ledger_entries (account_id, kind, principal_minor, amount_minor, currency, effective_on, reason_code)
       values ($1, 'payment', -1000, -1000, 'USD', current_date, 'payment_received')`,
      [accountId],
    );
    expect(await approvePlanRequest({ staffId: AGENT, arrangementId: requestId, reasonCode: "affordable", note: null })).toEqual({ ok: false, reason: "balance_changed" });
    // A counter-offer for the old balance is refused too; today's balance goes through.
    const stale = await buildOffer(requestId, { count: "4" });
    await testDb().query(
      `insert into app.ledger_entries (account_id, kind, principal_minor, amount_minor, currency, effective_on, reason_code)
       values ($1, 'payment', -500, -500, 'USD', current_date, 'payment_received')`,
      [accountId],
    );
    expect(
      await counterPlanRequest({ staffId: AGENT, arrangementId: requestId, reasonCode: "other", note: "x", balanceMinor: stale.balanceMinor, choice: stale.offer.choice, policyRules: [] }),
    ).toEqual({ ok: false, reason: "balance_changed" });
    const { offer } = await counterOk(requestId, { count: "4" });
    expect(offer.choice.totalMinor).toBe(78_500);

    const late = await pendingRequest(30_000, ALEX, 3);
    await testDb().query("update app.installments set due_on = current_date - 20, original_due_on = current_date - 20 where arrangement_id = $1 and seq = 1", [late.requestId]);
    expect(await approvePlanRequest({ staffId: AGENT, arrangementId: late.requestId, reasonCode: "affordable", note: null })).toEqual({ ok: false, reason: "schedule_started" });
  });

  test("the database re-checks a counter-offer's totals and dates", async () => {
    const { requestId } = await pendingRequest(90_000);
    const base = { p_staff_id: AGENT, p_arrangement_id: requestId, p_reason_code: "shorter_plan", p_note: null, p_frequency: "monthly", p_balance_minor: 90_000, p_policy_rules: [] };
    const d = (days: number) => addDays(today(), days);
    expect(await hint("counter_plan_request", { ...base, p_installments: [{ due_on: d(3), amount_minor: 45_000 }, { due_on: d(33), amount_minor: 44_999 }] })).toBe("invalid_offer");
    expect(await hint("counter_plan_request", { ...base, p_installments: [{ due_on: d(-1), amount_minor: 90_000 }] })).toBe("invalid_offer");
    expect(await hint("counter_plan_request", { ...base, p_installments: [{ due_on: d(30), amount_minor: 45_000 }, { due_on: d(3), amount_minor: 45_000 }] })).toBe("invalid_offer");
    expect(await hint("counter_plan_request", { ...base, p_installments: [{ due_on: d(3), amount_minor: 90_000, extra: 1 }] })).toBe("invalid_offer");
    expect(await hint("counter_plan_request", { ...base, p_frequency: "daily", p_installments: [{ due_on: d(3), amount_minor: 90_000 }] })).toBe("invalid_offer");
    expect(await hint("counter_plan_request", { ...base, p_balance_minor: 80_000, p_installments: [{ due_on: d(3), amount_minor: 80_000 }] })).toBe("balance_changed");
    expect((await requestRow(requestId)).status).toBe("pending_review");
  });

  test("the review read: account, balance, ledger, rules, schedule, decisions, income and expenditure", async () => {
    const { requestId, accountId } = await pendingRequest(120_000);
    const draft = await rpc("save_hardship_step", { p_borrower_id: ALEX, p_account_id: accountId, p_step: "reasons", p_answers: { reasons: ["job_loss"], note: null } }, z.object({ id: z.uuid() }));
    await rpc("save_hardship_step", { p_borrower_id: ALEX, p_account_id: accountId, p_step: "help", p_answers: { help: "not_sure" } }, z.unknown());
    await rpc(
      "submit_hardship_request",
      { p_borrower_id: ALEX, p_request_id: draft.id, p_monthly_income_minor: 250_000, p_monthly_outgoings_minor: 210_000, p_decision_due_on: addDays(today(), 2) },
      z.unknown(),
    );
    expectOk(await escalatePlanRequest({ staffId: AGENT, arrangementId: requestId, reasonCode: "second_opinion" }));
    const review = (await getPlanRequestReview(AGENT, requestId))!;
    expect(review.request).toMatchObject({ id: requestId, status: "pending_review", kind: "plan", balanceMinor: 120_000, policyRules: ["plan_longer_than_auto_approve"] });
    expect(review.request.escalatedBy).toMatchObject({ id: AGENT, fullName: "Priya Shah", role: "agent" });
    expect(review.request.installments).toHaveLength(3);
    expect(review.account).toMatchObject({ id: accountId, status: "open", today: today() });
    expect(review.balance).toEqual({ principalMinor: 120_000, interestMinor: 0, feesMinor: 0, totalMinor: 120_000 });
    expect(review.ledger.map((e) => e.kind)).toEqual(["principal"]);
    expect(review.decisions).toMatchObject([{ decision: "escalated", reasonCode: "second_opinion", staff: { fullName: "Priya Shah" } }]);
    expect(review.incomeExpenditure).toMatchObject({ monthlyIncomeMinor: 250_000, monthlyOutgoingsMinor: 210_000 });
    expect(review.creditor.policy.autoApproveLongestPlanMonths).toBe(18);
  });
});

describe("counter-offers", () => {
  test("a counter-offer declines the request, stores the plan with an expiry, one audit event, an email", async () => {
    const { requestId, accountId } = await pendingRequest(150_000);
    const before = await auditCount();
    const { result, offer } = await counterOk(requestId, { count: "5" });
    expect(await auditCount()).toBe(before + 1);
    expect(result).toMatchObject({ decision: "countered", status: "declined" });
    expect(result.offerExpiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 14 * 24 * 3_600_000);
    expect(offer.choice.installments).toHaveLength(5);
    const { offer: stored } = await getAccountPlanOffer(ALEX, accountId);
    expect(stored).toMatchObject({ status: "open", frequency: "monthly", totalMinor: 150_000, reasonCode: "shorter_plan", note: "We can do six monthly payments." });
    expect(stored!.installments).toEqual(offer.choice.installments);
    expect(stored!.request).toMatchObject({ kind: "plan", totalMinor: 150_000, installments: 3 });
    expect((await requestRow(requestId)).status).toBe("declined");

    // The decision queued its email; a pass of the sender (as `npm run jobs`) sends it.
    await runOutbox();
    const [email] = await emailFor(result.decisionId);
    expect(email!.to_addresses).toEqual(["alex.rivera@example.com"]);
    expect(email!.subject).toBe("Northwind Lending offers you a different plan");
    expect(email!.text).toContain(`/account/${accountId}/my-plan/offer`);
    expect(email!.text).toContain("We can do six monthly payments.");
    expect(email!.text).toContain("This plan is shorter");
  });

  test("the borrower accepts on the offer page: an active plan with their consent to the exact words", async () => {
    const { requestId, accountId } = await pendingRequest(140_000);
    await counterOk(requestId, { count: "4" });
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const page = await call(() => offerLoader({ request: req(`/account/${accountId}/my-plan/offer`, { jar }), params: { accountId }, context }));
    expect(page.status).toBe(200);
    const shown = page.data as { offer: { id: string; status: string; reasonText: string | null }; terms: { lines: string[]; sha256: string } };
    expect(shown.offer).toMatchObject({ status: "open", reasonText: "This plan is shorter, so you are clear of this debt sooner." });
    expect(shown.terms.lines.at(-1)).toBe("It starts as soon as you agree.");

    const post = (form: Record<string, string>) => call(() => offerAction({ request: req(`/account/${accountId}/my-plan/offer`, { method: "POST", form, jar, userAgent: "Vitest" }), params: { accountId }, context }));
    // A changed hash is refused before anything is stored.
    expect((await post({ intent: "accept", offer: shown.offer.id, terms: "0".repeat(64) })).status).toBe(400);

    const before = await auditCount();
    const accepted = await post({ intent: "accept", offer: shown.offer.id, terms: shown.terms.sha256 });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("Location")).toBe(`/account/${accountId}/my-plan?agreed=1&emailed=1`);
    expect(await auditCount()).toBe(before + 1);

    const arrangement = await getAccountArrangement(ALEX, accountId);
    expect(arrangement).toMatchObject({ status: "active", kind: "plan", totalMinor: 140_000, policyRules: [] });
    expect(arrangement!.installments).toHaveLength(4);
    expect(arrangement!.terms.body).toBe(shown.terms.lines.join("\n"));
    const { rows: consents } = await testDb().query<{ kind: string; text_sha256: string; user_agent: string }>(
      "select k.kind, k.text_sha256, k.user_agent from app.consents k join app.arrangements r on r.consent_id = k.id where r.id = $1",
      [arrangement!.id],
    );
    expect(consents).toEqual([{ kind: "plan_agreement", text_sha256: shown.terms.sha256, user_agent: "Vitest" }]);
    const { rows: events } = await testDb().query<AuditRow>("select action, actor_kind, subject_kind, metadata from app.audit_events order by event_no desc limit 1");
    expect(events[0]).toMatchObject({ action: "plan_offer.accepted", actor_kind: "borrower", subject_kind: "plan_offer" });
    expect(events[0]!.metadata).toMatchObject({ arrangement_id: arrangement!.id, request_id: requestId });
    // The written confirmation of the new plan: queued with the acceptance (one message,
    // keyed by the new arrangement), sent by the nudged pass with the exact words accepted.
    const confirmation = `plan.confirmation/${arrangement!.id}`;
    expect(await templateMessages("plan.confirmation", confirmation)).toEqual([
      expect.objectContaining({ category: "requested", account_id: accountId, params: { arrangement_id: arrangement!.id } }),
    ]);
    await settleOutbox();
    const mails = await templateEmails("plan.confirmation", confirmation);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to_addresses: ["alex.rivera@example.com"], subject: "Your payment plan with Northwind Lending" });
    for (const line of shown.terms.lines) expect(mails[0]!.text).toContain(line);
    expect(mails[0]!.text).not.toContain("We will reply");

    // Answered once: a replay lands on My plan, the api says offer_closed; still one message.
    expect((await post({ intent: "accept", offer: shown.offer.id, terms: shown.terms.sha256 })).status).toBe(303);
    expect(await acceptPlanOffer({ borrowerId: ALEX, accountId, offerId: shown.offer.id, consent: consent() })).toEqual({ ok: false, reason: "offer_closed" });
    await settleOutbox();
    expect(await templateMessages("plan.confirmation", confirmation)).toHaveLength(1);
    expect(await templateEmails("plan.confirmation", confirmation)).toHaveLength(1);
  });

  test("the borrower declines: it ends, nothing else changes, one audit event; My plan says so", async () => {
    const { requestId, accountId } = await pendingRequest(65_000);
    await counterOk(requestId, { count: "3" });
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const myPlan = await call(() => myPlanLoader({ request: req(`/account/${accountId}/my-plan`, { jar }), params: { accountId }, context }));
    expect((myPlan.data as { openOffer: unknown }).openOffer).not.toBeNull();
    const { offer } = await getAccountPlanOffer(ALEX, accountId);
    const before = await auditCount();
    const declined = await call(() =>
      offerAction({ request: req(`/account/${accountId}/my-plan/offer`, { method: "POST", form: { intent: "decline", offer: offer!.id }, jar }), params: { accountId }, context }),
    );
    expect(declined.status).toBe(303);
    expect(declined.headers.get("Location")).toBe(`/account/${accountId}/my-plan?offer=declined`);
    expect(await auditCount()).toBe(before + 1);
    expect((await getAccountPlanOffer(ALEX, accountId)).offer?.status).toBe("declined");
    expect((await getAccountArrangement(ALEX, accountId))?.status).toBe("declined");
    expect(await declinePlanOffer({ borrowerId: ALEX, accountId, offerId: offer!.id })).toEqual({ ok: false, reason: "offer_closed" });
    const after = await call(() => myPlanLoader({ request: req(`/account/${accountId}/my-plan?offer=declined`, { jar }), params: { accountId }, context }));
    expect(after.data).toMatchObject({ done: "offerDeclined", openOffer: null });
  });

  test("an expired offer cannot be accepted or declined; the page says it ended", async () => {
    const { requestId, accountId } = await pendingRequest(55_000);
    await counterOk(requestId, { count: "2" });
    await testDb().query("update app.plan_offers set created_at = now() - interval '15 days', expires_at = now() - interval '1 day' where request_id = $1", [requestId]);
    const { offer } = await getAccountPlanOffer(ALEX, accountId);
    expect(offer?.status).toBe("expired");
    expect(await acceptPlanOffer({ borrowerId: ALEX, accountId, offerId: offer!.id, consent: consent() })).toEqual({ ok: false, reason: "offer_expired" });
    expect(await declinePlanOffer({ borrowerId: ALEX, accountId, offerId: offer!.id })).toEqual({ ok: false, reason: "offer_expired" });
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const page = await call(() => offerLoader({ request: req(`/account/${accountId}/my-plan/offer`, { jar }), params: { accountId }, context }));
    expect(page.data).toMatchObject({ offer: { status: "expired" }, terms: null });
    const posted = await call(() =>
      offerAction({ request: req(`/account/${accountId}/my-plan/offer`, { method: "POST", form: { intent: "accept", offer: offer!.id, terms: "a".repeat(64) }, jar }), params: { accountId }, context }),
    );
    expect(posted.status).toBe(409);
    expect((await getAccountArrangement(ALEX, accountId))?.status).toBe("declined");
  });

  test("another borrower's offer is not found: by the api, and by the page with a forged id", async () => {
    const alex = await pendingRequest(45_000);
    await counterOk(alex.requestId, { count: "3" });
    const { offer } = await getAccountPlanOffer(ALEX, alex.accountId);
    await notFound(acceptPlanOffer({ borrowerId: MARIA, accountId: alex.accountId, offerId: offer!.id, consent: consent() }));
    await notFound(declinePlanOffer({ borrowerId: MARIA, accountId: alex.accountId, offerId: offer!.id }));
    await notFound(getAccountPlanOffer(MARIA, alex.accountId));

    const maria = await pendingRequest(45_000, MARIA);
    await counterOk(maria.requestId, { count: "3" });
    const jar = await signIn("DEMO-1002", MARIA_DOB);
    // Her own account's page, with Alex's offer id in the form.
    const forged = await call(() =>
      offerAction({
        request: req(`/account/${maria.accountId}/my-plan/offer`, { method: "POST", form: { intent: "decline", offer: offer!.id }, jar }),
        params: { accountId: maria.accountId },
        context,
      }),
    );
    expect(forged.status).toBe(404);
    // Alex's account's page.
    const theirs = await call(() => offerLoader({ request: req(`/account/${alex.accountId}/my-plan/offer`, { jar }), params: { accountId: alex.accountId }, context }));
    expect(theirs.status).toBe(404);
    expect((await getAccountPlanOffer(ALEX, alex.accountId)).offer?.status).toBe("open");
  });
});

describe("emails to the borrower", () => {
  test("approved and declined, once each, in the borrower's language; an escalation sends nothing", async () => {
    const maria = await pendingRequest(75_000, MARIA);
    const escalated = await escalatePlanRequest({ staffId: AGENT, arrangementId: maria.requestId, reasonCode: "second_opinion" });
    expectOk(escalated);
    expect(await templateMessages("plan.decision", `plan.decision/${escalated.decisionId}`)).toEqual([]);
    const approved = await approvePlanRequest({ staffId: SUPERVISOR, arrangementId: maria.requestId, reasonCode: "affordable", note: "Gracias por escribirnos." });
    expectOk(approved);
    expect(await templateMessages("plan.decision", `plan.decision/${approved.decisionId}`)).toHaveLength(1);
    await runOutbox();
    await runOutbox();
    const mails = await emailFor(approved.decisionId);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to_addresses).toEqual(["maria.lopez@example.net"]);
    expect(mails[0]!.subject).toBe("Northwind Lending aceptó su solicitud");
    expect(mails[0]!.html).toContain('lang="es"');
    expect(mails[0]!.text).toContain("Gracias por escribirnos.");
    expect(mails[0]!.text).toContain(`/account/${maria.accountId}/my-plan`);

    const alex = await pendingRequest(35_000);
    const declined = await declinePlanRequest({ staffId: AGENT, arrangementId: alex.requestId, reasonCode: "not_affordable", note: null });
    expectOk(declined);
    await runOutbox();
    const [mail] = await emailFor(declined.decisionId);
    expect(mail!.subject).toBe("About your request to Northwind Lending");
    expect(mail!.text).toContain("we do not think these payments would work for you");
    expect(mail!.text).toContain(`/account/${alex.accountId}/plan`);
    expect(mail!.text).toContain(`/account/${alex.accountId}/help`);
    expect(mail!.text).toContain("NFCC");
  });
});

// ---------------------------------------------------------------------------------------
// The console and the portal, end to end through the routes

describe("through the routes: a borrower asks, staff decide, the borrower sees it", () => {
  let alexJar: Jar;
  let mariaJar: Jar;
  let agentJar: Jar;
  let supervisorJar: Jar;
  let adminJar: Jar;
  let alexRequest: string;
  let mariaRequest: string;

  /** The borrower asks for a plan longer than 18 months on the review page: pending review. */
  async function askForLongPlan(jar: Jar, accountId: string, amount: string): Promise<string> {
    const choice = { kind: "plan", by: "amount", amount, count: "", frequency: "monthly", start: addDays(today(), 7), payments: "1" };
    const base = `/account/${accountId}`;
    const shown = await call(() => reviewLoader({ request: req(`${base}/plan/review?${new URLSearchParams(choice).toString()}`, { jar }), params: { accountId }, context }));
    expect(shown.status).toBe(200);
    const { terms, reviewDueOn } = shown.data as { terms: { sha256: string }; reviewDueOn: string | null };
    expect(reviewDueOn).not.toBeNull();
    const agreed = await call(() => reviewAction({ request: req(`${base}/plan/review`, { method: "POST", form: { ...choice, terms: terms.sha256 }, jar }), params: { accountId }, context }));
    expect(agreed.status).toBe(303);
    const arrangement = await getAccountArrangement(jar === alexJar ? ALEX : MARIA, accountId);
    expect(arrangement?.status).toBe("pending_review");
    return arrangement!.id;
  }

  const page = (jar: Jar, id: string, search = "") => call(() => opsLoader({ request: req(`/ops/requests/plan/${id}${search}`, { jar }), params: { arrangementId: id }, context }));
  const decide = (jar: Jar, id: string, form: Record<string, string>) =>
    call(() => opsAction({ request: req(`/ops/requests/plan/${id}`, { method: "POST", form, jar }), params: { arrangementId: id }, context }));

  beforeAll(async () => {
    [alexJar, mariaJar, agentJar, supervisorJar, adminJar] = await Promise.all([
      signIn("DEMO-1001", ALEX_DOB),
      signIn("DEMO-1002", MARIA_DOB),
      signInStaff(STAFF.agent.email),
      signInStaff(STAFF.supervisor.email),
      signInStaff(STAFF.admin.email),
    ]);
    alexRequest = await askForLongPlan(alexJar, DEMO_1001, "60"); // $1,240.50: within the agent's $2,000
    mariaRequest = await askForLongPlan(mariaJar, DEMO_1002, "120"); // $2,663.38: above it
  });

  test("signed out, the console page sends to sign-in; an unknown id is 404", async () => {
    const out = await call(() => opsLoader({ request: req(`/ops/requests/plan/${alexRequest}`), params: { arrangementId: alexRequest }, context }));
    expect(out.status).toBe(302);
    expect(out.headers.get("Location")).toMatch(/^\/ops\/sign-in/);
    expect((await page(agentJar, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await page(agentJar, "not-a-uuid")).status).toBe(404);
  });

  test("above the agent's limit, the page offers 'Send to a supervisor', and a forged approve is 403", async () => {
    const shown = await page(agentJar, mariaRequest);
    expect(shown.status).toBe(200);
    expect(shown.data).toMatchObject({ pending: true, staff: { authority: "over_limit", canDecide: true } });
    expect((shown.data as { rules: string[] }).rules[0]).toMatch(/more than 18 months/);
    const before = await auditCount();
    const forged = await decide(agentJar, mariaRequest, { intent: "approve", reason: "affordable", note: "" });
    expect(forged.status).toBe(403);
    expect((forged.data as { problem: string }).problem).toBe("This is above your approval limit of $2,000.00. Send it to a supervisor.");
    // A forged counter-offer too.
    const counter = await decide(agentJar, mariaRequest, { intent: "counter", reason: "shorter_plan", note: "", by: "count", count: "10", amount: "", frequency: "monthly", start: addDays(today(), 5) });
    expect(counter.status).toBe(403);
    expect(await auditCount()).toBe(before);
    expect((await requestRow(mariaRequest)).status).toBe("pending_review");
  });

  test("bad forms are 400, never 500", async () => {
    const forms: Array<Record<string, string>> = [{}, { intent: "approve" }, { intent: "approve", reason: "nonsense" }, { intent: "decline", reason: "other", note: "x".repeat(1001) }, { intent: "escalate", reason: "affordable" }, { intent: "delete" }];
    for (const form of forms) {
      expect((await decide(agentJar, alexRequest, form)).status).toBe(400);
    }
    const counter = await decide(agentJar, alexRequest, { intent: "counter", reason: "shorter_plan", by: "count", count: "abc", frequency: "monthly", start: addDays(today(), 5) });
    expect(counter.status).toBe(400);
    expect((await requestRow(alexRequest)).status).toBe("pending_review");
  });

  test("'Preview' without JavaScript renders the counter-offer from the posted fields and stores nothing", async () => {
    const before = await auditCount();
    const previewed = await decide(agentJar, alexRequest, { intent: "preview", by: "count", count: "6", amount: "", frequency: "monthly", start: addDays(today(), 5), reason: "", note: "" });
    expect(previewed.status).toBe(200);
    expect(previewed.data).toMatchObject({ values: { by: "count", count: "6" } });
    expect(await auditCount()).toBe(before);
  });

  test("the agent sends it to a supervisor; the supervisor approves; Maria is told in Spanish", async () => {
    const escalated = await decide(agentJar, mariaRequest, { intent: "escalate", reason: "over_limit" });
    expect(escalated.status).toBe(303);
    expect(escalated.headers.get("Location")).toBe(`/ops/requests/plan/${mariaRequest}?done=escalated&emailed=0`);
    const waiting = await page(agentJar, mariaRequest);
    expect(waiting.data).toMatchObject({ staff: { canDecide: false } });
    expect((waiting.data as { escalatedText: string }).escalatedText).toMatch(/^Sent to a supervisor by Priya Shah/);

    const supervisorView = await page(supervisorJar, mariaRequest);
    expect(supervisorView.data).toMatchObject({ staff: { authority: "ok", canDecide: true } });
    const approved = await decide(supervisorJar, mariaRequest, { intent: "approve", reason: "circumstances_considered", note: "Gracias por avisarnos." });
    expect(approved.status).toBe(303);
    expect(approved.headers.get("Location")).toBe(`/ops/requests/plan/${mariaRequest}?done=approved&emailed=1`);
    const confirmed = await page(supervisorJar, mariaRequest, "?done=approved&emailed=1");
    expect(confirmed.data).toMatchObject({ pending: false, done: { title: "Approved. The plan is active.", email: "The borrower was emailed in Spanish." } });

    // Someone else, a moment later: told who decided first.
    const late = await decide(adminJar, mariaRequest, { intent: "decline", reason: "other", note: "" });
    expect(late.status).toBe(409);
    expect((late.data as { problem: string }).problem).toBe("This request was already decided by Daniel Brooks: Approved.");

    const myPlan = await call(() => myPlanLoader({ request: req(`/account/${DEMO_1002}/my-plan`, { jar: mariaJar }), params: { accountId: DEMO_1002 }, context }));
    expect(myPlan.data).toMatchObject({ arrangement: { status: "active" } });
    await settleOutbox();
    const { rows } = await testDb().query<{ subject: string }>(
      `select e.subject from app.local_sent_emails e
         join app.outbound_messages m on e.idempotency_key = 'outbox/' || m.id
         join app.plan_decisions d on m.dedupe_key = 'plan.decision/' || d.id
        where d.arrangement_id = $1`,
      [mariaRequest],
    );
    expect(rows).toEqual([{ subject: "Northwind Lending aceptó su solicitud" }]);
    // The review page lists it among the earlier contacts.
    const after = await page(supervisorJar, mariaRequest);
    expect((after.data as { contacts: Array<{ what: string; stateLabel: string }> }).contacts[0]).toMatchObject({ what: "Plan decision", stateLabel: "Sent" });
  });

  test("the agent counter-offers within their limit; Alex sees it on My plan and accepts it", async () => {
    const shown = await page(agentJar, alexRequest);
    expect(shown.data).toMatchObject({ staff: { authority: "ok", counterAuthority: "ok" } });
    const countered = await decide(agentJar, alexRequest, {
      intent: "counter",
      reason: "shorter_plan",
      note: "Twelve payments gets this done sooner.",
      by: "count",
      count: "12",
      amount: "",
      frequency: "monthly",
      start: addDays(today(), 5),
    });
    expect(countered.status).toBe(303);
    expect(countered.headers.get("Location")).toBe(`/ops/requests/plan/${alexRequest}?done=countered&emailed=1`);
    const after = await page(agentJar, alexRequest, "?done=countered&emailed=1");
    expect((after.data as { done: { title: string } }).done.title).toMatch(/^Counter-offer sent\. It is open until /);

    const myPlan = await call(() => myPlanLoader({ request: req(`/account/${DEMO_1001}/my-plan`, { jar: alexJar }), params: { accountId: DEMO_1001 }, context }));
    expect(myPlan.data).toMatchObject({ arrangement: { status: "declined" }, decision: null });
    expect((myPlan.data as { openOffer: { openUntil: string } | null }).openOffer?.openUntil).toBeTruthy();

    const offerPage = await call(() => offerLoader({ request: req(`/account/${DEMO_1001}/my-plan/offer`, { jar: alexJar }), params: { accountId: DEMO_1001 }, context }));
    const offer = offerPage.data as { offer: { id: string; installments: unknown[]; note: string }; terms: { sha256: string } };
    expect(offer.offer.installments).toHaveLength(12);
    expect(offer.offer.note).toBe("Twelve payments gets this done sooner.");
    const accepted = await call(() =>
      offerAction({
        request: req(`/account/${DEMO_1001}/my-plan/offer`, { method: "POST", form: { intent: "accept", offer: offer.offer.id, terms: offer.terms.sha256 }, jar: alexJar }),
        params: { accountId: DEMO_1001 },
        context,
      }),
    );
    expect(accepted.status).toBe(303);
    const plan = await getAccountArrangement(ALEX, DEMO_1001);
    expect(plan).toMatchObject({ status: "active", totalMinor: 124_050 });
    expect(plan!.installments).toHaveLength(12);
  });
});

describe.runIf(onRealPostgres())("two decisions at once (real PostgreSQL)", () => {
  /** Waits until `count` sessions of this database wait for a lock. */
  async function waitForLockWaiters(count: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const { rows } = await testDb().query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
      if (rows[0]!.n >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`expected ${count} sessions waiting for a lock`);
  }

  test("the second of two concurrent decisions is told it was already decided", async () => {
    const { requestId } = await pendingRequest(100_000);
    const before = await auditCount();
    // Hold the request's row so both decisions are in flight together, then let go.
    const blocker = openSecondDatabase();
    let decisions: Array<Promise<DecisionResult>> = [];
    try {
      await blocker.transaction(async (tx) => {
        await tx.query("select id from app.arrangements where id = $1 for update", [requestId]);
        decisions = [
          approvePlanRequest({ staffId: SUPERVISOR, arrangementId: requestId, reasonCode: "affordable", note: null }),
          declinePlanRequest({ staffId: ADMIN, arrangementId: requestId, reasonCode: "not_affordable", note: null }),
        ];
        await waitForLockWaiters(2);
      });
    } finally {
      await blocker.close();
    }
    const results = await Promise.all(decisions);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: "already_decided" }]);
    expect(await decisionsOf(requestId)).toHaveLength(1);
    expect(await auditCount()).toBe(before + 1);
  });

  test("many requests, two deciders each, all at once: one decision per request", async () => {
    const requests = await Promise.all(Array.from({ length: 8 }, (_, i) => pendingRequest(20_000 + i * 100)));
    const before = await auditCount();
    const results = await Promise.all(
      requests.flatMap(({ requestId }) => [
        approvePlanRequest({ staffId: SUPERVISOR, arrangementId: requestId, reasonCode: "affordable", note: null }),
        declinePlanRequest({ staffId: ADMIN, arrangementId: requestId, reasonCode: "other", note: null }),
      ]),
    );
    const decided = results.filter((r) => r.ok);
    expect(decided).toHaveLength(requests.length);
    expect(results.filter((r) => !r.ok && r.reason === "already_decided")).toHaveLength(requests.length);
    expect(await auditCount()).toBe(before + requests.length);
  });
});
