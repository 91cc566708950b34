/**
 * /dev/emails: every email the portal can send (one entry per preview in
 * app/utils/email-previews.server.ts, some templates more than once for their variants), each
 * with its subject and links to its English and Spanish rendering as HTML and plain text.
 * Local mode and loopback clients only, like /dev/outbox (requireLocalOnly answers 404
 * otherwise). Nothing here is sent.
 */
import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { languageNames, supportedLanguages } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { EMAIL_PREVIEWS, previewSubjects } from "~/utils/email-previews.server";
import { requireLocalOnly } from "~/utils/local-only.server";

export const handle = { i18n: ["common", "dev"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireLocalOnly(context, "email");
  const language = await getLanguage(request);
  const [t, ...subjects] = await Promise.all([i18nServer.getFixedT(language, "dev"), ...supportedLanguages.map((lang) => previewSubjects(lang))]);
  return {
    title: t("emails.title"),
    previews: EMAIL_PREVIEWS.map((preview) => ({
      id: preview.id,
      file: preview.file,
      languages: supportedLanguages.map((lang, index) => ({ language: lang, name: languageNames[lang], subject: subjects[index]?.[preview.id] ?? "" })),
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: data.title }, { name: "robots", content: "noindex" }] : [];

export default function EmailPreviews() {
  const { previews } = useLoaderData<typeof loader>();
  const { t } = useTranslation("dev");
  return (
    <div className="page">
      <h1>{t("emails.title")}</h1>
      <p>{t("emails.intro")}</p>
      <p>
        <Link to="/dev/outbox">{t("emails.outboxLink")}</Link>
      </p>
      <ul className="outbox-list" aria-label={t("emails.listLabel")}>
        {previews.map((preview) => (
          <li key={preview.id}>
            <h2 style={{ overflowWrap: "anywhere" }}>{preview.id}</h2>
            <p>
              {t("emails.file")} <code>emails/{preview.file}</code>
            </p>
            <ul>
              {preview.languages.map((entry) => {
                const base = `/dev/emails/${preview.id}/${entry.language}`;
                return (
                  <li key={entry.language}>
                    <p>
                      <strong lang={entry.language}>{entry.name}</strong>: <span lang={entry.language}>{entry.subject}</span>
                    </p>
                    <p>
                      <Link to={base}>{t("emails.open")}</Link>
                      {" · "}
                      <a href={`${base}/html`}>{t("emails.html")}</a>
                      {" · "}
                      <a href={`${base}/text`}>{t("emails.text")}</a>
                    </p>
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ul>
    </div>
  );
}
