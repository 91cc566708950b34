/**
 * Tokens of emailed sign-in links, derived from the link's id (ADR 003, ADR 012, ADR 014;
 * migration 20261128002100_link_emails.sql). A link that goes by email is sent by the outbox,
 * which may try more than once and must send the same email each time, yet no table may hold
 * the token. So the token is not random: it is HMAC-SHA256 of `repay/link/v1.<link id>` under
 * a key derived from the session secret, and only its SHA-256 is stored (as for every link).
 * The outbox row names the link's id; the email's template derives the token again when it
 * renders. Without the server's secret, a link id (or a copy of the database) opens nothing.
 *
 * The key is derived from the secret with HKDF for this purpose alone
 * (app/utils/derived-key.server.ts), as the unsubscribe tokens' key is. New links use the first secret in SESSION_SECRETS; a link made
 * before a rotation is found again by trying every secret still listed and keeping the one
 * whose token hashes to what the link row holds.
 *
 * Tokens have the shape of random ones (32 bytes, base64url, 43 characters), so opening and
 * answering a link is the same whichever way its token was made.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";
import { z } from "zod";
import { derivedKey } from "~/utils/derived-key.server";
import { getEnv } from "~/utils/env.server";

const KEY_LABEL = "repay/link/v1" as const;

function linkKey(secret: string): Buffer {
  return derivedKey(secret, KEY_LABEL);
}

/** SHA-256 (hex) of a token: what a link row holds (the same as hashToken in access-links.server.ts). */
function sha256Hex(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The token of the link with this id under this secret (default: the current one). */
export function deriveLinkToken(linkId: string, secret: string = getEnv().SESSION_SECRETS[0]!): string {
  const id = z.uuid().parse(linkId).toLowerCase();
  return createHmac("sha256", linkKey(secret)).update(`${KEY_LABEL}.${id}`, "utf8").digest("base64url");
}

export interface DerivedLink {
  /** The id the link row is created with. */
  linkId: string;
  /** Goes in the email only (derived again when it renders); never stored, never logged. */
  token: string;
  /** What the link row holds. */
  tokenHash: string;
}

/** A fresh link id with its token and the token's hash, before the database call that creates the link. */
export function newDerivedLink(): DerivedLink {
  const linkId = randomUUID();
  const token = deriveLinkToken(linkId);
  return { linkId, token, tokenHash: sha256Hex(token) };
}

/**
 * The token of an existing link, found again from its id: the one derived under a secret in
 * rotation whose SHA-256 is the link's stored hash. Null when none is (the secret that made
 * it has been retired, or the link's token was random, as a copied link's is).
 */
export function linkTokenFor(linkId: string, tokenHash: string): string | null {
  for (const secret of getEnv().SESSION_SECRETS) {
    const token = deriveLinkToken(linkId, secret);
    if (sha256Hex(token) === tokenHash) return token;
  }
  return null;
}
