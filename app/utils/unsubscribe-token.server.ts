/**
 * The one-tap "stop these emails" link in every outreach email (issue 9 item 6; ADR 014).
 * It works without signing in, so it carries its own proof: the message it came in and an
 * expiry, signed with HMAC-SHA256 under a key derived from the session secret. Nothing is
 * stored to make a token; a forged, altered or expired one is refused.
 *
 * Token: `v1.<message id>.<expiry, unix seconds>.<signature, base64url>`. It holds no personal
 * data (the message id is a random UUID); the page that reads it finds the borrower through
 * the message.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { derivedKey } from "~/utils/derived-key.server";
import { z } from "zod";
import { getEnv } from "~/utils/env.server";

/** How long an email's link keeps working (US CAN-SPAM asks for at least 30 days). */
export const UNSUBSCRIBE_TOKEN_DAYS = 60;

const TokenSchema = z
  .string()
  .max(200)
  .regex(/^v1\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/);

function signature(secret: string, messageId: string, expires: number): Buffer {
  return createHmac("sha256", derivedKey(secret, "repay/unsubscribe/v1")).update(`${messageId}.${expires}`, "utf8").digest();
}

/** A token for the message, valid for UNSUBSCRIBE_TOKEN_DAYS from `now`. */
export function unsubscribeToken(messageId: string, now: Date = new Date()): string {
  const id = z.uuid().parse(messageId).toLowerCase();
  const expires = Math.floor(now.getTime() / 1000) + UNSUBSCRIBE_TOKEN_DAYS * 86_400;
  const sig = signature(getEnv().SESSION_SECRETS[0]!, id, expires).toString("base64url");
  return `v1.${id}.${expires}.${sig}`;
}

/** The absolute link for the message's email footer and its List-Unsubscribe header. */
export function unsubscribeUrl(messageId: string, now: Date = new Date()): string {
  return `${getEnv().APP_URL}/unsubscribe/${unsubscribeToken(messageId, now)}`;
}

export type UnsubscribeTokenCheck = { ok: true; messageId: string } | { ok: false; reason: "malformed" | "forged" | "expired" };

/** Reads a token from a URL: which message it came in, or why it cannot be used. Any session secret in rotation verifies. */
export function readUnsubscribeToken(token: string, now: Date = new Date()): UnsubscribeTokenCheck {
  const match = TokenSchema.safeParse(token);
  if (!match.success) return { ok: false, reason: "malformed" };
  const [, messageId, expiresText, sigText] = /^v1\.([^.]+)\.([^.]+)\.([^.]+)$/.exec(match.data)!;
  const expires = Number(expiresText);
  const given = Buffer.from(sigText!, "base64url");
  const valid = getEnv().SESSION_SECRETS.some((secret) => {
    const expected = signature(secret, messageId!, expires);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!valid) return { ok: false, reason: "forged" };
  if (expires * 1000 <= now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, messageId: messageId! };
}
