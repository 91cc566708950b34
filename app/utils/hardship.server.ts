/**
 * Hardship requests and disputes (issue 7; ADR 007): typed wrappers of the `api.*` functions
 * in supabase/migrations/20261128000700_hardship_and_disputes.sql. A hardship request is a
 * draft saved step by step, then submitted in one call that pauses collection; a dispute is
 * opened in one call that pauses collection too. Refusals the borrower can act on come back
 * as `{ ok: false, reason }`; another borrower's account or request is a thrown 404 Response.
 * A request or dispute read here carries the staff decision too (outcome, reason code, note,
 * terms: 20261128001100_request_decisions.sql, ADR 011); staff decide through
 * app/utils/request-decisions.server.ts.
 */
import { z } from "zod";
import { rpc } from "~/services/supabase/rpc.server";
import { orNotFound, requireUuid, withReasons } from "~/utils/accounts.server";
import { consentArg, type ConsentInput } from "~/utils/consent.server";
import { IE_CATEGORIES, type IeCategory } from "~/domain/income-expenditure-fields";
import { type BREAK_DAYS, DISPUTE_KINDS, FORM_STEPS, HARDSHIP_HELP, HARDSHIP_REASONS, type DisputeKind, type FormStep, type HardshipReason } from "~/utils/hardship-steps";

export { BREAK_DAYS, DISPUTE_KINDS, HARDSHIP_HELP, HARDSHIP_REASONS, type DisputeKind, type HardshipHelp, type HardshipReason } from "~/utils/hardship-steps";

const Uuid = z.uuid();
const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");
const Instant = z.coerce.date();

/** The form's pages that save something to the draft (documents and check save nothing of their own). */
export type HardshipStep = Exclude<FormStep, "documents" | "check">;
export const HARDSHIP_STEPS: readonly HardshipStep[] = FORM_STEPS.filter((step): step is HardshipStep => step !== "documents" && step !== "check");
export const IE_FREQUENCY_CODES = ["weekly", "fortnightly", "four_weekly", "monthly"] as const;

const IeLineSchema = z.object({ category: z.enum(IE_CATEGORIES as readonly [IeCategory, ...IeCategory[]]), amount_minor: Minor, frequency: z.enum(IE_FREQUENCY_CODES) });

/** Outcomes a staff member decides (api.staff_decide_hardship; the lists live in request-decisions.server.ts). */
export const HARDSHIP_OUTCOMES = ["payment_break", "freeze_interest", "lower_payments", "settlement", "declined", "debt_advice"] as const;
export type HardshipOutcome = (typeof HARDSHIP_OUTCOMES)[number];

export const HardshipRequestSchema = z
  .object({
    id: Uuid,
    account_id: Uuid,
    status: z.enum(["draft", "submitted", "decided", "withdrawn"]),
    reasons: z.array(z.enum(HARDSHIP_REASONS)),
    reason_note: z.string().nullable(),
    ie_lines: z.array(IeLineSchema),
    monthly_income_minor: Minor.nullable(),
    monthly_outgoings_minor: Minor.nullable(),
    help: z.enum(HARDSHIP_HELP).nullable(),
    break_days: z.number().int().nullable(),
    proposed_monthly_minor: Minor.nullable(),
    health_note: z.string().nullable(),
    health_shared: z.boolean(),
    steps_done: z.array(z.enum(HARDSHIP_STEPS)),
    submitted_at: Instant.nullable(),
    decision_due_at: Instant.nullable(),
    decided_at: Instant.nullable(),
    outcome: z.string().nullable(),
    decision_reason: z.string().nullable(),
    decision_note: z.string().nullable(),
    granted_break_days: z.number().int().nullable(),
    agreed_monthly_minor: Minor.nullable(),
    settlement_minor: Minor.nullable(),
    balance_at_decision_minor: Minor.nullable(),
    paused: z.boolean(),
    pause_ends_at: Instant.nullable(),
    created_at: Instant,
    updated_at: Instant,
  })
  .transform((r) => ({
    id: r.id,
    accountId: r.account_id,
    status: r.status,
    reasons: r.reasons,
    reasonNote: r.reason_note,
    ieLines: r.ie_lines.map((l) => ({ category: l.category, amountMinor: l.amount_minor, frequency: l.frequency })),
    monthlyIncomeMinor: r.monthly_income_minor,
    monthlyOutgoingsMinor: r.monthly_outgoings_minor,
    help: r.help,
    breakDays: r.break_days,
    proposedMonthlyMinor: r.proposed_monthly_minor,
    healthNote: r.health_note,
    healthShared: r.health_shared,
    stepsDone: r.steps_done,
    submittedAt: r.submitted_at,
    decisionDueAt: r.decision_due_at,
    decidedAt: r.decided_at,
    outcome: r.outcome,
    /** A staff decision made with a reason code (api.staff_decide_hardship); null before one, or for an older decision. */
    decision:
      r.status === "decided" && r.decision_reason !== null && isHardshipOutcome(r.outcome)
        ? {
            outcome: r.outcome,
            reason: r.decision_reason,
            note: r.decision_note,
            breakDays: r.granted_break_days,
            monthlyMinor: r.agreed_monthly_minor,
            settlementMinor: r.settlement_minor,
            balanceMinor: r.balance_at_decision_minor,
          }
        : null,
    paused: r.paused,
    pauseEndsAt: r.pause_ends_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
export type HardshipRequest = z.output<typeof HardshipRequestSchema>;
export type HardshipDecision = NonNullable<HardshipRequest["decision"]>;

function isHardshipOutcome(value: string | null): value is HardshipOutcome {
  return (HARDSHIP_OUTCOMES as readonly (string | null)[]).includes(value);
}

/** The account's open request (draft or submitted), else its latest, else null. */
export async function getHardshipRequest(borrowerId: string, accountId: string): Promise<HardshipRequest | null> {
  const account = requireUuid(accountId);
  return orNotFound(() => rpc("account_hardship_request", { p_borrower_id: Uuid.parse(borrowerId), p_account_id: account }, HardshipRequestSchema.nullable()));
}

export type HardshipStepAnswers =
  | { step: "reasons"; reasons: HardshipReason[]; note: string | null }
  | { step: "income" | "fixed" | "flexible" | "debts"; lines: { category: IeCategory; amountMinor: number; frequency: (typeof IE_FREQUENCY_CODES)[number] }[] }
  | { step: "help"; help: "payment_break"; breakDays: (typeof BREAK_DAYS)[number] }
  | { step: "help"; help: "lower_payments"; proposedMonthlyMinor: number }
  | { step: "help"; help: "freeze_interest" | "settlement" | "not_sure" }
  | { step: "health"; note: string | null; consent: ConsentInput | null };

function answersArg(answers: HardshipStepAnswers): Record<string, unknown> {
  switch (answers.step) {
    case "reasons":
      return { reasons: answers.reasons, note: answers.note };
    case "income":
    case "fixed":
    case "flexible":
    case "debts":
      return { lines: answers.lines.map((l) => ({ category: l.category, amount_minor: l.amountMinor, frequency: l.frequency })) };
    case "help":
      if (answers.help === "payment_break") return { help: answers.help, break_days: answers.breakDays };
      if (answers.help === "lower_payments") return { help: answers.help, proposed_monthly_minor: answers.proposedMonthlyMinor };
      return { help: answers.help };
    case "health":
      return { note: answers.note, consent: answers.consent ? consentArg(answers.consent) : null };
  }
}

export const SAVE_REFUSALS = ["account_not_open", "request_not_draft", "invalid_step", "invalid_consent", "consent_hash_mismatch"] as const;
export type SaveStepRefusal = (typeof SAVE_REFUSALS)[number];

/** Saves one step of the account's draft (created on the first save). */
export async function saveHardshipStep(
  borrowerId: string,
  accountId: string,
  answers: HardshipStepAnswers,
): Promise<{ ok: true; request: HardshipRequest } | { ok: false; reason: SaveStepRefusal }> {
  const account = requireUuid(accountId);
  const result = await withReasons(SAVE_REFUSALS, () =>
    rpc(
      "save_hardship_step",
      { p_borrower_id: Uuid.parse(borrowerId), p_account_id: account, p_step: answers.step, p_answers: answersArg(answers) },
      HardshipRequestSchema,
    ),
  );
  return result.ok ? { ok: true, request: result.value } : result;
}

export const SUBMIT_REFUSALS = ["request_incomplete", "request_not_draft", "account_not_open", "invalid_step"] as const;
export type SubmitRefusal = (typeof SUBMIT_REFUSALS)[number];

const SubmitResultSchema = z.object({ outcome: z.enum(["submitted", "duplicate"]), request: HardshipRequestSchema });

export interface SubmitHardshipInput {
  borrowerId: string;
  requestId: string;
  monthlyIncomeMinor: number;
  monthlyOutgoingsMinor: number;
  /** The day (YYYY-MM-DD, creditor's zone) by whose end staff decide (app/domain/review-due.ts). */
  decisionDueOn: string;
}

/** Sends the draft and pauses collection; a replay answers `duplicate` with the same request. */
export async function submitHardshipRequest(
  input: SubmitHardshipInput,
): Promise<{ ok: true; outcome: "submitted" | "duplicate"; request: HardshipRequest } | { ok: false; reason: SubmitRefusal }> {
  const requestId = requireUuid(input.requestId);
  const result = await withReasons(SUBMIT_REFUSALS, () =>
    rpc(
      "submit_hardship_request",
      {
        p_borrower_id: Uuid.parse(input.borrowerId),
        p_request_id: requestId,
        p_monthly_income_minor: input.monthlyIncomeMinor,
        p_monthly_outgoings_minor: input.monthlyOutgoingsMinor,
        p_decision_due_on: input.decisionDueOn,
      },
      SubmitResultSchema,
    ),
  );
  return result.ok ? { ok: true, outcome: result.value.outcome, request: result.value.request } : result;
}

/** Erases the health details of the borrower's request and records the withdrawal. */
export async function withdrawHealthConsent(borrowerId: string, requestId: string): Promise<HardshipRequest> {
  const request = requireUuid(requestId);
  return orNotFound(() => rpc("withdraw_health_consent", { p_borrower_id: Uuid.parse(borrowerId), p_request_id: request }, HardshipRequestSchema));
}

/** The borrower withdraws their request; collection resumes (payments due meanwhile move after the pause). */
export async function withdrawHardshipRequest(borrowerId: string, requestId: string): Promise<{ ok: true; request: HardshipRequest } | { ok: false; reason: "request_not_draft" }> {
  const request = requireUuid(requestId);
  const result = await withReasons(["request_not_draft"] as const, () =>
    rpc("withdraw_hardship_request", { p_borrower_id: Uuid.parse(borrowerId), p_request_id: request }, HardshipRequestSchema),
  );
  return result.ok ? { ok: true, request: result.value } : result;
}

// ---------------------------------------------------------------------------------------
// Disputes


export const DISPUTE_OUTCOMES = ["upheld", "corrected", "not_upheld"] as const;
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];

export const DisputeSchema = z
  .object({
    id: Uuid,
    account_id: Uuid,
    kind: z.enum(DISPUTE_KINDS),
    details: z.string().nullable(),
    status: z.enum(["received", "under_review", "resolved"]),
    outcome: z.enum(DISPUTE_OUTCOMES).nullable(),
    outcome_reason: z.string().nullable(),
    outcome_note: z.string().nullable(),
    due_at: Instant,
    received_at: Instant,
    review_started_at: Instant.nullable(),
    resolved_at: Instant.nullable(),
    collection_stopped: z.boolean(),
  })
  .transform((d) => ({
    id: d.id,
    accountId: d.account_id,
    kind: d.kind,
    details: d.details,
    status: d.status,
    outcome: d.outcome,
    outcomeReason: d.outcome_reason,
    /** The staff member's note to the borrower with the answer. */
    outcomeNote: d.outcome_note,
    /** Resolved upheld: nothing more is collected on the account. */
    collectionStopped: d.collection_stopped,
    dueAt: d.due_at,
    receivedAt: d.received_at,
    reviewStartedAt: d.review_started_at,
    resolvedAt: d.resolved_at,
  }));
export type Dispute = z.output<typeof DisputeSchema>;

const OpenResultSchema = z.object({ outcome: z.enum(["opened", "duplicate"]), dispute: DisputeSchema });

/** Opens a dispute and pauses collection; the same dispute sent again answers `duplicate`. */
export async function openDispute(input: {
  borrowerId: string;
  accountId: string;
  kind: DisputeKind;
  details: string | null;
  /** The day (YYYY-MM-DD, creditor's zone) by whose end the dispute is answered in writing. */
  dueOn: string;
}): Promise<{ ok: true; outcome: "opened" | "duplicate"; dispute: Dispute } | { ok: false; reason: "dispute_open" | "invalid_dispute" }> {
  const account = requireUuid(input.accountId);
  const result = await withReasons(["dispute_open", "invalid_dispute"] as const, () =>
    rpc(
      "open_dispute",
      { p_borrower_id: Uuid.parse(input.borrowerId), p_account_id: account, p_kind: input.kind, p_details: input.details, p_due_on: input.dueOn },
      OpenResultSchema,
    ),
  );
  return result.ok ? { ok: true, outcome: result.value.outcome, dispute: result.value.dispute } : result;
}

export async function listDisputes(borrowerId: string, accountId: string): Promise<Dispute[]> {
  const account = requireUuid(accountId);
  return orNotFound(() => rpc("account_disputes", { p_borrower_id: Uuid.parse(borrowerId), p_account_id: account }, z.array(DisputeSchema)));
}

// ---------------------------------------------------------------------------------------
// Background (npm run jobs)

/** Lifts time-limited pauses whose end has come; returns how many. */
export async function liftEndedPauses(): Promise<number> {
  return rpc("lift_ended_pauses", {}, z.number().int());
}

/** Sends requests past their decision time to a supervisor; returns how many. */
export async function escalateOverdueHardship(): Promise<number> {
  return rpc("escalate_overdue_hardship", {}, z.number().int());
}

// ---------------------------------------------------------------------------------------
// Documents

export type RequestKind = "hardship" | "dispute";

const DocumentSchema = z
  .object({ id: Uuid, filename: z.string(), content_type: z.enum(["application/pdf", "image/jpeg", "image/png"]), size_bytes: z.number().int(), created_at: Instant.optional() })
  .transform((d) => ({ id: d.id, filename: d.filename, contentType: d.content_type, sizeBytes: d.size_bytes }));
export type RequestDocument = z.output<typeof DocumentSchema>;

/** Adds a document (already checked by its first bytes; the database checks again). */
export async function addRequestDocument(input: {
  borrowerId: string;
  kind: RequestKind;
  requestId: string;
  filename: string;
  bytes: Uint8Array;
}): Promise<{ ok: true; document: RequestDocument } | { ok: false; reason: "too_many_documents" | "request_closed" | "invalid_document" }> {
  const request = requireUuid(input.requestId);
  const result = await withReasons(["too_many_documents", "request_closed", "invalid_document"] as const, () =>
    rpc(
      "add_request_document",
      {
        p_borrower_id: Uuid.parse(input.borrowerId),
        p_kind: input.kind,
        p_request_id: request,
        p_filename: input.filename.slice(0, 200) || "document",
        p_content_base64: Buffer.from(input.bytes).toString("base64"),
      },
      DocumentSchema,
    ),
  );
  return result.ok ? { ok: true, document: result.value } : result;
}

export async function listRequestDocuments(borrowerId: string, kind: RequestKind, requestId: string): Promise<RequestDocument[]> {
  return rpc("request_documents", { p_borrower_id: Uuid.parse(borrowerId), p_kind: kind, p_request_id: requireUuid(requestId) }, z.array(DocumentSchema));
}

const ContentSchema = z
  .object({ filename: z.string(), content_type: z.enum(["application/pdf", "image/jpeg", "image/png"]), content_base64: z.string() })
  .nullable();

/** One of the borrower's documents with its bytes, or null (anyone else's, or none). */
export async function getRequestDocument(borrowerId: string, documentId: string): Promise<{ filename: string; contentType: string; bytes: Buffer } | null> {
  const id = z.uuid().safeParse(documentId);
  if (!id.success) return null;
  const found = await rpc("request_document_content", { p_borrower_id: Uuid.parse(borrowerId), p_document_id: id.data }, ContentSchema);
  return found ? { filename: found.filename, contentType: found.content_type, bytes: Buffer.from(found.content_base64, "base64") } : null;
}
