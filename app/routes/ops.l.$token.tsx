/**
 * /ops/l/:token, the link in a staff sign-in email. It spends nothing (mail scanners open
 * links): the token moves into a 15-minute cookie, out of the address bar and history, and
 * the confirm page asks for a press of "Sign in".
 */
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { TokenSchema } from "~/utils/access-links.server";
import { setStaffLinkToken } from "~/utils/staff-session.server";

export async function loader({ params }: LoaderFunctionArgs) {
  const token = TokenSchema.safeParse(params.token);
  if (!token.success) throw redirect("/ops/sign-in?reason=link", { status: 303 });
  return redirect("/ops/confirm", { status: 303, headers: { "Set-Cookie": await setStaffLinkToken(token.data), "Cache-Control": "no-store" } });
}
