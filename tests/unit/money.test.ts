import fc from "fast-check";
import { expect, test } from "vitest";
import { formatMoney, MAX_MONEY_INPUT_MINOR, minorToDecimalString, parseMoneyInput } from "~/domain/money";

test("en-US and es-US both write $1,200.50", () => {
  expect(formatMoney(120050, "USD", "en-US")).toBe("$1,200.50");
  expect(formatMoney(120050, "USD", "es-US")).toBe("$1,200.50");
  expect(formatMoney(124050, "USD", "en-US")).toBe("$1,240.50");
});

test("formatMoney keeps every cent, small and large", () => {
  expect(formatMoney(0, "USD", "en-US")).toBe("$0.00");
  expect(formatMoney(5, "USD", "en-US")).toBe("$0.05");
  expect(formatMoney(2500, "USD", "en-US")).toBe("$25.00");
  expect(formatMoney(-4050, "USD", "en-US")).toBe("-$40.50");
  // Beyond 2^53 / 100 a float division would lose the cents; the decimal string does not.
  expect(formatMoney(Number.MAX_SAFE_INTEGER, "USD", "en-US")).toBe("$90,071,992,547,409.91");
});

test("formatMoney respects the currency's decimals", () => {
  expect(formatMoney(1240, "JPY", "en-US")).toBe("¥1,240");
});

test("formatMoney refuses a non-integer amount", () => {
  expect(() => formatMoney(12.5, "USD", "en-US")).toThrow(RangeError);
  expect(() => formatMoney(Number.NaN, "USD", "en-US")).toThrow(RangeError);
});

test("minorToDecimalString is exact", () => {
  expect(minorToDecimalString(124050)).toBe("1240.50");
  expect(minorToDecimalString(-5)).toBe("-0.05");
  expect(minorToDecimalString(7, 0)).toBe("7");
  expect(minorToDecimalString(1234, 3)).toBe("1.234");
});

test.each([
  ["1,240.50", 124050],
  ["1240.5", 124050],
  ["$1,240.50", 124050],
  [" 25 ", 2500],
  ["25", 2500],
  ["25.", 2500],
  [".5", 50],
  ["0.05", 5],
  ["0", 0],
  ["$ 1,240.50", 124050],
  ["1,240.50 $", 124050],
  ["USD 25", 2500],
  ["us$25", 2500],
  ["+25", 2500],
  ["1 240.50", 124050],
  ["1\u00a0240.50", 124050],
  ["1,000,000", 100000000],
  ["007.10", 710],
  ["10,000,000.00", MAX_MONEY_INPUT_MINOR],
])("parseMoneyInput(%j) is %i cents", (text, amountMinor) => {
  expect(parseMoneyInput(text)).toEqual({ ok: true, amountMinor });
});

test.each([
  ["", "empty"],
  ["   ", "empty"],
  ["-25", "negative"],
  ["-$25", "negative"],
  ["$-25", "negative"],
  ["\u221225", "negative"],
  ["(25.00)", "negative"],
  ["1.005", "too_many_decimals"],
  ["25.999", "too_many_decimals"],
  ["1,240.500", "too_many_decimals"],
  ["abc", "invalid"],
  ["$", "invalid"],
  [".", "invalid"],
  ["12,40", "invalid"],
  ["1,24.50", "invalid"],
  ["12 40", "invalid"],
  ["1.240,50", "invalid"],
  ["1e5", "invalid"],
  ["Infinity", "invalid"],
  ["0x10", "invalid"],
  ["25 dollars", "invalid"],
  ["$25$", "invalid"],
  ["1.2.3", "invalid"],
  ["€25", "invalid"],
  ["9".repeat(41), "invalid"],
  ["10,000,000.01", "too_large"],
  ["99999999", "too_large"],
  ["123456789012345678901234567890", "too_large"],
])("parseMoneyInput(%j) fails: %s", (text, reason) => {
  expect(parseMoneyInput(text)).toEqual({ ok: false, reason });
});

test("parseMoneyInput takes the currency's decimals and the caller's maximum", () => {
  expect(parseMoneyInput("1,240", { fractionDigits: 0 })).toEqual({ ok: true, amountMinor: 1240 });
  expect(parseMoneyInput("1,240.5", { fractionDigits: 0 })).toEqual({ ok: false, reason: "too_many_decimals" });
  expect(parseMoneyInput("1240.50", { maxMinor: 124049 })).toEqual({ ok: false, reason: "too_large" });
  expect(parseMoneyInput("1240.49", { maxMinor: 124049 })).toEqual({ ok: true, amountMinor: 124049 });
});

test("what formatMoney writes, parseMoneyInput reads back (en-US and es-US)", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: MAX_MONEY_INPUT_MINOR }), fc.constantFrom("en-US", "es-US"), (amountMinor, locale) => {
      expect(parseMoneyInput(formatMoney(amountMinor, "USD", locale))).toEqual({ ok: true, amountMinor });
    }),
  );
});

test("a plain decimal with at most two places always parses to its exact cents", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 9_999_999 }), fc.integer({ min: 0, max: 99 }), (whole, cents) => {
      const text = `${whole}.${String(cents).padStart(2, "0")}`;
      expect(parseMoneyInput(text)).toEqual({ ok: true, amountMinor: whole * 100 + cents });
    }),
  );
});

test("parseMoneyInput never throws and only ever returns a safe integer in range", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 50 }), (text) => {
      const result = parseMoneyInput(text);
      if (result.ok) {
        expect(Number.isSafeInteger(result.amountMinor)).toBe(true);
        expect(result.amountMinor).toBeGreaterThanOrEqual(0);
        expect(result.amountMinor).toBeLessThanOrEqual(MAX_MONEY_INPUT_MINOR);
      }
    }),
  );
});
