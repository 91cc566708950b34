/**
 * Pieces the plan decision emails share (plan-approved, plan-declined, plan-counter-offer;
 * ADR 010): the props they take, the staff member's note to the borrower, and a schedule as a
 * list (one "date — amount" per line in the plain-text twin).
 *
 * The layout's words come from the `email` namespace (`t`); the words of these emails come
 * from the `offer` namespace, under `email.*` (`w`). The caller formats every amount and
 * date in the borrower's language; these templates only place them. Subjects and previews
 * never carry an amount: the email may be read by someone else.
 */
import { Heading, Section, Text } from "@react-email/components";
import { autopayStyles, type AutopayEmailCommonProps } from "./autopay-parts";
import { contentStyles, type EmailT } from "./layout";

export type PlanDecisionEmailCommonProps = AutopayEmailCommonProps & {
  /** The words of the plan decision emails (namespace `offer`, keys `email.*`). */
  w: EmailT;
  /** What the staff member wrote to the borrower, as they wrote it; null for none. */
  note: string | null;
  /** The reason in plain words, already chosen from the reason code; null for none. */
  reasonText: string | null;
};

export type EmailScheduleRow = { dateText: string; amountText: string };

export const planDecisionStyles = {
  subheading: autopayStyles.subheading,
  note: { ...contentStyles.text, borderLeft: "4px solid #1d4ed8", paddingLeft: "12px", whiteSpace: "pre-line" as const },
};

/** "A note from Northwind Lending" and the note, kept as written (line breaks too). */
export function NoteSection({ w, creditorName, note }: { w: EmailT; creditorName: string; note: string | null }) {
  if (!note) return null;
  return (
    <Section>
      <Heading as="h2" style={planDecisionStyles.subheading}>
        {w("email.noteHeading", { creditorName })}
      </Heading>
      <Text style={planDecisionStyles.note}>{note}</Text>
    </Section>
  );
}

/** A heading, one line per payment, and the total. */
export function ScheduleSection({ heading, rows, totalText, w }: { heading: string; rows: EmailScheduleRow[]; totalText: string; w: EmailT }) {
  return (
    <Section>
      <Heading as="h2" style={planDecisionStyles.subheading}>
        {heading}
      </Heading>
      <ul style={autopayStyles.list}>
        {rows.map((row, index) => (
          <li key={index} style={autopayStyles.row}>
            {w("email.row", { dateText: row.dateText, amountText: row.amountText })}
          </li>
        ))}
      </ul>
      <Text style={autopayStyles.total}>{w("email.total", { totalText })}</Text>
    </Section>
  );
}
