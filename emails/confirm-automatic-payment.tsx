/**
 * The borrower's bank asked them to confirm an automatic payment (Stripe's
 * authentication_required), so it could not be taken without them. The email says so plainly:
 * nothing has been taken, this is a normal safety check, how to pay it from the plan page
 * (Pay now), what the bank may ask, and that a receipt follows.
 *
 * It carries no secure link or token, only the plain portal address: an email asking someone
 * to "confirm a payment" is what phishing looks like, and the layout's footer tells the reader
 * how to check that it is genuine. The subject and preview never carry an amount.
 */
import { Heading, Section, Text } from "@react-email/components";
import { AccountLine, LinkNotes, PortalButton, type AutopayEmailCommonProps } from "./autopay-parts";
import { EmailLayout, contentStyles } from "./layout";

export type ConfirmAutomaticPaymentEmailProps = AutopayEmailCommonProps & {
  /** e.g. "$50.00" */
  amountText: string;
  /** The date the payment is due, e.g. "December 4, 2026". */
  dueText: string;
  /** The borrower's "My plan" page, where Pay now is. */
  planUrl: string;
};

function subjectOf({ t, creditorName }: Pick<ConfirmAutomaticPaymentEmailProps, "t" | "creditorName">): string {
  return t("autopay.confirm.subject", { creditorName });
}

export function ConfirmAutomaticPaymentEmail(props: ConfirmAutomaticPaymentEmailProps) {
  const { t, lang, appUrl, creditorName, creditorContact, referenceText, amountText, dueText, planUrl } = props;
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={t("autopay.confirm.preview")}
      reason={t("autopay.confirm.reason")}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {t("autopay.confirm.heading")}
      </Heading>
      <Text style={contentStyles.text}>{t("autopay.confirm.asked", { amountText, dueText })}</Text>
      <Text style={contentStyles.text}>{t("autopay.confirm.nothingTaken")}</Text>
      <AccountLine t={t} creditorName={creditorName} referenceText={referenceText} />
      <Section>
        <Text style={contentStyles.text}>{t("autopay.confirm.howTo")}</Text>
        <Text style={contentStyles.text}>{t("autopay.confirm.bankStep")}</Text>
        <Text style={contentStyles.text}>{t("autopay.confirm.after")}</Text>
        <Text style={contentStyles.text}>{t("autopay.confirm.nothingElse")}</Text>
        <PortalButton href={planUrl} label={t("autopay.confirm.button")} />
        <LinkNotes t={t} href={planUrl} />
      </Section>
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...confirmAutomaticPaymentEmail(props) })`. */
export function confirmAutomaticPaymentEmail(props: ConfirmAutomaticPaymentEmailProps) {
  return {
    subject: subjectOf(props),
    react: <ConfirmAutomaticPaymentEmail {...props} />,
  };
}
