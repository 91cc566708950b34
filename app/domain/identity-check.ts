/**
 * The one fact a borrower confirms after opening a secure link (DESIGN §5 item 1), parsed
 * from what a person actually types. Pure: the browser runs it for instant messages and the
 * server runs it again before asking the database (app/utils/access-links.server.ts).
 *
 * A date of birth arrives as three boxes (day, month, year: the GOV.UK date input pattern,
 * app/components/date-parts-field.tsx). People type "4", "04", " 12 ", "April", "abr.",
 * "Abril", full-width digits from some keyboards; all of these are accepted. A two-digit
 * year is refused rather than guessed ("85" could be 1885 or 1985 for a date of birth only
 * in theory, but guessing wrong would count as a wrong answer and lock the link).
 *
 * Only the result ({ ok: true, iso }) ever reaches the database: an answer that does not
 * parse is a typing problem, shown next to the field, and never spends one of the link's
 * five attempts.
 */

export type DatePart = "day" | "month" | "year";

export type DateOfBirthProblem = "required" | "incomplete" | "not_a_date" | "in_future" | "year_four_digits";

export type DateOfBirthResult =
  | { ok: true; /** YYYY-MM-DD */ iso: string }
  | { ok: false; reason: DateOfBirthProblem; /** Which boxes to mark invalid. */ parts: DatePart[] };

export type DateOfBirthInput = {
  day?: string | null;
  month?: string | null;
  year?: string | null;
};

export type ZipCodeProblem = "required" | "not_a_zip";

export type ZipCodeResult = { ok: true; /** five digits */ zip: string } | { ok: false; reason: ZipCodeProblem };

/** The earliest year a date of birth may have (the database checks the same bound). */
export const EARLIEST_BIRTH_YEAR = 1900;

/** Longer than any real answer: anything longer is not a date part and is not looked at. */
const MAX_PART_LENGTH = 20;

const ALL_PARTS: DatePart[] = ["day", "month", "year"];

/**
 * Month names and abbreviations in English and Spanish, accents and case removed. "mar" and
 * "may" mean the same month in both languages; "set" and "setiembre" are Latin American
 * spellings of September.
 */
const MONTHS: Record<string, number> = (() => {
  const names: Array<[number, string[]]> = [
    [1, ["january", "jan", "enero", "ene"]],
    [2, ["february", "feb", "febrero"]],
    [3, ["march", "mar", "marzo"]],
    [4, ["april", "apr", "abril", "abr"]],
    [5, ["may", "mayo"]],
    [6, ["june", "jun", "junio"]],
    [7, ["july", "jul", "julio"]],
    [8, ["august", "aug", "agosto", "ago"]],
    [9, ["september", "sep", "sept", "septiembre", "setiembre", "set"]],
    [10, ["october", "oct", "octubre"]],
    [11, ["november", "nov", "noviembre"]],
    [12, ["december", "dec", "diciembre", "dic"]],
  ];
  const map: Record<string, number> = {};
  for (const [month, words] of names) for (const word of words) map[word] = month;
  return map;
})();

/** NFKC (full-width digits become ASCII), trimmed, inner spaces collapsed. */
function clean(value: string | null | undefined): string {
  if (typeof value !== "string") return "";
  return value.normalize("NFKC").trim().replace(/\s+/g, " ");
}

function parseDay(text: string): number | null {
  if (!/^\d{1,2}$/.test(text)) return null;
  const day = Number(text);
  return day >= 1 && day <= 31 ? day : null;
}

function parseMonth(text: string): number | null {
  if (/^\d{1,2}$/.test(text)) {
    const month = Number(text);
    return month >= 1 && month <= 12 ? month : null;
  }
  const word = text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\.$/, "");
  return Object.hasOwn(MONTHS, word) ? MONTHS[word]! : null;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** Today's date (YYYY-MM-DD) where this code runs, unless the caller names one. */
function todayIso(today: Date | string | undefined): string {
  if (typeof today === "string") return today;
  const now = today ?? new Date();
  return `${pad(now.getFullYear(), 4)}-${pad(now.getMonth() + 1, 2)}-${pad(now.getDate(), 2)}`;
}

/**
 * Puts a date of birth together from the three boxes. Problems are reported one at a time,
 * the most basic first (empty, then partly empty, then not a date, then in the future).
 * `options.today` (YYYY-MM-DD or a Date) is for tests; by default it is today's local date.
 */
export function parseDateOfBirth(input: DateOfBirthInput, options: { today?: Date | string } = {}): DateOfBirthResult {
  const raw = { day: clean(input.day), month: clean(input.month), year: clean(input.year) };
  const empty = ALL_PARTS.filter((part) => raw[part] === "");
  if (empty.length === ALL_PARTS.length) return { ok: false, reason: "required", parts: ALL_PARTS };
  if (empty.length > 0) return { ok: false, reason: "incomplete", parts: empty };

  const tooLong = ALL_PARTS.filter((part) => raw[part].length > MAX_PART_LENGTH);
  if (tooLong.length > 0) return { ok: false, reason: "not_a_date", parts: tooLong };

  const day = parseDay(raw.day);
  const month = parseMonth(raw.month);
  const yearText = raw.year;
  const yearIsDigits = /^\d+$/.test(yearText);

  const bad: DatePart[] = [];
  if (day === null) bad.push("day");
  if (month === null) bad.push("month");
  if (!yearIsDigits || yearText.length > 4) bad.push("year");
  if (bad.length > 0) return { ok: false, reason: "not_a_date", parts: bad };
  if (yearText.length < 4) return { ok: false, reason: "year_four_digits", parts: ["year"] };

  const year = Number(yearText);
  const today = todayIso(options.today);
  const thisYear = Number(today.slice(0, 4));
  if (year > thisYear) return { ok: false, reason: "in_future", parts: ["year"] };
  if (year < EARLIEST_BIRTH_YEAR) return { ok: false, reason: "not_a_date", parts: ["year"] };
  if (day! > daysInMonth(year, month!)) return { ok: false, reason: "not_a_date", parts: ["day"] };

  const iso = `${pad(year, 4)}-${pad(month!, 2)}-${pad(day!, 2)}`;
  if (iso > today) return { ok: false, reason: "in_future", parts: ALL_PARTS };
  return { ok: true, iso };
}

/**
 * A US ZIP code as people type it: "94110", " 94110 ", "94110-1234", "94110 1234". The
 * five-digit ZIP is what the database holds, so ZIP+4 is cut to its first five digits.
 */
export function parseZipCode(text: string | null | undefined): ZipCodeResult {
  const value = clean(text);
  if (value === "") return { ok: false, reason: "required" };
  const match = /^(\d{5})(?:[ -]?\d{4})?$/.exec(value);
  return match ? { ok: true, zip: match[1]! } : { ok: false, reason: "not_a_zip" };
}
