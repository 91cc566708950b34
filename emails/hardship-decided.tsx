/**
 * Our answer to the borrower's request for help (a staff decision, ADR 011). It says, calmly
 * and in order: what we decided, why (in plain words, and the staff member's own note when
 * there is one), what happens next and by when, and where free, independent debt advice is.
 *
 * The words come from app/utils/request-decisions.server.ts (hardshipDecisionWords), the same
 * sentences the help page shows, already translated and with amounts and dates formatted.
 * The subject and preview never carry an amount.
 */
import { Heading, Section, Text } from "@react-email/components";
import { AccountLine, LinkNotes, PortalButton } from "./autopay-parts";
import { EmailLayout, contentStyles } from "./layout";
import { DebtAdviceSection, RequestSection, requestStyles, type DebtAdvice, type RequestEmailCommonProps } from "./request-parts";

/** The decision's sentences and the email's own lines, in the borrower's language. */
export type DecisionEmailCopy = {
  subject: string;
  preview: string;
  /** Completes "You are getting it because …". */
  reason: string;
  heading: string;
  whyHeading: string;
  noteHeading: string;
  nextHeading: string;
  button: string;
  headline: string;
  why: string | null;
  note: string | null;
  next: string[];
};

export type HardshipDecidedEmailProps = RequestEmailCommonProps & {
  copy: DecisionEmailCopy;
  /** The borrower's "I'm struggling to pay" page, where the answer is. */
  helpUrl: string;
  advice: DebtAdvice | null;
};

/** The heading, the decision, why, the note, and what happens next: shared with dispute-resolved. */
export function DecisionBody({ t, creditorName, referenceText, copy, told }: Pick<RequestEmailCommonProps, "t" | "creditorName" | "referenceText"> & { copy: DecisionEmailCopy; told?: string }) {
  return (
    <>
      <Heading as="h1" style={contentStyles.heading}>
        {copy.heading}
      </Heading>
      <AccountLine t={t} creditorName={creditorName} referenceText={referenceText} />
      {told ? <Text style={contentStyles.text}>{told}</Text> : null}
      <Text style={requestStyles.asked}>{copy.headline}</Text>
      {copy.why ? <RequestSection heading={copy.whyHeading} lines={[copy.why]} /> : null}
      {copy.note ? (
        <Section>
          <Heading as="h2" style={requestStyles.subheading}>
            {copy.noteHeading}
          </Heading>
          <Text style={{ ...contentStyles.text, whiteSpace: "pre-wrap" }}>{copy.note}</Text>
        </Section>
      ) : null}
      <RequestSection heading={copy.nextHeading} lines={copy.next} />
    </>
  );
}

export function HardshipDecidedEmail(props: HardshipDecidedEmailProps) {
  const { t, lang, appUrl, creditorName, creditorContact, referenceText, copy, helpUrl, advice } = props;
  return (
    <EmailLayout t={t} lang={lang} title={copy.subject} preview={copy.preview} reason={copy.reason} creditor={{ name: creditorName, contact: creditorContact }} appUrl={appUrl}>
      <DecisionBody t={t} creditorName={creditorName} referenceText={referenceText} copy={copy} />
      <Section>
        <PortalButton href={helpUrl} label={copy.button} />
        <LinkNotes t={t} href={helpUrl} />
      </Section>
      <DebtAdviceSection t={t} advice={advice} />
    </EmailLayout>
  );
}

/** The subject and the element to send. */
export function hardshipDecidedEmail(props: HardshipDecidedEmailProps) {
  return { subject: props.copy.subject, react: <HardshipDecidedEmail {...props} /> };
}
