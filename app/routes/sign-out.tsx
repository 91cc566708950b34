/**
 * POST /sign-out (issue 4 item 4): `intent=this` ends this session, `intent=everywhere` every
 * session of the borrower (another phone, a shared computer). `reason=expired` is the idle
 * warning's own sign-out when time ran out. Safe without a session: it then only clears the
 * cookie. Sign-out is never a GET (a link or a prefetch must not sign anyone out).
 *
 * The borrower's language is kept in the language cookie, so the signed-out page (and the
 * next visit) still speaks it after the session that carried it is gone.
 */
import { data, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { languageCookie } from "~/i18n/i18next.server";
import { endBorrowerSession, getBorrowerSession } from "~/utils/session.server";

const SignOutForm = z.object({
  intent: z.enum(["this", "everywhere"]).default("this"),
  reason: z.enum(["expired"]).optional(),
});

export async function action({ request }: ActionFunctionArgs) {
  let form: Record<string, FormDataEntryValue> = {};
  try {
    form = Object.fromEntries(await request.formData());
  } catch {
    // An unreadable body signs out this session, the safe reading of a sign-out request.
  }
  const parsed = SignOutForm.safeParse(form);
  if (!parsed.success) return data({ error: "bad_request" }, { status: 400 });
  const { intent, reason } = parsed.data;

  const session = await getBorrowerSession(request);
  const headers = new Headers({ "Cache-Control": "no-store" });
  headers.append("Set-Cookie", await endBorrowerSession(request, { everywhere: intent === "everywhere" }));
  if (session.status === "ok") headers.append("Set-Cookie", await languageCookie.serialize(session.language));

  const to = intent === "everywhere" ? "/signed-out?reason=everywhere" : reason === "expired" ? "/signed-out?reason=expired" : "/signed-out";
  return redirect(to, { status: 303, headers });
}

export async function loader() {
  return redirect("/");
}
