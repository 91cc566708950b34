/**
 * /dev/outbox/:id/html: one stored email's HTML exactly as it was sent, as its own document
 * (a resource route: no app chrome). Its policy allows what mail clients allow (inline
 * styles, images from anywhere) and nothing else: no scripts, no forms, no framing. Local mode
 * and loopback clients only; a malformed or unknown id, or a text-only email, is a 404.
 */
import { type LoaderFunctionArgs } from "@remix-run/node";
import { requireLocalEmail } from "~/services/email/local-outbox.server";
import { requireLocalOnly } from "~/utils/local-only.server";

export const EMAIL_HTML_CSP = "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export async function loader({ context, params }: LoaderFunctionArgs) {
  requireLocalOnly(context, "email");
  const email = await requireLocalEmail(params.id);
  if (email.html === null) throw new Response("Not found", { status: 404 });
  return new Response(email.html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": EMAIL_HTML_CSP,
      "Cache-Control": "no-store",
      "X-Robots-Tag": "noindex",
    },
  });
}
