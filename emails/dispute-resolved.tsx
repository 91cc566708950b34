/**
 * Our written answer to the borrower's dispute (ADR 011): what they told us, our answer and
 * its reason in plain words, the staff member's note when there is one, and what happens next
 * (collection stays stopped when they were right; otherwise it starts again, and how to
 * disagree). The sentences are the dispute page's (disputeResolutionWords), already
 * translated. No amount anywhere: the amount may be exactly what was disputed.
 */
import { Section } from "@react-email/components";
import { LinkNotes, PortalButton } from "./autopay-parts";
import { DecisionBody, type DecisionEmailCopy } from "./hardship-decided";
import { EmailLayout } from "./layout";
import type { RequestEmailCommonProps } from "./request-parts";

export type DisputeResolvedEmailProps = RequestEmailCommonProps & {
  copy: DecisionEmailCopy;
  /** "You told us: The amount is wrong" */
  told: string;
  /** The borrower's dispute page. */
  disputeUrl: string;
};

export function DisputeResolvedEmail(props: DisputeResolvedEmailProps) {
  const { t, lang, appUrl, creditorName, creditorContact, referenceText, copy, told, disputeUrl } = props;
  return (
    <EmailLayout t={t} lang={lang} title={copy.subject} preview={copy.preview} reason={copy.reason} creditor={{ name: creditorName, contact: creditorContact }} appUrl={appUrl}>
      <DecisionBody t={t} creditorName={creditorName} referenceText={referenceText} copy={copy} told={told} />
      <Section>
        <PortalButton href={disputeUrl} label={copy.button} />
        <LinkNotes t={t} href={disputeUrl} />
      </Section>
    </EmailLayout>
  );
}

export function disputeResolvedEmail(props: DisputeResolvedEmailProps) {
  return { subject: props.copy.subject, react: <DisputeResolvedEmail {...props} /> };
}
