/**
 * An automatic payment did not go through. Two cases, both calm and factual:
 * - we will try again (nextAttemptText set): nothing else has changed, when the next try is,
 *   where to update the card first, and that the borrower may pay it themselves now;
 * - no more automatic tries (nextAttemptText null): the plan is still in place, how to pay it
 *   or choose another way to pay, and where to ask for help if money is tight.
 * It never threatens, rushes or names a consequence the borrower has not been told about.
 *
 * The caller formats every amount and date in the borrower's language; this template only
 * places them. The subject and preview never carry an amount.
 */
import { Heading, Section, Text } from "@react-email/components";
import { AccountLine, LinkNotes, PortalButton, TextWithLink, autopayStyles, type AutopayEmailCommonProps } from "./autopay-parts";
import { EmailLayout, contentStyles } from "./layout";

export type AutomaticPaymentFailedEmailProps = AutopayEmailCommonProps & {
  /** e.g. "$50.00" */
  amountText: string;
  /** The date the payment was due, e.g. "December 4, 2026". */
  dueText: string;
  /** The date of the next automatic try; null when there will be none. */
  nextAttemptText: string | null;
  /** How many times we tried, for the "no more tries" case. */
  tries: number;
  /** The borrower's "My plan" page: pay now, or choose another way to pay. */
  planUrl: string;
  /** The borrower's payment methods page: update the card or bank account. */
  paymentMethodsUrl: string;
  /** The borrower's "I'm struggling to pay" page. */
  helpUrl: string;
};

function subjectOf({ t, creditorName }: Pick<AutomaticPaymentFailedEmailProps, "t" | "creditorName">): string {
  return t("autopay.failed.subject", { creditorName });
}

export function AutomaticPaymentFailedEmail(props: AutomaticPaymentFailedEmailProps) {
  const { t, lang, appUrl, creditorName, creditorContact, referenceText, amountText, dueText, nextAttemptText, tries, planUrl, paymentMethodsUrl, helpUrl } =
    props;
  const preview = nextAttemptText ? t("autopay.failed.retry.preview", { nextText: nextAttemptText }) : t("autopay.failed.stopped.preview");
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={preview}
      reason={t("autopay.failed.reason")}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {t("autopay.failed.heading")}
      </Heading>
      {nextAttemptText ? (
        <>
          <Text style={contentStyles.text}>{t("autopay.failed.retry.couldNot", { amountText, dueText })}</Text>
          <Text style={contentStyles.text}>{t("autopay.failed.retry.nothingElse")}</Text>
          <Text style={contentStyles.text}>{t("autopay.failed.retry.tryAgain", { nextText: nextAttemptText })}</Text>
          <AccountLine t={t} creditorName={creditorName} referenceText={referenceText} />
          <TextWithLink text={t("autopay.failed.retry.update")} href={paymentMethodsUrl} />
          <Section>
            <Text style={contentStyles.text}>{t("autopay.failed.retry.payYourself")}</Text>
            <PortalButton href={planUrl} label={t("autopay.failed.button")} />
            <LinkNotes t={t} href={planUrl} />
          </Section>
        </>
      ) : (
        <>
          <Text style={contentStyles.text}>{t("autopay.failed.stopped.tried", { amountText, dueText, count: tries })}</Text>
          <Text style={contentStyles.text}>{t("autopay.failed.stopped.noMoreTries")}</Text>
          <Text style={contentStyles.text}>{t("autopay.failed.stopped.stillInPlace")}</Text>
          <AccountLine t={t} creditorName={creditorName} referenceText={referenceText} />
          <Section>
            <Text style={contentStyles.text}>{t("autopay.failed.stopped.options")}</Text>
            <PortalButton href={planUrl} label={t("autopay.failed.button")} />
            <LinkNotes t={t} href={planUrl} />
          </Section>
          <Section>
            <Heading as="h2" style={autopayStyles.subheading}>
              {t("autopay.failed.stopped.helpHeading")}
            </Heading>
            <TextWithLink text={t("autopay.failed.stopped.help")} href={helpUrl} />
          </Section>
        </>
      )}
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...automaticPaymentFailedEmail(props) })`. */
export function automaticPaymentFailedEmail(props: AutomaticPaymentFailedEmailProps) {
  return {
    subject: subjectOf(props),
    react: <AutomaticPaymentFailedEmail {...props} />,
  };
}
