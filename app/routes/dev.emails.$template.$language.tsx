/**
 * /dev/emails/:template/:language: one email preview in one language: its subject, the plain
 * text, and the HTML in a sandboxed frame, as /dev/outbox/:id shows a sent message (the frame is
 * `srcdoc` with no scripts and no same-origin, inheriting this page's policy; the HTML as its
 * own document is at …/html, the text at …/text). Local mode and loopback clients only; an
 * unknown template or language is a 404.
 */
import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { languageNames, supportedLanguages } from "~/i18n/config";
import { previewDocument } from "~/services/email/message-links.server";
import { renderEmailPreview } from "~/utils/email-previews.server";
import { requireLocalOnly } from "~/utils/local-only.server";

export const handle = { i18n: ["common", "dev"] };

export async function loader({ context, params }: LoaderFunctionArgs) {
  requireLocalOnly(context, "email");
  const rendered = await renderEmailPreview(params.template, params.language);
  if (!rendered) throw new Response("Not found", { status: 404 });
  return {
    preview: { id: rendered.id, file: rendered.file, language: rendered.language, subject: rendered.subject, text: rendered.text },
    previewHtml: previewDocument(rendered.html),
    others: supportedLanguages.filter((lang) => lang !== rendered.language).map((lang) => ({ language: lang, name: languageNames[lang] })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: data.preview.subject }, { name: "robots", content: "noindex" }] : [];

export default function EmailPreview() {
  const { preview, previewHtml, others } = useLoaderData<typeof loader>();
  const { t } = useTranslation("dev");
  const base = `/dev/emails/${preview.id}/${preview.language}`;
  return (
    <div className="page">
      <p>
        <Link to="/dev/emails">{t("emails.back")}</Link>
      </p>
      <h1 lang={preview.language}>{preview.subject}</h1>
      <p>
        {t("emails.file")} <code>emails/{preview.file}</code>
      </p>
      {others.map((other) => (
        <p key={other.language}>
          <Link to={`/dev/emails/${preview.id}/${other.language}`}>{t("emails.otherLanguage", { language: other.name })}</Link>
        </p>
      ))}

      <h2>{t("outbox.detail.text")}</h2>
      <p>
        <a href={`${base}/text`}>{t("emails.text")}</a>
      </p>
      <pre className="outbox-text" lang={preview.language} style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
        {preview.text}
      </pre>

      <h2>{t("outbox.detail.html")}</h2>
      <p>
        <a href={`${base}/html`}>{t("outbox.detail.openHtml")}</a>
      </p>
      <iframe
        title={t("outbox.detail.htmlFrameTitle")}
        sandbox="allow-popups allow-popups-to-escape-sandbox"
        srcDoc={previewHtml}
        referrerPolicy="no-referrer"
        style={{ width: "100%", minHeight: "640px", border: "1px solid #d1d5db", borderRadius: "6px", background: "#ffffff" }}
      />
    </div>
  );
}
