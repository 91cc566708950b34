import { expect, test } from "@playwright/test";

test("pages carry a nonce CSP without unsafe-inline scripts, and the other security headers", async ({ request }) => {
  const response = await request.get("/");
  const headers = response.headers();
  const csp = headers["content-security-policy"] ?? "";
  const scriptSrc = csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src")) ?? "";
  expect(scriptSrc).toMatch(/^script-src 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'$/);
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["permissions-policy"]).toContain("camera=()");

  const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
  const html = await response.text();
  expect(html).toContain(`nonce="${nonce}"`);
  const second = (await request.get("/")).headers()["content-security-policy"];
  expect(second).not.toBe(csp);
});

test("a cross-site POST is refused with 403 before any action runs", async ({ request }) => {
  const response = await request.post("/language", {
    headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    form: { language: "es", redirectTo: "/" },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(403);
  expect(response.headers()["set-cookie"]).toBeUndefined();
});

test("a same-site POST with Origin: null (no-referrer) is accepted", async ({ request }) => {
  const response = await request.post("/language", {
    headers: { origin: "null" },
    form: { language: "es", redirectTo: "/" },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(302);
});

test("a malformed language form gets a 400, never a 500", async ({ request }) => {
  const response = await request.post("/language", { form: { language: "klingon" }, maxRedirects: 0 });
  expect(response.status()).toBe(400);
});

test("/healthz reports the database and migrations", async ({ request }) => {
  const response = await request.get("/healthz");
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: "ok", database: "reachable", migrations: { current: true, pending: [] } });
});
