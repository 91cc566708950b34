/**
 * Database helpers for tests. Every integration test file runs against its own copy of the
 * run's template (migrated and seeded once by global-setup.ts); setup-db.ts provisions it
 * before the file and drops it after, and points `getDatabase()` and `getSupabase()` at
 * it, so app code under test needs no special wiring. Tests reach the same database with
 * `testDb()` for direct SQL.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { inject } from "vitest";
import {
  closeDatabase,
  createPgliteDatabase,
  createPostgresDatabase,
  getDatabase,
  setDatabase,
  type Database,
  type Queryable,
} from "~/services/supabase/database.server";
import { resetEnvForTests } from "~/utils/env.server";
import { assertSafeName, urlForDatabase, type TestDatabaseTemplate } from "./template";

/** The database of the current test file (what `getDatabase()` returns). */
export function testDb(): Database {
  return getDatabase();
}

export function templateInfo(): TestDatabaseTemplate {
  return inject("repayTestDatabase");
}

/** True when the suite runs against a real Postgres server (DATABASE_URL was set). */
export function onRealPostgres(): boolean {
  return templateInfo().kind === "postgres";
}

/** A second, independent connection pool to this file's database (real Postgres only). */
export function openSecondDatabase(): Database {
  const url = process.env.DATABASE_URL;
  if (!onRealPostgres() || !url) throw new Error("A second connection needs a real Postgres server (DATABASE_URL)");
  return createPostgresDatabase(url, { max: 4 });
}

/** A temporary folder of migration files (name → SQL); remove() deletes it. */
export async function writeMigrations(files: Record<string, string>): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "repay-migrations-"));
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The project's grants for a function (`api.fn(integer, text)`): execute for service_role only. */
export function serviceRoleOnly(signature: string): string {
  return `revoke execute on function ${signature} from public, anon, authenticated;
grant execute on function ${signature} to service_role;`;
}

/** Runs a script in one transaction on the test database. */
export async function execInTransaction(sql: string, db: Database = testDb()): Promise<void> {
  await db.transaction((tx: Queryable) => tx.exec(sql));
}

// ---------------------------------------------------------------------------------------
// Provisioning, used by setup-db.ts

/** A Database that refuses every call: unit tests must not touch the database. */
export function unavailableDatabase(reason: string): Database {
  const refuse = async (): Promise<never> => {
    throw new Error(reason);
  };
  return { kind: "pglite", label: "no database", query: refuse, exec: refuse, transaction: refuse, close: async () => {} };
}

const processCache = globalThis as unknown as { __repayTestTarball?: { path: string; blob: Blob } };

async function templateBlob(path: string): Promise<Blob> {
  if (processCache.__repayTestTarball?.path !== path) {
    processCache.__repayTestTarball = { path, blob: new Blob([await readFile(path)]) };
  }
  return processCache.__repayTestTarball.blob;
}

let createdDatabase: { name: string; serverUrl: string } | undefined;
let savedDatabaseUrl: string | undefined;

async function resetSingletons(): Promise<void> {
  resetEnvForTests();
  // Imported here so unit test files never load supabase-js.
  const { resetSupabase } = await import("~/services/supabase/client.server");
  resetSupabase();
}

/** Gives this test file a fresh copy of the template; returns once it answers a query. */
export async function provisionTestDatabase(template: TestDatabaseTemplate): Promise<Database> {
  await closeDatabase();
  if (template.kind === "pglite") {
    const db = createPgliteDatabase({ dataDir: "memory://", loadDataDir: () => templateBlob(template.tarball), label: "PGlite test copy" });
    setDatabase(db);
    await resetSingletons();
    await db.query("select 1");
    return db;
  }
  const name = assertSafeName(`repay_t_${template.runId}_${randomBytes(4).toString("hex")}`);
  const admin = new pg.Client({ connectionString: template.serverUrl });
  await admin.connect();
  try {
    // Two workers may copy the template at the same moment; Postgres then says it is busy.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${assertSafeName(template.template)}`);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== "55006" || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  createdDatabase = { name, serverUrl: template.serverUrl };
  savedDatabaseUrl = process.env.DATABASE_URL;
  process.env.DATABASE_URL = urlForDatabase(template.serverUrl, name);
  setDatabase(undefined);
  await resetSingletons();
  const db = getDatabase();
  await db.query("select 1");
  return db;
}

/** Closes this file's database and drops its copy. */
export async function releaseTestDatabase(): Promise<void> {
  await closeDatabase();
  if (createdDatabase) {
    const { name, serverUrl } = createdDatabase;
    createdDatabase = undefined;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`drop database if exists ${assertSafeName(name)} with (force)`);
    } finally {
      await admin.end();
    }
    if (savedDatabaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedDatabaseUrl;
  }
  await resetSingletons();
}
