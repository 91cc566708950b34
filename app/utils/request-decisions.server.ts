/**
 * Staff decisions on hardship requests and disputes (issue 8 item 3; ADR 011): typed wrappers
 * of the `api.*` functions in supabase/migrations/20261128001100_request_decisions.sql, the
 * fixed reason-code lists (the database checks the same lists), and the console forms' parsers.
 *
 * The database decides what is allowed (four eyes, limits, one decision per request), so the
 * page cannot be talked around it: refusals a staff member can act on come back as
 * `{ ok: false, reason }` (over_limit, already_decided, ...); an unknown request is a thrown
 * 404 Response, an inactive staff member a thrown 403.
 */
import type { TFunction } from "i18next";
import { z } from "zod";
import { formatMoney, parseMoneyInput } from "~/domain/money";
import { intlLocale, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";
import { requireUuid } from "~/utils/accounts.server";
import { dayIn, formatCalendarDate } from "~/utils/borrower-format.server";
import {
  DISPUTE_OUTCOMES,
  DisputeSchema,
  HARDSHIP_OUTCOMES,
  HardshipRequestSchema,
  type DisputeOutcome,
  type HardshipOutcome,
  type Dispute,
  type HardshipDecision,
  type HardshipRequest,
} from "~/utils/hardship.server";

export { DISPUTE_OUTCOMES, HARDSHIP_OUTCOMES, type DisputeOutcome, type HardshipOutcome } from "~/utils/hardship.server";

// ---------------------------------------------------------------------------------------
// Reason codes (app.hardship_decision_reasons and app.dispute_resolution_reasons agree)

/** Outcomes that grant the borrower something. */
export const GRANT_OUTCOMES = ["payment_break", "freeze_interest", "lower_payments", "settlement"] as const satisfies readonly HardshipOutcome[];
/** Outcomes that forgive money, so the staff member's approval limit applies to the balance. */
export const LIMITED_OUTCOMES = ["settlement", "freeze_interest"] as const satisfies readonly HardshipOutcome[];

const GRANT_REASONS = ["income_fell", "illness_or_disability", "bereavement", "relationship_breakdown", "caring_responsibilities", "budget_shortfall", "other"] as const;

export const HARDSHIP_DECISION_REASONS: Readonly<Record<HardshipOutcome, readonly string[]>> = {
  payment_break: GRANT_REASONS,
  freeze_interest: GRANT_REASONS,
  lower_payments: GRANT_REASONS,
  settlement: GRANT_REASONS,
  declined: ["can_afford_payments", "need_more_information", "offer_too_low", "not_available", "help_in_place", "other"],
  debt_advice: ["several_debts", "priority_debts_first", "budget_shortfall", "needs_full_review", "other"],
};

/** The console's reason select, in groups: every outcome in a group shares its reasons. */
export const HARDSHIP_REASON_GROUPS = [
  { key: "grant", outcomes: GRANT_OUTCOMES, reasons: GRANT_REASONS },
  { key: "declined", outcomes: ["declined"], reasons: HARDSHIP_DECISION_REASONS.declined },
  { key: "debt_advice", outcomes: ["debt_advice"], reasons: HARDSHIP_DECISION_REASONS.debt_advice },
] as const;

export const DISPUTE_RESOLUTION_REASONS: Readonly<Record<DisputeOutcome, readonly string[]>> = {
  upheld: ["not_borrowers_debt", "identity_theft_confirmed", "debt_not_verified", "paid_in_full", "other"],
  corrected: ["amount_corrected", "fee_refunded", "interest_corrected", "payment_applied", "other"],
  not_upheld: ["debt_verified", "amount_verified", "payment_not_found", "identity_verified", "other"],
};

export const ESCALATION_REASONS = ["over_limit", "second_opinion"] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

/** Every hardship reason code, once (for translation files and the console's select). */
export const ALL_HARDSHIP_REASONS: readonly string[] = [...new Set(Object.values(HARDSHIP_DECISION_REASONS).flat())];
export const ALL_DISPUTE_REASONS: readonly string[] = [...new Set(Object.values(DISPUTE_RESOLUTION_REASONS).flat())];

export const BREAK_DAY_CHOICES = [30, 60, 90] as const;
/** A staff note to the borrower: at most this many characters (the database checks it too). */
export const STAFF_NOTE_MAX = 1000;

// ---------------------------------------------------------------------------------------
// Refusals

const notFound = () => new Response("Not found", { status: 404 });

/** PT404 → 404, staff_forbidden → 403, a listed PT403/PT409/PT422 hint → `{ ok: false, reason }`. */
async function withRefusals<T, R extends string>(reasons: readonly R[], call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; reason: R }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (isRpcError(error)) {
      if (error.code === "PT404") throw notFound();
      if (error.code === "PT403" && error.hint === "staff_forbidden") throw new Response("Forbidden", { status: 403 });
      if (error.code === "PT403" || error.code === "PT409" || error.code === "PT422") {
        const reason = reasons.find((r) => r === error.hint);
        if (reason) return { ok: false, reason };
      }
    }
    throw error;
  }
}

async function orRefused<T>(call: () => Promise<T>): Promise<T> {
  const result = await withRefusals([] as const, call);
  if (!result.ok) throw new Error("unreachable");
  return result.value;
}

// ---------------------------------------------------------------------------------------
// Hardship decisions

export type HardshipDecisionInput =
  | { outcome: "payment_break"; reason: string; note: string | null; breakDays: (typeof BREAK_DAY_CHOICES)[number] }
  | { outcome: "lower_payments"; reason: string; note: string | null; monthlyMinor: number }
  | { outcome: "settlement"; reason: string; note: string | null; settlementMinor: number }
  | { outcome: "freeze_interest" | "declined" | "debt_advice"; reason: string; note: string | null };

export const DECIDE_REFUSALS = [
  "already_decided",
  "not_submitted",
  "over_limit",
  "escalated",
  "four_eyes",
  "invalid_decision",
  "reason_required",
] as const;
export type DecideRefusal = (typeof DECIDE_REFUSALS)[number];

/** Records a staff decision (one audit event) and returns the request as the borrower reads it. */
export async function decideHardship(
  staffId: string,
  requestId: string,
  input: HardshipDecisionInput,
): Promise<{ ok: true; request: HardshipRequest } | { ok: false; reason: DecideRefusal }> {
  const id = requireUuid(requestId);
  const result = await withRefusals(DECIDE_REFUSALS, () =>
    rpc(
      "staff_decide_hardship",
      {
        p_staff_id: z.uuid().parse(staffId),
        p_request_id: id,
        p_outcome: input.outcome,
        p_reason: input.reason,
        p_note: input.note,
        p_break_days: input.outcome === "payment_break" ? input.breakDays : null,
        p_monthly_minor: input.outcome === "lower_payments" ? input.monthlyMinor : null,
        p_settlement_minor: input.outcome === "settlement" ? input.settlementMinor : null,
      },
      HardshipRequestSchema,
    ),
  );
  return result.ok ? { ok: true, request: result.value } : result;
}

export const ESCALATE_REFUSALS = ["already_decided", "not_submitted", "already_escalated", "invalid_decision"] as const;
export type EscalateRefusal = (typeof ESCALATE_REFUSALS)[number];

/** Sends the request to a supervisor (audited). */
export async function escalateHardship(
  staffId: string,
  requestId: string,
  reason: EscalationReason,
): Promise<{ ok: true; request: HardshipRequest } | { ok: false; reason: EscalateRefusal }> {
  const id = requireUuid(requestId);
  const result = await withRefusals(ESCALATE_REFUSALS, () =>
    rpc("staff_escalate_hardship", { p_staff_id: z.uuid().parse(staffId), p_request_id: id, p_reason: reason }, HardshipRequestSchema),
  );
  return result.ok ? { ok: true, request: result.value } : result;
}

// ---------------------------------------------------------------------------------------
// Disputes

export const RESOLVE_REFUSALS = ["already_decided", "invalid_dispute", "reason_required"] as const;
export type ResolveRefusal = (typeof RESOLVE_REFUSALS)[number];

export interface DisputeResolutionInput {
  outcome: DisputeOutcome;
  reason: string;
  note: string | null;
}

/** Staff open the dispute: received → under_review (audited once; later calls change nothing). */
export async function startDisputeReview(staffId: string, disputeId: string): Promise<Dispute> {
  const id = requireUuid(disputeId);
  return orRefused(() => rpc("review_dispute", { p_staff_id: z.uuid().parse(staffId), p_dispute_id: id }, DisputeSchema));
}

/** Resolves the dispute (one audit event); corrected and not_upheld lift the pause, upheld keeps collection stopped. */
export async function resolveDispute(
  staffId: string,
  disputeId: string,
  input: DisputeResolutionInput,
): Promise<{ ok: true; dispute: Dispute } | { ok: false; reason: ResolveRefusal }> {
  const id = requireUuid(disputeId);
  const result = await withRefusals(RESOLVE_REFUSALS, () =>
    rpc(
      "staff_resolve_dispute",
      { p_staff_id: z.uuid().parse(staffId), p_dispute_id: id, p_outcome: input.outcome, p_reason: input.reason, p_note: input.note },
      DisputeSchema,
    ),
  );
  return result.ok ? { ok: true, dispute: result.value } : result;
}

// ---------------------------------------------------------------------------------------
// The console's reads

const Uuid = z.uuid();
const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");
const Instant = z.coerce.date();

const ReviewAccountSchema = z
  .object({
    id: Uuid,
    reference: z.string(),
    product: z.string(),
    status: z.string(),
    currency: z.string().length(3),
    dpd: z.number().int().nullable(),
    balance: z.object({ principal_minor: Minor, interest_minor: Minor, fees_minor: Minor, total_minor: Minor }),
    paused: z.boolean(),
    creditor: z.object({ name: z.string(), region: z.string(), time_zone: z.string() }),
    borrower: z.object({ id: Uuid, full_name: z.string(), language: z.enum(["en", "es"]) }),
    ledger: z.array(z.object({ effective_on: z.iso.date(), kind: z.string(), amount_minor: Minor, reason_code: z.string().nullable() })),
  })
  .transform((a) => ({
    id: a.id,
    reference: a.reference,
    product: a.product,
    status: a.status,
    currency: a.currency,
    dpd: a.dpd,
    balance: { principalMinor: a.balance.principal_minor, interestMinor: a.balance.interest_minor, feesMinor: a.balance.fees_minor, totalMinor: a.balance.total_minor },
    paused: a.paused,
    creditor: { name: a.creditor.name, region: a.creditor.region, timeZone: a.creditor.time_zone },
    borrower: { id: a.borrower.id, fullName: a.borrower.full_name, language: a.borrower.language },
    ledger: a.ledger.map((l) => ({ effectiveOn: l.effective_on, kind: l.kind, amountMinor: l.amount_minor, reasonCode: l.reason_code })),
  }));
export type ReviewAccount = z.output<typeof ReviewAccountSchema>;

const ReviewDocumentSchema = z
  .object({ id: Uuid, filename: z.string(), content_type: z.string(), size_bytes: z.number().int(), created_at: Instant })
  .transform((d) => ({ id: d.id, filename: d.filename, contentType: d.content_type, sizeBytes: d.size_bytes, createdAt: d.created_at }));

const HistorySchema = z
  .object({ occurred_at: Instant, actor_kind: z.enum(["borrower", "staff", "system"]), actor_name: z.string().nullable(), action: z.string(), reason_code: z.string().nullable() })
  .transform((e) => ({ occurredAt: e.occurred_at, actorKind: e.actor_kind, actorName: e.actor_name, action: e.action, reasonCode: e.reason_code }));

const OtherRequestSchema = z.object({
  kind: z.enum(["hardship", "dispute"]),
  id: Uuid,
  status: z.string(),
  outcome: z.string().nullable(),
  at: Instant.nullable(),
});

const HardshipReviewSchema = z
  .object({
    request: HardshipRequestSchema,
    escalation: z
      .object({ at: Instant, reason: z.enum(["decision_overdue", "over_limit", "second_opinion"]), by_name: z.string().nullable(), by_me: z.boolean() })
      .nullable(),
    decided_by_name: z.string().nullable(),
    vulnerability_shared: z.boolean(),
    account: ReviewAccountSchema,
    documents: z.array(ReviewDocumentSchema),
    history: z.array(HistorySchema),
    other_requests: z.array(OtherRequestSchema),
    staff: z.object({ role: z.enum(["agent", "supervisor", "admin"]), approval_limit_minor: Minor, over_limit: z.boolean() }),
  })
  .transform((r) => ({
    request: r.request,
    escalation: r.escalation ? { at: r.escalation.at, reason: r.escalation.reason, byName: r.escalation.by_name, byMe: r.escalation.by_me } : null,
    decidedByName: r.decided_by_name,
    /** The borrower shared health or circumstances details under a standing consent (read them with vulnerability.server.ts). */
    vulnerabilityShared: r.vulnerability_shared,
    account: r.account,
    documents: r.documents,
    history: r.history,
    otherRequests: r.other_requests,
    staff: { role: r.staff.role, approvalLimitMinor: r.staff.approval_limit_minor, overLimit: r.staff.over_limit },
  }));
export type HardshipReview = z.output<typeof HardshipReviewSchema>;

/** One sent hardship request for the console (no health details: see vulnerability.server.ts). */
export async function getHardshipReview(staffId: string, requestId: string): Promise<HardshipReview> {
  const id = requireUuid(requestId);
  return orRefused(() => rpc("staff_hardship_review", { p_staff_id: Uuid.parse(staffId), p_request_id: id }, HardshipReviewSchema));
}

const DisputeReviewSchema = z
  .object({
    dispute: DisputeSchema,
    reviewed_by_name: z.string().nullable(),
    resolved_by_name: z.string().nullable(),
    vulnerability_shared: z.boolean(),
    account: ReviewAccountSchema,
    documents: z.array(ReviewDocumentSchema),
    history: z.array(HistorySchema),
    other_requests: z.array(OtherRequestSchema),
  })
  .transform((r) => ({
    dispute: r.dispute,
    reviewedByName: r.reviewed_by_name,
    resolvedByName: r.resolved_by_name,
    vulnerabilityShared: r.vulnerability_shared,
    account: r.account,
    documents: r.documents,
    history: r.history,
    otherRequests: r.other_requests,
  }));
export type DisputeReview = z.output<typeof DisputeReviewSchema>;

export async function getDisputeReview(staffId: string, disputeId: string): Promise<DisputeReview> {
  const id = requireUuid(disputeId);
  return orRefused(() => rpc("staff_dispute_review", { p_staff_id: Uuid.parse(staffId), p_dispute_id: id }, DisputeReviewSchema));
}

const ContentSchema = z
  .object({ filename: z.string(), content_type: z.enum(["application/pdf", "image/jpeg", "image/png"]), content_base64: z.string() })
  .nullable();

/** A request's document with its bytes for a staff download (audited), or null. */
export async function getStaffDocument(staffId: string, documentId: string): Promise<{ filename: string; contentType: string; bytes: Buffer } | null> {
  const id = Uuid.safeParse(documentId);
  if (!id.success) return null;
  const found = await orRefused(() => rpc("staff_request_document", { p_staff_id: Uuid.parse(staffId), p_document_id: id.data }, ContentSchema));
  return found ? { filename: found.filename, contentType: found.content_type, bytes: Buffer.from(found.content_base64, "base64") } : null;
}

// ---------------------------------------------------------------------------------------
// The console forms (plain POSTs: every field a string)

/** A form field problem, as a code the page translates. */
export type FieldProblem = "choose" | "reason" | "note_too_long" | "reason_needs_note" | "amount" | "amount_too_large" | "break_days";

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

function noteOf(form: FormData, errors: Record<string, FieldProblem>): string | null {
  const note = text(form, "note").trim();
  if (note.length > STAFF_NOTE_MAX) errors.note = "note_too_long";
  return note === "" ? null : note;
}

function amountOf(form: FormData, name: string, errors: Record<string, FieldProblem>): number | null {
  const parsed = parseMoneyInput(text(form, name));
  if (parsed.ok && parsed.amountMinor > 0) return parsed.amountMinor;
  errors[name] = !parsed.ok && parsed.reason === "too_large" ? "amount_too_large" : "amount";
  return null;
}

export type ParsedForm<T> = { ok: true; input: T } | { ok: false; errors: Record<string, FieldProblem> };

/** The decision form: outcome, reason, note, and the outcome's one term (breakDays, monthly, settlement). */
export function parseHardshipDecisionForm(form: FormData): ParsedForm<HardshipDecisionInput> {
  const errors: Record<string, FieldProblem> = {};
  const outcome = z.enum(HARDSHIP_OUTCOMES).safeParse(text(form, "outcome"));
  const note = noteOf(form, errors);
  if (!outcome.success) return { ok: false, errors: { ...errors, outcome: "choose" } };
  const reason = text(form, "reason");
  if (!HARDSHIP_DECISION_REASONS[outcome.data].includes(reason)) errors.reason = "reason";
  else if (reason === "other" && note === null && !errors.note) errors.note = "reason_needs_note";
  const base = { reason, note };
  let input: HardshipDecisionInput | null = null;
  switch (outcome.data) {
    case "payment_break": {
      const days = z.coerce.number().pipe(z.union([z.literal(30), z.literal(60), z.literal(90)])).safeParse(text(form, "breakDays"));
      if (!days.success) errors.breakDays = "break_days";
      else input = { outcome: "payment_break", breakDays: days.data, ...base };
      break;
    }
    case "lower_payments": {
      const monthly = amountOf(form, "monthly", errors);
      if (monthly !== null) input = { outcome: "lower_payments", monthlyMinor: monthly, ...base };
      break;
    }
    case "settlement": {
      const settlement = amountOf(form, "settlement", errors);
      if (settlement !== null) input = { outcome: "settlement", settlementMinor: settlement, ...base };
      break;
    }
    default:
      input = { outcome: outcome.data, ...base };
  }
  return input && Object.keys(errors).length === 0 ? { ok: true, input } : { ok: false, errors };
}

export function parseDisputeResolutionForm(form: FormData): ParsedForm<DisputeResolutionInput> {
  const errors: Record<string, FieldProblem> = {};
  const outcome = z.enum(DISPUTE_OUTCOMES).safeParse(text(form, "outcome"));
  const note = noteOf(form, errors);
  if (!outcome.success) return { ok: false, errors: { ...errors, outcome: "choose" } };
  const reason = text(form, "reason");
  if (!DISPUTE_RESOLUTION_REASONS[outcome.data].includes(reason)) errors.reason = "reason";
  else if (reason === "other" && note === null && !errors.note) errors.note = "reason_needs_note";
  return Object.keys(errors).length === 0 ? { ok: true, input: { outcome: outcome.data, reason, note } } : { ok: false, errors };
}

// ---------------------------------------------------------------------------------------
// The decision in plain words, for the borrower's pages and emails (one place, so the page
// and the email always say the same). `t` is fixed to the borrower's language: namespace
// `hardship` for a hardship decision, `dispute` for a dispute.

export interface DecisionWords {
  /** What we decided, in one sentence. */
  headline: string;
  /** Why, in plain words; null for the reason "other" (the note says why). */
  why: string | null;
  /** The staff member's note to the borrower, as they wrote it. */
  note: string | null;
  /** What happens next, one idea per line. */
  next: string[];
}

export function hardshipDecisionWords(
  t: TFunction,
  decision: HardshipDecision,
  format: {
    money: (minor: number) => string;
    /** The day collection may start again (creditor's zone), written out; null when it already has. */
    pausedUntil: string | null;
  },
): DecisionWords {
  const { money, pausedUntil } = format;
  const until = pausedUntil ?? "";
  const headline = (() => {
    switch (decision.outcome) {
      case "payment_break":
        return t("decision.outcome.payment_break", { days: decision.breakDays ?? 0 });
      case "lower_payments":
        return t("decision.outcome.lower_payments", { amount: money(decision.monthlyMinor ?? 0) });
      case "settlement":
        return t("decision.outcome.settlement", { amount: money(decision.settlementMinor ?? 0), balance: money(decision.balanceMinor ?? 0) });
      default:
        return t(`decision.outcome.${decision.outcome}`);
    }
  })();
  const paused = pausedUntil ? [t("decision.next.pausedUntil", { date: until })] : [];
  const next = (() => {
    switch (decision.outcome) {
      case "payment_break":
        return [...paused, t("decision.next.moved")];
      case "lower_payments":
        return [...paused, t("decision.next.setUpPlan", { amount: money(decision.monthlyMinor ?? 0), date: until })];
      case "settlement":
        return [t("decision.next.payBy", { amount: money(decision.settlementMinor ?? 0), date: until }), t("decision.next.settled"), ...paused];
      case "debt_advice":
        return [...paused, t("decision.next.adviser")];
      case "freeze_interest":
        return [t("decision.next.frozen"), t("decision.next.resumed")];
      case "declined":
        return [t("decision.next.resumed"), t("decision.next.askAgain")];
    }
  })();
  return { headline, why: decision.reason === "other" ? null : t(`decision.reasons.${decision.reason}`), note: decision.note, next };
}

export function disputeResolutionWords(
  t: TFunction,
  dispute: { outcome: DisputeOutcome; reason: string; note: string | null; collectionStopped: boolean },
  creditor: { name: string; region: string },
): DecisionWords {
  const next = dispute.collectionStopped ? [t("resolution.stopped")] : [t("resolution.resumed")];
  if (dispute.outcome !== "upheld") next.push(t("tracker.disagree", { creditorName: creditor.name }));
  if (dispute.outcome === "not_upheld" && creditor.region === "US") next.push(t("resolution.cfpb"));
  return {
    headline: t(`tracker.outcome.${dispute.outcome}`, { creditorName: creditor.name }),
    why: dispute.reason === "other" || !ALL_DISPUTE_REASONS.includes(dispute.reason) ? null : t(`resolution.reasons.${dispute.reason}`),
    note: dispute.note,
    next,
  };
}

/** A decision as a borrower page shows it: every line already in their language. */
export interface DecisionPanel {
  title: string;
  /** "We answered on December 3, 2026." */
  decidedOn: string;
  headline: string;
  whyTitle: string;
  why: string | null;
  noteTitle: string;
  note: string | null;
  nextTitle: string;
  next: string[];
  /** The words of a link to the page with the whole answer. */
  see: string;
}

/**
 * The staff decision on a hardship request for the help page and the overview (the same
 * sentences as the email), or null when the request has no decision with a reason code.
 */
export async function hardshipDecisionPanel(
  request: HardshipRequest | null,
  where: { language: Language; region: string; timeZone: string; currency: string; creditorName: string },
): Promise<DecisionPanel | null> {
  if (!request?.decision || !request.decidedAt) return null;
  const t = await i18nServer.getFixedT(where.language, "hardship");
  const locale = intlLocale(where.language, where.region);
  const day = (instant: Date) => formatCalendarDate(dayIn(instant, where.timeZone), where.language, where.region);
  const words = hardshipDecisionWords(t, request.decision, {
    money: (minor) => formatMoney(minor, where.currency, locale),
    pausedUntil: request.pauseEndsAt ? day(request.pauseEndsAt) : null,
  });
  return {
    title: t("decision.title"),
    decidedOn: t("status.decided", { date: day(request.decidedAt) }),
    whyTitle: t("decisionWords.why"),
    noteTitle: t("decisionWords.note", { creditorName: where.creditorName }),
    nextTitle: t("decisionWords.next"),
    see: t("decision.see"),
    ...words,
  };
}

/** A resolved dispute's answer for the dispute page and the overview, or null while it is open. */
export async function disputeResolutionPanel(
  dispute: Dispute | null,
  where: { language: Language; region: string; timeZone: string; creditorName: string },
): Promise<DecisionPanel | null> {
  if (!dispute || dispute.status !== "resolved" || !dispute.outcome || !dispute.resolvedAt) return null;
  const t = await i18nServer.getFixedT(where.language, "dispute");
  const words = disputeResolutionWords(
    t,
    { outcome: dispute.outcome, reason: dispute.outcomeReason ?? "other", note: dispute.outcomeNote, collectionStopped: dispute.collectionStopped },
    { name: where.creditorName, region: where.region },
  );
  return {
    title: t("email.heading"),
    decidedOn: t("tracker.resolved", { date: formatCalendarDate(dayIn(dispute.resolvedAt, where.timeZone), where.language, where.region) }),
    whyTitle: t("decisionWords.why"),
    noteTitle: t("decisionWords.note", { creditorName: where.creditorName }),
    nextTitle: t("decisionWords.next"),
    see: t("email.button"),
    ...words,
  };
}
