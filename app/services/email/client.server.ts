/**
 * The resend client the app sends with (DESIGN §1 item 6: email goes through the `resend`
 * SDK only). With RESEND_API_KEY set it is the plain SDK talking to Resend; without it, the
 * same SDK class answered by the in-process outbox (local-outbox.server.ts), so the calling
 * code never changes. The stand-in is unreachable when the production variable is set.
 */
import { Resend } from "resend";
import { getEnv } from "~/utils/env.server";
import { LocalOutboxResend } from "./local-outbox.server";

const globalForResend = globalThis as unknown as { __repayResend?: { key: string; client: Resend } };

export function getResend(): Resend {
  const env = getEnv();
  const key = env.local.email ? "local" : env.RESEND_API_KEY!;
  // One client per process (and per key, so tests that switch the environment get a new one).
  const cached = globalForResend.__repayResend;
  if (cached?.key === key) return cached.client;
  const client = env.local.email ? new LocalOutboxResend() : new Resend(env.RESEND_API_KEY);
  globalForResend.__repayResend = { key, client };
  return client;
}
