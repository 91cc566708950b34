/**
 * Secure links (issue 4 items 1–3, DESIGN §5 item 1, ADR 003). A link carries a 256-bit
 * random token; the database holds only its SHA-256, so a copy of the database (or a log)
 * opens nothing. Every check and counter lives in Postgres (api.open_access_link,
 * api.verify_access_link, api.request_new_access_link), so limits hold across restarts and
 * several servers; this module only makes tokens and session ids, hashes what it sends, and
 * parses what comes back.
 *
 * Nothing here logs a token, an answer, an address or an IP: ids and codes only.
 */
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { type Language } from "~/i18n/config";
import { sendEmail, emailIdempotencyKey } from "~/services/email/send.server";
import { getEmailT } from "~/services/email/t.server";
import { rpc, isRpcError } from "~/services/supabase/rpc.server";
import { formatPhoneNumber } from "~/domain/phone";
import { getEnv } from "~/utils/env.server";
import { hashClientIp } from "~/utils/client-ip.server";
import { logger } from "~/utils/logger.server";
import { newLinkEmail } from "~emails/new-link";

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
  z.object({
    matched: z.literal(true),
    link_id: z.uuid(),
    expires_at: IsoDateTimeSchema,
    email: z.string(),
    language: LanguageSchema,
    creditor: z.object({ name: z.string(), support_phone: z.string(), support_email: z.string().nullable() }),
  }),
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

const pending = new Set<Promise<void>>();

/**
 * Resolves once every new-link email this process has started sending has finished
 * (sent or failed). For tests and graceful shutdown; requests never wait for it.
 */
export async function settleNewLinkEmails(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}

async function sendNewLinkEmail(match: Extract<z.output<typeof NewLinkResultSchema>, { matched: true }>, token: string): Promise<void> {
  const env = getEnv();
  const t = await getEmailT(match.language);
  const contact = [formatPhoneNumber(match.creditor.support_phone), match.creditor.support_email].filter(Boolean).join(", ");
  const minutes = Math.max(1, Math.round((match.expires_at.getTime() - Date.now()) / 60_000));
  const result = await sendEmail({
    to: match.email,
    idempotencyKey: emailIdempotencyKey("new-link", match.link_id),
    tags: [{ name: "kind", value: "new-link" }],
    ...newLinkEmail({
      t,
      lang: match.language,
      appUrl: env.APP_URL,
      creditorName: match.creditor.name,
      creditorContact: contact || null,
      linkUrl: linkUrl(token),
      expiresInMinutes: minutes,
    }),
  });
  if (result.status === "error") logger.warn("access.new_link_email_failed", { linkId: match.link_id, code: result.code });
}

/**
 * Someone asked for a new link with an email address or an account reference. When it
 * matches an account whose borrower has an email on file, a 30-minute link is created and
 * emailed; otherwise nothing happens. Either way this resolves the same way after the same
 * database call: the email is sent in the background (the caller never waits on it, so a
 * match does not take longer than a miss), and failures are logged with ids only. The route
 * must answer everyone with the same words. Input that cannot be an identifier is ignored
 * without a query.
 */
export async function requestNewLink({ identifier, clientIp }: { identifier: string; clientIp: string }): Promise<void> {
  const checked = IdentifierSchema.safeParse(identifier);
  if (!checked.success) return;
  const token = generateToken();
  const result = await rpc(
    "request_new_access_link",
    { p_identifier: checked.data, p_token_hash: hashToken(token), p_ip_hash: hashClientIp(clientIp) },
    NewLinkResultSchema,
  );
  if (!result.matched) return;
  const sending: Promise<void> = sendNewLinkEmail(result, token)
    .catch((error: unknown) => {
      logger.error("access.new_link_email_failed", { linkId: result.link_id, code: (error as { code?: unknown }).code ?? null, name: error instanceof Error ? error.name : null });
    })
    .finally(() => pending.delete(sending));
  pending.add(sending);
}
