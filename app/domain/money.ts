/**
 * Money as integer minor units (cents), never floats (DESIGN §1 item 4).
 *
 * Formatting hands Intl a decimal *string* ("1240.50"), so no amount is ever divided by 100
 * in floating point. Parsing reads the typed digits and builds the integer from them.
 * Pure: no I/O, no framework; the server and the browser run the same code.
 */

/** The largest amount a person may type: $10,000,000.00. Far above any balance we serve. */
export const MAX_MONEY_INPUT_MINOR = 1_000_000_000;

export type ParseMoneyFailure =
  /** Nothing but spaces. */
  | "empty"
  /** Not an amount: letters, misplaced separators, more than one decimal point. */
  | "invalid"
  /** A minus sign or parentheses: amounts typed by a person are never negative. */
  | "negative"
  /** Fractions of a cent ("1.005"). */
  | "too_many_decimals"
  /** Above MAX_MONEY_INPUT_MINOR (or the caller's own maximum). */
  | "too_large";

export type ParseMoneyResult = { ok: true; amountMinor: number } | { ok: false; reason: ParseMoneyFailure };

export interface ParseMoneyOptions {
  /** Digits after the decimal point the currency has (2 for USD, 0 for JPY). Default 2. */
  fractionDigits?: number;
  /** The largest accepted amount in minor units. Default MAX_MONEY_INPUT_MINOR. */
  maxMinor?: number;
}

/**
 * Integer minor units to text in the given locale: `formatMoney(124050, "USD", "en-US")` and
 * `formatMoney(124050, "USD", "es-US")` are both "$1,240.50". The currency's own number of
 * decimals is respected (JPY has none).
 */
export function formatMoney(amountMinor: number, currency: string, locale: string): string {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new RangeError(`amountMinor must be a safe integer, got ${amountMinor}`);
  }
  const format = new Intl.NumberFormat(locale, { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorToDecimalString(amountMinor, digits));
}

/**
 * Integer minor units to an exact decimal string: `minorToDecimalString(-5, 2)` is "-0.05".
 * Intl.NumberFormat formats such strings exactly (it never turns them into floats).
 */
export function minorToDecimalString(amountMinor: number, fractionDigits = 2): `${number}` {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new RangeError(`amountMinor must be a safe integer, got ${amountMinor}`);
  }
  const negative = amountMinor < 0;
  const units = String(Math.abs(amountMinor)).padStart(fractionDigits + 1, "0");
  const whole = units.slice(0, units.length - fractionDigits);
  const fraction = units.slice(units.length - fractionDigits);
  return `${negative ? "-" : ""}${whole}${fractionDigits > 0 ? `.${fraction}` : ""}` as `${number}`;
}

// Spaces people (and Intl) put in numbers: ordinary, no-break and narrow no-break.
const SPACE = "[\\s\\u00a0\\u202f]";
const EDGE_SPACES = new RegExp(`^${SPACE}+|${SPACE}+$`, "g");
const INNER_SPACES = new RegExp(`${SPACE}+`, "g");
// An optional currency marker before or after the number: "$", "US$", "USD".
const CURRENCY_PREFIX = new RegExp(`^(?:US\\$|USD|\\$)${SPACE}*`, "i");
const CURRENCY_SUFFIX = new RegExp(`${SPACE}*(?:US\\$|USD|\\$)$`, "i");
// A minus sign (ASCII, Unicode minus, dashes) or accountants' parentheses.
const NEGATIVE = /^[-\u2212\u2012\u2013]|^\(.*\)$/;
// Digits, optionally grouped in threes by commas, then an optional decimal part.
const AMOUNT = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/;

/**
 * What a borrower typed in an amount box, to integer minor units. Accepts "1,240.50",
 * "1240.5", "$1,240.50", " 25 ", "25.", ".50", "1 240.50", "USD 25". Both en-US and es-US
 * write 1,240.50, so a comma (or a space) is only ever a thousands separator, and only
 * between groups of three digits: "12,40" is refused rather than guessed at.
 */
export function parseMoneyInput(text: string, options: ParseMoneyOptions = {}): ParseMoneyResult {
  const fractionDigits = options.fractionDigits ?? 2;
  const maxMinor = options.maxMinor ?? MAX_MONEY_INPUT_MINOR;

  // Refused before any work: nobody types 40 characters for an amount.
  if (text.length > 40) return { ok: false, reason: "invalid" };
  let s = text.replace(EDGE_SPACES, "");
  if (s === "") return { ok: false, reason: "empty" };
  if (NEGATIVE.test(s)) return { ok: false, reason: "negative" };

  const withoutPrefix = s.replace(CURRENCY_PREFIX, "");
  s = withoutPrefix !== s ? withoutPrefix : s.replace(CURRENCY_SUFFIX, "");
  if (NEGATIVE.test(s)) return { ok: false, reason: "negative" };
  if (s.startsWith("+")) s = s.slice(1);
  // "1 240.50": a space between digit groups is a thousands separator, like a comma.
  s = s.replace(INNER_SPACES, ",");

  const match = AMOUNT.exec(s);
  if (!match) return { ok: false, reason: "invalid" };
  const wholeText = (match[1] ?? "").replace(/,/g, "");
  const fractionText = match[2] ?? "";
  if (wholeText === "" && fractionText === "") return { ok: false, reason: "invalid" };
  if (fractionText.length > fractionDigits) return { ok: false, reason: "too_many_decimals" };

  // Compare digit counts first, so a huge input never becomes an imprecise number.
  const whole = wholeText.replace(/^0+/, "");
  const scale = 10 ** fractionDigits;
  if (whole.length > String(Math.floor(maxMinor / scale)).length) return { ok: false, reason: "too_large" };

  // Integers only from here: at most 8 whole digits times 100, far below 2^53.
  const amountMinor = Number(whole || "0") * scale + Number(fractionText.padEnd(fractionDigits, "0") || "0");
  if (amountMinor > maxMinor) return { ok: false, reason: "too_large" };
  return { ok: true, amountMinor };
}
