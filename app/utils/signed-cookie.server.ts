/**
 * The app's signed cookies (borrower and staff sessions, and the cookie that carries a
 * sign-in link's token from its address to the confirm page), built one way: httpOnly, path
 * "/", signed with SESSION_SECRETS (the first signs, every listed one verifies: rotation), and
 * in production `Secure` with the `__Host-` prefix (no Domain, so no subdomain can set it).
 * Built from the current environment and kept per environment (tests swap it between files).
 */
import { createCookie, type Cookie } from "@remix-run/node";
import { getEnv, type Env } from "~/utils/env.server";

export interface SignedCookieSpec {
  /** The name without the prefix: "repay_session" (production: "__Host-repay_session"). */
  name: string;
  /** "strict" for a session used only inside the site; "lax" when it must survive arriving from a mail app. */
  sameSite: "lax" | "strict";
  maxAgeSeconds: number;
}

/** A getter for a set of signed cookies, e.g. `signedCookies({ session: {...}, link: {...} })`. */
export function signedCookies<K extends string>(specs: Record<K, SignedCookieSpec>): () => Record<K, Cookie> {
  const cache = new WeakMap<Env, Record<K, Cookie>>();
  return () => {
    const env = getEnv();
    let built = cache.get(env);
    if (!built) {
      const secure = env.isProduction;
      const entries = (Object.entries(specs) as Array<[K, SignedCookieSpec]>).map(([key, spec]) => {
        const cookie = createCookie(secure ? `__Host-${spec.name}` : spec.name, {
          httpOnly: true,
          sameSite: spec.sameSite,
          secure,
          path: "/",
          maxAge: spec.maxAgeSeconds,
          secrets: env.SESSION_SECRETS,
        });
        return [key, cookie] as const;
      });
      built = Object.fromEntries(entries) as Record<K, Cookie>;
      cache.set(env, built);
    }
    return built;
  };
}
