/**
 * The fixed lists of staff decisions on plan requests and their reason codes (ADR 010), alone
 * in a small module so the console page's form and the server share them without the browser
 * loading server code. `app.plan_decision_reason_is_valid` (supabase/migrations/
 * 20261128001000_plan_decisions.sql) checks the same lists; change both together.
 */

export const PLAN_DECISIONS = ["approved", "declined", "countered", "escalated"] as const;
export type PlanDecision = (typeof PLAN_DECISIONS)[number];

export const REASON_CODES = {
  approved: ["affordable", "circumstances_considered", "payment_history", "other"],
  declined: ["not_affordable", "plan_too_long", "discount_too_large", "needs_more_information", "other"],
  countered: ["shorter_plan", "affordable_payments", "different_frequency", "different_start", "other"],
  escalated: ["over_limit", "second_opinion"],
} as const satisfies Record<PlanDecision, readonly string[]>;

export type ReasonCode<D extends PlanDecision = PlanDecision> = (typeof REASON_CODES)[D][number];

export function isReasonCode<D extends PlanDecision>(decision: D, value: unknown): value is ReasonCode<D> {
  return typeof value === "string" && (REASON_CODES[decision] as readonly string[]).includes(value);
}

/** The longest note a staff member may write to the borrower (app.plan_decisions.note). */
export const NOTE_MAX_LENGTH = 1000;

/** How long a counter-offer stays open, at most (it also ends with its first payment's day). */
export const OFFER_DAYS = 14;

/** Who may decide a request that was sent to a supervisor. */
export const SUPERVISOR_ROLES = ["supervisor", "admin"] as const;

export type StaffRole = "agent" | "supervisor" | "admin";

/**
 * The console's view of the database's four-eyes rule (app.require_approval_authority): can
 * this staff member approve (or counter-offer) these amounts on this request? The database
 * decides; the page only chooses between "Approve" and "Send to a supervisor" with it.
 */
export function approvalAuthority(
  staff: { id: string; role: StaffRole; approvalLimitMinor: number },
  request: { escalatedById: string | null },
  amounts: { balanceMinor: number; discountMinor: number },
): "ok" | "over_limit" | "escalated" | "four_eyes" {
  if (request.escalatedById !== null) {
    if (!(SUPERVISOR_ROLES as readonly string[]).includes(staff.role)) return "escalated";
    if (request.escalatedById === staff.id) return "four_eyes";
  }
  if (amounts.balanceMinor > staff.approvalLimitMinor || amounts.discountMinor > staff.approvalLimitMinor) return "over_limit";
  return "ok";
}
