/**
 * Portfolio metrics for the console (issue 8 item 7): the database counts (api.staff_metrics,
 * definitions in its migration), this turns counts into rates. A rate with nothing to count
 * is null ("no data"), never 0 %.
 */
import { z } from "zod";
import { rpc } from "~/services/supabase/rpc.server";
import { DPD_BUCKETS } from "~/utils/ops-lists";
import type { Staff } from "~/utils/staff-session.server";

const Count = z.number().int().nonnegative();
const Mean = z.coerce.number().nonnegative().nullable();

const Shared = {
  plans_live: Count,
  plans_completed: Count,
  plans_agreed: Count,
  plans_self_serve: Count,
  installments_due: Count,
  installments_kept: Count,
  first_payments: Count,
  avg_days_to_pay: Mean,
  hardship_received: Count,
  disputes_received: Count,
  complaints_received: Count,
};

const MetricsSchema = z.object({
  first_week: z.string(),
  last_week: z.string(),
  weeks: z.array(
    z.object({
      week_start: z.string(),
      ...Shared,
      hardship_decided: Count,
      hardship_hours: Mean,
      disputes_resolved: Count,
      dispute_hours: Mean,
      complaints_resolved: Count,
      complaint_hours: Mean,
      feedback_count: Count,
      feedback_rating: Mean,
    }),
  ),
  dpd_buckets: z.array(z.object({ bucket: z.enum(DPD_BUCKETS), ...Shared })),
});

/** A share in whole percent, or null when there is nothing to divide. */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 100);
}

type Row = z.output<typeof MetricsSchema>["dpd_buckets"][number];

function rates(row: Omit<Row, "bucket">) {
  return {
    cureRate: percent(row.plans_completed, row.plans_live),
    promiseKeptRate: percent(row.installments_kept, row.installments_due),
    selfServeShare: percent(row.plans_self_serve, row.plans_agreed),
    avgDaysToPay: row.avg_days_to_pay,
  };
}

export async function staffMetrics(staff: Staff, today: string, weeks = 12) {
  const metrics = await rpc("staff_metrics", { p_staff_id: staff.id, p_today: today, p_weeks: weeks }, MetricsSchema);
  return {
    firstWeek: metrics.first_week,
    lastWeek: metrics.last_week,
    weeks: metrics.weeks.map((w) => ({
      weekStart: w.week_start,
      ...rates(w),
      counts: w,
      hardshipReceived: w.hardship_received,
      hardshipDecided: w.hardship_decided,
      hardshipHours: w.hardship_hours,
      disputesReceived: w.disputes_received,
      disputesResolved: w.disputes_resolved,
      disputeHours: w.dispute_hours,
      complaintsReceived: w.complaints_received,
      complaintHours: w.complaint_hours,
      feedbackRating: w.feedback_rating,
    })),
    buckets: metrics.dpd_buckets.map((b) => ({ bucket: b.bucket, ...rates(b), counts: b })),
  };
}
