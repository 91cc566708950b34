import { useTranslation } from "react-i18next";
import { formatMoney } from "~/domain/money";
import { fallbackLanguage, intlLocale, isLanguage } from "~/i18n/config";
import { classes } from "./classes";

export interface MoneyProps {
  /** Integer minor units (cents): 124050 is $1,240.50. Never a float. */
  amountMinor: number;
  /** ISO 4217 code, e.g. "USD". */
  currency: string;
  /** The creditor's region for Intl ("US" gives $1,240.50 in English and Spanish alike). */
  region?: string;
  className?: string;
}

/**
 * An amount as text in the page's language: `<Money amountMinor={124050} currency="USD" />`
 * is "$1,240.50" in en-US and es-US (the domain's `formatMoney`: exact, no float division).
 * Plain text, never coloured: an amount owed is a fact, not an alarm.
 */
export function Money({ amountMinor, currency, region = "US", className }: MoneyProps) {
  const { i18n } = useTranslation();
  const language = isLanguage(i18n.language) ? i18n.language : fallbackLanguage;
  return <span className={classes("money", className)}>{formatMoney(amountMinor, currency, intlLocale(language, region))}</span>;
}
