/**
 * The one layout every Repay email uses: a text wordmark (no remote image, so nothing is
 * blocked or tracked), the message, and a footer that says who sent it and why, that we never
 * ask for card numbers, PINs or passwords, how to check the message is genuine, and how to
 * reach the creditor. Plain-text twins come from rendering the same tree with
 * `{ plainText: true }` (app/services/email/send.server.ts).
 *
 * Templates receive a fixed `t` for the borrower's language (namespace `email`) and never
 * read the environment, so they render the same in tests, in /dev/outbox and in production.
 */
import { Body, Container, Head, Hr, Html, Link, Preview, Section, Text } from "@react-email/components";
import type { TFunction } from "i18next";
import { createContext, useContext, type CSSProperties, type ReactNode } from "react";

/**
 * The one-tap "stop reminder emails" link for the footer (issue 9 item 1). The outbox's sender
 * provides it around a message to a borrower (a signed, per-message token); reminders carry
 * their own, fuller line in the body, and staff emails have none.
 */
export const StopRemindersLinkContext = createContext<string | null>(null);

/** A fixed translation function for the `email` namespace in one language. */
export type EmailT = TFunction<"email">;

/** The creditor an email is about: its name always, its contact line when we hold one. */
export type EmailCreditor = { name: string; contact?: string | null };

export type EmailLayoutProps = {
  t: EmailT;
  /** BCP 47 language of the text, for `<html lang>` (screen readers pick their voice from it). */
  lang: string;
  /** The subject, repeated as the document title. */
  title: string;
  /** The line mail apps show after the subject. */
  preview: string;
  /** Why this person gets this email, already translated; completes "You are getting it because …". */
  reason: string;
  creditor: EmailCreditor;
  /** The portal's public address (APP_URL), named in the "check it is genuine" advice. */
  appUrl: string;
  children: ReactNode;
};

// Colours meet WCAG AA on white: #1f2937 is 14.7:1, #4b5563 is 7.6:1, #1d4ed8 is 6.7:1.
const styles = {
  body: { backgroundColor: "#f3f4f6", margin: 0, padding: "24px 0", fontFamily: "Arial, Helvetica, sans-serif" },
  container: { backgroundColor: "#ffffff", maxWidth: "560px", margin: "0 auto", padding: "24px", borderRadius: "8px" },
  brand: { fontSize: "22px", fontWeight: 700, color: "#1d4ed8", margin: "0 0 16px", letterSpacing: "0.02em" },
  footer: { fontSize: "14px", lineHeight: "20px", color: "#4b5563", margin: "0 0 12px" },
  footerLink: { color: "#1d4ed8" },
  hr: { borderColor: "#e5e7eb", margin: "24px 0" },
} satisfies Record<string, CSSProperties>;

export function EmailLayout({ t, lang, title, preview, reason, creditor, appUrl, children }: EmailLayoutProps) {
  const siteAddress = new URL(appUrl).host;
  const stopReminders = useContext(StopRemindersLinkContext);
  return (
    <Html lang={lang} dir="ltr">
      <Head>
        <title>{title}</title>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
      </Head>
      <Body style={styles.body}>
        <Preview>{preview}</Preview>
        <Container style={styles.container}>
          <Text style={styles.brand}>{t("layout.brand")}</Text>
          <Section>{children}</Section>
          <Hr style={styles.hr} />
          <Section>
            <Text style={styles.footer}>
              {t("layout.sentBy", { creditorName: creditor.name })} {t("layout.why", { reason })}
            </Text>
            <Text style={styles.footer}>{t("layout.neverAsk")}</Text>
            <Text style={styles.footer}>{t("layout.checkGenuine", { siteAddress, creditorName: creditor.name })}</Text>
            {creditor.contact ? (
              <Text style={styles.footer}>{t("layout.contactCreditor", { creditorName: creditor.name, contact: creditor.contact })}</Text>
            ) : null}
            {stopReminders ? (
              <Text style={styles.footer}>
                {t("layout.stopReminders")}{" "}
                <Link href={stopReminders} style={styles.footerLink}>
                  {t("layout.stopRemindersLink")}
                </Link>
              </Text>
            ) : null}
          </Section>
        </Container>
      </Body>
    </Html>
  );
}

/** Shared styles for the text inside a layout, so every email reads the same. */
export const contentStyles = {
  heading: { fontSize: "24px", lineHeight: "32px", color: "#1f2937", margin: "0 0 16px" },
  text: { fontSize: "16px", lineHeight: "24px", color: "#1f2937", margin: "0 0 16px" },
  button: {
    backgroundColor: "#1d4ed8",
    color: "#ffffff",
    fontSize: "16px",
    fontWeight: 700,
    textDecoration: "none",
    borderRadius: "6px",
    padding: "14px 20px",
    display: "inline-block",
  },
  link: { color: "#1d4ed8", wordBreak: "break-all" },
} satisfies Record<string, CSSProperties>;
