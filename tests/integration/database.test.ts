/**
 * The Database layer gives the same JavaScript values and the same transaction behaviour
 * on PGlite and on a real Postgres server: this file runs unchanged against both (plain
 * `npm test`, and again with DATABASE_URL), so passing twice is the parity proof.
 */
import { expect, test } from "vitest";
import { isPostgresError } from "~/services/supabase/database.server";
import { onRealPostgres, testDb } from "../setup/db";

test("types come back the same on every backend", async () => {
  const { rows } = await testDb().query(`
    select 9007199254740991::int8 as big, 42::int4 as int, 1.5::float8 as float,
           '12345678901234567890.01'::numeric as exact,
           '2025-03-01'::date as day, '2025-03-01 10:30:00'::timestamp as local_time,
           '2025-03-01 10:30:00+02'::timestamptz as instant, '1 day 02:00'::interval as span,
           '{"a": [1, 2], "b": null}'::jsonb as doc, '[1, "x"]'::json as list,
           true as yes, '\\x00ff'::bytea as bytes, 'b1a2c3d4-0000-4000-8000-000000000000'::uuid as id,
           array[1, 2]::int8[] as bigs, array[1.10, 2]::numeric[] as exacts, array['2025-01-31', null]::date[] as days,
           array['a b', 'c"d', 'e\\f', null]::text[] as texts, array[array[1, 2], array[3, 4]] as matrix,
           array['{"k": 1}']::jsonb[] as docs, array[]::int4[] as empty,
           null::int8 as nothing`);
  expect(rows[0]).toEqual({
    big: 9007199254740991,
    int: 42,
    float: 1.5,
    exact: "12345678901234567890.01",
    day: "2025-03-01",
    local_time: "2025-03-01 10:30:00",
    instant: new Date("2025-03-01T08:30:00.000Z"),
    span: "1 day 02:00:00",
    doc: { a: [1, 2], b: null },
    list: [1, "x"],
    yes: true,
    bytes: new Uint8Array([0, 255]),
    id: "b1a2c3d4-0000-4000-8000-000000000000",
    bigs: [1, 2],
    exacts: ["1.10", "2"],
    days: ["2025-01-31", null],
    texts: ["a b", 'c"d', "e\\f", null],
    matrix: [
      [1, 2],
      [3, 4],
    ],
    docs: [{ k: 1 }],
    empty: [],
    nothing: null,
  });
});

test("an int8 beyond 2^53 is refused rather than rounded", async () => {
  await expect(testDb().query("select 9007199254740993::int8 as too_big")).rejects.toThrow(RangeError);
});

test("parameters are encoded the same on every backend", async () => {
  const when = new Date("2025-06-01T12:00:00.000Z");
  const { rows } = await testDb().query<Record<string, unknown>>(
    `select $1::int8 as big, $2::timestamptz as at, $3::jsonb as doc, $4::text[] as tags, $5::int4[] as nums,
            $6::boolean as flag, $7::text as nothing, $8::bytea as bytes, $9::date as day`,
    [12345678901n, when, { a: [1, "two"] }, ["x", "y z", 'q"uote', null], [1, 2, 3], false, null, new Uint8Array([1, 2]), "2025-02-28"],
  );
  expect(rows[0]).toEqual({
    big: 12345678901,
    at: when,
    doc: { a: [1, "two"] },
    tags: ["x", "y z", 'q"uote', null],
    nums: [1, 2, 3],
    flag: false,
    nothing: null,
    bytes: new Uint8Array([1, 2]),
    day: "2025-02-28",
  });
});

test("timestamps render in UTC in every session", async () => {
  const { rows } = await testDb().query<{ text: string; zone: string }>(
    "select '2025-03-01 23:30:00+00'::timestamptz::text as text, current_setting('TimeZone') as zone",
  );
  expect(rows[0]!.text).toBe("2025-03-01 23:30:00+00");
  expect(["UTC", "Etc/UTC"]).toContain(rows[0]!.zone);
});

test("rowCount counts returned rows and changed rows", async () => {
  const db = testDb();
  await db.exec("create temporary table t_rows (n int); insert into t_rows select generate_series(1, 3);");
  expect((await db.query("select * from t_rows")).rowCount).toBe(3);
  expect((await db.query("update t_rows set n = n + 1 where n > 1")).rowCount).toBe(2);
  expect((await db.query("delete from t_rows where n > 100")).rowCount).toBe(0);
  await db.exec("drop table t_rows");
});

test("a transaction commits when its function resolves and rolls back when it throws", async () => {
  const db = testDb();
  await db.exec("create table public.t_tx (n int primary key)");
  const result = await db.transaction(async (tx) => {
    await tx.query("insert into public.t_tx values ($1)", [1]);
    return (await tx.query<{ c: number }>("select count(*)::int4 as c from public.t_tx")).rows[0]!.c;
  });
  expect(result).toBe(1);

  await expect(
    db.transaction(async (tx) => {
      await tx.query("insert into public.t_tx values (2)");
      throw new Error("changed my mind");
    }),
  ).rejects.toThrow("changed my mind");

  const error = await db
    .transaction(async (tx) => {
      await tx.query("insert into public.t_tx values (3)");
      await tx.query("insert into public.t_tx values (1)");
    })
    .catch((e: unknown) => e);
  expect(isPostgresError(error) && error.code).toBe("23505");

  expect((await db.query<{ n: number }>("select n from public.t_tx order by n")).rows).toEqual([{ n: 1 }]);
  await db.exec("drop table public.t_tx");
});

test("using the database itself inside its own transaction is refused, not deadlocked", async () => {
  const db = testDb();
  await expect(db.transaction(async () => db.query("select 1"))).rejects.toThrow(/use the tx handle/);
  // …and the database is usable afterwards.
  expect((await db.query<{ one: number }>("select 1 as one")).rows).toEqual([{ one: 1 }]);
});

test("exec runs a script of several statements", async () => {
  const db = testDb();
  await db.exec(`
    create table public.t_script (n int);
    insert into public.t_script values (1), (2);
    do $$ begin insert into public.t_script values (3); end $$;`);
  expect((await db.query<{ s: number }>("select sum(n)::int4 as s from public.t_script")).rows[0]!.s).toBe(6);
  await db.exec("drop table public.t_script");
});

test("errors carry Postgres's code, detail and hint", async () => {
  const error = await testDb()
    .query("do $$ begin raise exception 'no way' using errcode = 'P0001', detail = 'the detail', hint = 'the hint'; end $$")
    .catch((e: unknown) => e);
  expect(isPostgresError(error)).toBe(true);
  expect(error).toMatchObject({ code: "P0001", message: "no way", detail: "the detail", hint: "the hint" });
});

test("the database kind matches the run", () => {
  expect(testDb().kind).toBe(onRealPostgres() ? "postgres" : "pglite");
});
