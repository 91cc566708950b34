/**
 * The server's supabase-js client, the only way app code reaches Supabase (DESIGN §1.6).
 * With SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY it talks to real Supabase; without them
 * the very same client gets a `fetch` that serves PostgREST's RPC endpoint in-process from
 * `getDatabase()` (local-postgrest.server.ts), so nothing above this module knows which.
 *
 * The client is for schema `api` only, keeps no session (it is a server acting with the
 * service role, never a signed-in user) and refreshes no tokens. supabase-js 2.119 wants a
 * native WebSocket when it is created, which Node 20 lacks (STACK §4): the app does not use
 * Realtime, so the transport is Node's WebSocket when present and otherwise one that
 * refuses to connect.
 *
 * One client per process, kept on `globalThis` like the database (Vite's SSR graph loads
 * this module a second time in development).
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { getEnv } from "~/utils/env.server";
import { getDatabase, type Database } from "./database.server";
import { createLocalPostgrestFetch } from "./local-postgrest.server";

/**
 * Without generated types (`supabase gen types` needs Docker, STACK §13) every function is
 * typed loosely here; `rpc()` in rpc.server.ts parses each result with zod instead.
 */
type LooseApiSchema = {
  Tables: Record<string, never>;
  Views: Record<string, never>;
  Functions: Record<string, { Args: Record<string, unknown>; Returns: unknown }>;
  Enums: Record<string, never>;
  CompositeTypes: Record<string, never>;
};
export type RepayDatabaseTypes = { api: LooseApiSchema };
export type RepaySupabaseClient = SupabaseClient<RepayDatabaseTypes, "api">;

/** Where supabase-js sends requests in local mode; nothing listens there, the fetch answers. */
export const LOCAL_SUPABASE_URL = "http://localhost:54321";
/** A fixed, obviously fake key: the local stand-in checks no key. */
export const LOCAL_SUPABASE_KEY = "local-service-role-key-not-a-secret";

class RealtimeDisabled {
  constructor() {
    throw new Error("Supabase Realtime is not used by Repay");
  }
}

function realtimeTransport() {
  return (globalThis as { WebSocket?: unknown }).WebSocket ? undefined : (RealtimeDisabled as unknown as typeof WebSocket);
}

function create(url: string, key: string, fetchImpl?: typeof fetch): RepaySupabaseClient {
  const transport = realtimeTransport();
  return createClient<RepayDatabaseTypes, "api">(url, key, {
    db: { schema: "api" },
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: transport ? { transport } : {},
    global: fetchImpl ? { fetch: fetchImpl } : {},
  });
}

/** A client whose requests are answered in-process from `db` (tests use this directly). */
export function createLocalSupabase(db: Database | (() => Database)): RepaySupabaseClient {
  return create(LOCAL_SUPABASE_URL, LOCAL_SUPABASE_KEY, createLocalPostgrestFetch(db));
}

const store = globalThis as unknown as { __repaySupabase?: RepaySupabaseClient };

export function getSupabase(): RepaySupabaseClient {
  if (!store.__repaySupabase) {
    const env = getEnv();
    store.__repaySupabase = env.local.supabase
      ? // Resolve the database per request, so a test or a reset swaps it underneath.
        createLocalSupabase(() => getDatabase())
      : create(env.SUPABASE_URL!, env.SUPABASE_SERVICE_ROLE_KEY!);
  }
  return store.__repaySupabase;
}

/** Forgets the process's client; the next getSupabase() builds one from the environment. */
export function resetSupabase(): void {
  store.__repaySupabase = undefined;
}
