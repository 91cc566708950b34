/**
 * We have the borrower's dispute (ADR 007). It says, calmly: we have it and what they told us
 * (in the words of the dispute page); that while we look we will not ask them to pay this
 * account and automatic payments stop; when we answer in writing; where to see where it is.
 * For identity theft in the US it also names the FTC's IdentityTheft.gov.
 *
 * It states no amount anywhere: the amount may be exactly what is disputed. The caller
 * formats the date in the borrower's language; this template only places it.
 */
import { Heading, Section, Text } from "@react-email/components";
import { AccountLine, LinkNotes, PortalButton, TextWithLink } from "./autopay-parts";
import { EmailLayout, contentStyles } from "./layout";
import { RequestSection, requestStyles, type RequestEmailCommonProps } from "./request-parts";

export type DisputeKind = "not_mine" | "wrong_amount" | "already_paid" | "identity_theft";

/** The FTC's identity theft reporting site, named for identity theft disputes in the US. */
export const IDENTITY_THEFT_REPORT_URL = "https://www.identitytheft.gov";

export type DisputeReceivedEmailProps = RequestEmailCommonProps & {
  kind: DisputeKind;
  /** The date we answer in writing by, e.g. "December 19, 2026". */
  answerDueText: string;
  /** The borrower's dispute page, where they can see where it is. */
  disputeUrl: string;
  /** Show where to report identity theft (identity theft disputes in the US only). */
  identityTheftReportUrl: string | null;
};

function subjectOf({ t, creditorName }: Pick<DisputeReceivedEmailProps, "t" | "creditorName">): string {
  return t("dispute.subject", { creditorName });
}

export function DisputeReceivedEmail(props: DisputeReceivedEmailProps) {
  const { t, lang, appUrl, creditorName, creditorContact, referenceText, kind, answerDueText, disputeUrl, identityTheftReportUrl } = props;
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={t("dispute.preview")}
      reason={t("dispute.reason")}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {t("dispute.heading")}
      </Heading>
      <Text style={requestStyles.asked}>{t(`dispute.told.${kind}`)}</Text>
      <Text style={contentStyles.text}>{t("dispute.intro")}</Text>
      <AccountLine t={t} creditorName={creditorName} referenceText={referenceText} />
      <RequestSection heading={t("dispute.while.heading")} lines={[t("dispute.while.noPay"), t("dispute.while.autopayStops")]} />
      <RequestSection
        heading={t("dispute.next.heading")}
        lines={[t("dispute.next.answerBy", { dateText: answerDueText }), t("dispute.next.track"), t("dispute.next.nothingToDo")]}
      />
      <Section>
        <PortalButton href={disputeUrl} label={t("dispute.button")} />
        <LinkNotes t={t} href={disputeUrl} />
      </Section>
      {identityTheftReportUrl ? (
        <Section>
          <Heading as="h2" style={requestStyles.subheading}>
            {t("dispute.identityTheft.heading")}
          </Heading>
          <TextWithLink text={t("dispute.identityTheft.report")} href={identityTheftReportUrl} />
        </Section>
      ) : null}
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...disputeReceivedEmail(props) })`. */
export function disputeReceivedEmail(props: DisputeReceivedEmailProps) {
  return {
    subject: subjectOf(props),
    react: <DisputeReceivedEmail {...props} />,
  };
}
