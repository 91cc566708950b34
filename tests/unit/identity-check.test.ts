import fc from "fast-check";
import { expect, test } from "vitest";
import { parseDateOfBirth, parseZipCode } from "~/domain/identity-check";

const TODAY = "2026-11-27";
const dob = (day: string, month: string, year: string) => parseDateOfBirth({ day, month, year }, { today: TODAY });

test.each([
  ["12", "4", "1985"],
  ["12", "04", "1985"],
  [" 12 ", " 4 ", " 1985 "],
  ["12", "April", "1985"],
  ["12", "apr", "1985"],
  ["12", "Apr.", "1985"],
  ["12", "abril", "1985"],
  ["12", "Abril", "1985"],
  ["12", "ABR", "1985"],
  ["１２", "４", "１９８５"], // full-width digits from some keyboards
])("accepts %j %j %j as 1985-04-12", (day, month, year) => {
  expect(dob(day, month, year)).toEqual({ ok: true, iso: "1985-04-12" });
});

test("accepts month names in English and Spanish, accents or not", () => {
  expect(dob("3", "noviembre", "1979")).toEqual({ ok: true, iso: "1979-11-03" });
  expect(dob("30", "enero", "1990")).toEqual({ ok: true, iso: "1990-01-30" });
  expect(dob("30", "Ene", "1990")).toEqual({ ok: true, iso: "1990-01-30" });
  expect(dob("1", "septiembre", "2000")).toEqual({ ok: true, iso: "2000-09-01" });
  expect(dob("1", "setiembre", "2000")).toEqual({ ok: true, iso: "2000-09-01" });
  expect(dob("1", "Sept", "2000")).toEqual({ ok: true, iso: "2000-09-01" });
  expect(dob("24", "dic.", "1969")).toEqual({ ok: true, iso: "1969-12-24" });
  expect(dob("29", "Feb", "2000")).toEqual({ ok: true, iso: "2000-02-29" });
  expect(dob("5", "agosto", "1971")).toEqual({ ok: true, iso: "1971-08-05" });
  expect(dob("5", "Ágosto", "1971")).toEqual({ ok: true, iso: "1971-08-05" });
});

test("nothing typed is 'required'; part typed is 'incomplete' naming the empty boxes", () => {
  expect(dob("", "", "")).toEqual({ ok: false, reason: "required", parts: ["day", "month", "year"] });
  expect(parseDateOfBirth({}, { today: TODAY })).toEqual({ ok: false, reason: "required", parts: ["day", "month", "year"] });
  expect(dob(" ", "\t", "")).toMatchObject({ reason: "required" });
  expect(dob("12", "", "1985")).toEqual({ ok: false, reason: "incomplete", parts: ["month"] });
  expect(dob("", "", "1985")).toEqual({ ok: false, reason: "incomplete", parts: ["day", "month"] });
});

test("two-digit years are refused, not guessed", () => {
  expect(dob("12", "4", "85")).toEqual({ ok: false, reason: "year_four_digits", parts: ["year"] });
  expect(dob("12", "4", "985")).toEqual({ ok: false, reason: "year_four_digits", parts: ["year"] });
});

test("impossible dates are 'not_a_date' naming the wrong box", () => {
  expect(dob("31", "4", "1985")).toEqual({ ok: false, reason: "not_a_date", parts: ["day"] });
  expect(dob("29", "2", "1985")).toEqual({ ok: false, reason: "not_a_date", parts: ["day"] });
  expect(dob("0", "4", "1985")).toEqual({ ok: false, reason: "not_a_date", parts: ["day"] });
  expect(dob("12", "13", "1985")).toEqual({ ok: false, reason: "not_a_date", parts: ["month"] });
  expect(dob("12", "Aprol", "1985")).toEqual({ ok: false, reason: "not_a_date", parts: ["month"] });
  expect(dob("12", "4", "19a5")).toEqual({ ok: false, reason: "not_a_date", parts: ["year"] });
  expect(dob("12", "4", "19855")).toEqual({ ok: false, reason: "not_a_date", parts: ["year"] });
  expect(dob("12", "4", "1899")).toEqual({ ok: false, reason: "not_a_date", parts: ["year"] });
  expect(dob("x", "y", "1985")).toEqual({ ok: false, reason: "not_a_date", parts: ["day", "month"] });
  expect(dob("12", "4", "1985".repeat(100))).toEqual({ ok: false, reason: "not_a_date", parts: ["year"] });
  expect(dob("-1", "4", "1985")).toMatchObject({ reason: "not_a_date" });
  expect(dob("1.5", "4", "1985")).toMatchObject({ reason: "not_a_date" });
});

test("dates after today are 'in_future'", () => {
  expect(dob("28", "11", "2026")).toEqual({ ok: false, reason: "in_future", parts: ["day", "month", "year"] });
  expect(dob("1", "1", "2027")).toEqual({ ok: false, reason: "in_future", parts: ["year"] });
  expect(dob("27", "11", "2026")).toEqual({ ok: true, iso: "2026-11-27" });
});

test("by default 'today' is the local date where the code runs", () => {
  const nextYear = String(new Date().getFullYear() + 1);
  expect(parseDateOfBirth({ day: "1", month: "1", year: nextYear })).toMatchObject({ ok: false, reason: "in_future" });
  expect(parseDateOfBirth({ day: "1", month: "1", year: "1950" })).toEqual({ ok: true, iso: "1950-01-01" });
});

const isoDay = fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date(`${TODAY}T00:00:00Z`), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

test("every real past date round-trips, typed with or without leading zeros and spaces", () => {
  fc.assert(
    fc.property(isoDay, fc.boolean(), fc.constantFrom("", " ", "  "), (iso, zeros, space) => {
      const [y, m, d] = iso.split("-");
      const part = (s: string) => space + (zeros ? s : String(Number(s))) + space;
      expect(dob(part(d!), part(m!), part(y!))).toEqual({ ok: true, iso });
    }),
  );
});

test("whatever is typed, the parser answers with a result and never throws", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (day, month, year) => {
      const result = dob(day, month, year);
      if (result.ok) {
        expect(result.iso).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(result.iso <= TODAY && result.iso >= "1900-01-01").toBe(true);
        expect(new Date(`${result.iso}T00:00:00Z`).toISOString().slice(0, 10)).toBe(result.iso);
      } else {
        expect(result.parts.length).toBeGreaterThan(0);
      }
    }),
  );
});

test.each([
  ["94110", "94110"],
  [" 94110 ", "94110"],
  ["94110-1234", "94110"],
  ["94110 1234", "94110"],
  ["941101234", "94110"],
  ["９４１１０", "94110"],
])("accepts the ZIP code %j as %j", (text, zip) => {
  expect(parseZipCode(text)).toEqual({ ok: true, zip });
});

test.each(["9411", "941100", "94 110", "ABCDE", "94110-12", "94110--1234", "SW1A 1AA"])("refuses %j as not a ZIP code", (text) => {
  expect(parseZipCode(text)).toEqual({ ok: false, reason: "not_a_zip" });
});

test("an empty ZIP code is 'required'", () => {
  expect(parseZipCode("")).toEqual({ ok: false, reason: "required" });
  expect(parseZipCode("   ")).toEqual({ ok: false, reason: "required" });
  expect(parseZipCode(null)).toEqual({ ok: false, reason: "required" });
  expect(parseZipCode(undefined)).toEqual({ ok: false, reason: "required" });
});

test("any five digits, with or without +4, come back as the five digits", () => {
  fc.assert(
    fc.property(fc.stringMatching(/^\d{5}$/), fc.option(fc.stringMatching(/^\d{4}$/)), fc.constantFrom("-", " ", ""), (five, four, sep) => {
      expect(parseZipCode(four === null ? five : `${five}${sep}${four}`)).toEqual({ ok: true, zip: five });
    }),
  );
});
