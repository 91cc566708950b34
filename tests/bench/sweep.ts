/**
 * The sweep's throughput (issue 6): N due installments (10,000 by default) charged from saved
 * cards through the real `stripe` SDK and the local sandbox, once by 1 worker and once by 2
 * workers started together, each round on fresh data in the same database. Prints charges
 * per second for each round and their ratio, and checks that the ledger total equals what the
 * sandbox says it charged (succeeded PaymentIntents), and that no installment was charged
 * twice.
 *
 * Usage: npx tsx tests/bench/sweep.ts [--installments 10000] [--batch 50] [--concurrency 4]
 * Needs PostgreSQL (PGlite runs one statement at a time, so two workers cannot overlap there):
 * DATABASE_URL if set (it must be a scratch database: the script resets it), else a temporary
 * database on postgres://postgres@127.0.0.1:5432, dropped at the end.
 * A benchmark, not a test: vitest.config.ts only picks up *.test.ts files.
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { closeDatabase, getDatabase } from "~/services/supabase/database.server";
import { resetDatabase } from "~/services/supabase/migrations.server";
import { getStripe } from "~/services/stripe/client.server";
import { setupCheckoutSession } from "~/services/stripe/local-sandbox.server";
import { runSweep, type SweepReport } from "~/utils/automatic-charges.server";

const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const INSTALLMENTS = flag("installments", 10_000);
const BATCH = flag("batch", 50);
const CONCURRENCY = flag("concurrency", 4);
const PER_PLAN = 100;
const AMOUNT = 2_500;
const ALEX = "b0000000-0000-4000-8000-000000000001";

const server = "postgres://postgres@127.0.0.1:5432";
let scratch: string | null = null;
if (!process.env.DATABASE_URL) {
  scratch = `repay_bench_sweep_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query(`create database ${scratch}`);
  await admin.end();
  process.env.DATABASE_URL = `${server}/${scratch}`;
}
process.env.STRIPE_SECRET_KEY = "";
process.env.LOG_LEVEL = "error";
// The sandbox's events stay queued (as under test): Stripe's webhooks repeat what the sweep
// recorded from Stripe's answers, and delivering them is not what is measured here.
process.env.NODE_ENV = "test";

const db = getDatabase();

/** One card saved on the sandbox's page for Alex's Stripe Customer: every plan uses it. */
async function savedCard(): Promise<{ customer: string; paymentMethod: string }> {
  const stripe = getStripe();
  const customer = await stripe.customers.create({ metadata: { borrower_id: ALEX } });
  const session = await stripe.checkout.sessions.create({
    mode: "setup",
    customer: customer.id,
    currency: "usd",
    allowed_payment_method_types: ["card"],
    success_url: "http://localhost:3000/done",
  } as never);
  const outcome = await setupCheckoutSession(session.id, { card: "4242 4242 4242 4242" });
  if (outcome.status !== "succeeded") throw new Error(`could not save the card: ${outcome.status}`);
  await db.query("insert into app.stripe_customers (borrower_id, stripe_customer_id) values ($1, $2) on conflict do nothing", [ALEX, customer.id]);
  return { customer: customer.id, paymentMethod: outcome.paymentMethod.id };
}

/**
 * `count` installments due by tomorrow, in plans of 100 on new accounts, each plan with an
 * active authorization on the saved card. Written in SQL as the table owner: the setup is
 * not what is measured.
 */
async function dueInstallments(round: string, count: number, card: { customer: string; paymentMethod: string }): Promise<string[]> {
  const plans = Math.ceil(count / PER_PLAN);
  const { rows } = await db.query<{ account_id: string }>(
    `with text as (
       insert into app.consent_texts (kind, version, language, body, sha256)
       values ('recurring_payment_authorization', 'bench.v1', 'en', 'bench ' || $1, encode(sha256(convert_to('bench ' || $1, 'UTF8')), 'hex'))
       returning id, version, sha256, language
     ),
     accounts as (
       insert into app.accounts (creditor_id, borrower_id, reference, product, opened_on, original_amount_minor, currency, itemization_date)
       select b.creditor_id, b.id, 'BENCH-' || $1 || '-' || n, 'personal_loan', current_date - 100, $3::bigint * $4, 'USD', current_date - 100
         from app.borrowers as b, generate_series(1, $2::int) as n
        where b.id = $5
       returning id, creditor_id, borrower_id
     ),
     ledger as (
       insert into app.ledger_entries (account_id, kind, principal_minor, amount_minor, currency, effective_on, reason_code)
       select id, 'principal', $3::bigint * $4, $3::bigint * $4, 'USD', current_date - 50, 'loan_disbursed' from accounts
     ),
     consents as (
       insert into app.consents (borrower_id, account_id, kind, action, text_id, text_version, text_sha256, language)
       select a.borrower_id, a.id, 'recurring_payment_authorization', 'granted', t.id, t.version, t.sha256, t.language
         from accounts as a, text as t
       returning id, account_id
     )
     select a.id as account_id from accounts as a`,
    [round, plans, AMOUNT, PER_PLAN, ALEX],
  );
  const accounts = rows.map((r) => r.account_id);
  await db.query(
    `with arrangements as (
       insert into app.arrangements (account_id, borrower_id, creditor_id, kind, status, frequency, balance_minor, total_minor, currency, agreed_on, consent_id, decided_at)
       select a.id, a.borrower_id, a.creditor_id, 'plan', 'active', 'weekly', $2::bigint * $3, $2::bigint * $3, 'USD', current_date, k.id, now()
         from app.accounts as a join app.consents as k on k.account_id = a.id
        where a.id = any($1::uuid[])
       returning id, account_id, borrower_id
     ),
     installments as (
       insert into app.installments (arrangement_id, seq, due_on, original_due_on, amount_minor)
       select r.id, s, current_date + 1, current_date + 1, $2::bigint
         from arrangements as r, generate_series(1, $3::int) as s
     )
     insert into app.payment_authorizations (borrower_id, account_id, arrangement_id, consent_id, status, stripe_customer_id,
                                             stripe_payment_method_id, method_type, method_label, method_last4, activated_at)
     select r.borrower_id, r.account_id, r.id, k.id, 'active', $4, $5, 'card', 'visa', '4242', now()
       from arrangements as r join app.consents as k on k.account_id = r.account_id`,
    [accounts, AMOUNT, PER_PLAN, card.customer, card.paymentMethod],
  );
  return accounts;
}

async function check(accounts: string[]) {
  const { rows } = await db.query<{ charges: number; installments: number; ledger: string; stripe: string; stripe_n: number }>(
    `select (select count(*)::int from app.automatic_charges as ch join app.payments as p on p.id = ch.payment_id where p.account_id = any($1::uuid[])) as charges,
            (select count(distinct ch.installment_id)::int from app.automatic_charges as ch join app.payments as p on p.id = ch.payment_id where p.account_id = any($1::uuid[])) as installments,
            (select coalesce(-sum(amount_minor), 0)::text from app.ledger_entries where account_id = any($1::uuid[]) and kind = 'payment') as ledger,
            (select coalesce(sum((data ->> 'amount_received')::bigint), 0)::text from app.local_stripe_objects
              where object = 'payment_intent' and data ->> 'status' = 'succeeded' and data -> 'metadata' ->> 'account_id' = any($1::text[])) as stripe,
            (select count(*)::int from app.local_stripe_objects
              where object = 'payment_intent' and data -> 'metadata' ->> 'account_id' = any($1::text[])) as stripe_n`,
    [accounts],
  );
  return rows[0]!;
}

async function round(workers: number, card: { customer: string; paymentMethod: string }) {
  const accounts = await dueInstallments(`w${workers}`, INSTALLMENTS, card);
  const today = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const started = performance.now();
  const reports: SweepReport[] = await Promise.all(
    Array.from({ length: workers }, (_, i) => runSweep({ worker: `bench-${workers}-${i}`, today, batchSize: BATCH, concurrency: CONCURRENCY })),
  );
  const seconds = (performance.now() - started) / 1000;
  const succeeded = reports.reduce((sum, r) => sum + r.succeeded, 0);
  const checked = await check(accounts);
  const ok =
    succeeded === INSTALLMENTS &&
    checked.charges === INSTALLMENTS &&
    checked.installments === INSTALLMENTS &&
    checked.stripe_n === INSTALLMENTS &&
    checked.ledger === checked.stripe &&
    checked.ledger === String(INSTALLMENTS * AMOUNT);
  console.log(
    `${workers} worker${workers === 1 ? "" : "s"}: ${INSTALLMENTS} charges in ${seconds.toFixed(1)} s = ${(INSTALLMENTS / seconds).toFixed(0)} charges/s` +
      ` (per worker: ${reports.map((r) => r.claimed).join(" + ")}); ledger $${(Number(checked.ledger) / 100).toFixed(2)}` +
      ` = sandbox succeeded $${(Number(checked.stripe) / 100).toFixed(2)}: ${ok ? "ok" : "MISMATCH"}`,
  );
  if (!ok) {
    console.error(JSON.stringify({ reports, checked }));
    process.exitCode = 1;
  }
  return INSTALLMENTS / seconds;
}

try {
  await resetDatabase(db);
  const card = await savedCard();
  console.log(`Sweep benchmark: ${INSTALLMENTS} due installments per round, batch ${BATCH}, ${CONCURRENCY} charges at once per worker, ${db.label}`);
  const one = await round(1, card);
  const two = await round(2, card);
  console.log(`ratio 2 workers / 1 worker: ${(two / one).toFixed(2)}`);
} finally {
  await closeDatabase();
  if (scratch) {
    const admin = new pg.Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`drop database if exists ${scratch} with (force)`);
    await admin.end();
  }
}
