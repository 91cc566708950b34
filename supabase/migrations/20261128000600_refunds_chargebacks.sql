-- Refunds and chargebacks through the Stripe webhook (issue 6 item 3, rest): money that goes
-- back to the borrower (a refund) or that the bank takes back (a dispute) puts the balance
-- back up, one ledger entry per refund or dispute, however often and in whatever order
-- Stripe announces it.
--
-- Keeps the foundation's rules (20261127000100_foundation.sql) and those of the payments
-- migration (20261128000400_payments.sql): security definer api functions with an empty
-- search_path, fully qualified names, executable by service_role alone; money in bigint
-- minor units; audit events hold ids, codes and integers only (never a Stripe id).
--
-- Events handled (besides the payment events of 20261128000400_payments.sql):
-- * refund.created, refund.updated (a Refund) with status 'succeeded', and charge.refunded
--   (a Charge): a 'refund' ledger entry per refund, external_ref = the refund id (re_...).
--   A charge.refunded that lists its refunds (refunds.data[].id) posts each under its own
--   id, so a refund announced by both events posts once; one that does not list them posts
--   what its cumulative amount_refunded adds to what was already refunded, under
--   'refund:<charge id>:<amount_refunded>'. The payment is 'refunded' once all of it is.
-- * charge.dispute.created (a Dispute): a 'chargeback' entry, external_ref = the dispute id.
--   charge.dispute.closed: the chargeback if it is not there yet (events arrive in any
--   order); when the dispute was won, also a 'payment' entry that takes it off again
--   (external_ref = '<dispute id>:won'). Lost: the chargeback stands.
-- * Each entry puts back at most what the payment took from each part of the balance, in
--   the reverse of the creditor's paymentAllocationOrder (principal first, then interest,
--   then fees, for the default order), less what earlier refunds and chargebacks of the same
--   payment already put back (app.payment_reversals).
-- * A refund or dispute of a PaymentIntent we do not know, of a payment that never reached
--   the ledger (its money is in suspense), or in another currency goes to
--   app.payment_suspense (reasons unmatched_refund, unmatched_dispute, payment_not_posted,
--   currency_mismatch) for staff; the ledger is untouched.
-- * Nothing twice: the event id first (app.stripe_events, as before); then the ledger's
--   unique external_ref, checked under the account lock and caught as unique_violation.
--   A second event for a refund or dispute already posted answers 'duplicate'.
--
-- Not handled here: a refund that fails after it succeeded (refund.failed), installment and
-- arrangement progress undone by a refund, fees Stripe charges for a dispute.

-- ---------------------------------------------------------------------------------------
-- app.payment_reversals: which ledger entries reversed (part of) which payment.
-- ---------------------------------------------------------------------------------------

create table app.payment_reversals (
  -- The refund, chargeback or won-dispute entry. Not a foreign key, as for
  -- app.payments.ledger_entry_id: nothing references the append-only ledger.
  ledger_entry_id uuid primary key,
  payment_id uuid not null references app.payments (id),
  -- refund (money back to the borrower), chargeback (the bank took it back), dispute_won
  -- (the chargeback reversed: the payment counts again).
  kind text not null check (kind in ('refund', 'chargeback', 'dispute_won')),
  created_at timestamptz not null default now()
);

comment on table app.payment_reversals is
  'The refund, chargeback and won-dispute ledger entries of each payment (written by api.record_stripe_event), so that a later refund or chargeback never puts back more of a part of the balance than the payment took from it.';

create index payment_reversals_payment_idx on app.payment_reversals (payment_id);

alter table app.payment_reversals enable row level security;
revoke all on table app.payment_reversals from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- app.reverse_payment(): one refund, chargeback or won dispute in the ledger.
-- ---------------------------------------------------------------------------------------

-- Posts one reversal of a payment that reached the ledger, unless an entry with the same
-- external_ref exists. p_kind 'refund' and 'chargeback' put up to p_amount_minor back (split
-- in the reverse of the creditor's allocation order, capped per part by what the payment
-- took less what was put back already); 'dispute_won' takes off again what the chargeback
-- under p_chargeback_ref put back. The caller holds the account and payment locks. Returns
-- the entry id, or null when there was nothing to post (already posted, nothing left).
create function app.reverse_payment(
  p_payment app.payments,
  p_kind text,
  p_amount_minor bigint,
  p_external_ref text,
  p_chargeback_ref text,
  p_event_type text
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_account app.accounts%rowtype;
  v_creditor app.creditors%rowtype;
  v_component text;
  v_remaining bigint;
  v_principal_left bigint;
  v_interest_left bigint;
  v_fees_left bigint;
  v_take bigint;
  v_principal bigint := 0::bigint;
  v_interest bigint := 0::bigint;
  v_fees bigint := 0::bigint;
  v_amount bigint;
  v_entry_id uuid;
  v_refunded bigint;
  v_paid bigint;
  v_fully_refunded boolean := false;
  v_balance bigint;
  v_reopened boolean := false;
begin
  if p_external_ref is null
     or exists (select 1 from app.ledger_entries as l where l.external_ref = p_external_ref) then
    return null;
  end if;

  select a.* into strict v_account from app.accounts as a where a.id = p_payment.account_id;
  select c.* into strict v_creditor from app.creditors as c where c.id = v_account.creditor_id;

  -- What the payment took from each part, less what its reversals put back so far.
  select -l.principal_minor, -l.interest_minor, -l.fees_minor, -l.amount_minor
    into strict v_principal_left, v_interest_left, v_fees_left, v_paid
    from app.ledger_entries as l
   where l.id = p_payment.ledger_entry_id;
  select v_principal_left - coalesce(sum(l.principal_minor), 0)::bigint,
         v_interest_left - coalesce(sum(l.interest_minor), 0)::bigint,
         v_fees_left - coalesce(sum(l.fees_minor), 0)::bigint
    into v_principal_left, v_interest_left, v_fees_left
    from app.payment_reversals as r
    join app.ledger_entries as l on l.id = r.ledger_entry_id
   where r.payment_id = p_payment.id;

  if p_kind = 'dispute_won' then
    select l.principal_minor, l.interest_minor, l.fees_minor
      into v_principal, v_interest, v_fees
      from app.ledger_entries as l
     where l.external_ref = p_chargeback_ref
       and l.kind = 'chargeback';
    if not found then
      return null;
    end if;
    v_amount := v_principal + v_interest + v_fees;
    insert into app.ledger_entries
      (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency,
       effective_on, external_ref, reason_code)
    values
      (v_account.id, 'payment', -v_principal, -v_interest, -v_fees, -v_amount, v_account.currency,
       (now() at time zone v_creditor.time_zone)::date, p_external_ref, 'dispute_won')
    returning id into v_entry_id;
  else
    -- Principal first when the policy leaves it out (post_payment gives it the rest), then
    -- the policy's parts from last to first.
    v_remaining := greatest(least(p_amount_minor,
                                  greatest(v_principal_left, 0) + greatest(v_interest_left, 0) + greatest(v_fees_left, 0)), 0);
    if v_remaining = 0 then
      return null;
    end if;
    v_amount := v_remaining;
    for v_component in
      select k.part
        from unnest(array['principal', 'interest', 'fees']) as k (part)
        left join jsonb_array_elements_text(v_creditor.plan_policy -> 'paymentAllocationOrder') with ordinality as o (part, position)
          on o.part = k.part
       order by coalesce(o.position, 1000) desc
    loop
      exit when v_remaining = 0;
      if v_component = 'fees' then
        v_take := least(v_remaining, greatest(v_fees_left, 0));
        v_fees := v_fees + v_take;
      elsif v_component = 'interest' then
        v_take := least(v_remaining, greatest(v_interest_left, 0));
        v_interest := v_interest + v_take;
      else
        v_take := least(v_remaining, greatest(v_principal_left, 0));
        v_principal := v_principal + v_take;
      end if;
      v_remaining := v_remaining - v_take;
    end loop;

    insert into app.ledger_entries
      (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency,
       effective_on, external_ref, reason_code)
    values
      (v_account.id, p_kind, v_principal, v_interest, v_fees, v_amount, v_account.currency,
       (now() at time zone v_creditor.time_zone)::date, p_external_ref,
       case p_kind when 'refund' then 'payment_refunded' else 'payment_disputed' end)
    returning id into v_entry_id;
  end if;

  insert into app.payment_reversals (ledger_entry_id, payment_id, kind)
  values (v_entry_id, p_payment.id, p_kind);

  if p_kind = 'refund' then
    select coalesce(sum(l.amount_minor), 0)::bigint into v_refunded
      from app.payment_reversals as r
      join app.ledger_entries as l on l.id = r.ledger_entry_id
     where r.payment_id = p_payment.id
       and r.kind = 'refund';
    if v_refunded >= v_paid then
      update app.payments as p set status = 'refunded', updated_at = now()
       where p.id = p_payment.id and p.status = 'succeeded';
      v_fully_refunded := true;
    end if;
  end if;

  -- An account the payment had paid off owes again.
  select coalesce(sum(l.amount_minor), 0)::bigint into v_balance
    from app.ledger_entries as l
   where l.account_id = v_account.id;
  if v_balance > 0 and v_account.status = 'paid' then
    update app.accounts as a set status = 'open' where a.id = v_account.id and a.status = 'paid';
    v_reopened := found;
  end if;

  insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('system',
          case p_kind when 'refund' then 'payment.refunded' when 'chargeback' then 'payment.disputed' else 'payment.dispute_won' end,
          'payment', p_payment.id, v_account.id,
          case p_kind when 'refund' then 'payment_refunded' when 'chargeback' then 'payment_disputed' else 'dispute_won' end,
          jsonb_build_object(
            'event_type', p_event_type,
            'ledger_entry_id', v_entry_id,
            'amount_minor', v_amount,
            'requested_amount_minor', p_amount_minor,
            'currency', v_account.currency,
            'principal_minor', case when p_kind = 'dispute_won' then -v_principal else v_principal end,
            'interest_minor', case when p_kind = 'dispute_won' then -v_interest else v_interest end,
            'fees_minor', case when p_kind = 'dispute_won' then -v_fees else v_fees end,
            'fully_refunded', v_fully_refunded,
            'balance_minor', v_balance,
            'account_reopened', v_reopened
          ));

  return v_entry_id;
exception
  -- The same refund or dispute posted by a concurrent event: once is enough.
  when unique_violation then
    return null;
end;
$$;

comment on function app.reverse_payment(app.payments, text, bigint, text, text, text) is
  'Posts one refund (kind refund), chargeback (kind chargeback) or won dispute (a payment entry taking the chargeback off again) of a payment, once per external_ref: split in the reverse of the creditor''s allocation order, never more per part than the payment took less earlier reversals; marks the payment refunded when all of it is, reopens a paid-off account that owes again, audits payment.refunded / payment.disputed / payment.dispute_won. Returns the entry id, or null when nothing was posted. The caller holds the locks.';

revoke all on function app.reverse_payment(app.payments, text, bigint, text, text, text) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- app.record_stripe_reversal(): a refund or dispute event, after its event id was recorded.
-- ---------------------------------------------------------------------------------------

-- Returns {outcome: applied | duplicate | ignored | suspense, payment_id}; duplicate when
-- everything the event reports was already posted by another event.
create function app.record_stripe_reversal(p_event_id text, p_type text, p_object jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  c_stripe_id constant text := '^[A-Za-z0-9_]{1,255}$';
  v_intent_id text;
  v_object_id text;
  v_currency text;
  v_amount bigint;
  v_kind text;
  v_items jsonb := '[]'::jsonb;
  v_item jsonb;
  v_refund jsonb;
  v_payment app.payments%rowtype;
  v_account app.accounts%rowtype;
  v_refunded bigint;
  v_posted integer := 0;
  v_seen integer := 0;
  v_outcome text;
begin
  if jsonb_typeof(p_object) is distinct from 'object' then
    return jsonb_build_object('outcome', 'ignored', 'payment_id', null);
  end if;
  v_object_id := app.jsonb_text_matching(p_object, 'id', c_stripe_id);
  v_intent_id := app.jsonb_text_matching(p_object, 'payment_intent', c_stripe_id);
  v_currency := upper(app.jsonb_text_matching(p_object, 'currency', '^[A-Za-z]{3}$'));

  -- What the event asks to post: [{ref, amount}] (amount null: the cumulative remainder).
  if p_type in ('refund.created', 'refund.updated') then
    v_kind := 'refund';
    if p_object ->> 'status' is distinct from 'succeeded' or v_object_id is null
       or not app.jsonb_is_integer_between(p_object -> 'amount', 1, 999999999999) then
      return jsonb_build_object('outcome', 'ignored', 'payment_id', null);
    end if;
    v_amount := (p_object -> 'amount')::numeric::bigint;
    v_items := jsonb_build_array(jsonb_build_object('ref', v_object_id, 'amount', v_amount));
  elsif p_type = 'charge.refunded' then
    v_kind := 'refund';
    if jsonb_typeof(p_object #> '{refunds,data}') = 'array' then
      for v_refund in select r.value from jsonb_array_elements(p_object #> '{refunds,data}') as r (value)
      loop
        if app.jsonb_text_matching(v_refund, 'id', c_stripe_id) is not null
           and coalesce(v_refund ->> 'status', 'succeeded') = 'succeeded'
           and app.jsonb_is_integer_between(v_refund -> 'amount', 1, 999999999999) then
          v_items := v_items || jsonb_build_array(jsonb_build_object(
            'ref', v_refund ->> 'id', 'amount', (v_refund -> 'amount')::numeric::bigint));
        end if;
      end loop;
    end if;
    if jsonb_array_length(v_items) = 0 then
      if v_object_id is null or not app.jsonb_is_integer_between(p_object -> 'amount_refunded', 1, 999999999999) then
        return jsonb_build_object('outcome', 'ignored', 'payment_id', null);
      end if;
      v_amount := (p_object -> 'amount_refunded')::numeric::bigint;
      v_items := jsonb_build_array(jsonb_build_object(
        'ref', 'refund:' || v_object_id || ':' || v_amount::text, 'amount', null, 'cumulative', v_amount));
    else
      select sum((i.value ->> 'amount')::bigint)::bigint into v_amount from jsonb_array_elements(v_items) as i (value);
    end if;
  elsif p_type in ('charge.dispute.created', 'charge.dispute.closed') then
    v_kind := 'chargeback';
    if v_object_id is null or not app.jsonb_is_integer_between(p_object -> 'amount', 1, 999999999999) then
      return jsonb_build_object('outcome', 'ignored', 'payment_id', null);
    end if;
    v_amount := (p_object -> 'amount')::numeric::bigint;
    -- A closed dispute posts its chargeback too when its created event has not come yet.
    v_items := jsonb_build_array(jsonb_build_object('ref', v_object_id, 'amount', v_amount));
    if p_type = 'charge.dispute.closed' and p_object ->> 'status' = 'won' then
      v_items := v_items || jsonb_build_array(jsonb_build_object('ref', v_object_id || ':won', 'amount', v_amount, 'won', true));
    end if;
  else
    return jsonb_build_object('outcome', 'ignored', 'payment_id', null);
  end if;

  if v_intent_id is not null then
    select p.* into v_payment from app.payments as p where p.stripe_payment_intent_id = v_intent_id;
  end if;
  if v_payment.id is null then
    -- Money moved on a charge we cannot match: staff look at it.
    perform app.hold_in_suspense(coalesce(v_object_id, p_event_id), v_amount, v_currency,
                                 case v_kind when 'refund' then 'unmatched_refund' else 'unmatched_dispute' end,
                                 null, null, p_object);
    return jsonb_build_object('outcome', 'suspense', 'payment_id', null);
  end if;

  -- Lock order everywhere: the account, then the payment.
  select a.* into strict v_account from app.accounts as a where a.id = v_payment.account_id for update;
  select p.* into strict v_payment from app.payments as p where p.id = v_payment.id for update;

  if v_payment.ledger_entry_id is null then
    -- The payment never reached the ledger (its money is in suspense, or it has not
    -- succeeded yet): nothing of ours to reverse.
    perform app.hold_in_suspense(coalesce(v_object_id, p_event_id), v_amount, v_currency, 'payment_not_posted',
                                 v_payment.id, v_account.id, p_object);
    return jsonb_build_object('outcome', 'suspense', 'payment_id', v_payment.id);
  end if;
  if v_currency is not null and v_currency <> v_account.currency then
    perform app.hold_in_suspense(coalesce(v_object_id, p_event_id), v_amount, v_currency, 'currency_mismatch',
                                 v_payment.id, v_account.id, p_object);
    return jsonb_build_object('outcome', 'suspense', 'payment_id', v_payment.id);
  end if;

  for v_item in select i.value from jsonb_array_elements(v_items) as i (value)
  loop
    v_seen := v_seen + 1;
    if v_item ? 'cumulative' then
      -- No refund ids: what the cumulative amount adds to what was refunded already.
      select coalesce(sum(l.amount_minor), 0)::bigint into v_refunded
        from app.payment_reversals as r
        join app.ledger_entries as l on l.id = r.ledger_entry_id
       where r.payment_id = v_payment.id
         and r.kind = 'refund';
      v_amount := (v_item ->> 'cumulative')::bigint - v_refunded;
    else
      v_amount := (v_item ->> 'amount')::bigint;
    end if;
    if v_amount > 0 then
      if v_item ? 'won' then
        if app.reverse_payment(v_payment, 'dispute_won', v_amount, v_item ->> 'ref', v_object_id, p_type) is not null then
          v_posted := v_posted + 1;
        end if;
      elsif app.reverse_payment(v_payment, v_kind, v_amount, v_item ->> 'ref', null, p_type) is not null then
        v_posted := v_posted + 1;
      end if;
    end if;
    -- Re-read: a refund may have made it 'refunded'.
    select p.* into strict v_payment from app.payments as p where p.id = v_payment.id;
  end loop;

  v_outcome := case when v_posted > 0 then 'applied' when v_seen > 0 then 'duplicate' else 'ignored' end;
  return jsonb_build_object('outcome', v_outcome, 'payment_id', v_payment.id);
end;
$$;

comment on function app.record_stripe_reversal(text, text, jsonb) is
  'The refund and dispute events of api.record_stripe_event (refund.created/updated with status succeeded, charge.refunded, charge.dispute.created/closed): finds the payment by PaymentIntent id, locks account then payment, and posts each refund, chargeback or won dispute once through app.reverse_payment; unmatched ones go to app.payment_suspense. {outcome: applied | duplicate | ignored | suspense, payment_id}.';

revoke all on function app.record_stripe_reversal(text, text, jsonb) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- api.record_stripe_event(): as in 20261128000400_payments.sql, plus refunds and disputes.
-- ---------------------------------------------------------------------------------------

create or replace function api.record_stripe_event(p_event jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c_uuid constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  c_stripe_id constant text := '^[A-Za-z0-9_]{1,255}$';
  v_event_id text;
  v_type text;
  v_object jsonb;
  v_metadata jsonb;
  v_object_kind text;
  v_session_id text;
  v_intent_id text;
  v_payment_id uuid;
  v_metadata_account uuid;
  v_payment app.payments%rowtype;
  v_account app.accounts%rowtype;
  v_amount bigint;
  v_amount_path text;
  v_currency text;
  v_failure_code text;
  v_action text;
  v_outcome text;
  v_previous_status text;
  v_result jsonb;
begin
  v_event_id := app.jsonb_text_matching(p_event, 'id', '^[A-Za-z0-9_]{1,255}$');
  v_type := app.jsonb_text_matching(p_event, 'type', '^[a-z0-9_.]{1,255}$');
  if v_event_id is null or v_type is null then
    raise exception 'malformed Stripe event'
      using errcode = 'PT422', hint = 'invalid_event';
  end if;

  -- First, and in the same transaction as the effect: a replay stops here. A concurrent
  -- delivery of the same event waits on this row, then finds it.
  insert into app.stripe_events (event_id, type, outcome)
  values (v_event_id, v_type, 'ignored')
  on conflict (event_id) do nothing;
  if not found then
    return jsonb_build_object('outcome', 'duplicate', 'payment_id',
      (select e.payment_id from app.stripe_events as e where e.event_id = v_event_id));
  end if;

  -- Refunds and disputes: their own ledger entries, once each (app.record_stripe_reversal).
  if v_type in ('charge.refunded', 'refund.created', 'refund.updated', 'charge.dispute.created', 'charge.dispute.closed') then
    v_result := app.record_stripe_reversal(v_event_id, v_type, p_event #> '{data,object}');
    update app.stripe_events as e
       set outcome = case when v_result ->> 'outcome' = 'duplicate' then 'ignored' else v_result ->> 'outcome' end,
           payment_id = (v_result ->> 'payment_id')::uuid
     where e.event_id = v_event_id;
    return v_result;
  end if;

  v_action := case v_type
    when 'checkout.session.completed' then 'complete'
    when 'checkout.session.async_payment_succeeded' then 'succeed'
    when 'payment_intent.succeeded' then 'succeed'
    when 'checkout.session.async_payment_failed' then 'fail'
    when 'payment_intent.payment_failed' then 'fail'
    when 'checkout.session.expired' then 'expire'
  end;
  v_object := p_event #> '{data,object}';
  if v_action is null or jsonb_typeof(v_object) <> 'object' then
    return jsonb_build_object('outcome', 'ignored', 'payment_id', null);
  end if;

  -- What the object says.
  v_object_kind := split_part(v_type, '.', 1);
  if v_object_kind = 'checkout' then
    v_session_id := app.jsonb_text_matching(v_object, 'id', c_stripe_id);
    v_intent_id := app.jsonb_text_matching(v_object, 'payment_intent', c_stripe_id);
    v_amount_path := 'amount_total';
  else
    v_intent_id := app.jsonb_text_matching(v_object, 'id', c_stripe_id);
    v_amount_path := 'amount_received';
  end if;
  if app.jsonb_is_integer_between(v_object -> v_amount_path, 0, 999999999999) then
    v_amount := (v_object -> v_amount_path)::numeric::bigint;
  end if;
  v_currency := upper(app.jsonb_text_matching(v_object, 'currency', '^[A-Za-z]{3}$'));
  v_metadata := case when jsonb_typeof(v_object -> 'metadata') = 'object' then v_object -> 'metadata' else '{}'::jsonb end;
  v_payment_id := app.jsonb_text_matching(v_metadata, 'payment_id', c_uuid)::uuid;
  v_metadata_account := app.jsonb_text_matching(v_metadata, 'account_id', c_uuid)::uuid;

  -- "Paid" in a completed Checkout Session means the money is there; "unpaid" means a bank
  -- debit is on its way (async_payment_succeeded or _failed follows).
  if v_action = 'complete' then
    v_action := case when v_object ->> 'payment_status' in ('paid', 'no_payment_required') then 'succeed' else 'process' end;
  end if;

  -- Which payment: the metadata we set, else the Stripe ids we stored.
  if v_payment_id is not null and not exists (select 1 from app.payments as p where p.id = v_payment_id) then
    v_payment_id := null;
  end if;
  if v_payment_id is null and v_session_id is not null then
    select p.id into v_payment_id from app.payments as p where p.stripe_checkout_session_id = v_session_id;
  end if;
  if v_payment_id is null and v_intent_id is not null then
    select p.id into v_payment_id from app.payments as p where p.stripe_payment_intent_id = v_intent_id;
  end if;

  if v_payment_id is null then
    if v_action = 'succeed' then
      -- Money with no payment of ours: kept for staff, under the PaymentIntent when known so
      -- the session's and the intent's events hold it once.
      perform app.hold_in_suspense(coalesce(v_intent_id, v_session_id, v_event_id), v_amount, v_currency,
                                   'unknown_payment', null, null, v_object);
      update app.stripe_events as e set outcome = 'suspense' where e.event_id = v_event_id;
      return jsonb_build_object('outcome', 'suspense', 'payment_id', null);
    end if;
    return jsonb_build_object('outcome', 'ignored', 'payment_id', null);
  end if;

  -- Lock order everywhere: the account, then the payment. Two events of one payment (or two
  -- payments of one account) are serialized here, and the second sees what the first did.
  select a.* into strict v_account
    from app.accounts as a
    join app.payments as p on p.account_id = a.id
   where p.id = v_payment_id
     for update of a;
  select p.* into strict v_payment from app.payments as p where p.id = v_payment_id for update;
  v_previous_status := v_payment.status;
  update app.stripe_events as e set payment_id = v_payment.id where e.event_id = v_event_id;

  if v_action = 'succeed' then
    if v_payment.status in ('succeeded', 'refunded') then
      -- Already counted. A different PaymentIntent for it is a second charge: real money,
      -- held for staff to refund.
      if v_intent_id is not null and v_payment.stripe_payment_intent_id is not null
         and v_intent_id <> v_payment.stripe_payment_intent_id then
        perform app.hold_in_suspense(v_intent_id, v_amount, v_currency, 'duplicate_payment', v_payment.id,
                                     v_account.id, v_object);
        v_outcome := 'suspense';
      else
        if v_intent_id is not null and v_payment.stripe_payment_intent_id is null then
          update app.payments as p set stripe_payment_intent_id = v_intent_id, updated_at = now()
           where p.id = v_payment.id
             and not exists (select 1 from app.payments as o where o.stripe_payment_intent_id = v_intent_id);
        end if;
        v_outcome := 'applied';
      end if;
    elsif (v_metadata_account is not null and v_metadata_account <> v_account.id)
          or (v_intent_id is not null and exists (
                select 1 from app.payments as o
                 where o.stripe_payment_intent_id = v_intent_id and o.id <> v_payment.id)) then
      perform app.hold_in_suspense(coalesce(v_intent_id, v_session_id), v_amount, v_currency, 'account_mismatch',
                                   v_payment.id, v_account.id, v_object);
      v_outcome := 'suspense';
    elsif v_currency is not null and v_currency <> v_account.currency then
      perform app.hold_in_suspense(coalesce(v_intent_id, v_session_id), v_amount, v_currency, 'currency_mismatch',
                                   v_payment.id, v_account.id, v_object);
      v_outcome := 'suspense';
    else
      v_amount := coalesce(v_amount, v_payment.amount_minor);
      if v_amount <= 0 then
        v_outcome := 'ignored';
      elsif v_account.status <> 'open' then
        -- Stripe has the money, so the payment succeeded; the ledger of a closed or paid
        -- account does not get it: staff allocate or refund it.
        update app.payments as p
           set status = 'succeeded',
               succeeded_at = now(),
               updated_at = now(),
               failure_code = null,
               stripe_payment_intent_id = coalesce(p.stripe_payment_intent_id, v_intent_id),
               stripe_checkout_session_id = coalesce(p.stripe_checkout_session_id, v_session_id)
         where p.id = v_payment.id;
        perform app.hold_in_suspense(coalesce(v_intent_id, v_session_id), v_amount, v_account.currency,
                                     'account_not_open', v_payment.id, v_account.id, v_object);
        insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
        values ('system', 'payment.succeeded', 'payment', v_payment.id, v_account.id, 'account_not_open',
                jsonb_build_object('event_type', v_type, 'amount_minor', v_amount, 'currency', v_account.currency,
                                   'ledger_entry_id', null, 'suspense', true));
        v_outcome := 'suspense';
      else
        -- A payment held in suspense under this PaymentIntent (its other event arrived
        -- first, before the intent id was known) is the same money: matched now.
        update app.payment_suspense as s
           set resolved_at = now(), resolution = 'matched', payment_id = v_payment.id
         where s.stripe_object_id in (v_intent_id, v_session_id)
           and s.reason = 'unknown_payment'
           and s.resolved_at is null;
        perform app.post_payment(v_payment, v_amount, coalesce(v_intent_id, v_payment.stripe_payment_intent_id),
                                 coalesce(v_payment.stripe_checkout_session_id, v_session_id), v_type);
        v_outcome := 'applied';
      end if;
    end if;

  elsif v_action = 'process' then
    if v_payment.status in ('created', 'failed', 'cancelled') then
      update app.payments as p
         set status = 'processing',
             updated_at = now(),
             stripe_payment_intent_id = coalesce(p.stripe_payment_intent_id, v_intent_id),
             stripe_checkout_session_id = coalesce(p.stripe_checkout_session_id, v_session_id)
       where p.id = v_payment.id;
      v_outcome := 'applied';
    else
      v_outcome := case when v_payment.status = 'processing' then 'applied' else 'ignored' end;
    end if;

  elsif v_action = 'fail' then
    if v_payment.status in ('created', 'processing', 'failed') then
      if v_object_kind = 'payment_intent' then
        v_failure_code := coalesce(
          app.jsonb_text_matching(v_object -> 'last_payment_error', 'decline_code', '^[a-z][a-z0-9_.]{0,62}$'),
          app.jsonb_text_matching(v_object -> 'last_payment_error', 'code', '^[a-z][a-z0-9_.]{0,62}$'),
          'payment_failed');
      else
        v_failure_code := 'async_payment_failed';
      end if;
      update app.payments as p
         set status = 'failed',
             failure_code = v_failure_code,
             updated_at = now(),
             stripe_payment_intent_id = coalesce(p.stripe_payment_intent_id, v_intent_id)
       where p.id = v_payment.id;
      insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
      values ('system', 'payment.failed', 'payment', v_payment.id, v_account.id, v_failure_code,
              jsonb_build_object('event_type', v_type, 'previous_status', v_previous_status,
                                 'amount_minor', v_payment.amount_minor, 'currency', v_payment.currency));
      v_outcome := 'applied';
    else
      -- Never downgrade a payment that succeeded (or was cancelled).
      v_outcome := 'ignored';
    end if;

  else -- expire
    if v_payment.status in ('created', 'failed') then
      update app.payments as p set status = 'cancelled', updated_at = now() where p.id = v_payment.id;
      insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
      values ('system', 'payment.cancelled', 'payment', v_payment.id, v_account.id, 'checkout_expired',
              jsonb_build_object('previous_status', v_previous_status));
      v_outcome := 'applied';
    else
      v_outcome := case when v_payment.status = 'cancelled' then 'applied' else 'ignored' end;
    end if;
  end if;

  update app.stripe_events as e set outcome = v_outcome where e.event_id = v_event_id;
  return jsonb_build_object('outcome', v_outcome, 'payment_id', v_payment.id);
end;
$$;

comment on function api.record_stripe_event(jsonb) is
  'Processes one verified Stripe webhook event exactly once (app.stripe_events, same transaction): checkout.session.completed/async_payment_succeeded/async_payment_failed/expired, payment_intent.succeeded/payment_failed, refund.created/updated and charge.refunded (a refund ledger entry per refund id), charge.dispute.created/closed (a chargeback entry per dispute; a won dispute takes it off again). {outcome: applied | duplicate | ignored | suspense, payment_id}. One ledger entry per payment, refund or dispute however often and in whatever order its events arrive; unmatched money goes to app.payment_suspense. PT422 invalid_event when the event has no id or type.';

revoke execute on function api.record_stripe_event(jsonb) from public, anon, authenticated;
grant execute on function api.record_stripe_event(jsonb) to service_role;
