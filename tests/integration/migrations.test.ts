/**
 * The migration runner: order, once-only, one transaction per file, a history that matches
 * the Supabase CLI's, the seed, reset, and (on a real server) two migrators racing. Each
 * test starts from this file's database with the migration history and the test schema
 * dropped, and migrates folders of its own.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import {
  appliedMigrations,
  migrate,
  MigrationError,
  pendingMigrations,
  prepareDatabase,
  readMigrationFiles,
  resetDatabase,
  seedDatabase,
} from "~/services/supabase/migrations.server";
import { splitAndTrimSql } from "~/services/supabase/sql-statements.server";
import { onRealPostgres, openSecondDatabase, testDb, writeMigrations } from "../setup/db";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function folder(files: Record<string, string>): Promise<string> {
  const { dir, remove } = await writeMigrations(files);
  cleanups.push(remove);
  return dir;
}

const LOG = "insert into t_mig.log (step) values";

const THREE = {
  "20250101000000_schema.sql": `-- the test schema
create schema t_mig;
create table t_mig.log (n serial primary key, step text not null);
${LOG} ('schema');`,
  "20250102000000_add_things.sql": `create table t_mig.things (id int primary key, label text);
create function t_mig.label(p int) returns text language plpgsql as $$
begin
  return 'thing ' || p; -- a ; in a body
end
$$;
${LOG} ('things');`,
  "20250103120000_more_things.sql": `insert into t_mig.things values (1, t_mig.label(1));
${LOG} ('more');`,
  "README.md": "not a migration",
  "notes.sql": "select 'not a migration either: no version';",
};

beforeEach(async () => {
  await testDb().exec("drop schema if exists supabase_migrations cascade; drop schema if exists t_mig cascade;");
});

async function history() {
  return (
    await testDb().query<{ version: string; name: string; statements: string[] }>(
      "select version, name, statements from supabase_migrations.schema_migrations order by version",
    )
  ).rows;
}

async function steps(): Promise<string[]> {
  return (await testDb().query<{ step: string }>("select step from t_mig.log order by n")).rows.map((r) => r.step);
}

describe("migrate", () => {
  test("applies the files in order, each once, and records them as the CLI does", async () => {
    const dir = await folder(THREE);
    const applied = await migrate(testDb(), { dir });
    expect(applied.map((m) => `${m.version}_${m.name}`)).toEqual(["20250101000000_schema", "20250102000000_add_things", "20250103120000_more_things"]);
    expect(await steps()).toEqual(["schema", "things", "more"]);
    expect(await history()).toEqual(
      await Promise.all(
        Object.keys(THREE)
          .filter((name) => /^\d+_.*\.sql$/.test(name))
          .map(async (name) => ({
            version: name.slice(0, 14),
            name: name.slice(15, -4),
            statements: splitAndTrimSql(await readFile(join(dir, name), "utf8")),
          })),
      ),
    );
    // The function body stayed one statement.
    expect((await history())[1]!.statements).toHaveLength(3);
  });

  test("running again applies nothing and changes nothing", async () => {
    const dir = await folder(THREE);
    await migrate(testDb(), { dir });
    const before = await history();
    expect(await migrate(testDb(), { dir })).toEqual([]);
    expect(await history()).toEqual(before);
    expect(await steps()).toEqual(["schema", "things", "more"]);
    expect(await pendingMigrations(testDb(), { dir })).toEqual([]);
  });

  test("a new file is applied on the next run, and listed as pending before", async () => {
    const dir = await folder(THREE);
    await migrate(testDb(), { dir });
    await writeFile(join(dir, "20250104000000_later.sql"), `${LOG} ('later');`);
    expect((await pendingMigrations(testDb(), { dir })).map((m) => m.version)).toEqual(["20250104000000"]);
    expect((await migrate(testDb(), { dir })).map((m) => m.version)).toEqual(["20250104000000"]);
    expect(await appliedMigrations(testDb())).toEqual(["20250101000000", "20250102000000", "20250103120000", "20250104000000"]);
  });

  test("the history table is the CLI's", async () => {
    await migrate(testDb(), { dir: await folder(THREE) });
    const { rows } = await testDb().query(
      `select column_name, data_type, is_nullable from information_schema.columns
        where table_schema = 'supabase_migrations' and table_name = 'schema_migrations' order by ordinal_position`,
    );
    expect(rows).toEqual([
      { column_name: "version", data_type: "text", is_nullable: "NO" },
      { column_name: "statements", data_type: "ARRAY", is_nullable: "YES" },
      { column_name: "name", data_type: "text", is_nullable: "YES" },
    ]);
    const pk = await testDb().query<{ def: string }>(
      "select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'supabase_migrations.schema_migrations'::regclass and contype = 'p'",
    );
    expect(pk.rows).toEqual([{ def: "PRIMARY KEY (version)" }]);
  });

  test("a history table made by an older CLI (version only) is upgraded, not replaced", async () => {
    await testDb().exec(`create schema supabase_migrations;
      create table supabase_migrations.schema_migrations (version text not null primary key);
      insert into supabase_migrations.schema_migrations values ('20250101000000');`);
    const dir = await folder({ "20250101000000_schema.sql": "select 1/0;", "20250102000000_next.sql": "select 1;" });
    expect((await migrate(testDb(), { dir })).map((m) => m.version)).toEqual(["20250102000000"]);
    expect(await history()).toEqual([
      { version: "20250101000000", name: null, statements: null },
      { version: "20250102000000", name: "next", statements: ["select 1"] },
    ]);
  });

  test("a failing migration rolls back entirely, leaves the history as it was, and says where", async () => {
    const dir = await folder({
      "20250101000000_schema.sql": THREE["20250101000000_schema.sql"],
      "20250102000000_broken.sql": `create table t_mig.half (id int);
${LOG} ('half');
insert into t_mig.nowhere values (1);
${LOG} ('never');`,
      "20250103000000_after.sql": `${LOG} ('after');`,
    });
    const error = await migrate(testDb(), { dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({ statementIndex: 2, code: "42P01" });
    expect((error as Error).message).toMatch(/20250102000000_broken\.sql, statement 3 \(insert into t_mig\.nowhere values \(1\)\): relation "t_mig\.nowhere" does not exist/);
    expect(await appliedMigrations(testDb())).toEqual(["20250101000000"]);
    expect(await steps()).toEqual(["schema"]);
    expect((await testDb().query("select to_regclass('t_mig.half') as t")).rows).toEqual([{ t: null }]);

    // Fixed, the same run continues where it stopped.
    await writeFile(join(dir, "20250102000000_broken.sql"), `${LOG} ('fixed');`);
    expect((await migrate(testDb(), { dir })).map((m) => m.version)).toEqual(["20250102000000", "20250103000000"]);
    expect(await steps()).toEqual(["schema", "fixed", "after"]);
  });

  test("two files with one version are refused before anything runs", async () => {
    const dir = await folder({ "20250101000000_a.sql": "create schema t_mig;", "20250101000000_b.sql": "select 1;" });
    await expect(migrate(testDb(), { dir })).rejects.toThrow(/share version 20250101000000/);
    expect(await appliedMigrations(testDb())).toEqual([]);
  });

  test("an empty or missing folder is nothing to do", async () => {
    expect(await readMigrationFiles({ dir: await folder({}) })).toEqual([]);
    expect(await migrate(testDb(), { dir: "/nonexistent/repay/migrations" })).toEqual([]);
  });
});

describe("seed", () => {
  const seedFiles = async (seed: string) => {
    const dir = await folder({ ...THREE, "seed.sql": seed });
    return { dir, file: join(dir, "seed.sql") };
  };

  test("runs in one transaction: a failure leaves no rows", async () => {
    const { dir, file } = await seedFiles("insert into t_mig.things values (10, 'a'); insert into t_mig.things values (10, 'duplicate');");
    await migrate(testDb(), { dir });
    await expect(seedDatabase(testDb(), { file })).rejects.toThrow(/seed\.sql, statement 2 .*duplicate key/);
    expect((await testDb().query("select id from t_mig.things where id = 10")).rows).toEqual([]);
  });

  test("records the file and its hash in seed_files, as the CLI does", async () => {
    const seed = "insert into t_mig.things values (20, 'seeded');";
    const { dir, file } = await seedFiles(seed);
    await migrate(testDb(), { dir });
    await seedDatabase(testDb(), { file });
    expect((await testDb().query("select label from t_mig.things where id = 20")).rows).toEqual([{ label: "seeded" }]);
    const { rows } = await testDb().query<{ path: string; hash: string }>("select path, hash from supabase_migrations.seed_files");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.hash).toBe(createHash("sha256").update(seed).digest("hex"));
    expect(rows[0]!.path).toMatch(/seed\.sql$/);
  });

  test("prepareDatabase seeds a fresh database once, and never one migrated before", async () => {
    const { dir, file } = await seedFiles("insert into t_mig.things values (30, 'demo');");
    expect(await prepareDatabase(testDb(), { dir, file })).toMatchObject({ seeded: true });
    expect(await prepareDatabase(testDb(), { dir, file })).toMatchObject({ applied: [], seeded: false });
    await writeFile(join(dir, "20250105000000_later.sql"), "select 1;");
    expect(await prepareDatabase(testDb(), { dir, file })).toMatchObject({ seeded: false });
    expect((await testDb().query("select count(*)::int4 as n from t_mig.things where id = 30")).rows).toEqual([{ n: 1 }]);
  });
});

describe("reset", () => {
  test("drops app, api and the history, then migrates and seeds the project from scratch", async () => {
    await testDb().exec("create schema if not exists app; create table app.t_leftover (id int);");
    const realFiles = await readMigrationFiles();
    const { applied, seeded } = await resetDatabase(testDb());
    expect(applied.map((m) => m.version)).toEqual(realFiles.map((m) => m.version));
    expect(seeded).toBe(realFiles.length > 0);
    expect((await testDb().query("select to_regclass('app.t_leftover') as t")).rows).toEqual([{ t: null }]);
    expect(await appliedMigrations(testDb())).toEqual(realFiles.map((m) => m.version));
    // Roles survive a reset: they belong to the server, not to the database.
    expect((await testDb().query("select count(*)::int4 as n from pg_roles where rolname in ('anon', 'authenticated', 'service_role')")).rows).toEqual([{ n: 3 }]);
  });
});

describe.skipIf(!onRealPostgres())("two migrators at once (real Postgres)", () => {
  test("each file is applied exactly once, and the loser waits instead of failing", async () => {
    const files: Record<string, string> = {
      "20250101000000_schema.sql": THREE["20250101000000_schema.sql"],
    };
    for (let i = 2; i <= 5; i++) files[`2025010${i}000000_step_${i}.sql`] = `select pg_sleep(0.05); ${LOG} ('step ${i}');`;
    const dir = await folder(files);
    const other = openSecondDatabase();
    try {
      const [a, b] = await Promise.all([migrate(testDb(), { dir }), migrate(other, { dir })]);
      const all = [...a, ...b].map((m) => m.version).sort();
      expect(all).toEqual(Object.keys(files).map((name) => name.slice(0, 14)));
      expect(await steps()).toEqual(["schema", "step 2", "step 3", "step 4", "step 5"]);
      expect(await appliedMigrations(testDb())).toEqual(all);
    } finally {
      await other.close();
    }
  });

  test("two fresh starts seed once", async () => {
    const dir = await folder({ ...THREE, "seed.sql": "insert into t_mig.things values (40, 'demo');" });
    const other = openSecondDatabase();
    try {
      const results = await Promise.all([prepareDatabase(testDb(), { dir, file: join(dir, "seed.sql") }), prepareDatabase(other, { dir, file: join(dir, "seed.sql") })]);
      expect(results.filter((r) => r.seeded)).toHaveLength(1);
      expect((await testDb().query("select count(*)::int4 as n from t_mig.things where id = 40")).rows).toEqual([{ n: 1 }]);
    } finally {
      await other.close();
    }
  });
});
