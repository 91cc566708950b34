/**
 * What every `npm run db:*` command shares: print plain lines, and on failure print one
 * line naming the command and the reason, never a stack trace, then exit non-zero. The
 * database is closed either way, so an embedded PGlite is flushed and the process exits.
 */
import { closeDatabase } from "~/services/supabase/database.server";
import { EnvError } from "~/utils/env.server";

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function oneLine(error: unknown): string {
  if (error instanceof EnvError) return `invalid environment: ${error.lines.map((line) => line.trim()).join("; ")}`;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, " ").trim();
}

export function runCommand(name: string, main: () => Promise<void>): void {
  main()
    .then(
      () => closeDatabase(),
      async (error: unknown) => {
        process.stderr.write(`${name} failed: ${oneLine(error)}\n`);
        process.exitCode = 1;
        await closeDatabase().catch(() => undefined);
      },
    )
    .catch((error: unknown) => {
      process.stderr.write(`${name}: could not close the database: ${oneLine(error)}\n`);
      process.exitCode = 1;
    });
}

const LOCAL_HOSTS = new Set(["", "localhost", "127.0.0.1", "::1", "[::1]"]);

/** True for a loopback host or a Unix socket; anything else may be someone's real data. */
export function isLocalDatabaseUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    const socketHost = parsed.searchParams.get("host");
    const host = parsed.hostname.toLowerCase();
    if (socketHost?.startsWith("/") && host === "") return true;
    return LOCAL_HOSTS.has(host) || host.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}
