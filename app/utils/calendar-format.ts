/**
 * Calendar dates ("YYYY-MM-DD", already in the creditor's time zone) as words, in the browser
 * and on the server alike: the simulator formats dates live as the borrower types. A calendar
 * date is formatted at UTC midnight with timeZone UTC, so no zone can shift it a day.
 */
import { intlLocale, type Language } from "~/i18n/config";

export type CalendarDateStyle = "long" | "medium" | "weekday";

const OPTIONS: Record<CalendarDateStyle, Intl.DateTimeFormatOptions> = {
  // "December 28, 2026" / "28 de diciembre de 2026"
  long: { dateStyle: "long" },
  // "Dec 28, 2026" / "28 dic 2026"
  medium: { dateStyle: "medium" },
  // "Monday, December 28" / "lunes, 28 de diciembre"
  weekday: { weekday: "long", month: "long", day: "numeric" },
};

export function formatDate(iso: string, language: Language, region = "US", style: CalendarDateStyle = "long"): string {
  const [year, month, day] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat(intlLocale(language, region), { ...OPTIONS[style], timeZone: "UTC" }).format(
    new Date(Date.UTC(year!, month! - 1, day!)),
  );
}
