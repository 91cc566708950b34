/**
 * /dev/emails/:template/:language/text: one email preview's plain-text twin, as sendEmail
 * renders it, served as text. Local mode and loopback clients only; an unknown template or
 * language is a 404.
 */
import { type LoaderFunctionArgs } from "@remix-run/node";
import { renderEmailPreview } from "~/utils/email-previews.server";
import { requireLocalOnly } from "~/utils/local-only.server";

export async function loader({ context, params }: LoaderFunctionArgs) {
  requireLocalOnly(context, "email");
  const rendered = await renderEmailPreview(params.template, params.language);
  if (!rendered) throw new Response("Not found", { status: 404 });
  return new Response(rendered.text, {
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Language": rendered.language,
      "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
      "X-Robots-Tag": "noindex",
    },
  });
}
