/**
 * The arrangement confirmation email (issue 5 item 6): in English and Spanish, for each kind and
 * status, the HTML and its plain-text twin carry every payment, the total, every line of the
 * agreed terms and the link to the plan page; a request waiting for review says when we reply;
 * no amount is in the subject or the preview.
 *
 * Then through the outbox (ADR 014; migration 20261128002050_plan_confirmation_notice.sql), as
 * María (DEMO-1002, Spanish) agrees on the review page: the agreement leaves exactly one
 * `plan.confirmation` message, written in its own transaction; sent, it reaches the local
 * Resend stand-in in Spanish with the exact terms lines she agreed to and her schedule; a
 * request waiting for review says so; a replay is still one message; a refused or rolled-back
 * agreement leaves none; an arrangement no longer live when the message goes is not confirmed.
 */
import { render } from "@react-email/render";
import { describe, expect, test } from "vitest";
import { formatMoney } from "~/domain/money";
import { intlLocale } from "~/i18n/config";
import { loader as myPlanLoader } from "~/routes/account.$accountId.my-plan._index";
import { action as reviewAction, loader as reviewLoader } from "~/routes/account.$accountId.plan.review";
import { runOutbox } from "~/services/email/outbox.server";
import { getEmailT } from "~/services/email/t.server";
import { agreeArrangement, consentHash } from "~/utils/arrangements.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { arrangementConfirmationEmail, type ArrangementConfirmationEmailProps } from "~emails/arrangement-confirmation";
import { ALEX, newAccount } from "../setup/accounts";
import { addDays, today } from "../setup/dates";
import { testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { newBorrower, outboxRow, settleOutbox, templateEmails, templateMessages } from "../setup/outbox";
import { call, context, req, signIn, type Jar } from "../setup/routes";

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


// ---------------------------------------------------------------------------------------
// Through the outbox, as María agrees on the review page

const MARIA = "b0000000-0000-4000-8000-000000000002";
const MARIA_EMAIL = "maria.lopez@example.net";
const MARIA_DOB = { "dob.month": "11", "dob.day": "3", "dob.year": "1979" };
const DEMO_1002 = "a0000000-0000-4000-8000-000000001002";
const BALANCE_1002 = 266_338;

type Choice = Record<"kind" | "by" | "amount" | "count" | "frequency" | "start" | "payments", string>;
type Shown = { terms: { lines: string[]; sha256: string }; installments: Array<{ dueOn: string; amountMinor: number }>; reviewDueOn: string | null };

const planChoice = (amount: string): Choice => ({ kind: "plan", by: "amount", amount, count: "", frequency: "monthly", start: addDays(today(), 30), payments: "1" });

let mariaJar: Jar | null = null;
async function maria(): Promise<Jar> {
  mariaJar ??= await signIn("DEMO-1002", MARIA_DOB);
  return mariaJar;
}

/** The review page's terms for this choice, as María reads them (in Spanish). */
async function shownTerms(accountId: string, choice: Choice): Promise<Shown> {
  const jar = await maria();
  const outcome = await call(() =>
    reviewLoader({ request: req(`/account/${accountId}/plan/review?${new URLSearchParams(choice).toString()}`, { jar }), params: { accountId }, context }),
  );
  expect(outcome.status).toBe(200);
  return outcome.data as unknown as Shown;
}

/** "Acepto" on the review page. */
async function agree(accountId: string, form: Record<string, string>) {
  const jar = await maria();
  return call(() => reviewAction({ request: req(`/account/${accountId}/plan/review`, { method: "POST", form, jar }), params: { accountId }, context }));
}

async function liveArrangement(accountId: string): Promise<{ id: string; status: string }> {
  const { rows } = await testDb().query<{ id: string; status: string }>(
    "select id, status from app.arrangements where account_id = $1 and status in ('active', 'pending_review')",
    [accountId],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

const confirmationsOf = async (accountId: string) => (await templateMessages("plan.confirmation")).filter((m) => m.account_id === accountId);

/** A schedule row as the Spanish email writes it. */
const spanishRow = (installment: { dueOn: string; amountMinor: number }) =>
  `${formatCalendarDate(installment.dueOn, "es", "US")} — ${formatMoney(installment.amountMinor, "USD", intlLocale("es", "US"))}`;

/** A $100.00 promise in a week on a fresh $1,240.50 account, agreed through the app's wrapper. */
function promise(accountId: string, borrowerId: string, balanceMinor = 124_050) {
  const body = `Usted promete pagar $100.00 (prueba ${accountId}).`;
  return {
    borrowerId,
    accountId,
    kind: "promise" as const,
    frequency: null,
    discountBps: 0,
    balanceMinor,
    totalMinor: 10_000,
    installments: [{ dueOn: addDays(today(), 7), amountMinor: 10_000 }],
    policyRules: [],
    reviewDueOn: null,
    consent: { version: "plan-terms.v1", language: "es" as const, body, sha256: consentHash(body), ip: null, userAgent: null },
  };
}

describe("the confirmation goes through the outbox", () => {
  let shown: Shown;
  let arrangementId = "";

  test("María agrees: exactly one requested message, written in the agreement's own transaction", async () => {
    shown = await shownTerms(DEMO_1002, planChoice("200"));
    expect(shown.reviewDueOn).toBeNull();
    expect(shown.terms.lines[0]).toMatch(/^Usted acepta pagarle /);
    expect(await confirmationsOf(DEMO_1002)).toEqual([]);

    const outcome = await agree(DEMO_1002, { ...planChoice("200"), terms: shown.terms.sha256 });
    expect(outcome.status).toBe(303);
    expect(outcome.headers.get("Location")).toBe(`/account/${DEMO_1002}/my-plan?agreed=1&emailed=1`);
    const arrangement = await liveArrangement(DEMO_1002);
    expect(arrangement.status).toBe("active");
    arrangementId = arrangement.id;

    const messages = await confirmationsOf(DEMO_1002);
    expect(messages).toEqual([
      expect.objectContaining({
        template: "plan.confirmation",
        category: "requested",
        borrower_id: MARIA,
        account_id: DEMO_1002,
        dedupe_key: `plan.confirmation/${arrangementId}`,
        params: { arrangement_id: arrangementId },
      }),
    ]);
    // Same transaction: the message and the agreement's audit event carry the same now().
    const { rows } = await testDb().query<{ same: boolean }>(
      `select m.created_at = e.occurred_at as same
         from app.outbound_messages as m
         join app.audit_events as e on e.subject_id = $1 and e.action = 'arrangement.agreed'
        where m.id = $2`,
      [arrangementId, messages[0]!.id],
    );
    expect(rows).toEqual([{ same: true }]);

    // My plan: a copy is on its way to the address on file (masked).
    const myPlan = await call(async () =>
      myPlanLoader({ request: req(`/account/${DEMO_1002}/my-plan?agreed=1&emailed=1`, { jar: await maria() }), params: { accountId: DEMO_1002 }, context }),
    );
    expect(myPlan.data).toMatchObject({ done: "agreed", emailed: true, email: "m•••@example.net" });
  });

  test("sent, it reaches her in Spanish: the exact terms lines she agreed to and her schedule", async () => {
    await settleOutbox();
    const [message] = await confirmationsOf(DEMO_1002);
    expect(await outboxRow(message!.id)).toMatchObject({ state: "sent", to_address: MARIA_EMAIL, language: "es" });

    const emails = await templateEmails("plan.confirmation", `plan.confirmation/${arrangementId}`);
    expect(emails).toHaveLength(1);
    const email = emails[0]!;
    expect(email.idempotency_key).toBe(`outbox/${message!.id}`);
    expect(email.to_addresses).toEqual([MARIA_EMAIL]);
    expect(email.subject).toBe("Su plan de pagos con Northwind Lending");
    expect(email.html).toMatch(/<html[^>]*\blang="es"/);
    expect(email.text).toContain("SU PLAN DE PAGOS ESTÁ LISTO");
    expect(email.text).toContain("LO QUE USTED ACEPTÓ");

    const lines = textLines(email.text);
    for (const line of shown.terms.lines) expect(lines).toContain(line);
    expect(shown.installments.length).toBeGreaterThan(1);
    for (const installment of shown.installments) expect(lines).toContain(spanishRow(installment));
    expect(lines).toContain(`Total: ${formatMoney(BALANCE_1002, "USD", intlLocale("es", "US"))}`);
    expect(email.text).toContain(`/account/${DEMO_1002}/my-plan`);
    expect(email.text).toContain("Referencia que termina en 1002");
    expect(email.text).not.toMatch(/Your |We will|Keep this email/);
  });

  test("agreeing again (a replay) is still one message and one email", async () => {
    const replay = await agree(DEMO_1002, { ...planChoice("200"), terms: shown.terms.sha256 });
    expect(replay.status).toBe(303);
    expect(replay.headers.get("Location")).toBe(`/account/${DEMO_1002}/my-plan`);
    // The database refuses a second agreement, so it writes no second event; one written
    // anyway would still be the same message (the dedupe key).
    await testDb().query(
      `insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
       values ('borrower', $1, 'arrangement.agreed', 'arrangement', $2, $3, '{}'::jsonb)`,
      [MARIA, arrangementId, DEMO_1002],
    );
    await runOutbox();
    await settleOutbox();
    expect(await confirmationsOf(DEMO_1002)).toHaveLength(1);
    expect(await templateEmails("plan.confirmation", `plan.confirmation/${arrangementId}`)).toHaveLength(1);
  });

  test("a plan waiting for review: the email says a person looks at it first, and by when we reply", async () => {
    const accountId = await newAccount({ borrowerId: MARIA, prefix: "TEST-AE" });
    const choice = planChoice("60");
    const review = await shownTerms(accountId, choice);
    expect(review.reviewDueOn).not.toBeNull();
    const outcome = await agree(accountId, { ...choice, terms: review.terms.sha256 });
    expect(outcome.status).toBe(303);
    expect(outcome.headers.get("Location")).toBe(`/account/${accountId}/my-plan?agreed=1&emailed=1`);
    const arrangement = await liveArrangement(accountId);
    expect(arrangement.status).toBe("pending_review");
    expect(await confirmationsOf(accountId)).toEqual([expect.objectContaining({ dedupe_key: `plan.confirmation/${arrangement.id}`, category: "requested" })]);

    await settleOutbox();
    const emails = await templateEmails("plan.confirmation", `plan.confirmation/${arrangement.id}`);
    expect(emails).toHaveLength(1);
    const email = emails[0]!;
    expect(email.subject).toBe("Su solicitud de plan de pagos a Northwind Lending");
    expect(email.text).toContain("RECIBIMOS SU SOLICITUD");
    expect(email.text).toContain("Una persona tiene que revisar su solicitud antes de que empiece.");
    expect(email.text).toContain(`Le responderemos a más tardar el ${review.reviewDueOn}.`);
    expect(email.text).toContain("Mientras tanto, nada cambia en su cuenta.");
    const lines = textLines(email.text);
    for (const line of review.terms.lines) expect(lines).toContain(line);
    for (const installment of review.installments) expect(lines).toContain(spanishRow(installment));
  });

  test("a refused agreement, or one whose transaction rolls back, leaves no message", async () => {
    const accountId = await newAccount({ borrowerId: MARIA, prefix: "TEST-AE" });
    // Refused by the page (not the terms shown) and by the database (the balance moved).
    expect((await agree(accountId, { ...planChoice("100"), terms: "0".repeat(64) })).status).toBe(400);
    expect(await agreeArrangement(promise(accountId, MARIA, 124_049))).toEqual({ ok: false, reason: "balance_changed" });
    expect(await confirmationsOf(accountId)).toEqual([]);

    // Rolled back after the function wrote its arrangement and its message: neither stays.
    const input = promise(accountId, MARIA);
    const rollback = new Error("rolled back on purpose");
    await expect(
      testDb().transaction(async (tx) => {
        const { rows } = await tx.query<{ id: string }>(
          `select api.agree_arrangement($1, $2, 'promise', null, 0, $3, $4, $5::jsonb, '{}'::text[], null, $6::jsonb) ->> 'arrangement_id' as id`,
          [
            MARIA,
            accountId,
            input.balanceMinor,
            input.totalMinor,
            JSON.stringify([{ due_on: input.installments[0]!.dueOn, amount_minor: input.totalMinor }]),
            JSON.stringify({ version: input.consent.version, language: input.consent.language, body: input.consent.body, sha256: input.consent.sha256, ip: null, user_agent: null }),
          ],
        );
        const { rows: queued } = await tx.query<{ n: number }>("select count(*)::int as n from app.outbound_messages where dedupe_key = $1", [
          `plan.confirmation/${rows[0]!.id}`,
        ]);
        expect(queued[0]!.n).toBe(1);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await confirmationsOf(accountId)).toEqual([]);
    const { rows } = await testDb().query<{ n: number }>("select count(*)::int as n from app.arrangements where account_id = $1", [accountId]);
    expect(rows[0]!.n).toBe(0);
  });

  test("with no address on file the message is kept and cancelled (no_address), never sent", async () => {
    const borrowerId = await newBorrower({ email: null, language: "es" });
    const accountId = await newAccount({ borrowerId, prefix: "TEST-AE" });
    expect(await agreeArrangement(promise(accountId, borrowerId))).toMatchObject({ ok: true, status: "active", borrowerEmail: null });
    const [message] = await confirmationsOf(accountId);
    await runOutbox();
    expect(await outboxRow(message!.id)).toMatchObject({ state: "cancelled", cancel_reason: "no_address" });
    expect(await templateEmails("plan.confirmation", message!.dedupe_key)).toEqual([]);
  });

  test("an arrangement no longer live when its message goes is not confirmed (cancelled: not_applicable)", async () => {
    const accountId = await newAccount({ borrowerId: ALEX, prefix: "TEST-AE" });
    const agreed = await agreeArrangement(promise(accountId, ALEX));
    if (!agreed.ok) throw new Error(agreed.reason);
    const [message] = await confirmationsOf(accountId);
    await testDb().query("update app.arrangements set status = 'cancelled', ended_at = now(), updated_at = now() where id = $1", [agreed.arrangementId]);
    await runOutbox();
    expect(await outboxRow(message!.id)).toMatchObject({ state: "cancelled", cancel_reason: "not_applicable" });
    expect(await templateEmails("plan.confirmation", message!.dedupe_key)).toEqual([]);
  });
});
