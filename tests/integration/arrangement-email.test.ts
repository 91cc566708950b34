/**
 * The arrangement confirmation email (issue 5 item 6): in English and Spanish, for each kind and
 * status, the HTML and its plain-text twin carry every payment, the total, every line of the
 * agreed terms and the link to the plan page; a request waiting for review says when we reply;
 * no amount is in the subject or the preview. Then one goes through sendEmail into the local
 * outbox, as the route sends it.
 */
import { render } from "@react-email/render";
import { expect, test } from "vitest";
import { getLocalEmail, listLocalEmails } from "~/services/email/local-outbox.server";
import { emailIdempotencyKey, sendEmail } from "~/services/email/send.server";
import { getEmailT } from "~/services/email/t.server";
import { arrangementConfirmationEmail, type ArrangementConfirmationEmailProps } from "~emails/arrangement-confirmation";
import { withLocalEmail } from "../setup/env";

withLocalEmail();

const APP_URL = "http://localhost:3000";
const MANAGE_URL = `${APP_URL}/account/plan`;

type Language = "en" | "es";
type Kind = ArrangementConfirmationEmailProps["kind"];
type Status = ArrangementConfirmationEmailProps["status"];

/** What the route passes, already formatted in the borrower's language. */
const formatted = {
  en: {
    reviewDueOn: "Tuesday, December 1, 2026",
    referenceText: "Reference ending in 1001",
    plan: {
      totalText: "$1,240.50",
      installments: [
        { dateText: "Friday, December 4, 2026", amountText: "$413.50" },
        { dateText: "Monday, January 4, 2027", amountText: "$413.50" },
        { dateText: "Thursday, February 4, 2027", amountText: "$413.50" },
      ],
      termsLines: [
        "You will pay Northwind Lending $1,240.50 in 3 monthly payments.",
        "Payments are due on December 4, 2026, January 4, 2027 and February 4, 2027, each for $413.50, paid from the card or bank account you choose each time.",
        "No interest or fees are added while you keep to this plan.",
      ],
    },
    settlement: {
      totalText: "$992.40",
      installments: [
        { dateText: "Friday, December 4, 2026", amountText: "$496.20" },
        { dateText: "Monday, January 4, 2027", amountText: "$496.20" },
      ],
      termsLines: [
        "You will pay Northwind Lending $992.40 instead of your balance of $1,240.50.",
        "When both payments have arrived, Northwind Lending will treat your account as settled and will not ask you for the remaining $248.10.",
      ],
    },
    promise: {
      totalText: "$300.00",
      installments: [{ dateText: "Friday, December 11, 2026", amountText: "$300.00" }],
      termsLines: ["You promise to pay Northwind Lending $300.00 by Friday, December 11, 2026.", "Your balance stays $1,240.50 until the payment arrives."],
    },
  },
  es: {
    reviewDueOn: "martes, 1 de diciembre de 2026",
    referenceText: "Referencia que termina en 1001",
    plan: {
      totalText: "$1,240.50",
      installments: [
        { dateText: "viernes, 4 de diciembre de 2026", amountText: "$413.50" },
        { dateText: "lunes, 4 de enero de 2027", amountText: "$413.50" },
        { dateText: "jueves, 4 de febrero de 2027", amountText: "$413.50" },
      ],
      termsLines: [
        "Usted pagará a Northwind Lending $1,240.50 en 3 pagos mensuales.",
        "Los pagos vencen el 4 de diciembre de 2026, el 4 de enero de 2027 y el 4 de febrero de 2027, de $413.50 cada uno, con la tarjeta o cuenta bancaria que usted elija cada vez.",
      ],
    },
    settlement: {
      totalText: "$992.40",
      installments: [
        { dateText: "viernes, 4 de diciembre de 2026", amountText: "$496.20" },
        { dateText: "lunes, 4 de enero de 2027", amountText: "$496.20" },
      ],
      termsLines: ["Usted pagará a Northwind Lending $992.40 en lugar de su saldo de $1,240.50."],
    },
    promise: {
      totalText: "$300.00",
      installments: [{ dateText: "viernes, 11 de diciembre de 2026", amountText: "$300.00" }],
      termsLines: ["Usted promete pagar a Northwind Lending $300.00 a más tardar el viernes, 11 de diciembre de 2026."],
    },
  },
} as const;

async function confirmation(language: Language, kind: Kind, status: Status) {
  const data = formatted[language];
  return arrangementConfirmationEmail({
    t: await getEmailT(language),
    lang: language,
    appUrl: APP_URL,
    creditorName: "Northwind Lending",
    creditorContact: "+1 (800) 555-0100",
    kind,
    status,
    reviewDueOn: status === "pending_review" ? data.reviewDueOn : null,
    totalText: data[kind].totalText,
    installments: [...data[kind].installments],
    termsLines: [...data[kind].termsLines],
    manageUrl: MANAGE_URL,
    referenceText: data.referenceText,
  });
}

async function rendered(language: Language, kind: Kind, status: Status) {
  const email = await confirmation(language, kind, status);
  const [html, text] = await Promise.all([render(email.react), render(email.react, { plainText: true })]);
  return { subject: email.subject, html, text };
}

/** The plain text's lines, without the list marker html-to-text puts before each payment. */
const textLines = (text: string) => text.split("\n").map((line) => line.trim().replace(/^[*-]\s+/, ""));

const kinds = ["plan", "settlement", "promise"] as const;
const statuses = ["active", "pending_review"] as const;
const cases = (["en", "es"] as const).flatMap((language) => kinds.flatMap((kind) => statuses.map((status) => ({ language, kind, status }))));

test.each(cases)("$language $kind $status: every payment, the total, every term and the plan link, in HTML and text", async (each) => {
  const { language, kind, status } = each;
  const data = formatted[language];
  const { subject, html, text } = await rendered(language, kind, status);
  const lines = textLines(text);

  expect(html).toMatch(new RegExp(`<html[^>]*\\blang="${language}"`));
  expect(html).toContain(`<title>${subject}</title>`);
  for (const { dateText, amountText } of data[kind].installments) {
    expect(html).toContain(`${dateText} — ${amountText}`);
    // One payment per line in the plain text, so it still reads as a schedule.
    expect(lines).toContain(`${dateText} — ${amountText}`);
  }
  expect(html).toContain(`Total: ${data[kind].totalText}`);
  expect(lines).toContain(`Total: ${data[kind].totalText}`);
  for (const term of data[kind].termsLines) {
    expect(html).toContain(term);
    expect(lines).toContain(term);
  }
  expect(html).toContain(`href="${MANAGE_URL}"`);
  expect(text).toContain(MANAGE_URL);
  expect(text).toContain(data.referenceText);
  expect(text).toContain("+1 (800) 555-0100");

  if (status === "pending_review") {
    expect(html).toContain(data.reviewDueOn);
    expect(text).toContain(data.reviewDueOn);
  } else {
    expect(text).not.toContain(data.reviewDueOn);
  }

  // No amount in the subject or in the preview line (which comes before the heading).
  const amounts = [data[kind].totalText, ...data[kind].installments.map((row) => row.amountText)];
  const heading = html.indexOf("<h1");
  expect(heading).toBeGreaterThan(0);
  for (const amount of amounts) {
    expect(subject).not.toContain(amount);
    expect(html.indexOf(amount)).toBeGreaterThan(heading);
  }
  expect(subject).not.toMatch(/\$|\d/);

  // Every key found its translation, the text is plain, and nothing rushes or shames.
  expect(text).not.toContain("arrangement.");
  expect(text).not.toContain("<");
  expect(text).not.toMatch(/urgent|final notice|immediately|failure to|urgente|inmediatamente/i);
});

test("English: headings and subjects by kind and status, and the review date for a request", async () => {
  const plan = await rendered("en", "plan", "active");
  expect(plan.subject).toBe("Your payment plan with Northwind Lending");
  expect(plan.text).toContain("YOUR PAYMENT PLAN IS SET UP");
  expect(plan.text).toContain("YOUR PAYMENTS");
  expect(plan.text).toContain("WHAT YOU AGREED TO");
  expect(plan.text).toContain("Keep this email for your records.");
  expect(plan.text).toContain("Your account with Northwind Lending: Reference ending in 1001");
  expect(plan.text).not.toContain("We will reply");

  const planRequest = await rendered("en", "plan", "pending_review");
  expect(planRequest.subject).toBe("Your plan request to Northwind Lending");
  expect(planRequest.text).toContain("WE HAVE YOUR REQUEST");
  expect(planRequest.text).toContain("We will reply by Tuesday, December 1, 2026.");
  expect(planRequest.text).toContain("Until then, nothing changes on your account.");
  // The preview (what a mail app shows after the subject) is the reply date, not an amount.
  expect(planRequest.html).toMatch(/We will reply by Tuesday, December 1, 2026\. Until then, nothing changes on your account\.[\s\S]*<h1/);

  const settlement = await rendered("en", "settlement", "active");
  expect(settlement.subject).toBe("Your settlement with Northwind Lending");
  expect(settlement.text).toContain("YOUR SETTLEMENT IS AGREED");
  expect((await rendered("en", "settlement", "pending_review")).subject).toBe("Your settlement request to Northwind Lending");

  const promise = await rendered("en", "promise", "active");
  expect(promise.subject).toBe("Your promise to pay Northwind Lending");
  expect(promise.text).toContain("YOUR PROMISE TO PAY IS NOTED");
  expect(promise.text).toContain("YOUR PAYMENT\n");
  expect((await rendered("en", "promise", "pending_review")).subject).toBe("Your promise to pay, sent to Northwind Lending");
});

test("Spanish: Spanish subjects, headings and footer, and the review date for a request", async () => {
  const plan = await rendered("es", "plan", "active");
  expect(plan.subject).toBe("Su plan de pagos con Northwind Lending");
  expect(plan.text).toContain("SU PLAN DE PAGOS ESTÁ LISTO");
  expect(plan.text).toContain("LO QUE USTED ACEPTÓ");
  expect(plan.text).toContain("Guarde este correo como comprobante.");
  expect(plan.text).toContain("Repay le envió este correo en nombre de Northwind Lending");
  expect(plan.text).not.toMatch(/Your |We will|Keep this email/);

  const request = await rendered("es", "settlement", "pending_review");
  expect(request.subject).toBe("Su solicitud para saldar su cuenta con Northwind Lending");
  expect(request.text).toContain("RECIBIMOS SU SOLICITUD");
  expect(request.text).toContain("Le responderemos a más tardar el martes, 1 de diciembre de 2026.");
  expect(request.text).toContain("Mientras tanto, nada cambia en su cuenta.");

  expect((await rendered("es", "plan", "pending_review")).subject).toBe("Su solicitud de plan de pagos a Northwind Lending");
  expect((await rendered("es", "settlement", "active")).subject).toBe("Su acuerdo para saldar su cuenta con Northwind Lending");
  expect((await rendered("es", "promise", "active")).subject).toBe("Su promesa de pago a Northwind Lending");
  expect((await rendered("es", "promise", "pending_review")).subject).toBe("Su promesa de pago, enviada a Northwind Lending");
});

test("a request without a review date still says we will reply, and that nothing changes", async () => {
  const email = arrangementConfirmationEmail({
    t: await getEmailT("en"),
    lang: "en",
    appUrl: APP_URL,
    creditorName: "Northwind Lending",
    kind: "plan",
    status: "pending_review",
    reviewDueOn: null,
    totalText: "$1,240.50",
    installments: [...formatted.en.plan.installments],
    termsLines: [...formatted.en.plan.termsLines],
    manageUrl: MANAGE_URL,
    referenceText: "Reference ending in 1001",
  });
  const text = await render(email.react, { plainText: true });
  expect(text).toContain("We will reply as soon as we can.");
  expect(text).toContain("Until then, nothing changes on your account.");
  expect(text).not.toContain("Questions about your account?");
});

test("sendEmail stores the confirmation in the local outbox with its plain-text twin", async () => {
  const email = await confirmation("en", "plan", "active");
  const result = await sendEmail({
    to: "alex@example.com",
    ...email,
    idempotencyKey: emailIdempotencyKey("arrangement-confirmation", "test-arrangement-1"),
    tags: [{ name: "kind", value: "arrangement_confirmation" }],
  });

  expect(result).toEqual({ status: "sent", id: expect.any(String) });
  if (result.status !== "sent") return;
  expect((await listLocalEmails(500)).find((stored) => stored.id === result.id)).toMatchObject({
    to: ["alex@example.com"],
    subject: "Your payment plan with Northwind Lending",
  });
  const stored = await getLocalEmail(result.id);
  expect(stored?.idempotency_key).toBe("arrangement-confirmation/test-arrangement-1");
  expect(stored?.html).toContain("Friday, December 4, 2026 — $413.50");
  const lines = textLines(stored?.text ?? "");
  for (const { dateText, amountText } of formatted.en.plan.installments) expect(lines).toContain(`${dateText} — ${amountText}`);
  expect(lines).toContain("Total: $1,240.50");
  for (const term of formatted.en.plan.termsLines) expect(lines).toContain(term);
  expect(stored?.text).toContain(MANAGE_URL);
});
