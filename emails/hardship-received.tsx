/**
 * We have the borrower's request for help (a submitted hardship request, ADR 007). It says,
 * calmly and in order: we have it; what they asked for; that while we look we will not ask
 * them to pay and automatic payments stop; that payments falling due meanwhile move later and
 * are not missed payments; when and where we will answer; and where free, independent debt
 * advice is (per region, see request-parts.tsx).
 *
 * The caller formats every amount and date in the borrower's language; this template only
 * places them. The subject and preview never carry an amount.
 */
import { Heading, Section, Text } from "@react-email/components";
import { AccountLine, LinkNotes, PortalButton } from "./autopay-parts";
import { EmailLayout, contentStyles } from "./layout";
import { DebtAdviceSection, RequestSection, requestStyles, type DebtAdvice, type RequestEmailCommonProps } from "./request-parts";

/** What the borrower asked for, with its one detail already formatted. */
export type HardshipHelpAsked =
  | { help: "payment_break"; breakDays: number | null }
  | { help: "lower_payments"; monthlyText: string | null }
  | { help: "freeze_interest" | "settlement" | "not_sure" };

export type HardshipReceivedEmailProps = RequestEmailCommonProps & {
  asked: HardshipHelpAsked;
  /** The date we answer by, e.g. "December 19, 2026". */
  decisionDueText: string;
  /** The borrower's "I'm struggling to pay" page, where the request and our answer are. */
  helpUrl: string;
  /** Free debt advice in the creditor's region; null for the generic sentence only. */
  advice: DebtAdvice | null;
};

function subjectOf({ t, creditorName }: Pick<HardshipReceivedEmailProps, "t" | "creditorName">): string {
  return t("hardship.subject", { creditorName });
}

/** "A break from payments for 60 days", "Lower payments of $25.00 a month", … */
function askedLine(t: HardshipReceivedEmailProps["t"], asked: HardshipHelpAsked): string {
  switch (asked.help) {
    case "payment_break":
      return asked.breakDays ? t("hardship.help.payment_break.days", { days: asked.breakDays }) : t("hardship.help.payment_break.any");
    case "lower_payments":
      return asked.monthlyText ? t("hardship.help.lower_payments.amount", { amountText: asked.monthlyText }) : t("hardship.help.lower_payments.any");
    default:
      return t(`hardship.help.${asked.help}`);
  }
}

export function HardshipReceivedEmail(props: HardshipReceivedEmailProps) {
  const { t, lang, appUrl, creditorName, creditorContact, referenceText, asked, decisionDueText, helpUrl, advice } = props;
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={t("hardship.preview", { dateText: decisionDueText })}
      reason={t("hardship.reason")}
      creditor={{ name: creditorName, contact: creditorContact }}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {t("hardship.heading")}
      </Heading>
      <Text style={contentStyles.text}>{t("hardship.intro", { creditorName })}</Text>
      <AccountLine t={t} creditorName={creditorName} referenceText={referenceText} />
      <Section>
        <Heading as="h2" style={requestStyles.subheading}>
          {t("hardship.askedHeading")}
        </Heading>
        <Text style={requestStyles.asked}>{askedLine(t, asked)}</Text>
      </Section>
      <RequestSection heading={t("hardship.while.heading")} lines={[t("hardship.while.noPay"), t("hardship.while.autopayStops"), t("hardship.while.moved")]} />
      <RequestSection
        heading={t("hardship.next.heading")}
        lines={[t("hardship.next.answerBy", { dateText: decisionDueText }), t("hardship.next.how"), t("hardship.next.nothingToDo")]}
      />
      <Section>
        <PortalButton href={helpUrl} label={t("hardship.button")} />
        <LinkNotes t={t} href={helpUrl} />
      </Section>
      <DebtAdviceSection t={t} advice={advice} />
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...hardshipReceivedEmail(props) })`. */
export function hardshipReceivedEmail(props: HardshipReceivedEmailProps) {
  return {
    subject: subjectOf(props),
    react: <HardshipReceivedEmail {...props} />,
  };
}
