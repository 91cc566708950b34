/**
 * The written confirmation of an arrangement (a payment plan, a settlement or a promise to
 * pay), sent right after the borrower agrees it (issue 5 item 6; ADR 004): every payment with
 * its date and amount, the total, the exact terms the borrower agreed to (the same lines as the
 * consent record), and how to change or cancel. A request waiting for staff review says when we
 * will reply and that nothing changes until then.
 *
 * The caller formats every amount and date in the borrower's language; this template only
 * places them. The payments are a list, not a table, so the plain-text twin keeps one
 * "date — amount" per line. The subject and preview never carry an amount: the email may be
 * read by someone else.
 */
import { Button, Heading, Link, Section, Text } from "@react-email/components";
import type { CSSProperties } from "react";
import { EmailLayout, contentStyles, type EmailCreditor, type EmailT } from "./layout";

export type ArrangementKind = "plan" | "settlement" | "promise";
export type ArrangementEmailStatus = "active" | "pending_review";

export type ArrangementConfirmationEmailProps = {
  t: EmailT;
  lang: string;
  appUrl: string;
  creditorName: string;
  creditorContact?: string | null;
  kind: ArrangementKind;
  status: ArrangementEmailStatus;
  /** e.g. "Tuesday, December 1, 2026": only for pending_review. */
  reviewDueOn: string | null;
  /** e.g. "$1,240.50" */
  totalText: string;
  /** One row per payment, already formatted. */
  installments: Array<{ dateText: string; amountText: string }>;
  /** The exact terms the borrower agreed to, as plain-text lines (same lines as the consent record). */
  termsLines: string[];
  /** The borrower's "My plan" page (they sign in again by secure link if their session ended). */
  manageUrl: string;
  /** e.g. "Reference ending in 1001" */
  referenceText: string;
};

// Colours from the layout's palette (WCAG AA on white).
const styles = {
  subheading: { fontSize: "20px", lineHeight: "28px", color: "#1f2937", margin: "24px 0 12px" },
  account: { fontSize: "14px", lineHeight: "20px", color: "#4b5563", margin: "0 0 8px" },
  list: { listStyleType: "none", margin: "0", padding: "0" },
  row: { fontSize: "16px", lineHeight: "24px", color: "#1f2937", margin: "0", padding: "8px 0", borderBottom: "1px solid #e5e7eb" },
  total: { fontSize: "16px", lineHeight: "24px", color: "#1f2937", fontWeight: 700, margin: "8px 0 16px" },
  term: { fontSize: "16px", lineHeight: "24px", color: "#1f2937", margin: "0 0 8px" },
  keep: { fontSize: "16px", lineHeight: "24px", color: "#1f2937", fontWeight: 700, margin: "16px 0" },
} satisfies Record<string, CSSProperties>;

function subjectOf({ t, kind, status, creditorName }: ArrangementConfirmationEmailProps): string {
  return t(`arrangement.subject.${kind}.${status}`, { creditorName });
}

export function ArrangementConfirmationEmail(props: ArrangementConfirmationEmailProps) {
  const { t, lang, appUrl, creditorName, creditorContact, kind, status, reviewDueOn, totalText, installments, termsLines, manageUrl, referenceText } =
    props;
  const creditor: EmailCreditor = { name: creditorName, contact: creditorContact };
  const pending = status === "pending_review";
  const replyLine = reviewDueOn ? t("arrangement.pending.replyBy", { date: reviewDueOn }) : t("arrangement.pending.replySoon");
  const preview = pending ? `${replyLine} ${t("arrangement.pending.nothingChanges")}` : t("arrangement.preview", { creditorName });

  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={preview}
      reason={t("arrangement.reason")}
      creditor={creditor}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {pending ? t("arrangement.heading.pending_review") : t(`arrangement.heading.${kind}`)}
      </Heading>
      <Text style={contentStyles.text}>{t(`arrangement.intro.${status}.${kind}`, { creditorName })}</Text>
      {pending ? (
        <>
          <Text style={contentStyles.text}>{t("arrangement.pending.check")}</Text>
          <Text style={contentStyles.text}>{replyLine}</Text>
          <Text style={contentStyles.text}>{t("arrangement.pending.nothingChanges")}</Text>
        </>
      ) : null}
      <Text style={styles.account}>{t("arrangement.account", { creditorName, referenceText })}</Text>

      <Section>
        <Heading as="h2" style={styles.subheading}>
          {t(`arrangement.schedule.${status}`, { count: installments.length })}
        </Heading>
        <ul style={styles.list}>
          {installments.map((row, index) => (
            <li key={index} style={styles.row}>
              {t("arrangement.schedule.row", { dateText: row.dateText, amountText: row.amountText })}
            </li>
          ))}
        </ul>
        <Text style={styles.total}>{t("arrangement.schedule.total", { totalText })}</Text>
      </Section>

      <Section>
        <Heading as="h2" style={styles.subheading}>
          {t("arrangement.terms.heading")}
        </Heading>
        {termsLines.map((line, index) => (
          <Text key={index} style={styles.term}>
            {line}
          </Text>
        ))}
        <Text style={styles.keep}>{t("arrangement.terms.keep")}</Text>
      </Section>

      <Section>
        <Heading as="h2" style={styles.subheading}>
          {t("arrangement.manage.heading")}
        </Heading>
        <Text style={contentStyles.text}>{t(`arrangement.manage.${status}`)}</Text>
        <Button href={manageUrl} style={contentStyles.button}>
          {t("arrangement.manage.button")}
        </Button>
        <Text style={{ ...contentStyles.text, marginTop: "24px" }}>{t("arrangement.manage.signIn")}</Text>
        <Text style={contentStyles.text}>
          {t("arrangement.manage.fallback")}{" "}
          <Link href={manageUrl} style={contentStyles.link}>
            {manageUrl}
          </Link>
        </Text>
      </Section>
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...arrangementConfirmationEmail(props) })`. */
export function arrangementConfirmationEmail(props: ArrangementConfirmationEmailProps) {
  return {
    subject: subjectOf(props),
    react: <ArrangementConfirmationEmail {...props} />,
  };
}
