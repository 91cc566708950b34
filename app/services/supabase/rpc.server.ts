/**
 * How server code calls the database: `rpc("fn", args, Schema)` calls `api.fn` through the
 * supabase-js client (real PostgREST or the local stand-in, the caller can't tell), parses
 * the result with zod and returns it typed. Failures are thrown, never returned:
 *
 * - `RpcError` for anything PostgREST reports, with its `code`, HTTP `status`, `message`,
 *   `details`, `hint` and a `kind` that callers switch on: "business" (the function raised
 *   P0001, a PT### code or a custom SQLSTATE: a rule said no, with a hint to show),
 *   "unique_violation" (23505), "permission_denied" (42501), "function_not_found"
 *   (PGRST202: a deploy without its migration), "unreachable" (no answer), "other";
 * - `RpcResultError` when the answer does not match the schema: the database and this
 *   build disagree, which is a bug to surface, not data to guess at.
 *
 * Messages carry codes and field paths, never argument or result values (personal data).
 * `checkHealth()` backs /healthz and never throws.
 */
import { z } from "zod";
import { logger } from "~/utils/logger.server";
import { requestOrigin } from "~/utils/request-origin.server";
import { getSupabase } from "./client.server";
import { readMigrationFiles } from "./migrations.server";

export type RpcErrorKind = "business" | "unique_violation" | "permission_denied" | "function_not_found" | "unreachable" | "other";

/** SQLSTATE classes defined by PostgreSQL; a code outside them was invented by our schema. */
const STANDARD_SQLSTATE_CLASSES = new Set(
  "00 01 02 03 08 09 0A 0B 0F 0L 0P 0Z 20 21 22 23 24 25 26 27 28 2B 2D 2F 34 38 39 3B 3D 3F 40 42 44 53 54 55 57 58 72 F0 HV P0 XX".split(" "),
);

/** PostgREST's own codes meaning it got no usable connection to the database. */
const UNREACHABLE_CODES = new Set(["PGRST000", "PGRST001", "PGRST002", "PGRST003"]);

function kindFor(code: string, status: number): RpcErrorKind {
  if (status === 0 || UNREACHABLE_CODES.has(code) || code.startsWith("08")) return "unreachable";
  if (code === "PGRST202") return "function_not_found";
  if (code === "23505") return "unique_violation";
  if (code === "42501") return "permission_denied";
  if (code === "P0001" || code.startsWith("PT")) return "business";
  if (/^[0-9A-Z]{5}$/.test(code) && !STANDARD_SQLSTATE_CLASSES.has(code.slice(0, 2))) return "business";
  return "other";
}

export class RpcError extends Error {
  readonly kind: RpcErrorKind;

  constructor(
    /** The function name, without the schema. */
    readonly fn: string,
    /** SQLSTATE (e.g. P0001, 23505, PT404) or PostgREST code (PGRST202); "" when unreachable. */
    readonly code: string,
    /** The HTTP status PostgREST answered; 0 when there was no answer. */
    readonly status: number,
    message: string,
    readonly details: string | null,
    readonly hint: string | null,
  ) {
    super(`api.${fn}: ${message}${code ? ` (${code})` : ""}`);
    this.name = "RpcError";
    this.kind = kindFor(code, status);
  }
}

/** The function answered, but not in the shape this build expects. */
export class RpcResultError extends Error {
  constructor(
    readonly fn: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    const summary = issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length ? issue.path.join(".") : "(result)"}: ${issue.message}`)
      .join("; ");
    super(`api.${fn} returned an unexpected result: ${summary}`);
    this.name = "RpcResultError";
  }
}

/** The header that carries the request's origin (HMAC of the client IP) to the database. */
export const ORIGIN_HEADER = "x-repay-origin";

export interface RpcOptions {
  /** Call with GET (read-only transaction), as supabase-js `{ get: true }`. */
  get?: boolean;
}

/** Calls `api.<fn>` with named arguments and returns the result parsed by `schema`. */
export async function rpc<S extends z.ZodType>(fn: string, args: Record<string, unknown>, schema: S, options: RpcOptions = {}): Promise<z.output<S>> {
  let call = getSupabase().rpc(fn, args, options.get ? { get: true } : undefined);
  // "From where" for any audit event this call writes (app/utils/request-origin.server.ts).
  const origin = requestOrigin();
  if (origin) call = call.setHeader(ORIGIN_HEADER, origin);
  const { data, error, status } = await call;
  if (error) {
    // With no answer at all, supabase-js puts the fetch error's stack in `details`: drop it.
    const unanswered = status === 0;
    throw new RpcError(fn, error.code ?? "", status, error.message, unanswered ? null : (error.details ?? null), unanswered ? null : (error.hint ?? null));
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new RpcResultError(fn, parsed.error.issues);
  return parsed.data;
}

export function isRpcError(error: unknown, kind?: RpcErrorKind): error is RpcError {
  return error instanceof RpcError && (kind === undefined || error.kind === kind);
}

export interface Health {
  /** The database answered (even if with an error). */
  database: boolean;
  migrations: {
    /** Every migration file of this build is applied. */
    current: boolean;
    /** Versions the database reports as applied (from `api.health()`). */
    applied: string[];
    /** Versions of the migration files this build ships. */
    expected: string[];
  };
}

const HealthResultSchema = z.object({ migrations: z.array(z.string()) });

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RpcError("health", "", 0, `no answer within ${ms} ms`, null, null)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Is the database reachable, and are this build's migrations applied? Compares what
 * `api.health()` reports with the files in supabase/migrations. Never throws.
 */
export async function checkHealth(options: { migrationsDir?: string; timeoutMs?: number } = {}): Promise<Health> {
  let expected: string[] = [];
  try {
    expected = (await readMigrationFiles({ dir: options.migrationsDir })).map((file) => file.version);
  } catch (error) {
    logger.warn("health_migrations_unreadable", { error });
  }
  let database = false;
  let applied: string[] = [];
  try {
    applied = (await withTimeout(rpc("health", {}, HealthResultSchema), options.timeoutMs ?? 5000)).migrations;
    database = true;
  } catch (error) {
    // A database that answers with an error (no api.health yet, unexpected shape) is
    // reachable but not current; only no answer at all means unreachable.
    database = error instanceof RpcResultError || (error instanceof RpcError && error.kind !== "unreachable");
    if (!database) logger.warn("health_database_unreachable", { code: error instanceof RpcError ? error.code : undefined });
  }
  const current = database && expected.every((version) => applied.includes(version));
  return { database, migrations: { current, applied, expected } };
}
