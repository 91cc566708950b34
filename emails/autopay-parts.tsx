/**
 * Pieces the "pay automatically" emails share (autopay-authorization, automatic-payment-failed,
 * confirm-automatic-payment, plan-paid-off): the props every one of them takes, the account
 * line, and the button to a portal page with its "sign in again" note and the address written
 * out for mail apps that drop buttons (the plain-text twin keeps the address).
 */
import { Button, Link, Text } from "@react-email/components";
import type { CSSProperties } from "react";
import { contentStyles, type EmailT } from "./layout";

/** What every automatic-payment email receives, already translated and formatted. */
export type AutopayEmailCommonProps = {
  t: EmailT;
  lang: string;
  appUrl: string;
  creditorName: string;
  creditorContact?: string | null;
  /** e.g. "Reference ending in 1001" */
  referenceText: string;
};

// Colours from the layout's palette (WCAG AA on white).
export const autopayStyles = {
  subheading: { fontSize: "20px", lineHeight: "28px", color: "#1f2937", margin: "24px 0 12px" },
  account: { fontSize: "14px", lineHeight: "20px", color: "#4b5563", margin: "0 0 8px" },
  list: { listStyleType: "none", margin: "0", padding: "0" },
  row: { fontSize: "16px", lineHeight: "24px", color: "#1f2937", margin: "0", padding: "8px 0", borderBottom: "1px solid #e5e7eb" },
  total: { fontSize: "16px", lineHeight: "24px", color: "#1f2937", fontWeight: 700, margin: "8px 0 16px" },
  term: { fontSize: "16px", lineHeight: "24px", color: "#1f2937", margin: "0 0 8px" },
  keep: { fontSize: "16px", lineHeight: "24px", color: "#1f2937", fontWeight: 700, margin: "16px 0" },
} satisfies Record<string, CSSProperties>;

/** "Your account with Northwind Lending: Reference ending in 1001" */
export function AccountLine({ t, creditorName, referenceText }: Pick<AutopayEmailCommonProps, "t" | "creditorName" | "referenceText">) {
  return <Text style={autopayStyles.account}>{t("autopay.account", { creditorName, referenceText })}</Text>;
}

/** A text that ends with ":" followed by the address as a link, e.g. "…you can ask for help: <url>". */
export function TextWithLink({ text, href }: { text: string; href: string }) {
  return (
    <Text style={contentStyles.text}>
      {text}{" "}
      <Link href={href} style={contentStyles.link}>
        {href}
      </Link>
    </Text>
  );
}

/** The button to a portal page. Follow it with LinkNotes for the same address. */
export function PortalButton({ href, label }: { href: string; label: string }) {
  return (
    <Button href={href} style={contentStyles.button}>
      {label}
    </Button>
  );
}

/** After a PortalButton: the note that we may ask for a new secure link, and the address written out. */
export function LinkNotes({ t, href }: { t: EmailT; href: string }) {
  return (
    <>
      <Text style={{ ...contentStyles.text, marginTop: "24px" }}>{t("autopay.link.signIn")}</Text>
      <TextWithLink text={t("autopay.link.fallback")} href={href} />
    </>
  );
}
