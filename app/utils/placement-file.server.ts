/**
 * Reading a lender's placement file without ever holding it in memory (issue 8 item 5;
 * ADR 009). The upload is streamed to a private temporary file (at most
 * MAX_PLACEMENT_FILE_BYTES); the import then reads that file as a stream, twice:
 *
 * 1. `inspectPlacementFile`: the SHA-256, the encoding, the CSV structure and the header,
 *    and how many rows there are, before anything is written to the database;
 * 2. `readPlacementRecords`: the rows again, each with the physical line it starts on.
 *
 * Encoding. A UTF-8 byte-order mark means UTF-8. Otherwise the file is decoded as UTF-8
 * with `fatal: true`; at the first byte sequence that is not UTF-8 the read starts again as
 * Windows-1252 (the superset of Latin-1 that spreadsheets on Windows write, and what
 * browsers mean by "latin1": ISO-8859-1's control range 0x80-0x9F holds € ‘ ’ “ ” there).
 * Valid UTF-8 is almost never meaningful Latin-1 text (é in Latin-1 is a lone 0xE9, which is
 * never valid UTF-8), so the check cannot mistake one for the other in practice.
 * UTF-16 (a BOM, or NUL bytes), spreadsheets (.xlsx, .xls) and other binary files are
 * refused with a message that says what to do.
 *
 * Lines. Line endings (\r\n, \n, a lone \r) become \n before csv-parse sees them, so every
 * line break counts once; a row's line is where it starts: csv-parse's line counter at the
 * end of the row, less the line breaks inside its quoted values. Empty lines are skipped
 * and counted; a row whose cells are all blank (",,,") is treated as an empty line.
 */
import { parse, CsvError } from "csv-parse";
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, rm } from "node:fs/promises";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { unstable_composeUploadHandlers, unstable_createMemoryUploadHandler, unstable_parseMultipartFormData, type UploadHandler } from "@remix-run/node";

/** The largest file accepted: about 1.25 million rows of a typical placement file. */
export const MAX_PLACEMENT_FILE_BYTES = 250 * 1024 * 1024;
/** A row longer than this (a runaway quoted value) stops the read with a clear message. */
export const MAX_PLACEMENT_RECORD_CHARS = 100_000;

export type PlacementEncoding = "utf-8" | "windows-1252";
export type PlacementDelimiter = "," | ";" | "\t";

export const FILE_PROBLEM_CODES = [
  "file_empty",
  "file_too_large",
  "file_binary",
  "file_utf16",
  "file_spreadsheet",
  "file_encoding",
  "file_malformed",
  "file_record_too_large",
  "file_no_rows",
] as const;
export type FileProblemCode = (typeof FILE_PROBLEM_CODES)[number];

/** A problem with the file as a whole; `line` is where reading stopped (1 for the start). */
export class PlacementFileError extends Error {
  constructor(
    readonly code: FileProblemCode,
    readonly line: number,
  ) {
    super(`placement file: ${code} at line ${line}`);
    this.name = "PlacementFileError";
  }
}

class NotUtf8Error extends Error {
  constructor() {
    super("not UTF-8");
    this.name = "NotUtf8Error";
  }
}

// ---------------------------------------------------------------------------------------
// The upload

export interface StoredUpload {
  /** The temporary file (remove it with removeUpload when done). */
  path: string;
  /** The name the browser sent, without folders or control characters. */
  name: string;
  bytes: number;
}

export type PlacementUpload =
  | { ok: true; fields: Record<string, string>; file: StoredUpload | null }
  | { ok: false; reason: "too_large" | "unreadable" };

class UploadTooLargeError extends Error {
  constructor() {
    super("upload too large");
    this.name = "UploadTooLargeError";
  }
}

export function uploadDirectory(): string {
  return join(tmpdir(), "repay-placements");
}

export function cleanFileName(name: string): string {
  const cleaned = basename(name.replace(/\\/g, "/"))
    .replace(/[\p{Cc}\p{Cf}]/gu, "")
    .trim()
    .slice(0, 255);
  return cleaned || "placements.csv";
}

/** Streams `chunks` into a new private temporary file; refuses more than `maxBytes`. */
export async function storeUpload(chunks: AsyncIterable<Uint8Array>, name: string, maxBytes = MAX_PLACEMENT_FILE_BYTES): Promise<StoredUpload> {
  await mkdir(uploadDirectory(), { recursive: true, mode: 0o700 });
  const path = join(uploadDirectory(), `${randomUUID()}.csv`);
  const out = createWriteStream(path, { mode: 0o600 });
  let bytes = 0;
  try {
    for await (const chunk of chunks) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) throw new UploadTooLargeError();
      if (!out.write(chunk)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
    return { path, name: cleanFileName(name), bytes };
  } catch (error) {
    out.destroy();
    await rm(path, { force: true });
    throw error;
  }
}

export async function removeUpload(path: string): Promise<void> {
  await rm(path, { force: true });
}

/**
 * Reads the import form: plain fields in memory (a few hundred bytes each), the `file` part
 * streamed to a temporary file. A body announced or found larger than the limit is refused
 * without being stored.
 */
export async function readPlacementUpload(request: Request, maxBytes = MAX_PLACEMENT_FILE_BYTES): Promise<PlacementUpload> {
  const type = request.headers.get("content-type") ?? "";
  const announced = Number(request.headers.get("content-length") ?? "0");
  // The form's other fields and the multipart framing add a few kilobytes.
  if (Number.isFinite(announced) && announced > maxBytes + 64 * 1024) return { ok: false, reason: "too_large" };
  if (!type.startsWith("multipart/form-data")) {
    try {
      const form = await request.formData();
      return { ok: true, fields: textFields(form), file: null };
    } catch {
      return { ok: false, reason: "unreadable" };
    }
  }
  let stored: StoredUpload | null = null;
  const fileHandler: UploadHandler = async ({ name, filename, data }) => {
    if (name !== "file" || filename === undefined) return undefined;
    const upload = await storeUpload(data, filename, maxBytes);
    if (upload.bytes === 0 && filename === "") {
      await removeUpload(upload.path);
      return undefined;
    }
    if (stored) await removeUpload(stored.path);
    stored = upload;
    return "stored";
  };
  try {
    const form = await unstable_parseMultipartFormData(
      request,
      unstable_composeUploadHandlers(fileHandler, unstable_createMemoryUploadHandler({ maxPartSize: 10_000 })),
    );
    return { ok: true, fields: textFields(form), file: stored };
  } catch (error) {
    const kept = stored as StoredUpload | null;
    if (kept) await removeUpload(kept.path);
    return { ok: false, reason: error instanceof UploadTooLargeError ? "too_large" : "unreadable" };
  }
}

function textFields(form: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value === "string" && name !== "file" && !(name in fields)) fields[name] = value;
  }
  return fields;
}

// ---------------------------------------------------------------------------------------
// Sniffing the start of the file

export interface FileStart {
  /** A problem found in the first bytes, or null. */
  problem: FileProblemCode | null;
  bom: boolean;
  delimiter: PlacementDelimiter;
}

/** Counts a delimiter in a line outside quotes. */
function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) count++;
  }
  return count;
}

/** Looks at the first 64 KB: binary signatures, UTF-16, a BOM, and the delimiter of the first line. */
export async function sniffPlacementFile(path: string): Promise<FileStart> {
  const handle = await open(path, "r");
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  const result = (problem: FileProblemCode | null, delimiter: PlacementDelimiter = ",", bom = false): FileStart => ({ problem, bom, delimiter });
  if (head.length === 0) return result("file_empty");
  if (starts(0xff, 0xfe) || starts(0xfe, 0xff)) return result("file_utf16");
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0xd0, 0xcf, 0x11, 0xe0)) return result("file_spreadsheet");
  if (head.includes(0)) return result(head.indexOf(0) % 2 === 1 || head[0] === 0 ? "file_utf16" : "file_binary");
  const bom = starts(0xef, 0xbb, 0xbf);
  // Delimiters are ASCII, so any single-byte reading finds them.
  const text = head.subarray(bom ? 3 : 0).toString("latin1");
  const firstLine = text.split(/\r\n|\n|\r/).find((line) => line.trim() !== "") ?? "";
  const candidates: PlacementDelimiter[] = [",", ";", "\t"];
  const delimiter = candidates.reduce((best, d) => (countOutsideQuotes(firstLine, d) > countOutsideQuotes(firstLine, best) ? d : best), ",");
  return result(null, delimiter, bom);
}

// ---------------------------------------------------------------------------------------
// Decoding and records

/** Bytes → text (fatal on bad UTF-8), NUL refused, every line break as \n; counts and hashes the bytes. */
class DecodeToLines extends Transform {
  private readonly decoder: TextDecoder;
  private pendingCr = false;
  bytes = 0;

  constructor(
    encoding: PlacementEncoding,
    private readonly hash: ReturnType<typeof createHash> | null,
  ) {
    super({ decodeStrings: true, encoding: "utf8" });
    // ignoreBOM false: a leading UTF-8 BOM is dropped by the decoder.
    this.decoder = new TextDecoder(encoding, { fatal: encoding === "utf-8", ignoreBOM: false });
  }

  private lines(text: string, final: boolean): string {
    let t = (this.pendingCr ? "\r" : "") + text;
    this.pendingCr = false;
    if (!final && t.endsWith("\r")) {
      this.pendingCr = true;
      t = t.slice(0, -1);
    }
    return t.replace(/\r\n?/g, "\n");
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      callback(new NotUtf8Error());
      return;
    }
    if (text.includes("\u0000")) {
      callback(new PlacementFileError("file_binary", 1));
      return;
    }
    callback(null, this.lines(text, false));
  }

  override _flush(callback: TransformCallback): void {
    let text: string;
    try {
      text = this.decoder.decode();
    } catch {
      callback(new NotUtf8Error());
      return;
    }
    callback(null, this.lines(text, true));
  }
}

export interface PlacementRecord {
  cells: string[];
  /** The physical line of the file where the record starts (1-based). */
  line: number;
  /** Bytes of the file read so far (a little ahead of this record), for progress. */
  bytes: number;
}

export interface ReadOptions {
  encoding: PlacementEncoding;
  delimiter: PlacementDelimiter;
  hash?: ReturnType<typeof createHash> | null;
}

function csvProblem(error: CsvError, nextLine: number): PlacementFileError {
  if (error.code === "CSV_MAX_RECORD_SIZE") return new PlacementFileError("file_record_too_large", nextLine);
  return new PlacementFileError("file_malformed", nextLine);
}

/**
 * The file's records in order (the header first), blank ones skipped, each with its start
 * line. Throws PlacementFileError for a file that cannot be read as CSV from some line on,
 * and NotUtf8Error (internal) when `encoding` is utf-8 and the bytes are not.
 */
export async function* readPlacementRecords(path: string, options: ReadOptions): AsyncGenerator<PlacementRecord> {
  const decode = new DecodeToLines(options.encoding, options.hash ?? null);
  const parser = parse({
    delimiter: options.delimiter,
    record_delimiter: "\n",
    skip_empty_lines: true,
    relax_column_count: true,
    info: true,
    max_record_size: MAX_PLACEMENT_RECORD_CHARS,
    bom: false,
  });
  const source = createReadStream(path, { highWaterMark: 256 * 1024 });
  // The pipeline's own failure (a decode or CSV error) is read below from the parser.
  const flowing = pipeline(source, decode, parser).catch((error: unknown) => error);
  let lastLine = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const breaks = item.record.reduce((n, cell) => n + countBreaks(cell), 0);
      const line = item.info.lines - breaks;
      lastLine = item.info.lines;
      if (item.record.every((cell) => cell.trim() === "")) continue;
      yield { cells: item.record, line, bytes: decode.bytes };
    }
  } catch (error) {
    if (error instanceof CsvError) throw csvProblem(error, lastLine + 1);
    throw error;
  } finally {
    source.destroy();
  }
  const failure = await flowing;
  if (failure instanceof CsvError) throw csvProblem(failure, lastLine + 1);
  if (failure instanceof NotUtf8Error || failure instanceof PlacementFileError) throw failure;
  if (failure) throw failure;
}

function countBreaks(cell: string): number {
  let n = 0;
  for (let i = cell.indexOf("\n"); i !== -1; i = cell.indexOf("\n", i + 1)) n++;
  return n;
}

// ---------------------------------------------------------------------------------------
// Pass 1

export type FileInspection =
  | { ok: true; encoding: PlacementEncoding; delimiter: PlacementDelimiter; sha256: string; header: string[]; headerLine: number; rowsTotal: number }
  | { ok: false; code: FileProblemCode; line: number };

/**
 * Reads the whole file once: SHA-256 of its bytes, its encoding (module header), whether it
 * parses as CSV to the end, its header record and how many non-blank rows follow it.
 */
export async function inspectPlacementFile(path: string): Promise<FileInspection> {
  const start = await sniffPlacementFile(path);
  if (start.problem) return { ok: false, code: start.problem, line: 1 };
  const encodings: PlacementEncoding[] = start.bom ? ["utf-8"] : ["utf-8", "windows-1252"];
  for (const encoding of encodings) {
    const hash = createHash("sha256");
    let header: PlacementRecord | null = null;
    let rows = 0;
    try {
      for await (const record of readPlacementRecords(path, { encoding, delimiter: start.delimiter, hash })) {
        if (header === null) header = record;
        else rows++;
      }
    } catch (error) {
      if (error instanceof NotUtf8Error) {
        if (start.bom) return { ok: false, code: "file_encoding", line: 1 };
        continue;
      }
      if (error instanceof PlacementFileError) return { ok: false, code: error.code, line: error.line };
      throw error;
    }
    if (header === null) return { ok: false, code: "file_empty", line: 1 };
    if (rows === 0) return { ok: false, code: "file_no_rows", line: header.line };
    return { ok: true, encoding, delimiter: start.delimiter, sha256: hash.digest("hex"), header: header.cells, headerLine: header.line, rowsTotal: rows };
  }
  return { ok: false, code: "file_encoding", line: 1 };
}
