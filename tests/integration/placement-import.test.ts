/**
 * The placement import and the export back to the lender (issue 8 items 5-6; ADR 009),
 * through the real engine (streamed file, zod rows, api functions over supabase-js) and the
 * console routes: the same file twice leaves the same state, byte for byte; bad rows are
 * reported with their physical lines while the good ones import; UTF-8 with a BOM, Latin-1,
 * quoted newlines, empty lines, duplicate references and wrong headers; a changed balance
 * becomes an adjustment; the as-of rule with a portal payment after the as-of date; the
 * export gives the same rows twice; supervisors and admins only.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { action as exportAction, loader as exportLoader } from "~/routes/ops.export";
import { loader as exportCsvLoader } from "~/routes/ops.export[.]csv";
import { action as importAction, loader as importLoader } from "~/routes/ops.import";
import { loader as reportLoader } from "~/routes/ops.import.$importId.errors[.]csv";
import { exportRows } from "~/utils/lender-export.server";
import { uploadDirectory } from "~/utils/placement-file.server";
import { importPlacementFile, listImportProblems, settlePlacementImports, type PlacementImport } from "~/utils/placement-import.server";
import { addDays, today } from "../setup/dates";
import { testDb } from "../setup/db";
import { call, context, req, type Jar } from "../setup/routes";
import { signInStaff, STAFF } from "../setup/staff";

const CREDITOR = "c0000000-0000-4000-8000-000000000001";
const SUPERVISOR = "e0000000-0000-4000-8000-000000000002";
const AGENT = "e0000000-0000-4000-8000-000000000001";
const FIXTURES = join(import.meta.dirname, "..", "fixtures", "placements");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "repay-placement-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A copy of a fixture (or of given text), so tests never touch the originals. */
async function file(nameOrText: string, { text = false } = {}): Promise<string> {
  const path = join(dir, `${randomUUID()}.csv`);
  await writeFile(path, text ? nameOrText : await readFile(join(FIXTURES, nameOrText)));
  return path;
}

async function run(path: string, { asOf = addDays(today(), -1), staffId = SUPERVISOR, fileName = "placements.csv" } = {}): Promise<PlacementImport> {
  const result = await importPlacementFile({ staffId, creditorId: CREDITOR, asOf, fileName, path });
  if (!result.ok) throw new Error(`import refused: ${result.reason}`);
  return result.import;
}

interface LedgerRow {
  account_id: string;
  kind: string;
  principal_minor: number;
  interest_minor: number;
  fees_minor: number;
  effective_on: string;
  reason_code: string | null;
}

/** Every ledger entry of the given references, in posting order, as text (for byte-for-byte comparison). */
async function ledgerOf(prefix: string): Promise<string> {
  const { rows } = await testDb().query<LedgerRow & { id: string; reference: string }>(
    `select l.id, a.reference, l.kind, l.principal_minor::int, l.interest_minor::int, l.fees_minor::int,
            l.effective_on::text as effective_on, l.reason_code, l.external_ref, l.entry_no::int
       from app.ledger_entries as l join app.accounts as a on a.id = l.account_id
      where a.reference like $1 order by l.entry_no`,
    [`${prefix}%`],
  );
  return JSON.stringify(rows);
}

async function stateOf(prefix: string): Promise<string> {
  const { rows } = await testDb().query(
    `select a.id, a.reference, a.product, a.original_creditor, a.opened_on::text, a.first_missed_payment_on::text,
            a.charged_off_on::text, a.original_amount_minor::int, a.interest_rate_bps, a.itemization_date::text, a.status,
            b.id as borrower_id, b.full_name, b.email, b.phone, b.language, b.time_zone, b.identity_check_kind,
            b.date_of_birth::text, b.postal_code
       from app.accounts as a join app.borrowers as b on b.id = a.borrower_id
      where a.reference like $1 order by a.reference`,
    [`${prefix}%`],
  );
  return JSON.stringify(rows);
}

async function balance(reference: string): Promise<{ principal: number; interest: number; fees: number; total: number }> {
  const { rows } = await testDb().query<{ principal: number; interest: number; fees: number; total: number }>(
    `select coalesce(sum(l.principal_minor), 0)::int as principal, coalesce(sum(l.interest_minor), 0)::int as interest,
            coalesce(sum(l.fees_minor), 0)::int as fees, coalesce(sum(l.amount_minor), 0)::int as total
       from app.accounts as a left join app.ledger_entries as l on l.account_id = a.id
      where a.reference = $1 and a.creditor_id = $2`,
    [reference, CREDITOR],
  );
  return rows[0]!;
}

async function problems(importId: string) {
  return (await listImportProblems(importId)).map((p) => ({ line: p.line, column: p.column, code: p.code, params: p.params }));
}

describe("placement import", () => {
  test("a new file creates borrowers, accounts and opening entries; the same file again changes nothing, byte for byte", async () => {
    const path = await file("good.csv");
    const first = await run(path, { fileName: "good.csv" });
    expect(first).toMatchObject({ status: "completed", rowsTotal: 3, rowsDone: 3, created: 3, failed: 0, encoding: "utf-8", fileName: "good.csv", sameFileAs: null });
    expect(first.fileSha256).toMatch(/^[0-9a-f]{64}$/);

    expect(await balance("PL-1001")).toEqual({ principal: 210_000, interest: 15_025, fees: 3_500, total: 228_525 });
    expect(await balance("PL-1002")).toEqual({ principal: 110_000, interest: 4_510, fees: 0, total: 114_510 });
    const { rows: accounts } = await testDb().query<Record<string, unknown>>(
      `select a.reference, a.product, a.original_creditor, a.interest_rate_bps, a.itemization_date::text, a.original_amount_minor::int,
              b.full_name, b.email, b.phone, b.language, b.time_zone, b.identity_check_kind, b.postal_code, b.id as borrower_id
         from app.accounts as a join app.borrowers as b on b.id = a.borrower_id where a.reference like 'PL-100%' order by a.reference`,
    );
    expect(accounts[0]).toMatchObject({ reference: "PL-1001", product: "personal_loan", interest_rate_bps: 2499, itemization_date: addDays(today(), -1), original_amount_minor: 250_000, full_name: "Ana Ruiz", email: "ana.ruiz@example.com", phone: "+12125550110", language: "es", time_zone: "America/New_York", identity_check_kind: "date_of_birth" });
    expect(accounts[1]).toMatchObject({ reference: "PL-1002", original_creditor: "Contoso Bank", email: "ben.ode@example.net", language: "en", time_zone: "America/New_York", identity_check_kind: "postal_code", postal_code: "10001", interest_rate_bps: 1990 });
    // The same customer reference: one borrower with two accounts.
    expect(accounts[2]!.borrower_id).toBe(accounts[0]!.borrower_id);

    const ledger = await ledgerOf("PL-100");
    const state = await stateOf("PL-100");
    const again = await run(await file("good.csv"), { fileName: "good-again.csv" });
    expect(again).toMatchObject({ status: "completed", created: 0, adjusted: 0, updated: 0, unchanged: 3, failed: 0, sameFileAs: first.id });
    expect(await ledgerOf("PL-100")).toBe(ledger);
    expect(await stateOf("PL-100")).toBe(state);

    // One audit event per import: ids and counts only.
    const { rows: audit } = await testDb().query<{ action: string; actor_id: string; metadata: Record<string, unknown> }>(
      "select action, actor_id, metadata from app.audit_events where subject_kind = 'placement_import' and subject_id = any($1::uuid[]) order by event_no",
      [[first.id, again.id]],
    );
    expect(audit.map((a) => a.action)).toEqual(["placement.completed", "placement.completed"]);
    expect(audit[0]).toMatchObject({ actor_id: SUPERVISOR, metadata: { creditor_id: CREDITOR, rows_created: 3, rows_total: 3, as_of: addDays(today(), -1) } });
    expect(JSON.stringify(audit)).not.toMatch(/Ana|ruiz|PL-1001|good\.csv/i);
  });

  test("bad rows are reported with their lines and codes; the good ones import; a later duplicate reference is refused", async () => {
    const result = await run(await file("bad-rows.csv"));
    expect(result).toMatchObject({ status: "completed", rowsTotal: 7, rowsDone: 7, created: 2, failed: 5 });
    expect(await problems(result.id)).toEqual([
      { line: 3, column: "email", code: "email_invalid", params: {} },
      { line: 3, column: "opened_on", code: "date_ambiguous", params: { month_first: "2024-03-04", day_first: "2024-04-03" } },
      { line: 4, column: "principal_balance", code: "amount_negative", params: {} },
      { line: 5, column: null, code: "column_count", params: { expected: 10, got: 11 } },
      { line: 7, column: "account_reference", code: "reference_invalid", params: {} },
      { line: 7, column: "full_name", code: "required", params: {} },
      { line: 7, column: "date_of_birth", code: "date_two_digit_year", params: {} },
      { line: 8, column: "account_reference", code: "duplicate_reference", params: { first_line: 2 } },
    ]);
    // The first PL-5001 stands; the duplicate's 1,200 did not overwrite or adjust it.
    expect(await balance("PL-5001")).toMatchObject({ total: 100_000 });
    expect(await balance("PL-5005")).toMatchObject({ principal: 100_050, total: 100_050 });
    const { rows } = await testDb().query("select reference from app.accounts where reference in ('PL-5002', 'PL-5003', 'PL-5004')");
    expect(rows).toEqual([]);
  });

  test("UTF-8 with a byte-order mark and CRLF, and Latin-1 with semicolons, keep their accents", async () => {
    const bom = await run(await file("bom-crlf.csv"));
    expect(bom).toMatchObject({ status: "completed", encoding: "utf-8", created: 2, failed: 0 });
    const latin = await run(await file("latin1-semicolon.csv"));
    expect(latin).toMatchObject({ status: "completed", encoding: "windows-1252", created: 2, failed: 0 });
    const { rows } = await testDb().query<{ reference: string; full_name: string; opened_on: string; date_of_birth: string }>(
      `select a.reference, b.full_name, a.opened_on::text, b.date_of_birth::text from app.accounts as a join app.borrowers as b on b.id = a.borrower_id
        where a.reference in ('PL-2001', 'PL-2002', 'PL-3001', 'PL-3002') order by a.reference`,
    );
    expect(rows).toEqual([
      { reference: "PL-2001", full_name: "Chloé Dubois", opened_on: "2024-03-04", date_of_birth: "1990-02-03" },
      { reference: "PL-2002", full_name: "Zoë Ng", opened_on: "2024-03-05", date_of_birth: "1975-01-31" },
      { reference: "PL-3001", full_name: "José Muñoz", opened_on: "2024-02-01", date_of_birth: "1970-07-08" },
      { reference: "PL-3002", full_name: "François Léger €", opened_on: "2024-02-02", date_of_birth: "1966-12-24" },
    ]);
  });

  test("quoted newlines and empty lines count in the line numbers", async () => {
    const result = await run(await file("quoted-newlines.csv"));
    expect(result).toMatchObject({ status: "completed", rowsTotal: 3, created: 2, failed: 1 });
    // Line 1 header, 2 empty, 3-5 PL-4001 (a value over three lines), 6-7 empty,
    // 8-9 PL-4002, 10 blank cells, 11 PL-4003.
    expect(await problems(result.id)).toEqual([{ line: 11, column: "postal_code", code: "postal_code_invalid", params: {} }]);
    const { rows } = await testDb().query("select a.original_creditor, b.full_name from app.accounts as a join app.borrowers as b on b.id = a.borrower_id where a.reference in ('PL-4001','PL-4002') order by a.reference");
    expect(rows).toEqual([
      { original_creditor: "Contoso Bank of the West", full_name: "Dee Park" },
      { original_creditor: null, full_name: "Eli Stone" },
    ]);
  });

  test("wrong headers are all reported at line 1 before any row is written", async () => {
    const before = await testDb().query("select count(*)::int as n from app.accounts");
    const result = await run(await file("wrong-headers.csv"));
    expect(result).toMatchObject({ status: "rejected", failureCode: "header_invalid", rowsDone: 0, created: 0 });
    expect(await problems(result.id)).toEqual([
      { line: 1, column: null, code: "header_unknown_column", params: { header: "ful_name", position: 2, suggestion: "full_name" } },
      { line: 1, column: null, code: "header_unknown_column", params: { header: "emial", position: 3, suggestion: "email" } },
      { line: 1, column: null, code: "header_unknown_column", params: { header: "favourite_colour", position: 9 } },
      { line: 1, column: "account_reference", code: "header_duplicate_column", params: { position: 10 } },
      { line: 1, column: "full_name", code: "header_missing_column", params: {} },
      { line: 1, column: "fees_balance", code: "header_missing_column", params: {} },
      { line: 1, column: null, code: "header_identity_column", params: {} },
    ]);
    expect(await testDb().query("select count(*)::int as n from app.accounts")).toEqual(before);
  });

  test("files that are not CSV text, and a quote never closed, are refused before any row is written", async () => {
    const zip = await run(await file("PK\u0003\u0004rest-of-a-workbook", { text: true }));
    expect(zip).toMatchObject({ status: "rejected", failureCode: "file_spreadsheet" });
    const utf16 = join(dir, "utf16.csv");
    await writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("account_reference\r\n", "utf16le")]));
    expect(await run(utf16)).toMatchObject({ status: "rejected", failureCode: "file_utf16" });
    const header = "account_reference,full_name,postal_code,product,opened_on,original_amount,principal_balance,interest_balance,fees_balance\n";
    const open = await run(await file(`${header}PL-7001,Amy Oh,94110,personal_loan,2024-01-01,10,10,0,0\nPL-7002,"Bo Yu,94110,personal_loan,2024-01-01,10,10,0,0\n`, { text: true }));
    expect(open).toMatchObject({ status: "rejected", failureCode: "file_malformed", created: 0 });
    expect(await problems(open.id)).toEqual([{ line: 3, column: null, code: "file_malformed", params: {} }]);
    expect(await balance("PL-7001")).toMatchObject({ total: 0 });
    expect(await run(await file(header, { text: true }))).toMatchObject({ status: "rejected", failureCode: "file_no_rows" });
    expect(await run(await file("", { text: true }))).toMatchObject({ status: "rejected", failureCode: "file_empty" });
  });
});

describe("never half a row", () => {
  test("a row the tables refuse as a whole batch is placed row by row: the others import, the refused one leaves nothing", async () => {
    const { rpc } = await import("~/services/supabase/rpc.server");
    const { z } = await import("zod");
    const begun = await rpc("begin_placement_import", { p_staff_id: SUPERVISOR, p_creditor_id: CREDITOR, p_as_of: addDays(today(), -1), p_file_name: "direct.csv", p_file_bytes: 10 }, z.object({ id: z.uuid() }));
    await rpc("placement_import_checked", { p_import_id: begun.id, p_file_sha256: "a".repeat(64), p_encoding: "utf-8", p_rows_total: 3 }, z.object({ id: z.uuid() }));
    const row = (line: number, reference: string, email: string) => ({
      line, reference, full_name: "Row Test", email, postal_code: "94110", product: "personal_loan",
      opened_on: "2024-01-01", original_amount_minor: 1000, principal_minor: 1000, interest_minor: 0, fees_minor: 0,
    });
    // The zod schema lower-cases emails; the table refuses one that is not (check violation).
    const counts = await rpc(
      "import_placement_rows",
      { p_import_id: begun.id, p_rows: [row(2, "PL-HALF-1", "a@example.com"), row(3, "PL-HALF-2", "Not.Lower@Example.com"), row(4, "PL-HALF-3", "c@example.com")], p_errors: [], p_failed_rows: 0, p_bytes_done: 10 },
      z.record(z.string(), z.number()),
    );
    expect(counts).toEqual({ created: 2, adjusted: 0, updated: 0, unchanged: 0, failed: 1 });
    expect(await problems(begun.id)).toEqual([{ line: 3, column: null, code: "row_not_accepted", params: { sqlstate: "23514" } }]);
    const { rows } = await testDb().query("select a.reference from app.accounts as a where a.reference like 'PL-HALF-%' order by 1");
    expect(rows).toEqual([{ reference: "PL-HALF-1" }, { reference: "PL-HALF-3" }]);
    const { rows: borrowers } = await testDb().query("select count(*)::int as n from app.borrowers where email = 'Not.Lower@Example.com'");
    expect(borrowers).toEqual([{ n: 0 }]);
    await rpc("finish_placement_import", { p_import_id: begun.id, p_status: "completed" }, z.object({ status: z.literal("completed") }));
  });
});

describe("balances over time", () => {
  const header = "account_reference,full_name,postal_code,product,opened_on,original_amount,principal_balance,interest_balance,fees_balance\n";
  const row = (ref: string, p: string, i: string, f: string) => `${ref},Cy Ng,94110,personal_loan,2024-01-10,"1,000.00",${p},${i},${f}\n`;

  test("a changed balance becomes one adjustment entry, never an overwrite; an older file is refused for that account", async () => {
    const d3 = addDays(today(), -3);
    const d2 = addDays(today(), -2);
    await run(await file(header + row("PL-8001", "1000", "50", "25"), { text: true }), { asOf: d3 });
    const changed = await run(await file(header + row("PL-8001", "1000", "62.50", "0"), { text: true }), { asOf: d2 });
    expect(changed).toMatchObject({ adjusted: 1, created: 0 });
    expect(await balance("PL-8001")).toEqual({ principal: 100_000, interest: 6_250, fees: 0, total: 106_250 });
    const { rows } = await testDb().query<Record<string, unknown>>(
      `select l.kind, l.principal_minor::int, l.interest_minor::int, l.fees_minor::int, l.amount_minor::int, l.effective_on::text, l.reason_code
         from app.ledger_entries as l join app.accounts as a on a.id = l.account_id where a.reference = 'PL-8001' order by l.entry_no`,
    );
    expect(rows).toEqual([
      { kind: "principal", principal_minor: 100_000, interest_minor: 0, fees_minor: 0, amount_minor: 100_000, effective_on: d3, reason_code: "placement_opening" },
      { kind: "interest", principal_minor: 0, interest_minor: 5_000, fees_minor: 0, amount_minor: 5_000, effective_on: d3, reason_code: "placement_opening" },
      { kind: "fee", principal_minor: 0, interest_minor: 0, fees_minor: 2_500, amount_minor: 2_500, effective_on: d3, reason_code: "placement_opening" },
      { kind: "adjustment", principal_minor: 0, interest_minor: 1_250, fees_minor: -2_500, amount_minor: -1_250, effective_on: d2, reason_code: "placement_adjustment" },
    ]);
    const stale = await run(await file(header + row("PL-8001", "1", "0", "0"), { text: true }), { asOf: d3 });
    expect(await problems(stale.id)).toEqual([{ line: 2, column: null, code: "stale_as_of", params: { as_of: d2 } }]);
    expect(await balance("PL-8001")).toMatchObject({ total: 106_250 });
  });

  test("facts that move with time are updated without touching the money; a column the file lacks is left alone", async () => {
    const d3 = addDays(today(), -3);
    const d2 = addDays(today(), -2);
    const withFacts = "account_reference,full_name,postal_code,product,opened_on,original_amount,principal_balance,interest_balance,fees_balance,first_missed_payment_on,interest_rate\n";
    await run(await file(`${withFacts}PL-8101,Di Fu,94110,personal_loan,2024-01-10,1000,900,0,0,2025-01-05,19.99\n`, { text: true }), { asOf: d3 });
    const ledger = await ledgerOf("PL-8101");
    // Cured (no missed payment) and re-priced; the same balance.
    const cured = await run(await file(`${withFacts}PL-8101,Di Fu,94110,personal_loan,2024-01-10,1000,900,0,0,,17.5\n`, { text: true }), { asOf: d2 });
    expect(cured).toMatchObject({ updated: 1, adjusted: 0, unchanged: 0 });
    // A file without those columns leaves them as they are.
    const plain = await run(await file(header + row("PL-8101", "900", "0", "0").replace("1,000.00", "1000"), { text: true }), { asOf: d2 });
    expect(plain).toMatchObject({ unchanged: 1 });
    const { rows } = await testDb().query("select first_missed_payment_on, interest_rate_bps from app.accounts where reference = 'PL-8101'");
    expect(rows).toEqual([{ first_missed_payment_on: null, interest_rate_bps: 1750 }]);
    expect(await ledgerOf("PL-8101")).toBe(ledger);
  });

  test("the as-of rule: a portal payment after the as-of date is not counted twice when the lender's balance arrives without it", async () => {
    const d5 = addDays(today(), -5);
    const d2 = addDays(today(), -2);
    const d1 = addDays(today(), -1);
    await run(await file(header + row("PL-9001", "1000", "50", "25"), { text: true }), { asOf: d5 });
    const { rows } = await testDb().query<{ id: string }>("select id from app.accounts where reference = 'PL-9001'");
    const accountId = rows[0]!.id;
    // The borrower pays $100.00 in the portal two days ago: fees, then interest, then principal.
    await testDb().query(
      `insert into app.ledger_entries (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency, effective_on, external_ref, reason_code, created_at)
       values ($1, 'payment', -2500, -5000, -2500, -10000, 'USD', $2, 'pi_test_asof_9001', 'payment_received', $2::date + time '12:00')`,
      [accountId, d2],
    );
    expect(await balance("PL-9001")).toMatchObject({ total: 97_500 });

    // A file as of three days ago (before the payment) still shows $1,075.00: no change.
    const before = await run(await file(header + row("PL-9001", "1000", "50", "25"), { text: true }), { asOf: addDays(today(), -3) });
    expect(before).toMatchObject({ unchanged: 1, adjusted: 0 });
    expect(await balance("PL-9001")).toEqual({ principal: 97_500, interest: 0, fees: 0, total: 97_500 });

    // A file as of yesterday has the payment applied by the lender: still no change.
    const after = await run(await file(header + row("PL-9001", "975", "0", "0"), { text: true }), { asOf: d1 });
    expect(after).toMatchObject({ unchanged: 1, adjusted: 0 });

    // A file as of yesterday that still says $1,075.00: the lender knew of the payment (it is
    // dated before the as-of date) and says it is owed: one adjustment puts it back.
    const disagrees = await run(await file(header + row("PL-9001", "1000", "50", "25"), { text: true }), { asOf: d1 });
    expect(disagrees).toMatchObject({ adjusted: 1 });
    expect(await balance("PL-9001")).toEqual({ principal: 100_000, interest: 5_000, fees: 2_500, total: 107_500 });
  });

  test("a file whose as-of date has not ended, another creditor's import at once, and an agent are refused", async () => {
    const path = await file("good.csv");
    expect(await importPlacementFile({ staffId: SUPERVISOR, creditorId: CREDITOR, asOf: today(), fileName: "x.csv", path })).toEqual({ ok: false, reason: "invalid_as_of" });
    expect(await importPlacementFile({ staffId: AGENT, creditorId: CREDITOR, asOf: addDays(today(), -1), fileName: "x.csv", path })).toEqual({ ok: false, reason: "staff_role" });
    expect(await importPlacementFile({ staffId: SUPERVISOR, creditorId: randomUUID(), asOf: addDays(today(), -1), fileName: "x.csv", path })).toEqual({ ok: false, reason: "creditor_not_found" });
  });

  test("one import per creditor at a time; one that stopped moving 15 minutes ago is marked interrupted, with its audit event", async () => {
    const { rows } = await testDb().query<{ id: string }>(
      `insert into app.placement_imports (creditor_id, staff_id, as_of, file_name, file_bytes, status, file_sha256, encoding, rows_total, updated_at)
       values ($1, $2, current_date - 1, 'stuck.csv', 100, 'importing', repeat('b', 64), 'utf-8', 10, now()) returning id`,
      [CREDITOR, SUPERVISOR],
    );
    const stuck = rows[0]!.id;
    const path = await file("good.csv");
    expect(await importPlacementFile({ staffId: SUPERVISOR, creditorId: CREDITOR, asOf: addDays(today(), -1), fileName: "x.csv", path })).toEqual({ ok: false, reason: "import_running" });
    await testDb().query("update app.placement_imports set updated_at = now() - interval '16 minutes' where id = $1", [stuck]);
    expect(await run(path)).toMatchObject({ status: "completed" });
    const { rows: after } = await testDb().query("select status, failure_code from app.placement_imports where id = $1", [stuck]);
    expect(after).toEqual([{ status: "interrupted", failure_code: "interrupted" }]);
    const { rows: audit } = await testDb().query("select actor_kind, action from app.audit_events where subject_id = $1", [stuck]);
    expect(audit).toEqual([{ actor_kind: "system", action: "placement.interrupted" }]);
  });
});

// ---------------------------------------------------------------------------------------
// The console's routes

describe("console routes", () => {
  const importPage = (jar: Jar | undefined, query = "") => call(() => importLoader({ request: req(`/ops/import${query}`, { jar }), params: {}, context }));
  const upload = (jar: Jar | undefined, fields: Record<string, string>, content?: string | Buffer, language = "en") => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    if (content !== undefined) form.set("file", new File([typeof content === "string" ? content : new Uint8Array(content)], "lender-file.csv", { type: "text/csv" }));
    const request = new Request("http://localhost:3000/ops/import", { method: "POST", body: form, headers: { "Accept-Language": language, ...(jar ? { Cookie: jar.header() } : {}) } });
    return call(() => importAction({ request, params: {}, context }));
  };
  const report = (jar: Jar | undefined, importId: string, language = "en") =>
    call(() => reportLoader({ request: req(`/ops/import/${importId}/errors.csv`, { jar, language }), params: { importId }, context }));
  const exportCsv = (jar: Jar | undefined, query: string) => call(() => exportCsvLoader({ request: req(`/ops/export.csv?${query}`, { jar }), params: {}, context }));

  test("signed out: every import and export route sends to the console's sign-in; an agent gets 403 on each", async () => {
    const id = randomUUID();
    for (const outcome of [
      await importPage(undefined),
      await upload(undefined, {}),
      await report(undefined, id),
      await call(() => exportLoader({ request: req("/ops/export"), params: {}, context })),
      await call(() => exportAction({ request: req("/ops/export", { method: "POST", form: {} }), params: {}, context })),
      await exportCsv(undefined, "creditor=x"),
    ]) {
      expect(outcome.status).toBe(302);
      expect(outcome.headers.get("Location")).toBe("/ops/sign-in");
    }
    const agent = await signInStaff(STAFF.agent.email);
    const before = await testDb().query("select count(*)::int as n from app.placement_imports");
    for (const outcome of [
      await importPage(agent),
      await upload(agent, { creditor: CREDITOR, asOf: addDays(today(), -1) }, await readFile(join(FIXTURES, "good.csv"))),
      await report(agent, id),
      await call(() => exportLoader({ request: req("/ops/export", { jar: agent }), params: {}, context })),
      await call(() => exportAction({ request: req("/ops/export", { method: "POST", form: { creditor: CREDITOR }, jar: agent }), params: {}, context })),
      await exportCsv(agent, `creditor=${CREDITOR}&from=${addDays(today(), -3)}&to=${addDays(today(), -1)}`),
    ]) {
      expect(outcome.status).toBe(403);
    }
    expect(await testDb().query("select count(*)::int as n from app.placement_imports")).toEqual(before);
  });

  test("a supervisor uploads a file with bad rows: the page lists each problem with its line, and the report has them all, in English or Spanish", async () => {
    const jar = await signInStaff(STAFF.supervisor.email);
    const page = await importPage(jar);
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({ creditors: [{ id: CREDITOR, name: "Northwind Lending" }], defaultAsOf: addDays(today(), -1), selected: null });

    const content = (await readFile(join(FIXTURES, "bad-rows.csv"), "utf8")).replace(/PL-50/g, "PR-50");
    const sent = await upload(jar, { creditor: CREDITOR, asOf: addDays(today(), -1) }, content);
    expect(sent.status).toBe(303);
    const location = sent.headers.get("Location")!;
    expect(location).toMatch(/^\/ops\/import\?id=[0-9a-f-]{36}$/);
    await settlePlacementImports();
    const importId = location.split("=")[1]!;

    const result = await importPage(jar, `?id=${importId}`);
    expect(result.data).toMatchObject({ selected: { status: "completed", statusText: "Finished", running: false, percent: 100, fileName: "lender-file.csv", counts: { created: "2", failed: "5" } } });
    const shown = (result.data as { problems: { line: number; column: string | null; message: string }[] }).problems;
    expect(shown.slice(0, 2)).toEqual([
      expect.objectContaining({ line: 3, column: "email", message: "email is not an email address." }),
      expect.objectContaining({ line: 3, column: "opened_on", message: "opened_on could be 2024-03-04 (month first) or 2024-04-03 (day first). Write it as YYYY-MM-DD." }),
    ]);
    expect(shown.at(-1)).toMatchObject({ line: 8, message: "This account reference was already imported from line 2 of this file. This row was not imported." });

    const csv = await report(jar, importId);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("Content-Disposition")).toBe(`attachment; filename="placement-errors-${importId}.csv"`);
    const text = await (await reportResponse(jar, importId)).text();
    const lines = text.replace(/^\uFEFF/, "").trimEnd().split("\r\n");
    expect(lines[0]).toBe("line,account_reference,column,code,problem");
    expect(lines).toHaveLength(9);
    expect(lines[1]).toBe("3,PR-5002,email,email_invalid,email is not an email address.");
    expect(lines[4]).toBe("5,PR-5004,,column_count,The row has 11 values; the first row names 10 columns.");
    const spanish = await (await reportResponse(jar, importId, "es")).text();
    expect(spanish).toContain("3,PR-5002,email,email_invalid,email no es una dirección de correo electrónico.");

    // Another creditor's id in the URL, or none at all: 404.
    expect((await report(jar, randomUUID())).status).toBe(404);
    expect((await importPage(jar, "?id=nope")).status).toBe(404);
  });

  test("bad form input is a 400 with a translated message and nothing is imported", async () => {
    const jar = await signInStaff(STAFF.admin.email);
    const before = await testDb().query("select count(*)::int as n from app.placement_imports");
    const good = await readFile(join(FIXTURES, "good.csv"));
    expect(await upload(jar, { creditor: CREDITOR, asOf: addDays(today(), -1) })).toMatchObject({ status: 400, data: { errors: { file: "Choose the placement file." } } });
    expect(await upload(jar, { creditor: CREDITOR, asOf: today() }, good)).toMatchObject({
      status: 400,
      data: { errors: { asOf: "The as-of date must be a day that has ended: yesterday or earlier in the lender's time zone." } },
    });
    expect(await upload(jar, { creditor: CREDITOR, asOf: "03/04/2026" }, good)).toMatchObject({ status: 400, data: { errors: { asOf: expect.stringContaining("two ways") } } });
    expect(await upload(jar, { creditor: randomUUID(), asOf: addDays(today(), -1) }, good, "es")).toMatchObject({ status: 400, data: { errors: { creditor: "Elija el prestamista." } } });
    expect(await testDb().query("select count(*)::int as n from app.placement_imports")).toEqual(before);
  });

  test("the export gives the same rows in the same order twice, page by page or at once; a range that has not ended is refused", async () => {
    const jar = await signInStaff(STAFF.supervisor.email);
    const d3 = addDays(today(), -3);
    const d2 = addDays(today(), -2);
    const at = (day: string, time: string) => `${day}T${time}-05:00`;
    const db = testDb();
    // Facts recorded in the past (as the table owner): a payment, a placement entry (not
    // exported: it came from the lender), arrangement and dispute events, opt-outs.
    await db.query(
      `insert into app.ledger_entries (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency, effective_on, external_ref, reason_code, created_at)
       values ($1, 'payment', -1000, -500, -2000, -3500, 'USD', $2, 'pi_export_1', 'payment_received', $3),
              ($1, 'adjustment', 100, 0, 0, 100, 'USD', $2, 'placement:x:export', 'placement_adjustment', $3)`,
      ["a0000000-0000-4000-8000-000000001001", d3, at(d3, "10:00:00")],
    );
    await db.query(
      `insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata, occurred_at)
       values ('borrower', 'b0000000-0000-4000-8000-000000000002', 'dispute.opened', 'dispute', gen_random_uuid(), 'a0000000-0000-4000-8000-000000001002', 'wrong_amount', '{}', $1),
              ('staff', $3, 'dispute.resolved', 'dispute', gen_random_uuid(), 'a0000000-0000-4000-8000-000000001002', 'balance_corrected', '{"outcome": "corrected"}', $2),
              ('borrower', 'b0000000-0000-4000-8000-000000000001', 'session.signed_out', 'borrower_session', gen_random_uuid(), 'a0000000-0000-4000-8000-000000001001', null, '{}', $2)`,
      [at(d3, "09:00:00"), at(d2, "15:30:00"), SUPERVISOR],
    );
    await db.query(
      `with t as (
         insert into app.consent_texts (kind, version, language, body, sha256)
         select k, 'export-test.v1', 'en', 'words ' || k, encode(sha256(convert_to('words ' || k, 'UTF8')), 'hex')
           from unnest(array['e_communications', 'health_data']) as k
         returning id, kind, version, sha256, language
       )
       insert into app.consents (borrower_id, account_id, kind, action, text_id, text_version, text_sha256, language, created_at)
       select 'b0000000-0000-4000-8000-000000000003', null, t.kind, 'withdrawn', t.id, t.version, t.sha256, t.language, $1 from t`,
      [at(d2, "16:00:00")],
    );

    const query = `creditor=${CREDITOR}&from=${d3}&to=${addDays(today(), -1)}`;
    const first = await exportCsv(jar, query);
    expect(first.status).toBe(200);
    const body = async () => (await exportResponse(jar, query)).text();
    const one = await body();
    const two = await body();
    expect(two).toBe(one);
    const rows = one.replace(/^\uFEFF/, "").trimEnd().split("\r\n");
    expect(rows[0]).toBe(
      "row_id,recorded_at,recorded_on,account_reference,record_type,event,code,amount,principal,interest,fees,currency,effective_on,subject_id,arrangement_kind,frequency,arrangement_total,consent_kind",
    );
    const mine = rows.slice(1).filter((r) => /DEMO-100[1-4]/.test(r));
    expect(mine.map((r) => r.split(",").slice(2, 12).join(","))).toEqual([
      `${d3},DEMO-1002,dispute,dispute.opened,wrong_amount,,,,,`,
      `${d3},DEMO-1001,payment,payment,payment_received,-35.00,-10.00,-5.00,-20.00,USD`,
      `${d2},DEMO-1002,dispute,dispute.resolved,corrected,,,,,`,
      `${d2},DEMO-1003,opt_out,consent.withdrawn,,,,,,`,
      `${d2},DEMO-1004,opt_out,consent.withdrawn,,,,,,`,
    ]);
    expect(one).not.toContain("health_data");
    expect(one).not.toContain("placement_adjustment");
    expect(one).not.toContain("session.signed_out");

    // Page by page (one row per page) gives the very same rows.
    const range = { creditorId: CREDITOR, from: d3, to: addDays(today(), -1) };
    const paged: string[] = [];
    for await (const row of exportRows(range, 1)) paged.push(row.row_id);
    const whole: string[] = [];
    for await (const row of exportRows(range, 5000)) whole.push(row.row_id);
    expect(paged).toEqual(whole);
    expect(paged).toEqual(rows.slice(1).map((r) => r.split(",")[0]));

    const { rows: audit } = await db.query<{ n: number }>("select count(*)::int as n from app.audit_events where action = 'lender_export.downloaded' and actor_id = $1", [SUPERVISOR]);
    expect(audit[0]!.n).toBe(3);

    expect(await exportCsv(jar, `creditor=${CREDITOR}&from=${d3}&to=${today()}`)).toMatchObject({ status: 400 });
    expect(await exportCsv(jar, "creditor=nope")).toMatchObject({ status: 400 });
    const form = await call(() => exportAction({ request: req("/ops/export", { method: "POST", form: { creditor: CREDITOR, from: d3, to: today() }, jar }), params: {}, context }));
    expect(form).toMatchObject({ status: 400, data: { errors: { to: "The last day must be a day that has ended: yesterday or earlier in the lender's time zone." } } });
    const ok = await call(() => exportAction({ request: req("/ops/export", { method: "POST", form: { creditor: CREDITOR, from: d3, to: addDays(today(), -1) }, jar }), params: {}, context }));
    expect(ok.status).toBe(303);
    expect(ok.headers.get("Location")).toBe(`/ops/export.csv?${query}`);
  });

  async function reportResponse(jar: Jar, importId: string, language = "en"): Promise<Response> {
    return (await reportLoader({ request: req(`/ops/import/${importId}/errors.csv`, { jar, language }), params: { importId }, context })) as Response;
  }
  async function exportResponse(jar: Jar, query: string): Promise<Response> {
    return (await exportCsvLoader({ request: req(`/ops/export.csv?${query}`, { jar }), params: {}, context })) as Response;
  }
});

// ---------------------------------------------------------------------------------------
// Big files: streamed, never whole in memory

describe("big files", () => {
  const MB = 1024 * 1024;
  const header = "account_reference,full_name,postal_code,product,opened_on,original_amount,principal_balance,interest_balance,fees_balance\n";

  /** A multipart body streamed chunk by chunk, as a browser uploads a file. */
  function multipart(fields: Record<string, string>, fileName: string, chunks: () => AsyncGenerator<Uint8Array>): { body: ReadableStream<Uint8Array>; type: string } {
    const boundary = `----repay${randomUUID().replace(/-/g, "")}`;
    const encoder = new TextEncoder();
    async function* parts() {
      for (const [name, value] of Object.entries(fields)) {
        yield encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
      }
      yield encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n`);
      yield* chunks();
      yield encoder.encode(`\r\n--${boundary}--\r\n`);
    }
    const iterator = parts();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
    });
    return { body, type: `multipart/form-data; boundary=${boundary}` };
  }

  function post(jar: Jar, upload: { body: ReadableStream<Uint8Array>; type: string }, extraHeaders: Record<string, string> = {}) {
    const request = new Request("http://localhost:3000/ops/import", {
      method: "POST",
      body: upload.body,
      headers: { "Content-Type": upload.type, Cookie: jar.header(), "Accept-Language": "en", ...extraHeaders },
      duplex: "half",
    } as RequestInit);
    return call(() => importAction({ request, params: {}, context }));
  }

  /** Samples the process's resident memory while `work` runs; returns the growth at its peak. */
  async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
    globalThis.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      const result = await work();
      return { result, growthMb: (peak - base) / MB };
    } finally {
      clearInterval(timer);
    }
  }

  test("a 200 MB file is streamed to disk and imported with flat memory", { timeout: 180_000 }, async () => {
    const jar = await signInStaff(STAFF.admin.email);
    const newlines = Buffer.alloc(MB, 0x0a);
    const { result, growthMb } = await peakGrowth(async () => {
      const sent = await post(
        jar,
        multipart({ creditor: CREDITOR, asOf: addDays(today(), -1) }, "big.csv", async function* () {
          yield new TextEncoder().encode(`${header}PL-BIG-1,Ola Nord,94110,personal_loan,2024-01-01,100,100,0,0\n`);
          for (let i = 0; i < 200; i++) yield new Uint8Array(newlines);
          yield new TextEncoder().encode("PL-BIG-2,Per Sund,94110,personal_loan,2024-01-01,200,200,0,0\n");
        }),
      );
      await settlePlacementImports();
      return sent;
    });
    expect(result.status).toBe(303);
    const importId = result.headers.get("Location")!.split("=")[1]!;
    const page = await importPage(jar, importId);
    expect(page.data).toMatchObject({ selected: { status: "completed", counts: { created: "2", failed: "0" } } });
    expect(await problemsOf(importId)).toEqual([]);
    // The second row's line: header 1, row 2, 200 MiB of line breaks, then the row.
    const { rows } = await testDb().query<{ line: number }>("select p.line from app.account_placements as p join app.accounts as a on a.id = p.account_id where a.reference = 'PL-BIG-2'");
    expect(rows[0]!.line).toBe(2 + 200 * MB + 1);
    expect(growthMb).toBeLessThan(150);
  });

  test("a file over the limit is refused with a clear 413, announced or not, and nothing is kept", { timeout: 180_000 }, async () => {
    const jar = await signInStaff(STAFF.admin.email);
    const before = await testDb().query("select count(*)::int as n from app.placement_imports");
    const { readdir } = await import("node:fs/promises");
    const stored = async () => (await readdir(uploadDirectory()).catch(() => [] as string[])).filter((name) => name.endsWith(".csv"));
    const filesBefore = await stored();
    const chunk = Buffer.alloc(MB, 0x0a);
    const big = () =>
      multipart({ creditor: CREDITOR, asOf: addDays(today(), -1) }, "huge.csv", async function* () {
        yield new TextEncoder().encode(header);
        for (let i = 0; i < 260; i++) yield new Uint8Array(chunk);
      });
    const announced = await post(jar, big(), { "Content-Length": String(261 * MB) });
    expect(announced).toMatchObject({ status: 413, data: { errors: { file: "The file is larger than 250 MB. Split it into smaller files, or ask for a file with fewer columns." } } });
    const { result: streamed, growthMb } = await peakGrowth(() => post(jar, big()));
    expect(streamed).toMatchObject({ status: 413, data: { errors: { file: expect.stringContaining("larger than 250 MB") } } });
    expect(growthMb).toBeLessThan(150);
    expect(await testDb().query("select count(*)::int as n from app.placement_imports")).toEqual(before);
    // No temporary file of ours is left behind.
    expect((await stored()).filter((name) => !filesBefore.includes(name))).toEqual([]);
  });

  const importPage = (jar: Jar, id: string) => call(() => importLoader({ request: req(`/ops/import?id=${id}`, { jar }), params: {}, context }));
  const problemsOf = async (id: string) => (await listImportProblems(id)).map((p) => p.code);
});
