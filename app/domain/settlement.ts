/**
 * Settlement offers and promises to pay (issue 5 item 1), in integer minor units.
 *
 * Pure: no I/O, no clock; "today" is a calendar date in the creditor's time zone, passed in.
 *
 * THE DISCOUNT RULE: the discount is rounded DOWN to the cent,
 *   discount = floor(balance × discountBps / 10000), settlement = balance − discount,
 * so the discount never exceeds the stated rate, nor therefore the policy's ceiling (30 % of
 * $1.01 is 30.3 cents: the discount is 30 cents, and the borrower pays 71 cents). The
 * product is computed with BigInt, exact for any safe-integer balance.
 *
 * A settlement is one payment or up to 3 monthly payments from the start date (month ends as
 * in schedule.ts), the last within 3 months of today, split by the schedule's remainder rule
 * (schedule.ts header: equal payments, the last takes what is left and is never larger).
 */
import { type CalendarDate } from "@internationalized/date";
import { type Installment, installmentDate, parseCalendarDate, splitEvenly } from "~/domain/schedule";

/** The most payments a settlement may be split into. */
export const MAX_SETTLEMENT_PAYMENTS = 3;
/** A settlement's last payment falls within this many months of today. */
export const SETTLEMENT_WITHIN_MONTHS = 3;

export interface SettlementInput {
  balanceMinor: number;
  /** Basis points off the balance: 1500 = 15 % off. 0 to 9999. */
  discountBps: number;
  payments: 1 | 2 | 3;
  /** The first payment's date, "YYYY-MM-DD"; today or later. */
  startDate: string;
  /** Today in the creditor's time zone, "YYYY-MM-DD". */
  today: string;
}

export type SettlementFailure =
  | "invalid_balance"
  | "invalid_discount"
  | "invalid_payments"
  | "invalid_start_date"
  | "invalid_today"
  /** The first payment would be before today. */
  | "start_in_past"
  /** The last payment would be more than SETTLEMENT_WITHIN_MONTHS months after today. */
  | "ends_too_late"
  /** A few cents that the remainder rule cannot split into that many positive payments
   * (1 cent in 2; 1, 2 or 4 cents in 3). */
  | "amount_too_small_to_split";

export type SettlementResult =
  | {
      ok: true;
      balanceMinor: number;
      discountBps: number;
      /** floor(balance × bps / 10000). */
      discountMinor: number;
      /** What the borrower pays in all: balance − discount. */
      settlementMinor: number;
      installments: Installment[];
      lastDueOn: string;
    }
  | { ok: false; reason: SettlementFailure };

const isPositiveSafeInteger = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value > 0;

/** floor(balance × bps / 10000), exact (BigInt): the discount rule in the header. */
export function settlementDiscountMinor(balanceMinor: number, discountBps: number): number {
  return Number((BigInt(balanceMinor) * BigInt(discountBps)) / 10_000n);
}

/** A settlement offer by the rules in the header. Never throws. */
export function buildSettlement(input: SettlementInput): SettlementResult {
  const { balanceMinor, discountBps, payments, startDate, today } = input;
  if (!isPositiveSafeInteger(balanceMinor)) return { ok: false, reason: "invalid_balance" };
  if (!Number.isInteger(discountBps) || discountBps < 0 || discountBps > 9_999) {
    return { ok: false, reason: "invalid_discount" };
  }
  if (payments !== 1 && payments !== 2 && payments !== 3) return { ok: false, reason: "invalid_payments" };
  const todayDate = parseCalendarDate(today);
  if (!todayDate) return { ok: false, reason: "invalid_today" };
  const start = parseCalendarDate(startDate);
  if (!start) return { ok: false, reason: "invalid_start_date" };
  if (start.compare(todayDate) < 0) return { ok: false, reason: "start_in_past" };

  const dates: CalendarDate[] = [];
  for (let index = 0; index < payments; index++) dates.push(installmentDate(start, "monthly", index));
  const last = dates[dates.length - 1] ?? start;
  if (last.compare(todayDate.add({ months: SETTLEMENT_WITHIN_MONTHS })) > 0) {
    return { ok: false, reason: "ends_too_late" };
  }

  const discountMinor = settlementDiscountMinor(balanceMinor, discountBps);
  const settlementMinor = balanceMinor - discountMinor;
  const split = splitEvenly(settlementMinor, payments);
  if (!split) return { ok: false, reason: "amount_too_small_to_split" };
  const installments = dates.map((date, index) => ({
    dueOn: date.toString(),
    amountMinor: index === payments - 1 ? split.lastMinor : split.regularMinor,
  }));
  return {
    ok: true,
    balanceMinor,
    discountBps,
    discountMinor,
    settlementMinor,
    installments,
    lastDueOn: last.toString(),
  };
}

export interface PromiseInput {
  /** What the borrower promises to pay, minor units; at most the balance. */
  amountMinor: number;
  /** When, "YYYY-MM-DD"; today or later. */
  dueOn: string;
  /** Today in the creditor's time zone, "YYYY-MM-DD". */
  today: string;
  balanceMinor: number;
}

export type PromiseFailure =
  | "invalid_amount"
  | "invalid_balance"
  | "invalid_due_date"
  | "invalid_today"
  /** More than the balance. */
  | "amount_above_balance"
  /** Before today. */
  | "due_in_past";

export type PromiseResult =
  | { ok: true; amountMinor: number; dueOn: string; clearsBalance: boolean; installments: Installment[] }
  | { ok: false; reason: PromiseFailure };

/**
 * A promise to pay a stated amount on a date. How late it may be is the policy's question
 * (latestFirstPaymentDays, plan-policy-check.ts). Never throws.
 */
export function buildPromise(input: PromiseInput): PromiseResult {
  const { amountMinor, dueOn, today, balanceMinor } = input;
  if (!isPositiveSafeInteger(amountMinor)) return { ok: false, reason: "invalid_amount" };
  if (!isPositiveSafeInteger(balanceMinor)) return { ok: false, reason: "invalid_balance" };
  const todayDate = parseCalendarDate(today);
  if (!todayDate) return { ok: false, reason: "invalid_today" };
  const due = parseCalendarDate(dueOn);
  if (!due) return { ok: false, reason: "invalid_due_date" };
  if (amountMinor > balanceMinor) return { ok: false, reason: "amount_above_balance" };
  if (due.compare(todayDate) < 0) return { ok: false, reason: "due_in_past" };
  return {
    ok: true,
    amountMinor,
    dueOn: due.toString(),
    clearsBalance: amountMinor === balanceMinor,
    installments: [{ dueOn: due.toString(), amountMinor }],
  };
}
