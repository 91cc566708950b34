/**
 * "Here is your new secure link": sent when someone asks for a fresh link from an expired or
 * used one (DESIGN §5 item 1). Calm and plain: what it is, when the link stops working, and
 * what to do if the reader did not ask for it. It never says whether the account is behind or
 * by how much: the email may be read by someone else.
 */
import { Button, Heading, Link, Text } from "@react-email/components";
import { EmailLayout, contentStyles, type EmailCreditor, type EmailT } from "./layout";

export type NewLinkEmailProps = {
  t: EmailT;
  lang: string;
  appUrl: string;
  creditorName: string;
  creditorContact?: string | null;
  linkUrl: string;
  expiresInMinutes: number;
  /** For a long-lived link (one a staff member sent): say days instead of minutes. */
  expiresInDays?: number;
};

export function NewLinkEmail({ t, lang, appUrl, creditorName, creditorContact, linkUrl, expiresInMinutes, expiresInDays }: NewLinkEmailProps) {
  const creditor: EmailCreditor = { name: creditorName, contact: creditorContact };
  return (
    <EmailLayout
      t={t}
      lang={lang}
      title={t("newLink.subject", { creditorName })}
      preview={t("newLink.preview", { creditorName })}
      reason={t("newLink.reason")}
      creditor={creditor}
      appUrl={appUrl}
    >
      <Heading as="h1" style={contentStyles.heading}>
        {t("newLink.heading")}
      </Heading>
      <Text style={contentStyles.text}>{t("newLink.intro", { creditorName })}</Text>
      <Button href={linkUrl} style={contentStyles.button}>
        {t("newLink.button")}
      </Button>
      <Text style={{ ...contentStyles.text, marginTop: "24px" }}>{expiresInDays ? t("newLink.expiresDays", { count: expiresInDays }) : t("newLink.expires", { count: expiresInMinutes })}</Text>
      <Text style={contentStyles.text}>
        {t("newLink.fallback")}{" "}
        <Link href={linkUrl} style={contentStyles.link}>
          {linkUrl}
        </Link>
      </Text>
      <Text style={contentStyles.text}>{t("newLink.didNotAsk")}</Text>
    </EmailLayout>
  );
}

/** The subject and the element to send: `sendEmail({ to, idempotencyKey, ...newLinkEmail(props) })`. */
export function newLinkEmail(props: NewLinkEmailProps) {
  return {
    subject: props.t("newLink.subject", { creditorName: props.creditorName }),
    react: <NewLinkEmail {...props} />,
  };
}
