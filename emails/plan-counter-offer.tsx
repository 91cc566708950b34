/**
 * "Not that, but this": staff offer a different payment plan (ADR 010). It says what we
 * offer and why, every payment and the total, until when the offer is open, how to say yes or
 * no (on the offer page, with the full terms before agreeing), and that doing nothing changes
 * nothing.
 */
import { Heading, Section, Text } from "@react-email/components";
import { AccountLine, LinkNotes, PortalButton } from "./autopay-parts";
import { EmailLayout, contentStyles } from "./layout";
import { NoteSection, ScheduleSection, planDecisionStyles, type EmailScheduleRow, type PlanDecisionEmailCommonProps } from "./plan-decision-parts";

export type PlanCounterOfferEmailProps = PlanDecisionEmailCommonProps & {
  installments: EmailScheduleRow[];
  totalText: string;
  /** e.g. "December 12, 2026 at 5:00 PM EST". */
  openUntilText: string;
  /** The borrower's offer page. */
  offerUrl: string;
};

function subjectOf({ w, creditorName }: Pick<PlanCounterOfferEmailProps, "w" | "creditorName">): string {
  return w("email.countered.subject", { creditorName });
}

export function PlanCounterOfferEmail(props: PlanCounterOfferEmailProps) {
  const { t, w, lang, appUrl, creditorName, creditorContact, referenceText, reasonText, note, installments, totalText, openUntilText, offerUrl } = props;
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={w("email.countered.preview", { dateText: openUntilText })}
      reason={w("email.reason", { creditorName })}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {w("email.countered.heading")}
      </Heading>
      <Text style={contentStyles.text}>{w("email.countered.intro", { creditorName })}</Text>
      {reasonText ? <Text style={contentStyles.text}>{reasonText}</Text> : null}
      <AccountLine t={t} creditorName={creditorName} referenceText={referenceText} />
      <NoteSection w={w} creditorName={creditorName} note={note} />
      <ScheduleSection w={w} heading={w("email.countered.schedule", { count: installments.length })} rows={installments} totalText={totalText} />
      <Section>
        <Heading as="h2" style={planDecisionStyles.subheading}>
          {w("email.countered.answerHeading")}
        </Heading>
        <Text style={{ ...contentStyles.text, fontWeight: 700 }}>{w("email.countered.openUntil", { dateText: openUntilText })}</Text>
        <Text style={contentStyles.text}>{w("email.countered.how")}</Text>
        <PortalButton href={offerUrl} label={w("email.countered.button")} />
        <LinkNotes t={t} href={offerUrl} />
        <Text style={contentStyles.text}>{w("email.countered.ifNothing")}</Text>
      </Section>
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...planCounterOfferEmail(props) })`. */
export function planCounterOfferEmail(props: PlanCounterOfferEmailProps) {
  return { subject: subjectOf(props), react: <PlanCounterOfferEmail {...props} /> };
}
