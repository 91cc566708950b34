import type { AppLoadContext } from "@remix-run/node";
import { getEnv } from "~/utils/env.server";

/**
 * Guards the local-only pages (`/dev/*`, `/sandbox/*`): they exist only while a local
 * stand-in runs and only for a client on this machine. Anything else sees a plain 404, so
 * a deployment does not even reveal that the pages exist.
 */
export function requireLocalOnly(context: AppLoadContext, service: "email" | "stripe" | "any" = "any"): void {
  const env = getEnv();
  const localService = service === "any" ? env.anyLocal : env.local[service];
  if (!localService || !context.isLoopback) {
    throw new Response("Not found", { status: 404 });
  }
}
