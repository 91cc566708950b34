/**
 * The console's one-time sign-in link (issue 8 item 1). Sent only to an active staff
 * member's own address; it says how long the link works and what to do if they did not
 * ask. No borrower data, and no creditor footer: this is between Repay and its staff.
 */
import { Body, Button, Container, Head, Heading, Hr, Html, Link, Preview, Text } from "@react-email/components";
import type { CSSProperties } from "react";
import { contentStyles, type EmailT } from "./layout";

export type StaffSignInEmailProps = { t: EmailT; lang: string; name: string; linkUrl: string };

const styles = {
  body: { backgroundColor: "#f3f4f6", margin: 0, padding: "24px 0", fontFamily: "Arial, Helvetica, sans-serif" },
  container: { backgroundColor: "#ffffff", maxWidth: "560px", margin: "0 auto", padding: "24px", borderRadius: "8px" },
  brand: { fontSize: "22px", fontWeight: 700, color: "#1d4ed8", margin: "0 0 16px" },
  footer: { fontSize: "14px", lineHeight: "20px", color: "#4b5563", margin: 0 },
  hr: { borderColor: "#e5e7eb", margin: "24px 0" },
} satisfies Record<string, CSSProperties>;

export function StaffSignInEmail({ t, lang, name, linkUrl }: StaffSignInEmailProps) {
  return (
    <Html lang={lang} dir="ltr">
      <Head>
        <title>{t("staffSignIn.subject")}</title>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
      </Head>
      <Body style={styles.body}>
        <Preview>{t("staffSignIn.preview")}</Preview>
        <Container style={styles.container}>
          <Text style={styles.brand}>{t("layout.brand")}</Text>
          <Heading as="h1" style={contentStyles.heading}>
            {t("staffSignIn.heading")}
          </Heading>
          <Text style={contentStyles.text}>{t("staffSignIn.intro", { name })}</Text>
          <Button href={linkUrl} style={contentStyles.button}>
            {t("staffSignIn.button")}
          </Button>
          <Text style={{ ...contentStyles.text, marginTop: "24px" }}>{t("staffSignIn.expires")}</Text>
          <Text style={contentStyles.text}>
            {t("staffSignIn.fallback")}{" "}
            <Link href={linkUrl} style={contentStyles.link}>
              {linkUrl}
            </Link>
          </Text>
          <Text style={contentStyles.text}>{t("staffSignIn.didNotAsk")}</Text>
          <Hr style={styles.hr} />
          <Text style={styles.footer}>{t("staffSignIn.footer")}</Text>
        </Container>
      </Body>
    </Html>
  );
}

/** `sendEmail({ to, idempotencyKey, ...staffSignInEmail(props) })`. */
export function staffSignInEmail(props: StaffSignInEmailProps) {
  return { subject: props.t("staffSignIn.subject"), react: <StaffSignInEmail {...props} /> };
}
