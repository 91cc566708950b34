/**
 * Email through the real `resend` SDK into the local outbox (DESIGN §4): what sendEmail
 * stores, Resend's idempotency and validation answers, and the localized layout. The SDK is
 * the client in every test; nothing of ours is mocked.
 */
import { render } from "@react-email/render";
import { Resend } from "resend";
import { expect, test } from "vitest";
import { getResend } from "~/services/email/client.server";
import { getLocalEmail, listLocalEmails, LocalOutboxResend } from "~/services/email/local-outbox.server";
import { emailIdempotencyKey, LOCAL_EMAIL_FROM, sendEmail } from "~/services/email/send.server";
import { getEmailT } from "~/services/email/t.server";
import { resetEnvForTests } from "~/utils/env.server";
import { newLinkEmail } from "~emails/new-link";
import { withLocalEmail } from "../setup/env";

withLocalEmail();

const APP_URL = "http://localhost:3000";

async function newLink(language: "en" | "es", linkUrl = `${APP_URL}/l/test-token`) {
  return newLinkEmail({
    t: await getEmailT(language),
    lang: language,
    appUrl: APP_URL,
    creditorName: "Northwind Lending",
    creditorContact: "+1 (800) 555-0100",
    linkUrl,
    expiresInMinutes: 30,
  });
}

test("local mode uses the outbox stand-in, a subclass of the real SDK", () => {
  const client = getResend();
  expect(client).toBeInstanceOf(LocalOutboxResend);
  expect(client).toBeInstanceOf(Resend);
});

test("sendEmail stores the message with HTML and its plain-text twin", async () => {
  const email = await newLink("en");
  const result = await sendEmail({
    to: "alex@example.com",
    ...email,
    idempotencyKey: emailIdempotencyKey("new-link", "stores-html-and-text"),
    tags: [{ name: "kind", value: "new_link" }],
  });

  expect(result).toEqual({ status: "sent", id: expect.any(String) });
  if (result.status !== "sent") return;
  const stored = await getLocalEmail(result.id);
  expect(stored).toMatchObject({
    id: result.id,
    from: LOCAL_EMAIL_FROM,
    to: ["alex@example.com"],
    subject: "Your new secure link for Northwind Lending",
    idempotency_key: "new-link/stores-html-and-text",
    tags: [{ name: "kind", value: "new_link" }],
  });
  expect(stored?.html).toContain('href="http://localhost:3000/l/test-token"');
  expect(stored?.html).toContain("Here is your new secure link");
  expect(stored?.text).toContain("HERE IS YOUR NEW SECURE LINK");
  expect(stored?.text).toContain("http://localhost:3000/l/test-token");
  expect(stored?.text).not.toContain("<");
});

test("the SDK reads a sent message back in Resend's shape (GET /emails/:id)", async () => {
  const result = await sendEmail({ to: ["alex@example.com"], ...(await newLink("en")), idempotencyKey: "new-link/read-back" });
  if (result.status !== "sent") throw new Error("send failed");

  const { data, error } = await getResend().emails.get(result.id);

  expect(error).toBeNull();
  expect(data).toMatchObject({ object: "email", id: result.id, to: ["alex@example.com"], last_event: "delivered" });
  const missing = await getResend().emails.get("00000000-0000-4000-8000-000000000000");
  expect(missing.error).toMatchObject({ name: "not_found", statusCode: 404 });
});

test("same idempotency key and same message: same id, stored once", async () => {
  const email = await newLink("en");
  const key = emailIdempotencyKey("new-link", "replayed");
  const before = (await listLocalEmails(500)).length;

  const first = await sendEmail({ to: "alex@example.com", ...email, idempotencyKey: key });
  const second = await sendEmail({ to: "alex@example.com", ...email, idempotencyKey: key });

  expect(first.status).toBe("sent");
  expect(second).toEqual(first);
  expect((await listLocalEmails(500)).length).toBe(before + 1);
});

test("same idempotency key with a different message: Resend's invalid_idempotent_request, nothing stored", async () => {
  const key = emailIdempotencyKey("new-link", "reused-key");
  const first = await sendEmail({ to: "alex@example.com", ...(await newLink("en")), idempotencyKey: key });
  expect(first.status).toBe("sent");
  const before = (await listLocalEmails(500)).length;

  const reused = await sendEmail({ to: "sam@example.com", ...(await newLink("en")), idempotencyKey: key });

  expect(reused).toEqual({ status: "error", code: "invalid_idempotent_request", message: expect.stringContaining("different request payload") });
  expect((await listLocalEmails(500)).length).toBe(before);
});

test("two sends racing with one key store one message (real Postgres runs them on two connections)", async () => {
  const email = await newLink("en");
  const key = emailIdempotencyKey("new-link", "racing");
  const before = (await listLocalEmails(500)).length;

  const results = await Promise.all([0, 1, 2].map(() => sendEmail({ to: "alex@example.com", ...email, idempotencyKey: key })));

  expect(results[0]?.status).toBe("sent");
  expect(results[1]).toEqual(results[0]);
  expect(results[2]).toEqual(results[0]);
  expect((await listLocalEmails(500)).length).toBe(before + 1);
});

test("racing sends that reuse a key for different messages: one is sent, the others refused", async () => {
  const key = emailIdempotencyKey("new-link", "racing-different");
  const before = (await listLocalEmails(500)).length;

  const results = await Promise.all(
    ["alex@example.com", "sam@example.com", "maria@example.com"].map(async (to) => sendEmail({ to, ...(await newLink("en")), idempotencyKey: key })),
  );

  expect(results.filter((result) => result.status === "sent")).toHaveLength(1);
  expect(results.filter((result) => result.status === "error" && result.code === "invalid_idempotent_request")).toHaveLength(2);
  expect((await listLocalEmails(500)).length).toBe(before + 1);
});

test("an invalid recipient: Resend's validation_error, nothing stored", async () => {
  const before = (await listLocalEmails(500)).length;

  const result = await sendEmail({ to: "not-an-address", ...(await newLink("en")), idempotencyKey: "new-link/bad-recipient" });

  expect(result).toEqual({ status: "error", code: "validation_error", message: expect.stringContaining("Invalid `to` field") });
  expect((await listLocalEmails(500)).length).toBe(before);
});

test("the raw SDK gets Resend's answers: missing fields 422, bad idempotency key 400, no error thrown", async () => {
  const resend = getResend();

  const missing = await resend.emails.send({ from: LOCAL_EMAIL_FROM, to: [], subject: "", text: "x" } as never);
  expect(missing.error).toMatchObject({ statusCode: 422, name: "validation_error" });

  const noTo = await resend.post("/emails", { from: LOCAL_EMAIL_FROM, subject: "Hello", text: "x" });
  expect(noTo.error).toEqual({ statusCode: 422, name: "missing_required_field", message: "Missing `to` field." });

  const longKey = await resend.emails.send(
    { from: LOCAL_EMAIL_FROM, to: "alex@example.com", subject: "Hello", text: "x" },
    { idempotencyKey: "k".repeat(257) },
  );
  expect(longKey.error).toMatchObject({ statusCode: 400, name: "invalid_idempotency_key" });

  const named = await resend.emails.send(
    { from: LOCAL_EMAIL_FROM, to: "Alex Rivera <alex@example.com>", subject: "Hello", text: "Plain only" },
    { idempotencyKey: "test/named-recipient" },
  );
  expect(named.error).toBeNull();

  const unknown = await resend.domains.list();
  expect(unknown.error).toMatchObject({ statusCode: 404, name: "not_found" });
});

test("sendEmail refuses an idempotency key that is not built from our ids", async () => {
  const email = await newLink("en");
  await expect(sendEmail({ to: "alex@example.com", ...email, idempotencyKey: "" })).rejects.toThrow();
  await expect(sendEmail({ to: "alex@example.com", ...email, idempotencyKey: "just words" })).rejects.toThrow(/<kind>\/<id>/);
  expect(emailIdempotencyKey("plan-decision", "7f1c", 2)).toBe("plan-decision/7f1c/2");
});

test("the layout renders in English with lang=en and the full footer", async () => {
  const html = await render((await newLink("en")).react);
  const text = await render((await newLink("en")).react, { plainText: true });

  expect(html).toMatch(/<html[^>]*\blang="en"/);
  expect(html).toContain("<title>Your new secure link for Northwind Lending</title>");
  expect(text).toContain("Repay sent this email on behalf of Northwind Lending");
  expect(text).toContain("We will never ask for your card number, PIN or password");
  expect(text).toContain("Type localhost:3000 into your browser yourself");
  expect(text).toContain("Contact Northwind Lending: +1 (800) 555-0100");
  expect(text).toContain("stops working after 30 minutes");
  expect(text).toContain("If you did not ask for this link, you can ignore this email.");
  expect(text).not.toMatch(/urgent|final notice|immediately/i);
});

test("the layout renders in Spanish with lang=es and a Spanish footer", async () => {
  const email = await newLink("es");
  const html = await render(email.react);
  const text = await render(email.react, { plainText: true });

  expect(email.subject).toBe("Su nuevo enlace seguro para Northwind Lending");
  expect(html).toMatch(/<html[^>]*\blang="es"/);
  expect(text).toContain("AQUÍ TIENE SU NUEVO ENLACE SEGURO");
  expect(text).toContain("Repay le envió este correo en nombre de Northwind Lending");
  expect(text).toContain("Nunca le pediremos el número de su tarjeta, su PIN ni su contraseña");
  expect(text).toContain("deja de funcionar después de 30 minutos");
  expect(text).not.toContain("We will never ask");
});

test("with RESEND_API_KEY set the plain SDK is used, never the stand-in (constructed only)", () => {
  process.env.RESEND_API_KEY = "re_test_example";
  process.env.EMAIL_FROM = "Northwind via Repay <notices@repay.example.com>";
  resetEnvForTests();
  try {
    const client = getResend();
    expect(client).toBeInstanceOf(Resend);
    expect(client).not.toBeInstanceOf(LocalOutboxResend);
    expect(client.baseUrl).toBe("https://api.resend.com");
  } finally {
    delete process.env.RESEND_API_KEY;
    delete process.env.EMAIL_FROM;
    resetEnvForTests();
  }
  expect(getResend()).toBeInstanceOf(LocalOutboxResend);
});
