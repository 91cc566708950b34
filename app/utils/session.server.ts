/**
 * Borrower sessions and the short-lived link cookie (issue 4 items 1 and 4, DESIGN §5 item 2,
 * ADR 003). One cookie per concern:
 *
 * - the session cookie holds a random 256-bit session id, signed with SESSION_SECRETS (rotate
 *   by prepending a new secret). The database holds only the id's SHA-256 and decides on
 *   every request whether it still counts (15 minutes idle, 12 hours absolute, revoked).
 *   httpOnly, SameSite=Lax, Secure in production and then named `__Host-repay_session`
 *   (browsers accept that prefix only on a Secure, host-only, path=/ cookie, so no other
 *   subdomain can plant or shadow it); `repay_session` on plain-http localhost. Its Max-Age
 *   is the 12-hour absolute limit and is never extended.
 * - the link cookie (`repay_link`, 15 minutes, signed, httpOnly, Lax) carries the token from
 *   `/l/:token` to the question page, so the token leaves the URL (history, Referer, logs) at
 *   once.
 *
 * `get*` returns a state; `require*` throws a redirect Response (STYLE: Sessions).
 */
import { redirect } from "@remix-run/node";
import { z } from "zod";
import { type Language } from "~/i18n/config";
import { rpc } from "~/services/supabase/rpc.server";
import { signedCookies } from "~/utils/signed-cookie.server";
import { TokenSchema, hashToken } from "./access-links.server";
import { forgetForRequest, memoizeForRequest } from "~/utils/request-memo.server";

export const SESSION_IDLE_MINUTES = 15;
export const SESSION_ABSOLUTE_HOURS = 12;
export const LINK_COOKIE_MINUTES = 15;

/** Where an expired session lands (a friendly page, not an error). */
export const SIGNED_OUT_EXPIRED_PATH = "/signed-out?reason=expired";

/** The borrower's session, and the link's token on its way to the confirm page. */
const cookies = signedCookies({
  session: { name: "repay_session", sameSite: "lax", maxAgeSeconds: SESSION_ABSOLUTE_HOURS * 60 * 60 },
  link: { name: "repay_link", sameSite: "lax", maxAgeSeconds: LINK_COOKIE_MINUTES * 60 },
});

/** The name of the session cookie in this environment (for tests and the e2e helper). */
export function sessionCookieName(): string {
  return cookies().session.name;
}

// ---------------------------------------------------------------------------------------
// Session cookie

const TouchResultSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("ok"),
    borrower_id: z.uuid(),
    language: z.enum(["en", "es"]),
    idle_expires_at: z.coerce.date(),
    absolute_expires_at: z.coerce.date(),
  }),
  z.object({ status: z.literal("expired"), reason: z.enum(["idle", "absolute"]) }),
  z.object({ status: z.literal("revoked") }),
  z.object({ status: z.literal("unknown") }),
]);

export type ActiveBorrowerSession = {
  status: "ok";
  borrowerId: string;
  /** The borrower's saved language (their record, not the cookie's). */
  language: Language;
  /** When 15 minutes without a request end it; each call here moves it on. */
  idleExpiresAt: Date;
  /** 12 hours after sign-in; never moves. */
  absoluteExpiresAt: Date;
};

/**
 * `none`: no cookie, a tampered one, or a session the database does not know.
 * `expired`: it timed out (idle or absolute) or was signed out (here or "everywhere"):
 * show the friendly signed-out page.
 */
export type BorrowerSessionState =
  | ActiveBorrowerSession
  | { status: "none" }
  | { status: "expired"; reason: "idle" | "absolute" | "signed_out" };

/** The Set-Cookie header that starts a session whose id verifyAccessAnswer returned. */
export async function commitBorrowerSession(sessionId: string): Promise<string> {
  TokenSchema.parse(sessionId);
  return cookies().session.serialize(sessionId);
}

async function readSessionId(request: Request): Promise<string | null> {
  const value: unknown = await cookies().session.parse(request.headers.get("Cookie"));
  const parsed = TokenSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * The borrower behind this request's session cookie, checked against the database (which
 * also records the activity, moving the idle limit on).
 */
export async function getBorrowerSession(request: Request): Promise<BorrowerSessionState> {
  const sessionId = await readSessionId(request);
  if (!sessionId) return { status: "none" };
  const sessionHash = hashToken(sessionId);
  // The root loader and the page loader of one request share a single check (and touch).
  const result = await memoizeForRequest(`session:${sessionHash}`, () =>
    rpc("touch_borrower_session", { p_session_hash: sessionHash }, TouchResultSchema),
  );
  switch (result.status) {
    case "ok":
      return {
        status: "ok",
        borrowerId: result.borrower_id,
        language: result.language,
        idleExpiresAt: result.idle_expires_at,
        absoluteExpiresAt: result.absolute_expires_at,
      };
    case "expired":
      return { status: "expired", reason: result.reason };
    case "revoked":
      return { status: "expired", reason: "signed_out" };
    case "unknown":
      return { status: "none" };
  }
}

/** A Set-Cookie header that deletes the session cookie. */
export async function clearBorrowerSessionCookie(): Promise<string> {
  return cookies().session.serialize("", { maxAge: 0, expires: new Date(0) });
}

/**
 * The signed-in borrower, or a thrown redirect: to SIGNED_OUT_EXPIRED_PATH (clearing the
 * cookie) when the session has ended, to `/` when there is none.
 */
export async function requireBorrowerSession(request: Request): Promise<ActiveBorrowerSession> {
  const session = await getBorrowerSession(request);
  if (session.status === "ok") return session;
  if (session.status === "expired") {
    throw redirect(SIGNED_OUT_EXPIRED_PATH, { headers: { "Set-Cookie": await clearBorrowerSessionCookie() } });
  }
  const hadCookie = (await readSessionId(request)) !== null;
  throw redirect("/", hadCookie ? { headers: { "Set-Cookie": await clearBorrowerSessionCookie() } } : undefined);
}

const EndResultSchema = z.object({ status: z.enum(["ok", "unknown"]), revoked: z.number().int().min(0) });

/**
 * Signs out: revokes this session, or with `everywhere` every session of its borrower, and
 * returns the Set-Cookie header that clears the cookie. Safe to call without a session.
 */
export async function endBorrowerSession(request: Request, { everywhere = false }: { everywhere?: boolean } = {}): Promise<string> {
  const sessionId = await readSessionId(request);
  if (sessionId) {
    await rpc("end_borrower_session", { p_session_hash: hashToken(sessionId), p_everywhere: everywhere }, EndResultSchema);
  }
  forgetForRequest("session:");
  return clearBorrowerSessionCookie();
}

// ---------------------------------------------------------------------------------------
// Link cookie

/** Set-Cookie that holds the token for the next 15 minutes (after `/l/:token` redirects). */
export async function setLinkToken(token: string): Promise<string> {
  TokenSchema.parse(token);
  return cookies().link.serialize(token);
}

/** The token the link cookie holds, or null (none, expired, tampered or malformed). */
export async function getLinkToken(request: Request): Promise<string | null> {
  const value: unknown = await cookies().link.parse(request.headers.get("Cookie"));
  const parsed = TokenSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Set-Cookie that deletes the link cookie (after sign-in, or when the link is dead). */
export async function clearLinkToken(): Promise<string> {
  return cookies().link.serialize("", { maxAge: 0, expires: new Date(0) });
}
