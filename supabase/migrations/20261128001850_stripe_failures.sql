-- Two Stripe failures handled once each (issue 6 review, stretch):
--
-- 1. A refund that fails. Stripe can fail a refund after it reported it succeeded (the
--    borrower's card was closed, the bank returned it): refund.failed, or refund.updated
--    with status 'failed'. The refund's ledger entry (20261128000400_payments.sql,
--    app.reverse_payment, external_ref = the refund id) had put the balance back up, and
--    nothing took it off again: the borrower owed money they had in fact paid.
--    app.record_refund_failure now posts one 'payment' entry with reason_code
--    'refund_failed' and external_ref '<refund id>:failed' that takes off exactly what the
--    refund entry put back, part for part; the payment is 'succeeded' again when it is no
--    longer fully refunded, and an account the refund had reopened is paid again when it
--    owes nothing. The entry is also recorded in app.payment_reversals as kind 'refund'
--    (with its negative amounts), so the existing sums of what was refunded and of what
--    each part can still take back stay right with no other change.
--    Decided from the refund's state, not arrival order: when the failure arrives before
--    the success was delivered, the refund is posted and taken off again at once, so a
--    late refund.updated (succeeded) or charge.refunded for it finds it posted and changes
--    nothing. A failed refund of a payment we do not know, or one that never reached the
--    ledger, is ignored (the refund itself went to app.payment_suspense for staff).
--
-- 2. A failure announced twice. An automatic charge that Stripe declines is recorded by the
--    sweep from Stripe's answer (api.record_automatic_charge,
--    20261128000600_automatic_payments.sql: status failed and a payment.failed audit event);
--    then Stripe's payment_intent.payment_failed for the same PaymentIntent reached
--    api.record_stripe_event, which found the payment failed, set it failed again and wrote
--    a second payment.failed. Now a failure of an automatic payment that is already failed
--    writes no second audit event: each automatic attempt is its own PaymentIntent
--    (idempotency key charge/<installment>/<attempt>), so a failed one cannot fail again.
--    A Checkout payment keeps one payment.failed per failure: the borrower can try another
--    card in the same session, and each decline is an attempt. (The other order was already
--    once: the sweep's recording ignores a payment the webhook has failed.)
--
-- api.record_stripe_event is the function of 20261128000400_payments.sql, text for text,
-- except for the routing of refund failures and the guard of item 2. Keeps the foundation's
-- rules and the original's grants (execute for service_role only); the new `app` helper is
-- revoked from everyone.

-- Takes off again what a failed refund put back. The event's object is a Refund.
create function app.record_refund_failure(p_event_type text, p_object jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  c_stripe_id constant text := '^[A-Za-z0-9_]{1,255}$';
  v_refund_id text;
  v_intent_id text;
  v_payment app.payments%rowtype;
  v_account app.accounts%rowtype;
  v_creditor app.creditors%rowtype;
  v_refund app.ledger_entries%rowtype;
  v_entry_id uuid;
  v_paid bigint;
  v_refunded bigint;
  v_balance bigint;
  v_restored boolean := false;
  v_account_paid boolean := false;
begin
  v_refund_id := app.jsonb_text_matching(p_object, 'id', c_stripe_id);
  v_intent_id := app.jsonb_text_matching(p_object, 'payment_intent', c_stripe_id);
  if v_refund_id is null or v_intent_id is null then
    return jsonb_build_object('outcome', 'ignored', 'payment_id', null);
  end if;
  select p.* into v_payment from app.payments as p where p.stripe_payment_intent_id = v_intent_id;
  if not found then
    return jsonb_build_object('outcome', 'ignored', 'payment_id', null);
  end if;

  -- Lock order everywhere: the account, then the payment.
  select a.* into strict v_account from app.accounts as a where a.id = v_payment.account_id for update;
  select p.* into strict v_payment from app.payments as p where p.id = v_payment.id for update;
  if v_payment.ledger_entry_id is null then
    return jsonb_build_object('outcome', 'ignored', 'payment_id', v_payment.id);
  end if;
  if exists (select 1 from app.ledger_entries as l where l.external_ref = v_refund_id || ':failed') then
    return jsonb_build_object('outcome', 'duplicate', 'payment_id', v_payment.id);
  end if;

  select l.* into v_refund
    from app.ledger_entries as l
   where l.external_ref = v_refund_id
     and l.kind = 'refund'
     and l.account_id = v_account.id;
  if not found then
    -- The failure came before the success was delivered: post the refund now, so that a
    -- late success finds it, and take it off again below.
    if (p_object ->> 'currency') is null
       or upper(p_object ->> 'currency') <> v_account.currency
       or not app.jsonb_is_integer_between(p_object -> 'amount', 1, 999999999999)
       or app.reverse_payment(v_payment, 'refund', (p_object -> 'amount')::numeric::bigint, v_refund_id, null, p_event_type) is null then
      return jsonb_build_object('outcome', 'ignored', 'payment_id', v_payment.id);
    end if;
    select l.* into strict v_refund from app.ledger_entries as l where l.external_ref = v_refund_id;
    select a.* into strict v_account from app.accounts as a where a.id = v_account.id;
  end if;

  select c.* into strict v_creditor from app.creditors as c where c.id = v_account.creditor_id;
  insert into app.ledger_entries
    (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency,
     effective_on, external_ref, reason_code)
  values
    (v_account.id, 'payment', -v_refund.principal_minor, -v_refund.interest_minor, -v_refund.fees_minor,
     -v_refund.amount_minor, v_account.currency,
     (now() at time zone v_creditor.time_zone)::date, v_refund_id || ':failed', 'refund_failed')
  returning id into v_entry_id;
  insert into app.payment_reversals (ledger_entry_id, payment_id, kind)
  values (v_entry_id, v_payment.id, 'refund');

  -- No longer all refunded: the payment counts again.
  select -l.amount_minor into strict v_paid from app.ledger_entries as l where l.id = v_payment.ledger_entry_id;
  select coalesce(sum(l.amount_minor), 0)::bigint into v_refunded
    from app.payment_reversals as r
    join app.ledger_entries as l on l.id = r.ledger_entry_id
   where r.payment_id = v_payment.id
     and r.kind = 'refund';
  if v_refunded < v_paid then
    update app.payments as p set status = 'succeeded', updated_at = now()
     where p.id = v_payment.id and p.status = 'refunded';
    v_restored := found;
  end if;

  -- An account the refund had reopened is paid off again when it owes nothing.
  v_balance := app.account_balance_minor(v_account.id);
  if v_balance <= 0 then
    update app.accounts as a set status = 'paid' where a.id = v_account.id and a.status = 'open';
    v_account_paid := found;
  end if;

  insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('system', 'payment.refund_failed', 'payment', v_payment.id, v_account.id, 'refund_failed',
          jsonb_build_object(
            'event_type', p_event_type,
            'ledger_entry_id', v_entry_id,
            'refund_ledger_entry_id', v_refund.id,
            'amount_minor', -v_refund.amount_minor,
            'currency', v_account.currency,
            'principal_minor', -v_refund.principal_minor,
            'interest_minor', -v_refund.interest_minor,
            'fees_minor', -v_refund.fees_minor,
            'payment_restored', v_restored,
            'balance_minor', v_balance,
            'account_paid', v_account_paid
          ));

  return jsonb_build_object('outcome', 'applied', 'payment_id', v_payment.id);
exception
  -- The same failure posted by a concurrent event: once is enough.
  when unique_violation then
    return jsonb_build_object('outcome', 'duplicate', 'payment_id', v_payment.id);
end;
$$;

comment on function app.record_refund_failure(text, jsonb) is
  'A refund Stripe reports failed (refund.failed, or refund.created/updated with status failed): once per refund id, a payment entry (reason_code refund_failed, external_ref <refund id>:failed) that takes off what the refund entry put back, recorded in app.payment_reversals as kind refund; the payment succeeded again when no longer fully refunded; the account paid again when it owes nothing; audit payment.refund_failed. A failure before the success was delivered posts the refund first, so a late success finds it. {outcome: applied | duplicate | ignored, payment_id}. Takes the account, then the payment lock.';

revoke all on function app.record_refund_failure(text, jsonb) from public, anon, authenticated, service_role;

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

  -- A refund that failed: what it put back comes off again, once (app.record_refund_failure).
  if v_type = 'refund.failed'
     or (v_type in ('refund.created', 'refund.updated') and p_event #>> '{data,object,status}' = 'failed') then
    v_result := app.record_refund_failure(v_type, p_event #> '{data,object}');
    update app.stripe_events as e
       set outcome = case when v_result ->> 'outcome' = 'duplicate' then 'ignored' else v_result ->> 'outcome' end,
           payment_id = (v_result ->> 'payment_id')::uuid
     where e.event_id = v_event_id;
    return v_result;
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
      -- An automatic charge is one PaymentIntent per attempt: once it failed, a failure of it
      -- is the same one again (the sweep recorded it from Stripe's answer, then the webhook
      -- announced it), so it is audited once. A Checkout payment can be tried again in the
      -- same session, so each of its failures is an attempt of its own.
      if not (v_previous_status = 'failed' and v_payment.origin = 'automatic') then
        insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
        values ('system', 'payment.failed', 'payment', v_payment.id, v_account.id, v_failure_code,
                jsonb_build_object('event_type', v_type, 'previous_status', v_previous_status,
                                   'amount_minor', v_payment.amount_minor, 'currency', v_payment.currency));
      end if;
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
  'Processes one verified Stripe webhook event exactly once (app.stripe_events, same transaction): checkout.session.completed/async_payment_succeeded/async_payment_failed/expired, payment_intent.succeeded/payment_failed (an automatic payment already failed is not audited twice), refund.created/updated and charge.refunded (a refund ledger entry per refund id), refund.failed or a refund with status failed (app.record_refund_failure: what the refund put back comes off again, once), charge.dispute.created/closed (a chargeback entry per dispute; a won dispute takes it off again). {outcome: applied | duplicate | ignored | suspense, payment_id}. One ledger entry per payment, refund or dispute however often and in whatever order its events arrive; unmatched money goes to app.payment_suspense. PT422 invalid_event when the event has no id or type.';

revoke execute on function api.record_stripe_event(jsonb) from public, anon, authenticated;
grant execute on function api.record_stripe_event(jsonb) to service_role;
