/**
 * /dev/outbox through the route modules' own loaders: the list, one message with its links
 * and text, the raw HTML under its own policy, and the 404s that keep the pages local-only
 * (not loopback, email not local, malformed or unknown id).
 */
import { type AppLoadContext } from "@remix-run/node";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loader as htmlLoader } from "~/routes/dev.outbox.$id.html";
import { loader as messageLoader } from "~/routes/dev.outbox.$id";
import { loader as listLoader } from "~/routes/dev.outbox._index";
import { emailIdempotencyKey, sendEmail } from "~/services/email/send.server";
import { getEmailT } from "~/services/email/t.server";
import { resetEnvForTests } from "~/utils/env.server";
import { newLinkEmail } from "~emails/new-link";

const EMAIL_VARS = ["RESEND_API_KEY", "EMAIL_FROM"] as const;
let saved: Record<string, string | undefined>;

const loopback: AppLoadContext = { cspNonce: "x", clientIp: "127.0.0.1", isLoopback: true };
const remote: AppLoadContext = { cspNonce: "x", clientIp: "203.0.113.9", isLoopback: false };
const LINK = "http://localhost:3000/l/outbox-token?from=email&lang=es";

let sentId = "";

beforeAll(async () => {
  saved = Object.fromEntries(EMAIL_VARS.map((name) => [name, process.env[name]]));
  for (const name of EMAIL_VARS) delete process.env[name];
  resetEnvForTests();

  const email = newLinkEmail({
    t: await getEmailT("es"),
    lang: "es",
    appUrl: "http://localhost:3000",
    creditorName: "Northwind Lending",
    linkUrl: LINK,
    expiresInMinutes: 30,
  });
  const result = await sendEmail({ to: "maria@example.com", ...email, idempotencyKey: emailIdempotencyKey("new-link", "dev-outbox") });
  if (result.status !== "sent") throw new Error(`send failed: ${result.code}`);
  sentId = result.id;
});

afterAll(() => {
  for (const name of EMAIL_VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  resetEnvForTests();
});

const request = (path: string, language = "en") =>
  new Request(`http://localhost:3000${path}`, { headers: { "Accept-Language": language } });

async function thrownStatus(run: () => Promise<unknown>): Promise<number> {
  try {
    await run();
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
  throw new Error("expected the loader to throw a Response");
}

test("the list shows the message: time, recipient and subject, newest first", async () => {
  const second = await sendEmail({
    to: "alex@example.com",
    subject: "A later message",
    react: newLinkEmail({ t: await getEmailT("en"), lang: "en", appUrl: "http://localhost:3000", creditorName: "Northwind Lending", linkUrl: LINK, expiresInMinutes: 30 }).react,
    idempotencyKey: "new-link/dev-outbox-later",
  });
  if (second.status !== "sent") throw new Error("send failed");

  const data = await listLoader({ request: request("/dev/outbox"), context: loopback, params: {} });

  expect(data.title).toBe("Local outbox");
  const ids = data.emails.map((email) => email.id);
  expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(sentId));
  expect(data.emails.find((email) => email.id === sentId)).toMatchObject({
    to: "maria@example.com",
    subject: "Su nuevo enlace seguro para Northwind Lending",
    sentAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    sentAtText: expect.any(String),
  });
});

test("the list's title follows the reader's language", async () => {
  const data = await listLoader({ request: request("/dev/outbox", "es"), context: loopback, params: {} });
  expect(data.title).toBe("Bandeja de salida local");
});

test("one message: headers, plain text, the links as ordinary anchors, and a sandboxable preview", async () => {
  const data = await messageLoader({ request: request(`/dev/outbox/${sentId}`), context: loopback, params: { id: sentId } });

  expect(data.email).toMatchObject({
    id: sentId,
    to: ["maria@example.com"],
    subject: "Su nuevo enlace seguro para Northwind Lending",
    idempotencyKey: "new-link/dev-outbox",
    hasHtml: true,
  });
  expect(data.email.text).toContain("AQUÍ TIENE SU NUEVO ENLACE SEGURO");
  expect(data.links).toEqual([LINK]);
  expect(data.previewHtml).toContain('<base target="_blank">');
  expect(data.previewHtml).not.toMatch(/<script/i);
});

test("the raw HTML route answers the message's HTML under its own strict policy", async () => {
  const response = await htmlLoader({ request: request(`/dev/outbox/${sentId}/html`), context: loopback, params: { id: sentId } });

  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("Content-Security-Policy")).toBe(
    "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  const html = await response.text();
  expect(html).toMatch(/<html[^>]*\blang="es"/);
  expect(html).toContain("http://localhost:3000/l/outbox-token?from=email&amp;lang=es");
});

test("a client that is not on this machine gets 404 from every outbox page", async () => {
  expect(await thrownStatus(() => listLoader({ request: request("/dev/outbox"), context: remote, params: {} }))).toBe(404);
  expect(await thrownStatus(() => messageLoader({ request: request(`/dev/outbox/${sentId}`), context: remote, params: { id: sentId } }))).toBe(404);
  expect(await thrownStatus(() => htmlLoader({ request: request(`/dev/outbox/${sentId}/html`), context: remote, params: { id: sentId } }))).toBe(404);
});

test("a malformed or unknown id is 404", async () => {
  for (const id of ["not-a-uuid", "1; drop table x", "00000000-0000-4000-8000-000000000000"]) {
    expect(await thrownStatus(() => messageLoader({ request: request(`/dev/outbox/${id}`), context: loopback, params: { id } }))).toBe(404);
    expect(await thrownStatus(() => htmlLoader({ request: request(`/dev/outbox/${id}/html`), context: loopback, params: { id } }))).toBe(404);
  }
});

test("with real Resend configured the outbox does not exist, even on loopback", async () => {
  process.env.RESEND_API_KEY = "re_test_example";
  process.env.EMAIL_FROM = "Repay <notices@repay.example.com>";
  resetEnvForTests();
  try {
    expect(await thrownStatus(() => listLoader({ request: request("/dev/outbox"), context: loopback, params: {} }))).toBe(404);
    expect(await thrownStatus(() => messageLoader({ request: request(`/dev/outbox/${sentId}`), context: loopback, params: { id: sentId } }))).toBe(404);
  } finally {
    delete process.env.RESEND_API_KEY;
    delete process.env.EMAIL_FROM;
    resetEnvForTests();
  }
});
