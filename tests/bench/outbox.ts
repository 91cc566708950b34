/**
 * The outbox sender's throughput (issue 9, ADR 014): N messages (1,000 by default) queued as
 * a database function queues them, delivered through the real `resend` SDK to the local
 * stand-in, once by 1 worker and once by 2 workers started together, each round on fresh
 * messages in the same database. Prints messages per second for each round and checks that
 * every message reached the stand-in exactly once.
 *
 * Usage: npx tsx tests/bench/outbox.ts [--messages 1000] [--limit 20]
 * Needs PostgreSQL (PGlite runs one statement at a time): DATABASE_URL if set (a scratch
 * database: the script resets it), else a temporary database on
 * postgres://postgres@127.0.0.1:5432, dropped at the end.
 * A benchmark, not a test: vitest.config.ts only picks up *.test.ts files.
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createElement } from "react";
import { runOutbox, type OutboxReport } from "~/services/email/outbox.server";
import { closeDatabase, getDatabase } from "~/services/supabase/database.server";
import { resetDatabase } from "~/services/supabase/migrations.server";
import type { OutboxTemplates } from "~/utils/outbox-templates/index.server";

const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const MESSAGES = flag("messages", 1_000);
const LIMIT = flag("limit", 20);
const ALEX = "b0000000-0000-4000-8000-000000000001";

const server = "postgres://postgres@127.0.0.1:5432";
let scratch: string | null = null;
if (!process.env.DATABASE_URL) {
  scratch = `repay_bench_outbox_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query(`create database ${scratch}`);
  await admin.end();
  process.env.DATABASE_URL = `${server}/${scratch}`;
}
process.env.RESEND_API_KEY = "";
process.env.LOG_LEVEL = "error";
process.env.NODE_ENV = "test";

const db = getDatabase();

/** A small real email: what is measured is the pipeline (claim, render, send, record), not one template. */
const templates: OutboxTemplates = {
  "bench.notice": {
    render: async (message) => ({ subject: "A notice", react: createElement("p", null, `Notice ${message.id}`) }),
  },
};

async function queue(round: string): Promise<void> {
  await db.query(
    `select app.enqueue_message('bench.notice', 'requested', $1, null, '{}'::jsonb, 'bench/' || $2 || '/' || g)
       from generate_series(1, $3::int) as g`,
    [ALEX, round, MESSAGES],
  );
}

async function round(name: string, workers: number): Promise<void> {
  await queue(name);
  const started = performance.now();
  const reports: OutboxReport[] = await Promise.all(
    Array.from({ length: workers }, (_, i) => runOutbox({ worker: `bench-${name}-${i}`, templates, limit: LIMIT, maxBatches: 1_000_000 })),
  );
  const seconds = (performance.now() - started) / 1000;
  const sent = reports.reduce((sum, r) => sum + r.sent, 0);
  const { rows } = await db.query<{ messages: number; emails: number; keys: number }>(
    `select (select count(*)::int from app.outbound_messages where dedupe_key like 'bench/' || $1 || '/%' and state = 'sent') as messages,
            (select count(*)::int from app.local_sent_emails e join app.outbound_messages m on e.idempotency_key = 'outbox/' || m.id
              where m.dedupe_key like 'bench/' || $1 || '/%') as emails,
            (select count(distinct e.idempotency_key)::int from app.local_sent_emails e join app.outbound_messages m on e.idempotency_key = 'outbox/' || m.id
              where m.dedupe_key like 'bench/' || $1 || '/%') as keys`,
    [name],
  );
  const check = rows[0]!;
  const once = check.messages === MESSAGES && check.emails === MESSAGES && check.keys === MESSAGES;
  console.log(
    `${workers} worker${workers === 1 ? "" : "s"}: ${MESSAGES} messages in ${seconds.toFixed(1)} s = ${Math.round(MESSAGES / seconds)} messages/s` +
      ` (sent ${sent}; per worker ${reports.map((r) => r.sent).join(" + ")}); each delivered once: ${once ? "yes" : `NO ${JSON.stringify(check)}`}`,
  );
  if (!once) process.exitCode = 1;
}

try {
  await resetDatabase(db, { seed: true });
  await round("one", 1);
  await round("two", 2);
} finally {
  await closeDatabase();
  if (scratch) {
    const admin = new pg.Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`drop database if exists ${scratch} with (force)`);
    await admin.end();
  }
}
