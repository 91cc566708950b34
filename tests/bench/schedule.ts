/**
 * How long the simulator's work takes on the largest schedule allowed: 520 weekly payments
 * (MAX_INSTALLMENTS, ten years) built by buildSchedule, then checked by checkAgainstPolicy.
 * Both run in the browser on every change of the simulator's inputs and again on the server,
 * so they must stay far below a frame (16 ms) on a phone.
 *
 * Usage (no server, no build): npx tsx tests/bench/schedule.ts [--iterations 2000] [--warmup 200]
 * Prints median, p95 and mean in milliseconds for each step and for both together.
 * A benchmark, not a test: vitest.config.ts only picks up *.test.ts files.
 */
import { checkAgainstPolicy, type PolicyVerdict } from "~/domain/plan-policy-check";
import { parsePlanPolicy } from "~/domain/plan-policy";
import { buildSchedule, type Installment, MAX_INSTALLMENTS, type ScheduleInput } from "~/domain/schedule";
import { DEMO_PLAN_POLICY } from "../fixtures/plan-policy-cases";

const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const iterations = flag("iterations", 2_000);
const warmup = flag("warmup", 200);

// $52,000.00 in 520 weekly payments of $100.00, agreed 2026-11-28, starting 2026-12-01.
const input: ScheduleInput = {
  totalMinor: 5_200_000,
  frequency: "weekly",
  startDate: "2026-12-01",
  by: { kind: "count", count: MAX_INSTALLMENTS },
};
const agreedOn = "2026-11-28";
// The demo policy with the longest plan allowed (120 months), so a ten-year plan is a
// realistic "needs review" rather than failing early; every rule is evaluated either way.
const policy = parsePlanPolicy({ ...DEMO_PLAN_POLICY, longestPlanMonths: 120 });

function build(): Installment[] {
  const result = buildSchedule(input);
  if (!result.ok) throw new Error(`buildSchedule refused the benchmark input: ${result.reason}`);
  return result.installments;
}
const check = (installments: Installment[]): PolicyVerdict =>
  checkAgainstPolicy({ kind: "plan", frequency: "weekly", installments }, policy, { agreedOn });

function summarize(name: string, samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const mean = samples.reduce((sum, ms) => sum + ms, 0) / samples.length;
  console.log(
    `${name.padEnd(32)} median ${at(0.5).toFixed(3)} ms   p95 ${at(0.95).toFixed(3)} ms   mean ${mean.toFixed(3)} ms`,
  );
}

const installments = build();
const verdict = check(installments);
if (installments.length !== MAX_INSTALLMENTS) throw new Error(`expected ${MAX_INSTALLMENTS} payments`);
console.log(
  `${installments.length} weekly payments of ${installments[0]!.amountMinor} cents, ${installments[0]!.dueOn} to ${installments.at(-1)!.dueOn}; verdict ${JSON.stringify(verdict)}`,
);
console.log(`node ${process.version}, ${warmup} warm-up then ${iterations} timed iterations`);

// Warm up the JIT on the same work, then time each step on its own and both together.
let sink = 0;
for (let k = 0; k < warmup; k++) sink += check(build()).verdict.length;

const buildMs: number[] = [];
const checkMs: number[] = [];
const bothMs: number[] = [];
for (let k = 0; k < iterations; k++) {
  const t0 = performance.now();
  const built = build();
  const t1 = performance.now();
  sink += check(built).verdict.length;
  const t2 = performance.now();
  buildMs.push(t1 - t0);
  checkMs.push(t2 - t1);
  bothMs.push(t2 - t0);
}

summarize("buildSchedule (520 weekly)", buildMs);
summarize("checkAgainstPolicy (520)", checkMs);
summarize("both", bothMs);
// Keeps the results observable so no step is optimised away.
if (sink === 0) console.log("(unexpected: no verdicts)");
