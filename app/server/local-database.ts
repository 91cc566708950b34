/**
 * Local mode's database at start-up: apply pending migrations (and the demo seed on a fresh
 * database), then share the embedded PGlite on loopback so `npm run db:migrate`,
 * `npm run link` and `npm run jobs` reach the very database this server uses (STACK.md §14).
 */
import { getDatabase, startDatabaseSocket } from "~/services/supabase/database.server";
import { prepareDatabase } from "~/services/supabase/migrations.server";
import type { Env } from "~/utils/env.server";

export async function prepareLocalDatabase(env: Env): Promise<void> {
  const db = getDatabase();
  const { applied, seeded } = await prepareDatabase(db);
  if (applied.length > 0) {
    process.stdout.write(`Database: applied ${applied.length} migration(s): ${applied.map((m) => m.version).join(", ")}\n`);
  } else {
    process.stdout.write("Database: migrations are current\n");
  }
  if (seeded) process.stdout.write("Database: loaded the demo data (see README, Demo data)\n");
  if (!env.DATABASE_URL) {
    const socket = await startDatabaseSocket();
    if (socket) process.stdout.write(`Database: shared on loopback for other commands (${socket.file})\n`);
  }
}
