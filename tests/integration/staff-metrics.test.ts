/**
 * The console's metrics (issue 8 item 7) from what is stored: two plans agreed this week
 * (one without staff, one sent for review), one paid off, one payment on time and one
 * missed, a dispute received; each rate as a share of what it counts, "no data" where there
 * is nothing to count, and the DPD bucket each thing happened at.
 */
import { describe, expect, test } from "vitest";
import { loader as metricsLoader } from "~/routes/ops.metrics";
import { agreeArrangement, consentHash } from "~/utils/arrangements.server";
import { staffMetrics } from "~/utils/staff-metrics.server";
import { newAccount, ALEX } from "../setup/accounts";
import { addDays, today } from "../setup/dates";
import { testDb } from "../setup/db";
import { call, context, Jar, req } from "../setup/routes";
import { signInStaff, STAFF } from "../setup/staff";

let n = 0;
async function plan(policyRules: string[], dueDates: string[]) {
  const accountId = await newAccount({ principal: 30_000, interest: 0, fees: 0, prefix: "TEST-METRICS" });
  const body = `Metrics plan ${++n} ${accountId}`;
  const agreed = await agreeArrangement({
    borrowerId: ALEX,
    accountId,
    kind: "plan",
    frequency: "monthly",
    discountBps: 0,
    balanceMinor: 30_000,
    totalMinor: 30_000,
    installments: dueDates.map((dueOn) => ({ dueOn, amountMinor: 30_000 / dueDates.length })),
    policyRules,
    reviewDueOn: policyRules.length > 0 ? addDays(today(), 2) : null,
    consent: { version: "plan-terms.v1", language: "en", body, sha256: consentHash(body), ip: null, userAgent: null },
  });
  if (!agreed.ok) throw new Error(agreed.reason);
  return { accountId, arrangementId: agreed.arrangementId };
}

describe("metrics", () => {
  test("rates are shares of what they count, by week and by DPD bucket", async () => {
    const staff = { id: STAFF.agent.id, email: STAFF.agent.email, fullName: "Priya Shah", role: "agent" as const, approvalLimitMinor: 200_000 };
    const before = await staffMetrics(staff, today());
    const thisWeek = () => before.weeks.at(-1)!;
    expect(thisWeek().cureRate === null || typeof thisWeek().cureRate === "number").toBe(true);

    const t = today();
    const selfServe = await plan([], [addDays(t, 3), addDays(t, 33)]);
    await plan(["too_long"], [addDays(t, 3)]);
    // The self-serve plan's account was 75 days past due when it was agreed.
    await testDb().query("update app.accounts set first_missed_payment_on = current_date - 75 where id = $1", [selfServe.accountId]);
    // Its first payment fell due yesterday and was paid; the second was missed; then it was paid off.
    const yesterday = addDays(t, -1);
    await testDb().query(
      `update app.installments set due_on = $2::date, original_due_on = $2::date,
              status = case when seq = 1 then 'paid' else 'missed' end,
              paid_minor = case when seq = 1 then amount_minor else 0 end
        where arrangement_id = $1`,
      [selfServe.arrangementId, yesterday],
    );
    await testDb().query("update app.arrangements set status = 'completed', ended_at = now() where id = $1", [selfServe.arrangementId]);

    const after = await staffMetrics(staff, t);
    const week = after.weeks.find((w) => w.weekStart <= yesterday && addDays(w.weekStart, 6) >= yesterday)!;
    const current = after.weeks.at(-1)!;
    const was = before.weeks.at(-1)!;
    expect(current.counts.plans_live - was.counts.plans_live).toBe(1); // the pending one has not started
    expect(current.counts.plans_completed - was.counts.plans_completed).toBe(1);
    expect(current.counts.plans_agreed - was.counts.plans_agreed).toBe(1);
    expect(current.counts.plans_self_serve - was.counts.plans_self_serve).toBe(1);
    expect(week.counts.installments_due).toBeGreaterThanOrEqual(2);
    expect(week.counts.installments_kept).toBeGreaterThanOrEqual(1);

    const bucket = after.buckets.find((b) => b.bucket === "61_90")!;
    const bucketBefore = before.buckets.find((b) => b.bucket === "61_90")!;
    expect(bucket.counts.plans_live - bucketBefore.counts.plans_live).toBe(1);
    expect(bucket.counts.installments_due - bucketBefore.counts.installments_due).toBe(2);
    expect(bucket.counts.installments_kept - bucketBefore.counts.installments_kept).toBe(1);
    if (bucketBefore.counts.installments_due === 0) expect(bucket.promiseKeptRate).toBe(50);
    if (bucketBefore.counts.plans_live === 0) expect(bucket.cureRate).toBe(100);
  });

  test("the page needs a staff session; bad input to the function is refused", async () => {
    const signedOut = await call(() => metricsLoader({ request: req("/ops/metrics", { jar: new Jar() }), params: {}, context }));
    expect(signedOut.status).toBe(302);
    const jar = await signInStaff(STAFF.agent.email);
    const page = await call(() => metricsLoader({ request: req("/ops/metrics", { jar }), params: {}, context }));
    expect(page.status).toBe(200);
    expect((page.data as { weekly: { cure: unknown[] } }).weekly.cure).toHaveLength(12);
    await expect(testDb().query("select api.staff_metrics($1, current_date, 0)", [STAFF.agent.id])).rejects.toThrow(/1 to 104 weeks/);
    await expect(testDb().query("select api.staff_metrics('a0000000-0000-4000-8000-000000000000', current_date, 4)")).rejects.toThrow(/may not/);
  });
});
