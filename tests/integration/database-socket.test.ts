/**
 * Sharing the dev server's PGlite (STACK §14): `startDatabaseSocket()` serves this file's
 * PGlite on loopback and records its address; another process finds the address and works
 * on the same data through node-postgres; and socket clients and the owning process never
 * interleave inside PGlite's single session (one client's transaction, or the owner's,
 * runs alone until it ends). PGlite only: with DATABASE_URL there is nothing to share.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDatabaseFromEnv, readDevDatabaseFile, startDatabaseSocket, type DatabaseSocket } from "~/services/supabase/database.server";
import { devDatabaseFileFor, projectRoot } from "~/services/supabase/paths.server";
import { parseEnv } from "~/utils/env.server";
import { onRealPostgres, testDb } from "../setup/db";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(onRealPostgres())("the dev server's PGlite, shared on a socket", () => {
  let dir: string;
  let file: string;
  let socket: DatabaseSocket;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "repay-socket-"));
    file = join(dir, "dev-db.json");
    const started = await startDatabaseSocket({ database: testDb(), file });
    if (!started) throw new Error("expected the test database to be PGlite");
    socket = started;
    await testDb().exec("create table public.t_shared (id serial primary key, who text not null)");
  });

  afterAll(async () => {
    await socket?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function client(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: socket.url });
    await c.connect();
    return c;
  }

  test("records its loopback address and this process's pid", () => {
    expect(socket.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?sslmode=disable$/);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ url: socket.url, pid: process.pid });
    expect(readDevDatabaseFile(file)).toEqual({ url: socket.url, pid: process.pid });
  });

  test("a file left by a process that is gone is ignored", async () => {
    const stale = join(dir, "stale.json");
    await writeFile(stale, JSON.stringify({ url: "postgres://postgres@127.0.0.1:1/postgres", pid: 2 ** 22 + 12345 }));
    expect(readDevDatabaseFile(stale)).toBeNull();
    expect(readDevDatabaseFile(join(dir, "missing.json"))).toBeNull();
  });

  test("only a command with the served PGLITE_DIR attaches; memory:// never does", async () => {
    // The parent process stands in for a dev server that is alive and is not us.
    const served = join(dir, "served.json");
    await writeFile(served, JSON.stringify({ url: socket.url, pid: process.ppid, dataDir: join(dir, "pglite") }));
    const label = (pgliteDir: string) => createDatabaseFromEnv(parseEnv({ NODE_ENV: "test", PGLITE_DIR: pgliteDir }), { devDatabaseFile: served }).label;
    // Databases are opened lazily: building them touches nothing on disk.
    expect(label(join(dir, "pglite"))).toMatch(/^the dev server's PGlite/);
    expect(label(join(dir, "another-pglite"))).toMatch(/^PGlite in /);
    expect(label("memory://")).toBe("PGlite in memory");
    expect(existsSync(join(dir, "another-pglite"))).toBe(false);
  });

  test("each data directory has its own address file, so two servers never hide each other", async () => {
    // A bug: the e2e server (.data/e2e/pglite) overwrote the dev server's .data/dev-db.json,
    // and every later command of the dev server's opened its locked directory instead.
    const devDir = join(dir, "pglite");
    const e2eDir = join(dir, "e2e", "pglite");
    expect(devDatabaseFileFor(devDir)).toBe(`${devDir}.socket.json`);
    expect(devDatabaseFileFor(e2eDir)).toBe(`${e2eDir}.socket.json`);
    expect(devDatabaseFileFor(`${devDir}/`)).toBe(`${devDir}.socket.json`);
    await mkdir(join(dir, "e2e"), { recursive: true });
    await writeFile(devDatabaseFileFor(devDir), JSON.stringify({ url: socket.url, pid: process.ppid, dataDir: devDir }));
    await writeFile(devDatabaseFileFor(e2eDir), JSON.stringify({ url: "postgres://postgres@127.0.0.1:1/postgres", pid: process.ppid, dataDir: e2eDir }));
    // Without naming a file, each command finds the server of its own PGLITE_DIR.
    const url = (pgliteDir: string) => readDevDatabaseFile(devDatabaseFileFor(pgliteDir))?.url;
    expect(url(devDir)).toBe(socket.url);
    expect(url(e2eDir)).toBe("postgres://postgres@127.0.0.1:1/postgres");
    expect(createDatabaseFromEnv(parseEnv({ NODE_ENV: "test", PGLITE_DIR: devDir })).label).toMatch(/^the dev server's PGlite/);
  });

  test("another process finds the address and works on the same data", async () => {
    const script = join(dir, "other-process.mts");
    await writeFile(
      script,
      `import { createDatabaseFromEnv } from ${JSON.stringify(join(projectRoot(), "app/services/supabase/database.server.ts"))};
       import { parseEnv } from ${JSON.stringify(join(projectRoot(), "app/utils/env.server.ts"))};
       const env = parseEnv({ NODE_ENV: "test", PGLITE_DIR: ${JSON.stringify(join(dir, "must-not-be-opened"))} });
       const db = createDatabaseFromEnv(env, { devDatabaseFile: ${JSON.stringify(file)} });
       await db.transaction(async (tx) => { await tx.query("insert into public.t_shared (who) values ($1)", ["other process"]); });
       const { rows } = await db.query("select count(*)::int4 as n from public.t_shared");
       process.stdout.write(JSON.stringify({ kind: db.kind, label: db.label, n: rows[0].n }));
       await db.close();`,
    );
    const { stdout } = await run(join(projectRoot(), "node_modules/.bin/tsx"), [script], { cwd: projectRoot(), env: { ...process.env, DATABASE_URL: "" } });
    const answer = JSON.parse(stdout) as { kind: string; label: string; n: number };
    expect(answer.kind).toBe("pglite");
    expect(answer.label).toMatch(/^the dev server's PGlite \(pid \d+\) at 127\.0\.0\.1:\d+\/postgres$/);
    expect(answer.n).toBeGreaterThanOrEqual(1);
    expect((await testDb().query("select who from public.t_shared where who = 'other process'")).rows).toHaveLength(1);
    expect(existsSync(join(dir, "must-not-be-opened"))).toBe(false);
  }, 60_000);

  test("the owner's transaction is invisible to socket clients until it ends", async () => {
    const c = await client();
    try {
      const ownerTransaction = testDb()
        .transaction(async (tx) => {
          await tx.query("insert into public.t_shared (who) values ('owner, rolled back')");
          await sleep(150);
          throw new Error("roll back");
        })
        .catch(() => undefined);
      await sleep(20);
      const countDuring = (await c.query<{ n: number }>("select count(*)::int4 as n from public.t_shared where who = 'owner, rolled back'")).rows[0]!.n;
      await ownerTransaction;
      expect(countDuring).toBe(0);
    } finally {
      await c.end();
    }
  });

  test("a socket client's transaction is invisible to the owner, who waits for it to end", async () => {
    const c = await client();
    try {
      await c.query("begin");
      await c.query("insert into public.t_shared (who) values ($1)", ["client, rolled back"]);
      let settled = false;
      const ownerQuery = testDb()
        .query<{ n: number }>("select count(*)::int4 as n from public.t_shared where who = 'client, rolled back'")
        .finally(() => {
          settled = true;
        });
      await sleep(100);
      expect(settled).toBe(false);
      await c.query("rollback");
      expect((await ownerQuery).rows[0]!.n).toBe(0);
    } finally {
      await c.end();
    }
  });

  test("a client that disconnects inside a transaction is rolled back and releases the database", async () => {
    const c = await client();
    await c.query("begin");
    await c.query("insert into public.t_shared (who) values ('abandoned')");
    const ownerQuery = testDb().query<{ n: number }>("select count(*)::int4 as n from public.t_shared where who = 'abandoned'");
    await c.end();
    expect((await ownerQuery).rows[0]!.n).toBe(0);
  });

  test("parallel clients with parameters and the owner all get their own answers", async () => {
    const pool = new pg.Pool({ connectionString: socket.url, max: 4 });
    try {
      const viaSocket = Array.from({ length: 60 }, (_, i) =>
        pool.query<{ v: number; s: string }>("select $1::int4 as v, $2::text as s", [i, `s${i}`]).then((r) => r.rows[0]!.v === i && r.rows[0]!.s === `s${i}`),
      );
      const inProcess = Array.from({ length: 20 }, (_, i) => testDb().query<{ v: number }>("select $1::int4 + 1000 as v", [i]).then((r) => r.rows[0]!.v === i + 1000));
      const transactions = Array.from({ length: 5 }, (_, i) =>
        pool
          .connect()
          .then(async (conn) => {
            try {
              await conn.query("begin");
              await conn.query("insert into public.t_shared (who) values ($1)", [`tx ${i}`]);
              const seen = await conn.query<{ n: number }>("select count(*)::int4 as n from public.t_shared where who like 'tx %'");
              await conn.query("rollback");
              return seen.rows[0]!.n === 1; // only its own uncommitted row
            } finally {
              conn.release();
            }
          }),
      );
      expect(await Promise.all([...viaSocket, ...inProcess, ...transactions])).toEqual(Array(85).fill(true));
    } finally {
      await pool.end();
    }
  }, 60_000);

  test("stopping removes the address file", async () => {
    const second = await startDatabaseSocket({ database: testDb(), file: join(dir, "second.json") }).catch((e: Error) => e);
    expect(second).toBeInstanceOf(Error); // one socket per database
    await socket.stop();
    expect(existsSync(file)).toBe(false);
    socket = (await startDatabaseSocket({ database: testDb(), file }))!;
    expect(existsSync(file)).toBe(true);
  });
});
