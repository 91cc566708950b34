/**
 * PostgREST's error vocabulary, for the local stand-in: the SQLSTATE → HTTP status table,
 * the `{code, message, details, hint}` body, the `RAISE SQLSTATE 'PGRST'` protocol, and the
 * exact wording of the "function not found" (PGRST202), "ambiguous function" (PGRST203)
 * and "schema not exposed" (PGRST106) errors, including PostgREST's fuzzy "Perhaps you
 * meant…" hint. Ported from PostgREST's `src/PostgREST/Error.hs` (mapSQLtoHTTP, NoRpc,
 * noRpcHint) so that code written against the stand-in meets the same errors in production.
 */

export interface PostgrestErrorBody {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

export interface PostgrestFailure {
  status: number;
  statusText?: string;
  body: PostgrestErrorBody;
  headers?: Record<string, string>;
}

/** PostgREST's mapSQLtoHTTP (the caller is always authenticated: service_role). */
export function statusForSqlState(code: string, message = ""): number {
  const two = code.slice(0, 2);
  if (two === "08") return 503;
  if (two === "09") return 500;
  if (two === "0L" || two === "0P") return 403;
  if (code === "23503" || code === "23505") return 409;
  if (code === "25006") return 405;
  if (code === "21000") return message.endsWith("requires a WHERE clause") ? 400 : 500;
  if (code === "22023") return message.startsWith("role") && message.endsWith("does not exist") ? 401 : 400;
  if (two === "25") return 500;
  if (two === "28") return 403;
  if (["2D", "38", "39", "3B", "40"].includes(two)) return 500;
  if (code === "53400") return 500;
  if (two === "53") return 503;
  if (two === "54" || two === "55") return 500;
  if (code === "57P01") return 503;
  if (["57", "58", "F0", "HV"].includes(two)) return 500;
  if (code === "P0001") return 400;
  if (two === "P0" || two === "XX") return 500;
  if (code === "42883") return message.startsWith("function xmlagg(") ? 406 : 404;
  if (code === "42P01") return 404;
  if (code === "42P17") return 500;
  if (code === "42501") return 403;
  if (two === "PT") {
    const status = /^\d{3}$/.test(code.slice(2)) ? Number(code.slice(2)) : NaN;
    return status >= 100 && status <= 599 ? status : 500;
  }
  return 400;
}

/** A reason phrase is one line of visible ASCII; anything else is dropped. */
function reasonPhrase(text: string): string | undefined {
  return /^[\x20-\x7e]{1,200}$/.test(text) ? text : undefined;
}

/**
 * The failure for an error Postgres raised. `RAISE SQLSTATE 'PGRST'` carries the whole
 * response in JSON (message: code/message/details/hint; detail: status/status_text/headers).
 */
export function failureForDatabaseError(error: { code: string; message: string; detail?: string; hint?: string }): PostgrestFailure {
  if (error.code === "PGRST") return failureForRaisePgrst(error.message, error.detail);
  const status = statusForSqlState(error.code, error.message);
  return {
    status,
    statusText: error.code.startsWith("PT") ? reasonPhrase(error.message) : undefined,
    body: { code: error.code, message: error.message, details: error.detail ?? null, hint: error.hint ?? null },
  };
}

function failureForRaisePgrst(message: string, detail: string | undefined): PostgrestFailure {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(message) as Record<string, unknown>;
    if (typeof body !== "object" || body === null || typeof body.code !== "string" || typeof body.message !== "string") throw new Error("shape");
  } catch {
    return pgrst121(`Invalid JSON value for MESSAGE: '${message}'`, "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.");
  }
  if (detail === undefined || detail === "") {
    return pgrst121("DETAIL is missing in the RAISE statement", "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.");
  }
  let response: { status?: unknown; status_text?: unknown; headers?: unknown };
  try {
    response = JSON.parse(detail) as typeof response;
    if (typeof response !== "object" || response === null || typeof response.status !== "number") throw new Error("shape");
  } catch {
    return pgrst121(`Invalid JSON value for DETAIL: '${detail}'`, "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.");
  }
  const headers: Record<string, string> = {};
  if (response.headers && typeof response.headers === "object") {
    for (const [name, value] of Object.entries(response.headers as Record<string, unknown>)) {
      if (typeof value === "string") headers[name] = value;
    }
  }
  return {
    status: response.status as number,
    statusText: typeof response.status_text === "string" ? reasonPhrase(response.status_text) : undefined,
    headers,
    body: {
      code: body.code as string,
      message: body.message as string,
      details: typeof body.details === "string" ? body.details : null,
      hint: typeof body.hint === "string" ? body.hint : null,
    },
  };
}

function pgrst121(details: string, hint: string): PostgrestFailure {
  return {
    status: 500,
    body: { code: "PGRST121", message: `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`, details, hint },
  };
}

export function unacceptableSchema(schema: string, exposed: readonly string[]): PostgrestFailure {
  return {
    status: 406,
    body: { code: "PGRST106", message: `Invalid schema: ${schema}`, details: null, hint: `Only the following schemas are exposed: ${exposed.join(", ")}` },
  };
}

export function singularityError(rows: number): PostgrestFailure {
  return {
    status: 406,
    body: { code: "PGRST116", message: "Cannot coerce the result to a single JSON object", details: `The result contains ${rows} rows`, hint: null },
  };
}

export function mediaTypeError(mediaTypes: readonly string[]): PostgrestFailure {
  return { status: 406, body: { code: "PGRST107", message: `None of these media types are available: ${mediaTypes.join(", ")}`, details: null, hint: null } };
}

export function invalidBody(): PostgrestFailure {
  return { status: 400, body: { code: "PGRST102", message: "Empty or invalid json", details: null, hint: null } };
}

export function invalidRpcMethod(method: string): PostgrestFailure {
  return { status: 405, body: { code: "PGRST101", message: `Cannot use the ${method} method on RPC`, details: null, hint: null } };
}

export function notImplemented(details: string): PostgrestFailure {
  return { status: 400, body: { code: "PGRST127", message: "Feature not implemented", details, hint: null } };
}

export function invalidResourcePath(): PostgrestFailure {
  return { status: 404, body: { code: "PGRST125", message: "Invalid path specified in request URL", details: null, hint: null } };
}

export function tableNotFound(schema: string, table: string): PostgrestFailure {
  return { status: 404, body: { code: "PGRST205", message: `Could not find the table '${schema}.${table}' in the schema cache`, details: null, hint: null } };
}

export function connectionError(): PostgrestFailure {
  return { status: 503, body: { code: "PGRST000", message: "Database connection error. Retrying the connection.", details: null, hint: null } };
}

export function internalError(): PostgrestFailure {
  return { status: 500, body: { code: "PGRSTX00", message: "Internal server error", details: null, hint: null } };
}

export interface RoutineSignature {
  params: readonly { name: string; type: string }[];
}

/** PGRST202: no function of that name takes exactly these argument names. */
export function noRpc(options: {
  schema: string;
  name: string;
  argumentKeys: readonly string[];
  isPost: boolean;
  /** Every function name in the exposed schemas, qualified by schema. */
  allRoutines: readonly { schema: string; name: string }[];
  /** The functions called `name` in `schema`, whose parameters did not match. */
  overloads: readonly RoutineSignature[];
}): PostgrestFailure {
  const keys = [...options.argumentKeys].sort();
  const func = `${options.schema}.${options.name}`;
  const paramList = keys.length === 0 ? " without parameters" : `(${keys.join(", ")})`;
  const paramDetails = keys.length === 0 ? " without parameters" : ` with parameter${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`;
  const details = `Searched for the function ${func}${paramDetails}${options.isPost ? " or with a single unnamed json/jsonb parameter" : ""}, but no matches were found in the schema cache.`;
  return {
    status: 404,
    body: { code: "PGRST202", message: `Could not find the function ${func}${paramList} in the schema cache`, details, hint: noRpcHint(options.schema, options.name, keys, options.allRoutines, options.overloads) },
  };
}

function noRpcHint(
  schema: string,
  name: string,
  keys: readonly string[],
  allRoutines: readonly { schema: string; name: string }[],
  overloads: readonly RoutineSignature[],
): string | null {
  const listToText = (params: readonly string[]) => `(${[...params].sort().join(", ")})`;
  let suggestion: string | undefined;
  if (overloads.length === 0) {
    const names = allRoutines.filter((r) => r.schema === schema).map((r) => r.name);
    suggestion = fuzzyBestMatch(names, name, 0.75);
  } else {
    const signatures = overloads.map((o) => listToText(o.params.map((p) => p.name)));
    const match = fuzzyBestMatch(signatures, listToText(keys), 0.33);
    suggestion = match === undefined ? undefined : `${name}${match}`;
  }
  return suggestion === undefined ? null : `Perhaps you meant to call the function ${schema}.${suggestion}`;
}

/** PGRST203: more than one overload accepts these argument names. */
export function ambiguousRpc(schema: string, name: string, candidates: readonly RoutineSignature[]): PostgrestFailure {
  const list = candidates.map((c) => `${schema}.${name}(${c.params.map((p) => `${p.name} => ${p.type}`).join(", ")})`).join(", ");
  return {
    status: 300,
    body: {
      code: "PGRST203",
      message: `Could not choose the best candidate function between: ${list}`,
      details: null,
      hint: "Try renaming the parameters or the function itself in the database so function overloading can be resolved",
    },
  };
}

// ---------------------------------------------------------------------------------------
// Fuzzy matching as PostgREST's Data.FuzzySet (a port of fuzzyset.js): cosine similarity
// of character n-grams (sizes 3, then 2) to shortlist, Levenshtein similarity to rank.

function normalize(value: string): string {
  return [...value.toLowerCase()].filter((ch) => /[\p{L}\p{N}\s,]/u.test(ch)).join("");
}

function grams(value: string, size: number): Map<string, number> {
  let padded = `-${normalize(value)}-`;
  if (padded.length < size) padded = padded.padEnd(size, "-");
  const counts = new Map<string, number>();
  for (let i = 0; i <= padded.length - size; i++) {
    const gram = padded.slice(i, i + size);
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function norm(counts: Map<string, number>): number {
  let sum = 0;
  for (const count of counts.values()) sum += count * count;
  return Math.sqrt(sum);
}

function levenshtein(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - levenshtein(a, b) / longest;
}

/** The best candidate scoring at least `minScore`, or undefined. */
export function fuzzyBestMatch(candidates: readonly string[], query: string, minScore: number): string | undefined {
  const unique = [...new Set(candidates)];
  const target = normalize(query);
  for (const size of [3, 2]) {
    const queryGrams = grams(query, size);
    const queryNorm = norm(queryGrams);
    const shortlisted: { candidate: string; score: number }[] = [];
    for (const candidate of unique) {
      const candidateGrams = grams(candidate, size);
      let dot = 0;
      for (const [gram, count] of queryGrams) dot += count * (candidateGrams.get(gram) ?? 0);
      if (dot > 0) shortlisted.push({ candidate, score: dot / (queryNorm * norm(candidateGrams)) });
    }
    if (shortlisted.length === 0) continue;
    shortlisted.sort((a, b) => b.score - a.score);
    const ranked = shortlisted
      .slice(0, 50)
      .map(({ candidate }) => ({ candidate, score: similarity(normalize(candidate), target) }))
      .sort((a, b) => b.score - a.score)
      .filter((r) => r.score >= minScore);
    if (ranked.length > 0) return ranked[0]!.candidate;
  }
  return undefined;
}
