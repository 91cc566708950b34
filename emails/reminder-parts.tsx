/**
 * Pieces the reminder emails share (reminder-upcoming, reminder-missed): the props every
 * one of them takes, the account line, the button to the plan page with its notes, and the
 * "if money is tight" section.
 *
 * Reminders are outreach the borrower did not ask for (ADR 014), so their words are calm:
 * the amount and what it is for, the date, what happens next, how to change the date or ask
 * for help. Never a threat, a deadline we have not agreed, or a consequence not already
 * disclosed. The layout's footer (and the sender's unsubscribe link and headers) come with
 * every one; the opt-out link is repeated at the end of the message.
 *
 * Two translation functions: `t` for the layout and the shared link notes (namespace
 * `email`), `r` for the reminders' own words (namespace `reminders`).
 */
import { Heading, Link, Section, Text } from "@react-email/components";
import type { TFunction } from "i18next";
import { LinkNotes, PortalButton, TextWithLink, autopayStyles } from "./autopay-parts";
import { contentStyles, type EmailT } from "./layout";

/** A fixed translation function for the `reminders` namespace in one language. */
export type RemindersT = TFunction<"reminders">;

/** What every reminder receives, already translated and formatted. */
export type ReminderEmailCommonProps = {
  t: EmailT;
  r: RemindersT;
  lang: string;
  appUrl: string;
  creditorName: string;
  creditorContact?: string | null;
  /** e.g. "Reference ending in 1001" */
  referenceText: string;
  /** The borrower's "My plan" page. */
  planUrl: string;
  /** The borrower's "I'm struggling to pay" page. */
  helpUrl: string;
  /** Where the payment sits in the plan ("payment 2 of 6"); null when the plan has one payment. */
  place: { seq: number; total: number } | null;
  /** The one-tap opt-out link (the sender's; the List-Unsubscribe header carries the same). Null: none shown. */
  unsubscribeUrl: string | null;
};

/** "Your account with Northwind Lending: Reference ending in 1001" */
export function ReminderAccountLine({ r, creditorName, referenceText }: Pick<ReminderEmailCommonProps, "r" | "creditorName" | "referenceText">) {
  return <Text style={autopayStyles.account}>{r("account", { creditorName, referenceText })}</Text>;
}

/** "This is payment 2 of 6 in your plan. It goes toward what you owe …", when the plan has more than one. */
export function PlacePart({ r, place, creditorName }: Pick<ReminderEmailCommonProps, "r" | "place" | "creditorName">) {
  if (!place || place.total < 2) return null;
  return <Text style={autopayStyles.term}>{r("place", { seq: place.seq, total: place.total, creditorName })}</Text>;
}

/** The button to the plan page, the "sign in again" note and the address written out. */
export function PlanButton({ t, r, planUrl }: Pick<ReminderEmailCommonProps, "t" | "r" | "planUrl">) {
  return (
    <Section>
      <PortalButton href={planUrl} label={r("button")} />
      <LinkNotes t={t} href={planUrl} />
    </Section>
  );
}

/** The one-tap way to stop these emails, last in the message. */
export function StopReminders({ r, unsubscribeUrl }: Pick<ReminderEmailCommonProps, "r" | "unsubscribeUrl">) {
  if (!unsubscribeUrl) return null;
  return (
    <Section>
      <Text style={autopayStyles.account}>
        {r("unsubscribe")}{" "}
        <Link href={unsubscribeUrl} style={contentStyles.link}>
          {unsubscribeUrl}
        </Link>
      </Text>
    </Section>
  );
}

/** "If money is tight": how to ask for help, with the address. */
export function HelpSection({ r, helpUrl, heading }: Pick<ReminderEmailCommonProps, "r" | "helpUrl"> & { heading?: string }) {
  return (
    <Section>
      <Heading as="h2" style={autopayStyles.subheading}>
        {heading ?? r("help.heading")}
      </Heading>
      <TextWithLink text={r("help.text")} href={helpUrl} />
    </Section>
  );
}
