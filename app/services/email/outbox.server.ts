/**
 * The outbox's sender (issue 9 item 2; ADR 014), part of every jobs pass. It claims due
 * messages (api.outbox_claim: FOR UPDATE SKIP LOCKED, a lease, and the contact rules for
 * outreach), renders each through its template in the recipient's language now, sends it
 * with sendEmail under the idempotency key `outbox/<message id>`, and records the outcome:
 *
 * - accepted → api.outbox_sent (the provider's id, the address and the language);
 * - refused for a reason that may pass (an outage, a rate limit) → api.outbox_failed with
 *   retry: again after 1, 5, 30, 120 minutes, then 'failed' (kept, never dropped);
 * - refused for good (the provider says the message itself is wrong), no template by that
 *   name → 'failed' at once;
 * - the template says the message no longer applies → 'cancelled' (not_applicable).
 *
 * Several workers at once send each message once: a claim is exclusive, and if a lease runs
 * out mid-send (a worker stalled) the next worker's send carries the same idempotency key,
 * which Resend answers with the first email. Every message to a borrower carries
 * List-Unsubscribe (RFC 8058) and a one-tap link: it stops reminders, never receipts.
 * Logs carry ids and codes only.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { z } from "zod";
import { type Language } from "~/i18n/config";
import { rpc } from "~/services/supabase/rpc.server";
import { getEnv } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";
import { outboxTemplates } from "~/utils/outbox-templates/index.server";
import { OutboxMessageSchema, type OutboxMessage, type OutboxTemplates } from "~/utils/outbox-templates/types.server";
import { unsubscribeUrl } from "~/utils/unsubscribe-token.server";
import { StopRemindersLinkContext } from "~emails/layout";
import { createElement } from "react";
import { emailIdempotencyKey, sendEmail } from "./send.server";
import { getEmailT } from "./t.server";

export interface OutboxOptions {
  /** This worker's name in the leases (default: host, process and a random part). */
  worker?: string;
  /** The moment that counts as now (tests); default the database's clock. */
  now?: Date;
  /** Messages per claim (default 20). */
  limit?: number;
  /** Stop after this many claims (default 50), so one pass stays bounded. */
  maxBatches?: number;
  /** The template registry (default: the app's). */
  templates?: OutboxTemplates;
}

export interface OutboxReport {
  /** Messages claimed (attempts started). */
  claimed: number;
  /** Accepted by the provider. */
  sent: number;
  /** Attempts that failed and will be retried. */
  retrying: number;
  /** Marked failed for good (last attempt, or a refusal retrying cannot fix). */
  failed: number;
  /** Cancelled by their template (no longer applies). */
  cancelled: number;
  /** Taken over by another worker after this one's lease ran out (the idempotency key kept it to one email). */
  superseded: number;
}

/** Provider errors that say the message itself is wrong: sending it again cannot help. */
const PERMANENT_ERRORS = new Set([
  "validation_error",
  "missing_required_field",
  "invalid_idempotency_key",
  "invalid_idempotent_request",
  "invalid_from_address",
  "invalid_parameter",
  "invalid_attachment",
  "invalid_region",
  "not_found",
  "method_not_allowed",
  "security_error",
]);

const LEASE_SECONDS = 300;

const ClaimSchema = z.array(OutboxMessageSchema);

function defaultWorker(): string {
  return `${hostname().slice(0, 60)}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** A tag value from a template name: `reminder.upcoming` → `reminder_upcoming`. */
const tagValue = (template: string) => template.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 256);

/**
 * What became of one claimed message. `superseded`: this worker no longer held it when it
 * came to record the outcome (its lease ran out and another worker took the message over).
 */
export type OutboxOutcome = "sent" | "retrying" | "failed" | "cancelled" | "superseded";

async function recordFailure(message: OutboxMessage, worker: string, code: string, retry: boolean, now: string | undefined): Promise<OutboxOutcome> {
  const state = await rpc("outbox_failed", { p_id: message.id, p_worker: worker, p_error_code: code, p_retry: retry, p_now: now }, z.string().nullable());
  logger.warn("outbox.attempt_failed", { messageId: message.id, template: message.template, code, attempt: message.attempts, state });
  if (state === "queued") return "retrying";
  if (state === "failed") return "failed";
  return "superseded";
}

/**
 * Renders, sends and records one message this worker claimed (runOutbox's step, exported for
 * tests of a stalled worker). `now` as in runOutbox.
 */
export async function deliverOutboxMessage(
  message: OutboxMessage,
  worker: string,
  templates: OutboxTemplates = outboxTemplates,
  now?: Date,
): Promise<OutboxOutcome> {
  const at = now?.toISOString();
  const template = Object.hasOwn(templates, message.template) ? templates[message.template] : undefined;
  if (!template) return recordFailure(message, worker, "unknown_template", false, at);

  const env = getEnv();
  const language: Language = message.language;
  // The opt-out link's 60 days count from when the message was written, so every attempt
  // sends the same payload (Resend refuses a reused key with a different one).
  // Every message to a borrower can stop reminders with one tap (List-Unsubscribe and a link):
  // templates that say so in their body (reminders: showsStopLink) get the link to show, the
  // rest have it in the footer. Staff messages have none.
  const optOut = message.borrower_id ? unsubscribeUrl(message.id, message.created_at) : null;

  let rendered;
  try {
    rendered = await template.render(message, {
      language,
      t: await getEmailT(language),
      appUrl: env.APP_URL,
      unsubscribeUrl: message.category === "outreach" ? optOut : null,
      now: now ?? new Date(),
    });
  } catch (error) {
    logger.error("outbox.render_failed", { messageId: message.id, template: message.template, error });
    return recordFailure(message, worker, "render_error", true, at);
  }
  if (rendered === null) {
    const cancelled = await rpc("outbox_cancel", { p_id: message.id, p_worker: worker, p_reason: "not_applicable", p_now: at }, z.boolean());
    logger.info("outbox.not_applicable", { messageId: message.id, template: message.template });
    return cancelled ? "cancelled" : "superseded";
  }

  let result;
  try {
    result = await sendEmail({
      to: message.to_address,
      subject: rendered.subject,
      react: optOut && !template.showsStopLink ? createElement(StopRemindersLinkContext.Provider, { value: optOut }, rendered.react) : rendered.react,
      idempotencyKey: emailIdempotencyKey("outbox", message.id),
      tags: [
        { name: "template", value: tagValue(message.template) },
        { name: "category", value: message.category },
      ],
      headers: optOut ? { "List-Unsubscribe": `<${optOut}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } : undefined,
    });
  } catch (error) {
    logger.error("outbox.send_threw", { messageId: message.id, template: message.template, error });
    return recordFailure(message, worker, "send_exception", true, at);
  }

  if (result.status === "error") return recordFailure(message, worker, result.code, !PERMANENT_ERRORS.has(result.code), at);

  const recorded = await rpc(
    "outbox_sent",
    { p_id: message.id, p_worker: worker, p_provider_id: result.id, p_to_address: message.to_address, p_language: language, p_now: at },
    z.boolean(),
  );
  logger.info("outbox.sent", { messageId: message.id, template: message.template, emailId: result.id, attempt: message.attempts, recorded });
  return recorded ? "sent" : "superseded";
}

/** One pass of the sender: claims and delivers until nothing is due (or maxBatches claims). */
export async function runOutbox(options: OutboxOptions = {}): Promise<OutboxReport> {
  const worker = options.worker ?? defaultWorker();
  const templates = options.templates ?? outboxTemplates;
  const limit = options.limit ?? 20;
  const maxBatches = options.maxBatches ?? 50;
  const report: OutboxReport = { claimed: 0, sent: 0, retrying: 0, failed: 0, cancelled: 0, superseded: 0 };

  for (let batch = 0; batch < maxBatches; batch += 1) {
    const claimed = await rpc(
      "outbox_claim",
      { p_worker: worker, p_limit: limit, p_now: options.now?.toISOString(), p_lease_seconds: LEASE_SECONDS },
      ClaimSchema,
    );
    if (claimed.length === 0) break;
    report.claimed += claimed.length;
    for (const message of claimed) {
      const outcome = await deliverOutboxMessage(message, worker, templates, options.now);
      report[outcome] += 1;
    }
  }
  return report;
}
