/**
 * What a signed-in borrower reads (issue 4 items 5–8): their accounts, each account's
 * overview (the itemization, whose figures must add up exactly) and timeline, their saved
 * language, and the public creditor contacts. Another borrower's account id, or anything
 * that is not an id, is a 404 from every function.
 */
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { rpc } from "~/services/supabase/rpc.server";
import {
  getAccountOverview,
  getAccountTimeline,
  listBorrowerAccounts,
  listPublicCreditors,
  setBorrowerLanguage,
  type AccountOverview,
  type BalanceSplit,
} from "~/utils/accounts.server";
import { testDb } from "../setup/db";
import { notFound } from "../setup/not-found";

const ALEX = "b0000000-0000-4000-8000-000000000001";
const MARIA = "b0000000-0000-4000-8000-000000000002";
const SAM = "b0000000-0000-4000-8000-000000000003";
const JORDAN = "b0000000-0000-4000-8000-000000000004";
const account = (n: number) => `a0000000-0000-4000-8000-00000000${n}`;

const DEMO: Array<{ borrower: string; account: string; ref: string; today: [number, number, number]; daysPastDue: number | null }> = [
  { borrower: ALEX, account: account(1001), ref: "1001", today: [110000, 9650, 4400], daysPastDue: 45 },
  { borrower: MARIA, account: account(1002), ref: "1002", today: [237350, 18988, 10000], daysPastDue: 120 },
  { borrower: SAM, account: account(1003), ref: "1003", today: [68428, 0, 0], daysPastDue: null },
  { borrower: SAM, account: account(1004), ref: "1004", today: [54344, 3261, 7500], daysPastDue: 70 },
  { borrower: JORDAN, account: account(1005), ref: "1005", today: [0, 0, 0], daysPastDue: null },
];

const BalanceSchema = z.object({ principal_minor: z.number(), interest_minor: z.number(), fees_minor: z.number(), total_minor: z.number() });

function split([principalMinor, interestMinor, feesMinor]: [number, number, number]): BalanceSplit {
  return { principalMinor, interestMinor, feesMinor, totalMinor: principalMinor + interestMinor + feesMinor };
}

describe("overview", () => {
  test("DEMO-1001 owes 110000 + 9650 + 4400 = 124050, explained from the itemization date", async () => {
    const o = await getAccountOverview(ALEX, account(1001));
    expect(o.itemization.today).toEqual({ principalMinor: 110000, interestMinor: 9650, feesMinor: 4400, totalMinor: 124050 });
    expect(o.itemization.atItemization).toEqual({ principalMinor: 110000, interestMinor: 0, feesMinor: 0, totalMinor: 110000 });
    expect(o.itemization).toMatchObject({
      principalAddedMinor: 0,
      interestAddedMinor: 9650,
      feesAddedMinor: 4400,
      paymentsMinor: 0,
      paymentsReversedMinor: 0,
      creditsMinor: 0,
      adjustmentsMinor: 0,
    });
    expect(o).toMatchObject({
      referenceLast4: "1001",
      product: "personal_loan",
      status: "open",
      currency: "USD",
      originalAmountMinor: 110000,
      interestRateBps: 3500,
      originalCreditor: null,
      daysPastDue: 45,
      creditor: {
        name: "Northwind Lending",
        legalName: "Northwind Lending, LLC",
        supportPhone: "+18005550199",
        supportEmail: "help@northwind.example.com",
        region: "US",
        jurisdiction: "US",
        timeZone: "America/New_York",
      },
    });
    expect(o.creditor.supportHours.es).toMatch(/lunes/);
    expect(o.today).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test("every demo account adds up exactly, overall and part by part, and matches its ledger", async () => {
    for (const demo of DEMO) {
      const o: AccountOverview = await getAccountOverview(demo.borrower, demo.account);
      const it = o.itemization;
      expect(it.today, demo.ref).toEqual(split(demo.today));
      expect(o.daysPastDue, demo.ref).toBe(demo.daysPastDue);
      expect(o.referenceLast4).toBe(demo.ref);
      const sum =
        it.atItemization.totalMinor +
        it.principalAddedMinor +
        it.interestAddedMinor +
        it.feesAddedMinor -
        it.paymentsMinor +
        it.paymentsReversedMinor -
        it.creditsMinor +
        it.adjustmentsMinor;
      expect(sum, demo.ref).toBe(it.today.totalMinor);
      for (const s of [it.atItemization, it.today]) expect(s.principalMinor + s.interestMinor + s.feesMinor).toBe(s.totalMinor);
      for (const value of [it.principalAddedMinor, it.interestAddedMinor, it.feesAddedMinor, it.paymentsMinor, it.paymentsReversedMinor, it.creditsMinor]) {
        expect(value).toBeGreaterThanOrEqual(0);
      }
      const balance = await rpc("account_balance", { p_account_id: demo.account }, BalanceSchema);
      expect(it.today.totalMinor).toBe(balance.total_minor);
    }
  });

  test("DEMO-1002's two payments show as 25000 paid since the itemization date", async () => {
    const o = await getAccountOverview(MARIA, account(1002));
    expect(o.itemization.paymentsMinor).toBe(25000);
    expect(o.itemization.atItemization.totalMinor).toBe(250000);
  });

  test("DEMO-1004 names its original creditor", async () => {
    expect((await getAccountOverview(SAM, account(1004))).originalCreditor).toBe("Contoso Bank");
  });

  test("the reference is masked to its last 4 everywhere a borrower reads", async () => {
    const raw = await testDb().query<{ o: unknown; t: unknown; a: unknown }>(
      "select api.account_overview($1, $2) as o, api.account_timeline($1, $2) as t, api.borrower_accounts($1) as a",
      [ALEX, account(1001)],
    );
    expect(JSON.stringify(raw.rows[0])).not.toContain("DEMO-1001");
  });
});

describe("timeline", () => {
  test("every entry since the itemization date in order, with a running balance that ends at today's", async () => {
    for (const demo of DEMO) {
      const t = await getAccountTimeline(demo.borrower, demo.account);
      const o = await getAccountOverview(demo.borrower, demo.account);
      expect(t.opening).toEqual(o.itemization.atItemization);
      expect(t.closing).toEqual(o.itemization.today);
      let running = t.opening;
      let previous = "";
      for (const entry of t.entries) {
        expect(entry.effectiveOn > t.itemizationDate).toBe(true);
        expect(entry.effectiveOn >= previous).toBe(true);
        previous = entry.effectiveOn;
        expect(entry.principalMinor + entry.interestMinor + entry.feesMinor).toBe(entry.amountMinor);
        running = {
          principalMinor: running.principalMinor + entry.principalMinor,
          interestMinor: running.interestMinor + entry.interestMinor,
          feesMinor: running.feesMinor + entry.feesMinor,
          totalMinor: running.totalMinor + entry.amountMinor,
        };
        expect(entry.balanceAfter).toEqual(running);
      }
      expect(running).toEqual(t.closing);
    }
  });

  test("DEMO-1001 lists its 5 entries after the loan: interest, interest, fee, interest, fee", async () => {
    const t = await getAccountTimeline(ALEX, account(1001));
    expect(t.entries.map((e) => e.kind)).toEqual(["interest", "interest", "fee", "interest", "fee"]);
    expect(t.entries.map((e) => e.reasonCode)).toEqual(["interest_accrued", "interest_accrued", "late_fee", "interest_accrued", "late_fee"]);
    expect(t.entries.at(-1)!.balanceAfter.totalMinor).toBe(124050);
  });

  test("DEMO-1002's payments are negative entries that lower the running balance", async () => {
    const t = await getAccountTimeline(MARIA, account(1002));
    const payments = t.entries.filter((e) => e.kind === "payment");
    expect(payments.map((p) => p.amountMinor)).toEqual([-12500, -12500]);
  });
});

describe("another borrower's account is a 404", () => {
  test("from the overview and the timeline, whichever way round", async () => {
    for (const demo of DEMO) {
      for (const other of [ALEX, MARIA, SAM, JORDAN].filter((b) => b !== demo.borrower)) {
        await notFound(getAccountOverview(other, demo.account));
        await notFound(getAccountTimeline(other, demo.account));
      }
    }
  });

  test("as are ids that do not exist or are not ids at all", async () => {
    for (const id of ["a0000000-0000-4000-8000-000000009999", "not-a-uuid", "", "1001", "' or 1=1 --", "a".repeat(5000)]) {
      await notFound(getAccountOverview(ALEX, id));
      await notFound(getAccountTimeline(ALEX, id));
    }
  });
});

describe("accounts list", () => {
  test("Sam sees both accounts; each borrower sees only their own", async () => {
    const sam = await listBorrowerAccounts(SAM);
    expect(sam.map((a) => a.referenceLast4)).toEqual(["1003", "1004"]);
    expect(sam).toEqual([
      { accountId: account(1003), referenceLast4: "1003", creditorName: "Northwind Lending", product: "personal_loan", status: "open", totalMinor: 68428, currency: "USD", daysPastDue: null },
      { accountId: account(1004), referenceLast4: "1004", creditorName: "Northwind Lending", product: "credit_card", status: "open", totalMinor: 65105, currency: "USD", daysPastDue: 70 },
    ]);
    expect((await listBorrowerAccounts(ALEX)).map((a) => a.accountId)).toEqual([account(1001)]);
    expect(await listBorrowerAccounts(JORDAN)).toMatchObject([{ status: "paid", totalMinor: 0, daysPastDue: null }]);
    expect(await listBorrowerAccounts("b0000000-0000-4000-8000-000000000099")).toEqual([]);
  });
});

describe("language", () => {
  test("a borrower's choice is saved to their record, audited once per change", async () => {
    await setBorrowerLanguage(JORDAN, "es");
    await setBorrowerLanguage(JORDAN, "es");
    const { rows } = await testDb().query<{ language: string }>("select language from app.borrowers where id = $1", [JORDAN]);
    expect(rows[0]!.language).toBe("es");
    const audit = await testDb().query<{ metadata: unknown }>(
      "select metadata from app.audit_events where action = 'borrower.language_changed' and actor_id = $1",
      [JORDAN],
    );
    expect(audit.rows).toEqual([{ metadata: { language: "es" } }]);
    await setBorrowerLanguage(JORDAN, "en");
    await expect(setBorrowerLanguage(JORDAN, "fr" as "en")).rejects.toMatchObject({ code: "PT400" });
  });
});

describe("Is this genuine?", () => {
  test("the public creditor list has official contacts and nothing personal", async () => {
    const creditors = await listPublicCreditors();
    expect(creditors).toEqual([
      {
        name: "Northwind Lending",
        legalName: "Northwind Lending, LLC",
        supportPhone: "+18005550199",
        supportHours: { en: "Monday to Friday, 8 a.m. to 8 p.m. Eastern", es: "De lunes a viernes, de 8 a. m. a 8 p. m., hora del Este" },
        supportEmail: "help@northwind.example.com",
      },
    ]);
  });
});
