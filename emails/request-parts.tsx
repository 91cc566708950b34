/**
 * Pieces the "we have your request" emails share (hardship-received, dispute-received): the
 * props they take (the same as the automatic-payment emails), the "while we look" lines, and
 * free debt advice for the creditor's region.
 *
 * Debt advice is a small per-region map: the organisation's address and phone number live
 * here, its words in `hardship.advice.<provider>.*`. A region with no entry gets the generic
 * sentence only (no link), so adding a creditor in a new country never shows a wrong service.
 */
import { Heading, Section, Text } from "@react-email/components";
import { TextWithLink, autopayStyles, type AutopayEmailCommonProps } from "./autopay-parts";
import { contentStyles, type EmailT } from "./layout";

/** What every request email receives, already translated and formatted. */
export type RequestEmailCommonProps = AutopayEmailCommonProps;

export type DebtAdviceProvider = "nfcc" | "moneyHelper";

/** A free, independent debt advice service: its words come from `hardship.advice.<provider>`. */
export type DebtAdvice = { provider: DebtAdviceProvider; url: string; phone: string };

/** Free debt advice per creditor region (ISO 3166-1 alpha-2, as `creditors.region`). */
export const DEBT_ADVICE: Readonly<Record<string, DebtAdvice>> = {
  // National Foundation for Credit Counseling: nonprofit member agencies, in English and Spanish.
  US: { provider: "nfcc", url: "https://www.nfcc.org", phone: "1-800-388-2227" },
  // MoneyHelper (Money and Pensions Service): free debt advice across the UK.
  GB: { provider: "moneyHelper", url: "https://www.moneyhelper.org.uk", phone: "0800 138 7777" },
};

/** The debt advice service for a creditor's region, or null (the generic sentence only). */
export function debtAdviceFor(region: string): DebtAdvice | null {
  return Object.hasOwn(DEBT_ADVICE, region) ? DEBT_ADVICE[region]! : null;
}

export const requestStyles = {
  subheading: autopayStyles.subheading,
  asked: { ...contentStyles.text, fontWeight: 700 },
};

/** A subheading and its lines, one idea per line. */
export function RequestSection({ heading, lines }: { heading: string; lines: string[] }) {
  return (
    <Section>
      <Heading as="h2" style={requestStyles.subheading}>
        {heading}
      </Heading>
      {lines.map((line) => (
        <Text key={line} style={contentStyles.text}>
          {line}
        </Text>
      ))}
    </Section>
  );
}

/** "Free, independent advice": the generic sentence, then the region's service when we know one. */
export function DebtAdviceSection({ t, advice }: { t: EmailT; advice: DebtAdvice | null }) {
  return (
    <Section>
      <Heading as="h2" style={requestStyles.subheading}>
        {t("hardship.advice.heading")}
      </Heading>
      <Text style={contentStyles.text}>{t("hardship.advice.intro")}</Text>
      {advice ? (
        <>
          <Text style={contentStyles.text}>{t(`hardship.advice.${advice.provider}.who`)}</Text>
          <TextWithLink text={t(`hardship.advice.${advice.provider}.find`)} href={advice.url} />
          <Text style={contentStyles.text}>{t(`hardship.advice.${advice.provider}.phone`, { phone: advice.phone })}</Text>
        </>
      ) : null}
    </Section>
  );
}
