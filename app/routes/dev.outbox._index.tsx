/**
 * /dev/outbox: the emails the local Resend stand-in accepted, newest first. Local mode and
 * loopback clients only (requireLocalOnly answers 404 otherwise), so a deployment never
 * shows it. Lets a person or an end-to-end test find a borrower's email and open its link.
 */
import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { intlLocale } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { listLocalEmails } from "~/services/email/local-outbox.server";
import { requireLocalOnly } from "~/utils/local-only.server";

export const handle = { i18n: ["common", "dev"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireLocalOnly(context, "email");
  const language = await getLanguage(request);
  const [emails, t] = await Promise.all([listLocalEmails(200), i18nServer.getFixedT(language, "dev")]);
  // Formatted here so the server and the browser show the same text (the server's time zone).
  const format = new Intl.DateTimeFormat(intlLocale(language), { dateStyle: "medium", timeStyle: "medium" });
  return {
    title: t("outbox.title"),
    emails: emails.map((email) => ({
      id: email.id,
      to: email.to.join(", "),
      subject: email.subject,
      sentAt: email.created_at,
      sentAtText: format.format(new Date(email.created_at)),
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: data.title }, { name: "robots", content: "noindex" }] : [];

export default function OutboxList() {
  const { emails } = useLoaderData<typeof loader>();
  const { t } = useTranslation("dev");
  return (
    <div className="page">
      <h1>{t("outbox.title")}</h1>
      <p>{t("outbox.intro")}</p>
      <p>
        <Link to="/dev/emails">{t("outbox.previewsLink")}</Link>
      </p>
      {emails.length === 0 ? (
        <p>{t("outbox.empty")}</p>
      ) : (
        <ol className="outbox-list" aria-label={t("outbox.listLabel")}>
          {emails.map((email) => (
            <li key={email.id}>
              <p>
                <Link to={`/dev/outbox/${email.id}`}>{email.subject || t("outbox.noSubject")}</Link>
              </p>
              <p>
                {t("outbox.to")} {email.to}
                <br />
                {t("outbox.sentAt")} <time dateTime={email.sentAt}>{email.sentAtText}</time>
              </p>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
