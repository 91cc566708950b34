/**
 * "Yes": staff approved the plan, settlement or promise the borrower asked for (ADR 010). It
 * says it is approved and starts now, repeats every payment and the total, gives the staff
 * member's note when there is one, and where to see and manage it.
 */
import { Heading, Section, Text } from "@react-email/components";
import { AccountLine, LinkNotes, PortalButton } from "./autopay-parts";
import { EmailLayout, contentStyles } from "./layout";
import { NoteSection, ScheduleSection, type EmailScheduleRow, type PlanDecisionEmailCommonProps } from "./plan-decision-parts";

export type PlanApprovedEmailProps = PlanDecisionEmailCommonProps & {
  kind: "plan" | "settlement" | "promise";
  installments: EmailScheduleRow[];
  totalText: string;
  /** The borrower's "My plan" page. */
  planUrl: string;
};

function subjectOf({ w, creditorName }: Pick<PlanApprovedEmailProps, "w" | "creditorName">): string {
  return w("email.approved.subject", { creditorName });
}

export function PlanApprovedEmail(props: PlanApprovedEmailProps) {
  const { t, w, lang, appUrl, creditorName, creditorContact, referenceText, kind, installments, totalText, planUrl, note } = props;
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={w("email.approved.preview", { creditorName })}
      reason={w("email.reason", { creditorName })}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {w(`email.approved.heading.${kind}`)}
      </Heading>
      <Text style={contentStyles.text}>{w(`email.approved.intro.${kind}`, { creditorName })}</Text>
      <AccountLine t={t} creditorName={creditorName} referenceText={referenceText} />
      <NoteSection w={w} creditorName={creditorName} note={note} />
      <ScheduleSection w={w} heading={w("email.approved.schedule", { count: installments.length })} rows={installments} totalText={totalText} />
      <Section>
        <Text style={contentStyles.text}>{w("email.approved.next")}</Text>
        <PortalButton href={planUrl} label={w("email.approved.button")} />
        <LinkNotes t={t} href={planUrl} />
      </Section>
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...planApprovedEmail(props) })`. */
export function planApprovedEmail(props: PlanApprovedEmailProps) {
  return { subject: subjectOf(props), react: <PlanApprovedEmail {...props} /> };
}
