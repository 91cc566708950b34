-- Payments through Stripe (issue 6 items 2-3): a borrower starts a payment (pay in full, the
-- next installment, or any amount between the creditor's minimum and the balance), the app
-- sends them to Stripe Checkout, and only Stripe's signed webhook events move money in the
-- ledger. Never from the redirect.
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): tables in `app` with RLS on
-- and no grants; `api` functions security definer, empty search_path, fully qualified names,
-- executable by service_role alone; money in bigint minor units; audit events hold ids,
-- codes, integers and dates only (never a Stripe object, a Stripe id or a card detail).
--
-- Nothing twice, nothing lost (DESIGN §1 item 7):
-- * api.record_stripe_event inserts the event id into app.stripe_events first, in the same
--   transaction as its effect: a replayed event finds its row and does nothing.
-- * Two different events say one payment succeeded (checkout.session.completed and
--   payment_intent.succeeded), in any order, perhaps at once. Each locks the account, then
--   the payment, and re-reads it: the first posts the one ledger entry, the second finds the
--   payment succeeded. The ledger's unique external_ref (the PaymentIntent id) is the last
--   guard.
-- * Money that cannot be matched to an open account of ours (no or unknown payment id in the
--   metadata, a closed or paid account, another currency, a second charge for a payment
--   already paid) goes to app.payment_suspense for staff to allocate or refund: never lost,
--   never posted to the wrong account. The event is still acknowledged.
--
-- Refunds and disputes put the balance back up, once each:
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
-- * Nothing twice: the event id first (app.stripe_events); then the ledger's
--   unique external_ref, checked under the account lock and caught as unique_violation.
--   A second event for a refund or dispute already posted answers 'duplicate'.
--
-- Not handled here: a refund that fails after it succeeded (refund.failed), installment and
-- arrangement progress undone by a refund, fees Stripe charges for a dispute.
--
-- Errors (PostgREST answers the PT### codes with that HTTP status; the hint is the machine
-- reason the app maps):
--   PT404 account_not_found, installment_not_found, payment_not_found
--   PT409 account_not_open, payment_in_flight
--   PT422 amount_out_of_range, invalid_payment, invalid_event

-- ---------------------------------------------------------------------------------------
-- Tables.
-- ---------------------------------------------------------------------------------------

create table app.payments (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null,
  borrower_id uuid not null references app.borrowers (id),
  -- The installment this payment is for, when the borrower paid one.
  installment_id uuid references app.installments (id),
  -- What the borrower asked to pay. What Stripe says was paid is what the ledger gets.
  amount_minor bigint not null check (amount_minor > 0 and amount_minor < 1000000000000),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  purpose text not null check (purpose in ('full', 'installment', 'amount')),
  -- created → processing (a bank debit in flight) → succeeded | failed; created → cancelled
  -- (the Checkout Session expired); succeeded → refunded. A failed card can still succeed
  -- on a second try within the same Checkout Session.
  status text not null default 'created' check (status in ('created', 'processing', 'succeeded', 'failed', 'cancelled', 'refunded')),
  stripe_checkout_session_id text unique check (stripe_checkout_session_id ~ '^[A-Za-z0-9_]{1,255}$'),
  stripe_payment_intent_id text unique check (stripe_payment_intent_id ~ '^[A-Za-z0-9_]{1,255}$'),
  -- Stripe's decline code or error code ('insufficient_funds', 'card_declined').
  failure_code text check (failure_code ~ '^[a-z][a-z0-9_.]{0,62}$'),
  -- The ledger entry that counted it; null until it succeeded, and null when the money went
  -- to suspense instead (closed account). Unique: one entry per payment. Not a foreign key:
  -- nothing references the append-only ledger, so its own trigger is what refuses TRUNCATE
  -- (a referencing key would refuse it first, with another error); api.record_stripe_event
  -- sets it to the entry it has just inserted.
  ledger_entry_id uuid unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  succeeded_at timestamptz,
  check ((status in ('succeeded', 'refunded')) = (succeeded_at is not null)),
  check (ledger_entry_id is null or status in ('succeeded', 'refunded')),
  check (purpose <> 'installment' or installment_id is not null),
  foreign key (account_id, currency) references app.accounts (id, currency)
);

comment on table app.payments is
  'One payment a borrower started through Stripe Checkout (issue 6): account, amount asked, purpose, installment, Stripe ids, status. Moved only by api.record_stripe_event (Stripe''s signed webhooks), never by the return redirect.';
comment on column app.payments.ledger_entry_id is
  'The one payment ledger entry this payment posted (external_ref = the PaymentIntent id); null until it succeeded, or when its money went to app.payment_suspense.';

create index payments_account_idx on app.payments (account_id, currency, created_at);
create index payments_borrower_idx on app.payments (borrower_id);
create index payments_installment_idx on app.payments (installment_id, status) where installment_id is not null;

create table app.stripe_events (
  -- Stripe's event id ('evt_...'): a replay finds it and changes nothing.
  event_id text primary key check (length(event_id) between 1 and 255),
  type text not null check (length(type) between 1 and 255),
  received_at timestamptz not null default now(),
  -- What processing it did: applied (the payment is in the state the event reports),
  -- ignored (an event type we do not act on, or a stale one that would go backwards),
  -- suspense (money we could not match; see app.payment_suspense).
  outcome text not null check (outcome in ('applied', 'ignored', 'suspense')),
  payment_id uuid references app.payments (id)
);

comment on table app.stripe_events is
  'Stripe webhook events already processed, recorded in the same transaction as their effect, so a replay is a no-op. Ids and type only: the payload is not kept.';

create index stripe_events_payment_idx on app.stripe_events (payment_id) where payment_id is not null;

create table app.payment_suspense (
  id uuid primary key default gen_random_uuid(),
  -- The Stripe object that carried the money: the PaymentIntent when known, else the
  -- Checkout Session. Unique, so the two events of one payment hold it once.
  stripe_object_id text not null unique check (length(stripe_object_id) between 1 and 255),
  amount_minor bigint check (amount_minor >= 0),
  currency text check (currency ~ '^[A-Z]{3}$'),
  -- unknown_payment, account_not_open, account_mismatch, currency_mismatch, duplicate_payment
  reason text not null check (reason ~ '^[a-z][a-z0-9_]{0,62}$'),
  -- The payment it names, when it names one of ours.
  payment_id uuid references app.payments (id),
  -- The fields staff need to allocate or refund it (ids, amounts, metadata), not the
  -- whole Stripe object.
  payload jsonb not null,
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  -- matched (a later event found its payment), allocated, refunded.
  resolution text check (resolution ~ '^[a-z][a-z0-9_]{0,62}$'),
  check ((resolved_at is null) = (resolution is null))
);

comment on table app.payment_suspense is
  'Money Stripe says it received that could not be posted to an open account of ours (unknown payment, closed account, wrong currency, a second charge): kept here until staff allocate or refund it. Never lost, never posted to the wrong account.';

create index payment_suspense_payment_idx on app.payment_suspense (payment_id) where payment_id is not null;
create index payment_suspense_open_idx on app.payment_suspense (created_at) where resolved_at is null;

alter table app.payments enable row level security;
alter table app.stripe_events enable row level security;
alter table app.payment_suspense enable row level security;

-- Some platforms add default grants for API roles; take back whatever arrived.
revoke all on table app.payments, app.stripe_events, app.payment_suspense
  from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Helpers.
-- ---------------------------------------------------------------------------------------

-- The text at `p_key` of a JSON object when it is a string matching the pattern, else null.
create function app.jsonb_text_matching(p_object jsonb, p_key text, p_pattern text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when jsonb_typeof(p_object) = 'object'
         and jsonb_typeof(p_object -> p_key) = 'string'
         and (p_object ->> p_key) ~ p_pattern
      then p_object ->> p_key
  end;
$$;

comment on function app.jsonb_text_matching(jsonb, text, text) is
  'The string at the key of a JSON object when it matches the pattern, else null. Never raises.';

-- The fields of a Stripe Checkout Session or PaymentIntent that staff need to resolve a
-- suspense row, and nothing else (no customer details).
create function app.stripe_object_summary(p_object jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_strip_nulls(jsonb_build_object(
    'id', p_object -> 'id',
    'object', p_object -> 'object',
    'payment_intent', p_object -> 'payment_intent',
    'amount_total', p_object -> 'amount_total',
    'amount_received', p_object -> 'amount_received',
    'currency', p_object -> 'currency',
    'payment_status', p_object -> 'payment_status',
    'client_reference_id', p_object -> 'client_reference_id',
    'livemode', p_object -> 'livemode',
    'metadata', case when jsonb_typeof(p_object -> 'metadata') = 'object' then p_object -> 'metadata' end
  ));
$$;

comment on function app.stripe_object_summary(jsonb) is
  'The ids, amounts, currency and metadata of a Stripe object, for app.payment_suspense.payload; drops customer details.';

-- Holds money in suspense once per Stripe object; returns the row's id.
create function app.hold_in_suspense(
  p_object_id text,
  p_amount_minor bigint,
  p_currency text,
  p_reason text,
  p_payment_id uuid,
  p_account_id uuid,
  p_object jsonb
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
begin
  insert into app.payment_suspense (stripe_object_id, amount_minor, currency, reason, payment_id, payload)
  values (p_object_id, p_amount_minor, p_currency, p_reason, p_payment_id, app.stripe_object_summary(p_object))
  on conflict (stripe_object_id) do nothing
  returning id into v_id;
  if v_id is null then
    -- Already held (the other event of the same payment): once is enough.
    select s.id into strict v_id from app.payment_suspense as s where s.stripe_object_id = p_object_id;
    return v_id;
  end if;

  insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('system', 'payment.suspended', 'payment_suspense', v_id, p_account_id, p_reason,
          jsonb_build_object('payment_id', p_payment_id, 'amount_minor', p_amount_minor, 'currency', p_currency));
  return v_id;
end;
$$;

comment on function app.hold_in_suspense(text, bigint, text, text, uuid, uuid, jsonb) is
  'Records money that cannot be posted in app.payment_suspense, once per Stripe object id, with an audit event (payment.suspended); returns the suspense row id.';

-- Posts a succeeded payment: one ledger entry, installment and arrangement progress, account
-- paid off. The caller holds the account and payment locks and has checked that the payment
-- is not yet succeeded, that the account is open and the currency is the account's.
create function app.post_payment(
  p_payment app.payments,
  p_amount_minor bigint,
  p_payment_intent_id text,
  p_session_id text,
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
  v_remaining bigint := p_amount_minor;
  v_principal_owed bigint;
  v_interest_owed bigint;
  v_fees_owed bigint;
  v_take bigint;
  v_principal bigint := 0::bigint;
  v_interest bigint := 0::bigint;
  v_fees bigint := 0::bigint;
  v_external_ref text;
  v_entry_id uuid;
  v_installment app.installments%rowtype;
  v_arrangement_id uuid;
  v_arrangement_completed boolean := false;
  v_balance bigint;
  v_account_paid boolean := false;
begin
  select a.* into strict v_account from app.accounts as a where a.id = p_payment.account_id;
  select c.* into strict v_creditor from app.creditors as c where c.id = v_account.creditor_id;

  select coalesce(sum(l.principal_minor), 0)::bigint,
         coalesce(sum(l.interest_minor), 0)::bigint,
         coalesce(sum(l.fees_minor), 0)::bigint
    into v_principal_owed, v_interest_owed, v_fees_owed
    from app.ledger_entries as l
   where l.account_id = v_account.id;

  -- The creditor's allocation order, each part up to what it owes; the rest to principal.
  for v_component in
    select c.value
      from jsonb_array_elements_text(v_creditor.plan_policy -> 'paymentAllocationOrder') with ordinality as c (value, position)
     order by c.position
  loop
    exit when v_remaining = 0;
    if v_component = 'fees' then
      v_take := least(v_remaining, greatest(v_fees_owed, 0));
      v_fees := v_fees + v_take;
    elsif v_component = 'interest' then
      v_take := least(v_remaining, greatest(v_interest_owed, 0));
      v_interest := v_interest + v_take;
    else
      v_take := least(v_remaining, greatest(v_principal_owed, 0));
      v_principal := v_principal + v_take;
    end if;
    v_remaining := v_remaining - v_take;
  end loop;
  v_principal := v_principal + v_remaining;

  v_external_ref := coalesce(p_payment_intent_id, 'cs:' || p_session_id);
  insert into app.ledger_entries
    (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency,
     effective_on, external_ref, reason_code)
  values
    (v_account.id, 'payment', -v_principal, -v_interest, -v_fees, -p_amount_minor, v_account.currency,
     (now() at time zone v_creditor.time_zone)::date, v_external_ref, 'payment_received')
  returning id into v_entry_id;

  update app.payments as p
     set status = 'succeeded',
         succeeded_at = now(),
         updated_at = now(),
         failure_code = null,
         ledger_entry_id = v_entry_id,
         stripe_payment_intent_id = coalesce(p.stripe_payment_intent_id, p_payment_intent_id),
         stripe_checkout_session_id = coalesce(p.stripe_checkout_session_id, p_session_id)
   where p.id = p_payment.id;

  -- The installment it pays, if it is still to be paid.
  if p_payment.installment_id is not null then
    update app.installments as i
       set paid_minor = least(i.amount_minor, i.paid_minor + p_amount_minor),
           status = case when i.paid_minor + p_amount_minor >= i.amount_minor then 'paid' else i.status end
     where i.id = p_payment.installment_id
       and i.status in ('scheduled', 'missed')
    returning i.* into v_installment;
    if found then
      v_arrangement_id := v_installment.arrangement_id;
      update app.arrangements as r
         set status = 'completed',
             ended_at = now(),
             updated_at = now()
       where r.id = v_arrangement_id
         and r.status = 'active'
         and not exists (
           select 1 from app.installments as i
            where i.arrangement_id = r.id
              and i.status <> 'paid'
         );
      v_arrangement_completed := found;
    end if;
  end if;

  select coalesce(sum(l.amount_minor), 0)::bigint into v_balance
    from app.ledger_entries as l
   where l.account_id = v_account.id;
  if v_balance <= 0 then
    update app.accounts as a set status = 'paid' where a.id = v_account.id and a.status = 'open';
    v_account_paid := found;
  end if;

  insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('system', 'payment.succeeded', 'payment', p_payment.id, v_account.id, 'payment_received',
          jsonb_build_object(
            'event_type', p_event_type,
            'ledger_entry_id', v_entry_id,
            'amount_minor', p_amount_minor,
            'requested_amount_minor', p_payment.amount_minor,
            'amount_differs', p_amount_minor <> p_payment.amount_minor,
            'currency', v_account.currency,
            'principal_minor', -v_principal,
            'interest_minor', -v_interest,
            'fees_minor', -v_fees,
            'installment_id', p_payment.installment_id,
            'arrangement_completed', v_arrangement_completed,
            'balance_minor', v_balance,
            'account_paid', v_account_paid
          ));

  if v_arrangement_completed then
    insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
    values ('system', 'arrangement.completed', 'arrangement', v_arrangement_id, v_account.id, 'all_installments_paid',
            jsonb_build_object('payment_id', p_payment.id));
  end if;

  return v_entry_id;
end;
$$;

comment on function app.post_payment(app.payments, bigint, text, text, text) is
  'Posts one succeeded payment: a payment ledger entry (external_ref = PaymentIntent id, else cs:<session>) split across fees, interest and principal in the creditor''s allocation order, the installment''s paid amount, the arrangement completed when all its installments are paid, the account paid when nothing is owed, and the audit events. Returns the ledger entry id. The caller holds the locks.';

revoke all on function app.jsonb_text_matching(jsonb, text, text) from public, anon, authenticated, service_role;
revoke all on function app.stripe_object_summary(jsonb) from public, anon, authenticated, service_role;
revoke all on function app.hold_in_suspense(text, bigint, text, text, uuid, uuid, jsonb) from public, anon, authenticated, service_role;
revoke all on function app.post_payment(app.payments, bigint, text, text, text) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- api.start_payment(): the borrower chooses what to pay.
-- ---------------------------------------------------------------------------------------

-- Checks, in order: the account is the borrower's (PT404), open (PT409 account_not_open);
-- the purpose and amount are well formed (PT422 invalid_payment); the installment, when
-- given, is a scheduled installment of the account's live arrangement (PT404
-- installment_not_found) with no payment in flight (PT409 payment_in_flight); the amount
-- is within min(policy minimum, balance, what the installment still needs) and the
-- balance, and is the whole balance for 'full' (PT422 amount_out_of_range).
create function api.start_payment(
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
  select coalesce(sum(l.amount_minor), 0)::bigint into v_balance
    from app.ledger_entries as l
   where l.account_id = v_account.id;
  v_minimum := least((v_creditor.plan_policy -> 'minimumPaymentMinor')::numeric::bigint, v_balance);

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

  if p_amount_minor <= 0
     or p_amount_minor < v_minimum
     or p_amount_minor > v_balance
     or (p_purpose = 'full' and p_amount_minor <> v_balance) then
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
  'Starts a payment on one of the borrower''s open accounts (status created, audit payment.started): {payment_id, amount_minor, currency, creditor_name}. PT404 account_not_found, installment_not_found; PT409 account_not_open, payment_in_flight; PT422 amount_out_of_range (outside min(policy minimum, balance) .. balance, or not the balance for full), invalid_payment.';

revoke execute on function api.start_payment(uuid, uuid, bigint, text, uuid) from public, anon, authenticated;
grant execute on function api.start_payment(uuid, uuid, bigint, text, uuid) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.attach_checkout_session(): the Checkout Session Stripe made for a payment.
-- ---------------------------------------------------------------------------------------

create function api.attach_checkout_session(p_borrower_id uuid, p_payment_id uuid, p_session_id text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_payment app.payments%rowtype;
begin
  if p_session_id is null or p_session_id !~ '^[A-Za-z0-9_]{1,255}$' then
    raise exception 'malformed checkout session id'
      using errcode = 'PT422', hint = 'invalid_payment';
  end if;

  update app.payments as p
     set stripe_checkout_session_id = p_session_id,
         updated_at = now()
   where p.id = p_payment_id
     and p.borrower_id = p_borrower_id
     and p.status = 'created'
     and (p.stripe_checkout_session_id is null or p.stripe_checkout_session_id = p_session_id)
  returning p.* into v_payment;
  if not found then
    raise exception 'payment not found'
      using errcode = 'PT404', hint = 'payment_not_found';
  end if;

  return jsonb_build_object('payment_id', v_payment.id, 'status', v_payment.status);
end;
$$;

comment on function api.attach_checkout_session(uuid, uuid, text) is
  'Stores the Stripe Checkout Session id of one of the borrower''s payments still in status created (the same id again is fine): {payment_id, status}. PT404 payment_not_found otherwise; PT422 invalid_payment for a malformed id.';

revoke execute on function api.attach_checkout_session(uuid, uuid, text) from public, anon, authenticated;
grant execute on function api.attach_checkout_session(uuid, uuid, text) to service_role;

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
-- api.record_stripe_event(): one verified Stripe webhook event, once.
-- ---------------------------------------------------------------------------------------

-- p_event is the event as Stripe sent it (after the signature check in the route):
-- {id, type, data: {object: {...}}}. Outcomes:
--   applied    the payment is now in the state the event reports
--   duplicate  this event id was processed before: nothing done
--   ignored    a type we do not act on, no payment to act on (a failure, an expiry), or a
--              stale event that would move a payment backwards (failed after succeeded)
--   suspense   money we could not post to an open account of ours: in app.payment_suspense
create function api.record_stripe_event(p_event jsonb)
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

-- ---------------------------------------------------------------------------------------
-- api.payment_status(), api.account_payments(): what the borrower sees.
-- ---------------------------------------------------------------------------------------

create function api.payment_status(p_borrower_id uuid, p_payment_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_payment app.payments%rowtype;
begin
  select p.* into v_payment
    from app.payments as p
   where p.id = p_payment_id
     and p.borrower_id = p_borrower_id;
  if not found then
    raise exception 'payment not found'
      using errcode = 'PT404', hint = 'payment_not_found';
  end if;

  return jsonb_build_object(
    'payment_id', v_payment.id,
    'account_id', v_payment.account_id,
    'status', v_payment.status,
    'amount_minor', v_payment.amount_minor,
    'currency', v_payment.currency,
    'failure_code', v_payment.failure_code,
    'succeeded_at', v_payment.succeeded_at
  );
end;
$$;

comment on function api.payment_status(uuid, uuid) is
  'One of the borrower''s payments, for the return page: {payment_id, account_id, status, amount_minor, currency, failure_code, succeeded_at}. PT404 payment_not_found when it is not this borrower''s.';

revoke execute on function api.payment_status(uuid, uuid) from public, anon, authenticated;
grant execute on function api.payment_status(uuid, uuid) to service_role;

create function api.account_payments(p_borrower_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_payments jsonb;
begin
  if not exists (
    select 1 from app.accounts as a
     where a.id = p_account_id
       and a.borrower_id = p_borrower_id
  ) then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;

  -- Payments that got as far as Stripe (or further); a payment started and abandoned before
  -- Checkout opened is not news to the borrower.
  select coalesce(jsonb_agg(
           jsonb_build_object(
             'payment_id', r.id,
             'status', r.status,
             'purpose', r.purpose,
             'amount_minor', r.amount_minor,
             'currency', r.currency,
             'installment_id', r.installment_id,
             'failure_code', r.failure_code,
             'created_at', r.created_at,
             'succeeded_at', r.succeeded_at
           )
           order by r.created_at desc, r.id desc
         ), '[]'::jsonb)
    into v_payments
    from (
      select p.*
        from app.payments as p
       where p.account_id = p_account_id
         and (p.status <> 'created' or p.stripe_checkout_session_id is not null)
       order by p.created_at desc, p.id desc
       limit 50
    ) as r;

  return v_payments;
end;
$$;

comment on function api.account_payments(uuid, uuid) is
  'The account''s most recent 50 payments, newest first: [{payment_id, status, purpose, amount_minor, currency, installment_id, failure_code, created_at, succeeded_at}]; payments abandoned before Checkout opened are left out. PT404 account_not_found when it is not this borrower''s.';

revoke execute on function api.account_payments(uuid, uuid) from public, anon, authenticated;
grant execute on function api.account_payments(uuid, uuid) to service_role;
