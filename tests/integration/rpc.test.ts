/**
 * `rpc()`, the typed door every caller uses, and `checkHealth()` behind /healthz: results
 * parsed with zod, PostgREST errors turned into RpcError with the right kind, a wrong
 * result shape into RpcResultError, and health that reports rather than throws.
 */
import { copyFile, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { resetSupabase } from "~/services/supabase/client.server";
import { readMigrationFiles } from "~/services/supabase/migrations.server";
import { checkHealth, isRpcError, rpc, RpcError, RpcResultError } from "~/services/supabase/rpc.server";
import { fromProjectRoot, MIGRATIONS_DIR } from "~/services/supabase/paths.server";
import { resetEnvForTests } from "~/utils/env.server";
import { execInTransaction, serviceRoleOnly, testDb } from "../setup/db";

beforeAll(async () => {
  await execInTransaction(`
    create table app.t_rpc_keys (k text primary key);
    create function api.t_rpc_person(p_name text) returns jsonb language sql security definer set search_path = ''
      as $$ select jsonb_build_object('name', p_name, 'balanceMinor', 124050, 'currency', 'USD') $$;
    create function api.t_rpc_refuse() returns int language plpgsql security definer set search_path = '' as $$
      begin raise exception 'plan too long' using detail = 'max 24 months', hint = 'plan_too_long'; end $$;
    create function api.t_rpc_missing() returns int language plpgsql security definer set search_path = '' as $$
      begin raise exception 'account not found' using errcode = 'PT404', hint = 'account_not_found'; end $$;
    create function api.t_rpc_custom() returns int language plpgsql security definer set search_path = '' as $$
      begin raise exception 'link locked' using errcode = 'RL001'; end $$;
    create function api.t_rpc_insert(p_k text) returns text language sql security definer set search_path = ''
      as $$ insert into app.t_rpc_keys values (p_k) returning k $$;
    create function api.t_rpc_double(p int) returns int language sql security definer set search_path = '' as $$ select p * 2 $$;
    create function api.t_rpc_forbidden() returns int language sql security definer set search_path = '' as $$ select 1 $$;
    ${["api.t_rpc_person(text)", "api.t_rpc_refuse()", "api.t_rpc_missing()", "api.t_rpc_custom()", "api.t_rpc_insert(text)", "api.t_rpc_double(int)"].map(serviceRoleOnly).join("\n")}
    revoke execute on function api.t_rpc_forbidden() from public, anon, authenticated, service_role;`);
});

const Person = z.object({ name: z.string(), balanceMinor: z.number().int(), currency: z.literal("USD") });

test("returns the result parsed and typed by the schema", async () => {
  const person = await rpc("t_rpc_person", { p_name: "Alex Rivera" }, Person);
  expect(person).toEqual({ name: "Alex Rivera", balanceMinor: 124050, currency: "USD" });
});

test("a result of the wrong shape is RpcResultError, naming paths and not values", async () => {
  const error = await rpc("t_rpc_person", { p_name: "Alex Rivera" }, Person.extend({ balanceMinor: z.string() })).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RpcResultError);
  expect(error).toMatchObject({ fn: "t_rpc_person" });
  expect((error as RpcResultError).issues[0]?.path).toEqual(["balanceMinor"]);
  expect((error as Error).message).toMatch(/^api\.t_rpc_person returned an unexpected result: balanceMinor: /);
  expect((error as Error).message).not.toContain("Alex");
  expect((error as Error).message).not.toContain("124050");
});

async function failure(fn: string, args: Record<string, unknown> = {}): Promise<RpcError> {
  const error = await rpc(fn, args, z.unknown()).catch((e: unknown) => e);
  if (!(error instanceof RpcError)) throw new Error(`expected an RpcError from ${fn}, got ${String(error)}`);
  return error;
}

describe("errors have a kind", () => {
  test("a raised exception is business, with its details and hint", async () => {
    expect(await failure("t_rpc_refuse")).toMatchObject({
      kind: "business",
      fn: "t_rpc_refuse",
      code: "P0001",
      status: 400,
      details: "max 24 months",
      hint: "plan_too_long",
      message: "api.t_rpc_refuse: plan too long (P0001)",
    });
  });

  test("PT codes and our own SQLSTATEs are business too", async () => {
    expect(await failure("t_rpc_missing")).toMatchObject({ kind: "business", code: "PT404", status: 404, hint: "account_not_found" });
    expect(await failure("t_rpc_custom")).toMatchObject({ kind: "business", code: "RL001", status: 400 });
  });

  test("a unique violation", async () => {
    await rpc("t_rpc_insert", { p_k: "once" }, z.string());
    const error = await failure("t_rpc_insert", { p_k: "once" });
    expect(error).toMatchObject({ kind: "unique_violation", code: "23505", status: 409 });
    expect(isRpcError(error, "unique_violation")).toBe(true);
    expect(isRpcError(error, "business")).toBe(false);
  });

  test("permission denied", async () => {
    expect(await failure("t_rpc_forbidden")).toMatchObject({ kind: "permission_denied", code: "42501", status: 403 });
  });

  test("an unknown function, or known with wrong argument names", async () => {
    expect(await failure("t_rpc_nope")).toMatchObject({ kind: "function_not_found", code: "PGRST202", status: 404 });
    expect(await failure("t_rpc_person", { name: "x" })).toMatchObject({ kind: "function_not_found", code: "PGRST202", status: 404 });
  });

  test("anything else is other, with Postgres's code", async () => {
    expect(await failure("t_rpc_double", { p: 99999999999 })).toMatchObject({ kind: "other", code: "22003", status: 400 });
  });
});

describe("health", () => {
  const temp: string[] = [];
  afterAll(async () => {
    for (const dir of temp) await rm(dir, { recursive: true, force: true });
  });

  test("current when every migration file is applied", async () => {
    const expected = (await readMigrationFiles()).map((m) => m.version);
    expect(await checkHealth()).toEqual({ database: true, migrations: { current: true, applied: expected, expected } });
  });

  test("not current when this build ships a migration the database lacks", async () => {
    const dir = await mkdtemp(join(tmpdir(), "repay-health-"));
    temp.push(dir);
    const real = fromProjectRoot(MIGRATIONS_DIR);
    for (const name of await readdir(real)) await copyFile(join(real, name), join(dir, name));
    await writeFile(join(dir, "29991231235959_from_the_future.sql"), "select 1;");
    const health = await checkHealth({ migrationsDir: dir });
    expect(health.database).toBe(true);
    expect(health.migrations.current).toBe(false);
    expect(health.migrations.expected).toContain("29991231235959");
    expect(health.migrations.applied).not.toContain("29991231235959");
  });

  test("a database without api.health() is reachable but not current", async () => {
    await testDb().exec("alter function api.health() rename to health_renamed_by_test");
    try {
      const health = await checkHealth();
      expect(health).toMatchObject({ database: true, migrations: { current: false, applied: [] } });
    } finally {
      await testDb().exec("alter function api.health_renamed_by_test() rename to health");
    }
  });

  test("an unreachable Supabase is database: false, and rpc() says unreachable", async () => {
    const saved = { url: process.env.SUPABASE_URL, key: process.env.SUPABASE_SERVICE_ROLE_KEY, log: process.env.LOG_LEVEL };
    process.env.SUPABASE_URL = "http://127.0.0.1:1";
    process.env.SUPABASE_SERVICE_ROLE_KEY = "unreachable-test-key";
    process.env.LOG_LEVEL = "silent";
    resetEnvForTests();
    resetSupabase();
    try {
      const error = await failure("health");
      expect(error).toMatchObject({ kind: "unreachable", status: 0, details: null, hint: null });
      const health = await checkHealth();
      expect(health.database).toBe(false);
      expect(health.migrations.current).toBe(false);
    } finally {
      for (const [name, value] of [
        ["SUPABASE_URL", saved.url],
        ["SUPABASE_SERVICE_ROLE_KEY", saved.key],
        ["LOG_LEVEL", saved.log],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      resetEnvForTests();
      resetSupabase();
    }
  });
});
