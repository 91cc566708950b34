/**
 * Request-level protections that must run before any Remix loader or action (Remix v2 has
 * no middleware, STACK.md §15): the per-request CSP nonce and security headers, the
 * cross-site refusal for state-changing requests, and a coarse per-IP rate limit.
 *
 * Everything here is plain functions over Node's request/response so it can be unit-tested
 * without starting a server.
 */
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export function createNonce(): string {
  return randomBytes(16).toString("base64");
}

export function contentSecurityPolicy(nonce: string, { dev, https = false }: { dev: boolean; https?: boolean }): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    // 'strict-dynamic' lets the nonced module scripts load Remix's chunks; never 'unsafe-inline'.
    "script-src": [`'nonce-${nonce}'`, "'strict-dynamic'"],
    // React Aria positions visually hidden inputs with style attributes; no inline <style>
    // elements are allowed outside development (Vite's dev client injects some).
    "style-src": dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": dev ? ["'self'", "ws:", "wss:"] : ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    // Chrome applies form-action to the redirects a form post gets, too: "Continue to
    // payment" posts here and is redirected to Stripe Checkout.
    "form-action": ["'self'", "https://checkout.stripe.com"],
  };
  if (https) directives["upgrade-insecure-requests"] = [];
  return Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(" "))
    .join("; ");
}

export function securityHeaders(
  nonce: string,
  { dev, production, https }: { dev: boolean; production: boolean; https: boolean },
): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Security-Policy": contentSecurityPolicy(nonce, { dev, https }),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), usb=(), browsing-topics=(), interest-cohort=()",
  };
  if (production && https) headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains";
  return headers;
}

/**
 * Paths whose requests carry their own proof and so are exempt from the cross-site check:
 * Stripe's signed webhooks, the scheduler's secret, one-click unsubscribe tokens (RFC 8058).
 */
const SELF_AUTHENTICATING = [/^\/webhooks\//, /^\/jobs\//, /^\/unsubscribe\//];

/** True for the paths above: they prove themselves, so browser-sized limits do not fit them. */
export function isSelfAuthenticatingPath(path: string): boolean {
  return SELF_AUTHENTICATING.some((pattern) => pattern.test(path));
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * True when a state-changing request comes from another site. Browsers mark such requests
 * with `Sec-Fetch-Site: cross-site`; older ones only send `Origin`. With our no-referrer
 * policy a same-site form post may carry `Origin: null`, so `null` alone is not refused.
 */
export function isCrossSiteRequest(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  allowedOrigins: readonly string[],
): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  if (isSelfAuthenticatingPath(path)) return false;
  const fetchSite = headerValue(headers["sec-fetch-site"]);
  if (fetchSite === "cross-site") return true;
  const origin = headerValue(headers.origin);
  if (origin && origin !== "null" && !allowedOrigins.includes(origin.toLowerCase())) return true;
  return false;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The origins a browser form on this site posts from: APP_URL's, and the request's own host. */
export function allowedOriginsFor(appUrl: string, host: string | undefined, protocol: string): string[] {
  const origins = new Set<string>([new URL(appUrl).origin.toLowerCase()]);
  if (host) origins.add(`${protocol}://${host}`.toLowerCase());
  return [...origins];
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}

/**
 * Paths are logged without query strings and with anything token-like replaced, so a
 * secure link's token (`/l/<token>`) never reaches a log line.
 */
export function redactPath(path: string): string {
  const withoutQuery = path.split("?")[0] ?? "/";
  return withoutQuery
    .split("/")
    .map((segment) => (segment.length >= 16 && /^[A-Za-z0-9_-]+$/.test(segment) ? ":redacted" : segment))
    .join("/");
}

/**
 * A fixed-window counter per key, in memory. It is the coarse shield against floods; the
 * limits that protect sign-in live in the database so they hold across servers.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit; returns the seconds to wait when over the limit, else 0. */
  hit(key: string): number {
    const now = this.now();
    const current = this.windows.get(key);
    if (!current || now - current.start >= this.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      if (this.windows.size > 50_000) this.sweep(now);
      return 0;
    }
    current.count += 1;
    if (current.count <= this.limit) return 0;
    return Math.max(1, Math.ceil((current.start + this.windowMs - now) / 1000));
  }

  private sweep(now: number) {
    for (const [key, window] of this.windows) {
      if (now - window.start >= this.windowMs) this.windows.delete(key);
    }
  }
}
