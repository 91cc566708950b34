/**
 * Back to the lender (issue 8 item 6; ADR 009): what the portal recorded for a creditor's
 * accounts over a range of days, as CSV for the lender's own systems. Payments (and refunds,
 * chargebacks, credits), arrangements and every change to them, hardship and dispute
 * outcomes, debt advice pauses, and opt-outs (consents withdrawn). The rows come from
 * append-only records, selected by the day they were recorded in the creditor's time zone,
 * and the range must be days that have ended: the same range gives the same rows in the same
 * order whenever it is asked for (`api.lender_export_rows`). Streamed page by page.
 */
import { z } from "zod";
import { currencyFractionDigits } from "~/domain/placement-row";
import { minorToDecimalString } from "~/domain/money";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";
import { csvHeaders, csvStream } from "~/utils/placement-csv.server";

const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");

const ExportRowSchema = z.object({
  row_id: z.string(),
  recorded_at: z.string(),
  recorded_on: z.iso.date(),
  account_reference: z.string(),
  record_type: z.enum(["payment", "arrangement", "hardship", "dispute", "opt_out"]),
  event: z.string(),
  code: z.string().nullable(),
  amount_minor: Minor.nullable(),
  principal_minor: Minor.nullable(),
  interest_minor: Minor.nullable(),
  fees_minor: Minor.nullable(),
  currency: z.string().nullable(),
  effective_on: z.iso.date().nullable(),
  subject_id: z.uuid().nullable(),
  arrangement_kind: z.string().nullable(),
  frequency: z.string().nullable(),
  total_minor: Minor.nullable(),
  consent_kind: z.string().nullable(),
});
export type ExportRow = z.output<typeof ExportRowSchema>;

const CursorSchema = z.object({ at: z.string(), rank: z.number().int(), key: z.string() });
const PageSchema = z.object({ time_zone: z.string(), rows: z.array(ExportRowSchema), next: CursorSchema.nullable() });

/** The export's columns, in order (ADR 009 says what each holds). */
export const EXPORT_COLUMNS = [
  "row_id",
  "recorded_at",
  "recorded_on",
  "account_reference",
  "record_type",
  "event",
  "code",
  "amount",
  "principal",
  "interest",
  "fees",
  "currency",
  "effective_on",
  "subject_id",
  "arrangement_kind",
  "frequency",
  "arrangement_total",
  "consent_kind",
] as const;

export interface ExportRange {
  creditorId: string;
  /** First and last day (YYYY-MM-DD) in the creditor's zone; the last must have ended. */
  from: string;
  to: string;
}

export const EXPORT_REFUSALS = ["invalid_range", "creditor_not_found", "staff_role"] as const;
export type ExportRefusal = (typeof EXPORT_REFUSALS)[number];

/** Every row of the range, page by page, in the export's order. */
export async function* exportRows(range: ExportRange, pageSize = 2000): AsyncGenerator<ExportRow> {
  let after: z.output<typeof CursorSchema> | null = null;
  for (;;) {
    const page: z.output<typeof PageSchema> = await rpc(
      "lender_export_rows",
      { p_creditor_id: range.creditorId, p_from: range.from, p_to: range.to, p_after: after, p_limit: pageSize },
      PageSchema,
    );
    for (const row of page.rows) yield row;
    if (!page.next) return;
    after = page.next;
  }
}

function decimal(minor: number | null, currency: string | null): string | null {
  if (minor === null) return null;
  return minorToDecimalString(minor, currency ? currencyFractionDigits(currency) : 2);
}

/** An export row as CSV cells, in EXPORT_COLUMNS order. Amounts as decimals in the row's currency (signed: − lowers the balance). */
export function exportCells(row: ExportRow): (string | number | null)[] {
  return [
    row.row_id,
    row.recorded_at,
    row.recorded_on,
    row.account_reference,
    row.record_type,
    row.event,
    row.code,
    decimal(row.amount_minor, row.currency),
    decimal(row.principal_minor, row.currency),
    decimal(row.interest_minor, row.currency),
    decimal(row.fees_minor, row.currency),
    row.currency,
    row.effective_on,
    row.subject_id,
    row.arrangement_kind,
    row.frequency,
    decimal(row.total_minor, row.currency),
    row.consent_kind,
  ];
}

async function* cellsOf(range: ExportRange): AsyncGenerator<(string | number | null)[]> {
  for await (const row of exportRows(range)) yield exportCells(row);
}

/**
 * Checks that this staff member may export this range (supervisor or admin, a known
 * creditor, days that have ended), records the download (audited), and answers with the
 * streamed CSV.
 */
export async function lenderExportResponse(staffId: string, range: ExportRange, failedLine: string): Promise<{ ok: true; response: Response } | { ok: false; reason: ExportRefusal }> {
  try {
    await rpc("record_lender_export", { p_staff_id: staffId, p_creditor_id: range.creditorId, p_from: range.from, p_to: range.to }, z.null());
  } catch (error) {
    if (isRpcError(error) && error.code.startsWith("PT")) {
      const reason = EXPORT_REFUSALS.find((r) => r === error.hint);
      if (reason) return { ok: false, reason };
    }
    throw error;
  }
  const name = `repay-export-${range.from}-to-${range.to}.csv`;
  return { ok: true, response: new Response(csvStream(EXPORT_COLUMNS, cellsOf(range), failedLine), { status: 200, headers: csvHeaders(name) }) };
}
