/**
 * "No": staff could not agree to the plan, settlement or promise the borrower asked for (ADR
 * 010). Calm and in order: what we looked at, the reason in plain words, the staff member's
 * note, that nothing changed on the account, and what they can do next (choose another way to
 * pay, ask for help, talk to the creditor), with free debt advice for the region.
 */
import { Heading, Section, Text } from "@react-email/components";
import { AccountLine, LinkNotes, PortalButton, TextWithLink } from "./autopay-parts";
import { EmailLayout, contentStyles } from "./layout";
import { NoteSection, planDecisionStyles, type PlanDecisionEmailCommonProps } from "./plan-decision-parts";
import { DebtAdviceSection, type DebtAdvice } from "./request-parts";

export type PlanDeclinedEmailProps = PlanDecisionEmailCommonProps & {
  kind: "plan" | "settlement" | "promise";
  /** The simulator: choose another way to pay. */
  chooseUrl: string;
  /** "I'm struggling to pay". */
  helpUrl: string;
  advice: DebtAdvice | null;
};

function subjectOf({ w, creditorName }: Pick<PlanDeclinedEmailProps, "w" | "creditorName">): string {
  return w("email.declined.subject", { creditorName });
}

export function PlanDeclinedEmail(props: PlanDeclinedEmailProps) {
  const { t, w, lang, appUrl, creditorName, creditorContact, referenceText, kind, reasonText, note, chooseUrl, helpUrl, advice } = props;
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={w("email.declined.preview", { creditorName })}
      reason={w("email.reason", { creditorName })}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {w("email.declined.heading")}
      </Heading>
      <Text style={contentStyles.text}>{w(`email.declined.intro.${kind}`, { creditorName })}</Text>
      {reasonText ? <Text style={contentStyles.text}>{reasonText}</Text> : null}
      <AccountLine t={t} creditorName={creditorName} referenceText={referenceText} />
      <NoteSection w={w} creditorName={creditorName} note={note} />
      <Text style={contentStyles.text}>{w("email.declined.nothingChanged")}</Text>
      <Section>
        <Heading as="h2" style={planDecisionStyles.subheading}>
          {w("email.declined.nextHeading")}
        </Heading>
        <Text style={contentStyles.text}>{w("email.declined.nextChoose")}</Text>
        <PortalButton href={chooseUrl} label={w("email.declined.button")} />
        <LinkNotes t={t} href={chooseUrl} />
        <TextWithLink text={w("email.declined.nextHelp")} href={helpUrl} />
        <Text style={contentStyles.text}>{w("email.declined.nextCall", { creditorName })}</Text>
      </Section>
      <DebtAdviceSection t={t} advice={advice} />
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...planDeclinedEmail(props) })`. */
export function planDeclinedEmail(props: PlanDeclinedEmailProps) {
  return { subject: subjectOf(props), react: <PlanDeclinedEmail {...props} /> };
}
