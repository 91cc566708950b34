/**
 * The copy of a recurring-payment authorization ("pay automatically"), sent right after the
 * borrower gives it: the card or bank account, every payment that will be taken with its date
 * and amount, the total, the exact lines they agreed to (the same lines as the consent record,
 * unchanged), and where to stop automatic payments at any time.
 *
 * The caller formats every amount and date in the borrower's language; this template only
 * places them. Payments and terms are lists of lines, so the plain-text twin keeps one per
 * line. The subject and preview never carry an amount: the email may be read by someone else.
 */
import { Heading, Section, Text } from "@react-email/components";
import { AccountLine, LinkNotes, PortalButton, autopayStyles, type AutopayEmailCommonProps } from "./autopay-parts";
import { EmailLayout, contentStyles } from "./layout";

export type AutopayAuthorizationEmailProps = AutopayEmailCommonProps & {
  /** e.g. "Visa ending 4242", already in the borrower's language. */
  methodText: string;
  /** One row per payment that will be taken, already formatted. */
  installments: Array<{ dateText: string; amountText: string }>;
  /** e.g. "$1,240.50": the sum of the payments above. */
  totalText: string;
  /** The exact authorization lines the borrower agreed to, as plain text. */
  termsLines: string[];
  /** The borrower's payment methods page, where automatic payments are stopped. */
  manageUrl: string;
};

function subjectOf({ t, creditorName }: Pick<AutopayAuthorizationEmailProps, "t" | "creditorName">): string {
  return t("autopay.authorization.subject", { creditorName });
}

export function AutopayAuthorizationEmail(props: AutopayAuthorizationEmailProps) {
  const { t, lang, appUrl, creditorName, creditorContact, referenceText, methodText, installments, totalText, termsLines, manageUrl } = props;
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={t("autopay.authorization.preview", { creditorName })}
      reason={t("autopay.authorization.reason")}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {t("autopay.authorization.heading")}
      </Heading>
      <Text style={contentStyles.text}>{t("autopay.authorization.intro", { creditorName })}</Text>
      <Text style={contentStyles.text}>{t("autopay.authorization.method", { methodText })}</Text>
      <Text style={contentStyles.text}>{t("autopay.authorization.when")}</Text>
      <AccountLine t={t} creditorName={creditorName} referenceText={referenceText} />

      <Section>
        <Heading as="h2" style={autopayStyles.subheading}>
          {t("autopay.authorization.schedule", { count: installments.length })}
        </Heading>
        <ul style={autopayStyles.list}>
          {installments.map((row, index) => (
            <li key={index} style={autopayStyles.row}>
              {t("autopay.authorization.row", { dateText: row.dateText, amountText: row.amountText })}
            </li>
          ))}
        </ul>
        <Text style={autopayStyles.total}>{t("autopay.authorization.total", { totalText })}</Text>
      </Section>

      <Section>
        <Heading as="h2" style={autopayStyles.subheading}>
          {t("autopay.authorization.termsHeading")}
        </Heading>
        {termsLines.map((line, index) => (
          <Text key={index} style={autopayStyles.term}>
            {line}
          </Text>
        ))}
        <Text style={autopayStyles.keep}>{t("autopay.keep")}</Text>
      </Section>

      <Section>
        <Heading as="h2" style={autopayStyles.subheading}>
          {t("autopay.authorization.stopHeading")}
        </Heading>
        <Text style={contentStyles.text}>{t("autopay.authorization.stop")}</Text>
        <Text style={contentStyles.text}>{t("autopay.authorization.stopPlan")}</Text>
        <PortalButton href={manageUrl} label={t("autopay.authorization.button")} />
        <LinkNotes t={t} href={manageUrl} />
      </Section>
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...autopayAuthorizationEmail(props) })`. */
export function autopayAuthorizationEmail(props: AutopayAuthorizationEmailProps) {
  return {
    subject: subjectOf(props),
    react: <AutopayAuthorizationEmail {...props} />,
  };
}
