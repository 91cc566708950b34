/**
 * /dev/emails/:template/:language/html: one email preview's HTML as its own document (a
 * resource route: no app chrome), under the same policy as /dev/outbox/:id/html: what mail
 * clients allow (inline styles, images from anywhere) and nothing else. Local mode and loopback
 * clients only; an unknown template or language is a 404.
 */
import { type LoaderFunctionArgs } from "@remix-run/node";
import { EMAIL_HTML_CSP } from "~/routes/dev.outbox.$id.html";
import { renderEmailPreview } from "~/utils/email-previews.server";
import { requireLocalOnly } from "~/utils/local-only.server";

export async function loader({ context, params }: LoaderFunctionArgs) {
  requireLocalOnly(context, "email");
  const rendered = await renderEmailPreview(params.template, params.language);
  if (!rendered) throw new Response("Not found", { status: 404 });
  return new Response(rendered.html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": EMAIL_HTML_CSP,
      "Cache-Control": "no-store",
      "X-Robots-Tag": "noindex",
    },
  });
}
