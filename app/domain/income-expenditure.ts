/**
 * A hardship request's income and expenditure (DESIGN §5 item 7), in integer minor units.
 *
 * Pure: no I/O, no clock, no zod. The server (authoritative) and the browser (live totals
 * while the borrower types) run the same code. The categories, frequencies and field names
 * live in income-expenditure-fields.ts.
 *
 * THE MONTHLY RULE (written down here, tested in tests/unit/income-expenditure.test.ts):
 *
 *   monthly = amount × periodsPerYear / 12, rounded to the nearest cent, a half cent UP,
 *   per line, with 52 weekly, 26 fortnightly, 13 four-weekly and 12 monthly periods a year.
 *   So £100 a week is £433.33 a month (433.333…), £100 a fortnight £216.67 (216.666…),
 *   £100 every four weeks £108.33 (108.333…); 3p a fortnight is 7p (6.5p, the half rounds
 *   up) and 6p every four weeks is 7p (6.5p). Weekly amounts never land on a half cent
 *   (52/12 is 13/3: thirds only). Computed with BigInt as floor((amount × periods + 6) / 12),
 *   exact for every amount; no division in floating point, no pounds-and-pence floats.
 *
 *   Why nearest and not up (affordability.ts rounds a plan's payment UP): a statement
 *   restates what the person told us, income and costs alike, so each line is off by at most
 *   half a cent either way and no side of the sum is favoured. A plan's payment is a promise
 *   we ask for, so there we never understate it.
 *
 * THE TOTALS RULE: every total is the sum of the ROUNDED monthly lines, never a rounding of an
 * exact sum, so the figures the borrower (and staff) see always add up on the page.
 *
 *   income     = earnings + benefits + pensions + other_income
 *   outgoings  = fixed costs + flexible costs + savings + priority debts + other debts
 *   surplus    = income − outgoings   (negative: a shortfall each month)
 *   disposableForDebts = max(surplus, 0): the most that can go to this debt each month.
 *
 *   "Debts" are the payments the person makes to OTHER creditors; what they pay on this
 *   account must not be entered as a line, or it would be counted against itself.
 *
 * LINES: `{ category, amountMinor, frequency }`, at most one per category. A zero amount is
 * accepted ("I get no pension") and counts for nothing; it is kept in the summary's lines so
 * the statement shows the answer. A negative amount, one that is not a safe integer, one
 * above IE_MAX_AMOUNT_MINOR, an unknown category or frequency, or a second line for the same
 * category is refused with a typed reason (never an exception), which the routes translate.
 * IE_MAX_AMOUNT_MINOR (10,000,000.00 a period, what a person can type) also keeps every total
 * far below 2^53: 19 lines of at most 4,333,333,333 a month each.
 */
import {
  IE_CATEGORIES,
  IE_PERIODS_PER_YEAR,
  IE_SECTIONS,
  ieAmountField,
  ieFrequencyField,
  isIeCategory,
  isIeFrequency,
  sectionOf,
  type IeAmountField,
  type IeCategory,
  type IeFrequency,
  type IeFrequencyField,
  type IeSection,
} from "~/domain/income-expenditure-fields";
import { MAX_MONEY_INPUT_MINOR, parseMoneyInput, type ParseMoneyFailure } from "~/domain/money";

/** The largest amount one line may hold, per period: 10,000,000.00, as parseMoneyInput allows. */
export const IE_MAX_AMOUNT_MINOR = MAX_MONEY_INPUT_MINOR;

/** One answer on the statement: an amount in minor units and how often it comes or goes. */
export interface IeLine {
  category: IeCategory;
  /** Per period, minor units, a safe integer in 0…IE_MAX_AMOUNT_MINOR. */
  amountMinor: number;
  frequency: IeFrequency;
}

/** A line with its section and its monthly amount under the header's rule. */
export interface IeMonthlyLine extends IeLine {
  section: IeSection;
  /** amountMinor a month, rounded to the nearest minor unit, a half up. */
  monthlyMinor: number;
}

/** The statement a month at a time, all in minor units (header rules). */
export interface IeSummary {
  /** The lines given, in IE_CATEGORIES order, each with its monthly amount. */
  lines: readonly IeMonthlyLine[];
  /** Every category's monthly amount; 0 for categories not given. */
  monthlyByCategoryMinor: Readonly<Record<IeCategory, number>>;
  /** Every section's monthly total: the sum of its lines' monthly amounts. */
  monthlyBySectionMinor: Readonly<Record<IeSection, number>>;
  /** Money in a month: the income section's total. */
  incomeMinor: number;
  /** The fixed costs section's total. */
  fixedCostsMinor: number;
  /** The flexible costs section's total. */
  flexibleCostsMinor: number;
  /** The savings section's total. */
  savingsMinor: number;
  /** Payments to other creditors' priority debts. */
  priorityDebtsMinor: number;
  /** Payments to other creditors' other (non-priority) debts. */
  otherDebtsMinor: number;
  /** fixed + flexible + savings + priority debts + other debts. */
  outgoingsMinor: number;
  /** income − outgoings: positive a surplus, negative a shortfall. */
  surplusMinor: number;
  /** max(surplus, 0): the most that can go to this debt each month. */
  disposableForDebtsMinor: number;
}

/** Why summarize refused a line. */
export type IeLineFailure =
  /** The category is not one of IE_CATEGORIES. */
  | "unknown_category"
  /** The frequency is not one of IE_FREQUENCIES. */
  | "unknown_frequency"
  /** The amount is not a whole number of minor units in the safe-integer range (1.5, NaN, 2^53, "10"). */
  | "not_safe_integer"
  /** The amount is below zero. */
  | "negative"
  /** The amount is above IE_MAX_AMOUNT_MINOR. */
  | "too_large"
  /** A second line for a category already given. */
  | "duplicate_category";

/** The summary, or the first refused line (its position in the input) and why. */
export type SummarizeResult = { ok: true; summary: IeSummary } | { ok: false; reason: IeLineFailure; index: number };

const MONTHS_PER_YEAR = 12n;
const HALF_MONTH = 6n;

type AmountFailure = "not_safe_integer" | "negative" | "too_large";

/** The amount's fault, or null when it is a safe integer in 0…IE_MAX_AMOUNT_MINOR. */
function amountFailure(amount: unknown): AmountFailure | null {
  if (typeof amount !== "number" || !Number.isSafeInteger(amount)) return "not_safe_integer";
  if (amount < 0) return "negative";
  if (amount > IE_MAX_AMOUNT_MINOR) return "too_large";
  return null;
}

/** The line's fault, or null when it can be summarized (duplicates aside). */
function lineFailure(line: IeLine): Exclude<IeLineFailure, "duplicate_category"> | null {
  if (!isIeCategory(line.category)) return "unknown_category";
  if (!isIeFrequency(line.frequency)) return "unknown_frequency";
  return amountFailure(line.amountMinor);
}

/**
 * An amount a period as an amount a month (the header's rule): `toMonthlyMinor(10_000,
 * "weekly")` is 43_333. The amount is the caller's, already checked, so nonsense is a
 * programmer error: an amount that is not a safe integer in 0…IE_MAX_AMOUNT_MINOR, or an
 * unknown frequency, throws RangeError. (summarize checks lines first and never throws.)
 */
export function toMonthlyMinor(amountMinor: number, frequency: IeFrequency): number {
  const failure = isIeFrequency(frequency) ? amountFailure(amountMinor) : "unknown_frequency";
  if (failure !== null) throw new RangeError(`cannot convert ${String(amountMinor)} ${String(frequency)} to monthly: ${failure}`);
  // Round half up of n / 12 for n ≥ 0 is floor((n + 6) / 12); BigInt division floors.
  const yearly = BigInt(amountMinor) * BigInt(IE_PERIODS_PER_YEAR[frequency]);
  return Number((yearly + HALF_MONTH) / MONTHS_PER_YEAR);
}

function zeroRecord<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/**
 * Monthly totals, surplus or shortfall of a statement (header rules). Lines may come in any
 * order; the summary lists them in IE_CATEGORIES order. Categories not given count as 0.
 * A refused line makes the whole result `{ ok: false, reason, index }` for the first one:
 * a statement with a wrong line must not be summarized as if the line were absent.
 */
export function summarize(lines: readonly IeLine[]): SummarizeResult {
  const seen = new Set<IeCategory>();
  for (const [index, line] of lines.entries()) {
    const failure = lineFailure(line);
    if (failure !== null) return { ok: false, reason: failure, index };
    if (seen.has(line.category)) return { ok: false, reason: "duplicate_category", index };
    seen.add(line.category);
  }

  const monthlyLines: IeMonthlyLine[] = lines
    .map((line) => ({
      category: line.category,
      amountMinor: line.amountMinor,
      frequency: line.frequency,
      section: sectionOf(line.category),
      monthlyMinor: toMonthlyMinor(line.amountMinor, line.frequency),
    }))
    .sort((a, b) => IE_CATEGORIES.indexOf(a.category) - IE_CATEGORIES.indexOf(b.category));

  const byCategory = zeroRecord(IE_CATEGORIES);
  const bySection = zeroRecord(IE_SECTIONS);
  // Integers below 2^33 each (IE_MAX_AMOUNT_MINOR × 52 / 12), at most 19 of them: exact.
  for (const line of monthlyLines) {
    byCategory[line.category] += line.monthlyMinor;
    bySection[line.section] += line.monthlyMinor;
  }

  const incomeMinor = bySection.income;
  const outgoingsMinor = bySection.fixed_costs + bySection.flexible_costs + bySection.savings + bySection.debts;
  const surplusMinor = incomeMinor - outgoingsMinor;
  return {
    ok: true,
    summary: {
      lines: monthlyLines,
      monthlyByCategoryMinor: byCategory,
      monthlyBySectionMinor: bySection,
      incomeMinor,
      fixedCostsMinor: bySection.fixed_costs,
      flexibleCostsMinor: bySection.flexible_costs,
      savingsMinor: bySection.savings,
      priorityDebtsMinor: byCategory.priority_debts,
      otherDebtsMinor: byCategory.other_debts,
      outgoingsMinor,
      surplusMinor,
      disposableForDebtsMinor: Math.max(surplusMinor, 0),
    },
  };
}

/** Why an amount field was refused: parseMoneyInput's reasons (a blank amount is not an error). */
export type IeAmountFailure = Exclude<ParseMoneyFailure, "empty">;
/** Why a frequency field was refused: absent or blank while the amount is above zero, or not one of IE_FREQUENCIES. */
export type IeFrequencyFailure = "missing" | "invalid";

/** One refused field of the form, for the route (or the browser) to show next to it. */
export type IeFieldError = { field: IeAmountField; reason: IeAmountFailure } | { field: IeFrequencyField; reason: IeFrequencyFailure };

/** Where the submitted fields come from: FormData, URLSearchParams, a Map… */
export interface IeFormSource {
  get(name: string): unknown;
}

/** The currency's decimals (2 for GBP and USD, 0 for JPY); default 2. */
export interface ParseIeFormOptions {
  fractionDigits?: number;
}

/**
 * The lines of a submitted (or half-typed) form, and every refused field. `lines` always holds
 * the categories whose fields were fine, so the browser can show live totals while one box is
 * still wrong; the server summarizes only when `ok`.
 */
export type ParseIeFormResult = { ok: true; lines: IeLine[] } | { ok: false; lines: IeLine[]; errors: IeFieldError[] };

/**
 * Reads `ie.<category>.amount` and `ie.<category>.frequency` for every category, in
 * IE_CATEGORIES order (errors too, the amount's before the frequency's):
 *
 * - The amount is parsed by parseMoneyInput ("1,200", "1200.5", "$1,200.50", "1 200"),
 *   at most IE_MAX_AMOUNT_MINOR. A blank or absent amount means "not answered":
 *   no line, no error, and its frequency is not read. A refused amount (invalid, negative,
 *   too_many_decimals, too_large) is an error on the amount field, and its frequency is not
 *   checked. A value that is not text (a file) is "invalid".
 * - The frequency must be one of IE_FREQUENCIES, exactly ("invalid" otherwise). When it is
 *   absent or blank it is "missing" if the amount is above zero; a zero amount needs no
 *   frequency and becomes a monthly line of 0.
 *
 * Other fields are ignored. Every line returned passes summarize.
 */
export function parseIeForm(source: IeFormSource, options: ParseIeFormOptions = {}): ParseIeFormResult {
  const lines: IeLine[] = [];
  const errors: IeFieldError[] = [];
  for (const category of IE_CATEGORIES) {
    const amountField = ieAmountField(category);
    const frequencyField = ieFrequencyField(category);
    const amountValue = source.get(amountField);
    if (amountValue === null || amountValue === undefined) continue;
    if (typeof amountValue !== "string") {
      errors.push({ field: amountField, reason: "invalid" });
      continue;
    }
    const parsed = parseMoneyInput(amountValue, { fractionDigits: options.fractionDigits, maxMinor: IE_MAX_AMOUNT_MINOR });
    if (!parsed.ok) {
      if (parsed.reason !== "empty") errors.push({ field: amountField, reason: parsed.reason });
      continue;
    }

    const frequencyValue = source.get(frequencyField);
    if (frequencyValue === null || frequencyValue === undefined || frequencyValue === "") {
      if (parsed.amountMinor > 0) errors.push({ field: frequencyField, reason: "missing" });
      else lines.push({ category, amountMinor: 0, frequency: "monthly" });
      continue;
    }
    if (!isIeFrequency(frequencyValue)) {
      errors.push({ field: frequencyField, reason: "invalid" });
      continue;
    }
    lines.push({ category, amountMinor: parsed.amountMinor, frequency: frequencyValue });
  }
  return errors.length === 0 ? { ok: true, lines } : { ok: false, lines, errors };
}

/** Why checkProposedPayment refused the proposed amount. */
export type ProposedPaymentFailure = "not_safe_integer" | "negative";

/**
 * A proposed monthly payment against the statement, or why the proposal was refused.
 * `fits` ⇔ proposed ≤ maxAffordableMonthlyMinor; `overByMinor` is by how much it does not
 * fit (0 when it does).
 */
export type ProposedPaymentCheck =
  | {
      ok: true;
      fits: boolean;
      proposedMonthlyMinor: number;
      /** The surplus floored at 0 (the summary's disposableForDebtsMinor). */
      maxAffordableMonthlyMinor: number;
      /** max(proposed − maxAffordable, 0). */
      overByMinor: number;
    }
  | { ok: false; reason: ProposedPaymentFailure };

/**
 * "Lower payments": does the monthly amount the borrower proposes fit within their surplus?
 * It fits when it is at most the surplus floored at 0, so with a shortfall only 0 fits (a
 * payment break is its own kind of help; whether 0 is acceptable as a lower payment is the
 * route's call). An amount proposed weekly or fortnightly is turned into a monthly one by
 * affordability.ts's monthlyEquivalentMinor (rounded up) before it is checked here.
 * A proposal that is not a non-negative safe integer is refused with a reason, not thrown.
 */
export function checkProposedPayment(summary: IeSummary, proposedMonthlyMinor: number): ProposedPaymentCheck {
  const proposed: unknown = proposedMonthlyMinor;
  if (typeof proposed !== "number" || !Number.isSafeInteger(proposed)) return { ok: false, reason: "not_safe_integer" };
  if (proposed < 0) return { ok: false, reason: "negative" };
  const maxAffordableMonthlyMinor = Math.max(summary.surplusMinor, 0);
  return {
    ok: true,
    fits: proposed <= maxAffordableMonthlyMinor,
    proposedMonthlyMinor: proposed,
    maxAffordableMonthlyMinor,
    overByMinor: Math.max(proposed - maxAffordableMonthlyMinor, 0),
  };
}
