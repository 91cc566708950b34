/**
 * `npx tsx tests/e2e/make-staff.ts <email> <role> <limit-minor>`: a staff member of the e2e
 * server's database, copied from nobody (reached like `npm run link` reaches it). Each browser
 * project signs in its own staff member, so the two projects running at once never open each
 * other's sign-in emails or hit the per-address link limit. Does nothing when the email exists.
 */
import { closeDatabase, getDatabase } from "~/services/supabase/database.server";

const [email, role, limit] = process.argv.slice(2);
if (!email || !/^[a-z0-9.-]+@example\.com$/.test(email) || !role || !["agent", "supervisor", "admin"].includes(role) || !limit || !/^\d{1,12}$/.test(limit)) {
  console.error("usage: npx tsx tests/e2e/make-staff.ts <name@example.com> <agent|supervisor|admin> <limit-minor>");
  process.exit(2);
}

const db = getDatabase();
try {
  await db.query(
    `insert into app.staff (email, full_name, role, approval_limit_minor)
     values ($1, initcap(replace(split_part($1, '@', 1), '.', ' ')), $2, $3::bigint)
     on conflict (email) do nothing`,
    [email, role, limit],
  );
} finally {
  await closeDatabase();
}
