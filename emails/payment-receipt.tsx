/**
 * The receipt for a payment Stripe confirmed (issue 6 item 6), sent once per payment: what we
 * received, what is still owed (or that nothing is), the receipt lines (amount, date, paid to,
 * payment reference), and a link to the account.
 *
 * The caller formats every amount and date in the borrower's language; this template only
 * places them. The receipt lines are a list, not a table, so the plain-text twin keeps one
 * "label: value" per line. The subject and preview never carry an amount: the email may be
 * read by someone else.
 */
import { Button, Heading, Link, Section, Text } from "@react-email/components";
import type { CSSProperties } from "react";
import { EmailLayout, contentStyles, type EmailCreditor, type EmailT } from "./layout";

export type PaymentReceiptEmailProps = {
  t: EmailT;
  lang: string;
  appUrl: string;
  creditorName: string;
  creditorContact?: string | null;
  /** e.g. "$50.00" */
  amountText: string;
  /** When Stripe confirmed it, in the creditor's time zone, e.g. "Saturday, November 28, 8:02 PM EST". */
  dateText: string;
  /** What is still owed after this payment, e.g. "$1,190.50". */
  balanceText: string;
  /** Nothing is owed any more: says so instead of the balance. */
  paidOff: boolean;
  /** The payment reference the return page shows: the payment id's first 8 characters, upper case. */
  reference: string;
  /** e.g. "Reference ending in 1001" */
  referenceText: string;
  /** The borrower's account page (they sign in again by secure link if their session ended). */
  accountUrl: string;
};

// Colours from the layout's palette (WCAG AA on white).
const styles = {
  subheading: { fontSize: "20px", lineHeight: "28px", color: "#1f2937", margin: "24px 0 12px" },
  account: { fontSize: "14px", lineHeight: "20px", color: "#4b5563", margin: "0 0 8px" },
  list: { listStyleType: "none", margin: "0", padding: "0" },
  row: { fontSize: "16px", lineHeight: "24px", color: "#1f2937", margin: "0", padding: "8px 0", borderBottom: "1px solid #e5e7eb" },
  keep: { fontSize: "16px", lineHeight: "24px", color: "#1f2937", fontWeight: 700, margin: "16px 0" },
} satisfies Record<string, CSSProperties>;

function subjectOf({ t, creditorName }: Pick<PaymentReceiptEmailProps, "t" | "creditorName">): string {
  return t("receipt.subject", { creditorName });
}

export function PaymentReceiptEmail(props: PaymentReceiptEmailProps) {
  const { t, lang, appUrl, creditorName, creditorContact, amountText, dateText, balanceText, paidOff, reference, referenceText, accountUrl } = props;
  const creditor: EmailCreditor = { name: creditorName, contact: creditorContact };
  const lines = [
    t("receipt.lines.amount", { amountText }),
    t("receipt.lines.date", { dateText }),
    t("receipt.lines.to", { creditorName }),
    t("receipt.lines.reference", { reference }),
  ];

  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={subjectOf(props)}
      preview={t("receipt.preview", { creditorName })}
      reason={t("receipt.reason")}
      creditor={creditor}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {t("receipt.heading")}
      </Heading>
      <Text style={contentStyles.text}>{t("receipt.received", { amountText })}</Text>
      <Text style={contentStyles.text}>{paidOff ? t("receipt.paidOff") : t("receipt.balance", { balanceText })}</Text>
      <Text style={styles.account}>{t("receipt.account", { creditorName, referenceText })}</Text>

      <Section>
        <Heading as="h2" style={styles.subheading}>
          {t("receipt.lines.heading")}
        </Heading>
        <ul style={styles.list}>
          {lines.map((line, index) => (
            <li key={index} style={styles.row}>
              {line}
            </li>
          ))}
        </ul>
        <Text style={styles.keep}>{t("receipt.keep")}</Text>
      </Section>

      <Section>
        <Button href={accountUrl} style={contentStyles.button}>
          {t("receipt.button")}
        </Button>
        <Text style={{ ...contentStyles.text, marginTop: "24px" }}>{t("receipt.signIn")}</Text>
        <Text style={contentStyles.text}>
          {t("receipt.fallback")}{" "}
          <Link href={accountUrl} style={contentStyles.link}>
            {accountUrl}
          </Link>
        </Text>
      </Section>
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...paymentReceiptEmail(props) })`. */
export function paymentReceiptEmail(props: PaymentReceiptEmailProps) {
  return {
    subject: subjectOf(props),
    react: <PaymentReceiptEmail {...props} />,
  };
}
