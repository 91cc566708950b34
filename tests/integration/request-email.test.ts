/**
 * The "we have it" emails (app/utils/request-email.server.ts), sent through the real `resend`
 * SDK into the local outbox and read back as the borrower would get them: a request for help
 * (every kind of help, in English and Spanish, with free debt advice for the creditor's
 * region) and a dispute (every kind, with the FTC line for identity theft in the US only).
 * The answer date written out in the borrower's language, no amount in the subject or the
 * preview (and none at all in a dispute), the creditor's contact in the footer, no rushing or
 * shaming words. The builders make the email; the outbox sends it (ADR 014: sending once and
 * failures are tested in outbox.test.ts and outbox-notices.test.ts), so here each built email
 * goes straight through sendEmail.
 */
import { describe, expect, test } from "vitest";
import { getLocalEmail, type LocalEmail } from "~/services/email/local-outbox.server";
import { emailIdempotencyKey, sendEmail, type SendEmailResult } from "~/services/email/send.server";
import type { OutboxRendered } from "~/utils/outbox-templates/types.server";
import { disputeReceivedMessage, hardshipReceivedMessage, type RequestEmailBase } from "~/utils/request-email.server";
import { withLocalEmail } from "../setup/env";

withLocalEmail();

const APP_URL = "http://localhost:3000";
const ACCOUNT = "a0000000-0000-4000-8000-000000001001";
const HELP_URL = `${APP_URL}/account/${ACCOUNT}/help`;
const DISPUTE_URL = `${APP_URL}/account/${ACCOUNT}/dispute`;
const CONTACT = "1-800-555-0100, help@northwind.example";
const DUE_ON = "2026-12-19";

type Language = "en" | "es";
type Help = "payment_break" | "lower_payments" | "freeze_interest" | "settlement" | "not_sure";
type DisputeKind = "not_mine" | "wrong_amount" | "already_paid" | "identity_theft";

function base(language: Language): RequestEmailBase {
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
async function deliver(kind: string, id: string, email: Promise<OutboxRendered>): Promise<SendEmailResult> {
  return sendEmail({ to: "alex@example.com", idempotencyKey: emailIdempotencyKey(kind, id), ...(await email) });
}

type Received = LocalEmail & { text: string; html: string };

/** The message the stand-in stored for a send that must have succeeded. */
async function received(result: SendEmailResult): Promise<Received> {
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

/** The preview line: the text mail apps show after the subject, before the heading. */
const beforeHeading = (html: string) => unescapeHtml(html.slice(0, html.indexOf("<h1")));

const FORBIDDEN =
  /final notice|act now|failure to pay|urgent|immediately|last chance|overdue|delinquent|aviso final|último aviso|actúe ya|actúe ahora|falta de pago|urgente|inmediatamente|de inmediato|última oportunidad|moroso/i;

/**
 * What every one of these emails must do: its language on <html>, the subject as the title,
 * no amount in the subject and none before the heading (the preview line), the account
 * reference and the creditor's contact, every key translated, and nothing that rushes,
 * threatens or shames.
 */
function expectCalmAndPrivate(email: Received, language: Language, amounts: string[], contact = CONTACT) {
  expect(email.html).toMatch(new RegExp(`<html[^>]*\\blang="${language}"`));
  expect(unescapeHtml(email.html)).toContain(`<title>${email.subject}</title>`);
  expect(email.subject).not.toMatch(/\$|£|\d/);
  const heading = email.html.indexOf("<h1");
  expect(heading).toBeGreaterThan(0);
  for (const amount of amounts) {
    expect(email.subject).not.toContain(amount);
    expect(email.html.indexOf(amount)).toBeGreaterThan(heading);
  }
  expect(email.text).toContain(language === "en" ? "Reference ending in 1001" : "Referencia que termina en 1001");
  expect(email.text).toContain(contact);
  expect(email.text).not.toMatch(/\b(?:hardship|dispute|autopay|layout)\.[A-Za-z_]|\{\{/);
  expect(email.text).not.toContain("<");
  for (const part of [email.subject, email.html, email.text]) expect(part).not.toMatch(FORBIDDEN);
}

const hardship = (
  language: Language,
  help: Help,
  options: { breakDays?: 30 | 60 | 90 | null; proposedMonthlyMinor?: number | null; requestId?: string; base?: Partial<RequestEmailBase> } = {},
) => {
  const requestId = options.requestId ?? nextId("hardship");
  return deliver(
    "hardship-received",
    requestId,
    hardshipReceivedMessage({
      ...base(language),
      ...options.base,
      requestId,
      help,
      breakDays: options.breakDays ?? null,
      proposedMonthlyMinor: options.proposedMonthlyMinor ?? null,
      decisionDueOn: DUE_ON,
    }),
  );
};

const dispute = (language: Language, kind: DisputeKind, options: { disputeId?: string; base?: Partial<RequestEmailBase> } = {}) => {
  const disputeId = options.disputeId ?? nextId("dispute");
  return deliver("dispute-received", disputeId, disputeReceivedMessage({ ...base(language), ...options.base, disputeId, kind, answerDueOn: DUE_ON }));
};

// --- We have your request for help ------------------------------------------------------

describe("we have your request for help", () => {
  test("English, a break of 60 days: what was asked, no payments asked for while we look, payments moved, the answer date, the help page", async () => {
    const requestId = nextId("hardship");
    const email = await received(await hardship("en", "payment_break", { breakDays: 60, requestId }));
    const lines = textLines(email.text);

    expect(email.to).toEqual(["alex@example.com"]);
    expect(email.subject).toBe("We have your request for help with your Northwind Lending account");
    expect(email.text).toContain("WE HAVE YOUR REQUEST FOR HELP");
    expect(lines).toContain("You asked Northwind Lending for help with your account. Thank you for telling us what is going on.");
    expect(email.text).toContain("WHAT YOU ASKED FOR");
    expect(lines).toContain("A break from payments for 60 days");
    expect(email.text).toContain("WHILE WE LOOK AT YOUR REQUEST");
    expect(lines).toContain("We will not ask you to pay.");
    expect(lines).toContain("If you have automatic payments, they stop while we look.");
    expect(lines).toContain("If a payment falls due while we look, it moves to a later date, after we answer. It is not a missed payment.");
    expect(email.text).toContain("WHAT HAPPENS NEXT");
    expect(lines).toContain("We will answer by December 19, 2026.");
    expect(lines).toContain("We will send our answer by email. You can also see it on your help page.");
    expect(email.html).toContain(`href="${HELP_URL}"`);
    expect(email.text).toContain(HELP_URL);
    expect(email.text).not.toContain(DUE_ON);
    // The preview (before the heading) says we will not ask for payment, and when we answer.
    expect(beforeHeading(email.html)).toContain("While we look at it, we will not ask you to pay. We will answer by December 19, 2026.");
    expect(email.html).toContain("you asked for help with your account, and we always tell you when we have your request.");
    expectCalmAndPrivate(email, "en", []);
  });

  test("English, in the US: free advice from an NFCC member agency, its website and phone, in English and Spanish", async () => {
    const email = await received(await hardship("en", "not_sure"));
    const lines = textLines(email.text);

    expect(email.text).toContain("FREE, INDEPENDENT ADVICE");
    expect(lines).toContain("Free, independent debt advice is also available. An adviser can look at your whole situation with you.");
    expect(lines).toContain("In the US, you can talk to a nonprofit credit counseling agency that is a member of the NFCC.");
    expect(lines).toContain("To find one, visit the NFCC's website: https://www.nfcc.org");
    expect(email.html).toContain('href="https://www.nfcc.org"');
    expect(lines).toContain("Or call 1-800-388-2227. Help is available in English and Spanish.");
    expect(email.text).not.toContain("moneyhelper");
    expectCalmAndPrivate(email, "en", []);
  });

  const englishHelp: Array<{ help: Help; breakDays?: 30 | 60 | 90 | null; proposedMonthlyMinor?: number | null; line: string; amounts: string[] }> = [
    { help: "payment_break", breakDays: 30, line: "A break from payments for 30 days", amounts: [] },
    { help: "payment_break", breakDays: 90, line: "A break from payments for 90 days", amounts: [] },
    { help: "payment_break", breakDays: null, line: "A break from payments", amounts: [] },
    { help: "lower_payments", proposedMonthlyMinor: 2500, line: "Lower payments of $25.00 a month", amounts: ["$25.00"] },
    { help: "lower_payments", proposedMonthlyMinor: 123456, line: "Lower payments of $1,234.56 a month", amounts: ["$1,234.56"] },
    { help: "lower_payments", proposedMonthlyMinor: null, line: "Lower payments", amounts: [] },
    { help: "freeze_interest", line: "A pause on interest and charges", amounts: [] },
    { help: "settlement", line: "Settling your account by paying part of what you owe", amounts: [] },
    { help: "not_sure", line: "Help, but you were not sure which kind. We will look at your situation and suggest options.", amounts: [] },
  ];
  const allEnglishHelpLines = englishHelp.map((c) => c.line);

  test.each(englishHelp)("English, $help ($line): the one line for what was asked", async ({ help, breakDays, proposedMonthlyMinor, line, amounts }) => {
    const email = await received(await hardship("en", help, { breakDays, proposedMonthlyMinor }));
    const lines = textLines(email.text);
    const asked = lines[lines.indexOf("WHAT YOU ASKED FOR") + 2];

    expect(asked).toBe(line);
    // Only that line: none of the other kinds' lines anywhere.
    for (const other of allEnglishHelpLines.filter((l) => l !== line)) expect(lines).not.toContain(other);
    expect(beforeHeading(email.html)).not.toMatch(/\$\d/);
    expectCalmAndPrivate(email, "en", amounts);
  });

  test("Spanish, a break of 60 days: the same content in Spanish, with usted", async () => {
    const email = await received(await hardship("es", "payment_break", { breakDays: 60 }));
    const lines = textLines(email.text);

    expect(email.subject).toBe("Recibimos su solicitud de ayuda con su cuenta de Northwind Lending");
    expect(email.text).toContain("RECIBIMOS SU SOLICITUD DE AYUDA");
    expect(lines).toContain("Usted le pidió ayuda a Northwind Lending con su cuenta. Gracias por contarnos lo que está pasando.");
    expect(email.text).toContain("LO QUE USTED PIDIÓ");
    expect(lines).toContain("Una pausa en los pagos durante 60 días");
    expect(email.text).toContain("MIENTRAS REVISAMOS SU SOLICITUD");
    expect(lines).toContain("No le pediremos que pague.");
    expect(lines).toContain("Si tiene pagos automáticos, se detienen mientras la revisamos.");
    expect(lines).toContain(
      "Si un pago vence mientras la revisamos, pasa a una fecha más adelante, después de nuestra respuesta. No cuenta como un pago que usted no hizo.",
    );
    expect(email.text).toContain("QUÉ PASA DESPUÉS");
    expect(lines).toContain("Le responderemos a más tardar el 19 de diciembre de 2026.");
    expect(lines).toContain("Le enviaremos nuestra respuesta por correo electrónico. También podrá verla en su página de ayuda.");
    expect(email.text).toContain(HELP_URL);
    expect(beforeHeading(email.html)).toContain("Mientras la revisamos, no le pediremos que pague. Le responderemos a más tardar el 19 de diciembre de 2026.");
    expect(email.text).toContain("Repay le envió este correo en nombre de Northwind Lending");
    expect(email.text).not.toMatch(/We have|We will|You asked|December/);
    expectCalmAndPrivate(email, "es", []);
  });

  test("Spanish, in the US: the NFCC line with its phone, and help en español", async () => {
    const email = await received(await hardship("es", "settlement"));
    const lines = textLines(email.text);

    expect(email.text).toContain("ASESORÍA GRATUITA E INDEPENDIENTE");
    expect(lines).toContain("También hay asesoría de deudas gratuita e independiente. Un asesor puede revisar toda su situación con usted.");
    expect(lines).toContain("En EE. UU., puede hablar con una agencia de asesoría de crédito sin fines de lucro que sea miembro de la NFCC.");
    expect(lines).toContain("Para encontrar una, visite el sitio web de la NFCC: https://www.nfcc.org");
    expect(lines).toContain("O llame al 1-800-388-2227. Puede recibir ayuda en inglés o en español.");
    expectCalmAndPrivate(email, "es", []);
  });

  const spanishHelp: Array<{ help: Help; breakDays?: 30 | 60 | 90 | null; proposedMonthlyMinor?: number | null; line: string; amounts: string[] }> = [
    { help: "payment_break", breakDays: 30, line: "Una pausa en los pagos durante 30 días", amounts: [] },
    { help: "payment_break", breakDays: null, line: "Una pausa en los pagos", amounts: [] },
    { help: "lower_payments", proposedMonthlyMinor: 2500, line: "Pagos más pequeños, de $25.00 al mes", amounts: ["$25.00"] },
    { help: "lower_payments", proposedMonthlyMinor: null, line: "Pagos más pequeños", amounts: [] },
    { help: "freeze_interest", line: "Una pausa en los intereses y cargos", amounts: [] },
    { help: "settlement", line: "Saldar su cuenta pagando una parte de lo que debe", amounts: [] },
    { help: "not_sure", line: "Ayuda, aunque no sabía de qué tipo. Revisaremos su situación y le sugeriremos opciones.", amounts: [] },
  ];
  const allSpanishHelpLines = spanishHelp.map((c) => c.line);

  test.each(spanishHelp)("Spanish, $help ($line): the one line for what was asked", async ({ help, breakDays, proposedMonthlyMinor, line, amounts }) => {
    const email = await received(await hardship("es", help, { breakDays, proposedMonthlyMinor }));
    const lines = textLines(email.text);
    const asked = lines[lines.indexOf("LO QUE USTED PIDIÓ") + 2];

    expect(asked).toBe(line);
    for (const other of allSpanishHelpLines.filter((l) => l !== line)) expect(lines).not.toContain(other);
    for (const english of allEnglishHelpLines) expect(lines).not.toContain(english);
    expectCalmAndPrivate(email, "es", amounts);
  });

  test("a creditor in Great Britain: MoneyHelper with its website and phone, amounts and dates written for the UK, no NFCC", async () => {
    const email = await received(
      await hardship("en", "lower_payments", {
        proposedMonthlyMinor: 2500,
        base: { region: "GB", currency: "GBP", contact: { supportPhone: "+442071234567", supportEmail: null } },
      }),
    );
    const lines = textLines(email.text);

    expect(lines).toContain("Lower payments of £25.00 a month");
    expect(lines).toContain("We will answer by 19 December 2026.");
    expect(lines).toContain("Free, independent debt advice is also available. An adviser can look at your whole situation with you.");
    expect(lines).toContain("MoneyHelper, a free service set up by the UK government, can help you find a debt adviser.");
    expect(lines).toContain("Visit MoneyHelper's website: https://www.moneyhelper.org.uk");
    expect(email.html).toContain('href="https://www.moneyhelper.org.uk"');
    expect(lines).toContain("Or call 0800 138 7777.");
    expect(email.text).not.toMatch(/NFCC|nfcc\.org|388-2227/);
    expectCalmAndPrivate(email, "en", ["£25.00"], "+442071234567");
  });

  test("a creditor in a region with no advice service on file: the generic sentence only, no link, no phone", async () => {
    const email = await received(await hardship("en", "freeze_interest", { base: { region: "CA", currency: "CAD" } }));
    const lines = textLines(email.text);
    const start = lines.indexOf("FREE, INDEPENDENT ADVICE");
    const footer = lines.findIndex((line, i) => i > start && line.startsWith("----"));
    const advice = lines.slice(start, footer).filter(Boolean);

    // The heading and the one generic sentence, then the footer: no service, no address, no phone.
    expect(start).toBeGreaterThan(0);
    expect(advice).toEqual(["FREE, INDEPENDENT ADVICE", "Free, independent debt advice is also available. An adviser can look at your whole situation with you."]);
    expect(email.text).not.toMatch(/nfcc|moneyhelper|388-2227|138 7777/i);
    expectCalmAndPrivate(email, "en", []);
  });
});

// --- We have your dispute ---------------------------------------------------------------

describe("we have your dispute", () => {
  test("English, not mine: what you told us, no payment asked for, automatic payments stop, the answer in writing by a date, the dispute page", async () => {
    const disputeId = nextId("dispute");
    const email = await received(await dispute("en", "not_mine", { disputeId }));
    const lines = textLines(email.text);

    expect(email.to).toEqual(["alex@example.com"]);
    expect(email.subject).toBe("We have your dispute about your Northwind Lending account");
    expect(email.text).toContain("WE HAVE YOUR DISPUTE");
    expect(lines).toContain("You told us: I don't recognize this debt");
    expect(lines).toContain("Thank you for telling us. We will look into it.");
    expect(email.text).toContain("WHILE WE LOOK INTO IT");
    expect(lines).toContain("We will not ask you to pay this account.");
    expect(lines).toContain("If you have automatic payments, they stop while we look.");
    expect(email.text).toContain("WHAT HAPPENS NEXT");
    expect(lines).toContain("We will answer you in writing by December 19, 2026.");
    expect(lines).toContain("You can see where your dispute is at any time on your dispute page.");
    expect(email.html).toContain(`href="${DISPUTE_URL}"`);
    expect(email.text).toContain(DISPUTE_URL);
    expect(email.text).not.toContain(DUE_ON);
    expect(beforeHeading(email.html)).toContain("While we look into it, we will not ask you to pay this account.");
    // Not the hardship email: no advice section, no help page.
    expect(email.text).not.toContain(HELP_URL);
    expect(email.text).not.toContain("NFCC");
    expectCalmAndPrivate(email, "en", []);
  });

  const englishKinds: Array<{ kind: DisputeKind; line: string }> = [
    { kind: "not_mine", line: "You told us: I don't recognize this debt" },
    { kind: "wrong_amount", line: "You told us: The amount is wrong" },
    { kind: "already_paid", line: "You told us: I already paid" },
    { kind: "identity_theft", line: "You told us: I think this is identity theft" },
  ];

  test.each(englishKinds)("English, $kind: $line; the FTC line only for identity theft; no amount anywhere", async ({ kind, line }) => {
    const email = await received(await dispute("en", kind));
    const lines = textLines(email.text);

    expect(lines).toContain(line);
    expect(unescapeHtml(email.html)).toContain(line);
    for (const other of englishKinds.filter((k) => k.kind !== kind)) expect(lines).not.toContain(other.line);
    if (kind === "identity_theft") {
      expect(email.text).toContain("REPORTING IDENTITY THEFT");
      expect(lines).toContain("You can also report identity theft to the Federal Trade Commission (FTC) at: https://www.identitytheft.gov");
      expect(email.html).toContain('href="https://www.identitytheft.gov"');
    } else {
      expect(email.text).not.toMatch(/identitytheft\.gov|Federal Trade Commission|REPORTING IDENTITY THEFT/);
    }
    // The amount may be what is disputed: the email states none at all.
    for (const part of [email.subject, email.html, email.text]) expect(part).not.toMatch(/\$\s?\d|\d\.\d\d\b/);
    expectCalmAndPrivate(email, "en", []);
  });

  test("Spanish, not mine: the same content in Spanish, with usted", async () => {
    const email = await received(await dispute("es", "not_mine"));
    const lines = textLines(email.text);

    expect(email.subject).toBe("Recibimos su disputa sobre su cuenta de Northwind Lending");
    expect(email.text).toContain("RECIBIMOS SU DISPUTA");
    expect(lines).toContain("Usted nos dijo: No reconozco esta deuda");
    expect(lines).toContain("Gracias por avisarnos. Lo vamos a revisar.");
    expect(email.text).toContain("MIENTRAS LO REVISAMOS");
    expect(lines).toContain("No le pediremos que pague esta cuenta.");
    expect(lines).toContain("Si tiene pagos automáticos, se detienen mientras lo revisamos.");
    expect(lines).toContain("Le responderemos por escrito a más tardar el 19 de diciembre de 2026.");
    expect(lines).toContain("Puede ver en qué punto está su disputa cuando quiera, en la página de su disputa.");
    expect(email.text).toContain(DISPUTE_URL);
    expect(beforeHeading(email.html)).toContain("Mientras lo revisamos, no le pediremos que pague esta cuenta.");
    expect(email.text).not.toMatch(/We have|We will|You told us|December/);
    expectCalmAndPrivate(email, "es", []);
  });

  const spanishKinds: Array<{ kind: DisputeKind; line: string }> = [
    { kind: "not_mine", line: "Usted nos dijo: No reconozco esta deuda" },
    { kind: "wrong_amount", line: "Usted nos dijo: El monto no es correcto" },
    { kind: "already_paid", line: "Usted nos dijo: Ya la pagué" },
    { kind: "identity_theft", line: "Usted nos dijo: Creo que es un robo de identidad" },
  ];

  test.each(spanishKinds)("Spanish, $kind: $line; the FTC line only for identity theft", async ({ kind, line }) => {
    const email = await received(await dispute("es", kind));
    const lines = textLines(email.text);

    expect(lines).toContain(line);
    for (const other of spanishKinds.filter((k) => k.kind !== kind)) expect(lines).not.toContain(other.line);
    if (kind === "identity_theft") {
      expect(email.text).toContain("CÓMO DENUNCIAR EL ROBO DE IDENTIDAD");
      expect(lines).toContain(
        "También puede denunciar el robo de identidad ante la Comisión Federal de Comercio (FTC). Su sitio web está en inglés y en español: https://www.identitytheft.gov",
      );
    } else {
      expect(email.text).not.toMatch(/identitytheft\.gov|Comisión Federal de Comercio/);
    }
    expectCalmAndPrivate(email, "es", []);
  });

  test("identity theft outside the US: no FTC line", async () => {
    const email = await received(
      await dispute("en", "identity_theft", { base: { region: "GB", currency: "GBP", contact: { supportPhone: "+442071234567", supportEmail: null } } }),
    );
    expect(textLines(email.text)).toContain("You told us: I think this is identity theft");
    expect(textLines(email.text)).toContain("We will answer you in writing by 19 December 2026.");
    expect(email.text).not.toMatch(/identitytheft\.gov|Federal Trade Commission/);
    expectCalmAndPrivate(email, "en", [], "+442071234567");
  });
});
