/**
 * The local PostgREST stand-in, driven by the real supabase-js client (the app's only way to
 * call the database) and, where the wire matters, by raw requests: every result shape,
 * `.single()`, GET and HEAD, and PostgREST's errors with their status codes and wording.
 * The functions under test are created in this file's own database.
 */
import { beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { getSupabase } from "~/services/supabase/client.server";
import { createPostgresDatabase } from "~/services/supabase/database.server";
import { createLocalPostgrestFetch } from "~/services/supabase/local-postgrest.server";
import { execInTransaction, serviceRoleOnly, testDb } from "../setup/db";

const FUNCTIONS = `
create table app.t_things (k text primary key);
create type app.t_person as (id int, name text);

create function api.t_add(a int, b int default 1) returns int language sql security definer set search_path = '' as $$ select a + b $$;
create function api.t_echo(p jsonb) returns jsonb language sql security definer set search_path = '' as $$ select p $$;
create function api.t_series(n int) returns setof int language sql security definer set search_path = '' as $$ select generate_series(1, n) $$;
create function api.t_people() returns table (id int, name text) language sql security definer set search_path = ''
  as $$ values (1, 'Ada'), (2, 'Grace') $$;
create function api.t_person(p_id int) returns app.t_person language sql security definer set search_path = ''
  as $$ select row(p_id, 'Ada')::app.t_person $$;
create function api.t_one_out(p int, out doubled int) language sql security definer set search_path = '' as $$ select p * 2 $$;
create function api.t_noop() returns void language sql security definer set search_path = '' as $$ select $$;
create function api.t_types() returns jsonb language sql security definer set search_path = '' as $$
  select jsonb_build_object('big', 9007199254740993::int8, 'exact', 12.50::numeric, 'at', '2025-03-01 10:30:00+02'::timestamptz, 'day', '2025-03-01'::date)
$$;
create function api.t_instant() returns timestamptz language sql security definer set search_path = '' as $$ select '2025-03-01 10:30:00+02'::timestamptz $$;
create function api.t_nothing() returns int language sql security definer set search_path = '' as $$ select null::int $$;
create function api.t_sum(nums int[]) returns int language sql security definer set search_path = '' as $$ select sum(x)::int from unnest(nums) x $$;
create function api.t_body(jsonb) returns jsonb language sql security definer set search_path = '' as $$ select $1 $$;
create function api.t_raise() returns int language plpgsql security definer set search_path = '' as $$
begin raise exception 'plan is outside policy' using detail = 'last payment after 24 months', hint = 'shorten_plan'; end $$;
create function api.t_custom_status() returns int language plpgsql security definer set search_path = '' as $$
begin raise exception 'pay first' using errcode = 'PT402'; end $$;
create function api.t_custom_code() returns int language plpgsql security definer set search_path = '' as $$
begin raise exception 'link expired' using errcode = 'RP001', hint = 'link_expired'; end $$;
create function api.t_full_control() returns int language plpgsql security definer set search_path = '' as $$
begin raise sqlstate 'PGRST' using message = '{"code":"123","message":"Payment Required","details":"Quota exceeded","hint":"Upgrade"}',
  detail = '{"status":402,"headers":{"X-Powered-By":"Nerd Rage"}}'; end $$;
create function api.t_insert(p_k text) returns text language sql security definer set search_path = '' as $$
  insert into app.t_things (k) values (p_k) returning k $$;
create function api.t_forbidden() returns int language sql security definer set search_path = '' as $$ select 1 $$;
create function api.t_overloaded(a int) returns text language sql security definer set search_path = '' as $$ select 'int' $$;
create function api.t_overloaded(a text) returns text language sql security definer set search_path = '' as $$ select 'text' $$;
create function api.t_whoami() returns jsonb language sql security definer set search_path = '' as $$
  select jsonb_build_object('role', current_setting('role'), 'claims', current_setting('request.jwt.claims', true)::jsonb,
    'method', current_setting('request.method', true), 'read_only', current_setting('transaction_read_only'))
$$;
create function api.t_invoker_whoami() returns text language sql security invoker set search_path = '' as $$ select current_user::text $$;

${[
  "api.t_add(int, int)",
  "api.t_echo(jsonb)",
  "api.t_series(int)",
  "api.t_people()",
  "api.t_person(int)",
  "api.t_one_out(int)",
  "api.t_noop()",
  "api.t_types()",
  "api.t_instant()",
  "api.t_nothing()",
  "api.t_sum(int[])",
  "api.t_body(jsonb)",
  "api.t_raise()",
  "api.t_custom_status()",
  "api.t_custom_code()",
  "api.t_full_control()",
  "api.t_insert(text)",
  "api.t_overloaded(int)",
  "api.t_overloaded(text)",
  "api.t_whoami()",
  "api.t_invoker_whoami()",
]
  .map(serviceRoleOnly)
  .join("\n")}
revoke execute on function api.t_forbidden() from public, anon, authenticated, service_role;
`;

beforeAll(async () => {
  await execInTransaction(FUNCTIONS);
});

const supabase = () => getSupabase();

/** For tests that provoke a logged failure on purpose: keep the run's output clean. */
function silenceLogs(): void {
  const saved = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = "silent";
  onTestFinished(() => {
    if (saved === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = saved;
  });
}

/** A raw request to the stand-in, as supabase-js would send it. */
async function raw(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const fetch = createLocalPostgrestFetch(testDb());
  const response = await fetch(`http://localhost:54321/rest/v1/${path}`, {
    method: "POST",
    ...init,
    headers: { "content-type": "application/json", "content-profile": "api", ...init.headers },
  });
  const text = await response.text();
  return { response, text, json: text ? (JSON.parse(text) as unknown) : undefined };
}

describe("result shapes", () => {
  test("a scalar", async () => {
    const { data, error, status } = await supabase().rpc("t_add", { a: 2, b: 3 });
    expect({ data, error, status }).toEqual({ data: 5, error: null, status: 200 });
  });

  test("optional arguments take their default", async () => {
    expect((await supabase().rpc("t_add", { a: 41 })).data).toBe(42);
  });

  test("json in, json out", async () => {
    const doc = { plan: { payments: [2500, 2500], frequency: "monthly" }, note: "ñ ✓", nothing: null };
    expect((await supabase().rpc("t_echo", { p: doc })).data).toEqual(doc);
  });

  test("Postgres serializes: int8 beyond 2^53 as a JSON number, numeric as written, instants in UTC", async () => {
    const { text } = await raw("rpc/t_types", { body: "{}" });
    expect(JSON.parse(text)).toEqual({ big: 9007199254740992, exact: 12.5, at: "2025-03-01T08:30:00+00:00", day: "2025-03-01" });
    expect(text).toContain("9007199254740993");
    expect(text).toContain("12.50");
    expect((await supabase().rpc("t_instant")).data).toBe("2025-03-01T08:30:00+00:00");
  });

  test("a null scalar is null", async () => {
    expect(await supabase().rpc("t_nothing")).toMatchObject({ data: null, error: null, status: 200 });
  });

  test("a set of scalars is an array, empty when there are no rows", async () => {
    expect((await supabase().rpc("t_series", { n: 3 })).data).toEqual([1, 2, 3]);
    expect((await supabase().rpc("t_series", { n: 0 })).data).toEqual([]);
  });

  test("a table function is an array of objects", async () => {
    expect((await supabase().rpc("t_people")).data).toEqual([
      { id: 1, name: "Ada" },
      { id: 2, name: "Grace" },
    ]);
  });

  test("a composite is an object, as is a function with OUT parameters", async () => {
    expect((await supabase().rpc("t_person", { p_id: 7 })).data).toEqual({ id: 7, name: "Ada" });
    expect((await supabase().rpc("t_one_out", { p: 21 })).data).toEqual({ doubled: 42 });
  });

  test("void answers 204 with no body", async () => {
    expect(await supabase().rpc("t_noop")).toMatchObject({ data: null, error: null, status: 204 });
    const { response, text } = await raw("rpc/t_noop", { body: "{}" });
    expect(response.status).toBe(204);
    expect(text).toBe("");
  });

  test("a function with one unnamed json parameter receives the whole body", async () => {
    expect((await supabase().rpc("t_body", { anything: [1, 2], goes: true })).data).toEqual({ anything: [1, 2], goes: true });
  });

  test("calls run as service_role with PostgREST's settings; POST is read-write", async () => {
    expect((await supabase().rpc("t_whoami")).data).toEqual({
      role: "service_role",
      claims: { role: "service_role" },
      method: "POST",
      read_only: "off",
    });
    expect((await supabase().rpc("t_invoker_whoami")).data).toBe("service_role");
  });
});

describe(".single()", () => {
  test("one row becomes that row", async () => {
    expect((await supabase().rpc("t_series", { n: 1 }).single()).data).toBe(1);
  });

  test("a scalar function is already one value", async () => {
    expect((await supabase().rpc("t_add", { a: 1 }).single()).data).toBe(2);
  });

  test("zero or several rows are PostgREST's 406 PGRST116", async () => {
    const many = await supabase().rpc("t_people").single();
    expect(many.status).toBe(406);
    expect(many.error).toMatchObject({ code: "PGRST116", message: "Cannot coerce the result to a single JSON object", details: "The result contains 2 rows" });
    const none = await supabase().rpc("t_series", { n: 0 }).single();
    expect(none.error).toMatchObject({ code: "PGRST116", details: "The result contains 0 rows" });
  });

  test("a refused .single() call rolls its changes back", async () => {
    const fetch = createLocalPostgrestFetch(testDb());
    await testDb().exec(`create function api.t_insert_two() returns setof text language sql security definer set search_path = '' as $$
      insert into app.t_things (k) values ('single-1'), ('single-2') returning k $$;`);
    const response = await fetch("http://localhost:54321/rest/v1/rpc/t_insert_two", {
      method: "POST",
      headers: { accept: "application/vnd.pgrst.object+json", "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(406);
    expect((await testDb().query("select k from app.t_things where k like 'single-%'")).rows).toEqual([]);
  });
});

describe("GET and HEAD", () => {
  test("GET passes arguments in the query string, arrays included", async () => {
    expect((await supabase().rpc("t_add", { a: 2, b: 3 }, { get: true })).data).toBe(5);
    expect((await supabase().rpc("t_sum", { nums: [1, 2, 3] }, { get: true })).data).toBe(6);
  });

  test("GET runs read-only: a function that writes gets 405", async () => {
    const { error, status } = await supabase().rpc("t_insert", { p_k: "via-get" }, { get: true });
    expect(status).toBe(405);
    expect(error).toMatchObject({ code: "25006" });
    expect((await supabase().rpc("t_whoami", {}, { get: true })).data).toMatchObject({ method: "GET", read_only: "on" });
  });

  test("HEAD with count=exact counts the rows and sends no body", async () => {
    const { data, count, status } = await supabase().rpc("t_series", { n: 4 }, { head: true, count: "exact" });
    expect({ data, count, status }).toEqual({ data: null, count: 4, status: 200 });
  });

  test("Content-Range describes the rows", async () => {
    const { response } = await raw("rpc/t_series", { body: '{"n": 3}', headers: { prefer: "count=exact" } });
    expect(response.headers.get("content-range")).toBe("0-2/3");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });
});

describe("errors", () => {
  test("a raised exception is 400 with message, details and hint", async () => {
    const { data, error, status } = await supabase().rpc("t_raise");
    expect({ data, status }).toEqual({ data: null, status: 400 });
    expect(error).toMatchObject({ code: "P0001", message: "plan is outside policy", details: "last payment after 24 months", hint: "shorten_plan" });
  });

  test("the error body is exactly PostgREST's, and names its code in Proxy-Status", async () => {
    const { response, json } = await raw("rpc/t_custom_code", { body: "{}" });
    expect(response.status).toBe(400);
    expect(response.headers.get("proxy-status")).toBe("PostgREST; error=RP001");
    expect(json).toEqual({ code: "RP001", message: "link expired", details: null, hint: "link_expired" });
  });

  test("ERRCODE PTxyz answers HTTP xyz", async () => {
    const { error, status } = await supabase().rpc("t_custom_status");
    expect(status).toBe(402);
    expect(error).toMatchObject({ code: "PT402", message: "pay first" });
  });

  test("RAISE SQLSTATE 'PGRST' controls the whole response", async () => {
    const { response, json } = await raw("rpc/t_full_control", { body: "{}" });
    expect(response.status).toBe(402);
    expect(response.headers.get("x-powered-by")).toBe("Nerd Rage");
    expect(json).toEqual({ code: "123", message: "Payment Required", details: "Quota exceeded", hint: "Upgrade" });
  });

  test("a unique violation is 409 with Postgres's detail, and nothing is kept", async () => {
    expect((await supabase().rpc("t_insert", { p_k: "dup" })).data).toBe("dup");
    const { error, status } = await supabase().rpc("t_insert", { p_k: "dup" });
    expect(status).toBe(409);
    expect(error).toMatchObject({ code: "23505", details: "Key (k)=(dup) already exists." });
  });

  test("a function service_role may not execute is 403 42501", async () => {
    const { error, status } = await supabase().rpc("t_forbidden");
    expect(status).toBe(403);
    expect(error).toMatchObject({ code: "42501", message: "permission denied for function t_forbidden" });
  });

  test("an unknown function is 404 PGRST202 with PostgREST's wording and a hint", async () => {
    const { error, status } = await supabase().rpc("t_ad", { a: 1 });
    expect(status).toBe(404);
    expect(error).toEqual({
      code: "PGRST202",
      message: "Could not find the function api.t_ad(a) in the schema cache",
      details: "Searched for the function api.t_ad with parameter a or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.",
      hint: "Perhaps you meant to call the function api.t_add",
    });
  });

  test("no arguments and nothing close: no hint", async () => {
    const { error } = await supabase().rpc("zzzz_nothing_like_it");
    expect(error).toEqual({
      code: "PGRST202",
      message: "Could not find the function api.zzzz_nothing_like_it without parameters in the schema cache",
      details: "Searched for the function api.zzzz_nothing_like_it without parameters or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.",
      hint: null,
    });
  });

  test("wrong argument names are 404 PGRST202, hinting the real parameters", async () => {
    const { error, status } = await supabase().rpc("t_add", { a: 1, c: 2 });
    expect(status).toBe(404);
    expect(error).toEqual({
      code: "PGRST202",
      message: "Could not find the function api.t_add(a, c) in the schema cache",
      details: "Searched for the function api.t_add with parameters a, c or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.",
      hint: "Perhaps you meant to call the function api.t_add(a, b)",
    });
    // A missing required argument is the same error; GET has no unnamed-body alternative.
    const missing = await supabase().rpc("t_add", { b: 2 }, { get: true });
    expect(missing.error).toMatchObject({
      code: "PGRST202",
      details: "Searched for the function api.t_add with parameter b, but no matches were found in the schema cache.",
    });
  });

  test("overloads that both fit are PGRST203 (300)", async () => {
    const { error, status } = await supabase().rpc("t_overloaded", { a: "1" });
    expect(status).toBe(300);
    expect(error).toMatchObject({ code: "PGRST203", hint: "Try renaming the parameters or the function itself in the database so function overloading can be resolved" });
    expect(error?.message).toMatch(/^Could not choose the best candidate function between: api\.t_overloaded\(a => (integer|text)\), api\.t_overloaded\(a => (integer|text)\)$/);
  });

  test("a schema that is not exposed is 406 PGRST106", async () => {
    // The client is typed for "api" only; asking for another schema is the point here.
    const { error, status } = await supabase().schema("app" as "api").rpc("t_add", { a: 1 });
    expect(status).toBe(406);
    expect(error).toEqual({ code: "PGRST106", message: "Invalid schema: app", details: null, hint: "Only the following schemas are exposed: api" });
  });

  test("tables are not served", async () => {
    const { error, status } = await supabase().from("accounts").select();
    expect(status).toBe(404);
    expect(error).toMatchObject({ code: "PGRST205", message: "Could not find the table 'api.accounts' in the schema cache" });
  });

  test("invalid JSON is 400 PGRST102", async () => {
    const { response, json } = await raw("rpc/t_add", { body: "{nope" });
    expect(response.status).toBe(400);
    expect(json).toEqual({ code: "PGRST102", message: "Empty or invalid json", details: null, hint: null });
  });

  test("a bad argument value is Postgres's own error", async () => {
    const { error, status } = await supabase().rpc("t_add", { a: "twelve" });
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: "22P02", message: 'invalid input syntax for type integer: "twelve"' });
  });

  test("an unreachable database is 503 PGRST000 with no internals", async () => {
    silenceLogs();
    const dead = createPostgresDatabase("postgres://postgres@127.0.0.1:1/none", { max: 1 });
    try {
      const response = await createLocalPostgrestFetch(dead)("http://localhost:54321/rest/v1/rpc/t_add", { method: "POST", body: '{"a":1}' });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ code: "PGRST000", message: "Database connection error. Retrying the connection.", details: null, hint: null });
    } finally {
      await dead.close();
    }
  });

  test("a failure of our own is 500 without a stack trace", async () => {
    silenceLogs();
    const db = testDb();
    const broken = {
      kind: db.kind,
      label: "a database whose driver has a bug",
      query: db.query.bind(db),
      exec: db.exec.bind(db),
      close: async () => {},
      transaction: async (): Promise<never> => Promise.reject(new TypeError("undefined is not a function")),
    };
    const response = await createLocalPostgrestFetch(broken)("http://localhost:54321/rest/v1/rpc/t_add", { method: "POST", body: '{"a":1}' });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ code: "PGRSTX00", message: "Internal server error", details: null, hint: null });
    expect(text).not.toMatch(/TypeError|at |\.ts/);
  });
});
