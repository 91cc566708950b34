/**
 * Hardship requests and disputes in the database (issue 7 items 1-4, ADR 007) through the
 * app's wrappers and supabase-js: a draft saved step by step and resumed; bad answers
 * refused with nothing stored; health details only with their own consent, erased when it is
 * withdrawn, never copied into the audit trail; one submit (replays answer with the same
 * request) that pauses collection; the sweep skips a paused account; lifting a pause moves
 * the plan's payments that fell due during it; ended pauses and overdue requests in the
 * background; disputes opened, replayed, reviewed and resolved; another borrower refused.
 */
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { rpc } from "~/services/supabase/rpc.server";
import { runSweep } from "~/utils/automatic-charges.server";
import { consentHash } from "~/utils/consent.server";
import {
  escalateOverdueHardship,
  getHardshipRequest,
  liftEndedPauses,
  listDisputes,
  openDispute,
  saveHardshipStep,
  submitHardshipRequest,
  withdrawHardshipRequest,
  withdrawHealthConsent,
} from "~/utils/hardship.server";
import { ALEX, newAccount } from "../setup/accounts";
import { autopayPlan } from "../setup/autopay";
import { addDays, today } from "../setup/dates";
import { testDb } from "../setup/db";
import { withEnv, withLocalEmail } from "../setup/env";
import { notFound } from "../setup/not-found";
import { hintOf } from "../setup/rpc-errors";

withEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined });
withLocalEmail();

const MARIA = "b0000000-0000-4000-8000-000000000002";
const inAWeek = () => addDays(today(), 7);

const healthConsent = (body = "You agree that we keep what you told us about your health, to take it into account.") => ({
  version: "health-data.v1",
  language: "en" as const,
  body,
  sha256: consentHash(body),
  ip: "203.0.113.7",
  userAgent: "Vitest/3 (hardship)",
});

async function staffId(): Promise<string> {
  const { rows } = await testDb().query<{ id: string }>("select id from app.staff where role = 'agent' order by email limit 1");
  return rows[0]!.id;
}

async function openPauses(accountId: string) {
  const { rows } = await testDb().query<{ id: string; reason: string }>(
    "select id, reason from app.collection_pauses where account_id = $1 and lifted_at is null order by created_at",
    [accountId],
  );
  return rows;
}

async function audits(accountId: string) {
  const { rows } = await testDb().query<{ action: string; reason_code: string | null; metadata: Record<string, unknown> }>(
    "select action, reason_code, metadata from app.audit_events where account_id = $1 order by event_no",
    [accountId],
  );
  return rows;
}

/** A draft with what happened and the help asked for: ready to send. */
async function readyDraft(accountId: string) {
  const reasons = await saveHardshipStep(ALEX, accountId, { step: "reasons", reasons: ["job_loss"], note: "I lost my job in October." });
  expect(reasons.ok).toBe(true);
  const help = await saveHardshipStep(ALEX, accountId, { step: "help", help: "payment_break", breakDays: 60 });
  if (!help.ok) throw new Error(help.reason);
  return help.request;
}

describe("a hardship request, step by step", () => {
  test("each step is saved to one draft, which comes back where the borrower stopped", async () => {
    const account = await newAccount({ prefix: "TEST-HS" });
    expect(await getHardshipRequest(ALEX, account)).toBeNull();
    const first = await saveHardshipStep(ALEX, account, { step: "reasons", reasons: ["illness", "job_loss", "illness"], note: "  " });
    expect(first).toMatchObject({ ok: true, request: { status: "draft", reasons: ["illness", "job_loss"], reasonNote: null, stepsDone: ["reasons"] } });
    await saveHardshipStep(ALEX, account, {
      step: "income",
      lines: [
        { category: "earnings", amountMinor: 40_000, frequency: "weekly" },
        { category: "benefits", amountMinor: 0, frequency: "monthly" },
      ],
    });
    await saveHardshipStep(ALEX, account, { step: "fixed", lines: [{ category: "home_and_contents", amountMinor: 95_000, frequency: "monthly" }] });
    // Saving a step again replaces that step's lines only.
    const again = await saveHardshipStep(ALEX, account, { step: "income", lines: [{ category: "earnings", amountMinor: 80_000, frequency: "fortnightly" }] });
    if (!again.ok) throw new Error(again.reason);
    expect(again.request.ieLines).toEqual([
      { category: "home_and_contents", amountMinor: 95_000, frequency: "monthly" },
      { category: "earnings", amountMinor: 80_000, frequency: "fortnightly" },
    ]);
    expect(again.request.stepsDone).toEqual(["fixed", "income", "reasons"]);
    const resumed = await getHardshipRequest(ALEX, account);
    expect(resumed).toMatchObject({ id: again.request.id, status: "draft", help: null });
    expect((await audits(account)).map((a) => a.action)).toEqual(["hardship.started"]);
  });

  test("answers the database would not store are refused, and nothing is written", async () => {
    const account = await newAccount({ prefix: "TEST-HS" });
    const bad = [
      saveHardshipStep(ALEX, account, { step: "reasons", reasons: [], note: null }),
      saveHardshipStep(ALEX, account, { step: "reasons", reasons: ["lottery" as never], note: null }),
      saveHardshipStep(ALEX, account, { step: "income", lines: [{ category: "water", amountMinor: 100, frequency: "monthly" }] }),
      saveHardshipStep(ALEX, account, { step: "fixed", lines: [{ category: "water", amountMinor: -1, frequency: "monthly" }] }),
      saveHardshipStep(ALEX, account, { step: "fixed", lines: [{ category: "water", amountMinor: 1_000_000_001, frequency: "monthly" }] }),
      saveHardshipStep(ALEX, account, {
        step: "fixed",
        lines: [
          { category: "water", amountMinor: 100, frequency: "monthly" },
          { category: "water", amountMinor: 200, frequency: "weekly" },
        ],
      }),
      saveHardshipStep(ALEX, account, { step: "fixed", lines: [{ category: "water", amountMinor: 100, frequency: "daily" as never }] }),
      saveHardshipStep(ALEX, account, { step: "help", help: "payment_break", breakDays: 45 as never }),
      saveHardshipStep(ALEX, account, { step: "help", help: "lower_payments", proposedMonthlyMinor: 0 }),
    ];
    for (const result of await Promise.all(bad.map((p) => p.catch((e: unknown) => e)))) expect(result).toEqual({ ok: false, reason: "invalid_step" });
    expect(await getHardshipRequest(ALEX, account)).toBeNull();
    expect(await audits(account)).toEqual([]);
  });

  test("another borrower can neither read nor write it", async () => {
    const account = await newAccount({ prefix: "TEST-HS" });
    const draft = await readyDraft(account);
    await notFound(getHardshipRequest(MARIA, account));
    await notFound(saveHardshipStep(MARIA, account, { step: "reasons", reasons: ["other"], note: null }));
    await notFound(withdrawHealthConsent(MARIA, draft.id));
    await notFound(withdrawHardshipRequest(MARIA, draft.id));
    await notFound(submitHardshipRequest({ borrowerId: MARIA, requestId: draft.id, monthlyIncomeMinor: 0, monthlyOutgoingsMinor: 0, decisionDueOn: inAWeek() }));
    await notFound(getHardshipRequest(ALEX, "not-an-id"));
    expect(await getHardshipRequest(ALEX, account)).toMatchObject({ status: "draft", reasons: ["job_loss"] });
  });
});

describe("health details", () => {
  test("are stored only with their own consent, never copied into the audit trail, and erased when withdrawn", async () => {
    const account = await newAccount({ prefix: "TEST-HS" });
    const note = "I have been in hospital since September.";
    expect(await saveHardshipStep(ALEX, account, { step: "health", note, consent: null })).toEqual({ ok: false, reason: "invalid_consent" });
    expect(await getHardshipRequest(ALEX, account)).toBeNull();
    const tampered = { ...healthConsent(), sha256: consentHash("other words") };
    expect(await saveHardshipStep(ALEX, account, { step: "health", note, consent: tampered })).toEqual({ ok: false, reason: "consent_hash_mismatch" });

    const saved = await saveHardshipStep(ALEX, account, { step: "health", note, consent: healthConsent() });
    expect(saved).toMatchObject({ ok: true, request: { healthNote: note, healthShared: true } });
    if (!saved.ok) throw new Error("unreachable");
    const withdrawn = await withdrawHealthConsent(ALEX, saved.request.id);
    expect(withdrawn).toMatchObject({ healthNote: null, healthShared: false });

    const { rows: consents } = await testDb().query<{ kind: string; action: string }>(
      "select kind, action from app.consents where account_id = $1 order by created_at",
      [account],
    );
    expect(consents).toEqual([
      { kind: "health_data", action: "granted" },
      { kind: "health_data", action: "withdrawn" },
    ]);
    const { rows: stored } = await testDb().query<{ n: number }>("select count(*)::int as n from app.hardship_requests where health_note is not null and account_id = $1", [account]);
    expect(stored[0]!.n).toBe(0);
    const trail = await audits(account);
    expect(trail.map((a) => a.action)).toEqual(["hardship.started", "consent.granted", "consent.withdrawn"]);
    expect(JSON.stringify(trail)).not.toContain("hospital");
  });
});

describe("sending it", () => {
  test("needs what happened and the help asked for; then one request, one pause, however often it is sent", async () => {
    const account = await newAccount({ prefix: "TEST-HS" });
    await saveHardshipStep(ALEX, account, { step: "reasons", reasons: ["caring"], note: null });
    const draft = (await getHardshipRequest(ALEX, account))!;
    const submit = () =>
      submitHardshipRequest({ borrowerId: ALEX, requestId: draft.id, monthlyIncomeMinor: 120_000, monthlyOutgoingsMinor: 135_000, decisionDueOn: inAWeek() });
    expect(await submit()).toEqual({ ok: false, reason: "request_incomplete" });
    expect(await openPauses(account)).toEqual([]);

    await saveHardshipStep(ALEX, account, { step: "help", help: "lower_payments", proposedMonthlyMinor: 2_500 });
    const results = await Promise.all([submit(), submit(), submit()]);
    expect(results.map((r) => r.ok && r.outcome).sort()).toEqual(["duplicate", "duplicate", "submitted"]);
    expect(await openPauses(account)).toEqual([expect.objectContaining({ reason: "hardship" })]);
    expect(await getHardshipRequest(ALEX, account)).toMatchObject({ status: "submitted", help: "lower_payments", proposedMonthlyMinor: 2_500, paused: true, monthlyOutgoingsMinor: 135_000 });
    expect((await audits(account)).filter((a) => a.action === "hardship.submitted")).toHaveLength(1);
    expect(await saveHardshipStep(ALEX, account, { step: "reasons", reasons: ["other"], note: null })).toEqual({ ok: false, reason: "request_not_draft" });
  });

  test("a decision due in the past or months away is refused", async () => {
    const account = await newAccount({ prefix: "TEST-HS" });
    const draft = await readyDraft(account);
    for (const decisionDueOn of [addDays(today(), -1), addDays(today(), 60)]) {
      expect(await submitHardshipRequest({ borrowerId: ALEX, requestId: draft.id, monthlyIncomeMinor: 0, monthlyOutgoingsMinor: 0, decisionDueOn })).toEqual({
        ok: false,
        reason: "invalid_step",
      });
    }
  });
});

describe("collection pauses", () => {
  test("the sweep skips a paused account; the decision lifts the pause and moves the payments that fell due during it", async () => {
    const plan = await autopayPlan();
    const first = plan.installments[0]!;
    await readyDraft(plan.accountId);
    const request = (await getHardshipRequest(ALEX, plan.accountId))!;
    const sent = await submitHardshipRequest({ borrowerId: ALEX, requestId: request.id, monthlyIncomeMinor: 0, monthlyOutgoingsMinor: 0, decisionDueOn: inAWeek() });
    expect(sent).toMatchObject({ ok: true, outcome: "submitted" });

    await runSweep({ today: first.dueOn });
    const { rows: charges } = await testDb().query<{ n: number }>(
      "select count(*)::int as n from app.payments where account_id = $1 and origin = 'automatic'",
      [plan.accountId],
    );
    expect(charges[0]!.n).toBe(0);

    // The pause started 10 days ago (as if the request had waited that long).
    await testDb().query("update app.collection_pauses set starts_at = now() - interval '10 days' where account_id = $1", [plan.accountId]);
    // The old decision function (no reason code, no limits) now refuses (ADR 011).
    expect(await hintOf(rpc("decide_hardship_request", { p_staff_id: await staffId(), p_request_id: request.id, p_outcome: "declined" }, z.unknown()))).toBe("reason_required");
    const staff = await staffId();
    const decide = () => rpc("staff_decide_hardship", { p_staff_id: staff, p_request_id: request.id, p_outcome: "declined", p_reason: "can_afford_payments" }, z.unknown());
    expect(await decide()).toMatchObject({ status: "decided", outcome: "declined", decision_reason: "can_afford_payments", paused: false });
    expect(await hintOf(decide())).toBe("already_decided");

    const { rows: moved } = await testDb().query<{ due_on: string; paused_days: number }>(
      "select to_char(due_on, 'YYYY-MM-DD') as due_on, paused_days from app.installments where arrangement_id = $1 order by seq",
      [plan.arrangementId],
    );
    expect(moved).toEqual(plan.installments.map((i) => ({ due_on: addDays(i.dueOn, 10), paused_days: 10 })));
    expect((await audits(plan.accountId)).find((a) => a.action === "collection.resumed")).toMatchObject({ metadata: { paused_days: 10, installments_moved: 3 } });

    // Not a failure: the old due date charges nothing, the new one charges once.
    await runSweep({ today: first.dueOn });
    await runSweep({ today: addDays(first.dueOn, 10) });
    const { rows: after } = await testDb().query<{ n: number }>("select count(*)::int as n from app.payments where account_id = $1 and origin = 'automatic'", [plan.accountId]);
    expect(after[0]!.n).toBe(1);
  });

  test("a time-limited pause ends by itself in the background, once; an overdue request goes to a supervisor, once", async () => {
    const plan = await autopayPlan();
    await testDb().query(
      "insert into app.collection_pauses (account_id, reason, starts_at, ends_at) values ($1, 'breathing_space', now() - interval '20 days', now() - interval '5 days')",
      [plan.accountId],
    );
    expect(await liftEndedPauses()).toBeGreaterThanOrEqual(1);
    expect(await liftEndedPauses()).toBe(0);
    const { rows } = await testDb().query<{ paused_days: number }>("select paused_days from app.installments where arrangement_id = $1 order by seq", [plan.arrangementId]);
    expect(rows.map((r) => r.paused_days)).toEqual([15, 15, 15]);

    const account = await newAccount({ prefix: "TEST-HS" });
    const draft = await readyDraft(account);
    await submitHardshipRequest({ borrowerId: ALEX, requestId: draft.id, monthlyIncomeMinor: 0, monthlyOutgoingsMinor: 0, decisionDueOn: inAWeek() });
    await testDb().query("update app.hardship_requests set decision_due_at = now() - interval '1 hour' where id = $1", [draft.id]);
    expect(await escalateOverdueHardship()).toBeGreaterThanOrEqual(1);
    expect(await escalateOverdueHardship()).toBe(0);
    expect(await openPauses(account)).toHaveLength(1);
    expect((await audits(account)).filter((a) => a.action === "hardship.escalated")).toHaveLength(1);
  });

  test("withdrawing a sent request lifts its pause", async () => {
    const account = await newAccount({ prefix: "TEST-HS" });
    const draft = await readyDraft(account);
    await submitHardshipRequest({ borrowerId: ALEX, requestId: draft.id, monthlyIncomeMinor: 0, monthlyOutgoingsMinor: 0, decisionDueOn: inAWeek() });
    expect(await withdrawHardshipRequest(ALEX, draft.id)).toMatchObject({ ok: true, request: { status: "withdrawn", paused: false } });
    expect(await openPauses(account)).toEqual([]);
    expect(await withdrawHardshipRequest(ALEX, draft.id)).toEqual({ ok: false, reason: "request_not_draft" });
  });
});

describe("disputes", () => {
  test("opened once (a replay answers with it), collection paused, reviewed and resolved by staff, the pause lifted", async () => {
    const account = await newAccount({ prefix: "TEST-DSP" });
    const open = () => openDispute({ borrowerId: ALEX, accountId: account, kind: "wrong_amount", details: "The fee of $44 was refunded in May.", dueOn: inAWeek() });
    const [a, b] = await Promise.all([open(), open()]);
    expect([a, b].map((r) => r.ok && r.outcome).sort()).toEqual(["duplicate", "opened"]);
    expect(await openPauses(account)).toEqual([expect.objectContaining({ reason: "dispute" })]);
    expect(await openDispute({ borrowerId: ALEX, accountId: account, kind: "not_mine", details: null, dueOn: inAWeek() })).toEqual({ ok: false, reason: "dispute_open" });
    expect(await openDispute({ borrowerId: ALEX, accountId: account, kind: "wrong_amount", details: "x".repeat(4001), dueOn: inAWeek() })).toEqual({
      ok: false,
      reason: "invalid_dispute",
    });

    const [dispute] = await listDisputes(ALEX, account);
    expect(dispute).toMatchObject({ kind: "wrong_amount", status: "received", outcome: null });
    await notFound(listDisputes(MARIA, account));
    await notFound(openDispute({ borrowerId: MARIA, accountId: account, kind: "not_mine", details: null, dueOn: inAWeek() }));

    const staff = await staffId();
    expect(await rpc("review_dispute", { p_staff_id: staff, p_dispute_id: dispute!.id }, z.unknown())).toMatchObject({ status: "under_review" });
    expect(await hintOf(rpc("resolve_dispute", { p_staff_id: staff, p_dispute_id: dispute!.id, p_outcome: "maybe", p_reason: "x" }, z.unknown()))).toBe("invalid_dispute");
    expect(await rpc("resolve_dispute", { p_staff_id: staff, p_dispute_id: dispute!.id, p_outcome: "corrected", p_reason: "fee_refunded" }, z.unknown())).toMatchObject({
      status: "resolved",
      outcome: "corrected",
      outcome_reason: "fee_refunded",
    });
    expect(await hintOf(rpc("resolve_dispute", { p_staff_id: staff, p_dispute_id: dispute!.id, p_outcome: "upheld", p_reason: "paid_in_full" }, z.unknown()))).toBe("already_decided");
    expect(await openPauses(account)).toEqual([]);
    expect((await audits(account)).map((x) => x.action)).toEqual(["collection.paused", "dispute.opened", "dispute.under_review", "collection.resumed", "dispute.resolved"]);
    expect(JSON.stringify(await audits(account))).not.toContain("refunded in May");
  });
});
