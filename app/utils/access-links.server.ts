/**
 * Secure links (issue 4 items 1–3, DESIGN §5 item 1, ADR 003). A link carries a 256-bit
 * token: random for a link handed over directly (`npm run link`, a link staff copy), derived
 * from the link's id under the server's secret for one the outbox emails
 * (app/utils/link-token.server.ts, ADR 014). The database holds only its SHA-256, so a copy of
 * the database (or a log, or the outbox) opens nothing. Every check and counter lives in
 * Postgres (api.open_access_link, api.verify_access_link, api.request_new_access_link), so
 * limits hold across restarts and several servers; this module only makes tokens and session
 * ids, hashes what it sends, and parses what comes back.
 *
 * Nothing here logs a token, an answer, an address or an IP: ids and codes only.
 */
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { type Language } from "~/i18n/config";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { rpc, isRpcError } from "~/services/supabase/rpc.server";
import { getEnv } from "~/utils/env.server";
import { hashClientIp } from "~/utils/client-ip.server";
import { newDerivedLink } from "~/utils/link-token.server";

// ---------------------------------------------------------------------------------------
// Tokens, session ids and hashes

/** 32 random bytes in base64url without padding: always 43 characters. */
const RANDOM_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The shape of a link token (and of a session id). Anything else is refused before it
 * reaches the database: it cannot be a token we issued.
 */
export const TokenSchema = z.string().regex(RANDOM_ID_PATTERN);

/** A fresh 256-bit token, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What the database stores for a token or session id: SHA-256, lower-case hex (64 chars). */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export { hashClientIp, throttleKey } from "~/utils/client-ip.server";

// ---------------------------------------------------------------------------------------
// Result shapes

const LanguageSchema = z.enum(["en", "es"]);
const IsoDateTimeSchema = z.coerce.date();
const HoursSchema = z.object({ en: z.string(), es: z.string().optional() });

export type LinkPurpose = "outreach" | "resend";
export type IdentityCheckKind = "date_of_birth" | "postal_code";

/** How to reach a person at the creditor, for pages about a link (hours per language). */
export const LinkCreditorSchema = z
  .object({ name: z.string(), support_phone: z.string(), support_hours: HoursSchema, time_zone: z.string().min(1) })
  .transform((c) => ({ name: c.name, supportPhone: c.support_phone, supportHours: c.support_hours, timeZone: c.time_zone }));
export type LinkCreditor = z.output<typeof LinkCreditorSchema>;

const OpenResultSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("ready"),
    check_kind: z.enum(["date_of_birth", "postal_code"]),
    language: LanguageSchema,
    expires_at: IsoDateTimeSchema,
    creditor: LinkCreditorSchema,
  }),
  z.object({
    status: z.literal("locked"),
    check_kind: z.enum(["date_of_birth", "postal_code"]),
    language: LanguageSchema,
    locked_until: IsoDateTimeSchema,
    creditor: LinkCreditorSchema,
  }),
  z.object({ status: z.enum(["expired", "used"]), language: LanguageSchema, creditor: LinkCreditorSchema }),
  z.object({ status: z.literal("unknown") }),
]);

/**
 * What opening a link found. Opening never spends it. `expired` and `used` still name the
 * creditor and language (whoever holds the link was sent it), so the "send me a new link"
 * page can speak the borrower's language and give the creditor's phone number.
 */
export type LinkState =
  | { status: "ready"; checkKind: IdentityCheckKind; language: Language; expiresAt: Date; creditor: LinkCreditor }
  | { status: "locked"; checkKind: IdentityCheckKind; language: Language; lockedUntil: Date; creditor: LinkCreditor }
  | { status: "expired" | "used"; language: Language; creditor: LinkCreditor }
  | { status: "unknown" };

const VerifyResultSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("ok"), borrower_id: z.uuid(), account_id: z.uuid(), language: LanguageSchema }),
  z.object({ status: z.literal("wrong"), attempts_left: z.number().int().min(1) }),
  z.object({ status: z.literal("locked"), locked_until: IsoDateTimeSchema }),
  z.object({ status: z.enum(["ip_limited", "expired", "used", "unknown"]) }),
]);

/**
 * The outcome of an answer. `ok` carries the new session id to put in the cookie
 * (commitBorrowerSession); the database holds only its hash. `locked` also answers a right
 * answer given while the link is locked. `ip_limited`: too many failures from this address
 * (across links) in the last 30 minutes; the answer was not looked at.
 */
export type VerifyResult =
  | { status: "ok"; sessionId: string; borrowerId: string; accountId: string; language: Language }
  | { status: "wrong"; attemptsLeft: number }
  | { status: "locked"; lockedUntil: Date }
  | { status: "ip_limited" | "expired" | "used" | "unknown" };

const IssueResultSchema = z.object({ link_id: z.uuid(), expires_at: IsoDateTimeSchema, language: LanguageSchema });

const NewLinkResultSchema = z.discriminatedUnion("matched", [
  z.object({ matched: z.literal(true), link_id: z.uuid(), expires_at: IsoDateTimeSchema, message_id: z.uuid() }),
  z.object({ matched: z.literal(false), throttled: z.boolean() }),
]);

// ---------------------------------------------------------------------------------------
// Issuing and opening links

/** Link lifetimes (the database sets the expiry; these are for wording only). */
export const LINK_LIFETIME = { outreach: { days: 30 }, resend: { minutes: 30 } } as const;

export class UnknownAccountReferenceError extends Error {
  constructor() {
    super("No account has that reference");
    this.name = "UnknownAccountReferenceError";
  }
}

function linkUrl(token: string): string {
  return `${getEnv().APP_URL}/l/${token}`;
}

/**
 * Creates a link for an account (`npm run link`, outreach letters). Throws
 * UnknownAccountReferenceError when no account has that reference (case and spaces ignored).
 */
export async function issueAccessLink({
  accountReference,
  purpose = "outreach",
}: {
  accountReference: string;
  purpose?: LinkPurpose;
}): Promise<{ url: string; expiresAt: Date; linkId: string; language: Language }> {
  const token = generateToken();
  try {
    const result = await rpc(
      "issue_access_link",
      { p_account_reference: accountReference, p_purpose: purpose, p_token_hash: hashToken(token) },
      IssueResultSchema,
    );
    return { url: linkUrl(token), expiresAt: result.expires_at, linkId: result.link_id, language: result.language };
  } catch (error) {
    if (isRpcError(error, "business") && error.code === "PT404") throw new UnknownAccountReferenceError();
    throw error;
  }
}

/** What a link is, without spending it. A malformed token is `unknown` without a query. */
export async function openAccessLink(token: string): Promise<LinkState> {
  if (!TokenSchema.safeParse(token).success) return { status: "unknown" };
  const result = await rpc("open_access_link", { p_token_hash: hashToken(token) }, OpenResultSchema);
  switch (result.status) {
    case "ready":
      return { status: "ready", checkKind: result.check_kind, language: result.language, expiresAt: result.expires_at, creditor: result.creditor };
    case "locked":
      return { status: "locked", checkKind: result.check_kind, language: result.language, lockedUntil: result.locked_until, creditor: result.creditor };
    case "expired":
    case "used":
      return { status: result.status, language: result.language, creditor: result.creditor };
    case "unknown":
      return { status: "unknown" };
  }
}

/** Longer than any normalized answer (an ISO date is 10, a ZIP 5): refused without a query. */
const AnswerSchema = z.string().min(1).max(32);

/**
 * Checks the borrower's answer: an ISO date (parseDateOfBirth(...).iso) or a five-digit ZIP
 * (parseZipCode(...).zip) from app/domain/identity-check.ts. Parse first: an answer that
 * does not parse is a typing problem and must not spend an attempt. One database
 * transaction decides and counts (see api.verify_access_link); on `ok` the link is spent and
 * a new session exists, whose id is returned for the cookie.
 */
export async function verifyAccessAnswer({ token, answer, clientIp }: { token: string; answer: string; clientIp: string }): Promise<VerifyResult> {
  if (!TokenSchema.safeParse(token).success) return { status: "unknown" };
  const checkedAnswer = AnswerSchema.safeParse(answer);
  // A malformed answer cannot be right; the route should have refused it already.
  const sessionId = generateToken();
  const result = await rpc(
    "verify_access_link",
    {
      p_token_hash: hashToken(token),
      p_answer: checkedAnswer.success ? checkedAnswer.data : "",
      p_ip_hash: hashClientIp(clientIp),
      p_session_hash: hashToken(sessionId),
    },
    VerifyResultSchema,
  );
  switch (result.status) {
    case "ok":
      return { status: "ok", sessionId, borrowerId: result.borrower_id, accountId: result.account_id, language: result.language };
    case "wrong":
      return { status: "wrong", attemptsLeft: result.attempts_left };
    case "locked":
      return { status: "locked", lockedUntil: result.locked_until };
    default:
      return { status: result.status };
  }
}

// ---------------------------------------------------------------------------------------
// "Send me a new link"

/** Longer than any email (254) or reference: refused without a query. */
const IdentifierSchema = z.string().trim().min(1).max(254);

/**
 * Someone asked for a new link with an email address or an account reference. When it
 * matches an account whose borrower has an email on file, one database transaction creates
 * a 30-minute link and queues its email (access.new_link, app/utils/outbox-templates/
 * link-emails.server.ts); otherwise nothing happens. Either way this resolves the same way
 * after the same one database call: on a match the outbox is then nudged, which returns at
 * once and sends in the background (the caller never waits on it, so a match does not take
 * longer than a miss). The link's id is chosen here and its token derived from it
 * (app/utils/link-token.server.ts): the database gets the token's hash, the outbox row the
 * link's id, and the token itself rests nowhere. The route must answer everyone with the
 * same words. Input that cannot be an identifier is ignored without a query.
 */
export async function requestNewLink({ identifier, clientIp }: { identifier: string; clientIp: string }): Promise<void> {
  const checked = IdentifierSchema.safeParse(identifier);
  if (!checked.success) return;
  const link = newDerivedLink();
  const result = await rpc(
    "request_new_access_link",
    { p_identifier: checked.data, p_link_id: link.linkId, p_token_hash: link.tokenHash, p_ip_hash: hashClientIp(clientIp) },
    NewLinkResultSchema,
  );
  if (result.matched) nudgeOutbox();
}
