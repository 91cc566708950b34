import { expect, test } from "vitest";
import {
  RateLimiter,
  allowedOriginsFor,
  contentSecurityPolicy,
  isCrossSiteRequest,
  isLoopbackAddress,
  isSelfAuthenticatingPath,
  redactPath,
} from "~/server/security";

const origins = allowedOriginsFor("https://pay.example.com", "pay.example.com", "https");

test("the production CSP uses a nonce with strict-dynamic and never unsafe-inline for scripts", () => {
  const csp = contentSecurityPolicy("abc123", { dev: false });
  const scriptSrc = csp.split("; ").find((d) => d.startsWith("script-src "));
  expect(scriptSrc).toBe("script-src 'nonce-abc123' 'strict-dynamic'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  // "Continue to payment" posts here and is redirected to Stripe Checkout: nowhere else.
  expect(csp).toContain("form-action 'self' https://checkout.stripe.com");
});

test("webhooks, the scheduler and unsubscribe links get their own rate limit, pages do not", () => {
  expect(isSelfAuthenticatingPath("/webhooks/stripe")).toBe(true);
  expect(isSelfAuthenticatingPath("/jobs/sweep")).toBe(true);
  expect(isSelfAuthenticatingPath("/account/x/pay")).toBe(false);
  expect(isSelfAuthenticatingPath("/webhooksfake")).toBe(false);
});

test("a cross-site POST is refused, whichever header tells", () => {
  expect(isCrossSiteRequest("POST", "/language", { "sec-fetch-site": "cross-site" }, origins)).toBe(true);
  expect(isCrossSiteRequest("POST", "/language", { origin: "https://evil.example" }, origins)).toBe(true);
  expect(isCrossSiteRequest("DELETE", "/x", { origin: "https://pay.example.com.evil.example" }, origins)).toBe(true);
});

test("same-origin posts pass, including Origin: null from the no-referrer policy", () => {
  expect(isCrossSiteRequest("POST", "/language", { "sec-fetch-site": "same-origin", origin: "https://pay.example.com" }, origins)).toBe(false);
  expect(isCrossSiteRequest("POST", "/language", { origin: "null" }, origins)).toBe(false);
  expect(isCrossSiteRequest("POST", "/language", {}, origins)).toBe(false);
});

test("GET is never refused, and self-authenticating endpoints are exempt", () => {
  expect(isCrossSiteRequest("GET", "/", { "sec-fetch-site": "cross-site" }, origins)).toBe(false);
  expect(isCrossSiteRequest("POST", "/webhooks/stripe", { "sec-fetch-site": "cross-site", origin: "https://stripe.com" }, origins)).toBe(false);
  expect(isCrossSiteRequest("POST", "/unsubscribe/abc", { "sec-fetch-site": "cross-site" }, origins)).toBe(false);
});

test("token-like path segments and query strings never reach the log", () => {
  expect(redactPath("/l/Qm9vbXNoYWthbGFrYWJvb21zaGFrYWxhMTIzNDU2Nzg5MA?utm=x")).toBe("/l/:redacted");
  expect(redactPath("/dev/outbox?to=alex@example.com")).toBe("/dev/outbox");
  expect(redactPath("/healthz")).toBe("/healthz");
});

test("loopback addresses are recognised, others are not", () => {
  expect(isLoopbackAddress("127.0.0.1")).toBe(true);
  expect(isLoopbackAddress("::1")).toBe(true);
  expect(isLoopbackAddress("::ffff:127.0.0.1")).toBe(true);
  expect(isLoopbackAddress("10.0.0.5")).toBe(false);
  expect(isLoopbackAddress("::ffff:192.168.1.2")).toBe(false);
  expect(isLoopbackAddress(undefined)).toBe(false);
});

test("the rate limiter allows the limit per window, then says how long to wait", () => {
  let now = 0;
  const limiter = new RateLimiter(2, 60_000, () => now);
  expect(limiter.hit("a")).toBe(0);
  expect(limiter.hit("a")).toBe(0);
  expect(limiter.hit("a")).toBe(60);
  expect(limiter.hit("b")).toBe(0);
  now = 30_000;
  expect(limiter.hit("a")).toBe(30);
  now = 60_000;
  expect(limiter.hit("a")).toBe(0);
});
