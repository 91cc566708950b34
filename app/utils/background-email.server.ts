/**
 * Emails sent after the answer: a request (or a webhook, or a job) queues the send and
 * returns at once. Sends for one subject (a payment, a request) run one after another, so the
 * email service never sees one idempotency key used twice at the same moment; errors are
 * logged with ids only, never thrown: what happened is recorded whether or not the email goes.
 */
import { logger } from "~/utils/logger.server";

/** The latest send started per subject. */
const pending = new Map<string, Promise<void>>();

export function queueEmail(key: string, send: () => Promise<unknown>, event: string, ids: Record<string, string>): void {
  const previous = pending.get(key) ?? Promise.resolve();
  const sending: Promise<void> = previous
    .then(send)
    .then(() => undefined)
    .catch((error: unknown) => {
      logger.error(event, {
        ...ids,
        code: (error as { code?: unknown } | null)?.code ?? null,
        name: error instanceof Error ? error.name : null,
      });
    })
    .finally(() => {
      if (pending.get(key) === sending) pending.delete(key);
    });
  pending.set(key, sending);
}

/** Resolves once every queued send has finished (tests, graceful shutdown, `npm run jobs`). */
export async function settleQueuedEmails(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending.values()]);
}
