/**
 * Our migration runner and the Supabase CLI (the version in package.json) agree: applied to
 * two empty databases, the same files leave identical history rows, and each then sees the
 * other's work as already applied. Needs a real Postgres server (the CLI cannot reach
 * PGlite in memory), so it runs with DATABASE_URL, as in `.ci/run`.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createPostgresDatabase } from "~/services/supabase/database.server";
import { migrate } from "~/services/supabase/migrations.server";
import { projectRoot } from "~/services/supabase/paths.server";
import { onRealPostgres, templateInfo } from "../setup/db";
import { assertSafeName, urlForDatabase } from "../setup/template";

const run = promisify(execFile);
const CLI = join(projectRoot(), "node_modules/.bin/supabase");

/** Statements chosen to exercise the CLI's splitter: bodies, quotes, comments, rules. */
const FILES: Record<string, string> = {
  "20250101000000_objects.sql": `-- A header comment, as STYLE asks for.
create schema t_cli;
create table t_cli.atomic_things (id int primary key, "semi;colon" text default ';');
create function t_cli.add(a integer, b integer) returns integer
language sql immutable
begin atomic
  select a + b;
end;
create function t_cli.body() returns text language plpgsql as $body$
begin
  return 'it''s; fine'; /* a ; in a comment */
end
$body$;
create rule t_cli_rule as on update to t_cli.atomic_things do also (notify t_cli; select 1);
comment on table t_cli.atomic_things is 'Things; with a semicolon.';`,
  "20250102000000_data.sql": `insert into t_cli.atomic_things (id) values (1), (2);;
select t_cli.add(1, 2)`,
};

describe.skipIf(!onRealPostgres() || !existsSync(CLI))("agreement with the Supabase CLI", () => {
  const names: string[] = [];
  let workdir: string;
  let admin: pg.Client;

  async function scratchDatabase(label: string): Promise<string> {
    const template = templateInfo();
    if (template.kind !== "postgres") throw new Error("needs Postgres");
    const name = assertSafeName(`repay_t_${template.runId}_cli_${label}`);
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    names.push(name);
    return urlForDatabase(template.serverUrl, name);
  }

  async function history(url: string) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query("select version, name, statements from supabase_migrations.schema_migrations order by version")).rows;
    } finally {
      await client.end();
    }
  }

  async function cliMigrationUp(url: string): Promise<string> {
    const { stdout, stderr } = await run(CLI, ["migration", "up", "--db-url", `${url}?sslmode=disable`, "--workdir", workdir], {
      env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
      timeout: 120_000,
    });
    return stdout + stderr;
  }

  beforeAll(async () => {
    const template = templateInfo();
    if (template.kind !== "postgres") return;
    admin = new pg.Client({ connectionString: template.serverUrl });
    await admin.connect();
    workdir = await mkdtemp(join(tmpdir(), "repay-cli-"));
    await mkdir(join(workdir, "supabase/migrations"), { recursive: true });
    await writeFile(join(workdir, "supabase/config.toml"), 'project_id = "repay-cli-check"\n');
    for (const [name, sql] of Object.entries(FILES)) await writeFile(join(workdir, "supabase/migrations", name), sql);
  });

  afterAll(async () => {
    for (const name of names) await admin.query(`drop database if exists ${assertSafeName(name)} with (force)`);
    await admin?.end();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  test("the same files leave the same history, and neither re-applies the other's", async () => {
    const byCli = await scratchDatabase("a");
    const byUs = await scratchDatabase("b");

    const output = await cliMigrationUp(byCli);
    expect(output).toContain("Applying migration 20250101000000_objects.sql");

    const ours = createPostgresDatabase(byUs, { max: 1 });
    try {
      expect((await migrate(ours, { dir: join(workdir, "supabase/migrations") })).map((m) => m.version)).toEqual(["20250101000000", "20250102000000"]);
    } finally {
      await ours.close();
    }

    const cliRows = await history(byCli);
    expect(cliRows).toHaveLength(2);
    expect(await history(byUs)).toEqual(cliRows);

    // The CLI finds nothing to do on our database…
    const again = await cliMigrationUp(byUs);
    expect(again).not.toContain("Applying migration");
    expect(await history(byUs)).toEqual(cliRows);

    // …and we find nothing to do on the CLI's.
    const theirs = createPostgresDatabase(byCli, { max: 1 });
    try {
      expect(await migrate(theirs, { dir: join(workdir, "supabase/migrations") })).toEqual([]);
    } finally {
      await theirs.close();
    }
  }, 180_000);
});
