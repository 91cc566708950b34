/**
 * A payment plan is complete: when the last payment was made, what was paid in all, and what,
 * if anything, is still owed on the account (with the account page for the options), and that
 * automatic payments stop by themselves. Warm and plain.
 *
 * The caller formats every amount and date in the borrower's language; this template only
 * places them. The subject and preview never carry an amount.
 */
import { Heading, Section, Text } from "@react-email/components";
import { AccountLine, LinkNotes, PortalButton, autopayStyles, type AutopayEmailCommonProps } from "./autopay-parts";
import { EmailLayout, contentStyles } from "./layout";

export type PlanPaidOffEmailProps = AutopayEmailCommonProps & {
  /** e.g. "$1,240.50": everything paid under the plan. */
  totalText: string;
  /** What is still owed on the account, e.g. "$300.00"; shown only when owed is true. */
  balanceText: string;
  /** Something is still owed on the account after the plan. */
  owed: boolean;
  /** e.g. "February 4, 2027" */
  lastPaymentText: string;
  /** The borrower's account page, with their options. */
  accountUrl: string;
};

function subjectOf({ t, creditorName }: Pick<PlanPaidOffEmailProps, "t" | "creditorName">): string {
  return t("autopay.paidOff.subject", { creditorName });
}

export function PlanPaidOffEmail(props: PlanPaidOffEmailProps) {
  const { t, lang, appUrl, creditorName, creditorContact, referenceText, totalText, balanceText, owed, lastPaymentText, accountUrl } = props;
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={t("autopay.paidOff.preview")}
      reason={t("autopay.paidOff.reason")}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {t("autopay.paidOff.heading")}
      </Heading>
      <Text style={contentStyles.text}>{t("autopay.paidOff.last", { lastText: lastPaymentText })}</Text>
      <Text style={contentStyles.text}>{t("autopay.paidOff.total", { totalText })}</Text>
      <Text style={contentStyles.text}>{owed ? t("autopay.paidOff.stillOwed", { balanceText }) : t("autopay.paidOff.nothingOwed")}</Text>
      <Text style={contentStyles.text}>{t("autopay.paidOff.autopayStops")}</Text>
      <AccountLine t={t} creditorName={creditorName} referenceText={referenceText} />
      <Text style={autopayStyles.keep}>{t("autopay.keep")}</Text>
      <Section>
        {owed ? <Text style={contentStyles.text}>{t("autopay.paidOff.options")}</Text> : null}
        <PortalButton href={accountUrl} label={t("autopay.paidOff.button")} />
        <LinkNotes t={t} href={accountUrl} />
      </Section>
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...planPaidOffEmail(props) })`. */
export function planPaidOffEmail(props: PlanPaidOffEmailProps) {
  return {
    subject: subjectOf(props),
    react: <PlanPaidOffEmail {...props} />,
  };
}
