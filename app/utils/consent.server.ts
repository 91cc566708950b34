/**
 * A consent as the database functions take it (app.record_consent): the exact words shown,
 * their SHA-256, the template version and language, and where the borrower agreed from.
 * Shared by every flow that records one (plans, plan changes, automatic payments).
 */
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { Language } from "~/i18n/config";

/** The longest user agent a consent keeps (app.consents.user_agent). */
const USER_AGENT_MAX = 512;

/** SHA-256 (lower-case hex) of the text as UTF-8: what the database recomputes and compares. */
export function consentHash(body: string): string {
  return createHash("sha256").update(body, "utf8").digest("hex");
}

/** The exact words the borrower agreed to, and where from. */
export interface ConsentInput {
  /** The template version the words were rendered from: "plan-terms.v1". */
  version: string;
  language: Language;
  /** The terms as shown: plain-text lines joined by "\n". */
  body: string;
  /** consentHash(body), as the form carried it; the database refuses a mismatch. */
  sha256: string;
  /** The client's address; anything that is not an IP address is stored as null. */
  ip: string | null;
  /** Cut to 512 characters. */
  userAgent: string | null;
}

export function consentArg(consent: ConsentInput) {
  // An IPv6 zone ("fe80::1%eth0") names the server's interface, not the client: dropped.
  const ip = consent.ip?.trim().replace(/%.*$/, "") ?? null;
  return {
    version: consent.version,
    language: consent.language,
    body: consent.body,
    sha256: consent.sha256,
    ip: ip && isIP(ip) ? ip : null,
    user_agent: consent.userAgent ? consent.userAgent.slice(0, USER_AGENT_MAX) : null,
  };
}

