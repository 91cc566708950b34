import { useTranslation } from "react-i18next";
import { intlLocale, isLanguage, fallbackLanguage } from "~/i18n/config";
import { TextField, type TextFieldProps } from "./text-field";

export interface MoneyFieldProps extends Omit<TextFieldProps, "prefix" | "inputMode" | "type" | "width"> {
  /** ISO 4217 code; sets the symbol before the box and the currency named to screen readers. */
  currency: string;
  /** Region for the symbol's locale (the creditor's); "US" gives "$" in English and Spanish alike. */
  region?: string;
}

/**
 * An amount of money typed by the borrower: a text box with `inputMode="decimal"` (the phone
 * shows a number pad with a decimal point) and the currency symbol before it.
 *
 * Not react-aria's NumberField: its visible input has no `name`, so the typed amount would not
 * submit without JavaScript (DESIGN §1.2). The value arrives as text ("1,240.50", "$25") and
 * the action parses it with `parseMoneyInput` from `~/domain/money` (the browser may run the
 * same parser for instant feedback).
 *
 * The symbol is hidden from screen readers; the label gets the currency's name instead
 * ("Amount (US dollars)"), so nobody hears "dollar sign".
 */
export function MoneyField({ currency, region = "US", label, autoComplete = "transaction-amount", ...props }: MoneyFieldProps) {
  const { t, i18n } = useTranslation("common");
  const language = isLanguage(i18n.language) ? i18n.language : fallbackLanguage;
  const locale = intlLocale(language, region);
  const symbol =
    new Intl.NumberFormat(locale, { style: "currency", currency }).formatToParts(0).find((part) => part.type === "currency")?.value ?? currency;
  const currencyName = t(`ui.money.currencyName.${currency}`, {
    defaultValue: new Intl.DisplayNames(locale, { type: "currency" }).of(currency) ?? currency,
  });
  return (
    <TextField
      {...props}
      label={
        <>
          {label}
          <span className="visually-hidden"> ({currencyName})</span>
        </>
      }
      type="text"
      inputMode="decimal"
      autoComplete={autoComplete}
      spellCheck="false"
      width="10"
      prefix={symbol}
    />
  );
}
