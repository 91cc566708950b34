/**
 * We have the borrower's word that they are getting debt advice, or are in a breathing space
 * (ADR 008). It says, calmly and in order: we have it; that collection on the account is
 * paused until a date (the end of day 60), that automatic payments stop and that payments
 * falling due meanwhile move after it and are not missed payments; what happens next; whether
 * we may contact their adviser and how to stop that; where to see it and end it early.
 *
 * It never repeats what the borrower typed (the organisation, the adviser's details, a
 * reference): an inbox may be shared. No amount anywhere. The words come from the `advice`
 * namespace (`at`), the layout's from `email` (`t`); the caller formats the date.
 */
import { Heading, Section, Text } from "@react-email/components";
import type { TFunction } from "i18next";
import { AccountLine, LinkNotes, PortalButton } from "./autopay-parts";
import { EmailLayout, contentStyles } from "./layout";
import { RequestSection, requestStyles, type RequestEmailCommonProps } from "./request-parts";

export type DebtAdviceEmailKind = "debt_advice" | "breathing_space";

export type DebtAdviceReceivedEmailProps = RequestEmailCommonProps & {
  /** A fixed translation function for the `advice` namespace in the borrower's language. */
  at: TFunction<"advice">;
  kind: DebtAdviceEmailKind;
  /** The last day collection is paused, e.g. "January 26, 2027". */
  pausedUntilText: string;
  /** The borrower let us contact their adviser. */
  contactShared: boolean;
  /** The borrower's debt advice page, where they can see it, stop contact or end it early. */
  adviserUrl: string;
};

function subjectOf({ at, creditorName }: Pick<DebtAdviceReceivedEmailProps, "at" | "creditorName">): string {
  return at("email.subject", { creditorName });
}

export function DebtAdviceReceivedEmail(props: DebtAdviceReceivedEmailProps) {
  const { t, at, lang, appUrl, creditorName, creditorContact, referenceText, kind, pausedUntilText, contactShared, adviserUrl } = props;
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={at("email.preview", { dateText: pausedUntilText })}
      reason={at("email.reason")}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {at("email.heading")}
      </Heading>
      <Text style={requestStyles.asked}>{at(`email.told.${kind}`)}</Text>
      <Text style={contentStyles.text}>{at("email.thanks")}</Text>
      <AccountLine t={t} creditorName={creditorName} referenceText={referenceText} />
      <RequestSection
        heading={at("email.paused.heading")}
        lines={[at("email.paused.until", { dateText: pausedUntilText }), at("email.paused.autopay"), at("email.paused.moved")]}
      />
      {kind === "breathing_space" ? <Text style={contentStyles.text}>{at("email.breathingSpaceLaw")}</Text> : null}
      <RequestSection
        heading={at("email.next.heading")}
        lines={[at("email.next.plan", { creditorName }), at("email.next.after", { dateText: pausedUntilText }), at("email.next.end")]}
      />
      <RequestSection
        heading={at("email.contact.heading")}
        lines={contactShared ? [at("email.contact.shared", { creditorName }), at("email.contact.stop")] : [at("email.contact.none")]}
      />
      <Section>
        <PortalButton href={adviserUrl} label={at("email.button")} />
        <LinkNotes t={t} href={adviserUrl} />
      </Section>
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...debtAdviceReceivedEmail(props) })`. */
export function debtAdviceReceivedEmail(props: DebtAdviceReceivedEmailProps) {
  return {
    subject: subjectOf(props),
    react: <DebtAdviceReceivedEmail {...props} />,
  };
}
