/**
 * Driving route modules the way a browser does, for integration tests: a cookie jar carried
 * from one response to the next, Requests with a form body, a runner that reads what a loader
 * or action answered (returned or thrown Response, `data(...)`, or a plain object), and signing
 * in through the real link and sign-in routes.
 */
import type { AppLoadContext } from "@remix-run/node";
import { expect } from "vitest";
import { loader as linkLoader } from "~/routes/l.$token";
import { action as signInAction } from "~/routes/sign-in";
import { issueAccessLink } from "~/utils/access-links.server";

export const context: AppLoadContext = { cspNonce: "n", clientIp: "127.0.0.1", isLoopback: true };

/** The browser's cookies: Set-Cookie headers applied in order; Max-Age=0 deletes. */
export class Jar {
  private readonly cookies = new Map<string, string>();

  apply(headers: Headers): this {
    for (const line of headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      if (/;\s*max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return this;
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  copy(): Jar {
    const jar = new Jar();
    for (const [name, value] of this.cookies) jar.cookies.set(name, value);
    return jar;
  }
}

export interface RequestOptions {
  method?: string;
  /** Form fields; an array sends the field once per value (checkboxes). */
  form?: Record<string, string | string[]>;
  jar?: Jar;
  language?: string;
  userAgent?: string;
}

export function req(path: string, { method = "GET", form, jar, language = "en", userAgent }: RequestOptions = {}): Request {
  const headers = new Headers({ "Accept-Language": language });
  if (userAgent) headers.set("User-Agent", userAgent);
  if (jar) headers.set("Cookie", jar.header());
  if (form) headers.set("Content-Type", "application/x-www-form-urlencoded");
  const body = form ? new URLSearchParams(Object.entries(form).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => [name, v]))) : null;
  return new Request(`http://localhost:3000${path}`, { method, headers, body: body?.toString() });
}

export type Outcome = { status: number; headers: Headers; data: Record<string, unknown> | null };

/** Runs a loader or action; a returned or thrown Response, `data(...)` or a plain object. */
export async function call(run: () => Promise<unknown>): Promise<Outcome> {
  let result: unknown;
  try {
    result = await run();
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, headers: thrown.headers, data: null };
    throw thrown;
  }
  if (result instanceof Response) return { status: result.status, headers: result.headers, data: null };
  const wrapped = result as { type?: string; data?: unknown; init?: ResponseInit | null };
  if (wrapped && wrapped.type === "DataWithResponseInit") {
    return { status: wrapped.init?.status ?? 200, headers: new Headers(wrapped.init?.headers), data: wrapped.data as Record<string, unknown> };
  }
  return { status: 200, headers: new Headers(), data: result as Record<string, unknown> };
}

export async function mintToken(reference: string): Promise<string> {
  const { url } = await issueAccessLink({ accountReference: reference });
  return url.slice(url.lastIndexOf("/l/") + 3);
}

/** Opens a link as a browser would: /l/:token, keeping the cookie it sets. */
export async function open(token: string, jar = new Jar()): Promise<{ jar: Jar; outcome: Outcome }> {
  const outcome = await call(() => linkLoader({ request: req(`/l/${token}`, { jar }), params: { token }, context }));
  jar.apply(outcome.headers);
  return { jar, outcome };
}

export function answer(jar: Jar, form: Record<string, string>): Promise<Outcome> {
  return call(() => signInAction({ request: req("/sign-in", { method: "POST", form, jar }), params: {}, context }));
}

/** Signs in through the routes: /l/:token, then the answer. Returns the browser's cookies. */
export async function signIn(reference: string, form: Record<string, string>): Promise<Jar> {
  const { jar } = await open(await mintToken(reference));
  const outcome = await answer(jar, form);
  expect(outcome.status).toBe(303);
  return jar.apply(outcome.headers);
}
