/**
 * One pass of the background work (DESIGN §7), shared by `npm run jobs` and the scheduler's
 * route (/jobs/run): collection pauses that ended are lifted and overdue hardship requests
 * go to a supervisor, the sweep charges due installments, then, in local mode, the Stripe
 * sandbox's pending events are delivered to the webhook handler (in this process, so a pass
 * works with the dev server stopped too), and the reminders that are due are queued; last, the
 * outbox's sender delivers the messages that are due (ADR 014), those the sweep's charges and
 * the events queued included (receipts, plans paid off, automatic payments that did not go
 * through: the database writes them with the charge or the event). Each recorded charge and
 * each applied event nudges the sender, so a receipt goes while the sweep goes on; those
 * passes finish before the pass's own, so one pass at a time sends. Safe to run on several
 * machines at once: every step claims its work in the database.
 */
import { nudgeOutbox, settleOutboxNudges } from "~/services/email/outbox-nudge.server";
import { runOutbox, type OutboxReport } from "~/services/email/outbox.server";
import { deliverPendingEvents } from "~/services/stripe/local-sandbox.server";
import { runSweep, type SweepReport } from "~/utils/automatic-charges.server";
import { escalateOverdueHardship, liftEndedPauses } from "~/utils/hardship.server";
import { getEnv } from "~/utils/env.server";
import { queueReminders, type RemindersReport } from "~/utils/reminders.server";

export interface JobsOptions {
  /** The date (YYYY-MM-DD) that counts as today for every creditor. */
  today?: string;
  /** Stop the sweep after this many batches (the route keeps one request short). */
  maxBatches?: number;
}

export interface JobsReport {
  /** Time-limited collection pauses that ended (their plans' payments moved after them). */
  pausesLifted: number;
  /** Hardship requests past their decision time, sent to a supervisor. */
  escalated: number;
  sweep: SweepReport;
  /** Local mode: sandbox events delivered to the webhook handler (null with real Stripe). */
  events: { attempted: number; delivered: number; failed: number } | null;
  /** Reminders queued in the outbox by this pass (before a payment, payment failed, missed), per kind. */
  reminders: RemindersReport;
  /** The outbox's sender: messages claimed, sent, retrying, failed, cancelled. */
  outbox: OutboxReport;
}

/** Hands one signed sandbox event to the webhook route's handler in this process, as Stripe would over HTTP. */
export async function deliverToWebhookHandler(payload: string, signature: string): Promise<{ status: number }> {
  // Imported here: the route module pulls in the webhook's dependencies only when needed.
  const { action } = await import("~/routes/webhooks.stripe");
  const request = new Request(new URL("/webhooks/stripe", getEnv().APP_URL), {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": signature },
    body: payload,
  });
  const response = (await action({ request, params: {}, context: {} as never })) as Response;
  return { status: response.status };
}

export async function runJobs(options: JobsOptions = {}): Promise<JobsReport> {
  // Pauses first: an account whose pause ended is charged (on its moved dates) from now on.
  const pausesLifted = await liftEndedPauses();
  const escalated = await escalateOverdueHardship();
  const sweep = await runSweep({
    today: options.today,
    maxBatches: options.maxBatches,
    onRecorded: () => nudgeOutbox(),
  });
  const events = getEnv().local.stripe ? await deliverPendingEvents({ deliver: deliverToWebhookHandler }) : null;
  const reminders = await queueReminders({ today: options.today });
  await settleOutboxNudges();
  const outbox = await runOutbox();
  return { pausesLifted, escalated, sweep, events, reminders, outbox };
}
