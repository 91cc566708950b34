/**
 * /dev/outbox/:id: one email the local stand-in accepted: its headers, the links it holds (as
 * ordinary anchors, so a person or a test can follow a borrower's link), the plain text, and
 * the HTML in a sandboxed frame. Local mode and loopback clients only; a malformed or unknown
 * id is a 404.
 *
 * The frame is `srcdoc` with an empty-ish sandbox (no scripts, no same-origin; popups only, so
 * links open in a new tab): a srcdoc document inherits this page's Content-Security-Policy,
 * which allows inline style attributes but not remote images or <style> elements in
 * production. The HTML exactly as sent is at /dev/outbox/:id/html under its own policy.
 */
import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { intlLocale } from "~/i18n/config";
import { getLanguage } from "~/i18n/i18next.server";
import { requireLocalEmail } from "~/services/email/local-outbox.server";
import { linksInMessage, previewDocument } from "~/services/email/message-links.server";
import { requireLocalOnly } from "~/utils/local-only.server";

export const handle = { i18n: ["common", "dev"] };

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireLocalOnly(context, "email");
  const email = await requireLocalEmail(params.id);
  const language = await getLanguage(request);
  const format = new Intl.DateTimeFormat(intlLocale(language), { dateStyle: "medium", timeStyle: "long" });
  return {
    email: {
      id: email.id,
      from: email.from,
      to: email.to,
      replyTo: email.reply_to,
      subject: email.subject,
      sentAt: email.created_at,
      sentAtText: format.format(new Date(email.created_at)),
      idempotencyKey: email.idempotency_key,
      tags: email.tags,
      text: email.text,
      hasHtml: email.html !== null,
    },
    previewHtml: email.html === null ? null : previewDocument(email.html),
    links: linksInMessage(email.html, email.text),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: data.email.subject }, { name: "robots", content: "noindex" }] : [];

export default function OutboxMessage() {
  const { email, previewHtml, links } = useLoaderData<typeof loader>();
  const { t } = useTranslation("dev");
  const none = t("outbox.detail.none");
  return (
    <div className="page">
      <p>
        <Link to="/dev/outbox">{t("outbox.back")}</Link>
      </p>
      <h1>{email.subject}</h1>

      <h2>{t("outbox.detail.headers")}</h2>
      <dl className="outbox-headers">
        <dt>{t("outbox.detail.from")}</dt>
        <dd>{email.from}</dd>
        <dt>{t("outbox.detail.to")}</dt>
        <dd>{email.to.join(", ")}</dd>
        <dt>{t("outbox.detail.replyTo")}</dt>
        <dd>{email.replyTo?.join(", ") || none}</dd>
        <dt>{t("outbox.detail.sentAt")}</dt>
        <dd>
          <time dateTime={email.sentAt}>{email.sentAtText}</time>
        </dd>
        <dt>{t("outbox.detail.id")}</dt>
        <dd>
          <code>{email.id}</code>
        </dd>
        <dt>{t("outbox.detail.idempotencyKey")}</dt>
        <dd>{email.idempotencyKey ? <code>{email.idempotencyKey}</code> : none}</dd>
        <dt>{t("outbox.detail.tags")}</dt>
        <dd>{email.tags.length > 0 ? email.tags.map((tag) => `${tag.name}=${tag.value}`).join(", ") : none}</dd>
      </dl>

      <h2>{t("outbox.detail.links")}</h2>
      {links.length === 0 ? (
        <p>{t("outbox.detail.noLinks")}</p>
      ) : (
        <>
          <p>{t("outbox.detail.linksHelp")}</p>
          <ul className="outbox-links">
            {links.map((href) => (
              <li key={href}>
                <a href={href} style={{ overflowWrap: "anywhere" }}>
                  {href}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}

      <h2>{t("outbox.detail.text")}</h2>
      {email.text === null ? (
        <p>{t("outbox.detail.noText")}</p>
      ) : (
        <pre className="outbox-text" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
          {email.text}
        </pre>
      )}

      <h2>{t("outbox.detail.html")}</h2>
      {previewHtml === null ? (
        <p>{t("outbox.detail.noHtml")}</p>
      ) : (
        <>
          <p>
            <a href={`/dev/outbox/${email.id}/html`}>{t("outbox.detail.openHtml")}</a>
          </p>
          <iframe
            title={t("outbox.detail.htmlFrameTitle")}
            sandbox="allow-popups allow-popups-to-escape-sandbox"
            srcDoc={previewHtml}
            referrerPolicy="no-referrer"
            style={{ width: "100%", minHeight: "640px", border: "1px solid #d1d5db", borderRadius: "6px", background: "#ffffff" }}
          />
        </>
      )}
    </div>
  );
}
