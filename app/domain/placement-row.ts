/**
 * One row of a lender's placement file (issue 8 item 5; ADR 009): the columns a file may
 * have, the header check, and the zod schema that turns a row's cells into the values the
 * database stores, or into problems with a code per column. Pure: no I/O, no framework.
 *
 * What a cell may hold:
 * - amounts: "1200", "1,200", "1200.5", "$1,200.50", " 1 200 ", "USD 25" (app/domain/money.ts:
 *   a comma or a space only ever separates thousands), to exact minor units; never negative;
 * - dates: 2024-03-04, 2024/03/04, 20240304, 4 Mar 2024, March 4, 2024, 4-mar-2024,
 *   4 de marzo de 2024, and day/month/year or month/day/year when only one reading is a
 *   date (31/01/2024, 01/31/2024, 05/05/2024). "03/04/2024" could be 3 April or 4 March: it
 *   is refused with both readings in the message, never guessed. Two-digit years are refused.
 *   A time of exactly midnight after the date (spreadsheets add one) is ignored.
 * - email lower-cased; a phone as E.164 (or, for a US or Canadian creditor, 10 digits);
 *   language en/es (also English, Spanish, Español, en-US, es-MX...); an IANA time zone.
 *
 * Problems are codes (translated where they are shown: public/locales/<lng>/ops-import.json,
 * `problems.<code>`) with a few parameters, never the cell's text: a report of problems must
 * not copy a borrower's details around.
 */
import { z } from "zod";
import { parseMoneyInput } from "./money";

// ---------------------------------------------------------------------------------------
// Columns

/** Every column a placement file may have, in the order the template lists them. */
export const PLACEMENT_COLUMNS = [
  "account_reference",
  "customer_reference",
  "full_name",
  "email",
  "phone",
  "language",
  "time_zone",
  "date_of_birth",
  "postal_code",
  "product",
  "original_creditor",
  "opened_on",
  "first_missed_payment_on",
  "charged_off_on",
  "itemization_date",
  "original_amount",
  "interest_rate",
  "principal_balance",
  "interest_balance",
  "fees_balance",
  "currency",
] as const;
export type PlacementColumn = (typeof PLACEMENT_COLUMNS)[number];

/** Columns every file must have (a cell may still be empty where the column allows it). */
export const REQUIRED_COLUMNS: readonly PlacementColumn[] = [
  "account_reference",
  "full_name",
  "product",
  "opened_on",
  "original_amount",
  "principal_balance",
  "interest_balance",
  "fees_balance",
];

/** A file must have at least one of these: the fact a borrower confirms after opening a link. */
export const IDENTITY_COLUMNS: readonly PlacementColumn[] = ["date_of_birth", "postal_code"];

/** Other names lenders' systems use for a column. */
const COLUMN_ALIASES: Readonly<Record<string, PlacementColumn>> = {
  reference: "account_reference",
  account_ref: "account_reference",
  account_number: "account_reference",
  customer_ref: "customer_reference",
  customer_number: "customer_reference",
  name: "full_name",
  email_address: "email",
  phone_number: "phone",
  dob: "date_of_birth",
  birth_date: "date_of_birth",
  zip: "postal_code",
  zip_code: "postal_code",
  postcode: "postal_code",
  timezone: "time_zone",
};

/** A header cell as compared: trimmed, lower case, spaces and hyphens as underscores. */
export function normalizeHeaderName(cell: string): string {
  return cell
    .replace(/^\uFEFF/, "")
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

export type HeaderProblem =
  | { code: "header_missing_column"; column: PlacementColumn; params: Record<string, never> }
  | { code: "header_identity_column"; column: null; params: Record<string, never> }
  | { code: "header_unknown_column"; column: null; params: { header: string; position: number; suggestion?: PlacementColumn } }
  | { code: "header_duplicate_column"; column: PlacementColumn; params: { position: number } }
  | { code: "header_empty_column"; column: null; params: { position: number } };

export type HeaderCheck = { ok: true; columns: PlacementColumn[] } | { ok: false; problems: HeaderProblem[] };

/** The damerau-levenshtein distance (adjacent swaps count one), for "did you mean". */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known column a misspelt header most likely meant, if one is close enough. */
export function suggestColumn(name: string): PlacementColumn | undefined {
  let best: { column: PlacementColumn; distance: number } | undefined;
  for (const column of PLACEMENT_COLUMNS) {
    const distance = editDistance(name, column);
    if (!best || distance < best.distance) best = { column, distance };
  }
  if (!best) return undefined;
  // Two edits for names of up to 8 letters ("emial", "prodcut"), three for longer ones.
  return best.distance <= (name.length <= 8 ? 2 : 3) ? best.column : undefined;
}

/**
 * Checks the header row: every cell a known column (or alias), none twice, the required ones
 * and one identity column present. All problems at once, so the lender fixes them in one go.
 * Positions are 1-based, as a spreadsheet numbers columns.
 */
export function checkPlacementHeader(cells: readonly string[]): HeaderCheck {
  const problems: HeaderProblem[] = [];
  const columns: PlacementColumn[] = [];
  const seen = new Set<PlacementColumn>();
  cells.forEach((cell, index) => {
    const position = index + 1;
    const name = normalizeHeaderName(cell);
    if (name === "") {
      problems.push({ code: "header_empty_column", column: null, params: { position } });
      return;
    }
    const column = (PLACEMENT_COLUMNS as readonly string[]).includes(name) ? (name as PlacementColumn) : COLUMN_ALIASES[name];
    if (!column) {
      const suggestion = suggestColumn(name);
      // The header as written (trimmed, at most 60 characters) so the lender can find it.
      const header = cell.trim().replace(/[\p{Cc}]/gu, "").slice(0, 60);
      problems.push({ code: "header_unknown_column", column: null, params: suggestion ? { header, position, suggestion } : { header, position } });
      return;
    }
    if (seen.has(column)) {
      problems.push({ code: "header_duplicate_column", column, params: { position } });
      return;
    }
    seen.add(column);
    columns.push(column);
  });
  for (const column of REQUIRED_COLUMNS) {
    if (!seen.has(column)) problems.push({ code: "header_missing_column", column, params: {} });
  }
  if (!IDENTITY_COLUMNS.some((column) => seen.has(column))) problems.push({ code: "header_identity_column", column: null, params: {} });
  return problems.length === 0 ? { ok: true, columns: cellsToColumns(cells) } : { ok: false, problems };
}

function cellsToColumns(cells: readonly string[]): PlacementColumn[] {
  return cells.map((cell) => {
    const name = normalizeHeaderName(cell);
    return (PLACEMENT_COLUMNS as readonly string[]).includes(name) ? (name as PlacementColumn) : COLUMN_ALIASES[name]!;
  });
}

// ---------------------------------------------------------------------------------------
// Dates

export type DateResult =
  | { ok: true; iso: string }
  | { ok: false; reason: "invalid" | "two_digit_year" | "out_of_range" }
  | { ok: false; reason: "ambiguous"; readings: [string, string] };

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, january: 1, ene: 1, enero: 1,
  feb: 2, february: 2, febrero: 2,
  mar: 3, march: 3, marzo: 3,
  apr: 4, april: 4, abr: 4, abril: 4,
  may: 5, mayo: 5,
  jun: 6, june: 6, junio: 6,
  jul: 7, july: 7, julio: 7,
  aug: 8, august: 8, ago: 8, agosto: 8,
  sep: 9, sept: 9, september: 9, septiembre: 9, setiembre: 9,
  oct: 10, october: 10, octubre: 10,
  nov: 11, november: 11, noviembre: 11,
  dec: 12, december: 12, dic: 12, diciembre: 12,
};

const EARLIEST_YEAR = 1900;
const LATEST_YEAR = 2100;

function isoDate(year: number, month: number, day: number): string | null {
  if (year < EARLIEST_YEAR || year > LATEST_YEAR || month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function yearOf(text: string): number | "two_digit" {
  return text.length === 4 ? Number(text) : "two_digit";
}

/** A date as a lender's system or a spreadsheet writes it, to YYYY-MM-DD (see the header). */
export function parsePlacementDate(text: string): DateResult {
  const s = text
    .trim()
    // Spreadsheets add a midnight time: "2024-03-04 00:00:00", "3/4/2024 0:00", "...T00:00:00Z".
    .replace(/(?:[ T]0?0:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?)$/i, "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
  if (s.length === 0 || s.length > 40) return { ok: false, reason: "invalid" };

  const valid = (year: number, month: number, day: number): DateResult => {
    if (year < EARLIEST_YEAR || year > LATEST_YEAR) return { ok: false, reason: "out_of_range" };
    const iso = isoDate(year, month, day);
    return iso ? { ok: true, iso } : { ok: false, reason: "invalid" };
  };

  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return valid(Number(m[1]), Number(m[2]), Number(m[3]));

  m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d+)$/.exec(s);
  if (m) {
    const year = yearOf(m[3]!);
    if (year === "two_digit") return { ok: false, reason: m[3]!.length === 2 ? "two_digit_year" : "invalid" };
    const a = Number(m[1]);
    const b = Number(m[2]);
    const dayFirst = isoDate(year, b, a);
    const monthFirst = isoDate(year, a, b);
    if (year < EARLIEST_YEAR || year > LATEST_YEAR) return { ok: false, reason: "out_of_range" };
    if (dayFirst && monthFirst && dayFirst !== monthFirst) return { ok: false, reason: "ambiguous", readings: [monthFirst, dayFirst] };
    const iso = dayFirst ?? monthFirst;
    return iso ? { ok: true, iso } : { ok: false, reason: "invalid" };
  }

  // 4 Mar 2024, 4-mar-2024, 4 de marzo de 2024, 4. März wouldn't match (not a month we know).
  m = /^(\d{1,2})(?:[\s\-/.]+|\s*de\s+)([a-z]+)\.?(?:,?[\s\-/.]+|\s+de\s+)(\d+)$/.exec(s);
  if (m && MONTHS[m[2]!] !== undefined) {
    const year = yearOf(m[3]!);
    if (year === "two_digit") return { ok: false, reason: m[3]!.length === 2 ? "two_digit_year" : "invalid" };
    return valid(year, MONTHS[m[2]!]!, Number(m[1]));
  }
  // Mar 4, 2024; March 4 2024.
  m = /^([a-z]+)\.?[\s\-/]+(\d{1,2}),?[\s\-/]+(\d+)$/.exec(s);
  if (m && MONTHS[m[1]!] !== undefined) {
    const year = yearOf(m[3]!);
    if (year === "two_digit") return { ok: false, reason: m[3]!.length === 2 ? "two_digit_year" : "invalid" };
    return valid(year, MONTHS[m[1]!]!, Number(m[2]));
  }
  return { ok: false, reason: "invalid" };
}

// ---------------------------------------------------------------------------------------
// Amounts, rates, codes, contact details

/** Minor-unit digits of a currency (2 for USD, 0 for JPY), as Intl knows them. */
export function currencyFractionDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** The ledger refuses amounts of 10^12 minor units and more. */
export const MAX_PLACEMENT_AMOUNT_MINOR = 999_999_999_999;

export type AmountResult = { ok: true; amountMinor: number } | { ok: false; reason: "invalid" | "negative" | "too_many_decimals" | "too_large" | "empty" };

/** "1,200", "$1,200.50", "1200.5", " 1 200 " to exact minor units (app/domain/money.ts). */
export function parsePlacementAmount(text: string, fractionDigits = 2): AmountResult {
  const parsed = parseMoneyInput(text, { fractionDigits, maxMinor: MAX_PLACEMENT_AMOUNT_MINOR });
  return parsed.ok ? { ok: true, amountMinor: parsed.amountMinor } : { ok: false, reason: parsed.reason };
}

/** "24.99", "24.99 %", "0" (a yearly percentage) to basis points (2499); at most 1000 %. */
export function parseInterestRate(text: string): { ok: true; bps: number } | { ok: false } {
  const m = /^(\d{1,4})(?:[.,](\d{1,2}))?\s*%?$/.exec(text.trim());
  if (!m) return { ok: false };
  const bps = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return bps <= 100_000 ? { ok: true, bps } : { ok: false };
}

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
const PRODUCT = /^[a-z][a-z0-9_]{0,62}$/;

/** "+1 (212) 555-0101" → "+12125550101"; 10 digits are a North American number for a US or CA creditor. */
export function normalizePhone(text: string, region: string): string | null {
  const trimmed = text.trim();
  const digits = trimmed.replace(/[\s().\-/]/g, "");
  if (/^\+[1-9]\d{6,14}$/.test(digits)) return digits;
  if (/^00[1-9]\d{6,14}$/.test(digits)) return `+${digits.slice(2)}`;
  if (region === "US" || region === "CA") {
    if (/^[2-9]\d{9}$/.test(digits)) return `+1${digits}`;
    if (/^1[2-9]\d{9}$/.test(digits)) return `+${digits}`;
  }
  return null;
}

/** The portal's language for what a lender's file says: en or es; null when unknown. */
export function normalizeLanguage(text: string): "en" | "es" | null {
  const s = text
    .trim()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
  if (/^(en([-_][a-z]{2})?|eng|english|ingles)$/.test(s)) return "en";
  if (/^(es([-_][a-z0-9]{2,3})?|spa|spanish|espanol|castellano)$/.test(s)) return "es";
  return null;
}

// Building an Intl.DateTimeFormat costs about 0.1 ms; a file names a handful of zones.
const zoneCache = new Map<string, string | null>();

/** An IANA zone name ("America/New_York", any case) in the form the database stores, or null. */
export function normalizeTimeZone(text: string): string | null {
  const cached = zoneCache.get(text);
  if (cached !== undefined) return cached;
  const zone = readTimeZone(text);
  if (zoneCache.size < 1000) zoneCache.set(text, zone);
  return zone;
}

function readTimeZone(text: string): string | null {
  const s = text.trim();
  if (!/^[A-Za-z][A-Za-z_-]*(\/[A-Za-z0-9_+-]+)+$/.test(s) && s.toUpperCase() !== "UTC") return null;
  try {
    const zone = new Intl.DateTimeFormat("en-US", { timeZone: s }).resolvedOptions().timeZone;
    // Intl answers some zones by another name (Etc/UTC); keep what the lender wrote, cased as Intl knows it.
    return zone.toLowerCase() === s.toLowerCase() ? zone : s.toUpperCase() === "UTC" ? "UTC" : s;
  } catch {
    return null;
  }
}

/** A US ZIP (12345 or 12345-6789) for a US creditor; else letters, digits, spaces and hyphens. */
export function normalizePostalCode(text: string, region: string): string | null {
  const s = text.trim().toUpperCase().replace(/\s+/g, " ");
  if (region === "US") return /^\d{5}(-\d{4})?$/.test(s) ? s : null;
  return /^[A-Z0-9][A-Z0-9 -]{1,14}[A-Z0-9]$/.test(s) ? s : null;
}

// ---------------------------------------------------------------------------------------
// The row schema

export const PLACEMENT_PROBLEM_CODES = [
  "required",
  "text_too_long",
  "text_invalid",
  "reference_invalid",
  "product_invalid",
  "amount_invalid",
  "amount_negative",
  "amount_too_many_decimals",
  "amount_too_large",
  "amount_zero",
  "date_invalid",
  "date_ambiguous",
  "date_two_digit_year",
  "date_out_of_range",
  "date_after_as_of",
  "date_before_opened",
  "email_invalid",
  "phone_invalid",
  "language_unknown",
  "time_zone_unknown",
  "postal_code_invalid",
  "rate_invalid",
  "currency_mismatch",
  "identity_missing",
  "column_count",
] as const;
export type PlacementProblemCode = (typeof PLACEMENT_PROBLEM_CODES)[number];

export interface PlacementProblem {
  /** The column concerned; null for the row as a whole. */
  column: PlacementColumn | null;
  code: PlacementProblemCode;
  params: Record<string, string | number>;
}

export interface PlacementContext {
  /** The file's as-of date (YYYY-MM-DD): no date in a row may be after it. */
  asOf: string;
  /** The creditor's currency (ISO 4217): amounts are in it. */
  currency: string;
  /** The creditor's region (ISO 3166-1): how phone numbers and postal codes are read. */
  region: string;
}

const CONTROL = /[\p{Cc}\p{Cf}]/u;
const Cell = z.string().max(10_000);

type Ctx = z.RefinementCtx;

function problem(ctx: Ctx, code: PlacementProblemCode, params: Record<string, string | number> = {}): typeof z.NEVER {
  ctx.addIssue({ code: "custom", message: code, params });
  return z.NEVER;
}

/** Empty (after trimming) → null; absent column → undefined. */
function optional<T>(parse: (text: string, ctx: Ctx) => T) {
  return Cell.optional().transform((value, ctx): T | null | undefined => {
    if (value === undefined) return undefined;
    const text = value.trim();
    return text === "" ? null : parse(text, ctx);
  });
}

function required<T>(parse: (text: string, ctx: Ctx) => T) {
  return Cell.transform((value, ctx): T => {
    const text = value.trim();
    return text === "" ? problem(ctx, "required") : parse(text, ctx);
  });
}

function text(max: number) {
  return (value: string, ctx: Ctx): string => {
    const collapsed = value.replace(/\s+/g, " ");
    if (CONTROL.test(collapsed)) return problem(ctx, "text_invalid");
    if (collapsed.length > max) return problem(ctx, "text_too_long", { max });
    return collapsed;
  };
}

function reference(value: string, ctx: Ctx): string {
  return REFERENCE.test(value) ? value : problem(ctx, "reference_invalid");
}

function date(value: string, ctx: Ctx): string {
  const parsed = parsePlacementDate(value);
  if (parsed.ok) return parsed.iso;
  if (parsed.reason === "ambiguous") return problem(ctx, "date_ambiguous", { month_first: parsed.readings[0], day_first: parsed.readings[1] });
  return problem(ctx, `date_${parsed.reason === "two_digit_year" ? "two_digit_year" : parsed.reason === "out_of_range" ? "out_of_range" : "invalid"}`);
}

function amount(fractionDigits: number) {
  return (value: string, ctx: Ctx): number => {
    const parsed = parsePlacementAmount(value, fractionDigits);
    if (parsed.ok) return parsed.amountMinor;
    return problem(ctx, parsed.reason === "empty" ? "required" : `amount_${parsed.reason}`);
  };
}

/** What a valid row becomes: the values the database stores (undefined: the file has no such column). */
export interface PlacementRow {
  reference: string;
  customerReference?: string | null;
  fullName: string;
  email?: string | null;
  phone?: string | null;
  language?: "en" | "es" | null;
  timeZone?: string | null;
  dateOfBirth?: string | null;
  postalCode?: string | null;
  product: string;
  originalCreditor?: string | null;
  openedOn: string;
  firstMissedPaymentOn?: string | null;
  chargedOffOn?: string | null;
  itemizationDate?: string | null;
  originalAmountMinor: number;
  interestRateBps?: number | null;
  principalMinor: number;
  interestMinor: number;
  feesMinor: number;
}

const EmailSchema = z.email();

/**
 * The schema of one row, for one file: cells by column code (only the file's columns) in,
 * a PlacementRow out, or issues whose `message` is a PlacementProblemCode and whose `path`
 * is the column. Build it once per file.
 */
export function placementRowSchema(context: PlacementContext) {
  const digits = currencyFractionDigits(context.currency);
  const money = amount(digits);
  const zeroWhenEmpty = Cell.transform((value, ctx): number => (value.trim() === "" ? 0 : money(value.trim(), ctx)));
  return z
    .object({
      account_reference: required(reference),
      customer_reference: optional(reference),
      full_name: required(text(200)),
      email: optional((value, ctx) => {
        const email = value.toLowerCase();
        return email.length <= 254 && EmailSchema.safeParse(email).success ? email : problem(ctx, "email_invalid");
      }),
      phone: optional((value, ctx) => normalizePhone(value, context.region) ?? problem(ctx, "phone_invalid")),
      language: optional((value, ctx) => normalizeLanguage(value) ?? problem(ctx, "language_unknown")),
      time_zone: optional((value, ctx) => normalizeTimeZone(value) ?? problem(ctx, "time_zone_unknown")),
      date_of_birth: optional((value, ctx) => {
        const parsed = parsePlacementDate(value);
        if (!parsed.ok) return date(value, ctx);
        return parsed.iso > context.asOf ? problem(ctx, "date_after_as_of", { as_of: context.asOf }) : parsed.iso;
      }),
      postal_code: optional((value, ctx) => normalizePostalCode(value, context.region) ?? problem(ctx, "postal_code_invalid")),
      product: required((value, ctx) => {
        const code = value.toLowerCase().replace(/[\s-]+/g, "_");
        return PRODUCT.test(code) ? code : problem(ctx, "product_invalid");
      }),
      original_creditor: optional(text(200)),
      opened_on: required(date),
      first_missed_payment_on: optional(date),
      charged_off_on: optional(date),
      itemization_date: optional(date),
      original_amount: required((value, ctx) => {
        const minor = money(value, ctx);
        return minor === 0 ? problem(ctx, "amount_zero") : minor;
      }),
      interest_rate: optional((value, ctx) => {
        const rate = parseInterestRate(value);
        return rate.ok ? rate.bps : problem(ctx, "rate_invalid");
      }),
      principal_balance: required(money),
      interest_balance: zeroWhenEmpty,
      fees_balance: zeroWhenEmpty,
      currency: optional((value, ctx) => (value.toUpperCase() === context.currency ? value.toUpperCase() : problem(ctx, "currency_mismatch", { currency: context.currency }))),
    })
    .superRefine((row, ctx) => {
      const at = (column: PlacementColumn, code: PlacementProblemCode, params: Record<string, string | number> = {}) =>
        ctx.addIssue({ code: "custom", message: code, path: [column], params });
      if (row.opened_on > context.asOf) at("opened_on", "date_after_as_of", { as_of: context.asOf });
      for (const column of ["first_missed_payment_on", "charged_off_on", "itemization_date"] as const) {
        const value = row[column];
        if (!value) continue;
        if (value < row.opened_on) at(column, "date_before_opened");
        else if (value > context.asOf) at(column, "date_after_as_of", { as_of: context.asOf });
      }
      if (!row.date_of_birth && !row.postal_code) {
        ctx.addIssue({ code: "custom", message: "identity_missing", path: [], params: {} });
      }
    })
    .transform(
      (row): PlacementRow => ({
        reference: row.account_reference,
        customerReference: row.customer_reference,
        fullName: row.full_name,
        email: row.email,
        phone: row.phone,
        language: row.language,
        timeZone: row.time_zone,
        dateOfBirth: row.date_of_birth,
        postalCode: row.postal_code,
        product: row.product,
        originalCreditor: row.original_creditor,
        openedOn: row.opened_on,
        firstMissedPaymentOn: row.first_missed_payment_on,
        chargedOffOn: row.charged_off_on,
        itemizationDate: row.itemization_date,
        originalAmountMinor: row.original_amount,
        interestRateBps: row.interest_rate,
        principalMinor: row.principal_balance,
        interestMinor: row.interest_balance,
        feesMinor: row.fees_balance,
      }),
    );
}
export type PlacementRowSchema = ReturnType<typeof placementRowSchema>;

export type PlacementRowResult = { ok: true; row: PlacementRow } | { ok: false; problems: PlacementProblem[] };

/** At most this many problems are reported per row (one per column, in column order). */
export const MAX_PROBLEMS_PER_ROW = 10;

/** Validates one row's cells (by column code) with the file's schema. */
export function validatePlacementRow(schema: PlacementRowSchema, cells: Partial<Record<PlacementColumn, string>>): PlacementRowResult {
  const parsed = schema.safeParse(cells);
  if (parsed.success) return { ok: true, row: parsed.data };
  const problems: PlacementProblem[] = [];
  const seen = new Set<string>();
  for (const issue of parsed.error.issues) {
    const column = typeof issue.path[0] === "string" && (PLACEMENT_COLUMNS as readonly string[]).includes(issue.path[0]) ? (issue.path[0] as PlacementColumn) : null;
    const code = (PLACEMENT_PROBLEM_CODES as readonly string[]).includes(issue.message) ? (issue.message as PlacementProblemCode) : "text_invalid";
    const key = `${column ?? ""}:${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const params = issue.code === "custom" && issue.params ? (issue.params as Record<string, string | number>) : {};
    problems.push({ column, code, params });
    if (problems.length >= MAX_PROBLEMS_PER_ROW) break;
  }
  return { ok: false, problems };
}
