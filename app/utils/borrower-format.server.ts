/**
 * Words and numbers for borrower pages, formatted on the server so the browser shows exactly
 * what the server rendered (no hydration differences between ICU versions). Dates are in the
 * creditor's time zone and the borrower's language (`en-US`, `es-US`), as DESIGN §1 item 4
 * and §5 item 8 ask.
 */
import { formatPhoneNumber, telHref } from "~/domain/phone";
import { intlLocale, type Language } from "~/i18n/config";

/** "2026-04-12" → "April 12, 2026" / "12 de abril de 2026". A calendar date: no time zone shift. */
export function formatCalendarDate(iso: string, language: Language, region = "US"): string {
  const [year, month, day] = iso.split("-").map(Number);
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  return new Intl.DateTimeFormat(intlLocale(language, region), { dateStyle: "long", timeZone: "UTC" }).format(date);
}

/** The calendar date (YYYY-MM-DD) an instant falls on in a time zone. */
function calendarDay(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}

/**
 * A moment soon, for "you can try again after …": the time with its zone ("10:45 AM EST"),
 * and the day too when it is not today in that zone.
 */
export function formatSoon(instant: Date, language: Language, timeZone: string, region = "US", now: Date = new Date()): string {
  const sameDay = calendarDay(instant, timeZone) === calendarDay(now, timeZone);
  const text = new Intl.DateTimeFormat(intlLocale(language, region), {
    ...(sameDay ? {} : { weekday: "long", month: "long", day: "numeric" }),
    hour: "numeric",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  }).format(instant);
  // "8:02 PM EST" stays on one line: a time split from its zone reads as two facts.
  return sameDay ? text.replace(/\s/g, "\u00a0") : text;
}

/**
 * A moment in the past with its date, year and zone, for receipts and payment lists:
 * "November 27, 2026 at 10:47 PM EST" / "27 de noviembre de 2026, 10:47 p. m. EST".
 */
export function formatInstant(instant: Date, language: Language, timeZone: string, region = "US"): string {
  return new Intl.DateTimeFormat(intlLocale(language, region), {
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  }).format(instant);
}

/** A creditor's opening hours in the borrower's language (English when not translated). */
export function hoursIn(hours: { en: string; es?: string }, language: Language): string {
  return (language === "es" ? hours.es : undefined) ?? hours.en;
}

/** How a page shows "call this number": the words, the number as people read it, the link. */
export type PhoneView = { display: string; href: string };

export function phoneView(e164: string): PhoneView {
  return { display: formatPhoneNumber(e164), href: telHref(e164) };
}

/** What a page needs to say "call <creditor> on <phone>, open <hours>". */
export type CreditorContactView = { name: string; phone: PhoneView; hours: string };

export function creditorContact(
  creditor: { name: string; supportPhone: string; supportHours: { en: string; es?: string } },
  language: Language,
): CreditorContactView {
  return { name: creditor.name, phone: phoneView(creditor.supportPhone), hours: hoursIn(creditor.supportHours, language) };
}

/** Basis points as a percentage in the borrower's language: 3500 → "35%" / "35 %". */
export function formatRate(bps: number, language: Language, region = "US"): string {
  return new Intl.NumberFormat(intlLocale(language, region), { style: "percent", maximumFractionDigits: 2 }).format(bps / 10_000);
}

/** The calendar day an instant falls on in a time zone, YYYY-MM-DD. */
export function dayIn(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}
