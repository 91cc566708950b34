/**
 * The reminder before a plan payment (issue 9 item 3): the amount and what it is for, the
 * date, and what happens next; by hand, where to pay; automatic, that nothing needs doing.
 * When an automatic payment will take less than the plan says (part of it was paid
 * already), it says so and why: this is also the 10-days-ahead notice of a different amount.
 * Then how to move the date, and how to ask for help.
 *
 * The caller formats every amount and date in the borrower's language; this template only
 * places them. The subject and preview never carry an amount.
 */
import { Heading, Section, Text } from "@react-email/components";
import { TextWithLink, autopayStyles } from "./autopay-parts";
import { EmailLayout, contentStyles } from "./layout";
import { HelpSection, PlacePart, PlanButton, ReminderAccountLine, StopReminders, type ReminderEmailCommonProps } from "./reminder-parts";

export type ReminderUpcomingEmailProps = ReminderEmailCommonProps & {
  /** What will be taken or is due, e.g. "$50.00". */
  amountText: string;
  /** The payment date, e.g. "December 4, 2026". */
  dueText: string;
  /** Taken automatically: the saved method ("Visa ending in 4242"), or "" when we cannot name it. Null: paid by hand. */
  automaticMethodText: string | null;
  /** The amount differs from the plan's: what the plan says and what was paid of it already. */
  changed: { agreedText: string; paidText: string } | null;
  /** The plan page's "move a payment" step for this payment. */
  moveUrl: string;
};

function subjectOf({ r, creditorName }: Pick<ReminderUpcomingEmailProps, "r" | "creditorName">): string {
  return r("upcoming.subject", { creditorName });
}

export function ReminderUpcomingEmail(props: ReminderUpcomingEmailProps) {
  const { t, r, lang, appUrl, creditorName, creditorContact, referenceText, amountText, dueText, automaticMethodText, changed, planUrl, moveUrl } = props;
  const automatic = automaticMethodText !== null;
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={r("upcoming.preview", { dueText })}
      reason={r("upcoming.reason", { creditorName })}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {r("upcoming.heading")}
      </Heading>
      {automatic ? (
        <>
          <Text style={contentStyles.text}>
            {automaticMethodText
              ? r("upcoming.automatic", { dueText, amountText, methodText: automaticMethodText })
              : r("upcoming.automaticNoMethod", { dueText, amountText })}
          </Text>
          {changed ? (
            <>
              <Text style={contentStyles.text}>{r("upcoming.changed", changed)}</Text>
              <Text style={contentStyles.text}>{r("upcoming.changedWhy")}</Text>
            </>
          ) : null}
          <Text style={contentStyles.text}>{r("upcoming.automaticNothing")}</Text>
        </>
      ) : (
        <>
          <Text style={contentStyles.text}>{r("upcoming.manual", { amountText, dueText })}</Text>
          <Text style={contentStyles.text}>{r("upcoming.manualHow")}</Text>
        </>
      )}
      <PlacePart r={r} place={props.place} creditorName={creditorName} />
      <ReminderAccountLine r={r} creditorName={creditorName} referenceText={referenceText} />
      <PlanButton t={t} r={r} planUrl={planUrl} />
      <Section>
        <Heading as="h2" style={autopayStyles.subheading}>
          {r("upcoming.moveHeading")}
        </Heading>
        <TextWithLink text={r("upcoming.move")} href={moveUrl} />
      </Section>
      <HelpSection r={r} helpUrl={props.helpUrl} />
      <StopReminders r={r} unsubscribeUrl={props.unsubscribeUrl} />
    </EmailLayout>
  );
}

/** The subject and the element to send. */
export function reminderUpcomingEmail(props: ReminderUpcomingEmailProps) {
  return {
    subject: subjectOf(props),
    react: <ReminderUpcomingEmail {...props} />,
  };
}
