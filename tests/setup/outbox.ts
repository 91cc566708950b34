/**
 * Outbox helpers for integration tests: fresh borrowers (with or without consent to email),
 * messages queued as a database function would queue them (app.enqueue_message, inside a
 * transaction), and reads of the outbox and the local Resend stand-in's rows.
 */
import { createHash, randomUUID } from "node:crypto";
import { expect } from "vitest";
import { settleOutboxNudges } from "~/services/email/outbox-nudge.server";
import type { Queryable } from "~/services/supabase/database.server";
import { ALEX } from "./accounts";
import { testDb } from "./db";

export interface NewBorrowerOptions {
  email?: string | null;
  language?: "en" | "es";
  timeZone?: string;
  /** Consent to notices by email (an e_communications consent record). Default true. */
  consent?: boolean;
}

/** A new borrower of the demo creditor (Northwind Lending). */
export async function newBorrower({ email, language = "en", timeZone = "UTC", consent = true }: NewBorrowerOptions = {}): Promise<string> {
  const address = email === undefined ? `outbox-${randomUUID().slice(0, 8)}@example.com` : email;
  const { rows } = await testDb().query<{ id: string }>(
    `insert into app.borrowers (creditor_id, full_name, email, language, time_zone, identity_check_kind, postal_code)
     select b.creditor_id, 'Outbox Test', $2, $3, $4, 'postal_code', '10001'
       from app.borrowers as b where b.id = $1
     returning id`,
    [ALEX, address, language, timeZone],
  );
  const id = rows[0]!.id;
  if (consent) await grantEmailConsent(id);
  return id;
}

/** Records the borrower's consent to notices by email, as the consent page would. */
export async function grantEmailConsent(borrowerId: string): Promise<void> {
  const body = "You agree to get notices about your account by email. You can stop them at any time.";
  const sha256 = createHash("sha256").update(body, "utf8").digest("hex");
  await testDb().query(`select app.record_consent($1, null, 'e_communications', $2::jsonb)`, [
    borrowerId,
    JSON.stringify({ version: "e-communications.v1", language: "en", body, sha256, ip: null, user_agent: null }),
  ]);
}

export interface Enqueue {
  template: string;
  category: "requested" | "outreach";
  borrowerId: string;
  accountId?: string | null;
  params?: Record<string, unknown>;
  dedupeKey?: string;
  notBefore?: Date;
}

/** Queues one message through app.enqueue_message on `db` (a transaction's connection, or the test database). */
export async function enqueue(message: Enqueue, db: Queryable = testDb()): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `select app.enqueue_message($1, $2, $3, $4, $5::jsonb, $6, coalesce($7::timestamptz, now())) as id`,
    [
      message.template,
      message.category,
      message.borrowerId,
      message.accountId ?? null,
      JSON.stringify(message.params ?? {}),
      message.dedupeKey ?? `test/${randomUUID()}`,
      message.notBefore?.toISOString() ?? null,
    ],
  );
  return rows[0]!.id;
}

/** A payment that Stripe confirmed (as the webhook would have recorded it), for receipts. */
export async function succeededPayment(accountId: string, amountMinor = 5_000): Promise<string> {
  const { rows } = await testDb().query<{ id: string }>(
    `insert into app.payments (account_id, borrower_id, amount_minor, currency, purpose, status, succeeded_at)
     select a.id, a.borrower_id, $2, a.currency, 'amount', 'succeeded', now() from app.accounts as a where a.id = $1
     returning id`,
    [accountId, amountMinor],
  );
  return rows[0]!.id;
}

export interface OutboxRow {
  id: string;
  template: string;
  category: string;
  state: string;
  attempts: number;
  not_before: Date;
  next_attempt_at: Date | null;
  provider_id: string | null;
  to_address: string | null;
  language: string | null;
  last_error_code: string | null;
  cancel_reason: string | null;
  sent_at: Date | null;
}

export async function outboxRow(id: string): Promise<OutboxRow> {
  const { rows } = await testDb().query<OutboxRow>(
    `select id, template, category, state, attempts, not_before, next_attempt_at, provider_id, to_address, language,
            last_error_code, cancel_reason, sent_at
       from app.outbound_messages where id = $1`,
    [id],
  );
  if (!rows[0]) throw new Error(`no outbound message ${id}`);
  return { ...rows[0], attempts: Number(rows[0].attempts) };
}

/** The local stand-in's stored emails for these messages (by their idempotency keys). */
export async function storedEmails(messageIds: string[]): Promise<Array<{ provider_id: string; idempotency_key: string; to_addresses: string[]; subject: string; headers: Record<string, string> | null }>> {
  const { rows } = await testDb().query<{ provider_id: string; idempotency_key: string; to_addresses: string[]; subject: string; headers: Record<string, string> | null }>(
    `select provider_id, idempotency_key, to_addresses, subject, headers
       from app.local_sent_emails where idempotency_key = any ($1::text[])`,
    [messageIds.map((id) => `outbox/${id}`)],
  );
  return rows;
}

/** Cancels whatever earlier tests left queued, so each test's pass sees only its own messages. */
export async function clearOutbox(): Promise<void> {
  await testDb().query(
    `update app.outbound_messages
        set state = 'cancelled', cancel_reason = 'test_cleared', claimed_by = null, claimed_until = null, finished_at = now()
      where state in ('queued', 'sending')`,
  );
}

/** Waits until the outbox passes the requests nudged (nudgeOutbox) have finished. */
export async function settleOutbox(): Promise<void> {
  await settleOutboxNudges();
}

export interface TemplateMessage {
  id: string;
  template: string;
  category: string;
  state: string;
  dedupe_key: string;
  borrower_id: string;
  account_id: string | null;
  params: Record<string, unknown>;
}

/** The outbox rows of one template, oldest first; only the one with this dedupe key when given. */
export async function templateMessages(template: string, dedupeKey?: string): Promise<TemplateMessage[]> {
  const { rows } = await testDb().query<TemplateMessage>(
    `select id, template, category, state, dedupe_key, borrower_id, account_id, params
       from app.outbound_messages
      where template = $1 and ($2::text is null or dedupe_key = $2)
      order by created_at, id`,
    [template, dedupeKey ?? null],
  );
  return rows;
}

export interface TemplateEmail {
  provider_id: string;
  idempotency_key: string;
  to_addresses: string[];
  subject: string;
  text: string;
  html: string;
}

/**
 * What the local stand-in received for the outbox messages of one template (after
 * settleOutbox), oldest first; only for the message with this dedupe key when given.
 */
export async function templateEmails(template: string, dedupeKey?: string): Promise<TemplateEmail[]> {
  const { rows } = await testDb().query<TemplateEmail>(
    `select e.provider_id, e.idempotency_key, e.to_addresses, e.subject, e.text, e.html
       from app.local_sent_emails as e
       join app.outbound_messages as m on e.idempotency_key = 'outbox/' || m.id::text
      where m.template = $1 and ($2::text is null or m.dedupe_key = $2)
      order by e.created_at, e.provider_id`,
    [template, dedupeKey ?? null],
  );
  return rows;
}

/**
 * Records a Stripe event in a transaction that then rolls back: inside it, the message with
 * this dedupe key was queued (one row); after the rollback there is none. Shows a message is
 * written in the same transaction as the event that causes it.
 */
export async function expectQueuedWithStripeEventOnly(event: unknown, dedupeKey: string): Promise<void> {
  const rollback = new Error("rolled back on purpose");
  let inside: number | null = null;
  await testDb()
    .transaction(async (tx) => {
      await tx.query("select api.record_stripe_event($1::jsonb)", [JSON.stringify(event)]);
      const { rows } = await tx.query<{ n: number }>("select count(*)::int as n from app.outbound_messages where dedupe_key = $1", [dedupeKey]);
      inside = rows[0]!.n;
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  const { rows } = await testDb().query<{ n: number }>("select count(*)::int as n from app.outbound_messages where dedupe_key = $1", [dedupeKey]);
  expect({ inside, after: rows[0]!.n }).toEqual({ inside: 1, after: 0 });
}
