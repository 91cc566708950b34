/**
 * Keys for one purpose each, derived from a session secret with HKDF-SHA256 (RFC 5869): the
 * secret is the input key material, "repay" the salt and the purpose the info. A derived key
 * is never HMAC(secret, something), the shape every other use of the secret has (the IP
 * hashes, the cookie signatures), so no value the server computes and stores from request
 * input can ever equal one: a copy of the database does not hold the key to sign-in links or
 * opt-out links.
 */
import { hkdfSync } from "node:crypto";

export type KeyPurpose = "repay/link/v1" | "repay/unsubscribe/v1";

const cache = new Map<string, Buffer>();

/** The 32-byte key for this purpose under this secret. */
export function derivedKey(secret: string, purpose: KeyPurpose): Buffer {
  const id = `${purpose}\u0000${secret}`;
  let key = cache.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, "repay", purpose, 32));
    cache.set(id, key);
  }
  return key;
}
