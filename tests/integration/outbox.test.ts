/**
 * The outbox and its sender (issue 9 items 2 and 4; ADR 014), through the real `resend` SDK
 * into the local stand-in and the real database: a message exists only if the transaction
 * that wrote it committed; two workers at once deliver each message once; a provider
 * failure is retried with backoff and then kept as failed; outreach respects the cap, the
 * borrower's hours, consent, opt-out and pauses, and carries List-Unsubscribe, while what the
 * borrower asked for goes at once.
 *
 * Outreach here uses a template registered for this file only (`test.outreach`): the rules
 * depend on a message's category, not on its template. Requested messages use the app's
 * real `payment.receipt`.
 */
import { createElement } from "react";
import { beforeEach, describe, expect, test } from "vitest";
import { localOutboxRequests } from "~/services/email/local-outbox.server";
import { deliverOutboxMessage, runOutbox } from "~/services/email/outbox.server";
import { rpc } from "~/services/supabase/rpc.server";
import { outboxTemplates, type OutboxTemplates } from "~/utils/outbox-templates/index.server";
import { OutboxMessageSchema } from "~/utils/outbox-templates/types.server";
import { readUnsubscribeToken } from "~/utils/unsubscribe-token.server";
import { z } from "zod";
import { newAccount } from "../setup/accounts";
import { testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { clearOutbox, enqueue, newBorrower, outboxRow, storedEmails, succeededPayment } from "../setup/outbox";
import { STAFF } from "../setup/staff";

withLocalEmail();

const templates: OutboxTemplates = {
  ...outboxTemplates,
  "test.outreach": {
    async render(message, { t, unsubscribeUrl }) {
      return {
        subject: `A note about your account ${message.id.slice(0, 8)}`,
        react: createElement(
          "div",
          null,
          createElement("p", null, t("layout.brand")),
          unsubscribeUrl ? createElement("a", { href: unsubscribeUrl }, "Stop these emails") : null,
        ),
      };
    },
  },
};

/** Tomorrow at a UTC hour: after every row's created_at, so "now" moves only forward. */
function at(hour: number, minute = 0, dayOffset = 1): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + dayOffset, hour, minute));
}
const minutes = (date: Date, n: number) => new Date(date.getTime() + n * 60_000);

const run = (now: Date, worker = "w1", limit?: number) => runOutbox({ worker, now, limit, templates });

beforeEach(clearOutbox);

describe("a message is written with its cause", () => {
  test("enqueued in a transaction that rolls back, it never exists; committed, it is sent once", async () => {
    const borrowerId = await newBorrower();
    const accountId = await newAccount({ borrowerId, prefix: "OUTBOX" });
    const paymentId = await succeededPayment(accountId);
    const rolledBackKey = `payment.receipt/rolled-back/${paymentId}`;

    await expect(
      testDb().transaction(async (tx) => {
        await enqueue({ template: "payment.receipt", category: "requested", borrowerId, accountId, params: { payment_id: paymentId }, dedupeKey: rolledBackKey }, tx);
        throw new Error("the cause failed");
      }),
    ).rejects.toThrow("the cause failed");
    const { rows: none } = await testDb().query("select 1 from app.outbound_messages where dedupe_key = $1", [rolledBackKey]);
    expect(none).toHaveLength(0);

    const key = `payment.receipt/${paymentId}`;
    const id = await testDb().transaction((tx) =>
      enqueue({ template: "payment.receipt", category: "requested", borrowerId, accountId, params: { payment_id: paymentId }, dedupeKey: key }, tx),
    );
    // The same cause twice is one message.
    expect(await enqueue({ template: "payment.receipt", category: "requested", borrowerId, accountId, params: { payment_id: paymentId }, dedupeKey: key })).toBe(id);
    expect((await outboxRow(id)).state).toBe("queued");

    const before = localOutboxRequests().total;
    const report = await run(at(12));
    expect(report).toMatchObject({ claimed: 1, sent: 1, failed: 0, retrying: 0 });
    expect(await run(at(12, 5))).toMatchObject({ claimed: 0, sent: 0 });
    expect(localOutboxRequests().total - before).toBe(1);

    const [email, ...more] = await storedEmails([id]);
    expect(more).toHaveLength(0);
    const row = await outboxRow(id);
    expect(row).toMatchObject({ state: "sent", attempts: 1, provider_id: email!.provider_id, to_address: email!.to_addresses[0], language: "en" });
    expect(email!.subject).toBe("Your payment to Northwind Lending");
    // A receipt can stop reminders too (one tap, in the footer and the header); it never stops receipts.
    expect(email!.headers?.["List-Unsubscribe"]).toMatch(new RegExp(`^<http://[^>]+/unsubscribe/v1\\.${id}\\.[^>]+>$`));
    const { rows: bodies } = await testDb().query<{ text: string }>("select text from app.local_sent_emails where provider_id = $1", [email!.provider_id]);
    expect(bodies[0]!.text).toMatch(/Don't want reminder emails\? Receipts and what you ask for will still come\.\s+Stop reminder emails/);
  });

  test("the language and address are the borrower's when it goes, not when it was queued", async () => {
    const borrowerId = await newBorrower({ language: "en" });
    const accountId = await newAccount({ borrowerId, prefix: "OUTBOX" });
    const paymentId = await succeededPayment(accountId);
    const id = await enqueue({ template: "payment.receipt", category: "requested", borrowerId, accountId, params: { payment_id: paymentId } });
    await testDb().query("update app.borrowers set language = 'es', email = $2 where id = $1", [borrowerId, `nuevo-${borrowerId.slice(0, 8)}@example.com`]);

    await run(at(12));

    const row = await outboxRow(id);
    expect(row).toMatchObject({ state: "sent", language: "es", to_address: `nuevo-${borrowerId.slice(0, 8)}@example.com` });
    const [email] = await storedEmails([id]);
    expect(email!.to_addresses).toEqual([row.to_address]);
    expect(email!.subject).toBe("Su pago a Northwind Lending");
  });

  test("params hold ids, codes, amounts and dates only; the account must be the borrower's", async () => {
    const borrowerId = await newBorrower();
    const accountId = await newAccount({ borrowerId, prefix: "OUTBOX" });
    const other = await newAccount({ prefix: "OUTBOX" });
    const ok = { installment_id: accountId, notice: "upcoming", amount_minor: 5_000, currency: "USD", due_on: "2026-12-01", automatic: true };
    await expect(enqueue({ template: "test.outreach", category: "outreach", borrowerId, accountId, params: ok })).resolves.toMatch(/^[0-9a-f-]{36}$/);
    await expect(enqueue({ template: "test.outreach", category: "outreach", borrowerId, accountId, params: { note: "Call me after 5 please" } })).rejects.toMatchObject({ code: "23514" });
    await expect(enqueue({ template: "test.outreach", category: "outreach", borrowerId, accountId, params: { email: "someone@example.com" } })).rejects.toMatchObject({ code: "23514" });
    await expect(enqueue({ template: "test.outreach", category: "nagging" as "outreach", borrowerId, accountId })).rejects.toMatchObject({ code: "23514" });
    await expect(enqueue({ template: "test.outreach", category: "outreach", borrowerId, accountId: other })).rejects.toMatchObject({ code: "PT422", hint: "invalid_message" });
  });
});

describe("delivery", () => {
  test("two workers started together deliver each of 20 messages exactly once", async () => {
    const borrowerId = await newBorrower();
    const accountId = await newAccount({ borrowerId, prefix: "OUTBOX" });
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const paymentId = await succeededPayment(accountId, 1_000 + i);
      ids.push(await enqueue({ template: "payment.receipt", category: "requested", borrowerId, accountId, params: { payment_id: paymentId } }));
    }
    const before = localOutboxRequests();

    const [a, b] = await Promise.all([run(at(12), "worker-a", 3), run(at(12), "worker-b", 3)]);

    // Both took a share (the claims really ran side by side), and none twice.
    expect(a.claimed).toBeGreaterThan(0);
    expect(b.claimed).toBeGreaterThan(0);
    expect(a.claimed + b.claimed).toBe(20);
    expect(a.sent + b.sent).toBe(20);
    const after = localOutboxRequests();
    expect(after.total - before.total).toBe(20);
    for (const id of ids) expect(after.byIdempotencyKey.get(`outbox/${id}`)).toBe(1);
    const stored = await storedEmails(ids);
    expect(stored).toHaveLength(20);
    expect(new Set(stored.map((e) => e.idempotency_key)).size).toBe(20);
    const { rows } = await testDb().query<{ state: string; n: number }>(
      "select state, count(*)::int as n from app.outbound_messages where id = any ($1::uuid[]) group by state",
      [ids],
    );
    expect(rows).toEqual([{ state: "sent", n: 20 }]);
  });

  test("a worker that stalls past its lease: the next one sends the message, and the stalled send is the same email", async () => {
    const borrowerId = await newBorrower();
    const accountId = await newAccount({ borrowerId, prefix: "OUTBOX" });
    const paymentId = await succeededPayment(accountId);
    const id = await enqueue({ template: "payment.receipt", category: "requested", borrowerId, accountId, params: { payment_id: paymentId } });
    const now = at(12);

    const [stalled] = await rpc("outbox_claim", { p_worker: "stalled", p_limit: 5, p_now: now.toISOString(), p_lease_seconds: 300 }, z.array(OutboxMessageSchema));
    expect(stalled?.id).toBe(id);
    // Leased: nobody else takes it meanwhile.
    expect(await run(minutes(now, 4), "w2")).toMatchObject({ claimed: 0 });
    expect(await run(minutes(now, 6), "w2")).toMatchObject({ claimed: 1, sent: 1 });
    const sent = await outboxRow(id);
    expect(sent).toMatchObject({ state: "sent", attempts: 2 });

    // The stalled worker wakes up and sends: Resend's idempotency key answers with the first email.
    expect(await deliverOutboxMessage(stalled!, "stalled", templates, now)).toBe("superseded");
    expect(localOutboxRequests().byIdempotencyKey.get(`outbox/${id}`)).toBe(2);
    const stored = await storedEmails([id]);
    expect(stored).toHaveLength(1);
    expect(await outboxRow(id)).toMatchObject({ state: "sent", provider_id: stored[0]!.provider_id, sent_at: sent.sent_at });
  });

  test("a provider failure is retried after 1, 5, 30 and 120 minutes, then kept as failed with its code", async () => {
    const borrowerId = await newBorrower({ email: `fail-provider-${Date.now()}@example.com` });
    const accountId = await newAccount({ borrowerId, prefix: "OUTBOX" });
    const paymentId = await succeededPayment(accountId);
    const id = await enqueue({ template: "payment.receipt", category: "requested", borrowerId, accountId, params: { payment_id: paymentId } });
    const key = `outbox/${id}`;
    const requestsFor = () => localOutboxRequests().byIdempotencyKey.get(key) ?? 0;

    let now = at(12);
    expect(await run(now)).toMatchObject({ claimed: 1, retrying: 1, sent: 0 });
    expect(await outboxRow(id)).toMatchObject({ state: "queued", attempts: 1, last_error_code: "application_error", next_attempt_at: minutes(now, 1) });
    // Not before its time.
    expect(await run(minutes(now, 0.5))).toMatchObject({ claimed: 0 });

    for (const [attempt, wait] of [[2, 1], [3, 5], [4, 30]] as const) {
      now = minutes(now, wait);
      expect(await run(now)).toMatchObject({ claimed: 1, retrying: 1 });
      const next = [0, 1, 5, 30, 120][attempt]!;
      expect(await outboxRow(id)).toMatchObject({ state: "queued", attempts: attempt, next_attempt_at: minutes(now, next) });
    }
    now = minutes(now, 120);
    expect(await run(now)).toMatchObject({ claimed: 1, failed: 1, retrying: 0 });
    expect(await outboxRow(id)).toMatchObject({ state: "failed", attempts: 5, last_error_code: "application_error", next_attempt_at: null });
    expect(requestsFor()).toBe(5);
    expect(await run(minutes(now, 24 * 60))).toMatchObject({ claimed: 0 });
    expect(await storedEmails([id])).toHaveLength(0);

    // The console's contact history shows it, without content.
    const history = await rpc("account_messages", { p_staff_id: STAFF.agent.id, p_account_id: accountId }, z.array(z.record(z.string(), z.unknown())));
    expect(history).toEqual([
      expect.objectContaining({ id, template: "payment.receipt", category: "requested", state: "failed", attempts: 5, last_error_code: "application_error", cancel_reason: null }),
    ]);
    expect(Object.keys(history[0]!)).not.toContain("to_address");
    await expect(rpc("account_messages", { p_staff_id: "00000000-0000-4000-8000-000000000000", p_account_id: accountId }, z.unknown())).rejects.toMatchObject({
      code: "PT403",
      hint: "staff_forbidden",
    });
    await expect(rpc("account_messages", { p_staff_id: STAFF.agent.id, p_account_id: "00000000-0000-4000-8000-000000000000" }, z.unknown())).rejects.toMatchObject({
      code: "PT404",
      hint: "account_not_found",
    });
  });
});

describe("contact rules", () => {
  test("what someone has just asked for goes before outreach that fell due earlier", async () => {
    const borrowerId = await newBorrower();
    const now = at(12);
    const waiting = [];
    for (let i = 0; i < 3; i += 1) {
      const accountId = await newAccount({ borrowerId, prefix: "OUTBOX" });
      waiting.push(await enqueue({ template: "test.outreach", category: "outreach", borrowerId, accountId, notBefore: minutes(now, -60 + i) }));
    }
    const paymentAccount = await newAccount({ borrowerId, prefix: "OUTBOX" });
    const receipt = await enqueue({
      template: "payment.receipt",
      category: "requested",
      borrowerId,
      accountId: paymentAccount,
      params: { payment_id: await succeededPayment(paymentAccount) },
      notBefore: minutes(now, -1),
    });

    expect(await runOutbox({ worker: "w1", now, limit: 1, maxBatches: 1, templates })).toMatchObject({ claimed: 1, sent: 1 });
    expect((await outboxRow(receipt)).state).toBe("sent");
    for (const id of waiting) expect((await outboxRow(id)).state).toBe("queued");
  });

  test("the 8th outreach message for an account in 7 days is held; requested messages are neither held nor counted", async () => {
    const borrowerId = await newBorrower();
    const accountId = await newAccount({ borrowerId, prefix: "OUTBOX" });
    const { rows } = await testDb().query<{ max: number; days: number }>(
      `select c.contact_max_attempts as max, c.contact_window_days as days
         from app.accounts as a join app.creditors as c on c.id = a.creditor_id where a.id = $1`,
      [accountId],
    );
    expect(rows[0]).toEqual({ max: 7, days: 7 });
    const outreach = () => enqueue({ template: "test.outreach", category: "outreach", borrowerId, accountId });
    const requested = async () =>
      enqueue({ template: "payment.receipt", category: "requested", borrowerId, accountId, params: { payment_id: await succeededPayment(accountId) } });

    // Day 1: 3 receipts and 7 outreach messages, all sent (receipts are not attempts).
    const day1 = at(12);
    const first = [await requested(), await requested(), await requested()];
    for (let i = 0; i < 7; i += 1) first.push(await outreach());
    expect(await run(day1)).toMatchObject({ sent: 10 });

    // Day 2: the 8th outreach message waits; a receipt still goes at once.
    const eighth = await outreach();
    const receipt = await requested();
    const day2 = minutes(day1, 24 * 60);
    expect(await run(day2)).toMatchObject({ claimed: 1, sent: 1 });
    expect((await outboxRow(receipt)).state).toBe("sent");
    const held = await outboxRow(eighth);
    expect(held).toMatchObject({ state: "queued", attempts: 0 });
    // It waits until the first of the seven leaves the 7-day window.
    expect(held.not_before).toEqual(minutes(day1, 7 * 24 * 60));
    expect(await storedEmails([eighth])).toHaveLength(0);

    expect(await run(minutes(day1, 7 * 24 * 60 - 1))).toMatchObject({ claimed: 0 });
    expect(await run(minutes(day1, 7 * 24 * 60))).toMatchObject({ claimed: 1, sent: 1 });
    expect((await outboxRow(eighth)).state).toBe("sent");
  });

  test("an outreach message due at 23:00 in the borrower's time zone is sent at 08:00", async () => {
    const borrowerId = await newBorrower({ timeZone: "America/Chicago" });
    const accountId = await newAccount({ borrowerId, prefix: "OUTBOX" });
    const { rows } = await testDb().query<{ late: Date; morning: Date }>(
      `select ((current_date + 2) + time '23:00') at time zone 'America/Chicago' as late,
              ((current_date + 3) + time '08:00') at time zone 'America/Chicago' as morning`,
    );
    const { late, morning } = rows[0]!;
    const id = await enqueue({ template: "test.outreach", category: "outreach", borrowerId, accountId, notBefore: late });

    expect(await run(late)).toMatchObject({ claimed: 0 });
    expect(await outboxRow(id)).toMatchObject({ state: "queued", not_before: morning });
    expect(await run(minutes(morning, -1))).toMatchObject({ claimed: 0 });
    expect(await run(morning)).toMatchObject({ claimed: 1, sent: 1 });
    expect(await outboxRow(id)).toMatchObject({ state: "sent", sent_at: morning });
  });

  test("no consent, opted out, paused or paid: outreach is cancelled with the reason and nothing goes; a receipt still does", async () => {
    const noConsent = await newBorrower({ consent: false });
    const optedOut = await newBorrower();
    await testDb().query("insert into app.contact_preferences (borrower_id, email_allowed) values ($1, false)", [optedOut]);
    const pausedBorrower = await newBorrower();
    const paidBorrower = await newBorrower();
    const accounts = {
      noConsent: await newAccount({ borrowerId: noConsent, prefix: "OUTBOX" }),
      optedOut: await newAccount({ borrowerId: optedOut, prefix: "OUTBOX" }),
      paused: await newAccount({ borrowerId: pausedBorrower, prefix: "OUTBOX" }),
      paid: await newAccount({ borrowerId: paidBorrower, prefix: "OUTBOX" }),
    };
    await testDb().query("select app.start_collection_pause($1, 'hardship', null)", [accounts.paused]);
    await testDb().query("update app.accounts set status = 'paid' where id = $1", [accounts.paid]);

    const cases = [
      { borrowerId: noConsent, accountId: accounts.noConsent, reason: "no_consent" },
      { borrowerId: optedOut, accountId: accounts.optedOut, reason: "opted_out" },
      { borrowerId: pausedBorrower, accountId: accounts.paused, reason: "paused" },
      { borrowerId: paidBorrower, accountId: accounts.paid, reason: "paid" },
    ];
    const outreach = [];
    const receipts = [];
    for (const c of cases) {
      outreach.push(await enqueue({ template: "test.outreach", category: "outreach", borrowerId: c.borrowerId, accountId: c.accountId }));
      const paymentId = await succeededPayment(c.accountId);
      receipts.push(await enqueue({ template: "payment.receipt", category: "requested", borrowerId: c.borrowerId, accountId: c.accountId, params: { payment_id: paymentId } }));
    }

    expect(await run(at(12))).toMatchObject({ claimed: 4, sent: 4 });

    for (const [i, c] of cases.entries()) {
      expect(await outboxRow(outreach[i]!)).toMatchObject({ state: "cancelled", cancel_reason: c.reason, attempts: 0 });
      expect((await outboxRow(receipts[i]!)).state).toBe("sent");
    }
    expect(await storedEmails(outreach)).toHaveLength(0);
    expect(await storedEmails(receipts)).toHaveLength(4);
  });

  test("an outreach email carries List-Unsubscribe (one-click) for its own message", async () => {
    const borrowerId = await newBorrower();
    const accountId = await newAccount({ borrowerId, prefix: "OUTBOX" });
    const id = await enqueue({ template: "test.outreach", category: "outreach", borrowerId, accountId });

    expect(await run(at(12))).toMatchObject({ sent: 1 });

    const [email] = await storedEmails([id]);
    expect(email!.headers).toEqual({
      "List-Unsubscribe": expect.stringMatching(/^<http:\/\/[^>]+\/unsubscribe\/v1\.[^>]+>$/),
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    });
    const url = new URL(email!.headers!["List-Unsubscribe"]!.slice(1, -1));
    const token = decodeURIComponent(url.pathname.split("/").pop()!);
    expect(readUnsubscribeToken(token)).toEqual({ ok: true, messageId: id });
  });
});
