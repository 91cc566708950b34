/**
 * `npm run link -- <account-ref> [--purpose outreach|resend]`: prints a fresh secure link
 * for that account and when it expires (issue 4 item 1: for demo, support and tests). It
 * goes through the app's own path (getSupabase() and api.issue_access_link), so it reaches
 * whichever database the environment names: real Supabase with SUPABASE_URL; else
 * DATABASE_URL; else the running dev server's PGlite through its socket; else the PGlite in
 * PGLITE_DIR. The token is printed once and stored nowhere; only its hash is in the database.
 */
import { parseArgs } from "node:util";
import { getDatabase } from "~/services/supabase/database.server";
import { issueAccessLink, UnknownAccountReferenceError, type LinkPurpose } from "~/utils/access-links.server";
import { getEnv } from "~/utils/env.server";
import { runCommand, say } from "./cli-support";

const USAGE = "usage: npm run link -- <account-reference> [--purpose outreach|resend]";

runCommand("link", async () => {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { purpose: { type: "string", default: "outreach" } },
    allowPositionals: true,
  });
  const reference = positionals[0];
  if (positionals.length !== 1 || !reference) throw new Error(USAGE);
  if (values.purpose !== "outreach" && values.purpose !== "resend") throw new Error(`--purpose must be outreach or resend (${USAGE})`);
  const purpose: LinkPurpose = values.purpose;

  const env = getEnv();
  if (env.local.supabase) say(`Database: ${getDatabase().label}`);
  try {
    const { url, expiresAt } = await issueAccessLink({ accountReference: reference, purpose });
    say(url);
    say(`Expires ${expiresAt.toISOString()} (${purpose === "outreach" ? "30 days" : "30 minutes"}; opening it does not use it up).`);
  } catch (error) {
    if (error instanceof UnknownAccountReferenceError) throw new Error(`no account has the reference ${JSON.stringify(reference)}`);
    throw error;
  }
});
