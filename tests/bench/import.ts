/**
 * The placement import's throughput (issue 8 item 5): N generated rows (100,000 by default)
 * imported into a real PostgreSQL through the app's own path (the file streamed from disk,
 * each row checked with zod, batches through supabase-js to api.import_placement_rows), then
 * the same file imported again (every row unchanged: the idempotent path), then a plain
 * `COPY` of the same rows into a scratch table with no checks, in the same run. Prints rows
 * per second for each, the import's ratio to COPY, and the process's peak memory (resident
 * set sampled every 50 ms while importing, and the OS's maxRSS for the whole run), and checks
 * that every row became one account whose balance is the file's.
 *
 * Usage: npx tsx tests/bench/import.ts [--rows 100000]
 * Needs PostgreSQL: DATABASE_URL if set (it must be a scratch database: the script resets it),
 * else a temporary database on postgres://postgres@127.0.0.1:5432, dropped at the end. The
 * COPY reads the file server-side (COPY ... FROM '<file>'), so the server must see this
 * machine's temporary folder; when it cannot, psql's \copy sends it over the connection.
 * A benchmark, not a test: vitest.config.ts only picks up *.test.ts files.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { closeDatabase, getDatabase } from "~/services/supabase/database.server";
import { resetDatabase } from "~/services/supabase/migrations.server";
import { importPlacementFile, BATCH_ROWS } from "~/utils/placement-import.server";

const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROWS = flag("rows", 100_000);
const CREDITOR = "c0000000-0000-4000-8000-000000000001";
const SUPERVISOR = "e0000000-0000-4000-8000-000000000002";
const MB = 1024 * 1024;

const server = "postgres://postgres@127.0.0.1:5432";
let scratch: string | null = null;
if (!process.env.DATABASE_URL) {
  scratch = `repay_bench_import_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query(`create database ${scratch}`);
  await admin.end();
  process.env.DATABASE_URL = `${server}/${scratch}`;
}
process.env.STRIPE_SECRET_KEY = "";
process.env.LOG_LEVEL = "error";

const db = getDatabase();

const COLUMNS = [
  "account_reference",
  "customer_reference",
  "full_name",
  "email",
  "phone",
  "language",
  "time_zone",
  "date_of_birth",
  "postal_code",
  "product",
  "opened_on",
  "first_missed_payment_on",
  "original_amount",
  "interest_rate",
  "principal_balance",
  "interest_balance",
  "fees_balance",
];

function day(offset: number): string {
  return new Date(Date.UTC(2020, 0, 1 + offset)).toISOString().slice(0, 10);
}

/** Row i of the file: plain formats, so that COPY into typed columns takes the same bytes. */
function row(i: number): { line: string; totalMinor: number } {
  const principal = 50_000 + ((i * 7919) % 500_000);
  const interest = (i * 131) % 20_000;
  const fees = (i % 4) * 2_500;
  const cents = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;
  const n = String(i).padStart(7, "0");
  const line = [
    `BENCH-${n}`,
    `CUST-${String(Math.floor(i / 2)).padStart(7, "0")}`,
    `Borrower ${n}`,
    `borrower.${n}@example.com`,
    `+1212555${String(i % 10_000).padStart(4, "0")}`,
    i % 3 === 0 ? "es" : "en",
    i % 5 === 0 ? "America/Chicago" : "America/New_York",
    day(-20_000 + (i % 15_000)),
    String(10_000 + (i % 89_999)).padStart(5, "0"),
    i % 2 === 0 ? "personal_loan" : "credit_card",
    day(i % 1_500),
    day((i % 1_500) + 30),
    cents(principal + 10_000),
    `${(i % 30) + 1}.99`,
    cents(principal),
    cents(interest),
    cents(fees),
  ].join(",");
  return { line, totalMinor: principal + interest + fees };
}

async function generate(path: string): Promise<number> {
  const out = createWriteStream(path);
  let total = 0;
  out.write(`${COLUMNS.join(",")}\n`);
  for (let i = 1; i <= ROWS; i++) {
    const r = row(i);
    total += r.totalMinor;
    if (!out.write(`${r.line}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return total;
}

/** Resident memory sampled while `work` runs. */
async function sampled<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMb: number; baseRssMb: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = performance.now();
  try {
    const result = await work();
    return { result, seconds: (performance.now() - started) / 1000, peakRssMb: peak / MB, baseRssMb: base / MB };
  } finally {
    clearInterval(timer);
  }
}

async function importOnce(path: string, asOf: string) {
  const result = await importPlacementFile({ staffId: SUPERVISOR, creditorId: CREDITOR, asOf, fileName: "bench.csv", path });
  if (!result.ok) throw new Error(`import refused: ${result.reason}`);
  if (result.import.status !== "completed") throw new Error(`import ended ${result.import.status} (${result.import.failureCode})`);
  return result.import;
}

async function copyOnce(path: string): Promise<number> {
  await db.exec(`drop table if exists public.bench_copy_scratch;
    create table public.bench_copy_scratch (
      account_reference text, customer_reference text, full_name text, email text, phone text, language text,
      time_zone text, date_of_birth date, postal_code text, product text, opened_on date, first_missed_payment_on date,
      original_amount numeric, interest_rate numeric, principal_balance numeric, interest_balance numeric, fees_balance numeric)`);
  const started = performance.now();
  try {
    await db.query(`copy public.bench_copy_scratch from '${path.replace(/'/g, "''")}' with (format csv, header true)`);
  } catch (error) {
    // The server cannot read our file (another machine): send it over the connection.
    console.log(`(server-side COPY failed: ${(error as Error).message}; using psql \\copy)`);
    const url = process.env.DATABASE_URL!;
    const again = performance.now();
    execFileSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-c", `\\copy public.bench_copy_scratch from '${path}' with (format csv, header true)`], { stdio: "ignore" });
    return (performance.now() - again) / 1000;
  }
  return (performance.now() - started) / 1000;
}

const dir = await mkdtemp(join(tmpdir(), "repay-bench-import-"));
try {
  await resetDatabase(db);
  // The server's own process reads the file for COPY.
  await chmod(dir, 0o755);
  const path = join(dir, "placements.csv");
  const expectedMinor = await generate(path);
  await chmod(path, 0o644);
  const bytes = (await stat(path)).size;
  const today = (await db.query<{ today: string }>("select ((now() at time zone 'America/New_York')::date - 1)::text as today")).rows[0]!.today;
  console.log(`Import benchmark: ${ROWS.toLocaleString("en-US")} rows, ${(bytes / MB).toFixed(1)} MB, batches of ${BATCH_ROWS}, ${db.label}`);

  const first = await sampled(() => importOnce(path, today));
  const second = await sampled(() => importOnce(path, today));
  const copySeconds = await copyOnce(path);

  const { rows } = await db.query<{ accounts: number; total: string; entries: number }>(
    `select count(distinct a.id)::int as accounts, coalesce(sum(l.amount_minor), 0)::text as total, count(l.id)::int as entries
       from app.accounts as a left join app.ledger_entries as l on l.account_id = a.id
      where a.reference like 'BENCH-%'`,
  );
  const copied = (await db.query<{ n: number }>("select count(*)::int as n from public.bench_copy_scratch")).rows[0]!.n;
  const checked = rows[0]!;
  const ok =
    first.result.created === ROWS &&
    first.result.failed === 0 &&
    second.result.unchanged === ROWS &&
    checked.accounts === ROWS &&
    checked.total === String(expectedMinor) &&
    copied === ROWS;

  const rate = (seconds: number) => Math.round(ROWS / seconds);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`import (new accounts):  ${first.seconds.toFixed(1)} s = ${rate(first.seconds).toLocaleString("en-US")} rows/s; resident memory ${first.baseRssMb.toFixed(0)} MB before, peak ${first.peakRssMb.toFixed(0)} MB`);
  console.log(`import again (unchanged): ${second.seconds.toFixed(1)} s = ${rate(second.seconds).toLocaleString("en-US")} rows/s; peak ${second.peakRssMb.toFixed(0)} MB`);
  console.log(`plain COPY (no checks): ${copySeconds.toFixed(2)} s = ${rate(copySeconds).toLocaleString("en-US")} rows/s`);
  console.log(`ratio import / COPY: ${(first.seconds / copySeconds).toFixed(1)}× slower (re-import ${(second.seconds / copySeconds).toFixed(1)}×); process maxRSS ${maxRssMb.toFixed(0)} MB`);
  console.log(
    `check: ${checked.accounts.toLocaleString("en-US")} accounts, ${checked.entries.toLocaleString("en-US")} ledger entries, total $${(Number(checked.total) / 100).toFixed(2)} = file $${(expectedMinor / 100).toFixed(2)}: ${ok ? "ok" : "MISMATCH"}`,
  );
  if (!ok) {
    console.error(JSON.stringify({ first: first.result, second: second.result, checked, copied }));
    process.exitCode = 1;
  }
} finally {
  await rm(dir, { recursive: true, force: true });
  await closeDatabase();
  if (scratch) {
    const admin = new pg.Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`drop database if exists ${scratch} with (force)`);
    await admin.end();
  }
}
