/**
 * One set of result-type parsers and one parameter encoder for both database drivers, so a
 * query returns the same JavaScript values on PGlite (tests, laptops) and on node-postgres
 * (a real server). Left alone they differ: PGlite turns int8 into a number and `date` into a
 * Date at UTC midnight, while `pg` returns int8 as a string and `date` as a Date at *local*
 * midnight, which shifts calendar dates by a day west of Greenwich.
 *
 * The choice, written down once:
 * - int2/int4/oid/float → number; int8 → number, and a RangeError instead of a silently
 *   rounded value beyond ±2^53 (amounts are integer cents: that is ±90 trillion dollars)
 * - numeric → string (exact; parse it with the domain's money code, never parseFloat)
 * - timestamptz → Date (an instant, the same whatever the session time zone)
 * - date, timestamp (without zone), time, timetz, interval → the text Postgres prints
 *   (`2025-03-01`): calendar values must not pass through a JS Date
 * - json/jsonb → parsed value; bool → boolean; bytea → Uint8Array
 * - arrays of all of these → arrays of the same; other types (uuid, text, enums) → string,
 *   and arrays of types not listed (enums, domains) → the array literal text
 *
 * RPC results never go through these parsers: the PostgREST stand-in asks Postgres for JSON
 * text and hands it over untouched, exactly as PostgREST does.
 */

export type TypeParser = (text: string) => unknown;

const identity: TypeParser = (text) => text;

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`int8 value ${text} is outside the safe integer range; cast it to text or numeric in SQL`);
  }
  return value;
}

function parseBool(text: string): boolean {
  return text === "t" || text === "true";
}

function parseBytea(text: string): Uint8Array {
  if (text.startsWith("\\x")) return Uint8Array.from(Buffer.from(text.slice(2), "hex"));
  // Escape format (bytea_output = 'escape'): let Node decode the octal escapes.
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") {
      if (text[i + 1] === "\\") {
        bytes.push(0x5c);
        i += 1;
      } else {
        bytes.push(parseInt(text.slice(i + 1, i + 4), 8));
        i += 3;
      }
    } else {
      bytes.push(text.charCodeAt(i));
    }
  }
  return Uint8Array.from(bytes);
}

type ArrayValue = unknown[];

/**
 * Parses a Postgres array literal (`{1,2,NULL}`, `{"a b","c\"d"}`, `{{1,2},{3,4}}`,
 * `[0:1]={1,2}`), applying `element` to every non-null element.
 */
export function parseArrayLiteral(text: string, element: TypeParser = identity): ArrayValue {
  let i = 0;
  if (text[0] === "[") {
    const eq = text.indexOf("=");
    if (eq >= 0) i = eq + 1;
  }
  const delimiter = ",";

  function parseLevel(): ArrayValue {
    // text[i] === "{"
    i += 1;
    const out: ArrayValue = [];
    if (text[i] === "}") {
      i += 1;
      return out;
    }
    for (;;) {
      if (text[i] === "{") {
        out.push(parseLevel());
      } else if (text[i] === '"') {
        i += 1;
        let value = "";
        while (i < text.length && text[i] !== '"') {
          if (text[i] === "\\") i += 1;
          value += text[i] ?? "";
          i += 1;
        }
        i += 1; // closing quote
        out.push(element(value));
      } else {
        let end = i;
        while (end < text.length && text[end] !== delimiter && text[end] !== "}") end += 1;
        const raw = text.slice(i, end);
        i = end;
        out.push(raw === "NULL" ? null : element(raw));
      }
      if (text[i] === delimiter) {
        i += 1;
        continue;
      }
      if (text[i] === "}") {
        i += 1;
        return out;
      }
      throw new SyntaxError(`Malformed array literal: ${text.slice(0, 40)}`);
    }
  }

  if (text[i] !== "{") throw new SyntaxError(`Malformed array literal: ${text.slice(0, 40)}`);
  return parseLevel();
}

const arrayOf =
  (element: TypeParser): TypeParser =>
  (text) =>
    parseArrayLiteral(text, element);

const scalarParsers: Record<number, TypeParser> = {
  16: parseBool,
  17: parseBytea,
  20: parseInt8,
  21: Number,
  23: Number,
  26: Number,
  700: parseFloat,
  701: parseFloat,
  1700: identity,
  114: (text) => JSON.parse(text),
  3802: (text) => JSON.parse(text),
  1082: identity,
  1083: identity,
  1114: identity,
  1184: (text) => new Date(text),
  1186: identity,
  1266: identity,
};

/** OID of the array type → OID of its element type, for every element type above plus strings. */
const arrayElements: Record<number, number> = {
  1000: 16,
  1001: 17,
  1016: 20,
  1005: 21,
  1007: 23,
  1028: 26,
  1021: 700,
  1022: 701,
  1231: 1700,
  199: 114,
  3807: 3802,
  1182: 1082,
  1183: 1083,
  1115: 1114,
  1185: 1184,
  1187: 1186,
  1270: 1266,
  // text[], varchar[], bpchar[], "char"[], name[], uuid[], inet[], cidr[], macaddr[]
  1009: 25,
  1015: 1043,
  1014: 1042,
  1002: 18,
  1003: 19,
  2951: 2950,
  1041: 869,
  651: 650,
  1040: 829,
};

/** Every parser by type OID; types not listed stay as the text Postgres sent. */
export const typeParsers: Readonly<Record<number, TypeParser>> = (() => {
  const all: Record<number, TypeParser> = { ...scalarParsers };
  for (const [arrayOid, elementOid] of Object.entries(arrayElements)) {
    all[Number(arrayOid)] = arrayOf(scalarParsers[elementOid] ?? identity);
  }
  return all;
})();

export function parserFor(oid: number): TypeParser {
  return typeParsers[oid] ?? identity;
}

/** A value ready for either driver: text, null, or raw bytes. */
export type EncodedParam = string | Uint8Array | null;

function quoteArrayElement(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (Array.isArray(value)) return encodeArray(value);
  const encoded = encodeParam(value);
  const text = encoded instanceof Uint8Array ? `\\x${Buffer.from(encoded).toString("hex")}` : (encoded ?? "");
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function encodeArray(values: readonly unknown[]): string {
  return `{${values.map(quoteArrayElement).join(",")}}`;
}

/**
 * Encodes one query parameter the same way for both drivers: Dates as ISO instants, arrays
 * as array literals, plain objects as JSON, bigint and numbers as decimal text.
 */
export function encodeParam(value: unknown): EncodedParam {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return encodeArray(value);
  return JSON.stringify(value);
}
