/**
 * Complaint emails (issue 9 item 7): "we have your complaint" with its reference and the
 * date we answer by, and later our written answer. Calm, plain, and never a repeat of what
 * the borrower wrote (the email may be read by someone else); the answer is in the words
 * staff wrote for them.
 */
import { Heading, Section, Text } from "@react-email/components";
import { PortalButton } from "./autopay-parts";
import { EmailLayout, contentStyles, type EmailT } from "./layout";

type Common = {
  t: EmailT;
  lang: string;
  appUrl: string;
  creditorName: string;
  creditorContact?: string | null;
  reference: string;
  /** The borrower's complaints page. */
  pageUrl: string;
};

export type ComplaintReceivedEmailProps = Common & { answerByText: string };
/**
 * `regulator`: the body the borrower can also complain to, named only where it is theirs
 * ("cfpb" for a creditor in the US); null names none.
 */
export type ComplaintAnsweredEmailProps = Common & { outcome: "upheld" | "partly_upheld" | "not_upheld"; response: string; regulator: "cfpb" | null };

export function ComplaintReceivedEmail({ t, lang, appUrl, creditorName, creditorContact, reference, pageUrl, answerByText }: ComplaintReceivedEmailProps) {
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={t("complaint.received.subject", { reference })}
      preview={t("complaint.received.preview", { answerByText })}
      reason={t("complaint.reason")}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {t("complaint.received.heading")}
      </Heading>
      <Text style={contentStyles.text}>{t("complaint.received.reference", { reference })}</Text>
      <Text style={contentStyles.text}>{t("complaint.received.answerBy", { answerByText })}</Text>
      <Text style={contentStyles.text}>{t("complaint.received.meanwhile")}</Text>
      <Section>
        <PortalButton href={pageUrl} label={t("complaint.button")} />
      </Section>
    </EmailLayout>
  );
}

export function ComplaintAnsweredEmail({ t, lang, appUrl, creditorName, creditorContact, reference, pageUrl, outcome, response, regulator }: ComplaintAnsweredEmailProps) {
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={t("complaint.answered.subject", { reference })}
      preview={t(`complaint.answered.outcome.${outcome}`)}
      reason={t("complaint.reason")}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {t("complaint.answered.heading", { reference })}
      </Heading>
      <Text style={contentStyles.text}>{t(`complaint.answered.outcome.${outcome}`)}</Text>
      {response.split(/\n+/).map((line, index) => (
        <Text key={index} style={contentStyles.text}>
          {line}
        </Text>
      ))}
      <Text style={contentStyles.text}>{t("complaint.answered.notHappy")}</Text>
      {regulator ? <Text style={contentStyles.text}>{t(`complaint.answered.regulator.${regulator}`)}</Text> : null}
      <Section>
        <PortalButton href={pageUrl} label={t("complaint.button")} />
      </Section>
    </EmailLayout>
  );
}

export function complaintReceivedEmail(props: ComplaintReceivedEmailProps) {
  return { subject: props.t("complaint.received.subject", { reference: props.reference }), react: <ComplaintReceivedEmail {...props} /> };
}

export function complaintAnsweredEmail(props: ComplaintAnsweredEmailProps) {
  return { subject: props.t("complaint.answered.subject", { reference: props.reference }), react: <ComplaintAnsweredEmail {...props} /> };
}
