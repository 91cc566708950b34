/**
 * `npx tsx tests/e2e/clone-account.ts <source-ref> <new-ref>`: copies a demo account, its
 * borrower (same answers to the sign-in question, an e2e email address) and its ledger, under a
 * new reference, in the e2e server's database (reached like `npm run link` reaches it). Tests
 * that agree an arrangement each work on their own copy of DEMO-1001, because an account holds
 * one live arrangement at a time and the two browser projects run at once. Does nothing when
 * the new reference exists.
 */
import { closeDatabase, getDatabase } from "~/services/supabase/database.server";

const [source, target] = process.argv.slice(2);
if (!source || !target || !/^[A-Za-z0-9-]{1,60}$/.test(target)) {
  console.error("usage: npx tsx tests/e2e/clone-account.ts <source-ref> <new-ref>");
  process.exit(2);
}

const db = getDatabase();
try {
  const exists = await db.query("select 1 from app.accounts where reference = $1", [target]);
  if (exists.rows.length === 0) {
    await db.query(
      `with src as (select a.* from app.accounts as a where a.reference = $1),
            nb as (
              insert into app.borrowers (creditor_id, full_name, email, phone, language, time_zone, identity_check_kind, date_of_birth, postal_code)
              select b.creditor_id, b.full_name, $3, b.phone, b.language, b.time_zone, b.identity_check_kind, b.date_of_birth, b.postal_code
                from app.borrowers as b join src on src.borrower_id = b.id
              returning id
            ),
            na as (
              insert into app.accounts (creditor_id, borrower_id, reference, product, original_creditor, opened_on, first_missed_payment_on,
                                        charged_off_on, original_amount_minor, currency, interest_rate_bps, itemization_date, status)
              select src.creditor_id, nb.id, $2, src.product, src.original_creditor, src.opened_on, src.first_missed_payment_on,
                     src.charged_off_on, src.original_amount_minor, src.currency, src.interest_rate_bps, src.itemization_date, src.status
                from src, nb
              returning id
            )
       insert into app.ledger_entries (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency, effective_on, reason_code)
       select na.id, l.kind, l.principal_minor, l.interest_minor, l.fees_minor, l.amount_minor, l.currency, l.effective_on, l.reason_code
         from app.ledger_entries as l, src, na
        where l.account_id = src.id
        order by l.entry_no`,
      [source, target, `${target.toLowerCase()}@example.com`],
    );
  }
  console.log(target);
} finally {
  await closeDatabase();
}
