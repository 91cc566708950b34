/**
 * "Can I afford this?" (issue 5, the simulator's budget check), in integer minor units.
 *
 * Pure: no I/O, no clock. The borrower types a monthly income and monthly essential costs
 * (parsed by money.ts); the regular payment and its frequency come from schedule.ts.
 *
 * THE MONTHLY EQUIVALENT RULE (written down here, tested in tests/unit/affordability.test.ts):
 *
 *   monthly = ceil(payment × paymentsPerYear / 12), rounded UP to the cent,
 *   with 52 weekly payments a year, 26 every two weeks and 12 monthly. So $100 a week is
 *   $433.34 a month (433.33… rounded up), $100 every two weeks $216.67, $100 a month $100.
 *   Rounding up never tells a borrower a plan costs less than it does. Computed with BigInt,
 *   exact for any safe-integer amount.
 *
 * THE AFFORDABILITY RULE:
 *
 *   leftOver = income − essential costs (negative when costs exceed income);
 *   affordable ⇔ monthly equivalent of the regular payment ≤ leftOver;
 *   suggested  = the largest per-frequency payment p ≥ 1 cent whose monthly equivalent is
 *                ≤ leftOver, i.e. floor(leftOver × 12 / paymentsPerYear) (ceil(x) ≤ L ⇔ x ≤ L
 *                for a whole L), or null when no such payment exists (leftOver ≤ 0, or a
 *                few cents too little for one cent a week).
 *   So the suggestion is always affordable, and one cent more is not.
 *
 * INPUTS: the amounts are the caller's, already parsed, so nonsense is a programmer error:
 * income and costs must be non-negative safe integers and the regular payment a positive
 * safe integer, else RangeError (as money.ts's formatMoney does). A monthly equivalent
 * beyond Number.MAX_SAFE_INTEGER (a payment above $20 trillion a week) is a RangeError too.
 */
import type { PlanFrequency } from "~/domain/plan-frequency";

/** How many regular payments of each frequency fall in a year. */
export const PAYMENTS_PER_YEAR: Readonly<Record<PlanFrequency, number>> = {
  weekly: 52,
  every_two_weeks: 26,
  monthly: 12,
};

const MONTHS_PER_YEAR = 12n;

export interface AffordabilityInput {
  /** Monthly income after tax, minor units, ≥ 0. */
  incomeMinor: number;
  /** Monthly essential costs (rent, food, bills), minor units, ≥ 0. */
  essentialCostsMinor: number;
  /** The plan's regular payment, minor units, > 0. */
  regularPaymentMinor: number;
  frequency: PlanFrequency;
}

export interface AffordabilityResult {
  /** income − essential costs; negative when costs exceed income. */
  leftOverMinor: number;
  /** The regular payment's monthly equivalent (header rule). */
  monthlyPaymentMinor: number;
  /** monthlyPaymentMinor ≤ leftOverMinor. */
  affordable: boolean;
  /** The largest affordable payment at the same frequency, or null when none is. */
  suggestedPaymentMinor: number | null;
}

function paymentsPerYear(frequency: PlanFrequency): bigint {
  const count = Object.hasOwn(PAYMENTS_PER_YEAR, frequency) ? PAYMENTS_PER_YEAR[frequency] : undefined;
  if (count === undefined) throw new RangeError(`unknown frequency ${String(frequency)}`);
  return BigInt(count);
}

function requireSafeInteger(name: string, value: number, min: 0 | 1): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be a ${min === 0 ? "non-negative" : "positive"} safe integer, got ${String(value)}`);
  }
}

/**
 * What a regular payment costs per month, rounded up to the cent (header rule):
 * `monthlyEquivalentMinor(10_000, "weekly")` is 43_334. Throws RangeError for an amount that
 * is not a non-negative safe integer, or an unknown frequency.
 */
export function monthlyEquivalentMinor(amountMinor: number, frequency: PlanFrequency): number {
  requireSafeInteger("amountMinor", amountMinor, 0);
  const numerator = BigInt(amountMinor) * paymentsPerYear(frequency);
  // ceil(n / 12) for n ≥ 0, in exact integers.
  const monthly = (numerator + MONTHS_PER_YEAR - 1n) / MONTHS_PER_YEAR;
  if (monthly > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`the monthly equivalent of ${amountMinor} ${frequency} is not a safe integer`);
  }
  return Number(monthly);
}

/** Whether a regular payment fits what is left each month, and what would (header rules). */
export function checkAffordability(input: AffordabilityInput): AffordabilityResult {
  const { incomeMinor, essentialCostsMinor, regularPaymentMinor, frequency } = input;
  requireSafeInteger("incomeMinor", incomeMinor, 0);
  requireSafeInteger("essentialCostsMinor", essentialCostsMinor, 0);
  requireSafeInteger("regularPaymentMinor", regularPaymentMinor, 1);
  const perYear = paymentsPerYear(frequency);

  const leftOverMinor = incomeMinor - essentialCostsMinor;
  const monthlyPaymentMinor = monthlyEquivalentMinor(regularPaymentMinor, frequency);
  // floor(leftOver × 12 / perYear) ≤ leftOver, so a safe integer.
  const suggested = leftOverMinor > 0 ? Number((BigInt(leftOverMinor) * MONTHS_PER_YEAR) / perYear) : 0;
  return {
    leftOverMinor,
    monthlyPaymentMinor,
    affordable: monthlyPaymentMinor <= leftOverMinor,
    suggestedPaymentMinor: suggested >= 1 ? suggested : null,
  };
}
