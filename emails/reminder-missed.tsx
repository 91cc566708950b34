/**
 * The reminder after a plan payment's date passed unpaid (issue 9 item 3): the amount and
 * date, that we have not received it yet (and thanks if it was paid in the last few days),
 * that the plan is still in place, where to pay when ready, and how to ask for help if it
 * cannot be paid now. No consequence, no deadline, no blame.
 *
 * The caller formats every amount and date in the borrower's language; this template only
 * places them. The subject and preview never carry an amount.
 */
import { Heading, Text } from "@react-email/components";
import { EmailLayout, contentStyles } from "./layout";
import { HelpSection, PlacePart, PlanButton, ReminderAccountLine, StopReminders, type ReminderEmailCommonProps } from "./reminder-parts";

export type ReminderMissedEmailProps = ReminderEmailCommonProps & {
  /** What is still to pay of it, e.g. "$50.00". */
  amountText: string;
  /** The date it was due, e.g. "December 4, 2026". */
  dueText: string;
};

function subjectOf({ r, creditorName }: Pick<ReminderMissedEmailProps, "r" | "creditorName">): string {
  return r("missed.subject", { creditorName });
}

export function ReminderMissedEmail(props: ReminderMissedEmailProps) {
  const { t, r, lang, appUrl, creditorName, creditorContact, referenceText, amountText, dueText, planUrl } = props;
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={r("missed.preview")}
      reason={r("missed.reason", { creditorName })}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {r("missed.heading")}
      </Heading>
      <Text style={contentStyles.text}>{r("missed.notReceived", { amountText, dueText })}</Text>
      <Text style={contentStyles.text}>{r("missed.alreadyPaid")}</Text>
      <Text style={contentStyles.text}>{r("missed.stillInPlace")}</Text>
      <PlacePart r={r} place={props.place} creditorName={creditorName} />
      <ReminderAccountLine r={r} creditorName={creditorName} referenceText={referenceText} />
      <Text style={contentStyles.text}>{r("missed.payNow")}</Text>
      <PlanButton t={t} r={r} planUrl={planUrl} />
      <HelpSection r={r} helpUrl={props.helpUrl} heading={r("missed.helpHeading")} />
      <StopReminders r={r} unsubscribeUrl={props.unsubscribeUrl} />
    </EmailLayout>
  );
}

/** The subject and the element to send. */
export function reminderMissedEmail(props: ReminderMissedEmailProps) {
  return {
    subject: subjectOf(props),
    react: <ReminderMissedEmail {...props} />,
  };
}
