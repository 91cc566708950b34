/**
 * The borrower's own requests put their emails in the outbox (ADR 014; migration
 * 20261128001900_outbox_notices.sql): a submitted request for help leaves exactly one
 * 'requested' message, written in the same transaction as the request (a rollback or a
 * refused submit leaves none; a replay adds none), and the email reaches the local Resend
 * stand-in once, even when the request's nudge and a jobs pass run at the same time.
 */
import { describe, expect, test } from "vitest";
import { runJobs } from "~/jobs/run-jobs.server";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { getHardshipRequest, saveHardshipStep, submitHardshipRequest } from "~/utils/hardship.server";
import { ALEX, newAccount } from "../setup/accounts";
import { addDays, today } from "../setup/dates";
import { testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { settleOutbox, templateEmails, templateMessages } from "../setup/outbox";

withLocalEmail();

const inAWeek = () => addDays(today(), 7);

/** A new account of Alex's with a request for help ready to send (reasons and help chosen). */
async function readyDraft(): Promise<{ accountId: string; requestId: string }> {
  const accountId = await newAccount({ prefix: "TEST-ON" });
  expect((await saveHardshipStep(ALEX, accountId, { step: "reasons", reasons: ["job_loss"], note: null })).ok).toBe(true);
  const help = await saveHardshipStep(ALEX, accountId, { step: "help", help: "payment_break", breakDays: 60 });
  if (!help.ok) throw new Error(help.reason);
  return { accountId, requestId: help.request.id };
}

const submit = (requestId: string) =>
  submitHardshipRequest({ borrowerId: ALEX, requestId, monthlyIncomeMinor: 120_000, monthlyOutgoingsMinor: 90_000, decisionDueOn: inAWeek() });

const messagesFor = (requestId: string) => templateMessages("hardship.received", `hardship.received/${requestId}`);

describe("a request for help and its email", () => {
  test("a submitted request leaves exactly one requested message, written in the request's own transaction; a replay adds none", async () => {
    const { accountId, requestId } = await readyDraft();
    expect(await messagesFor(requestId)).toEqual([]);

    expect(await submit(requestId)).toMatchObject({ ok: true, outcome: "submitted" });
    const messages = await messagesFor(requestId);
    expect(messages).toEqual([
      expect.objectContaining({ template: "hardship.received", category: "requested", borrower_id: ALEX, account_id: accountId, params: { request_id: requestId } }),
    ]);
    expect(["queued", "sending", "sent"]).toContain(messages[0]!.state);
    // Same transaction: the message and the audit event carry the same now().
    const { rows } = await testDb().query<{ same: boolean }>(
      `select m.created_at = e.occurred_at as same
         from app.outbound_messages as m
         join app.audit_events as e on e.subject_id = $1 and e.action = 'hardship.submitted'
        where m.id = $2`,
      [requestId, messages[0]!.id],
    );
    expect(rows).toEqual([{ same: true }]);

    // A replay (the form sent twice, at once and later) is the same request and the same message.
    const replays = await Promise.all([submit(requestId), submit(requestId)]);
    expect(replays.map((r) => r.ok && r.outcome)).toEqual(["duplicate", "duplicate"]);
    expect(await messagesFor(requestId)).toHaveLength(1);
    expect((await templateMessages("hardship.received")).filter((m) => m.account_id === accountId)).toHaveLength(1);
  });

  test("a submit the database refuses, or one whose transaction rolls back, leaves no message", async () => {
    // Refused: no help chosen yet.
    const accountId = await newAccount({ prefix: "TEST-ON" });
    await saveHardshipStep(ALEX, accountId, { step: "reasons", reasons: ["caring"], note: null });
    const draft = (await getHardshipRequest(ALEX, accountId))!;
    expect(await submit(draft.id)).toEqual({ ok: false, reason: "request_incomplete" });
    expect(await messagesFor(draft.id)).toEqual([]);

    // Rolled back after the function wrote its request and its message: neither stays.
    const ready = await readyDraft();
    const rollback = new Error("rolled back on purpose");
    await expect(
      testDb().transaction(async (tx) => {
        await tx.query("select api.submit_hardship_request($1, $2, $3, $4, $5::date)", [ALEX, ready.requestId, 120_000, 90_000, inAWeek()]);
        const { rows } = await tx.query<{ n: number }>("select count(*)::int as n from app.outbound_messages where dedupe_key = $1", [
          `hardship.received/${ready.requestId}`,
        ]);
        expect(rows[0]!.n).toBe(1);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await messagesFor(ready.requestId)).toEqual([]);
    expect(await getHardshipRequest(ALEX, ready.accountId)).toMatchObject({ status: "draft" });
  });

  test("the nudge and a jobs pass at the same time: the email reaches the stand-in once", async () => {
    const { requestId } = await readyDraft();
    expect(await submit(requestId)).toMatchObject({ ok: true, outcome: "submitted" });

    nudgeOutbox();
    nudgeOutbox();
    await Promise.all([runJobs(), settleOutbox()]);
    await settleOutbox();

    const [message] = await messagesFor(requestId);
    expect(message!.state).toBe("sent");
    const emails = await templateEmails("hardship.received", `hardship.received/${requestId}`);
    expect(emails).toHaveLength(1);
    expect(emails[0]!.idempotency_key).toBe(`outbox/${message!.id}`);
    expect(emails[0]!.to_addresses).toEqual(["alex.rivera@example.com"]);
    expect(emails[0]!.subject).toMatch(/^We have your request for help with your .+ account$/);
  });
});
