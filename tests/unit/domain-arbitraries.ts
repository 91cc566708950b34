/**
 * Helpers shared by the app/domain unit tests: fast-check arbitraries for the domain's inputs
 * and an unwrapper for its `{ ok: true } | { ok: false; reason }` results.
 * Not a test file itself (vitest picks up *.test.ts only).
 */
import fc from "fast-check";
import { IE_MAX_AMOUNT_MINOR, type IeLine } from "~/domain/income-expenditure";
import { IE_CATEGORIES, IE_FREQUENCIES } from "~/domain/income-expenditure-fields";
import { PLAN_FREQUENCIES } from "~/domain/plan-policy";

/**
 * The success branch of a domain result, or a thrown Error naming the failure's reason, so a
 * test reads `ok(buildSchedule(…)).installments` and fails with the reason when it is not ok.
 */
export function ok<R extends { ok: true } | { ok: false; reason: string }>(result: R): Extract<R, { ok: true }> {
  if (!result.ok) throw new Error(`expected ok, got ${(result as { reason: string }).reason}`);
  return result as Extract<R, { ok: true }>;
}

/** A calendar date "YYYY-MM-DD" in 2000–2099. */
export const arbitraryDate = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

/** weekly, every_two_weeks or monthly. */
export const arbitraryFrequency = fc.constantFrom(...PLAN_FREQUENCIES);

/** An income and expenditure category (income-expenditure-fields.ts). */
export const arbitraryIeCategory = fc.constantFrom(...IE_CATEGORIES);

/** weekly, fortnightly, four_weekly or monthly. */
export const arbitraryIeFrequency = fc.constantFrom(...IE_FREQUENCIES);

/** An amount one income and expenditure line may hold: 0 to 10,000,000.00 in minor units. */
export const arbitraryIeAmountMinor = fc.integer({ min: 0, max: IE_MAX_AMOUNT_MINOR });

/** One valid income and expenditure line. */
export const arbitraryIeLine: fc.Arbitrary<IeLine> = fc.record({
  category: arbitraryIeCategory,
  amountMinor: arbitraryIeAmountMinor,
  frequency: arbitraryIeFrequency,
});

/** A valid statement: any subset of the categories, each at most once, in any order. */
export const arbitraryIeLines: fc.Arbitrary<IeLine[]> = fc.uniqueArray(arbitraryIeLine, {
  selector: (line) => line.category,
  maxLength: IE_CATEGORIES.length,
});
