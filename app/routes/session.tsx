/**
 * POST /session: "Stay signed in" from the idle warning (a fetcher, so JavaScript only).
 * Asking for the session records the activity, which moves the 15-minute idle limit on; the
 * answer says how long is left. A session that has already ended answers with the redirect
 * to /signed-out?reason=expired, which the browser follows.
 */
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { requireBorrowerSession } from "~/utils/session.server";

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireBorrowerSession(request);
  return { ok: true as const, secondsLeft: Math.max(0, Math.round((session.idleExpiresAt.getTime() - Date.now()) / 1000)) };
}

export async function loader() {
  return redirect("/");
}
