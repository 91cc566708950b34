/**
 * `npm run db:migrate`: applies the migrations in supabase/migrations that the database
 * lacks (each once, in order, in its own transaction, recorded as the Supabase CLI records
 * them) and loads supabase/seed.sql only into a database that had no migrations before.
 * The database is DATABASE_URL when set; else the running dev server's PGlite, reached
 * through its socket; else the PGlite in PGLITE_DIR. Prints what it did.
 */
import { getDatabase } from "~/services/supabase/database.server";
import { prepareDatabase } from "~/services/supabase/migrations.server";
import { getEnv } from "~/utils/env.server";
import { runCommand, say } from "./cli-support";

runCommand("db:migrate", async () => {
  getEnv();
  const db = getDatabase();
  say(`Database: ${db.label}`);
  const { applied, seeded } = await prepareDatabase(db, {
    onApply: (migration) => say(`Applied ${migration.version}_${migration.name}.sql (${migration.statements.length} statements)`),
  });
  say(applied.length === 0 ? "Up to date: every migration is already applied." : `Applied ${applied.length} migration${applied.length === 1 ? "" : "s"}.`);
  if (seeded) say("Loaded the demo data from supabase/seed.sql into the fresh database.");
});
