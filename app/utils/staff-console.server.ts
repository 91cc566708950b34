/**
 * The console's reads and the links staff issue (issue 8 items 2 and 4): the queue with
 * its filters and segment counts, account search, the account page, and a secure link for
 * a borrower, emailed or shown once. Each call names the staff member; the database checks
 * their role again (app.require_staff), so a stale page cannot act for someone demoted.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";
import { generateToken, hashToken } from "~/utils/access-links.server";
import { getEnv } from "~/utils/env.server";
import { newDerivedLink } from "~/utils/link-token.server";
import type { Staff } from "~/utils/staff-session.server";

import { BALANCE_BANDS, DPD_BUCKETS, QUEUE_KINDS } from "~/utils/ops-lists";

/** The queue's filters as they arrive in the URL: anything unknown is dropped, not an error. */
export const QueueFiltersSchema = z.object({
  kind: z.enum(QUEUE_KINDS).optional().catch(undefined),
  creditor: z.uuid().optional().catch(undefined),
  dpd: z.enum(DPD_BUCKETS).optional().catch(undefined),
  band: z.enum(BALANCE_BANDS).optional().catch(undefined),
  language: z.enum(["en", "es"]).optional().catch(undefined),
  escalated: z.enum(["yes", "no"]).optional().catch(undefined),
});
export type QueueFilters = z.output<typeof QueueFiltersSchema>;

const Timestamp = z.coerce.date();
const QueueItemSchema = z.object({
  kind: z.enum(QUEUE_KINDS),
  request_id: z.uuid(),
  account_id: z.uuid(),
  reference: z.string(),
  borrower_name: z.string(),
  creditor_name: z.string(),
  language: z.enum(["en", "es"]),
  status: z.string(),
  received_at: Timestamp,
  due_at: Timestamp.nullable(),
  escalated_at: Timestamp.nullable(),
  amount_minor: z.number().int().nullable(),
  balance_minor: z.number().int(),
  dpd: z.number().int().nullable(),
  dpd_bucket: z.enum(DPD_BUCKETS),
  balance_band: z.enum(BALANCE_BANDS),
});
const CountSchema = z.number().int().nonnegative();
const QueueSchema = z.object({
  items: z.array(QueueItemSchema),
  counts: z.object({
    total: CountSchema,
    kind: z.record(z.enum(QUEUE_KINDS), CountSchema),
    dpd_bucket: z.record(z.enum(DPD_BUCKETS), CountSchema),
    overdue: CountSchema,
    escalated: CountSchema,
  }),
  creditors: z.array(z.object({ id: z.uuid(), name: z.string() })),
});
export type QueueItem = z.output<typeof QueueItemSchema>;

export async function staffQueue(staff: Staff, filters: QueueFilters) {
  const p_filters = {
    kind: filters.kind,
    creditor_id: filters.creditor,
    dpd_bucket: filters.dpd,
    balance_band: filters.band,
    language: filters.language,
    escalated: filters.escalated === undefined ? undefined : filters.escalated === "yes",
  };
  return rpc("staff_queue", { p_staff_id: staff.id, p_filters: JSON.parse(JSON.stringify(p_filters)) as unknown }, QueueSchema);
}

const SearchResultSchema = z.array(
  z.object({
    id: z.uuid(),
    reference: z.string(),
    status: z.string(),
    product: z.string(),
    creditor_name: z.string(),
    borrower_name: z.string(),
    currency: z.string(),
    balance_minor: z.number().int(),
    dpd: z.number().int().nullable(),
  }),
);

export const AccountQuerySchema = z.string().trim().min(2).max(200);

export async function searchAccounts(staff: Staff, query: string) {
  return rpc("staff_search_accounts", { p_staff_id: staff.id, p_query: query }, SearchResultSchema);
}

const Minor = z.number().int();
const StaffAccountSchema = z.object({
  account: z.object({
    id: z.uuid(),
    reference: z.string(),
    product: z.string(),
    status: z.string(),
    currency: z.string(),
    opened_on: z.string(),
    original_amount_minor: Minor,
    original_creditor: z.string().nullable(),
    first_missed_payment_on: z.string().nullable(),
    charged_off_on: z.string().nullable(),
    interest_rate_bps: z.number().int().nullable(),
    dpd: z.number().int().nullable(),
    balance: z.object({ principal_minor: Minor, interest_minor: Minor, fees_minor: Minor, total_minor: Minor }),
    paused: z.boolean(),
  }),
  borrower: z.object({
    id: z.uuid(),
    full_name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    language: z.enum(["en", "es"]),
    time_zone: z.string(),
  }),
  creditor: z.object({ id: z.uuid(), name: z.string(), time_zone: z.string() }),
  ledger: z.array(
    z.object({
      id: z.uuid(),
      kind: z.string(),
      effective_on: z.string(),
      amount_minor: Minor,
      principal_minor: Minor,
      interest_minor: Minor,
      fees_minor: Minor,
      reason_code: z.string().nullable(),
    }),
  ),
  arrangements: z.array(
    z.object({
      id: z.uuid(),
      kind: z.string(),
      status: z.string(),
      frequency: z.string().nullable(),
      total_minor: Minor,
      balance_minor: Minor,
      discount_minor: Minor,
      agreed_on: z.string(),
      review_due_at: Timestamp.nullable(),
      policy_rules: z.array(z.string()),
      created_at: Timestamp,
      ended_at: Timestamp.nullable(),
      at_risk_since: Timestamp.nullable(),
      installments: z.array(z.object({ seq: z.number().int(), due_on: z.string(), amount_minor: Minor, paid_minor: Minor, status: z.string() })),
    }),
  ),
  payments: z.array(
    z.object({
      id: z.uuid(),
      amount_minor: Minor,
      status: z.string(),
      purpose: z.string(),
      origin: z.string(),
      failure_code: z.string().nullable(),
      created_at: Timestamp,
      succeeded_at: Timestamp.nullable(),
    }),
  ),
  consents: z.array(
    z.object({ id: z.uuid(), kind: z.string(), action: z.string(), version: z.string(), language: z.string(), sha256: z.string(), created_at: Timestamp }),
  ),
  hardship_requests: z.array(
    z.object({
      id: z.uuid(),
      status: z.string(),
      help: z.string().nullable(),
      submitted_at: Timestamp.nullable(),
      decision_due_at: Timestamp.nullable(),
      decided_at: Timestamp.nullable(),
      outcome: z.string().nullable(),
    }),
  ),
  disputes: z.array(
    z.object({
      id: z.uuid(),
      kind: z.string(),
      status: z.string(),
      received_at: Timestamp,
      due_at: Timestamp,
      resolved_at: Timestamp.nullable(),
      outcome: z.string().nullable(),
    }),
  ),
  complaints: z.array(
    z.object({
      id: z.uuid(),
      reference: z.string(),
      category: z.string(),
      status: z.string(),
      received_at: Timestamp,
      due_at: Timestamp,
      outcome: z.string().nullable(),
    }),
  ),
  links: z.array(z.object({ id: z.uuid(), purpose: z.string(), created_at: Timestamp, expires_at: Timestamp, used_at: Timestamp.nullable() })),
  audit: z.array(
    z.object({
      event_no: z.number().int(),
      occurred_at: Timestamp,
      actor_kind: z.enum(["borrower", "staff", "system"]),
      actor_name: z.string().nullable(),
      action: z.string(),
      subject_kind: z.string().nullable(),
      reason_code: z.string().nullable(),
      metadata: z.record(z.string(), z.unknown()),
      origin: z.string().nullable(),
    }),
  ),
});
export type StaffAccount = z.output<typeof StaffAccountSchema>;

/** The account page's data (audited as staff.account_viewed); null for an unknown account. */
export async function staffAccount(staff: Staff, accountId: string): Promise<StaffAccount | null> {
  try {
    return await rpc("staff_account", { p_staff_id: staff.id, p_account_id: accountId }, StaffAccountSchema);
  } catch (error) {
    if (isRpcError(error, "business") && error.code === "PT404") return null;
    throw error;
  }
}

const IssuedSchema = z.object({ link_id: z.uuid(), expires_at: Timestamp, message_id: z.uuid().nullable() });

export type IssuedLink =
  | { status: "emailed"; expiresAt: Date }
  | { status: "copied"; url: string; expiresAt: Date }
  | { status: "no_email" }
  | { status: "not_found" };

/**
 * A 30-day secure link for the borrower: emailed to the address on file (the same email as
 * "send me a new link", queued in the outbox as `access.link_from_staff` by the database call
 * that makes the link, then sent at once in the background), or returned once for the staff
 * member to copy. Audited either way. An emailed link's token is derived from its id
 * (app/utils/link-token.server.ts) and rests in no table; a copied one is random and exists
 * only in this answer.
 */
export async function issueLinkForBorrower(staff: Staff, accountId: string, delivery: "email" | "copy"): Promise<IssuedLink> {
  const link = delivery === "email" ? newDerivedLink() : { linkId: randomUUID(), token: generateToken() };
  let issued: z.output<typeof IssuedSchema>;
  try {
    issued = await rpc(
      "staff_issue_access_link",
      { p_staff_id: staff.id, p_account_id: accountId, p_link_id: link.linkId, p_token_hash: hashToken(link.token), p_delivery: delivery },
      IssuedSchema,
    );
  } catch (error) {
    if (isRpcError(error, "business") && error.code === "PT404") return { status: "not_found" };
    if (isRpcError(error, "business") && error.code === "PT409") return { status: "no_email" };
    throw error;
  }
  if (delivery === "copy") return { status: "copied", url: `${getEnv().APP_URL}/l/${link.token}`, expiresAt: issued.expires_at };
  nudgeOutbox();
  return { status: "emailed", expiresAt: issued.expires_at };
}
