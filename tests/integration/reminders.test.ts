/**
 * Reminders (issue 9 item 3; ADR 014) through the app's wrappers and the real supabase-js
 * client: the jobs step `queueReminders` writes each reminder to the outbox once (before a
 * payment, on the day an automatic payment failed, after a missed payment, and 10 days ahead
 * when an automatic payment will take a different amount), none for a paused account or a
 * paid plan; the renderers read the facts from the database and write in the borrower's
 * language; and the sender delivers a reminder to the local Resend stand-in.
 *
 * Every test has its own account and looks only at its own outbox rows: the pass runs over
 * the whole test database (the demo portfolio has plans of its own).
 */
import { createHash } from "node:crypto";
import { render } from "@react-email/render";
import { describe, expect, test } from "vitest";
import { runSweep } from "~/utils/automatic-charges.server";
import type { Language } from "~/i18n/config";
import { runOutbox } from "~/services/email/outbox.server";
import { getEmailT } from "~/services/email/t.server";
import { getEnv } from "~/utils/env.server";
import type { OutboxMessage, OutboxTemplate } from "~/utils/outbox-templates/index.server";
import { queueReminders, reminderMissedTemplate, reminderUpcomingTemplate } from "~/utils/reminders.server";
import { ALEX } from "../setup/accounts";
import { agreedPlan, autopayPlan, CARD_DECLINES_LATER, deliverEvents } from "../setup/autopay";
import { addDays, today } from "../setup/dates";
import { testDb } from "../setup/db";
import { withEnv, withLocalEmail } from "../setup/env";

withEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined, JOBS_SECRET: undefined });
withLocalEmail();

const MARIA = "b0000000-0000-4000-8000-000000000002";

/** A plan the borrower pays by hand (no automatic payments); installments as { id, due_on }. */
async function manualPlan({ borrowerId = ALEX, dueDates, amountMinor = 10_000 }: { borrowerId?: string; dueDates: string[]; amountMinor?: number }) {
  const { accountId, arrangementId, arrangement } = await agreedPlan({ borrowerId, dueDates, amountMinor, prefix: "TEST-REM" });
  return { accountId, arrangementId, installments: arrangement.installments.map((i) => ({ id: i.id, due_on: i.dueOn })) };
}

interface OutboxRow {
  id: string;
  template: string;
  category: string;
  dedupe_key: string;
  params: Record<string, unknown>;
  state: string;
  not_before: Date;
}

async function outbox(accountId: string): Promise<OutboxRow[]> {
  const { rows } = await testDb().query<OutboxRow>(
    "select id, template, category, dedupe_key, params, state, not_before from app.outbound_messages where account_id = $1 and template like 'reminder.%' order by created_at, dedupe_key",
    [accountId],
  );
  return rows;
}

async function pause(accountId: string, reason: "hardship" | "dispute" | "breathing_space") {
  await testDb().query("insert into app.collection_pauses (account_id, reason) values ($1, $2)", [accountId, reason]);
}

const NONE = { upcoming: 0, amountChanged: 0, missed: 0 };

describe("queueing", () => {
  test("a payment due in 3 days is reminded exactly once, however often the pass runs", async () => {
    const t = today();
    const plan = await manualPlan({ dueDates: [addDays(t, 3), addDays(t, 33)] });
    const first = await queueReminders({ today: t });
    expect(first.upcoming).toBeGreaterThanOrEqual(1);
    const second = await queueReminders({ today: t });
    expect(second).toEqual(NONE);
    // The next day (2 days before) and the day before: still the one reminder.
    await queueReminders({ today: addDays(t, 1) });
    await queueReminders({ today: addDays(t, 2) });

    const rows = await outbox(plan.accountId);
    expect(rows).toEqual([
      expect.objectContaining({
        template: "reminder.upcoming",
        category: "outreach",
        state: "queued",
        dedupe_key: `reminder.upcoming/${plan.installments[0]!.id}/${addDays(t, 3)}`,
        params: { installment_id: plan.installments[0]!.id, notice: "upcoming", amount_minor: 10_000, currency: "USD", due_on: addDays(t, 3), automatic: false },
      }),
    ]);
  });

  test("not yet: a payment 4 days away waits; one 1 day away that was never reminded is reminded", async () => {
    const t = today();
    const later = await manualPlan({ dueDates: [addDays(t, 4)] });
    const soon = await manualPlan({ dueDates: [addDays(t, 1)] });
    await queueReminders({ today: t });
    expect(await outbox(later.accountId)).toEqual([]);
    expect((await outbox(soon.accountId)).map((r) => r.dedupe_key)).toEqual([`reminder.upcoming/${soon.installments[0]!.id}/${addDays(t, 1)}`]);
  });

  test.each(["hardship", "dispute", "breathing_space"] as const)("a paused account (%s) gets no reminder of any kind", async (reason) => {
    const t = today();
    const plan = await manualPlan({ dueDates: [addDays(t, 3), addDays(t, 33)] });
    await pause(plan.accountId, reason);
    await queueReminders({ today: t });
    // Missed too: a day after the first date, still paused.
    await queueReminders({ today: addDays(t, 4) });
    expect(await outbox(plan.accountId)).toEqual([]);
  });

  test("a payment missed before the borrower asked for help is not chased after the pause is lifted", async () => {
    const t = today();
    const plan = await manualPlan({ dueDates: [addDays(t, 3), addDays(t, 33)] });
    await queueReminders({ today: t });
    // After the date, the borrower asked for help; the pause has since been lifted.
    await testDb().query(
      "insert into app.collection_pauses (account_id, reason, starts_at, lifted_at) values ($1, 'hardship', (($2::date + 1)::timestamp at time zone 'America/New_York'), now())",
      [plan.accountId, addDays(t, 3)],
    );
    await queueReminders({ today: addDays(t, 5) });
    expect((await outbox(plan.accountId)).map((r) => r.template)).toEqual(["reminder.upcoming"]);
  });

  test("a paid plan, a paid installment and a paid account get none", async () => {
    const t = today();
    const completed = await manualPlan({ dueDates: [addDays(t, 3)] });
    await testDb().query("update app.installments set paid_minor = amount_minor, status = 'paid' where arrangement_id = $1", [completed.arrangementId]);
    await testDb().query("update app.arrangements set status = 'completed', ended_at = now() where id = $1", [completed.arrangementId]);

    const paidInstallment = await manualPlan({ dueDates: [addDays(t, 2), addDays(t, 32)] });
    await testDb().query("update app.installments set paid_minor = amount_minor, status = 'paid' where id = $1", [paidInstallment.installments[0]!.id]);

    const paidAccount = await manualPlan({ dueDates: [addDays(t, 3)] });
    await testDb().query("update app.accounts set status = 'paid' where id = $1", [paidAccount.accountId]);

    await queueReminders({ today: t });
    await queueReminders({ today: addDays(t, 5) });
    expect(await outbox(completed.accountId)).toEqual([]);
    expect(await outbox(paidInstallment.accountId)).toEqual([]);
    expect(await outbox(paidAccount.accountId)).toEqual([]);
  });

  test("a missed payment gets one missed reminder the day after its date", async () => {
    const t = today();
    const plan = await manualPlan({ dueDates: [addDays(t, 3), addDays(t, 33)] });
    const due = plan.installments[0]!;
    await queueReminders({ today: t });
    // On its date: not missed yet.
    await queueReminders({ today: due.due_on });
    expect((await outbox(plan.accountId)).map((r) => r.template)).toEqual(["reminder.upcoming"]);

    const after = await queueReminders({ today: addDays(due.due_on, 1) });
    expect(after.missed).toBeGreaterThanOrEqual(1);
    await queueReminders({ today: addDays(due.due_on, 2) });
    const rows = await outbox(plan.accountId);
    expect(rows.map((r) => [r.template, r.dedupe_key])).toEqual([
      ["reminder.upcoming", `reminder.upcoming/${due.id}/${due.due_on}`],
      ["reminder.missed", `reminder.missed/${due.id}/${due.due_on}`],
    ]);
    expect(rows[1]!.params).toEqual({ installment_id: due.id, amount_minor: 10_000, currency: "USD", due_on: due.due_on });
  });

  test("a failed automatic payment gets no reminder on top of the payment flow's email, and is not 'missed' while it is retried", async () => {
    const plan = await autopayPlan({ method: CARD_DECLINES_LATER });
    const due = plan.installments[0]!.dueOn;
    await runSweep({ today: due, leaseSeconds: 60 });
    await deliverEvents();
    const { rows: payments } = await testDb().query<{ id: string }>(
      "select id from app.payments where account_id = $1 and origin = 'automatic' and status = 'failed'",
      [plan.accountId],
    );
    expect(payments).toHaveLength(1);

    // The failure queued "we will try again on ..." (payment.automatic_failed, which the
    // authorization promises: migration 20261128002000_payment_notices.sql); a reminder would
    // only repeat it.
    const told = await testDb().query<{ template: string; category: string }>(
      "select template, category from app.outbound_messages where account_id = $1 and template not like 'reminder.%'",
      [plan.accountId],
    );
    expect(told.rows).toContainEqual({ template: "payment.automatic_failed", category: "requested" });
    await queueReminders({ today: due });
    expect(await outbox(plan.accountId)).toEqual([]);
    // Being retried by the sweep, it is not "missed" the next day.
    await queueReminders({ today: addDays(due, 1) });
    expect((await outbox(plan.accountId)).filter((r) => r.template === "reminder.missed")).toEqual([]);
  });

  test("an automatic payment of less than agreed (part paid already) is told 10 days ahead, and reminded 3 days ahead too", async () => {
    const t = today();
    const plan = await autopayPlan({ dueDates: [addDays(t, 10), addDays(t, 40)] });
    const first = plan.installments[0]!;
    await testDb().query("update app.installments set paid_minor = 4000 where id = $1", [first.id]);

    await queueReminders({ today: addDays(t, -1) });
    expect(await outbox(plan.accountId)).toEqual([]);
    await queueReminders({ today: t });
    await queueReminders({ today: addDays(t, 1) });
    let rows = await outbox(plan.accountId);
    expect(rows).toEqual([
      expect.objectContaining({
        template: "reminder.upcoming",
        dedupe_key: `reminder.amount_changed/${first.id}/${first.dueOn}`,
        params: expect.objectContaining({ notice: "amount_changed", amount_minor: 6_000, agreed_minor: 10_000, automatic: true }),
      }),
    ]);
    await queueReminders({ today: addDays(t, 7) });
    rows = await outbox(plan.accountId);
    expect(rows.map((r) => r.dedupe_key)).toEqual([`reminder.amount_changed/${first.id}/${first.dueOn}`, `reminder.upcoming/${first.id}/${first.dueOn}`]);
    expect(rows[1]!.params).toMatchObject({ notice: "upcoming", amount_minor: 6_000, automatic: true });
  });

  test("queue_reminders is for service_role only", async () => {
    const { rows } = await testDb().query<{ anon: boolean; service: boolean }>(
      `select has_function_privilege('anon', 'api.queue_reminders(date, timestamptz)', 'execute') as anon,
              has_function_privilege('service_role', 'api.queue_reminders(date, timestamptz)', 'execute') as service`,
    );
    expect(rows[0]).toEqual({ anon: false, service: true });
  });
});

describe("rendering", () => {
  /** Renders a template as the sender would for a message with these params, in a language. */
  async function renderWith(template: OutboxTemplate, params: OutboxMessage["params"], language: Language = "en", unsubscribeUrl: string | null = null) {
    const message = { id: crypto.randomUUID(), template: "reminder.test", category: "outreach", channel: "email", params, language } as unknown as OutboxMessage;
    return template.render(message, { language, t: await getEmailT(language), appUrl: getEnv().APP_URL, unsubscribeUrl, now: new Date() });
  }
  const renderReminderUpcoming = (p: OutboxMessage["params"], language?: Language, unsubscribeUrl?: string) => renderWith(reminderUpcomingTemplate, p, language, unsubscribeUrl);
  const renderReminderMissed = (p: OutboxMessage["params"], language?: Language) => renderWith(reminderMissedTemplate, p, language);

  async function text(rendered: { react: Parameters<typeof render>[0] } | null): Promise<string> {
    expect(rendered).not.toBeNull();
    return render(rendered!.react, { plainText: true });
  }

  test("a payment whose date moved (a pause ended, the borrower moved it) is reminded again before the new date; the old reminder no longer applies", async () => {
    const t = today();
    const plan = await manualPlan({ dueDates: [addDays(t, 3), addDays(t, 40)] });
    const first = plan.installments[0]!;
    await queueReminders({ today: t });
    // As the end of a pause moves it: 9 days later.
    await testDb().query("update app.installments set due_on = due_on + 9, paused_days = paused_days + 9 where id = $1", [first.id]);
    await queueReminders({ today: addDays(t, 9) });
    const rows = await testDb().query<{ dedupe_key: string; params: OutboxMessage["params"] }>(
      "select dedupe_key, params from app.outbound_messages where account_id = $1 and template = 'reminder.upcoming' order by created_at, id",
      [plan.accountId],
    );
    expect(rows.rows.map((r) => r.dedupe_key)).toEqual([`reminder.upcoming/${first.id}/${addDays(t, 3)}`, `reminder.upcoming/${first.id}/${addDays(t, 12)}`]);
    expect(await renderReminderUpcoming(rows.rows[0]!.params)).toBeNull();
    expect(await renderReminderUpcoming(rows.rows[1]!.params)).not.toBeNull();
  });

  test("a payment already on its way by bank debit is not reminded, and a reminder waiting for the morning is not sent", async () => {
    const t = today();
    const plan = await manualPlan({ dueDates: [addDays(t, 3), addDays(t, 33)] });
    const first = plan.installments[0]!;
    await queueReminders({ today: t });
    const [queued] = (
      await testDb().query<{ params: OutboxMessage["params"] }>("select params from app.outbound_messages where account_id = $1 and template = 'reminder.upcoming'", [plan.accountId])
    ).rows;
    await testDb().query(
      `insert into app.payments (account_id, borrower_id, installment_id, amount_minor, currency, purpose, status)
       values ($1, $2, $3, 10000, 'USD', 'installment', 'processing')`,
      [plan.accountId, ALEX, first.id],
    );
    expect(await renderReminderUpcoming(queued!.params)).toBeNull();
    const other = await manualPlan({ dueDates: [addDays(t, 3), addDays(t, 33)] });
    await testDb().query(
      `insert into app.payments (account_id, borrower_id, installment_id, amount_minor, currency, purpose, status)
       values ($1, $2, $3, 10000, 'USD', 'installment', 'processing')`,
      [other.accountId, ALEX, other.installments[0]!.id],
    );
    await queueReminders({ today: t });
    expect((await testDb().query("select 1 from app.outbound_messages where account_id = $1 and template like 'reminder.%'", [other.accountId])).rows).toEqual([]);
  });

  test("the upcoming reminder: amount, date, what happens, how to move it and ask for help; in Spanish for María", async () => {
    const t = today();
    const plan = await manualPlan({ borrowerId: MARIA, dueDates: [addDays(t, 3), addDays(t, 33)], amountMinor: 12_345 });
    const installmentId = plan.installments[0]!.id;
    const rendered = await renderReminderUpcoming({ installment_id: installmentId }, "es", "http://localhost:3000/unsubscribe/test-token");
    expect(rendered!.subject).toBe("Un recordatorio de su próximo pago a Northwind Lending");
    const body = await text(rendered);
    expect(body).toContain("Su próximo pago del plan es de $123.45 y vence el");
    expect(body).toContain("Es el pago 1 de 2 de su plan.");
    expect(body).toContain(`/account/${plan.accountId}/my-plan/move?installment=${installmentId}`);
    expect(body).toContain(`/account/${plan.accountId}/help`);
    expect(body).toContain("Puede detenerlos con un solo toque. Los comprobantes y lo que usted pida le seguirán llegando: http://localhost:3000/unsubscribe/test-token");
    expect(body).not.toMatch(/\bpayment\b/i);

    const english = await text(await renderReminderUpcoming({ installment_id: installmentId }, "en"));
    expect(english).toContain("Your next plan payment is $123.45, due on");
  });

  test("the upcoming reminder of an automatic payment names the card and the different amount", async () => {
    const t = today();
    const plan = await autopayPlan({ dueDates: [addDays(t, 8), addDays(t, 38)] });
    await testDb().query("update app.installments set paid_minor = 4000 where id = $1", [plan.installments[0]!.id]);
    const body = await text(await renderReminderUpcoming({ installment_id: plan.installments[0]!.id }));
    expect(body).toMatch(/we will take \$60\.00 from Visa ending 4242 for your plan/);
    expect(body).toContain("This is less than the $100.00 in your plan, because you have already paid $40.00 of this payment.");
    expect(body).toContain("You do not need to do anything.");
  });

  test("nothing to render once it no longer applies: paid since, or paused", async () => {
    const t = today();
    const plan = await manualPlan({ dueDates: [addDays(t, 3), addDays(t, 33)] });
    const [first, second] = plan.installments;
    await testDb().query("update app.installments set paid_minor = amount_minor, status = 'paid' where id = $1", [first!.id]);
    expect(await renderReminderUpcoming({ installment_id: first!.id })).toBeNull();
    await pause(plan.accountId, "hardship");
    expect(await renderReminderUpcoming({ installment_id: second!.id })).toBeNull();
  });

  test("the missed reminder is calm: not received yet, thanks if paid, the plan still stands, help", async () => {
    const t = today();
    const plan = await manualPlan({ dueDates: [addDays(t, 3), addDays(t, 33)] });
    // Its date was two days ago (as if agreed earlier).
    await testDb().query("update app.installments set due_on = $2, original_due_on = $2 where id = $1", [plan.installments[0]!.id, addDays(t, -2)]);
    const body = await text(await renderReminderMissed({ installment_id: plan.installments[0]!.id }));
    expect(body).toContain("Your plan payment of $100.00 was due on");
    expect(body).toContain("We have not received it yet.");
    expect(body).toContain("If you paid it in the last few days, thank you.");
    expect(body).toContain("Your plan is still in place.");
    expect(body).not.toMatch(/overdue|immediately|legal|final notice|failure to/i);
    // Not missed yet: nothing to say.
    expect(await renderReminderMissed({ installment_id: plan.installments[1]!.id })).toBeNull();
  });
});

/** The borrower's consent to notices by email (outreach needs it), with the words shown, as the table owner. */
async function grantEmailConsent(borrowerId: string): Promise<void> {
  const body = `Reminder tests: you agree to get notices by email (${borrowerId}, ${crypto.randomUUID()}).`;
  const sha256 = createHash("sha256").update(body, "utf8").digest("hex");
  await testDb().query(
    `with text as (
       insert into app.consent_texts (kind, version, language, body, sha256)
       values ('e_communications', 'e-communications.v1', 'es', $2, $3)
       returning id, version, sha256, language
     )
     insert into app.consents (borrower_id, kind, action, text_id, text_version, text_sha256, language)
     select $1::uuid, 'e_communications', 'granted', t.id, t.version, t.sha256, t.language from text as t`,
    [borrowerId, body, sha256],
  );
}

/** Noon the day after `day` in New York (the demo borrowers' zone): inside their contact hours. */
async function noonTomorrow(day: string): Promise<Date> {
  const { rows } = await testDb().query<{ at: Date }>("select (($1::date + time '12:00') at time zone 'America/New_York') as at", [addDays(day, 1)]);
  return new Date(rows[0]!.at);
}

describe("through the sender", () => {
  test("the reminder reaches the local Resend stand-in once, in Spanish for María, with the one-tap opt-out", async () => {
    await grantEmailConsent(MARIA);
    const t = today();
    const plan = await manualPlan({ borrowerId: MARIA, dueDates: [addDays(t, 3), addDays(t, 33)], amountMinor: 7_500 });
    await queueReminders({ today: t });
    const [queued] = await outbox(plan.accountId);
    expect(queued).toMatchObject({ template: "reminder.upcoming", state: "queued" });

    // Tomorrow at noon in New York: inside the borrower's hours, whenever the test runs.
    const at = await noonTomorrow(t);
    await runOutbox({ now: at });
    await runOutbox({ now: new Date(at.getTime() + 60_000) });

    const [sent] = await outbox(plan.accountId);
    expect(sent!.state).toBe("sent");
    const { rows: emails } = await testDb().query<{ to_addresses: string[]; subject: string; text: string; headers: Record<string, string> | null }>(
      "select to_addresses, subject, text, headers from app.local_sent_emails where idempotency_key = $1",
      [`outbox/${sent!.id}`],
    );
    expect(emails).toHaveLength(1);
    const email = emails[0]!;
    expect(email.to_addresses).toEqual(["maria.lopez@example.net"]);
    expect(email.subject).toBe("Un recordatorio de su próximo pago a Northwind Lending");
    expect(email.text).toMatch(/Su próximo pago del plan es de \$75\.00 y vence el \d{1,2} de [a-z]+ de \d{4}\./);
    expect(email.text).toContain("Es el pago 1 de 2 de su plan.");
    expect(email.text).toMatch(/Puede detenerlos con un solo toque\. .*: http:\/\/\S+\/unsubscribe\/\S+/);
    // Said once, in the body: the footer does not repeat it.
    expect(email.text.match(/\/unsubscribe\//g)).toHaveLength(1);
    expect(email.headers?.["List-Unsubscribe"]).toMatch(/^<http:\/\/\S+\/unsubscribe\/\S+>$/);
    expect(email.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
  });

  test("a reminder whose payment was made before it went is cancelled, not sent", async () => {
    await grantEmailConsent(MARIA);
    const t = today();
    const plan = await manualPlan({ borrowerId: MARIA, dueDates: [addDays(t, 2), addDays(t, 32)] });
    await queueReminders({ today: t });
    await testDb().query("update app.installments set paid_minor = amount_minor, status = 'paid' where id = $1", [plan.installments[0]!.id]);
    await runOutbox({ now: await noonTomorrow(t) });
    const [row] = await outbox(plan.accountId);
    expect(row!.state).toBe("cancelled");
    const { rows: emails } = await testDb().query("select 1 from app.local_sent_emails where idempotency_key = $1", [`outbox/${row!.id}`]);
    expect(emails).toEqual([]);
  });
});
