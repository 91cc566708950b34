-- What a borrower can pay now (issue 6 review): the ledger balance less the money already on
-- its way. A US bank debit (Stripe ACH) takes days; while it is in flight its payment is
-- 'processing' in app.payments and the ledger does not count it until Stripe says it
-- succeeded. api.start_payment (20261128000400_payments.sql) checked the amount against the
-- ledger balance only, so a borrower with a debit on its way could pay the whole balance
-- again by card and end up paying more than they owe.
--
-- Here:
-- * app.account_payable_minor(account): the ledger balance less the sum of the account's
--   payments in status 'processing' (by hand or automatic). A Checkout still open
--   ('created') is not counted: nothing has been paid yet, and most are abandoned.
-- * api.start_payment, same signature, checks and grants, with the payable amount in place
--   of the balance: nothing payable (all of it on its way) is PT409 payment_in_flight; an
--   amount above the payable amount is PT422 amount_out_of_range; 'full' must be exactly the
--   payable amount (the rest); the minimum is min(policy minimum, payable), so the last
--   small rest can always be paid. The audit event also records payable_minor.
-- * api.account_payable(borrower, account): the balance, the money on its way, what can be
--   paid now and the day the newest debit started, for the pay page, which then offers
--   "Pay the rest" instead of "All of it", and no payment at all when nothing is payable.
--
-- Not closed here: two Checkout Sessions opened at once (two tabs) can still both be paid,
-- since an open session is not counted; the second payment then finds the account paid and
-- its money goes to app.payment_suspense for staff to refund (20261128000400_payments.sql).
--
-- Keeps the foundation's rules: no new tables; `api` functions security definer, empty
-- search_path, executable by service_role alone; the `app` helper revoked from everyone.
--
-- Errors (the hint is the machine reason the app maps):
--   PT404 account_not_found, installment_not_found
--   PT409 account_not_open, payment_in_flight
--   PT422 amount_out_of_range, invalid_payment

-- The balance a borrower can pay now.
create function app.account_payable_minor(p_account_id uuid)
returns bigint
language sql
stable
set search_path = ''
as $$
  select app.account_balance_minor(p_account_id)
         - coalesce((select sum(p.amount_minor)
                       from app.payments as p
                      where p.account_id = p_account_id
                        and p.status = 'processing'), 0)::bigint;
$$;

comment on function app.account_payable_minor(uuid) is
  'What the borrower can pay now, in minor units: the ledger balance less the account''s payments in status processing (bank debits on their way, not yet in the ledger). Zero or less: everything owed is already on its way.';

revoke all on function app.account_payable_minor(uuid) from public, anon, authenticated, service_role;

-- Checks, in order: the account is the borrower's (PT404), open (PT409 account_not_open);
-- the purpose and amount are well formed (PT422 invalid_payment); the installment, when
-- given, is a scheduled installment of the account's live arrangement (PT404
-- installment_not_found) with no payment in flight (PT409 payment_in_flight); something is
-- left to pay once the money on its way is counted (app.account_payable_minor > 0, else
-- PT409 payment_in_flight); the amount is within min(policy minimum, payable, what the
-- installment still needs) and the payable amount, and is the whole payable amount for
-- 'full' (PT422 amount_out_of_range).
create or replace function api.start_payment(
  p_borrower_id uuid,
  p_account_id uuid,
  p_amount_minor bigint,
  p_purpose text,
  p_installment_id uuid
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account app.accounts%rowtype;
  v_creditor app.creditors%rowtype;
  v_installment app.installments%rowtype;
  v_balance bigint;
  v_payable bigint;
  v_minimum bigint;
  v_payment_id uuid;
begin
  select a.* into v_account
    from app.accounts as a
   where a.id = p_account_id
     and a.borrower_id = p_borrower_id;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  if v_account.status <> 'open' then
    raise exception 'the account is not open'
      using errcode = 'PT409', hint = 'account_not_open';
  end if;

  if p_purpose is null or p_purpose not in ('full', 'installment', 'amount')
     or (p_purpose = 'installment' and p_installment_id is null)
     or p_amount_minor is null then
    raise exception 'malformed payment'
      using errcode = 'PT422', hint = 'invalid_payment';
  end if;

  select c.* into strict v_creditor from app.creditors as c where c.id = v_account.creditor_id;
  v_balance := app.account_balance_minor(v_account.id);
  v_payable := app.account_payable_minor(v_account.id);
  v_minimum := least((v_creditor.plan_policy -> 'minimumPaymentMinor')::numeric::bigint, v_payable);

  if p_installment_id is not null then
    select i.* into v_installment
      from app.installments as i
      join app.arrangements as r on r.id = i.arrangement_id
     where i.id = p_installment_id
       and r.account_id = v_account.id
       and r.status in ('pending_review', 'active')
       and i.status = 'scheduled';
    if not found then
      raise exception 'installment not found'
        using errcode = 'PT404', hint = 'installment_not_found';
    end if;
    if exists (
      select 1 from app.payments as p
       where p.installment_id = v_installment.id
         and p.status = 'processing'
    ) then
      raise exception 'a payment of this installment is already on its way'
        using errcode = 'PT409', hint = 'payment_in_flight';
    end if;
    v_minimum := least(v_minimum, v_installment.amount_minor - v_installment.paid_minor);
  end if;

  if v_payable <= 0 then
    raise exception 'everything owed is already on its way'
      using errcode = 'PT409', hint = 'payment_in_flight';
  end if;

  if p_amount_minor <= 0
     or p_amount_minor < v_minimum
     or p_amount_minor > v_payable
     or (p_purpose = 'full' and p_amount_minor <> v_payable) then
    raise exception 'the amount is outside what can be paid'
      using errcode = 'PT422', hint = 'amount_out_of_range';
  end if;

  insert into app.payments (account_id, borrower_id, installment_id, amount_minor, currency, purpose)
  values (v_account.id, p_borrower_id, p_installment_id, p_amount_minor, v_account.currency, p_purpose)
  returning id into v_payment_id;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('borrower', p_borrower_id, 'payment.started', 'payment', v_payment_id, v_account.id,
          jsonb_build_object(
            'purpose', p_purpose,
            'amount_minor', p_amount_minor,
            'currency', v_account.currency,
            'balance_minor', v_balance,
            'payable_minor', v_payable,
            'installment_id', p_installment_id
          ));

  return jsonb_build_object(
    'payment_id', v_payment_id,
    'amount_minor', p_amount_minor,
    'currency', v_account.currency,
    'creditor_name', v_creditor.name
  );
end;
$$;

comment on function api.start_payment(uuid, uuid, bigint, text, uuid) is
  'Starts a payment on one of the borrower''s open accounts (status created, audit payment.started): {payment_id, amount_minor, currency, creditor_name}. What can be paid is app.account_payable_minor: the balance less the bank debits on their way (status processing). PT404 account_not_found, installment_not_found; PT409 account_not_open, payment_in_flight (this installment already on its way, or nothing left to pay once the money on its way is counted); PT422 amount_out_of_range (outside min(policy minimum, payable) .. payable, or not the payable amount for full), invalid_payment.';

revoke execute on function api.start_payment(uuid, uuid, bigint, text, uuid) from public, anon, authenticated;
grant execute on function api.start_payment(uuid, uuid, bigint, text, uuid) to service_role;

-- What the pay page shows: the balance, the money on its way and what can be paid now, from
-- the same helper start_payment checks against, so the page never offers more than it takes.
create function api.account_payable(p_borrower_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_account app.accounts%rowtype;
  v_time_zone text;
  v_balance bigint;
  v_payable bigint;
  v_since date;
begin
  select a.* into v_account
    from app.accounts as a
   where a.id = p_account_id
     and a.borrower_id = p_borrower_id;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  select c.time_zone into strict v_time_zone from app.creditors as c where c.id = v_account.creditor_id;

  v_balance := app.account_balance_minor(v_account.id);
  v_payable := app.account_payable_minor(v_account.id);
  -- The day the newest debit on its way started, in the creditor's time zone: the page
  -- works out from it when the money usually arrives.
  select (max(p.updated_at) at time zone v_time_zone)::date into v_since
    from app.payments as p
   where p.account_id = v_account.id
     and p.status = 'processing';

  return jsonb_build_object(
    'balance_minor', v_balance,
    'in_flight_minor', v_balance - v_payable,
    'payable_minor', v_payable,
    'currency', v_account.currency,
    'in_flight_since', v_since
  );
end;
$$;

comment on function api.account_payable(uuid, uuid) is
  'What the borrower can pay now on one of their accounts: {balance_minor, in_flight_minor (bank debits on their way, status processing), payable_minor (app.account_payable_minor: balance less in flight), currency, in_flight_since (the day the newest debit on its way started, in the creditor''s time zone, or null)}. PT404 account_not_found.';

revoke execute on function api.account_payable(uuid, uuid) from public, anon, authenticated;
grant execute on function api.account_payable(uuid, uuid) to service_role;
