/**
 * `POST /jobs/run`: the scheduler's way to run one pass of the background work (the same
 * pass as `npm run jobs`). It proves itself with `Authorization: Bearer <JOBS_SECRET>`,
 * compared in constant time; without JOBS_SECRET configured the route does not exist (404).
 * A pass is bounded (at most 20 sweep batches) so one request stays short; the scheduler
 * calls again for the rest. The cross-site check exempts /jobs/* (app/server/security.ts):
 * the secret is the proof, and these requests have their own rate limit.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { ActionFunctionArgs } from "@remix-run/node";
import { runJobs } from "~/jobs/run-jobs.server";
import { getEnv } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";

const MAX_BATCHES = 20;

const noStore = { "Cache-Control": "no-store" };

function answer(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...noStore, ...headers } });
}

/** Equal-length digests, so neither the secret's length nor its bytes leak through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export async function loader() {
  if (!getEnv().JOBS_SECRET) return answer(404, { error: "not_found" });
  return answer(405, { error: "method_not_allowed" }, { Allow: "POST" });
}

export async function action({ request }: ActionFunctionArgs) {
  const secret = getEnv().JOBS_SECRET;
  if (!secret) return answer(404, { error: "not_found" });
  if (request.method !== "POST") return answer(405, { error: "method_not_allowed" }, { Allow: "POST" });
  const match = /^Bearer (\S{1,512})$/.exec(request.headers.get("authorization") ?? "");
  if (!match || !sameSecret(match[1]!, secret)) {
    logger.warn("jobs.refused", { reason: "bad_secret" });
    return answer(401, { error: "unauthorized" }, { "WWW-Authenticate": "Bearer" });
  }
  const report = await runJobs({ maxBatches: MAX_BATCHES });
  logger.info("jobs.run", { ...report.sweep, eventsDelivered: report.events?.delivered ?? null, messagesSent: report.outbox.sent, messagesFailed: report.outbox.failed });
  return answer(200, {
    pausesLifted: report.pausesLifted,
    escalated: report.escalated,
    sweep: report.sweep,
    events: report.events,
    reminders: report.reminders,
    outbox: report.outbox,
  });
}
