/**
 * Pay automatically (issue 6 items 4-5) through the app's wrappers, the real `stripe` SDK
 * against the local sandbox, and the webhook handler: saving a method activates the
 * authorization with its consent and email; the sweep charges each installment once on its
 * due date, retries declines 3 and 7 days later and then marks the plan at risk, stops at
 * authentication_required, leaves bank debits to the webhook, never charges a paused
 * account or a stopped authorization, keeps one payer per installment, and a sweep that died
 * after charging is taken over without a second charge.
 *
 * What the borrower is told goes through the outbox (ADR 014; migration
 * 20261128002000_payment_notices.sql), written with the charge or the event that causes it:
 * the authorization's copy, each receipt and the plan paid off once, and each automatic
 * attempt that did not go through once, all 'requested': the authorization promises an email
 * each time, so it goes without consent to notices, at any hour, and not at all once it no
 * longer applies.
 *
 * Every test has its own account, so it counts its own payments; the sweep runs over the
 * whole test database with an injected "today".
 */
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { action as jobsAction, loader as jobsLoader } from "~/routes/jobs.run";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { runOutbox } from "~/services/email/outbox.server";
import { getStripe, LOCAL_STRIPE_WEBHOOK_SECRET } from "~/services/stripe/client.server";
import { listLocalStripeEvents, settleProcessingPaymentsByBehaviour } from "~/services/stripe/local-sandbox.server";
import { rpc } from "~/services/supabase/rpc.server";
import { deliverToWebhookHandler } from "~/jobs/run-jobs.server";
import { chargeClaim, claimDueInstallments, runSweep } from "~/utils/automatic-charges.server";
import { getAccountAutomaticPayments, listPaymentAuthorizations, revokePaymentAuthorization } from "~/utils/payment-authorizations.server";
import { startPayment } from "~/utils/payments.server";
import { accountBalance, ALEX } from "../setup/accounts";
import { autopayPlan, BANK_OK, CARD_ALWAYS_AUTHENTICATES, CARD_DECLINES_LATER, deliverEvents } from "../setup/autopay";
import { addDays, today as todayInNewYork } from "../setup/dates";
import { testDb } from "../setup/db";
import { withEnv, withLocalEmail } from "../setup/env";
import { expectQueuedWithStripeEventOnly, grantEmailConsent, outboxRow, templateEmails, templateMessages } from "../setup/outbox";
import { context } from "../setup/routes";
import { notFound } from "../setup/not-found";
import { hintOf } from "../setup/rpc-errors";

withEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined, JOBS_SECRET: undefined });
withLocalEmail();

const MARIA = "b0000000-0000-4000-8000-000000000002";

/** A moment tomorrow in Alex's zone (the sender's "now"): 12:00 is inside his contact hours, 03:00 outside. */
async function tomorrowAt(time: "12:00" | "03:00"): Promise<Date> {
  const { rows } = await testDb().query<{ at: Date }>(
    "select (($1::date + 1 + $2::time) at time zone b.time_zone) as at from app.borrowers as b where b.id = $3",
    [todayInNewYork(), time, ALEX],
  );
  return new Date(rows[0]!.at);
}

/**
 * One sweep as `npm run jobs` runs it: each recorded charge nudges the outbox, Stripe's events
 * reach the webhook handler, then the sender runs at noon tomorrow (inside Alex's hours,
 * whenever the test runs), so outreach that waits for the hours goes too.
 */
async function sweep(today: string) {
  const report = await runSweep({ today, leaseSeconds: 60, onRecorded: () => nudgeOutbox() });
  await deliverEvents();
  await runOutbox({ now: await tomorrowAt("12:00") });
  return report;
}

/** The borrower withdraws consent to notices by email (the latest e_communications consent decides). */
async function withdrawEmailConsent(borrowerId: string): Promise<void> {
  await testDb().query(
    `insert into app.consents (borrower_id, kind, action, text_id, text_version, text_sha256, language)
     select c.borrower_id, c.kind, 'withdrawn', c.text_id, c.text_version, c.text_sha256, c.language
       from app.consents as c
      where c.borrower_id = $1 and c.kind = 'e_communications'
      order by c.created_at desc, c.id desc
      limit 1`,
    [borrowerId],
  );
}

/** The outbox messages of one template for this subject (dedupe key), with the emails the stand-in received for them. */
async function told(template: string, key: string) {
  return { messages: await templateMessages(template, key), emails: await templateEmails(template, key) };
}

const failedKey = (paymentId: string, attempt: number) => `payment.automatic_failed/${paymentId}/${attempt}`;

async function charges(accountId: string) {
  const { rows } = await testDb().query<{ installment_id: string; attempt: number; status: string; failure_code: string | null; payment_id: string; charged_on: string }>(
    `select ch.installment_id, ch.attempt, p.status, p.failure_code, p.id as payment_id, to_char(ch.charged_on, 'YYYY-MM-DD') as charged_on
       from app.automatic_charges as ch
       join app.payments as p on p.id = ch.payment_id
       join app.installments as i on i.id = ch.installment_id
      where p.account_id = $1
      order by ch.charged_on, i.seq, ch.attempt`,
    [accountId],
  );
  return rows;
}

/** PaymentIntents the sandbox made for this account (every charge Stripe knows of). */
async function stripeCharges(accountId: string) {
  const { rows } = await testDb().query<{ id: string; status: string; amount: number }>(
    `select id, data ->> 'status' as status, (data ->> 'amount')::int as amount
       from app.local_stripe_objects
      where object = 'payment_intent' and data -> 'metadata' ->> 'account_id' = $1`,
    [accountId],
  );
  return rows;
}

async function audits(accountId: string, action: string) {
  const { rows } = await testDb().query<{ reason_code: string | null; metadata: Record<string, unknown> }>(
    "select reason_code, metadata from app.audit_events where account_id = $1 and action = $2 order by event_no",
    [accountId, action],
  );
  return rows;
}

describe("saving a payment method", () => {
  test("Stripe's setup event activates the authorization, with the exact words agreed, and its copy is queued and emailed once", async () => {
    const plan = await autopayPlan();
    const [authorization] = await listPaymentAuthorizations(ALEX, plan.accountId);
    expect(authorization).toMatchObject({ id: plan.authorizationId, status: "active", method: { type: "card", label: "visa", last4: "4242" }, planActive: true });
    expect(authorization!.terms.lines[0]).toMatch(/^I authorize Northwind Lending to take the payments of my plan/);
    expect(authorization!.terms.lines).toContain("If a payment does not go through, it is tried again 3 days and 7 days later. I get an email each time, and I can pay it myself instead.");

    const { rows: consents } = await testDb().query<{ kind: string; action: string; text_version: string; ip: string }>(
      "select kind, action, text_version, host(ip) as ip from app.consents where account_id = $1 and kind = 'recurring_payment_authorization'",
      [plan.accountId],
    );
    expect(consents).toEqual([{ kind: "recurring_payment_authorization", action: "granted", text_version: "autopay-authorization.v1", ip: "203.0.113.5" }]);
    const authorizationKey = `autopay.authorization/${plan.authorizationId}`;
    const copy = await told("autopay.authorization", authorizationKey);
    expect(copy.messages).toEqual([
      expect.objectContaining({ category: "requested", state: "sent", borrower_id: ALEX, account_id: plan.accountId, params: { authorization_id: plan.authorizationId } }),
    ]);
    expect(copy.emails).toHaveLength(1);
    expect(copy.emails[0]!.subject).toBe("Your automatic payments to Northwind Lending");
    expect(copy.emails[0]!.text).toContain("Paid from: Visa ending 4242");
    expect(copy.emails[0]!.text).toContain(authorization!.terms.lines[0]!);
    expect(await audits(plan.accountId, "payment_authorization.activated")).toHaveLength(1);

    // Stripe delivers the same event again: a duplicate, nothing changes, no second email.
    const completed = (await listLocalStripeEvents(1000)).find(
      (stored) => stored.event.type === "checkout.session.completed" && (stored.event.data.object as { id?: string }).id === plan.sessionId,
    )!;
    const payload = JSON.stringify(completed.event);
    const signature = getStripe().webhooks.generateTestHeaderString({ payload, secret: LOCAL_STRIPE_WEBHOOK_SECRET });
    expect((await deliverToWebhookHandler(payload, signature)).status).toBe(200);
    await runOutbox();
    const again = await told("autopay.authorization", authorizationKey);
    expect(again.messages).toHaveLength(1);
    expect(again.emails).toHaveLength(1);
    expect(await audits(plan.accountId, "payment_authorization.activated")).toHaveLength(1);
  });

  test("a borrower who leaves Stripe's page without saving has nothing active, and nothing is charged", async () => {
    const plan = await autopayPlan({ save: false });
    expect(await listPaymentAuthorizations(ALEX, plan.accountId)).toEqual([]);
    expect((await getAccountAutomaticPayments(ALEX, plan.accountId)).authorization).toBeNull();
    await sweep(plan.installments[2]!.dueOn);
    expect(await charges(plan.accountId)).toEqual([]);
  });
});

describe("the sweep", () => {
  test("charges each installment once, on its due date: the ledger, one receipt each, then the plan paid off, told once", async () => {
    const plan = await autopayPlan();
    const [first, second, third] = plan.installments;
    await sweep(addDays(first!.dueOn, -1));
    expect(await charges(plan.accountId)).toEqual([]);

    await sweep(first!.dueOn);
    await sweep(first!.dueOn);
    const once = await charges(plan.accountId);
    expect(once).toEqual([expect.objectContaining({ installment_id: first!.id, attempt: 1, status: "succeeded", charged_on: first!.dueOn })]);
    expect((await accountBalance(plan.accountId)).total).toBe(20_000);
    const receipt = await told("payment.receipt", `payment.receipt/${once[0]!.payment_id}`);
    expect(receipt.messages).toEqual([expect.objectContaining({ category: "requested", state: "sent", account_id: plan.accountId })]);
    expect(receipt.emails).toHaveLength(1);
    expect(receipt.emails[0]!.text).toContain("Thank you. We received $100.00.");

    await sweep(third!.dueOn);
    const all = await charges(plan.accountId);
    expect(all.map((c) => [c.installment_id, c.status])).toEqual([
      [first!.id, "succeeded"],
      [second!.id, "succeeded"],
      [third!.id, "succeeded"],
    ]);
    expect(await stripeCharges(plan.accountId)).toHaveLength(3);
    expect((await accountBalance(plan.accountId)).total).toBe(0);
    const { rows } = await testDb().query<{ status: string }>("select status from app.arrangements where id = $1", [plan.arrangementId]);
    expect(rows[0]!.status).toBe("completed");
    for (const charge of all) expect((await told("payment.receipt", `payment.receipt/${charge.payment_id}`)).emails).toHaveLength(1);
    const paidOff = await told("plan.paid_off", `plan.paid_off/${plan.arrangementId}`);
    expect(paidOff.messages).toEqual([
      expect.objectContaining({ category: "requested", state: "sent", account_id: plan.accountId, params: { arrangement_id: plan.arrangementId } }),
    ]);
    expect(paidOff.emails).toHaveLength(1);
    expect(paidOff.emails[0]!.subject).toBe("Your payment plan with Northwind Lending is complete");
    expect(paidOff.emails[0]!.text).toContain("You paid $300.00 in all.");
    expect(paidOff.emails[0]!.html).toContain(`href="http://localhost:3000/account/${plan.accountId}"`);
    await sweep(addDays(third!.dueOn, 30));
    expect(await stripeCharges(plan.accountId)).toHaveLength(3);
  });

  test("a declined card is tried again 3 and 7 days later, then the plan is at risk; the borrower is told after each attempt", async () => {
    await grantEmailConsent(ALEX);
    const plan = await autopayPlan({ method: CARD_DECLINES_LATER });
    const due = plan.installments[0]!.dueOn;
    await sweep(due);
    let attempts = await charges(plan.accountId);
    expect(attempts).toEqual([expect.objectContaining({ attempt: 1, status: "failed", failure_code: "generic_decline" })]);
    const state = (await getAccountAutomaticPayments(ALEX, plan.accountId)).installments.get(plan.installments[0]!.id);
    expect(state).toEqual({ attempt: 1, state: "retrying", nextAttemptOn: addDays(due, 3) });
    const first = await told("payment.automatic_failed", failedKey(attempts[0]!.payment_id, 1));
    expect(first.messages).toEqual([
      expect.objectContaining({ category: "requested", state: "sent", account_id: plan.accountId, params: { payment_id: attempts[0]!.payment_id, attempt: 1 } }),
    ]);
    expect(first.emails).toHaveLength(1);
    expect(first.emails[0]!.subject).toBe("About your automatic payment to Northwind Lending");
    expect(first.emails[0]!.text).toMatch(/We could not take your payment of \$100\.00 \(due [A-Z][a-z]+ \d{1,2}, \d{4}\)\./);
    expect(first.emails[0]!.text).toMatch(/We will try again on [A-Z][a-z]+ \d{1,2}, \d{4}\./);
    // Outreach that is not a reminder: the one-tap stop link is in its footer, once.
    expect(first.emails[0]!.text.match(/Stop reminder emails/g)).toHaveLength(1);
    expect(first.emails[0]!.text).toMatch(/Stop reminder emails \S*\/unsubscribe\/v1\./);

    await sweep(addDays(due, 2));
    expect(await charges(plan.accountId)).toHaveLength(1);
    await sweep(addDays(due, 3));
    await sweep(addDays(due, 6));
    expect((await charges(plan.accountId)).map((c) => c.attempt)).toEqual([1, 2]);
    await sweep(addDays(due, 7));
    attempts = await charges(plan.accountId);
    expect(attempts.map((c) => [c.attempt, c.status, c.charged_on])).toEqual([
      [1, "failed", due],
      [2, "failed", addDays(due, 3)],
      [3, "failed", addDays(due, 7)],
    ]);
    expect(await audits(plan.accountId, "arrangement.at_risk")).toEqual([expect.objectContaining({ reason_code: "generic_decline", metadata: expect.objectContaining({ attempt: 3 }) })]);
    const after = await getAccountAutomaticPayments(ALEX, plan.accountId);
    expect(after.atRiskSince).toBeInstanceOf(Date);
    expect(after.installments.get(plan.installments[0]!.id)).toEqual({ attempt: 3, state: "needs_you", nextAttemptOn: null });
    for (const attempt of attempts) {
      const each = await told("payment.automatic_failed", failedKey(attempt.payment_id, attempt.attempt));
      expect(each.messages.map((m) => m.state)).toEqual(["sent"]);
      expect(each.emails).toHaveLength(1);
    }
    const last = await told("payment.automatic_failed", failedKey(attempts[2]!.payment_id, 3));
    expect(last.emails[0]!.text).toContain("We will not try to take it again automatically.");
    expect(last.emails[0]!.text).toMatch(/We tried to take your payment of \$100\.00 \(due .+\) 3 times and it did not go through\./);

    // No fourth try; the balance never moved; Stripe saw exactly three charges.
    await sweep(addDays(due, 20));
    expect(await charges(plan.accountId)).toHaveLength(3);
    expect(await stripeCharges(plan.accountId)).toHaveLength(3);
    expect((await accountBalance(plan.accountId)).total).toBe(30_000);
    // The borrower may pay it by hand.
    expect(await startPayment({ borrowerId: ALEX, accountId: plan.accountId, amountMinor: 10_000, purpose: "installment", installmentId: plan.installments[0]!.id })).toMatchObject({ ok: true });
  });

  test("authentication_required: no automatic retry; the borrower is asked to confirm by paying it themselves", async () => {
    await grantEmailConsent(ALEX);
    const plan = await autopayPlan({ method: CARD_ALWAYS_AUTHENTICATES });
    const due = plan.installments[0]!.dueOn;
    await sweep(due);
    await sweep(addDays(due, 3));
    await sweep(addDays(due, 7));
    const attempts = await charges(plan.accountId);
    expect(attempts).toEqual([expect.objectContaining({ attempt: 1, status: "failed", failure_code: "authentication_required" })]);
    const confirm = await told("payment.automatic_failed", failedKey(attempts[0]!.payment_id, 1));
    expect(confirm.messages.map((m) => [m.category, m.state])).toEqual([["requested", "sent"]]);
    expect(confirm.emails.map((e) => e.subject)).toEqual(["Your bank asks you to confirm a payment to Northwind Lending"]);
    expect(confirm.emails[0]!.text).toContain("Nothing has been taken yet.");
    expect((await getAccountAutomaticPayments(ALEX, plan.accountId)).installments.get(plan.installments[0]!.id)).toMatchObject({ state: "confirm" });
    expect(await startPayment({ borrowerId: ALEX, accountId: plan.accountId, amountMinor: 10_000, purpose: "installment", installmentId: plan.installments[0]!.id })).toMatchObject({ ok: true });
  });

  test("a bank debit on its way: the installment says so, paying it by hand is refused, and the webhook settles it", async () => {
    const plan = await autopayPlan({ method: BANK_OK });
    const first = plan.installments[0]!;
    await sweep(first.dueOn);
    expect(await charges(plan.accountId)).toEqual([expect.objectContaining({ attempt: 1, status: "processing" })]);
    expect((await getAccountAutomaticPayments(ALEX, plan.accountId)).installments.get(first.id)).toMatchObject({ state: "in_flight" });
    expect(await startPayment({ borrowerId: ALEX, accountId: plan.accountId, amountMinor: 10_000, purpose: "installment", installmentId: first.id })).toEqual({
      ok: false,
      reason: "payment_in_flight",
    });
    expect((await accountBalance(plan.accountId)).total).toBe(30_000);

    const [intent] = await stripeCharges(plan.accountId);
    await settleProcessingPaymentsByBehaviour({ paymentIntentId: intent!.id });
    await deliverEvents();
    const [charge] = await charges(plan.accountId);
    expect(charge).toMatchObject({ status: "succeeded" });
    expect((await accountBalance(plan.accountId)).total).toBe(20_000);
    // The sweep recorded it processing (no receipt); the webhook's success queued the one receipt.
    const receipt = await told("payment.receipt", `payment.receipt/${charge!.payment_id}`);
    expect(receipt.messages).toEqual([expect.objectContaining({ state: "sent" })]);
    expect(receipt.emails).toHaveLength(1);
  });

  test("a payment by hand that is open keeps the sweep away from that installment", async () => {
    const plan = await autopayPlan();
    const first = plan.installments[0]!;
    expect(await startPayment({ borrowerId: ALEX, accountId: plan.accountId, amountMinor: 10_000, purpose: "installment", installmentId: first.id })).toMatchObject({ ok: true });
    await sweep(first.dueOn);
    expect(await charges(plan.accountId)).toEqual([]);
  });

  test("a paused account is never charged; once the pause is lifted, it is", async () => {
    const plan = await autopayPlan();
    const { rows } = await testDb().query<{ id: string }>("insert into app.collection_pauses (account_id, reason) values ($1, 'hardship') returning id", [plan.accountId]);
    await sweep(plan.installments[1]!.dueOn);
    expect(await charges(plan.accountId)).toEqual([]);
    await testDb().query("update app.collection_pauses set lifted_at = now() where id = $1", [rows[0]!.id]);
    await sweep(plan.installments[1]!.dueOn);
    expect((await charges(plan.accountId)).map((c) => c.status)).toEqual(["succeeded", "succeeded"]);
  });
});

describe("the email of an automatic payment that did not go through", () => {
  /** Charges the plan's first installment (declined) without nudging the sender: the message waits in the outbox. */
  async function declineFirst(plan: { installments: { dueOn: string }[]; accountId: string }, dayOffset = 0) {
    await runSweep({ today: addDays(plan.installments[0]!.dueOn, dayOffset), leaseSeconds: 60 });
    return (await charges(plan.accountId)).at(-1)!;
  }

  test("it is written with the failure, in the same transaction: a recording that rolls back leaves no message; a replay adds none", async () => {
    const plan = await autopayPlan({ method: BANK_OK });
    await runSweep({ today: plan.installments[0]!.dueOn, leaseSeconds: 60 });
    const [charge] = await charges(plan.accountId);
    expect(charge).toMatchObject({ attempt: 1, status: "processing" });
    const [intent] = await stripeCharges(plan.accountId);
    // The bank returns the debit: Stripe's payment_intent.payment_failed for it.
    const event = {
      id: `evt_test_returned_${charge!.payment_id.slice(0, 8)}`,
      object: "event",
      type: "payment_intent.payment_failed",
      data: { object: { id: intent!.id, object: "payment_intent", last_payment_error: { code: "insufficient_funds" }, metadata: { payment_id: charge!.payment_id } } },
    };
    const key = failedKey(charge!.payment_id, 1);
    await expectQueuedWithStripeEventOnly(event, key);

    // Delivered for real, and again: one message.
    const payload = JSON.stringify(event);
    const signature = getStripe().webhooks.generateTestHeaderString({ payload, secret: LOCAL_STRIPE_WEBHOOK_SECRET });
    expect((await deliverToWebhookHandler(payload, signature)).status).toBe(200);
    expect((await deliverToWebhookHandler(payload, signature)).status).toBe(200);
    expect(await charges(plan.accountId)).toEqual([expect.objectContaining({ status: "failed", failure_code: "insufficient_funds" })]);
    expect(await templateMessages("payment.automatic_failed", key)).toEqual([
      expect.objectContaining({ category: "requested", params: { payment_id: charge!.payment_id, attempt: 1 } }),
    ]);
    expect(await audits(plan.accountId, "payment.failed")).toHaveLength(1);
  });

  test("as the authorization promised, it goes at once: without consent to notices, after stopping reminders, at night", async () => {
    const plan = await autopayPlan({ method: CARD_DECLINES_LATER });
    const charge = await declineFirst(plan);
    const [message] = await templateMessages("payment.automatic_failed", failedKey(charge.payment_id, 1));
    expect(message).toMatchObject({ category: "requested", state: "queued" });

    await withdrawEmailConsent(ALEX);
    await testDb().query(
      "insert into app.contact_preferences (borrower_id, email_allowed) values ($1, false) on conflict (borrower_id) do update set email_allowed = false",
      [ALEX],
    );
    try {
      await runOutbox({ now: await tomorrowAt("03:00") });
      expect(await outboxRow(message!.id)).toMatchObject({ state: "sent" });
      const [email] = await templateEmails("payment.automatic_failed", failedKey(charge.payment_id, 1));
      expect(email!.text).toMatch(/We could not take your payment of \$100\.00/);
    } finally {
      await testDb().query("update app.contact_preferences set email_allowed = true where borrower_id = $1", [ALEX]);
      await grantEmailConsent(ALEX);
    }
  });

  test("no longer applies when it would go: paid by hand since, or tried again since; each attempt has its own message", async () => {
    await grantEmailConsent(ALEX);
    const paidByHand = await autopayPlan({ method: CARD_DECLINES_LATER });
    const paidCharge = await declineFirst(paidByHand);
    await testDb().query("update app.installments set paid_minor = amount_minor, status = 'paid' where id = $1", [paidByHand.installments[0]!.id]);

    const retried = await autopayPlan({ method: CARD_DECLINES_LATER });
    const firstAttempt = await declineFirst(retried);
    const secondAttempt = await declineFirst(retried, 3);
    expect([firstAttempt.attempt, secondAttempt.attempt]).toEqual([1, 2]);

    await runOutbox({ now: await tomorrowAt("12:00") });
    const state = async (paymentId: string, attempt: number) => {
      const [message] = await templateMessages("payment.automatic_failed", failedKey(paymentId, attempt));
      const row = await outboxRow(message!.id);
      return [row.state, row.cancel_reason];
    };
    expect(await state(paidCharge.payment_id, 1)).toEqual(["cancelled", "not_applicable"]);
    expect(await state(firstAttempt.payment_id, 1)).toEqual(["cancelled", "not_applicable"]);
    expect(await state(secondAttempt.payment_id, 2)).toEqual(["sent", null]);
    expect(await templateEmails("payment.automatic_failed", failedKey(paidCharge.payment_id, 1))).toEqual([]);
    expect(await templateEmails("payment.automatic_failed", failedKey(secondAttempt.payment_id, 2))).toHaveLength(1);
  });
});

describe("stopping automatic payments", () => {
  test("a withdrawn consent pointing at the words agreed, the method detached at Stripe, nothing charged after", async () => {
    const plan = await autopayPlan();
    await notFound(revokePaymentAuthorization({ borrowerId: MARIA, authorizationId: plan.authorizationId, ip: null, userAgent: null }));
    await notFound(getAccountAutomaticPayments(MARIA, plan.accountId));
    expect(await listPaymentAuthorizations(MARIA, plan.accountId)).toEqual([]);

    expect(await revokePaymentAuthorization({ borrowerId: ALEX, authorizationId: plan.authorizationId, ip: "203.0.113.9", userAgent: "Vitest" })).toEqual({ ok: true });
    expect(await revokePaymentAuthorization({ borrowerId: ALEX, authorizationId: plan.authorizationId, ip: null, userAgent: null })).toEqual({
      ok: false,
      reason: "authorization_not_active",
    });
    const { rows } = await testDb().query<{ action: string; text_id: string }>(
      "select action, text_id from app.consents where account_id = $1 and kind = 'recurring_payment_authorization' order by created_at",
      [plan.accountId],
    );
    expect(rows.map((r) => r.action)).toEqual(["granted", "withdrawn"]);
    expect(rows[1]!.text_id).toBe(rows[0]!.text_id);
    const { rows: methods } = await testDb().query<{ stripe_payment_method_id: string }>("select stripe_payment_method_id from app.payment_authorizations where id = $1", [
      plan.authorizationId,
    ]);
    expect((await getStripe().paymentMethods.retrieve(methods[0]!.stripe_payment_method_id)).customer).toBeNull();

    await sweep(plan.installments[0]!.dueOn);
    expect(await charges(plan.accountId)).toEqual([]);
    expect((await listPaymentAuthorizations(ALEX, plan.accountId))[0]).toMatchObject({ status: "revoked" });
  });
});

describe("a sweep that dies", () => {
  test("after charging but before recording: the lease expires, another sweep takes over, and Stripe answers with the first charge", async () => {
    const plan = await autopayPlan({ dueDates: ["2030-01-07", "2030-02-07", "2030-03-07"] });
    const today = plan.installments[2]!.dueOn;
    const claims = (await claimDueInstallments({ worker: "dying", limit: 1000, leaseSeconds: 30, today })).filter((c) => c.account_id === plan.accountId);
    expect(claims).toHaveLength(3);
    // It charged two of them, recorded nothing, and died.
    expect(await chargeClaim(claims[0]!)).toMatchObject({ status: "succeeded" });
    expect(await chargeClaim(claims[1]!)).toMatchObject({ status: "succeeded" });
    // Its lease has not expired: a second sweep leaves those alone.
    const meanwhile = await runSweep({ today, leaseSeconds: 60 });
    expect(meanwhile.takenOver).toBe(0);
    expect((await charges(plan.accountId)).map((c) => c.status)).toEqual(["created", "created", "created"]);
    await testDb().query(
      "update app.automatic_charges set lease_expires_at = now() - interval '1 second' where payment_id = any($1::uuid[])",
      [claims.map((c) => c.payment_id)],
    );
    // Stripe's webhooks have not arrived yet either: the takeover alone must get it right.
    const report = await runSweep({ today, leaseSeconds: 60 });
    expect(report.takenOver).toBe(3);
    expect((await charges(plan.accountId)).map((c) => c.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(await stripeCharges(plan.accountId)).toHaveLength(3);
    await deliverEvents();
    expect((await accountBalance(plan.accountId)).total).toBe(0);
    const { rows } = await testDb().query<{ n: number }>("select count(*)::int as n from app.ledger_entries where account_id = $1 and kind = 'payment'", [plan.accountId]);
    expect(rows[0]!.n).toBe(3);
  });
});

describe("the database refuses what the sweep would never send", () => {
  test("malformed claims and outcomes are PT422; an outcome for a payment that is not automatic is PT404", async () => {
    const claim = (args: Record<string, unknown>) => rpc("claim_due_installments", { p_worker: "w", p_limit: 10, p_lease_seconds: 60, p_today: null, ...args }, z.unknown());
    expect(await hintOf(claim({ p_worker: "bad worker!" }))).toBe("invalid_claim");
    expect(await hintOf(claim({ p_limit: 0 }))).toBe("invalid_claim");
    expect(await hintOf(claim({ p_lease_seconds: 5 }))).toBe("invalid_claim");
    const record = (id: string, outcome: unknown) => rpc("record_automatic_charge", { p_payment_id: id, p_outcome: outcome }, z.unknown());
    expect(await hintOf(record("00000000-0000-4000-8000-000000000000", { status: "succeeded" }))).toBe("invalid_outcome");
    expect(await hintOf(record("00000000-0000-4000-8000-000000000000", { status: "paid", payment_intent_id: "pi_x" }))).toBe("invalid_outcome");
    expect(await hintOf(record("00000000-0000-4000-8000-000000000000", { status: "failed", failure_code: "card_declined" }))).toBe("payment_not_found");
  });
});

describe("POST /jobs/run", () => {
  const post = (authorization?: string) =>
    new Request("http://localhost:3000/jobs/run", { method: "POST", headers: authorization ? { authorization } : {} });

  test("does not exist without JOBS_SECRET", async () => {
    expect(((await jobsAction({ request: post("Bearer x"), params: {}, context })) as Response).status).toBe(404);
    expect(((await jobsLoader()) as Response).status).toBe(404);
  });

  describe("with JOBS_SECRET", () => {
    const secret = "s".repeat(20) + "-scheduler-secret-for-tests";
    withEnv({ JOBS_SECRET: secret });

    test("a wrong or missing secret is 401 and runs nothing; the right one runs a pass", async () => {
      const plan = await autopayPlan();
      for (const header of [undefined, "Bearer wrong", `Basic ${secret}`, `Bearer ${secret}x`]) {
        const response = (await jobsAction({ request: post(header), params: {}, context })) as Response;
        expect(response.status).toBe(401);
      }
      const response = (await jobsAction({ request: post(`Bearer ${secret}`), params: {}, context })) as Response;
      expect(response.status).toBe(200);
      const body = (await response.json()) as { sweep: { claimed: number }; events: unknown };
      expect(body.sweep).toEqual(expect.objectContaining({ claimed: expect.any(Number), unanswered: 0 }));
      // Today is before the plan's first date: nothing of this plan was charged.
      expect(await charges(plan.accountId)).toEqual([]);
    });
  });
});

test("a card Stripe refuses to charge at all (detached behind our back) is a failed attempt, not a crash", async () => {
  const plan = await autopayPlan();
  const { rows } = await testDb().query<{ stripe_payment_method_id: string }>("select stripe_payment_method_id from app.payment_authorizations where id = $1", [plan.authorizationId]);
  await getStripe().paymentMethods.detach(rows[0]!.stripe_payment_method_id);
  await sweep(plan.installments[0]!.dueOn);
  const [attempt] = await charges(plan.accountId);
  expect(attempt).toMatchObject({ attempt: 1, status: "failed" });
  expect((await accountBalance(plan.accountId)).total).toBe(30_000);
});
