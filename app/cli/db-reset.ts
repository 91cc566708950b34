/**
 * `npm run db:reset`: drops the app's schemas (app, api and the migration history; roles
 * stay), then migrates and seeds from scratch. It asks nothing, so it guards itself: it
 * refuses under NODE_ENV=production and on a DATABASE_URL that is not on this machine,
 * unless `--force` is given. The refusal checks the raw NODE_ENV first, because a
 * production environment may be incomplete in ways that would stop the parse before it.
 */
import { getDatabase } from "~/services/supabase/database.server";
import { resetDatabase } from "~/services/supabase/migrations.server";
import { getEnv } from "~/utils/env.server";
import { isLocalDatabaseUrl, runCommand, say } from "./cli-support";

runCommand("db:reset", async () => {
  const force = process.argv.slice(2).includes("--force");
  if (process.env.NODE_ENV === "production" && !force) {
    throw new Error("refusing to reset with NODE_ENV=production (it drops every table and row); add --force if you really mean it");
  }
  const env = getEnv();
  if (env.DATABASE_URL && !isLocalDatabaseUrl(env.DATABASE_URL) && !force) {
    throw new Error("refusing to reset a database that is not on this machine (DATABASE_URL); add --force if you really mean it");
  }
  const db = getDatabase();
  say(`Database: ${db.label}`);
  const { applied, seeded } = await resetDatabase(db);
  say(`Dropped app, api and the migration history; applied ${applied.length} migration${applied.length === 1 ? "" : "s"}.`);
  say(seeded ? "Loaded the demo data from supabase/seed.sql." : "No supabase/seed.sql: no demo data loaded.");
});
