/**
 * The local stand-in for Supabase's PostgREST, handed to supabase-js as its `fetch`
 * (DESIGN §4): the app's code path is the real SDK in every mode, only the endpoint
 * changes. It answers what the app uses, `/rest/v1/rpc/:fn` by POST (named JSON arguments),
 * GET (query-string arguments, read-only) and HEAD, the way PostgREST does:
 *
 * - the schema comes from Content-Profile (POST) or Accept-Profile (GET/HEAD), default the
 *   first exposed schema; any other schema is PostgREST's 406 PGRST106;
 * - the function is chosen by name and argument names with PostgREST's rules (required
 *   parameters present, no unknown ones, or a single unnamed json/jsonb parameter taking the
 *   whole body); none → 404 PGRST202 with PostgREST's wording and hint, several → 300 PGRST203;
 * - arguments are converted by Postgres itself (`json_to_record` with the parameter types,
 *   as PostgREST does), the call runs in a transaction as `service_role` with PostgREST's
 *   `request.*` settings, read-only for GET/HEAD;
 * - Postgres serializes the result (scalar, json, set of rows → array, composite → object,
 *   void → 204), so PGlite and a real server answer byte for byte alike, and
 *   `Accept: application/vnd.pgrst.object+json` (supabase-js `.single()`) demands one row;
 * - errors become `{code, message, details, hint}` with PostgREST's status mapping
 *   (postgrest-errors.server.ts). Stack traces are logged, never sent.
 *
 * Tables are not served: the `api` schema holds functions only (DESIGN §3).
 */
import { logger } from "~/utils/logger.server";
import { isPostgresError, type Database, type Queryable } from "./database.server";
import {
  ambiguousRpc,
  connectionError,
  failureForDatabaseError,
  internalError,
  invalidBody,
  invalidResourcePath,
  invalidRpcMethod,
  mediaTypeError,
  noRpc,
  notImplemented,
  singularityError,
  tableNotFound,
  unacceptableSchema,
  type PostgrestFailure,
} from "./postgrest-errors.server";

export interface LocalPostgrestOptions {
  /** The exposed schemas (supabase/config.toml `[api] schemas`); the first is the default. */
  schemas?: readonly string[];
}

interface Param {
  name: string;
  type: string;
  required: boolean;
  variadic: boolean;
}

interface Routine {
  params: Param[];
  returnsSet: boolean;
  returnsVoid: boolean;
  returnsComposite: boolean;
}

/** Query-string keys PostgREST reads as operations on the result, which we don't serve. */
const RESERVED_QUERY_KEYS = new Set(["select", "order", "limit", "offset", "columns", "on_conflict", "and", "or", "not"]);

const SINGLE_OBJECT = "application/vnd.pgrst.object+json";

/**
 * The routines of `schema` called `name`, described as PostgREST's schema cache describes
 * them (input parameters in order, required = no default, composite when the return type is
 * a row type or the function has OUT/INOUT/TABLE parameters). Trigger functions and
 * functions with unnamed parameters other than one json/jsonb/text/xml/bytea are left out,
 * as PostgREST leaves them out.
 */
const ROUTINES_SQL = `
  with routines as (
    select p.oid, p.proretset, p.prorettype, p.proargmodes, p.pronargs, p.pronargdefaults,
           coalesce(nullif(t.typbasetype, 0), t.oid) as base_type,
           coalesce((
             select json_agg(json_build_object(
                      'name', coalesce(p.proargnames[a.idx], ''),
                      'type', a.type::pg_catalog.regtype::text,
                      'variadic', coalesce(p.proargmodes[a.idx] = 'v', false)
                    ) order by a.idx)
               from unnest(coalesce(p.proallargtypes, p.proargtypes::pg_catalog.oid[])) with ordinality as a(type, idx)
              where coalesce(p.proargmodes[a.idx], 'i') in ('i', 'b', 'v')
           ), '[]') as params
      from pg_catalog.pg_proc p
      join pg_catalog.pg_namespace n on n.oid = p.pronamespace
      join pg_catalog.pg_type t on t.oid = p.prorettype
     where n.nspname = $1 and p.proname = $2 and p.prokind = 'f'
       and p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype
  )
  select r.params,
         r.pronargs - r.pronargdefaults as required,
         r.proretset as "returnsSet",
         r.prorettype = 'pg_catalog.void'::pg_catalog.regtype as "returnsVoid",
         (bt.typtype = 'c' or coalesce(r.proargmodes::text[] && '{t,b,o}', false)) as "returnsComposite"
    from routines r
    join pg_catalog.pg_type bt on bt.oid = r.base_type`;

const ROUTINE_NAMES_SQL = `
  select n.nspname as schema, p.proname as name
    from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   where n.nspname = any($1::text[]) and p.prokind = 'f'
   group by 1, 2`;

async function loadRoutines(tx: Queryable, schema: string, name: string): Promise<Routine[]> {
  const { rows } = await tx.query<{
    params: { name: string; type: string; variadic: boolean }[];
    required: number;
    returnsSet: boolean;
    returnsVoid: boolean;
    returnsComposite: boolean;
  }>(ROUTINES_SQL, [schema, name]);
  return rows
    .map((row) => ({
      params: row.params.map((p, index) => ({ ...p, required: index < row.required })),
      returnsSet: row.returnsSet,
      returnsVoid: row.returnsVoid,
      returnsComposite: row.returnsComposite,
    }))
    .filter((routine) => {
      const unnamed = routine.params.filter((p) => p.name === "");
      return unnamed.length === 0 || (unnamed.length === 1 && ["bytea", "json", "jsonb", "text", "xml"].includes(unnamed[0]!.type));
    });
}

/** PostgREST's findProc: named-argument matches first, else the single unnamed json parameter. */
function chooseRoutine(
  routines: readonly Routine[],
  keys: ReadonlySet<string>,
  isPost: boolean,
): { routine: Routine; unnamedBody: boolean } | { ambiguous: Routine[] } | null {
  const matches: Routine[] = [];
  const fallbacks: Routine[] = [];
  for (const routine of routines) {
    const required = routine.params.filter((p) => p.required).map((p) => p.name);
    const optional = new Set(routine.params.filter((p) => !p.required).map((p) => p.name));
    const matchesParams =
      routine.params.length === 0
        ? keys.size === 0
        : required.every((name) => keys.has(name)) && [...keys].every((key) => optional.has(key) || required.includes(key));
    const single = routine.params.length === 1 && routine.params[0]!.name === "" && ["json", "jsonb"].includes(routine.params[0]!.type);
    if (matchesParams) matches.push(routine);
    else if (isPost && single) fallbacks.push(routine);
  }
  if (matches.length === 1) return { routine: matches[0]!, unnamedBody: false };
  if (matches.length > 1) return { ambiguous: matches };
  if (fallbacks.length === 1) return { routine: fallbacks[0]!, unnamedBody: true };
  if (fallbacks.length > 1) return { ambiguous: fallbacks };
  return null;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The SQL for one call. Returns the JSON text of the response body (`body`), of its first
 * element (`first`) and the row count (`n`), all computed by Postgres.
 */
function callSql(schema: string, name: string, routine: Routine, keys: ReadonlySet<string>, unnamedBody: boolean): string {
  const fn = `${quoteIdent(schema)}.${quoteIdent(name)}`;
  const used = routine.params.filter((p) => keys.has(p.name));
  let from = "";
  let call: string;
  if (unnamedBody) {
    call = `${fn}($1::${routine.params[0]!.type})`;
  } else if (used.length === 0) {
    call = `${fn}()`;
  } else {
    from = ` from pg_catalog.json_to_record($1::json) as pgrst_args(${used.map((p) => `${quoteIdent(p.name)} ${p.type}`).join(", ")})`;
    call = `${fn}(${used.map((p) => `${p.variadic ? "variadic " : ""}${quoteIdent(p.name)} := pgrst_args.${quoteIdent(p.name)}`).join(", ")})`;
  }
  const join = (source: string) => (from ? `${from}, lateral ${source}` : ` from ${source}`);
  if (routine.returnsVoid) return `select ${call} as done${from}`;
  if (routine.returnsComposite) {
    const rows = `(select * from ${call}) pgrst_t`;
    // A set is an array of objects; a single composite is the object itself.
    const body = routine.returnsSet ? `coalesce(json_agg(pgrst_t), '[]')` : `coalesce(json_agg(pgrst_t) -> 0, 'null')`;
    return `select ${body}::text as body, (json_agg(pgrst_t) -> 0)::text as first, count(*)::int4 as n${join(rows)}`;
  }
  if (routine.returnsSet) {
    const rows = `${call} as pgrst_t(pgrst_scalar)`;
    return `select coalesce(json_agg(pgrst_t.pgrst_scalar), '[]')::text as body, (json_agg(pgrst_t.pgrst_scalar) -> 0)::text as first, count(*)::int4 as n${join(rows)}`;
  }
  return `select coalesce(to_json(${call})::text, 'null') as body, null::text as first, 1 as n${from}`;
}

function failureResponse(failure: PostgrestFailure, method: string): Response {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8", "proxy-status": `PostgREST; error=${failure.body.code}` });
  for (const [name, value] of Object.entries(failure.headers ?? {})) headers.set(name, value);
  return new Response(method === "HEAD" ? null : JSON.stringify(failure.body), { status: failure.status, statusText: failure.statusText, headers });
}

function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code && ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "EAI_AGAIN"].includes(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|The database is closed|PGlite is closed|Client has encountered a connection error/i.test(error.message);
}

/** Which representation the client accepts: an array/value, one object, or nothing we make. */
function negotiate(accept: string | null): "json" | "single" | PostgrestFailure {
  if (!accept) return "json";
  const types = accept
    .split(",")
    .map((part) => part.split(";")[0]!.trim().toLowerCase())
    .filter(Boolean);
  for (const type of types) {
    if (type === SINGLE_OBJECT || type === "application/vnd.pgrst.object") return "single";
    if (type === "application/json" || type === "*/*" || type === "application/*") return "json";
  }
  return mediaTypeError(types);
}

interface CallRequest {
  method: "GET" | "HEAD" | "POST";
  schema: string;
  name: string;
  args: Record<string, unknown>;
  rawBody: string;
  representation: "json" | "single";
  countExact: boolean;
  headers: Headers;
  path: string;
}

function parseRequest(request: Request, url: URL, name: string, bodyText: string, schemas: readonly string[]): CallRequest | PostgrestFailure {
  const method = request.method.toUpperCase();
  if (method !== "GET" && method !== "HEAD" && method !== "POST") return invalidRpcMethod(method);
  const profile = request.headers.get(method === "POST" ? "content-profile" : "accept-profile");
  const schema = profile ?? schemas[0] ?? "api";
  if (!schemas.includes(schema)) return unacceptableSchema(schema, schemas);
  const representation = negotiate(request.headers.get("accept"));
  if (typeof representation !== "string") return representation;

  let args: Record<string, unknown> = {};
  if (method === "POST") {
    if (bodyText.trim() !== "") {
      let body: unknown;
      try {
        body = JSON.parse(bodyText);
      } catch {
        return invalidBody();
      }
      if (Array.isArray(body)) return notImplemented("Calling a function with an array of argument objects is not supported by the local PostgREST stand-in");
      if (typeof body === "object" && body !== null) args = body as Record<string, unknown>;
    }
  }
  for (const key of new Set(url.searchParams.keys())) {
    if (key === "select" && url.searchParams.get(key) === "*") continue;
    if (RESERVED_QUERY_KEYS.has(key)) return notImplemented(`The local PostgREST stand-in does not support the '${key}' query parameter`);
    if (method !== "POST") {
      const values = url.searchParams.getAll(key);
      args[key] = values.length > 1 ? values : values[0];
    } else {
      return notImplemented(`The local PostgREST stand-in does not filter function results ('${key}')`);
    }
  }
  const prefer = request.headers.get("prefer") ?? "";
  return {
    method,
    schema,
    name,
    args,
    rawBody: bodyText.trim() === "" ? "{}" : bodyText,
    representation,
    countExact: /(^|[,\s])count=exact($|[,\s])/.test(prefer),
    headers: request.headers,
    path: url.pathname,
  };
}

/** Thrown inside the transaction so that a refused call leaves nothing behind. */
class RefusedCall extends Error {
  constructor(readonly failure: PostgrestFailure) {
    super(failure.body.message);
  }
}

async function callRoutine(db: Database, call: CallRequest, schemas: readonly string[]): Promise<Response> {
  const keys = new Set(Object.keys(call.args));
  const isPost = call.method === "POST";
  const refuse = (failure: PostgrestFailure): never => {
    throw new RefusedCall(failure);
  };
  const outcome = await db.transaction(async (tx): Promise<Response> => {
    const headers: Record<string, string> = {};
    call.headers.forEach((value, name) => {
      headers[name] = value;
    });
    // What PostgREST sets for every request, then the role switch (service_role: the
    // server's key); GET and HEAD run read-only, as in PostgREST.
    await tx.query(
      `select set_config('search_path', $1, true), set_config('timezone', 'UTC', true),
              set_config('request.jwt.claims', $2, true), set_config('request.method', $3, true),
              set_config('request.path', $4, true), set_config('request.headers', $5, true),
              set_config('request.cookies', '{}', true), set_config('role', 'service_role', true),
              set_config('transaction_read_only', $6, true)`,
      [`${quoteIdent(call.schema)}, "public"`, JSON.stringify({ role: "service_role" }), call.method, call.path, JSON.stringify(headers), isPost ? "off" : "on"],
    );
    const routines = await loadRoutines(tx, call.schema, call.name);
    const chosen = chooseRoutine(routines, keys, isPost);
    if (chosen === null) {
      const { rows } = await tx.query<{ schema: string; name: string }>(ROUTINE_NAMES_SQL, [schemas]);
      return refuse(noRpc({ schema: call.schema, name: call.name, argumentKeys: [...keys], isPost, allRoutines: rows, overloads: routines }));
    }
    if ("ambiguous" in chosen) return refuse(ambiguousRpc(call.schema, call.name, chosen.ambiguous));
    const { routine, unnamedBody } = chosen;
    const sql = callSql(call.schema, call.name, routine, keys, unnamedBody);
    const needsArgs = unnamedBody || routine.params.some((p) => keys.has(p.name));
    const { rows } = await tx.query<{ body?: string; first?: string | null; n?: number }>(sql, needsArgs ? [unnamedBody ? call.rawBody : JSON.stringify(call.args)] : []);
    if (routine.returnsVoid) return new Response(null, { status: 204 });
    const row = rows[0] ?? { body: "null", first: null, n: 0 };
    const count = row.n ?? 0;
    let body = row.body ?? "null";
    if (call.representation === "single" && (routine.returnsSet || routine.returnsComposite)) {
      // PostgREST rolls the call back when the result is not exactly one row.
      if (count !== 1) refuse(singularityError(count));
      body = row.first ?? "null";
    }
    const range = routine.returnsSet || routine.returnsComposite ? (count > 0 ? `0-${count - 1}` : "*") : "0-0";
    return new Response(call.method === "HEAD" ? null : body, {
      status: 200,
      headers: {
        "content-type": `${call.representation === "single" ? SINGLE_OBJECT : "application/json"}; charset=utf-8`,
        "content-range": `${range}/${call.countExact ? count : "*"}`,
      },
    });
  }).catch((error: unknown) => {
    if (error instanceof RefusedCall) return failureResponse(error.failure, call.method);
    throw error;
  });
  return outcome;
}

/**
 * A `fetch` for supabase-js that serves PostgREST's RPC endpoint from `db` (a Database, or
 * a function returning the current one).
 */
export function createLocalPostgrestFetch(db: Database | (() => Database), options: LocalPostgrestOptions = {}): typeof fetch {
  const schemas = options.schemas ?? ["api"];
  const currentDb = typeof db === "function" ? db : () => db;

  async function localFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    try {
      const rpc = /^\/rest\/v1\/rpc\/([^/]+)\/?$/.exec(url.pathname);
      if (!rpc) {
        const table = /^\/rest\/v1\/([^/]+)\/?$/.exec(url.pathname);
        const schema = request.headers.get(method === "GET" || method === "HEAD" ? "accept-profile" : "content-profile") ?? schemas[0] ?? "api";
        return failureResponse(table ? tableNotFound(schema, decodeURIComponent(table[1]!)) : invalidResourcePath(), method);
      }
      const bodyText = method === "GET" || method === "HEAD" ? "" : await request.text();
      const call = parseRequest(request, url, decodeURIComponent(rpc[1]!), bodyText, schemas);
      if (!("args" in call)) return failureResponse(call, method);
      return await callRoutine(currentDb(), call, schemas);
    } catch (error) {
      if (isPostgresError(error)) return failureResponse(failureForDatabaseError(error), method);
      if (isConnectionFailure(error)) {
        logger.warn("local_postgrest_unreachable", { path: url.pathname, error });
        return failureResponse(connectionError(), method);
      }
      logger.error("local_postgrest_failed", { path: url.pathname, error });
      return failureResponse(internalError(), method);
    }
  }

  return localFetch as typeof fetch;
}
