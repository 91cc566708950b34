/**
 * /l/:token, the secure link in a letter, email or text (issue 4 item 1, ADR 003). A loader
 * only: it moves the token out of the address at once, into the short-lived link cookie, and
 * sends the browser on to /sign-in. After this redirect the token is in no history entry, no
 * Referer (the site sends none anyway) and no later log line. Opening a link does not spend
 * it: mail and SMS scanners open links before people do.
 *
 * A malformed token never reaches the database: the visitor lands on the friendly "this link
 * doesn't work" page, with a way to ask for a new link. Never a 500.
 */
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { TokenSchema } from "~/utils/access-links.server";
import { clearLinkToken, setLinkToken } from "~/utils/session.server";

/** A 303 that no cache keeps (it carries a cookie tied to one link). */
function leaveFor(location: string, cookie: string) {
  const headers = new Headers({ "Cache-Control": "no-store" });
  headers.append("Set-Cookie", cookie);
  return redirect(location, { status: 303, headers });
}

export async function loader({ params }: LoaderFunctionArgs) {
  const token = TokenSchema.safeParse(params.token);
  if (!token.success) return leaveFor("/sign-in?link=broken", await clearLinkToken());
  return leaveFor("/sign-in", await setLinkToken(token.data));
}
