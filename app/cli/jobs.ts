/**
 * `npm run jobs [-- --today YYYY-MM-DD]`: one pass of the background work (app/jobs): charge
 * the installments due today from saved payment methods, deliver the local Stripe sandbox's
 * events, queue the reminders that are due and send what the outbox holds (ADR 014). Run it from cron (or call POST /jobs/run with
 * JOBS_SECRET); several at once are safe. `--today` makes that date count as today for every
 * creditor (a demo or test of a due date that has not come yet).
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { runJobs } from "~/jobs/run-jobs.server";
import { runCommand, say } from "./cli-support";

const USAGE = "usage: npm run jobs [-- --today YYYY-MM-DD]";

runCommand("jobs", async () => {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { today: { type: "string" } }, allowPositionals: false });
  const today = values.today === undefined ? undefined : z.iso.date().safeParse(values.today);
  if (today && !today.success) throw new Error(`--today must be a date like 2026-12-05 (${USAGE})`);
  const report = await runJobs({ today: today?.data });
  const { sweep, events } = report;
  say(
    `Sweep${today ? ` (today = ${today.data})` : ""}: ${sweep.claimed} charge${sweep.claimed === 1 ? "" : "s"} — ` +
      `${sweep.succeeded} succeeded, ${sweep.processing} processing, ${sweep.failed} failed, ${sweep.unanswered} left for a retry` +
      (sweep.takenOver > 0 ? `, ${sweep.takenOver} taken over from a stopped worker` : ""),
  );
  if (events) say(`Local Stripe events: ${events.delivered} delivered, ${events.failed} failed.`);
  const { reminders, outbox } = report;
  say(
    `Reminders queued: ${reminders.upcoming} before a payment, ${reminders.amountChanged} of a changed amount, ` +
      `${reminders.missed} after a missed payment.`,
  );
  say(
    `Outbox: ${outbox.sent} sent, ${outbox.retrying} to retry, ${outbox.failed} failed, ${outbox.cancelled} no longer needed` +
      (outbox.superseded > 0 ? `, ${outbox.superseded} taken over` : "") +
      ".",
  );
  if (report.pausesLifted > 0 || report.escalated > 0) {
    say(`Collection pauses ended: ${report.pausesLifted}; hardship requests sent to a supervisor: ${report.escalated}.`);
  }
});
