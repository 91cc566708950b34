/**
 * Staff sign-in and sessions for the operations console (issue 8 item 1, ADR 012). Separate
 * from borrowers' in every way: their own cookies, their own table, their own limits.
 *
 * - Sign-in is a one-time link by email, 15 minutes, stored as a SHA-256. The request page
 *   answers every address alike (the email is queued in the outbox by the same database
 *   call and sent in the background), so it never tells whether an address belongs to staff.
 *   The link's token is derived from its id (app/utils/link-token.server.ts) and rests in no
 *   table; the outbox's `staff.sign_in` template derives it again when the email goes.
 * - `/ops/l/:token` moves the token into a 15-minute cookie (out of the URL, history and
 *   Referer) without spending it: mail scanners open links. A press of "Sign in" on
 *   `/ops/sign-in/confirm` spends it and starts the session.
 * - The session cookie holds a random 256-bit id, signed with SESSION_SECRETS; the database
 *   holds its SHA-256 and decides on every request whether it still counts (30 minutes
 *   idle, 8 hours absolute, signed out, member deactivated). `__Host-repay_staff` in
 *   production, SameSite=Strict (staff never arrive at the console from another site
 *   with a session they need; the link lands on a page that asks for a press first).
 *
 * `get*` returns a state; `require*` throws a Response (redirect or 403).
 */
import { redirect } from "@remix-run/node";
import { z } from "zod";
import { type Language } from "~/i18n/config";
import { STAFF_ROLES, type StaffRole } from "~/utils/ops-lists";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { rpc } from "~/services/supabase/rpc.server";
import { generateToken, hashClientIp, hashToken, TokenSchema } from "~/utils/access-links.server";
import { signedCookies } from "~/utils/signed-cookie.server";
import { newDerivedLink } from "~/utils/link-token.server";
import { forgetForRequest, memoizeForRequest } from "~/utils/request-memo.server";

export const STAFF_IDLE_MINUTES = 30;
export const STAFF_ABSOLUTE_HOURS = 8;
export const STAFF_LINK_MINUTES = 15;

export { STAFF_ROLES, type StaffRole };

export type Staff = { id: string; email: string; fullName: string; role: StaffRole; approvalLimitMinor: number };

export const StaffRowSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    full_name: z.string(),
    role: z.enum(STAFF_ROLES),
    approval_limit_minor: z.number().int().nonnegative(),
    active: z.boolean(),
    created_at: z.coerce.date(),
  })
  .transform((row) => ({
    id: row.id,
    email: row.email,
    fullName: row.full_name,
    role: row.role,
    approvalLimitMinor: row.approval_limit_minor,
    active: row.active,
    createdAt: row.created_at,
  }));

/** The staff session (strict: used only inside the console), and the sign-in link's token on its way to the confirm page. */
const cookies = signedCookies({
  session: { name: "repay_staff", sameSite: "strict", maxAgeSeconds: STAFF_ABSOLUTE_HOURS * 60 * 60 },
  // Lax: the link is opened from a mail app, a cross-site top-level navigation.
  link: { name: "repay_staff_link", sameSite: "lax", maxAgeSeconds: STAFF_LINK_MINUTES * 60 },
});

export function staffSessionCookieName(): string {
  return cookies().session.name;
}

// ---------------------------------------------------------------------------------------
// Asking for a link

const RequestResultSchema = z.discriminatedUnion("send", [
  z.object({ send: z.literal(false) }),
  z.object({ send: z.literal(true), link_id: z.uuid(), expires_at: z.coerce.date(), message_id: z.uuid() }),
]);

export const StaffEmailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email());

/**
 * Someone asked for a console sign-in link. When the address is an active staff member's
 * (and no limit is hit) one database transaction creates the link and queues its email
 * (`staff.sign_in`, in the language of the page they asked on); otherwise nothing happens.
 * Either way this resolves after the same one database call; on a link the outbox is then
 * nudged, which returns at once and sends in the background.
 */
export async function requestStaffSignIn({ email, clientIp, language }: { email: string; clientIp: string; language: Language }): Promise<void> {
  const link = newDerivedLink();
  const result = await rpc(
    "request_staff_sign_in",
    { p_email: email, p_language: language, p_link_id: link.linkId, p_token_hash: link.tokenHash, p_ip_hash: hashClientIp(clientIp) },
    RequestResultSchema,
  );
  if (result.send) nudgeOutbox();
}

// ---------------------------------------------------------------------------------------
// The link cookie and spending the link

export async function setStaffLinkToken(token: string): Promise<string> {
  TokenSchema.parse(token);
  return cookies().link.serialize(token);
}

export async function getStaffLinkToken(request: Request): Promise<string | null> {
  const value: unknown = await cookies().link.parse(request.headers.get("Cookie"));
  const parsed = TokenSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export async function clearStaffLinkToken(): Promise<string> {
  return cookies().link.serialize("", { maxAge: 0, expires: new Date(0) });
}

const OpenResultSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("ok"), email: z.string(), full_name: z.string() }),
  z.object({ status: z.enum(["used", "expired", "unknown"]) }),
]);

export type StaffLinkState = { status: "ok"; email: string; fullName: string } | { status: "used" | "expired" | "unknown" };

/** What a sign-in link is, without spending it. */
export async function openStaffSignIn(token: string): Promise<StaffLinkState> {
  const result = await rpc("open_staff_sign_in", { p_token_hash: hashToken(token) }, OpenResultSchema);
  return result.status === "ok" ? { status: "ok", email: result.email, fullName: result.full_name } : result;
}

const StartResultSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("ok"), staff_id: z.uuid(), absolute_expires_at: z.coerce.date() }),
  z.object({ status: z.enum(["used", "expired", "unknown"]) }),
]);

/** Spends the link and starts a session: the Set-Cookie header for it, or why not. */
export async function startStaffSession(token: string): Promise<{ status: "ok"; cookie: string } | { status: "used" | "expired" | "unknown" }> {
  const sessionId = generateToken();
  const result = await rpc("start_staff_session", { p_token_hash: hashToken(token), p_session_hash: hashToken(sessionId) }, StartResultSchema);
  if (result.status !== "ok") return result;
  return { status: "ok", cookie: await cookies().session.serialize(sessionId) };
}

// ---------------------------------------------------------------------------------------
// The session

const TouchResultSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("ok"), staff: StaffRowSchema, idle_expires_at: z.coerce.date(), absolute_expires_at: z.coerce.date() }),
  z.object({ status: z.literal("expired"), reason: z.enum(["idle", "absolute"]) }),
  z.object({ status: z.literal("revoked") }),
  z.object({ status: z.literal("unknown") }),
]);

export type StaffSessionState =
  | { status: "ok"; staff: Staff; idleExpiresAt: Date; absoluteExpiresAt: Date }
  | { status: "none" }
  | { status: "expired" };

async function readSessionId(request: Request): Promise<string | null> {
  const value: unknown = await cookies().session.parse(request.headers.get("Cookie"));
  const parsed = TokenSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The staff member behind this request's console cookie, checked (and touched) in the database. */
export async function getStaffSession(request: Request): Promise<StaffSessionState> {
  const sessionId = await readSessionId(request);
  if (!sessionId) return { status: "none" };
  const sessionHash = hashToken(sessionId);
  const result = await memoizeForRequest(`staff-session:${sessionHash}`, () =>
    rpc("touch_staff_session", { p_session_hash: sessionHash }, TouchResultSchema),
  );
  switch (result.status) {
    case "ok": {
      const { id, email, fullName, role, approvalLimitMinor } = result.staff;
      return {
        status: "ok",
        staff: { id, email, fullName, role, approvalLimitMinor },
        idleExpiresAt: result.idle_expires_at,
        absoluteExpiresAt: result.absolute_expires_at,
      };
    }
    case "unknown":
      return { status: "none" };
    default:
      return { status: "expired" };
  }
}

export async function clearStaffSessionCookie(): Promise<string> {
  return cookies().session.serialize("", { maxAge: 0, expires: new Date(0) });
}

/** The signed-in staff member, or a thrown redirect to the console's sign-in page. */
export async function requireStaff(request: Request): Promise<Staff> {
  const session = await getStaffSession(request);
  if (session.status === "ok") return session.staff;
  const to = session.status === "expired" ? "/ops/sign-in?reason=expired" : "/ops/sign-in";
  const hadCookie = (await readSessionId(request)) !== null;
  throw redirect(to, hadCookie ? { headers: { "Set-Cookie": await clearStaffSessionCookie() } } : undefined);
}

/** The signed-in staff member in one of these roles; else 403 (or the sign-in redirect). */
export async function requireStaffRole(request: Request, roles: StaffRole[]): Promise<Staff> {
  const staff = await requireStaff(request);
  if (!roles.includes(staff.role)) {
    throw new Response("Forbidden", { status: 403, statusText: "Forbidden" });
  }
  return staff;
}

/** Signs out this session; returns the Set-Cookie header that clears the cookie. */
export async function endStaffSession(request: Request): Promise<string> {
  const sessionId = await readSessionId(request);
  if (sessionId) await rpc("end_staff_session", { p_session_hash: hashToken(sessionId) }, z.object({ status: z.enum(["ok", "unknown"]) }));
  forgetForRequest("staff-session:");
  return clearStaffSessionCookie();
}

/** May this member approve an amount (balance or discount, minor units) themselves? */
export function withinLimit(staff: Staff, amountMinor: number): boolean {
  return amountMinor <= staff.approvalLimitMinor;
}
