/**
 * The placement import (issue 8 item 5; ADR 009): a lender's CSV of accounts, read as a
 * stream and written in batches through `api.import_placement_rows`
 * (supabase/migrations/20261128000900_placements.sql).
 *
 * `startPlacementImport` registers the upload (the database checks the staff member's role,
 * the creditor and the as-of date, and that no other import of the creditor is running),
 * then works in the background of this process:
 *   1. reads the file through once (placement-file.server.ts): SHA-256, encoding, CSV
 *      structure, header (app/domain/placement-row.ts). Any problem: the import is
 *      `rejected` with its problems, and nothing was written;
 *   2. reads it again, validating each row with the zod schema of placement-row.ts, and sends
 *      batches of BATCH_ROWS rows (with the problems of the rows that failed, by line) to
 *      the database, one transaction per batch; the next batch is prepared while the
 *      database works on the previous one;
 *   3. ends it `completed` (or `failed` if something broke part-way: the batches before it
 *      stay, and importing the same file again finishes the job, since it is idempotent).
 * The counts grow batch by batch in app.placement_imports; the console page reads them.
 * Memory stays flat whatever the file's size: a stream, one batch being built and one in
 * flight.
 */
import { z } from "zod";
import { stat } from "node:fs/promises";
import {
  checkPlacementHeader,
  PLACEMENT_COLUMNS,
  placementRowSchema,
  validatePlacementRow,
  type PlacementColumn,
  type PlacementRow,
} from "~/domain/placement-row";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";
import { requireUuid } from "~/utils/accounts.server";
import { logger } from "~/utils/logger.server";
import {
  inspectPlacementFile,
  MAX_PLACEMENT_FILE_BYTES,
  readPlacementRecords,
  removeUpload,
  type PlacementDelimiter,
  type PlacementEncoding,
} from "~/utils/placement-file.server";

/**
 * Who may import placements and export to the lender: supervisors and admins. An import
 * changes balances across a portfolio and an export hands the portfolio's activity to the
 * lender; agents work single accounts (ADR 009). The database checks it again.
 */
export const PLACEMENT_ROLES: ("supervisor" | "admin")[] = ["supervisor", "admin"];

/** Rows per database call: big enough to amortize the round trip, small enough to show progress. */
export const BATCH_ROWS = 1000;

const Uuid = z.uuid();
const Count = z.number().int().nonnegative();
const Instant = z.coerce.date();

export const IMPORT_STATUSES = ["checking", "importing", "completed", "rejected", "failed", "interrupted"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export const PlacementImportSchema = z
  .object({
    id: Uuid,
    creditor_id: Uuid,
    creditor_name: z.string(),
    staff_id: Uuid,
    staff_name: z.string(),
    as_of: z.iso.date(),
    file_name: z.string(),
    file_bytes: Count,
    file_sha256: z.string().nullable(),
    encoding: z.enum(["utf-8", "windows-1252"]).nullable(),
    same_file_as: Uuid.nullable(),
    status: z.enum(IMPORT_STATUSES),
    failure_code: z.string().nullable(),
    rows_total: Count.nullable(),
    rows_done: Count,
    rows_created: Count,
    rows_adjusted: Count,
    rows_updated: Count,
    rows_unchanged: Count,
    rows_failed: Count,
    errors_recorded: Count,
    bytes_done: Count,
    created_at: Instant,
    updated_at: Instant,
    finished_at: Instant.nullable(),
  })
  .transform((i) => ({
    id: i.id,
    creditorId: i.creditor_id,
    creditorName: i.creditor_name,
    staffId: i.staff_id,
    staffName: i.staff_name,
    asOf: i.as_of,
    fileName: i.file_name,
    fileBytes: i.file_bytes,
    fileSha256: i.file_sha256,
    encoding: i.encoding,
    /** An earlier import of this creditor with exactly these bytes. */
    sameFileAs: i.same_file_as,
    status: i.status,
    failureCode: i.failure_code,
    rowsTotal: i.rows_total,
    rowsDone: i.rows_done,
    created: i.rows_created,
    adjusted: i.rows_adjusted,
    updated: i.rows_updated,
    unchanged: i.rows_unchanged,
    failed: i.rows_failed,
    errorsRecorded: i.errors_recorded,
    bytesDone: i.bytes_done,
    createdAt: i.created_at,
    updatedAt: i.updated_at,
    finishedAt: i.finished_at,
  }));
export type PlacementImport = z.output<typeof PlacementImportSchema>;

export function isRunning(status: ImportStatus): boolean {
  return status === "checking" || status === "importing";
}

// ---------------------------------------------------------------------------------------
// Creditors

const CreditorSchema = z
  .object({ id: Uuid, name: z.string(), currency: z.string().length(3), region: z.string(), time_zone: z.string(), today: z.iso.date() })
  .transform((c) => ({ id: c.id, name: c.name, currency: c.currency, region: c.region, timeZone: c.time_zone, today: c.today }));
export type PlacementCreditor = z.output<typeof CreditorSchema>;

export async function listPlacementCreditors(): Promise<PlacementCreditor[]> {
  return rpc("placement_creditors", {}, z.array(CreditorSchema), { get: true });
}

// ---------------------------------------------------------------------------------------
// Starting and running

export interface StartImportInput {
  staffId: string;
  creditorId: string;
  /** YYYY-MM-DD: the day whose end the file describes, in the creditor's zone. */
  asOf: string;
  fileName: string;
  /** The file on disk (an upload stored by readPlacementUpload, or a file of a test). */
  path: string;
  /** Delete the file when the import ends (uploads); default false. */
  removeWhenDone?: boolean;
}

export const START_REFUSALS = ["import_running", "invalid_as_of", "creditor_not_found", "file_too_large", "staff_role"] as const;
export type StartRefusal = (typeof START_REFUSALS)[number];

export type StartResult = { ok: true; importId: string; done: Promise<PlacementImport> } | { ok: false; reason: StartRefusal };

const running = new Map<string, Promise<PlacementImport>>();

/** Resolves once every import this process started has ended (tests, shutdown). */
export async function settlePlacementImports(): Promise<void> {
  while (running.size > 0) await Promise.allSettled([...running.values()]);
}

/** Registers the import and starts it in the background; `done` resolves with its end state. */
export async function startPlacementImport(input: StartImportInput): Promise<StartResult> {
  const cleanup = async () => {
    if (input.removeWhenDone) await removeUpload(input.path);
  };
  const { size } = await stat(input.path);
  if (size > MAX_PLACEMENT_FILE_BYTES) {
    await cleanup();
    return { ok: false, reason: "file_too_large" };
  }
  let started: PlacementImport;
  try {
    started = await rpc(
      "begin_placement_import",
      { p_staff_id: Uuid.parse(input.staffId), p_creditor_id: Uuid.parse(input.creditorId), p_as_of: input.asOf, p_file_name: input.fileName, p_file_bytes: size },
      PlacementImportSchema,
    );
  } catch (error) {
    await cleanup();
    if (isRpcError(error) && error.code.startsWith("PT")) {
      const reason = START_REFUSALS.find((r) => r === error.hint);
      if (reason) return { ok: false, reason };
    }
    throw error;
  }
  const creditor = (await listPlacementCreditors()).find((c) => c.id === started.creditorId);
  if (!creditor) throw new Error("the import's creditor disappeared");
  const done = runImport(started, creditor, input.path)
    .catch(async (error: unknown) => {
      logger.error("placement.import_failed", { importId: started.id, error });
      return failImport(started.id, "internal_error");
    })
    .finally(async () => {
      running.delete(started.id);
      await cleanup().catch(() => undefined);
    });
  running.set(started.id, done);
  return { ok: true, importId: started.id, done };
}

/** Starts an import and waits for its end (tests, the benchmark, a command line). */
export async function importPlacementFile(input: StartImportInput): Promise<{ ok: true; import: PlacementImport } | { ok: false; reason: StartRefusal }> {
  const started = await startPlacementImport(input);
  if (!started.ok) return started;
  return { ok: true, import: await started.done };
}

interface Problem {
  line: number;
  column: PlacementColumn | null;
  code: string;
  params: Record<string, string | number>;
  reference?: string;
}

function problemArg(p: Problem): Record<string, unknown> {
  return { line: p.line, column: p.column, code: p.code, params: p.params, ...(p.reference ? { reference: p.reference } : {}) };
}

async function failImport(importId: string, code: string): Promise<PlacementImport> {
  try {
    return await rpc("finish_placement_import", { p_import_id: importId, p_status: "failed", p_failure_code: code, p_errors: [] }, PlacementImportSchema);
  } catch (error) {
    // Already ended (or the database is gone): report what it is now, if it answers.
    logger.warn("placement.fail_not_recorded", { importId, code: isRpcError(error) ? error.code : undefined });
    return getPlacementImport(importId);
  }
}

async function reject(importId: string, code: string, problems: Problem[]): Promise<PlacementImport> {
  return rpc(
    "finish_placement_import",
    { p_import_id: importId, p_status: "rejected", p_failure_code: code, p_errors: problems.map(problemArg) },
    PlacementImportSchema,
  );
}

/** The row as api.import_placement_rows reads it (app.place_account's p_row). */
function rowArg(line: number, row: PlacementRow): Record<string, unknown> {
  const arg: Record<string, unknown> = {
    line,
    reference: row.reference,
    customer_reference: row.customerReference,
    full_name: row.fullName,
    email: row.email,
    phone: row.phone,
    language: row.language,
    time_zone: row.timeZone,
    date_of_birth: row.dateOfBirth,
    postal_code: row.postalCode,
    product: row.product,
    original_creditor: row.originalCreditor,
    opened_on: row.openedOn,
    first_missed_payment_on: row.firstMissedPaymentOn,
    charged_off_on: row.chargedOffOn,
    itemization_date: row.itemizationDate,
    original_amount_minor: row.originalAmountMinor,
    interest_rate_bps: row.interestRateBps,
    principal_minor: row.principalMinor,
    interest_minor: row.interestMinor,
    fees_minor: row.feesMinor,
  };
  // A column the file does not have is left out (the database keeps what it has).
  for (const key of Object.keys(arg)) if (arg[key] === undefined) delete arg[key];
  return arg;
}

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;

const BatchResultSchema = z.object({ created: Count, adjusted: Count, updated: Count, unchanged: Count, failed: Count });

class Batch {
  rows: Record<string, unknown>[] = [];
  problems: Problem[] = [];
  failedRows = 0;
  bytes = 0;

  get size(): number {
    return this.rows.length + this.failedRows;
  }
}

async function runImport(started: PlacementImport, creditor: PlacementCreditor, path: string): Promise<PlacementImport> {
  // Pass 1: nothing is written until the whole file reads and its header is right.
  const inspection = await inspectPlacementFile(path);
  if (!inspection.ok) return reject(started.id, inspection.code, [{ line: inspection.line, column: null, code: inspection.code, params: {} }]);
  const header = checkPlacementHeader(inspection.header);
  if (!header.ok) {
    return reject(
      started.id,
      "header_invalid",
      header.problems.map((p) => ({ line: inspection.headerLine, column: p.column, code: p.code, params: p.params })),
    );
  }
  await rpc(
    "placement_import_checked",
    { p_import_id: started.id, p_file_sha256: inspection.sha256, p_encoding: inspection.encoding, p_rows_total: inspection.rowsTotal },
    PlacementImportSchema,
  );

  // Pass 2.
  await importRows(started.id, path, {
    encoding: inspection.encoding,
    delimiter: inspection.delimiter,
    columns: header.columns,
    schema: placementRowSchema({ asOf: started.asOf, currency: creditor.currency, region: creditor.region }),
  });
  return rpc("finish_placement_import", { p_import_id: started.id, p_status: "completed", p_failure_code: null, p_errors: [] }, PlacementImportSchema);
}

interface RowsOptions {
  encoding: PlacementEncoding;
  delimiter: PlacementDelimiter;
  columns: PlacementColumn[];
  schema: ReturnType<typeof placementRowSchema>;
}

async function importRows(importId: string, path: string, options: RowsOptions): Promise<void> {
  const { columns, schema } = options;
  let batch = new Batch();
  let inflight: Promise<void> | null = null;
  let failure: unknown = null;

  const send = async (b: Batch) => {
    await rpc(
      "import_placement_rows",
      { p_import_id: importId, p_rows: b.rows, p_errors: b.problems.map(problemArg), p_failed_rows: b.failedRows, p_bytes_done: b.bytes },
      BatchResultSchema,
    );
  };
  const flush = async () => {
    const ready = batch;
    batch = new Batch();
    if (inflight) await inflight;
    if (failure) throw failure;
    // One batch in flight while the next is read and checked.
    inflight = send(ready).catch((error: unknown) => {
      failure = error;
    });
  };

  let first = true;
  for await (const record of readPlacementRecords(path, { encoding: options.encoding, delimiter: options.delimiter })) {
    if (first) {
      first = false; // the header
      continue;
    }
    batch.bytes = record.bytes;
    // The row's reference, when it is one, so the lender can find the row in their system.
    const cell = record.cells[columns.indexOf("account_reference")]?.trim();
    const reference = cell && REFERENCE.test(cell) ? cell : undefined;
    if (record.cells.length !== columns.length) {
      batch.failedRows++;
      batch.problems.push({ line: record.line, column: null, code: "column_count", params: { expected: columns.length, got: record.cells.length }, reference });
    } else {
      const cells: Partial<Record<PlacementColumn, string>> = {};
      columns.forEach((column, index) => {
        cells[column] = record.cells[index]!;
      });
      const result = validatePlacementRow(schema, cells);
      if (result.ok) {
        batch.rows.push(rowArg(record.line, result.row));
      } else {
        batch.failedRows++;
        for (const p of result.problems) batch.problems.push({ line: record.line, column: p.column, code: p.code, params: p.params, reference });
      }
    }
    if (batch.size >= BATCH_ROWS) await flush();
  }
  await flush();
  await inflight;
  if (failure) throw failure;
}

// ---------------------------------------------------------------------------------------
// Reading imports

export async function getPlacementImport(importId: string): Promise<PlacementImport> {
  const id = requireUuid(importId);
  try {
    return await rpc("placement_import", { p_import_id: id }, PlacementImportSchema, { get: true });
  } catch (error) {
    if (isRpcError(error) && error.code === "PT404") throw new Response("Not found", { status: 404 });
    throw error;
  }
}

export async function listRecentImports(limit = 20): Promise<PlacementImport[]> {
  return rpc("recent_placement_imports", { p_limit: limit }, z.array(PlacementImportSchema), { get: true });
}

const ImportErrorSchema = z.object({
  seq: z.number().int(),
  line: z.number().int(),
  column: z.enum(PLACEMENT_COLUMNS).nullable(),
  code: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  reference: z.string().nullable(),
});
export type ImportProblem = z.output<typeof ImportErrorSchema>;

/** One page of an import's problems in line order, after problem number `afterSeq`. */
export async function listImportProblems(importId: string, afterSeq = 0, limit = 1000): Promise<ImportProblem[]> {
  const id = requireUuid(importId);
  try {
    return await rpc("placement_import_errors", { p_import_id: id, p_after_seq: afterSeq, p_limit: limit }, z.array(ImportErrorSchema), { get: true });
  } catch (error) {
    if (isRpcError(error) && error.code === "PT404") throw new Response("Not found", { status: 404 });
    throw error;
  }
}

/** Every problem of an import, page by page (for the streamed error report). */
export async function* allImportProblems(importId: string, pageSize = 2000): AsyncGenerator<ImportProblem> {
  let after = 0;
  for (;;) {
    const page = await listImportProblems(importId, after, pageSize);
    for (const problem of page) yield problem;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.seq;
  }
}
