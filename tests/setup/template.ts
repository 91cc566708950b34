/**
 * What the global setup hands every test worker: where the run's template database is
 * (a PGlite tarball, or a template database on the Postgres server of DATABASE_URL), the
 * files through which a worker asks for it and learns it is ready (it is built on demand,
 * so a run of unit tests alone never builds it), and where workers report how long their
 * per-file copy took.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

interface Shared {
  runId: string;
  /** Created by the first worker that needs the template: the global setup then builds it. */
  requestFile: string;
  /** Written once the template is built: `{ "ok": true }` or `{ "ok": false, "error": "…" }`. */
  readyFile: string;
  timingsFile: string;
}

export type TestDatabaseTemplate = Shared & ({ kind: "pglite"; tarball: string } | { kind: "postgres"; serverUrl: string; template: string });

declare module "vitest" {
  export interface ProvidedContext {
    repayTestDatabase: TestDatabaseTemplate;
  }
}

/** The same server URL, pointing at another database. */
export function urlForDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Database names are generated from [a-z0-9_]; checked before they go into DDL. */
export function assertSafeName(name: string): string {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Unsafe database name: ${name}`);
  return name;
}

export interface SetupTiming {
  file: string;
  kind: "pglite" | "postgres";
  ms: number;
}

/** Used by setup-db.ts to report one file's copy time to the global teardown. */
export function recordTiming(timingsFile: string, timing: SetupTiming): void {
  appendFileSync(timingsFile, JSON.stringify(timing) + "\n");
}

/** Asks for the template and waits until it is built; throws the build's error if it failed. */
export async function waitForTemplate(template: TestDatabaseTemplate, timeoutMs = 300_000): Promise<void> {
  if (!existsSync(template.requestFile)) writeFileSync(template.requestFile, String(process.pid));
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(template.readyFile)) {
    if (Date.now() > deadline) throw new Error(`The test database template was not ready after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const state = JSON.parse(readFileSync(template.readyFile, "utf8")) as { ok: boolean; error?: string };
  if (!state.ok) throw new Error(`The test database template could not be built: ${state.error ?? "unknown error"}`);
}
