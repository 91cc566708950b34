/**
 * One row of a lender's placement file (app/domain/placement-row.ts): amounts to exact minor
 * units, dates in several formats with ambiguous ones refused, contact details normalized,
 * the header check with "did you mean", and each bad value reported with its column and code.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  checkPlacementHeader,
  normalizeLanguage,
  normalizePhone,
  normalizeTimeZone,
  parseInterestRate,
  parsePlacementAmount,
  parsePlacementDate,
  placementRowSchema,
  suggestColumn,
  validatePlacementRow,
  type PlacementColumn,
} from "~/domain/placement-row";

const schema = placementRowSchema({ asOf: "2026-11-20", currency: "USD", region: "US" });

const GOOD: Partial<Record<PlacementColumn, string>> = {
  account_reference: "PL-1001",
  full_name: "Ana Ruiz",
  product: "personal_loan",
  opened_on: "2024-01-15",
  original_amount: "2,500.00",
  principal_balance: "2,100.00",
  interest_balance: "150.25",
  fees_balance: "35",
  date_of_birth: "1984-05-06",
};

function problemsOf(cells: Partial<Record<PlacementColumn, string>>) {
  const result = validatePlacementRow(schema, cells);
  return result.ok ? [] : result.problems.map((p) => `${p.column ?? "-"}:${p.code}`);
}

describe("amounts", () => {
  test.each([
    ["1,200", 120_000],
    ["$1,200.50", 120_050],
    ["1200.5", 120_050],
    [" 1 200 ", 120_000],
    ["USD 25", 2_500],
    ["0", 0],
    ["0.07", 7],
    ["999,999,999.99", 99_999_999_999],
  ])("%j is %i minor units", (text, minor) => {
    expect(parsePlacementAmount(text)).toEqual({ ok: true, amountMinor: minor });
  });

  test.each([
    ["-5", "negative"],
    ["(5.00)", "negative"],
    ["1.005", "too_many_decimals"],
    ["12,40", "invalid"],
    ["1.200,50", "invalid"],
    ["abc", "invalid"],
    ["$", "invalid"],
    ["10,000,000,000.00", "too_large"],
  ])("%j is refused (%s)", (text, reason) => {
    expect(parsePlacementAmount(text)).toEqual({ ok: false, reason });
  });

  test("a currency without minor units reads whole amounts", () => {
    expect(parsePlacementAmount("1,200", 0)).toEqual({ ok: true, amountMinor: 1_200 });
    expect(parsePlacementAmount("1,200.5", 0)).toEqual({ ok: false, reason: "too_many_decimals" });
  });

  test("any cents amount written with a thousands separator reads back exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), (minor) => {
        const text = `$${new Intl.NumberFormat("en-US", { minimumFractionDigits: 2 }).format(Math.floor(minor / 100))}`.replace(/\.00$/, "") + `.${String(minor % 100).padStart(2, "0")}`;
        expect(parsePlacementAmount(text)).toEqual({ ok: true, amountMinor: minor });
      }),
    );
  });
});

describe("dates", () => {
  test.each([
    ["2026-03-04", "2026-03-04"],
    ["2026/3/4", "2026-03-04"],
    ["20260304", "2026-03-04"],
    ["4 Mar 2026", "2026-03-04"],
    ["4-mar-2026", "2026-03-04"],
    ["March 4, 2026", "2026-03-04"],
    ["Mar. 4 2026", "2026-03-04"],
    ["4 de marzo de 2026", "2026-03-04"],
    ["4 Septiembre 2026", "2026-09-04"],
    ["31/01/2026", "2026-01-31"],
    ["01/31/2026", "2026-01-31"],
    ["05.05.2026", "2026-05-05"],
    ["2026-03-04 00:00:00", "2026-03-04"],
    ["2026-03-04T00:00:00Z", "2026-03-04"],
    ["2024-02-29", "2024-02-29"],
  ])("%j is %s", (text, iso) => {
    expect(parsePlacementDate(text)).toEqual({ ok: true, iso });
  });

  test("a date that reads two ways is refused with both readings, never guessed", () => {
    expect(parsePlacementDate("03/04/2026")).toEqual({ ok: false, reason: "ambiguous", readings: ["2026-03-04", "2026-04-03"] });
    expect(parsePlacementDate("3/4/2026 0:00")).toMatchObject({ ok: false, reason: "ambiguous" });
  });

  test.each([
    ["3/4/26", "two_digit_year"],
    ["4 Mar 26", "two_digit_year"],
    ["2025-02-29", "invalid"],
    ["2026-13-01", "invalid"],
    ["32/01/2026", "invalid"],
    ["1899-12-31", "out_of_range"],
    ["2026-03-04 13:45", "invalid"],
    ["next tuesday", "invalid"],
    ["", "invalid"],
  ])("%j is refused (%s)", (text, reason) => {
    expect(parsePlacementDate(text)).toMatchObject({ ok: false, reason });
  });
});

describe("contact details and codes", () => {
  test("phones become E.164; ten digits are North American only for a US or Canadian creditor", () => {
    expect(normalizePhone("(212) 555-0101", "US")).toBe("+12125550101");
    expect(normalizePhone("1-212-555-0101", "US")).toBe("+12125550101");
    expect(normalizePhone("+44 20 7946 0958", "US")).toBe("+442079460958");
    expect(normalizePhone("0044 20 7946 0958", "GB")).toBe("+442079460958");
    expect(normalizePhone("2125550101", "GB")).toBeNull();
    expect(normalizePhone("555-0101", "US")).toBeNull();
  });

  test("languages and time zones", () => {
    expect(["en", "English", "en-US", "ENG"].map(normalizeLanguage)).toEqual(["en", "en", "en", "en"]);
    expect(["es", "Spanish", "Español", "es-MX", "espanol"].map(normalizeLanguage)).toEqual(["es", "es", "es", "es", "es"]);
    expect(normalizeLanguage("fr")).toBeNull();
    expect(normalizeTimeZone("america/new_york")).toBe("America/New_York");
    expect(normalizeTimeZone("UTC")).toBe("UTC");
    expect(normalizeTimeZone("Mars/Olympus_Mons")).toBeNull();
    expect(normalizeTimeZone("EST5EDT; drop table")).toBeNull();
  });

  test("interest rates are yearly percentages to basis points", () => {
    expect(parseInterestRate("24.99")).toEqual({ ok: true, bps: 2499 });
    expect(parseInterestRate("24.99 %")).toEqual({ ok: true, bps: 2499 });
    expect(parseInterestRate("7.5")).toEqual({ ok: true, bps: 750 });
    expect(parseInterestRate("1000")).toEqual({ ok: true, bps: 100_000 });
    expect(parseInterestRate("1000.01")).toEqual({ ok: false });
    expect(parseInterestRate("-1")).toEqual({ ok: false });
  });
});

describe("the row", () => {
  test("a good row becomes the values the database stores", () => {
    const result = validatePlacementRow(schema, {
      ...GOOD,
      full_name: "  Ana   Ruiz ",
      product: "Personal Loan",
      email: "Ana.Ruiz@Example.com",
      phone: "(212) 555-0110",
      language: "Español",
      interest_rate: "24.99%",
      postal_code: "",
    });
    expect(result).toEqual({
      ok: true,
      row: {
        reference: "PL-1001",
        fullName: "Ana Ruiz",
        email: "ana.ruiz@example.com",
        phone: "+12125550110",
        language: "es",
        dateOfBirth: "1984-05-06",
        postalCode: null,
        product: "personal_loan",
        openedOn: "2024-01-15",
        originalAmountMinor: 250_000,
        interestRateBps: 2499,
        principalMinor: 210_000,
        interestMinor: 15_025,
        feesMinor: 3_500,
      },
    });
  });

  test("empty interest and fees cells are zero; a column the file lacks stays undefined, an empty cell is null", () => {
    const result = validatePlacementRow(schema, { ...GOOD, interest_balance: "", fees_balance: " ", charged_off_on: "" });
    expect(result.ok && result.row).toMatchObject({ interestMinor: 0, feesMinor: 0, chargedOffOn: null });
    expect(result.ok && "firstMissedPaymentOn" in result.row && result.row.firstMissedPaymentOn).toBe(undefined);
  });

  test("each bad value is reported under its column, several at once", () => {
    expect(
      problemsOf({
        ...GOOD,
        account_reference: "PL 1001",
        full_name: "",
        email: "not-an-email",
        opened_on: "03/04/2024",
        original_amount: "0",
        principal_balance: "-1",
        interest_balance: "1.001",
        language: "fr",
        time_zone: "Mars/Base",
        phone: "12",
        interest_rate: "abc",
        currency: "EUR",
      }),
    ).toEqual([
      "account_reference:reference_invalid",
      "full_name:required",
      "email:email_invalid",
      "phone:phone_invalid",
      "language:language_unknown",
      "time_zone:time_zone_unknown",
      "opened_on:date_ambiguous",
      "original_amount:amount_zero",
      "interest_rate:rate_invalid",
      "principal_balance:amount_negative",
    ]);
  });

  test("dates must fit the agreement and the file's as-of date", () => {
    expect(problemsOf({ ...GOOD, opened_on: "2026-11-21" })).toEqual(["opened_on:date_after_as_of"]);
    expect(problemsOf({ ...GOOD, first_missed_payment_on: "2023-12-31", charged_off_on: "2026-12-01" })).toEqual([
      "first_missed_payment_on:date_before_opened",
      "charged_off_on:date_after_as_of",
    ]);
    expect(problemsOf({ ...GOOD, date_of_birth: "2027-01-01" })).toEqual(["date_of_birth:date_after_as_of"]);
    expect(problemsOf({ ...GOOD, date_of_birth: "1/2/99" })).toEqual(["date_of_birth:date_two_digit_year"]);
  });

  test("a row needs a date of birth or a postal code; US creditors take ZIP codes", () => {
    expect(problemsOf({ ...GOOD, date_of_birth: "" })).toEqual(["-:identity_missing"]);
    expect(problemsOf({ ...GOOD, date_of_birth: "", postal_code: "94110-1234" })).toEqual([]);
    expect(problemsOf({ ...GOOD, postal_code: "2134" })).toEqual(["postal_code:postal_code_invalid"]);
    expect(problemsOf({ ...GOOD, full_name: "Ana\u0007Ruiz" })).toEqual(["full_name:text_invalid"]);
    expect(problemsOf({ ...GOOD, original_creditor: "x".repeat(201) })).toEqual(["original_creditor:text_too_long"]);
  });
});

describe("the header", () => {
  const required = ["account_reference", "full_name", "product", "opened_on", "original_amount", "principal_balance", "interest_balance", "fees_balance", "postal_code"];

  test("names are matched loosely, with a few aliases, in the file's order", () => {
    expect(checkPlacementHeader(["Account Reference", "Full-Name", " PRODUCT ", "opened_on", "original_amount", "principal_balance", "interest_balance", "fees_balance", "ZIP", "DOB"])).toEqual({
      ok: true,
      columns: ["account_reference", "full_name", "product", "opened_on", "original_amount", "principal_balance", "interest_balance", "fees_balance", "postal_code", "date_of_birth"],
    });
  });

  test("every header problem is reported at once, with a suggestion for a misspelt name", () => {
    const result = checkPlacementHeader(["account_reference", "fulname", "emial", "product", "opened_on", "original_amount", "principal_balance", "interest_balance", "shoe_size", "", "product"]);
    expect(result).toEqual({
      ok: false,
      problems: [
        { code: "header_unknown_column", column: null, params: { header: "fulname", position: 2, suggestion: "full_name" } },
        { code: "header_unknown_column", column: null, params: { header: "emial", position: 3, suggestion: "email" } },
        { code: "header_unknown_column", column: null, params: { header: "shoe_size", position: 9 } },
        { code: "header_empty_column", column: null, params: { position: 10 } },
        { code: "header_duplicate_column", column: "product", params: { position: 11 } },
        { code: "header_missing_column", column: "full_name", params: {} },
        { code: "header_missing_column", column: "fees_balance", params: {} },
        { code: "header_identity_column", column: null, params: {} },
      ],
    });
    expect(checkPlacementHeader(required)).toMatchObject({ ok: true });
  });

  test("suggestions only for names close to a column", () => {
    expect(suggestColumn("princpal_balance")).toBe("principal_balance");
    expect(suggestColumn("opend_on")).toBe("opened_on");
    expect(suggestColumn("favourite_colour")).toBeUndefined();
  });
});
