/**
 * Sweeps racing each other (issue 6 item 5), on the real PostgreSQL only: PGlite runs one
 * statement at a time, so a race there proves nothing. Two sweeps started together over
 * 1,000 due installments make exactly 1,000 charges at Stripe and 1,000 ledger entries, and
 * both do part of the work (so they really raced), while Stripe's webhooks for those charges
 * arrive at the same time. Without SKIP LOCKED and the unique (installment, attempt), the
 * second sweep would charge what the first already claimed; with the claim waiting for an
 * account instead of skipping it, claims and webhooks deadlock.
 */
import { describe, expect, test } from "vitest";
import { runSweep, type SweepReport } from "~/utils/automatic-charges.server";
import { autopayPlan, deliverEvents } from "../setup/autopay";
import { addDays, today } from "../setup/dates";
import { onRealPostgres, testDb } from "../setup/db";
import { withEnv, withLocalEmail } from "../setup/env";

withEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined });
withLocalEmail();

const PLANS = 10;
const PER_PLAN = 100;
const AMOUNT = 5_000;

describe.runIf(onRealPostgres())("two sweeps at once (real PostgreSQL)", () => {
  test(
    `over ${PLANS * PER_PLAN} due installments: exactly ${PLANS * PER_PLAN} charges, each installment once`,
    async () => {
      const start = addDays(today(), 1);
      const dates = Array.from({ length: PER_PLAN }, (_, i) => addDays(start, i * 7));
      const plans = [];
      for (let i = 0; i < PLANS; i += 1) plans.push(await autopayPlan({ dueDates: dates, amountMinor: AMOUNT }));
      const accounts = plans.map((p) => p.accountId);
      const lastDue = dates[dates.length - 1]!;

      // Stripe's webhooks for the charges arrive while both sweeps run, as they do in
      // production; every delivery must be answered 200 (a deadlock would be a 500).
      let sweeping = true;
      const webhooks = (async () => {
        while (sweeping) {
          await deliverEvents();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const [a, b] = await Promise.all([
        runSweep({ worker: "race-a", today: lastDue, batchSize: 25, concurrency: 4 }),
        runSweep({ worker: "race-b", today: lastDue, batchSize: 25, concurrency: 4 }),
      ]).finally(() => {
        sweeping = false;
      });
      await webhooks;
      const total = (key: keyof SweepReport) => a[key] + b[key];
      expect(a.claimed).toBeGreaterThan(0);
      expect(b.claimed).toBeGreaterThan(0);
      expect(total("claimed")).toBe(PLANS * PER_PLAN);
      expect(total("succeeded")).toBe(PLANS * PER_PLAN);
      expect(total("takenOver")).toBe(0);

      const { rows: charged } = await testDb().query<{ charges: number; installments: number }>(
        `select count(*)::int as charges, count(distinct ch.installment_id)::int as installments
           from app.automatic_charges as ch join app.payments as p on p.id = ch.payment_id
          where p.account_id = any($1::uuid[])`,
        [accounts],
      );
      expect(charged[0]).toEqual({ charges: PLANS * PER_PLAN, installments: PLANS * PER_PLAN });

      const { rows: atStripe } = await testDb().query<{ n: number; succeeded: number; amount: number }>(
        `select count(*)::int as n, count(*) filter (where data ->> 'status' = 'succeeded')::int as succeeded,
                coalesce(sum((data ->> 'amount_received')::bigint), 0)::int as amount
           from app.local_stripe_objects
          where object = 'payment_intent' and data -> 'metadata' ->> 'account_id' = any($1::text[])`,
        [accounts],
      );
      expect(atStripe[0]).toEqual({ n: PLANS * PER_PLAN, succeeded: PLANS * PER_PLAN, amount: PLANS * PER_PLAN * AMOUNT });

      // Stripe's webhooks arrive afterwards and change nothing: one entry per charge.
      await deliverEvents();
      const { rows: ledger } = await testDb().query<{ entries: number; paid: number }>(
        `select count(*)::int as entries, (-sum(amount_minor))::int as paid
           from app.ledger_entries where account_id = any($1::uuid[]) and kind = 'payment'`,
        [accounts],
      );
      expect(ledger[0]).toEqual({ entries: PLANS * PER_PLAN, paid: PLANS * PER_PLAN * AMOUNT });
      const { rows: plansLeft } = await testDb().query<{ status: string; n: number }>(
        "select status, count(*)::int as n from app.arrangements where id = any($1::uuid[]) group by status",
        [plans.map((p) => p.arrangementId)],
      );
      expect(plansLeft).toEqual([{ status: "completed", n: PLANS }]);
    },
    240_000,
  );
});
