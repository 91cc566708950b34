/**
 * How often a plan's payments fall, in its own module without zod, so the browser can use
 * the simulator's domain code without downloading the policy schema (plan-policy.ts).
 */
export const PLAN_FREQUENCIES = ["weekly", "every_two_weeks", "monthly"] as const;
export type PlanFrequency = (typeof PLAN_FREQUENCIES)[number];

export function isPlanFrequency(value: unknown): value is PlanFrequency {
  return typeof value === "string" && (PLAN_FREQUENCIES as readonly string[]).includes(value);
}
