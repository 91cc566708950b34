/** POST /ops/sign-out: ends this console session (never a GET) and shows the sign-in page. */
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { endStaffSession } from "~/utils/staff-session.server";

export async function loader() {
  return redirect("/ops");
}

export async function action({ request }: ActionFunctionArgs) {
  return redirect("/ops/sign-in?reason=signed_out", { status: 303, headers: { "Set-Cookie": await endStaffSession(request) } });
}
