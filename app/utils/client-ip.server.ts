/**
 * The client's IP as Repay keeps it: never the address, only an HMAC keyed with the first
 * session secret (ADR 003). The per-IP limits count by it, and audit events record it as
 * "from where" (the same network gives the same value; the address cannot be read back).
 */
import { createHmac } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { getEnv } from "~/utils/env.server";

/**
 * The client's IP as the throttles see it: HMAC-SHA256 keyed with the first session secret,
 * hex. The raw address is never stored; without the secret the hash cannot be reversed by
 * trying all four billion IPv4 addresses. Rotating the secret restarts the IP counters.
 */
export function hashClientIp(ip: string): string {
  // Prefixed, so whatever a client sends as its address, the value hashed is never a bare
  // label another use of the secret could share.
  return createHmac("sha256", getEnv().SESSION_SECRETS[0]!).update(`repay/ip/v1.${throttleKey(ip)}`, "utf8").digest("hex");
}

/**
 * What the per-IP limits count by: an IPv4 address as is (also when written IPv4-mapped,
 * `::ffff:192.0.2.1`), an IPv6 address by its /64 prefix, because one home or phone gets a
 * whole /64 and could otherwise switch addresses to escape the limit.
 */
export function throttleKey(ip: string): string {
  const value = ip.trim().toLowerCase().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const mapped = /^(?:0{0,4}:){0,5}ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value) ?? /^::(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (mapped) return mapped[1]!;
  if (isIPv4(value)) return value;
  if (!isIPv6(value)) return value;
  const [head = "", tail = ""] = value.split("::") as [string, string?];
  const headParts = head ? head.split(":") : [];
  const tailParts = value.includes("::") ? (tail ? tail.split(":") : []) : [];
  // A trailing embedded IPv4 (a:b::1.2.3.4) sits in the interface half: it never reaches the /64.
  const missing = 8 - headParts.length - tailParts.length;
  const groups = value.includes("::") ? [...headParts, ...Array<string>(Math.max(0, missing)).fill("0"), ...tailParts] : headParts;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
