/**
 * /dev/emails (issue 9 item 1): every template in emails/ has a preview; each preview renders
 * in English and Spanish to HTML and plain text with no untranslated key left in it, and the
 * Spanish differs from the English; the routes answer through their own loaders, and are 404
 * off loopback, with real Resend configured, and for an unknown template or language.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type AppLoadContext } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loader as htmlLoader } from "~/routes/dev.emails.$template.$language.html";
import { loader as textLoader } from "~/routes/dev.emails.$template.$language.text";
import { loader as previewLoader } from "~/routes/dev.emails.$template.$language";
import { loader as listLoader } from "~/routes/dev.emails._index";
import { EMAIL_HELPER_FILES, EMAIL_PREVIEWS, renderEmailPreview } from "~/utils/email-previews.server";
import { resetEnvForTests } from "~/utils/env.server";

const EMAIL_VARS = ["RESEND_API_KEY", "EMAIL_FROM"] as const;
let saved: Record<string, string | undefined>;

const loopback: AppLoadContext = { cspNonce: "x", clientIp: "127.0.0.1", isLoopback: true };
const remote: AppLoadContext = { cspNonce: "x", clientIp: "203.0.113.9", isLoopback: false };

beforeAll(() => {
  saved = Object.fromEntries(EMAIL_VARS.map((name) => [name, process.env[name]]));
  for (const name of EMAIL_VARS) delete process.env[name];
  resetEnvForTests();
});

afterAll(() => {
  for (const name of EMAIL_VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  resetEnvForTests();
});

const request = (path: string, language = "en") => new Request(`http://localhost:3000${path}`, { headers: { "Accept-Language": language } });

async function thrownStatus(run: () => Promise<unknown>): Promise<number> {
  try {
    await run();
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
  throw new Error("expected the loader to throw a Response");
}

/**
 * What an untranslated or half-interpolated string leaves behind: `{{name}}`, or a key such as
 * `upcoming.heading` (i18next answers a missing key with the key itself, without its
 * namespace). Web and email addresses are taken out first: they have dots too; so do "a.m."
 * and "p.m.", which is why a key's first part has two letters at least.
 */
const LEFTOVER_KEY = /\{\{|\}\}|\b[a-z][A-Za-z]+\.[a-z][A-Za-z_]+(?:\.[A-Za-z_]+)*\b/;

function withoutAddresses(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/\S+@\S+/g, " ")
    .replace(/\b(?:[a-z0-9-]+\.)+(?:com|org|gov|net|uk|localhost)\b/gi, " ");
}

/** The text a reader sees: the HTML without its tags, attributes, styles and comments. */
function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&[a-z#0-9]+;/gi, " ");
}

test("every message template in emails/ has a preview, and every preview names a template that exists", () => {
  const dir = fileURLToPath(new URL("../../emails/", import.meta.url));
  const files = readdirSync(dir).filter((name) => name.endsWith(".tsx"));
  const messages = files.filter((name) => !EMAIL_HELPER_FILES.includes(name));
  const previewed = new Set(EMAIL_PREVIEWS.map((preview) => preview.file));

  expect(messages.filter((name) => !previewed.has(name)), "templates without a preview in app/utils/email-previews.server.ts").toEqual([]);
  expect([...previewed].filter((name) => !files.includes(name))).toEqual([]);
  expect(EMAIL_HELPER_FILES.filter((name) => !files.includes(name)), "helper files that no longer exist").toEqual([]);
  expect(new Set(EMAIL_PREVIEWS.map((preview) => preview.id)).size).toBe(EMAIL_PREVIEWS.length);
  for (const preview of EMAIL_PREVIEWS) expect(preview.id).toMatch(/^[a-z][a-z0-9-]*$/);
});

describe.each(EMAIL_PREVIEWS.map((preview) => preview.id))("%s", (id) => {
  test("renders in English and Spanish, with no untranslated key, and the Spanish is not the English", async () => {
    const en = await renderEmailPreview(id, "en");
    const es = await renderEmailPreview(id, "es");
    if (!en || !es) throw new Error("no rendering");

    for (const rendered of [en, es]) {
      expect(rendered.subject.trim().length).toBeGreaterThan(0);
      expect(rendered.html).toMatch(new RegExp(`<html[^>]*\\blang="${rendered.language}"`));
      expect(visibleText(rendered.html).trim().length).toBeGreaterThan(200);
      expect(rendered.text.trim().length).toBeGreaterThan(200);
      for (const part of [rendered.subject, visibleText(rendered.html), rendered.text]) {
        expect(withoutAddresses(part)).not.toMatch(LEFTOVER_KEY);
      }
    }
    expect(es.subject).not.toBe(en.subject);
    expect(es.text).not.toBe(en.text);
  });
});

test("the list names every preview with its subject in both languages, and links each rendering", async () => {
  const data = await listLoader({ request: request("/dev/emails"), context: loopback, params: {} });
  expect(data.title).toBe("Email previews");
  expect(data.previews.map((preview) => preview.id)).toEqual(EMAIL_PREVIEWS.map((preview) => preview.id));
  const newLink = data.previews.find((preview) => preview.id === "new-link");
  expect(newLink?.languages).toEqual([
    { language: "en", name: "English", subject: "Your new secure link for Northwind Lending" },
    { language: "es", name: "Español", subject: "Su nuevo enlace seguro para Northwind Lending" },
  ]);
  for (const preview of data.previews) {
    for (const entry of preview.languages) expect(entry.subject.length).toBeGreaterThan(0);
  }

  const es = await listLoader({ request: request("/dev/emails", "es"), context: loopback, params: {} });
  expect(es.title).toBe("Vista previa de los correos");
});

test("one preview: the subject, the plain text and a sandboxable HTML document, and a link to the other language", async () => {
  const data = await previewLoader({ request: request("/dev/emails/new-link/es"), context: loopback, params: { template: "new-link", language: "es" } });
  expect(data.preview).toMatchObject({ id: "new-link", file: "new-link.tsx", language: "es", subject: "Su nuevo enlace seguro para Northwind Lending" });
  expect(data.preview.text).toContain("AQUÍ TIENE SU NUEVO ENLACE SEGURO");
  expect(data.previewHtml).toContain('<base target="_blank">');
  expect(data.previewHtml).not.toMatch(/<script/i);
  expect(data.others).toEqual([{ language: "en", name: "English" }]);
});

test("the HTML route answers the preview as its own document under the outbox's strict policy; the text route answers plain text", async () => {
  const html = await htmlLoader({ request: request("/dev/emails/reminder-upcoming/es/html"), context: loopback, params: { template: "reminder-upcoming", language: "es" } });
  expect(html.status).toBe(200);
  expect(html.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  expect(html.headers.get("Content-Security-Policy")).toBe(
    "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  expect(await html.text()).toMatch(/<html[^>]*\blang="es"/);

  const text = await textLoader({ request: request("/dev/emails/reminder-upcoming/en/text"), context: loopback, params: { template: "reminder-upcoming", language: "en" } });
  expect(text.status).toBe(200);
  expect(text.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
  expect(text.headers.get("Content-Language")).toBe("en");
  const body = await text.text();
  expect(body).toContain("Northwind Lending");
  expect(body).not.toMatch(/<[a-z]/i);
});

test("an unknown template or language is 404", async () => {
  const cases: Array<{ template: string; language: string }> = [
    { template: "no-such-email", language: "en" },
    { template: "layout", language: "en" },
    { template: "reminder-parts", language: "es" },
    { template: "new-link", language: "de" },
    { template: "new-link", language: "" },
    { template: "../new-link", language: "en" },
  ];
  for (const params of cases) {
    const path = `/dev/emails/${params.template}/${params.language}`;
    expect(await thrownStatus(() => previewLoader({ request: request(path), context: loopback, params }))).toBe(404);
    expect(await thrownStatus(() => htmlLoader({ request: request(`${path}/html`), context: loopback, params }))).toBe(404);
    expect(await thrownStatus(() => textLoader({ request: request(`${path}/text`), context: loopback, params }))).toBe(404);
  }
});

test("a client that is not on this machine gets 404 from every preview page", async () => {
  const params = { template: "new-link", language: "en" };
  expect(await thrownStatus(() => listLoader({ request: request("/dev/emails"), context: remote, params: {} }))).toBe(404);
  expect(await thrownStatus(() => previewLoader({ request: request("/dev/emails/new-link/en"), context: remote, params }))).toBe(404);
  expect(await thrownStatus(() => htmlLoader({ request: request("/dev/emails/new-link/en/html"), context: remote, params }))).toBe(404);
  expect(await thrownStatus(() => textLoader({ request: request("/dev/emails/new-link/en/text"), context: remote, params }))).toBe(404);
});

test("with real Resend configured the previews do not exist, even on loopback", async () => {
  process.env.RESEND_API_KEY = "re_test_example";
  process.env.EMAIL_FROM = "Repay <notices@repay.example.com>";
  resetEnvForTests();
  try {
    const params = { template: "new-link", language: "en" };
    expect(await thrownStatus(() => listLoader({ request: request("/dev/emails"), context: loopback, params: {} }))).toBe(404);
    expect(await thrownStatus(() => previewLoader({ request: request("/dev/emails/new-link/en"), context: loopback, params }))).toBe(404);
    expect(await thrownStatus(() => htmlLoader({ request: request("/dev/emails/new-link/en/html"), context: loopback, params }))).toBe(404);
    expect(await thrownStatus(() => textLoader({ request: request("/dev/emails/new-link/en/text"), context: loopback, params }))).toBe(404);
  } finally {
    delete process.env.RESEND_API_KEY;
    delete process.env.EMAIL_FROM;
    resetEnvForTests();
  }
});
