/**
 * The payment receipt email (issue 6 item 6), through the routes a borrower and Stripe use
 * and the outbox (ADR 014; migration 20261128002000_payment_notices.sql): Alex pays $50 on
 * DEMO-1001 by card, the sandbox's signed events reach the webhook route, the payment's
 * audit event leaves exactly one `payment.receipt` message (requested), and the nudged sender
 * delivers exactly one receipt to the local Resend stand-in (no amount in the subject; the
 * amount, the new balance and the payment reference in the text). Stripe's events delivered
 * again, or the sender run again, add nothing; a declined card queues nothing (and its
 * template has nothing to render); María gets hers in Spanish, and paying everything says so;
 * with no email on file the message is cancelled, not sent.
 */
import { afterEach, describe, expect, test } from "vitest";
import { action as payAction } from "~/routes/account.$accountId.pay._index";
import { action as webhookAction } from "~/routes/webhooks.stripe";
import { getLocalEmail, listLocalEmails } from "~/services/email/local-outbox.server";
import { runOutbox } from "~/services/email/outbox.server";
import { getEmailT } from "~/services/email/t.server";
import { deliverPendingEvents, payCheckoutSession } from "~/services/stripe/local-sandbox.server";
import { getEnv } from "~/utils/env.server";
import { outboxTemplates, type OutboxMessage } from "~/utils/outbox-templates/index.server";
import { testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { outboxRow, settleOutbox, templateEmails, templateMessages } from "../setup/outbox";
import { call, context, req, signIn, type Jar } from "../setup/routes";

withLocalEmail();

const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";
const DEMO_1002 = "a0000000-0000-4000-8000-000000001002";
const ALEX = "b0000000-0000-4000-8000-000000000001";
const ALEX_DOB = { "dob.month": "4", "dob.day": "12", "dob.year": "1985" };
const MARIA_DOB = { "dob.month": "11", "dob.day": "3", "dob.year": "1979" };
const ALEX_EMAIL = "alex.rivera@example.com";
const MARIA_EMAIL = "maria.lopez@example.net";

/** Hands the sandbox's pending events to the webhook route, as Stripe would. */
async function deliver(): Promise<void> {
  await deliverPendingEvents({
    deliver: async (payload, signature) => {
      const request = new Request("http://localhost:3000/webhooks/stripe", {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": signature },
        body: payload,
      });
      const response = (await webhookAction({ request, params: {}, context })) as Response;
      expect(response.status).toBe(200);
      return response;
    },
  });
}

/** Starts a payment through the pay route and returns its Checkout Session and payment ids. */
async function startPayment(jar: Jar, accountId: string, form: Record<string, string>): Promise<{ sessionId: string; paymentId: string }> {
  const outcome = await call(() => payAction({ request: req(`/account/${accountId}/pay`, { method: "POST", form, jar }), params: { accountId }, context }));
  expect(outcome.status).toBe(303);
  const match = /\/sandbox\/stripe\/checkout\/(cs_[A-Za-z0-9_]+)$/.exec(outcome.headers.get("Location") ?? "");
  if (!match) throw new Error(`not a sandbox checkout address: ${outcome.headers.get("Location")}`);
  const sessionId = match[1]!;
  const { rows } = await testDb().query<{ id: string }>("select id from app.payments where stripe_checkout_session_id = $1", [sessionId]);
  return { sessionId, paymentId: rows[0]!.id };
}

/** Pays by card on Stripe's page, delivers Stripe's events, and waits for the outbox passes they nudged. */
async function pay(jar: Jar, accountId: string, form: Record<string, string>, card = "4242 4242 4242 4242") {
  const started = await startPayment(jar, accountId, form);
  await payCheckoutSession(started.sessionId, { card });
  await deliver();
  await settleOutbox();
  return started;
}

const receiptKey = (paymentId: string) => `payment.receipt/${paymentId}`;

/** The receipt template's email for a payment, as the sender would render it (null: nothing to send). */
async function renderReceipt(paymentId: string) {
  const message = { id: crypto.randomUUID(), template: "payment.receipt", category: "requested", channel: "email", params: { payment_id: paymentId }, language: "en" } as unknown as OutboxMessage;
  return outboxTemplates["payment.receipt"]!.render(message, { language: "en", t: await getEmailT("en"), appUrl: getEnv().APP_URL, unsubscribeUrl: null, now: new Date() });
}

async function inbox(to: string) {
  return (await listLocalEmails()).filter((email) => email.to.includes(to));
}

afterEach(() => settleOutbox());

describe("payment receipt", () => {
  let alexPayment = "";

  test("$50 by card: exactly one receipt message and one email, the amount and the new balance in it, none in the subject", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const before = (await inbox(ALEX_EMAIL)).length;
    const { paymentId } = await pay(jar, DEMO_1001, { choice: "amount", amount: "50" });
    alexPayment = paymentId;

    const messages = await templateMessages("payment.receipt", receiptKey(paymentId));
    expect(messages).toEqual([
      expect.objectContaining({ category: "requested", state: "sent", borrower_id: ALEX, account_id: DEMO_1001, params: { payment_id: paymentId } }),
    ]);
    const emails = await inbox(ALEX_EMAIL);
    expect(emails).toHaveLength(before + 1);
    expect(emails[0]!.subject).toBe("Your payment to Northwind Lending");
    expect(emails[0]!.subject).not.toMatch(/\d/);
    const email = (await getLocalEmail(emails[0]!.id))!;
    expect(email.idempotency_key).toBe(`outbox/${messages[0]!.id}`);
    expect(email.tags).toEqual([
      { name: "template", value: "payment_receipt" },
      { name: "category", value: "requested" },
    ]);
    const text = email.text!;
    expect(text).toContain("Thank you. We received $50.00.");
    expect(text).toContain("You now owe $1,190.50.");
    expect(text).toContain("Amount: $50.00");
    expect(text).toContain("Paid to: Northwind Lending");
    expect(text).toContain(`Payment reference: ${paymentId.slice(0, 8).toUpperCase()}`);
    expect(text).toContain("Reference ending in 1001");
    expect(text).toContain("Keep this email for your records.");
    expect(text).toContain(`http://localhost:3000/account/${DEMO_1001}`);
    // The date with its year and the creditor's zone: "November 27, 2026 at 10:47 PM EST".
    expect(text).toMatch(/Date: [A-Z][a-z]+ \d{1,2}, \d{4}(,| at) \d{1,2}:\d{2}\s[AP]M\s[A-Z]{2,4}\n/);
    // The HTML carries the same, and the preview line has no amount either.
    expect(email.html).toContain("You now owe $1,190.50.");
    expect(email.html).toContain('lang="en"');
    expect(email.html).toContain("Receipt for your payment to Northwind Lending.");
  });

  test("Stripe's events delivered again, or the sender run again: still one message and one email", async () => {
    const before = await inbox(ALEX_EMAIL);
    await testDb().query("update app.local_stripe_events set delivered_at = null");
    await deliver();
    await settleOutbox();
    await runOutbox();
    expect(await inbox(ALEX_EMAIL)).toEqual(before);
    expect(await templateMessages("payment.receipt", receiptKey(alexPayment))).toHaveLength(1);
    expect(await templateEmails("payment.receipt", receiptKey(alexPayment))).toHaveLength(1);
  });

  test("a declined card queues no receipt, and a payment that has not succeeded has nothing to render", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const before = await inbox(ALEX_EMAIL);
    const { paymentId } = await pay(jar, DEMO_1001, { choice: "amount", amount: "50" }, "4000 0000 0000 0002");
    const { rows } = await testDb().query<{ status: string }>("select status from app.payments where id = $1", [paymentId]);
    expect(rows[0]!.status).toBe("failed");
    expect(await templateMessages("payment.receipt", receiptKey(paymentId))).toEqual([]);
    // A Checkout payment that failed gets no email at all: the borrower saw it on the page.
    const { rows: queued } = await testDb().query("select template from app.outbound_messages where params ->> 'payment_id' = $1", [paymentId]);
    expect(queued).toEqual([]);
    expect(await inbox(ALEX_EMAIL)).toEqual(before);
    expect(await renderReceipt(paymentId)).toBeNull();
    expect(await renderReceipt("00000000-0000-4000-8000-000000000000")).toBeNull();
    expect(await renderReceipt(alexPayment)).not.toBeNull();
  });

  test("María's receipt is in Spanish; paying everything says nothing more is owed", async () => {
    const jar = await signIn("DEMO-1002", MARIA_DOB);
    const { paymentId } = await pay(jar, DEMO_1002, { choice: "full" });
    const emails = await inbox(MARIA_EMAIL);
    expect(emails).toHaveLength(1);
    expect(emails[0]!.subject).toBe("Su pago a Northwind Lending");
    const email = (await getLocalEmail(emails[0]!.id))!;
    const [message] = await templateMessages("payment.receipt", receiptKey(paymentId));
    expect(email.idempotency_key).toBe(`outbox/${message!.id}`);
    expect(email.html).toContain('lang="es"');
    const text = email.text!;
    expect(text).toContain("Gracias. Recibimos $2,663.38.");
    expect(text).toContain("Ya pagó todo lo que debía.");
    expect(text).not.toContain("Ahora debe");
    expect(text).toContain(`Referencia del pago: ${paymentId.slice(0, 8).toUpperCase()}`);
    expect(text).toContain("Guarde este correo como comprobante.");
    expect(text).toMatch(/Fecha: \d{1,2} de [a-z]+ de \d{4}(,| a las) \d{1,2}:\d{2}/);
  });

  test("no email on file: the payment counts, and its receipt is cancelled (no address), not sent", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const before = (await listLocalEmails()).length;
    await testDb().query("update app.borrowers set email = null where id = $1", [ALEX]);
    try {
      const { paymentId } = await pay(jar, DEMO_1001, { choice: "amount", amount: "30" });
      const { rows } = await testDb().query<{ status: string }>("select status from app.payments where id = $1", [paymentId]);
      expect(rows[0]!.status).toBe("succeeded");
      const [message] = await templateMessages("payment.receipt", receiptKey(paymentId));
      expect(await outboxRow(message!.id)).toMatchObject({ state: "cancelled", cancel_reason: "no_address" });
      expect(await listLocalEmails()).toHaveLength(before);
    } finally {
      await testDb().query("update app.borrowers set email = $2 where id = $1", [ALEX, ALEX_EMAIL]);
    }
  });
});
