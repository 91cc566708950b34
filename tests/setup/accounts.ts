/**
 * Fresh accounts for integration tests: a new open account of a demo borrower owing what the
 * caller says (DEMO-1001's $1,100.00 + $96.50 + $44.00 by default), inserted as the table
 * owner, so each test starts from a known balance without touching the demo accounts.
 */
import { testDb } from "./db";

export const ALEX = "b0000000-0000-4000-8000-000000000001";

let references = 0;

export interface NewAccountOptions {
  principal?: number;
  interest?: number;
  fees?: number;
  borrowerId?: string;
  /** The reference's prefix, so a failing test's rows are easy to find. */
  prefix?: string;
}

export async function newAccount({ principal = 110_000, interest = 9_650, fees = 4_400, borrowerId = ALEX, prefix = "TEST" }: NewAccountOptions = {}): Promise<string> {
  references += 1;
  const { rows } = await testDb().query<{ id: string }>(
    `insert into app.accounts
       (creditor_id, borrower_id, reference, product, opened_on, original_amount_minor, currency, itemization_date)
     select b.creditor_id, b.id, $2, 'personal_loan', current_date - 100, $3::bigint, 'USD', current_date - 100
       from app.borrowers as b
      where b.id = $1
     returning id`,
    [borrowerId, `${prefix}-${process.pid}-${references}`, principal],
  );
  const id = rows[0]!.id;
  await testDb().query(
    `insert into app.ledger_entries (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency, effective_on, reason_code)
     select $1::uuid, e.kind, e.p, e.i, e.f, e.p + e.i + e.f, 'USD', current_date - 50, e.reason
       from (values ('principal', $2::bigint, 0::bigint, 0::bigint, 'loan_disbursed'),
                    ('interest', 0, $3::bigint, 0, 'interest_accrued'),
                    ('fee', 0, 0, $4::bigint, 'late_fee')) as e (kind, p, i, f, reason)
      where e.p + e.i + e.f > 0`,
    [id, principal, interest, fees],
  );
  return id;
}

export interface Balance {
  principal: number;
  interest: number;
  fees: number;
  total: number;
}

export async function accountBalance(accountId: string): Promise<Balance> {
  const { rows } = await testDb().query<Balance>(
    `select coalesce(sum(principal_minor), 0)::int as principal, coalesce(sum(interest_minor), 0)::int as interest,
            coalesce(sum(fees_minor), 0)::int as fees, coalesce(sum(amount_minor), 0)::int as total
       from app.ledger_entries where account_id = $1`,
    [accountId],
  );
  return rows[0]!;
}
