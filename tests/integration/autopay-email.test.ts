/**
 * The "pay automatically" emails (app/utils/autopay-email.server.ts), sent through the real
 * `resend` SDK into the local outbox and read back as the borrower would get them: the
 * authorization with every payment and the exact lines agreed to; a failed payment that we try
 * again, and one we stopped trying; the bank asking for a confirmation; a completed plan with
 * and without a balance left (its link is the account page itself, no trailing slash). In
 * English and Spanish, with the amounts and dates as the code writes them (es-US writes
 * "$50.00"), no amount in the subject or the preview, the creditor's contact in the footer, no
 * rushing or shaming words. The builders make the email; the outbox sends it (ADR 014: queued
 * once per fact and sent once, tested in automatic-payments.test.ts, payment-receipt.test.ts
 * and outbox.test.ts), so here each built email goes straight through sendEmail.
 */
import { expect, test } from "vitest";
import { getLocalEmail, type LocalEmail } from "~/services/email/local-outbox.server";
import { emailIdempotencyKey, sendEmail, type SendEmailResult } from "~/services/email/send.server";
import {
  AUTOMATIC_PAYMENT_TRIES,
  automaticPaymentFailedMessage,
  autopayAuthorizationMessage,
  confirmAutomaticPaymentMessage,
  planPaidOffMessage,
  type AutopayEmailBase,
} from "~/utils/autopay-email.server";
import type { OutboxRendered } from "~/utils/outbox-templates/types.server";
import { withLocalEmail } from "../setup/env";

withLocalEmail();

const APP_URL = "http://localhost:3000";
const ACCOUNT = "a0000000-0000-4000-8000-000000001001";
const ACCOUNT_URL = `${APP_URL}/account/${ACCOUNT}`;
const PLAN_URL = `${ACCOUNT_URL}/my-plan`;
const HELP_URL = `${ACCOUNT_URL}/help`;
const METHODS_URL = `${ACCOUNT_URL}/payment-methods`;
const CONTACT = "1-800-555-0100, help@northwind.example";

type Language = "en" | "es";

function base(language: Language): AutopayEmailBase {
  return {
    language,
    region: "US",
    currency: "USD",
    creditorName: "Northwind Lending",
    contact: { supportPhone: "+18005550100", supportEmail: "help@northwind.example" },
    referenceLast4: "1001",
    accountId: ACCOUNT,
  };
}

/** A fresh id per send, so no test meets another's idempotency key. */
let counter = 0;
const nextId = (kind: string) => `${kind}-${++counter}-${Date.now()}`;

/** Sends a built email to Alex through the real SDK, as the outbox would. */
async function deliver(kind: string, email: Promise<OutboxRendered>): Promise<SendEmailResult> {
  return sendEmail({ to: "alex@example.com", idempotencyKey: emailIdempotencyKey(kind, nextId(kind)), ...(await email) });
}

/** The message the stand-in stored for a send that must have succeeded. */
async function received(result: SendEmailResult): Promise<LocalEmail & { text: string; html: string }> {
  expect(result).toEqual({ status: "sent", id: expect.any(String) });
  if (result.status !== "sent") throw new Error(`send failed: ${result.code}`);
  const stored = await getLocalEmail(result.id);
  if (!stored?.text || !stored.html) throw new Error("the outbox has no HTML or text for this message");
  return { ...stored, text: stored.text, html: stored.html };
}

/** The plain text's lines, without the list marker html-to-text puts before a list item. */
const textLines = (text: string) => text.split("\n").map((line) => line.trim().replace(/^[*-]\s+/, ""));

/** HTML text back to characters, for lines with apostrophes or ampersands. */
const unescapeHtml = (html: string) =>
  html.replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

const FORBIDDEN =
  /final notice|act now|failure to pay|urgent|immediately|last chance|overdue|delinquent|aviso final|último aviso|actúe ya|actúe ahora|falta de pago|urgente|inmediatamente|de inmediato|última oportunidad|moroso/i;

/**
 * What every one of these emails must do: its language on <html>, the subject as the title,
 * no amount in the subject and none before the heading (the preview line), the account
 * reference and the creditor's contact, every key translated, and nothing that rushes,
 * threatens or shames.
 */
function expectCalmAndPrivate(email: LocalEmail & { text: string; html: string }, language: Language, amounts: string[]) {
  expect(email.html).toMatch(new RegExp(`<html[^>]*\\blang="${language}"`));
  expect(unescapeHtml(email.html)).toContain(`<title>${email.subject}</title>`);
  expect(email.subject).not.toMatch(/\$|\d|US\$/);
  const heading = email.html.indexOf("<h1");
  expect(heading).toBeGreaterThan(0);
  for (const amount of amounts) {
    expect(email.subject).not.toContain(amount);
    expect(email.html.indexOf(amount)).toBeGreaterThan(heading);
  }
  expect(email.text).toContain(language === "en" ? "Reference ending in 1001" : "Referencia que termina en 1001");
  expect(email.text).toContain(CONTACT);
  expect(email.text).not.toMatch(/autopay\.|layout\.|\{\{/);
  expect(email.text).not.toContain("<");
  for (const part of [email.subject, email.html, email.text]) expect(part).not.toMatch(FORBIDDEN);
}

const installments = [
  { dueOn: "2026-12-04", amountMinor: 41350 },
  { dueOn: "2027-01-04", amountMinor: 41350 },
  { dueOn: "2027-02-04", amountMinor: 41350 },
];

const terms = {
  en: [
    "You authorize Northwind Lending to take $413.50 from your Visa ending 4242 on December 4, 2026, January 4, 2027 and February 4, 2027.",
    "Each payment is taken on its date, or on the next business day if that date is a weekend or holiday.",
    "You can stop these payments at any time on the payment methods page or by calling Northwind Lending's support line on 1-800-555-0100.",
  ],
  es: [
    "Usted autoriza a Northwind Lending a cobrar $413.50 de su Visa que termina en 4242 el 4 de diciembre de 2026, el 4 de enero de 2027 y el 4 de febrero de 2027.",
    "Cada pago se cobra en su fecha, o el siguiente día hábil si esa fecha cae en fin de semana o día feriado.",
    "Puede detener estos pagos cuando quiera en la página de medios de pago o llamando a Northwind Lending al 1-800-555-0100.",
  ],
};

const authorization = (language: Language) =>
  deliver(
    "autopay-authorization",
    autopayAuthorizationMessage({
      ...base(language),
      methodText: language === "en" ? "Visa ending 4242" : "Visa que termina en 4242",
      termsLines: terms[language],
      installments,
    }),
  );

const failed = (language: Language, nextAttemptOn: string | null) =>
  deliver("automatic-payment-failed", automaticPaymentFailedMessage({ ...base(language), amountMinor: 5000, dueOn: "2026-12-04", nextAttemptOn }));

const confirm = (language: Language) =>
  deliver("confirm-automatic-payment", confirmAutomaticPaymentMessage({ ...base(language), amountMinor: 5000, dueOn: "2026-12-04" }));

const paidOff = (language: Language, balanceMinor: number) =>
  deliver("plan-paid-off", planPaidOffMessage({ ...base(language), totalPaidMinor: 124050, balanceMinor, lastPaymentOn: "2027-02-04" }));

test("authorization, English: the card, every payment, the total, every agreed line unchanged, and where to stop", async () => {
  const email = await received(await authorization("en"));
  const lines = textLines(email.text);

  expect(email.to).toEqual(["alex@example.com"]);
  expect(email.subject).toBe("Your automatic payments to Northwind Lending");
  expect(email.text).toContain("YOUR AUTOMATIC PAYMENTS ARE SET UP");
  expect(lines).toContain("You agreed that Northwind Lending can take your plan payments automatically.");
  expect(lines).toContain("Paid from: Visa ending 4242");
  expect(email.text).toContain("THE PAYMENTS WE WILL TAKE");
  for (const row of ["December 4, 2026 — $413.50", "January 4, 2027 — $413.50", "February 4, 2027 — $413.50"]) {
    expect(lines).toContain(row);
    expect(email.html).toContain(row);
  }
  expect(lines).toContain("Total: $1,240.50");
  expect(email.text).toContain("WHAT YOU AGREED TO");
  // The exact words agreed to, each on its own line, not one character changed.
  for (const term of terms.en) {
    expect(lines).toContain(term);
    expect(unescapeHtml(email.html)).toContain(term);
  }
  expect(lines).toContain("Keep this email for your records.");
  expect(lines).toContain("You can stop automatic payments at any time on your payment methods page.");
  expect(email.html).toContain(`href="${METHODS_URL}"`);
  expect(email.text).toContain(METHODS_URL);
  expect(email.html).toContain("A copy of what you agreed to for automatic payments to Northwind Lending.");
  expectCalmAndPrivate(email, "en", ["$413.50", "$1,240.50"]);
});

test("authorization, Spanish: Spanish text around the same payments and the Spanish lines agreed to", async () => {
  const email = await received(await authorization("es"));
  const lines = textLines(email.text);

  expect(email.subject).toBe("Sus pagos automáticos a Northwind Lending");
  expect(email.text).toContain("SUS PAGOS AUTOMÁTICOS ESTÁN LISTOS");
  expect(lines).toContain("Medio de pago: Visa que termina en 4242");
  expect(email.text).toContain("LOS PAGOS QUE COBRAREMOS");
  // es-US writes amounts as Spanish speakers in the US expect them: "$413.50".
  for (const row of ["4 de diciembre de 2026 — $413.50", "4 de enero de 2027 — $413.50", "4 de febrero de 2027 — $413.50"]) expect(lines).toContain(row);
  expect(lines).toContain("Total: $1,240.50");
  expect(email.text).toContain("LO QUE USTED ACEPTÓ");
  for (const term of terms.es) expect(lines).toContain(term);
  expect(lines).toContain("Puede detener los pagos automáticos cuando quiera en la página de sus medios de pago.");
  expect(email.text).toContain(METHODS_URL);
  expect(email.text).toContain("Repay le envió este correo en nombre de Northwind Lending");
  expect(email.text).not.toMatch(/Your |We will|Keep this email|Paid from/);
  expectCalmAndPrivate(email, "es", ["$413.50", "$1,240.50"]);
});

test("a failed payment we will try again, English: the amount and due date, nothing else changed, the next try, pay it yourself", async () => {
  const email = await received(await failed("en", "2026-12-07"));
  const lines = textLines(email.text);

  expect(email.subject).toBe("About your automatic payment to Northwind Lending");
  expect(email.text).toContain("YOUR PAYMENT DID NOT GO THROUGH");
  expect(lines).toContain("We could not take your payment of $50.00 (due December 4, 2026).");
  expect(lines).toContain("Nothing else has changed.");
  expect(lines).toContain("We will try again on December 7, 2026.");
  expect(lines).toContain("If you prefer, you can pay it yourself now on your plan page.");
  expect(email.html).toContain(`href="${PLAN_URL}"`);
  expect(email.text).toContain(PLAN_URL);
  expect(email.text).toContain(METHODS_URL);
  // The preview (before the heading) says when the next try is.
  expect(email.html).toMatch(/We will try again on December 7, 2026\. Nothing else has changed\.[\s\S]*<h1/);
  // Not the "we stopped trying" email.
  expect(email.text).not.toContain("We tried to take");
  expect(email.text).not.toContain(HELP_URL);
  expectCalmAndPrivate(email, "en", ["$50.00"]);
});

test("a failed payment with no more tries, English: the plan is still in place, how to pay, where to ask for help", async () => {
  const email = await received(await failed("en", null));
  const lines = textLines(email.text);

  expect(AUTOMATIC_PAYMENT_TRIES).toBe(3);
  expect(email.subject).toBe("About your automatic payment to Northwind Lending");
  expect(lines).toContain("We tried to take your payment of $50.00 (due December 4, 2026) 3 times and it did not go through.");
  expect(lines).toContain("We will not try to take it again automatically.");
  expect(lines).toContain("Your plan is still in place.");
  expect(lines).toContain("You can pay it yourself, or choose another way to pay, on your plan page.");
  expect(lines).toContain(`If money is tight right now, you can ask for help: ${HELP_URL}`);
  expect(email.html).toContain(`href="${PLAN_URL}"`);
  expect(email.html).toContain(`href="${HELP_URL}"`);
  expect(email.html).toMatch(/Your plan is still in place\. Here is what you can do\.[\s\S]*<h1/);
  expect(email.text).not.toContain("We will try again");
  expectCalmAndPrivate(email, "en", ["$50.00"]);
});

test("a failed payment, Spanish: both cases in Spanish", async () => {
  const retry = await received(await failed("es", "2026-12-07"));
  const retryLines = textLines(retry.text);
  expect(retry.subject).toBe("Sobre su pago automático a Northwind Lending");
  expect(retry.text).toContain("SU PAGO NO SE PUDO COBRAR");
  expect(retryLines).toContain("No pudimos cobrar su pago de $50.00 (con fecha del 4 de diciembre de 2026).");
  expect(retryLines).toContain("Todo lo demás sigue igual.");
  expect(retryLines).toContain("Lo intentaremos de nuevo el 7 de diciembre de 2026.");
  expect(retryLines).toContain("Si prefiere, puede hacer el pago ahora en la página de su plan.");
  expect(retry.text).toContain(PLAN_URL);
  expect(retry.text).not.toContain("Intentamos cobrar");
  expect(retry.text).not.toMatch(/Your |We will|Nothing else/);
  expectCalmAndPrivate(retry, "es", ["$50.00"]);

  const stopped = await received(await failed("es", null));
  const stoppedLines = textLines(stopped.text);
  expect(stoppedLines).toContain("Intentamos cobrar su pago de $50.00 (con fecha del 4 de diciembre de 2026) 3 veces, pero no se pudo.");
  expect(stoppedLines).toContain("No volveremos a intentarlo de forma automática.");
  expect(stoppedLines).toContain("Su plan sigue vigente.");
  expect(stoppedLines).toContain("Puede hacer el pago, o elegir otra forma de pagar, en la página de su plan.");
  expect(stoppedLines).toContain(`Si en este momento le cuesta pagar, puede pedir ayuda: ${HELP_URL}`);
  expect(stopped.text).not.toContain("Lo intentaremos de nuevo");
  expectCalmAndPrivate(stopped, "es", ["$50.00"]);
});

test("the bank asks for a confirmation, English and Spanish: nothing taken yet, how to pay it, what happens next", async () => {
  const en = await received(await confirm("en"));
  const enLines = textLines(en.text);
  expect(en.subject).toBe("Your bank asks you to confirm a payment to Northwind Lending");
  expect(en.text).toContain("YOUR BANK ASKED YOU TO CONFIRM A PAYMENT");
  expect(enLines).toContain("Your bank asked you to confirm this payment of $50.00 (due December 4, 2026). This is a normal safety check.");
  expect(enLines).toContain("Nothing has been taken yet.");
  expect(enLines).toContain("To pay it, open your plan page and choose Pay now. It takes a minute.");
  expect(enLines).toContain("When the payment goes through, we will send you a receipt.");
  expect(en.html).toContain(`href="${PLAN_URL}"`);
  expect(en.html).toMatch(/Nothing has been taken yet\. Here is how to confirm it\.[\s\S]*<h1/);
  expectCalmAndPrivate(en, "en", ["$50.00"]);

  const es = await received(await confirm("es"));
  const esLines = textLines(es.text);
  expect(es.subject).toBe("Su banco le pide confirmar un pago a Northwind Lending");
  expect(esLines).toContain("Su banco le pide que confirme este pago de $50.00 (con fecha del 4 de diciembre de 2026). Es un control de seguridad normal.");
  expect(esLines).toContain("Todavía no se ha cobrado nada.");
  expect(esLines).toContain("Para pagarlo, abra la página de su plan y elija Pagar ahora. Solo toma un minuto.");
  expect(esLines).toContain("Cuando el pago se complete, le enviaremos un recibo.");
  expect(es.text).toContain(PLAN_URL);
  expect(es.text).not.toMatch(/Your |Nothing has|Pay now/);
  expectCalmAndPrivate(es, "es", ["$50.00"]);
});

test("the plan is paid off, English: the total, nothing more owed, automatic payments stop by themselves", async () => {
  const email = await received(await paidOff("en", 0));
  const lines = textLines(email.text);

  expect(email.subject).toBe("Your payment plan with Northwind Lending is complete");
  expect(email.text).toContain("YOUR PLAN IS COMPLETE");
  expect(lines).toContain("You made the last payment of your plan on February 4, 2027. Thank you.");
  expect(lines).toContain("You paid $1,240.50 in all.");
  expect(lines).toContain("You owe nothing more on this account.");
  expect(lines).toContain("If you had automatic payments, they stop by themselves. Nothing more will be taken for this plan.");
  expect(email.html).toContain(`href="${ACCOUNT_URL}"`);
  expect(email.text).not.toContain("is still owed");
  expectCalmAndPrivate(email, "en", ["$1,240.50"]);
});

test("the plan is paid off: every link to the account is the account page itself, /account/<id> with no trailing slash", async () => {
  const email = await received(await paidOff("en", 0));
  const hrefs = [...email.html.matchAll(/href="([^"]*\/account\/[^"]*)"/g)].map((match) => match[1]);
  const inText = email.text.match(/https?:\/\/\S*\/account\/[^\s)\]]*/g) ?? [];
  expect(hrefs.length).toBeGreaterThan(0);
  expect(inText.length).toBeGreaterThan(0);
  for (const link of [...hrefs, ...inText]) expect(link).toBe(ACCOUNT_URL);
});

test("the plan is paid off with a balance left, English and Spanish: what is still owed and where the options are", async () => {
  const en = await received(await paidOff("en", 30000));
  const enLines = textLines(en.text);
  expect(enLines).toContain("You paid $1,240.50 in all.");
  expect(enLines).toContain("$300.00 is still owed on this account.");
  expect(enLines).toContain("You can see your options on your account page.");
  expect(en.text).toContain(ACCOUNT_URL);
  expect(en.text).not.toContain("You owe nothing more");
  expectCalmAndPrivate(en, "en", ["$1,240.50", "$300.00"]);

  const es = await received(await paidOff("es", 30000));
  const esLines = textLines(es.text);
  expect(es.subject).toBe("Completó su plan de pagos con Northwind Lending");
  expect(es.text).toContain("TERMINÓ SU PLAN DE PAGOS");
  expect(esLines).toContain("Hizo el último pago de su plan el 4 de febrero de 2027. Gracias.");
  expect(esLines).toContain("En total, pagó $1,240.50.");
  expect(esLines).toContain("En esta cuenta todavía queda un saldo de $300.00.");
  expect(esLines).toContain("Puede ver sus opciones en la página de su cuenta.");
  expect(esLines).toContain("Si tenía pagos automáticos, se detienen solos. No se cobrará nada más por este plan.");
  expectCalmAndPrivate(es, "es", ["$1,240.50", "$300.00"]);

  const esDone = await received(await paidOff("es", 0));
  expect(textLines(esDone.text)).toContain("Ya no debe nada en esta cuenta.");
  expect(esDone.text).not.toContain("todavía queda un saldo");
  expectCalmAndPrivate(esDone, "es", ["$1,240.50"]);
});
