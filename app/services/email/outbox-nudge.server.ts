/**
 * "Requested messages go at once" (ADR 014): after the action that queued a message has
 * committed, the request nudges the sender, which runs a pass of the outbox in the background
 * (runOutbox), so the borrower has the email as soon as the page answers. One pass at a time
 * per process: a nudge while a pass runs asks for one more pass after it, never a second one
 * beside it. Errors are logged with codes only, never thrown: the message stays in the outbox
 * and the next pass (this one's follow-up, or `npm run jobs`) sends it. Several processes (or
 * a jobs pass) at once are safe: the claim is exclusive.
 */
import { logger } from "~/utils/logger.server";

let running: Promise<void> | null = null;
let again = false;

async function drain(): Promise<void> {
  do {
    again = false;
    try {
      // Loaded when first needed: the sender's templates import the modules that nudge it.
      const { runOutbox } = await import("./outbox.server");
      await runOutbox();
    } catch (error) {
      logger.error("outbox.nudge_failed", {
        code: (error as { code?: unknown } | null)?.code ?? null,
        name: error instanceof Error ? error.name : null,
      });
    }
  } while (again);
}

/** Asks for a pass of the sender now, in the background; returns at once. */
export function nudgeOutbox(): void {
  if (running) {
    again = true;
    return;
  }
  running = drain().finally(() => {
    running = null;
  });
}

/** Resolves once the nudged passes have finished (tests, graceful shutdown). */
export async function settleOutboxNudges(): Promise<void> {
  while (running) await running;
}
