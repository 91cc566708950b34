/**
 * Builds the run's one template database, migrated and seeded once, so that each test
 * file only copies it (issue 3, item 12: "migrate once, copy per file"):
 *
 * - PGlite (default): an in-memory PGlite, migrated and seeded, dumped to a tarball in the
 *   temp folder; each file loads a copy with `loadDataDir`.
 * - Postgres (DATABASE_URL set): a database `repay_tmpl_<run>` on that server, migrated
 *   and seeded; each file gets `create database … template repay_tmpl_<run>`. The server's
 *   own database in DATABASE_URL is never touched, and teardown drops everything this run
 *   created, including copies a crashed worker left behind.
 *
 * The template is built on demand, when the first integration file asks for it (see
 * template.ts): unit test files never wait for it, and a run of unit tests alone never
 * builds it. A migration that fails is reported by every integration file, with the
 * runner's one-line message.
 * Teardown prints one line with the build time and the per-file copy times.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createPgliteDatabase, createPostgresDatabase, dumpPgliteDatabase } from "~/services/supabase/database.server";
import { prepareDatabase } from "~/services/supabase/migrations.server";
import { assertSafeName, urlForDatabase, type SetupTiming, type TestDatabaseTemplate } from "./template";

function summarize(timingsFile: string, kind: string, buildMs: number | undefined): string {
  const timings = existsSync(timingsFile)
    ? readFileSync(timingsFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as SetupTiming)
    : [];
  const built = buildMs === undefined ? "template not built" : `template built in ${buildMs} ms`;
  const ms = timings.map((t) => t.ms).sort((a, b) => a - b);
  if (ms.length === 0) return `[test db] ${kind}: ${built}; no integration file asked for a database`;
  const avg = Math.round(ms.reduce((a, b) => a + b, 0) / ms.length);
  const median = ms[Math.floor(ms.length / 2)]!;
  return `[test db] ${kind}: ${built}; per-file copy for ${ms.length} files: avg ${avg} ms, median ${median} ms, max ${ms[ms.length - 1]} ms`;
}

function announce(readyFile: string, state: { ok: true } | { ok: false; error: string }): void {
  // Written whole, then renamed, so a waiting worker never reads half a file.
  writeFileSync(`${readyFile}.partial`, JSON.stringify(state));
  renameSync(`${readyFile}.partial`, readyFile);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const timingsFile = join(tmpdir(), `repay-test-timings-${runId}.jsonl`);
  const readyFile = join(tmpdir(), `repay-test-ready-${runId}.json`);
  const requestFile = join(tmpdir(), `repay-test-request-${runId}`);
  writeFileSync(timingsFile, "");
  const serverUrl = process.env.DATABASE_URL?.trim();
  let buildMs: number | undefined;
  let cleanup: () => Promise<void>;
  let build: () => Promise<void>;

  if (serverUrl) {
    const template = assertSafeName(`repay_tmpl_${runId}`);
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    project.provide("repayTestDatabase", { kind: "postgres", serverUrl, template, timingsFile, readyFile, requestFile, runId } satisfies TestDatabaseTemplate);
    build = async () => {
      await admin.query(`create database ${template}`);
      const db = createPostgresDatabase(urlForDatabase(serverUrl, template), { max: 2 });
      try {
        await prepareDatabase(db);
      } finally {
        await db.close();
      }
    };
    cleanup = async () => {
      // Copies of this run that a worker could not drop (a crash), then the template.
      const { rows } = await admin.query<{ datname: string }>("select datname from pg_database where datname like $1", [`repay\\_t\\_${runId}\\_%`]);
      for (const { datname } of rows) await admin.query(`drop database if exists ${assertSafeName(datname)} with (force)`);
      await admin.query(`drop database if exists ${template} with (force)`);
      await admin.end();
    };
  } else {
    const tarball = join(tmpdir(), `repay-test-pglite-${runId}.tar`);
    project.provide("repayTestDatabase", { kind: "pglite", tarball, timingsFile, readyFile, requestFile, runId } satisfies TestDatabaseTemplate);
    build = async () => {
      const db = createPgliteDatabase({ dataDir: "memory://" });
      try {
        await prepareDatabase(db);
        const dump = await dumpPgliteDatabase(db);
        writeFileSync(tarball, Buffer.from(await dump.arrayBuffer()));
      } finally {
        await db.close();
      }
    };
    cleanup = async () => {
      rmSync(tarball, { force: true });
    };
  }

  let settled: Promise<void> | undefined;
  const watcher = setInterval(() => {
    if (settled || !existsSync(requestFile)) return;
    clearInterval(watcher);
    const started = performance.now();
    settled = build().then(
      () => {
        buildMs = Math.round(performance.now() - started);
        announce(readyFile, { ok: true });
      },
      (error: unknown) => {
        const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ");
        process.stderr.write(`[test db] the template database could not be built: ${message}\n`);
        announce(readyFile, { ok: false, error: message });
      },
    );
  }, 25);

  return async () => {
    clearInterval(watcher);
    await settled;
    await cleanup();
    process.stdout.write(summarize(timingsFile, serverUrl ? "postgres" : "pglite", buildMs) + "\n");
    rmSync(timingsFile, { force: true });
    rmSync(readyFile, { force: true });
    rmSync(requestFile, { force: true });
  };
}
