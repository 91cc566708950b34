-- Payment receipts (issue 6 item 6): every payment Stripe confirms is followed by a receipt
-- email, sent once. The webhook route asks this function, after api.record_stripe_event has
-- applied an event, what the receipt says; the app formats it in the borrower's language and
-- sends it with the idempotency key payment-receipt/<payment id>, so a replayed event (or the
-- second event of the same payment) never sends a second email.
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): security definer, empty
-- search_path, fully qualified names, executable by service_role alone; money in bigint
-- minor units; the account reference by its last 4 characters only.

create function api.payment_receipt(p_payment_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_payment app.payments%rowtype;
  v_account app.accounts%rowtype;
  v_creditor app.creditors%rowtype;
  v_borrower app.borrowers%rowtype;
  v_balance bigint;
begin
  select p.* into v_payment from app.payments as p where p.id = p_payment_id;
  -- Nothing to send: no such payment, or Stripe has not confirmed it (a refunded payment
  -- had its receipt when it succeeded).
  if not found or v_payment.status <> 'succeeded' then
    return null;
  end if;

  select a.* into strict v_account from app.accounts as a where a.id = v_payment.account_id;
  select c.* into strict v_creditor from app.creditors as c where c.id = v_account.creditor_id;
  select b.* into strict v_borrower from app.borrowers as b where b.id = v_payment.borrower_id;

  select coalesce(sum(l.amount_minor), 0)::bigint
    into v_balance
    from app.ledger_entries as l
   where l.account_id = v_account.id;

  return jsonb_build_object(
    'payment_id', v_payment.id,
    'account_id', v_account.id,
    -- What the borrower paid. The ledger entry carries Stripe's own figure; they are the
    -- same unless Stripe reported another amount, and then the ledger's is the truth.
    'amount_minor', coalesce(
      (select -l.amount_minor from app.ledger_entries as l where l.id = v_payment.ledger_entry_id),
      v_payment.amount_minor),
    'currency', v_payment.currency,
    'succeeded_at', v_payment.succeeded_at,
    'balance_after_minor', v_balance,
    'reference_last4', right(v_account.reference, 4),
    'creditor', jsonb_build_object(
      'name', v_creditor.name,
      'region', v_creditor.region,
      'time_zone', v_creditor.time_zone,
      'support_phone', v_creditor.support_phone,
      'support_email', v_creditor.support_email
    ),
    'borrower', jsonb_build_object(
      'email', v_borrower.email,
      'language', v_borrower.language
    )
  );
end;
$$;

comment on function api.payment_receipt(uuid) is
  'What the receipt email of a succeeded payment says: {payment_id, account_id, amount_minor, currency, succeeded_at, balance_after_minor (the account''s balance from its ledger now), reference_last4, creditor: {name, region, time_zone, support_phone, support_email}, borrower: {email (may be null), language}}. Null when the payment does not exist or has not succeeded.';

revoke execute on function api.payment_receipt(uuid) from public, anon, authenticated;
grant execute on function api.payment_receipt(uuid) to service_role;
