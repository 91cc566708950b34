-- Pay automatically (issue 6 items 4-5; ADR 006): a borrower authorizes automatic payments
-- of their plan and saves a card or bank account through Stripe Checkout in setup mode; a
-- sweep (`npm run jobs`, or /jobs/sweep) charges each installment on its due date.
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): tables in `app` with RLS on
-- and no grants; `api` functions security definer, empty search_path, fully qualified names,
-- executable by service_role alone; money in bigint minor units; audit events hold ids,
-- codes, integers and dates only (never a Stripe id, a card's last digits or free text).
--
-- The sweep, each RPC its own transaction:
-- 1. api.claim_due_installments: picks due installments of active plans with an active
--    authorization (FOR UPDATE SKIP LOCKED), and for each one either starts attempt n (a
--    payment row, origin 'automatic', status 'created', and an app.automatic_charges row
--    with a lease) or takes over attempt n again when its lease expired (a worker died
--    mid-charge). Two sweeps never hold one attempt: (installment, attempt) is unique, and
--    a lease is taken over by an UPDATE that re-checks the expiry on the newest row.
-- 2. The worker charges outside the database: stripe.paymentIntents.create(off_session,
--    confirm) with Idempotency-Key `charge/<installment>/<attempt>`. A takeover sends the same
--    key and the same parameters, so Stripe answers with the first charge instead of making
--    a second one.
-- 3. api.record_automatic_charge: what Stripe answered. Succeeded: the ledger entry (the same
--    app.post_payment the webhook uses; whichever of the answer and the webhook comes
--    first posts it, the other finds the payment succeeded). Processing (a bank debit): the
--    webhook settles it. Declined: the payment fails; attempt 2 is due 3 days after attempt
--    1, attempt 3 7 days after it; after the third decline the plan is marked at risk.
--    authentication_required: no more automatic attempts for that installment (at risk
--    too); the borrower is asked to pay it themselves.
--
-- Locks: the claim locks each candidate's installment and account with SKIP LOCKED, so it
-- never waits for a webhook or a recording (both lock the account first); those wait for it.
--
-- In flight, one way only: while an automatic charge of an installment is claimed or
-- processing, a payment of it by hand is refused (PT409 payment_in_flight, from a trigger on
-- app.payments); while a payment by hand is open (Checkout Session not yet expired, or a bank
-- debit processing), the sweep leaves the installment alone. Both lock the installment row.
--
-- Paused collection (app.collection_pauses: hardship, dispute, debt advice, breathing space;
-- written by the hardship and dispute flows of issue 7): no claim while a pause holds.

-- ---------------------------------------------------------------------------------------
-- Tables.
-- ---------------------------------------------------------------------------------------

create table app.stripe_customers (
  borrower_id uuid primary key references app.borrowers (id),
  stripe_customer_id text not null unique check (stripe_customer_id ~ '^cus_[A-Za-z0-9]{1,250}$'),
  created_at timestamptz not null default now()
);

comment on table app.stripe_customers is
  'The Stripe Customer that holds a borrower''s saved payment methods: one per borrower, created on first use with an idempotency key built from the borrower id.';

create table app.collection_pauses (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references app.accounts (id),
  reason text not null check (reason in ('hardship', 'dispute', 'debt_advice', 'breathing_space')),
  starts_at timestamptz not null default now(),
  -- Null: until someone decides (a hardship request or dispute), then lifted_at is set.
  ends_at timestamptz,
  lifted_at timestamptz,
  created_at timestamptz not null default now(),
  check (ends_at is null or ends_at > starts_at)
);

comment on table app.collection_pauses is
  'Times when collection on an account stops (hardship request, dispute, debt advice, breathing space): no automatic charge and no reminder while one holds. Written by the hardship and dispute flows.';

create index collection_pauses_account_idx on app.collection_pauses (account_id) where lifted_at is null;

create table app.payment_authorizations (
  id uuid primary key default gen_random_uuid(),
  borrower_id uuid not null references app.borrowers (id),
  account_id uuid not null references app.accounts (id),
  -- The plan whose installments it lets us take.
  arrangement_id uuid not null references app.arrangements (id),
  -- The recurring-payment authorization the borrower gave, with its exact words.
  consent_id uuid not null unique references app.consents (id),
  -- pending: waiting for the card or account on Stripe's page; active: saved, charged on
  -- due dates; revoked: the borrower stopped it; replaced: a newer one took over.
  status text not null default 'pending' check (status in ('pending', 'active', 'revoked', 'replaced')),
  stripe_customer_id text not null check (stripe_customer_id ~ '^cus_[A-Za-z0-9]{1,250}$'),
  stripe_checkout_session_id text unique check (stripe_checkout_session_id ~ '^[A-Za-z0-9_]{1,255}$'),
  stripe_payment_method_id text check (stripe_payment_method_id ~ '^[A-Za-z0-9_]{1,255}$'),
  method_type text check (method_type in ('card', 'us_bank_account')),
  -- 'visa', 'mastercard', or the bank's name; shown to the borrower.
  method_label text check (length(method_label) between 1 and 100),
  method_last4 text check (method_last4 ~ '^[0-9]{4}$'),
  -- The withdrawal, when the borrower revoked it.
  revoke_consent_id uuid references app.consents (id),
  activated_at timestamptz,
  ended_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((status = 'pending') = (activated_at is null) or status = 'revoked'),
  check ((status in ('active', 'replaced') or activated_at is not null) = (stripe_payment_method_id is not null)),
  check ((status in ('revoked', 'replaced')) = (ended_at is not null)),
  check (stripe_payment_method_id is null or (method_type is not null and method_last4 is not null)),
  check (status <> 'revoked' or revoke_consent_id is not null)
);

comment on table app.payment_authorizations is
  'A borrower''s authorization to take a plan''s installments automatically from a saved card or bank account (recurring-payment authorization consent, Stripe Customer, PaymentMethod), pending until Stripe''s setup completes, then active until revoked or replaced.';

-- One active authorization per plan.
create unique index payment_authorizations_one_active_idx
  on app.payment_authorizations (arrangement_id) where status = 'active';
create index payment_authorizations_borrower_idx on app.payment_authorizations (borrower_id, status);
create index payment_authorizations_account_idx on app.payment_authorizations (account_id);

alter table app.payments
  add column origin text not null default 'checkout' check (origin in ('checkout', 'automatic'));

comment on column app.payments.origin is
  'checkout: the borrower paid on Stripe''s page; automatic: the sweep charged a saved payment method (app.automatic_charges).';

create table app.automatic_charges (
  -- The payment row this attempt made (origin automatic): one attempt, one payment.
  payment_id uuid primary key,
  installment_id uuid not null references app.installments (id),
  -- 1, 2, 3: the first on the due date, then 3 and 7 days after it.
  attempt integer not null check (attempt between 1 and 3),
  authorization_id uuid not null references app.payment_authorizations (id),
  -- While a worker charges: when another may take it over. Null once the outcome is in.
  lease_expires_at timestamptz,
  -- How many times it was claimed (more than 1: a worker's lease expired and another took over).
  claims integer not null default 1 check (claims >= 1),
  claimed_at timestamptz not null default now(),
  -- The day the sweep made the attempt (in the creditor's zone, or the injected today): the
  -- retry schedule counts from attempt 1's.
  charged_on date not null,
  recorded_at timestamptz,
  unique (installment_id, attempt),
  check ((lease_expires_at is null) = (recorded_at is not null)),
  foreign key (payment_id) references app.payments (id) deferrable initially deferred
);

comment on table app.automatic_charges is
  'Automatic charge attempts of installments: attempt number, the payment it made, its authorization and the worker''s lease. The Stripe idempotency key is charge/<installment_id>/<attempt>.';

create index automatic_charges_authorization_idx on app.automatic_charges (authorization_id);
create index automatic_charges_leased_idx on app.automatic_charges (lease_expires_at) where lease_expires_at is not null;

alter table app.arrangements
  add column at_risk_since timestamptz;

comment on column app.arrangements.at_risk_since is
  'When an installment''s automatic attempts ran out (three declines): the borrower was told and may pay it themselves. Null otherwise.';

alter table app.stripe_customers enable row level security;
alter table app.collection_pauses enable row level security;
alter table app.payment_authorizations enable row level security;
alter table app.automatic_charges enable row level security;

revoke all on table app.stripe_customers, app.collection_pauses, app.payment_authorizations, app.automatic_charges
  from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Helpers.
-- ---------------------------------------------------------------------------------------

create function app.collection_paused(p_account_id uuid, p_at timestamptz)
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (
    select 1 from app.collection_pauses as p
     where p.account_id = p_account_id
       and p.lifted_at is null
       and p.starts_at <= p_at
       and (p.ends_at is null or p.ends_at > p_at)
  );
$$;

comment on function app.collection_paused(uuid, timestamptz) is
  'True while a collection pause (hardship, dispute, debt advice, breathing space) holds on the account.';

-- Days after attempt 1 (the due date, or the day the sweep first got to it) on which
-- attempts 2 and 3 are due.
create function app.automatic_retry_days(p_attempt integer)
returns integer
language sql
immutable
set search_path = ''
as $$
  select case p_attempt when 2 then 3 when 3 then 7 end;
$$;

comment on function app.automatic_retry_days(integer) is
  'Attempt 2 of an automatic charge is due 3 days after attempt 1, attempt 3 7 days after it.';

-- A payment by hand of an installment whose automatic charge is on its way is refused, and
-- the installment row is locked first, so this and api.claim_due_installments serialize.
create function app.refuse_payment_while_charging()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.installment_id is null or new.origin <> 'checkout' then
    return new;
  end if;
  perform 1 from app.installments as i where i.id = new.installment_id for update;
  -- On its way: a bank debit processing, or a charge claimed by a worker (whose lease has
  -- not expired, or will be taken over because its authorization still stands).
  if exists (
    select 1 from app.automatic_charges as ch
      join app.payments as p on p.id = ch.payment_id
      join app.payment_authorizations as pa on pa.id = ch.authorization_id
     where ch.installment_id = new.installment_id
       and (p.status = 'processing'
            or (p.status = 'created' and (ch.lease_expires_at > now() or pa.status = 'active')))
  ) then
    raise exception 'an automatic payment of this installment is already on its way'
      using errcode = 'PT409', hint = 'payment_in_flight';
  end if;
  return new;
end;
$$;

create trigger payments_refuse_while_charging
  before insert on app.payments
  for each row execute function app.refuse_payment_while_charging();

-- The last automatic attempt of an installment failing (the third decline, or the bank
-- asking for the borrower: authentication_required), however it arrives (the sweep's answer
-- or a bank debit's webhook), marks the plan at risk once.
create function app.mark_plan_at_risk()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_charge app.automatic_charges%rowtype;
  v_arrangement_id uuid;
begin
  if new.origin <> 'automatic' or new.status <> 'failed' or old.status = 'failed' then
    return new;
  end if;
  select ch.* into v_charge from app.automatic_charges as ch where ch.payment_id = new.id;
  if not found or (v_charge.attempt < 3 and new.failure_code is distinct from 'authentication_required') then
    return new;
  end if;
  update app.arrangements as r
     set at_risk_since = now(), updated_at = now()
    from app.installments as i
   where i.id = v_charge.installment_id
     and r.id = i.arrangement_id
     and r.status = 'active'
     and r.at_risk_since is null
  returning r.id into v_arrangement_id;
  if v_arrangement_id is not null then
    insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
    values ('system', 'arrangement.at_risk', 'arrangement', v_arrangement_id, new.account_id,
            coalesce(new.failure_code, 'payment_failed'),
            jsonb_build_object('payment_id', new.id, 'installment_id', v_charge.installment_id, 'attempt', v_charge.attempt));
  end if;
  return new;
end;
$$;

create trigger payments_mark_plan_at_risk
  after update of status on app.payments
  for each row execute function app.mark_plan_at_risk();

revoke all on function app.collection_paused(uuid, timestamptz) from public, anon, authenticated, service_role;
revoke all on function app.automatic_retry_days(integer) from public, anon, authenticated, service_role;
revoke all on function app.refuse_payment_while_charging() from public, anon, authenticated, service_role;
revoke all on function app.mark_plan_at_risk() from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Stripe customers.
-- ---------------------------------------------------------------------------------------

create function api.borrower_stripe_customer(p_borrower_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select s.stripe_customer_id from app.stripe_customers as s where s.borrower_id = p_borrower_id;
$$;

comment on function api.borrower_stripe_customer(uuid) is
  'The borrower''s Stripe Customer id, or null when none was created yet.';

-- Two requests creating one at once: the first stored wins and both get it.
create function api.save_stripe_customer(p_borrower_id uuid, p_customer_id text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_customer_id is null or p_customer_id !~ '^cus_[A-Za-z0-9]{1,250}$' then
    raise exception 'malformed customer id'
      using errcode = 'PT422', hint = 'invalid_customer';
  end if;
  if not exists (select 1 from app.borrowers as b where b.id = p_borrower_id) then
    raise exception 'borrower not found'
      using errcode = 'PT404', hint = 'borrower_not_found';
  end if;
  insert into app.stripe_customers (borrower_id, stripe_customer_id)
  values (p_borrower_id, p_customer_id)
  on conflict (borrower_id) do nothing;
  return (select s.stripe_customer_id from app.stripe_customers as s where s.borrower_id = p_borrower_id);
end;
$$;

comment on function api.save_stripe_customer(uuid, text) is
  'Stores the borrower''s Stripe Customer id unless one is stored already; returns the stored one. PT404 borrower_not_found, PT422 invalid_customer.';

-- ---------------------------------------------------------------------------------------
-- Authorizations.
-- ---------------------------------------------------------------------------------------

-- The borrower agreed to the authorization's words: the consent and a pending
-- authorization, before they go to Stripe's page. PT404 account_not_found; PT409
-- account_not_open, no_active_plan (the account has no active plan, or it has no
-- installment left to pay); PT422 consent_hash_mismatch, invalid_consent, invalid_customer.
create function api.start_payment_authorization(
  p_borrower_id uuid,
  p_account_id uuid,
  p_arrangement_id uuid,
  p_stripe_customer_id text,
  p_consent jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account app.accounts%rowtype;
  v_consent_id uuid;
  v_id uuid;
begin
  select a.* into v_account
    from app.accounts as a
   where a.id = p_account_id and a.borrower_id = p_borrower_id
     for update;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  if v_account.status <> 'open' then
    raise exception 'the account is not open'
      using errcode = 'PT409', hint = 'account_not_open';
  end if;
  if not exists (
    select 1 from app.arrangements as r
     where r.id = p_arrangement_id
       and r.account_id = v_account.id
       and r.status = 'active'
       and exists (select 1 from app.installments as i where i.arrangement_id = r.id and i.status in ('scheduled', 'missed'))
  ) then
    raise exception 'no active plan with payments to take'
      using errcode = 'PT409', hint = 'no_active_plan';
  end if;
  if p_stripe_customer_id is null or p_stripe_customer_id <> coalesce(api.borrower_stripe_customer(p_borrower_id), '') then
    raise exception 'not the borrower''s customer'
      using errcode = 'PT422', hint = 'invalid_customer';
  end if;

  v_consent_id := app.record_consent(p_borrower_id, v_account.id, 'recurring_payment_authorization', p_consent);
  insert into app.payment_authorizations (borrower_id, account_id, arrangement_id, consent_id, stripe_customer_id)
  values (p_borrower_id, v_account.id, p_arrangement_id, v_consent_id, p_stripe_customer_id)
  returning id into v_id;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('borrower', p_borrower_id, 'payment_authorization.started', 'payment_authorization', v_id, v_account.id,
          jsonb_build_object('arrangement_id', p_arrangement_id, 'consent_id', v_consent_id));

  return jsonb_build_object('authorization_id', v_id, 'consent_id', v_consent_id);
end;
$$;

comment on function api.start_payment_authorization(uuid, uuid, uuid, text, jsonb) is
  'Records the borrower''s recurring-payment authorization (consent with its exact words) and a pending authorization for the account''s active plan: {authorization_id, consent_id}. PT404 account_not_found; PT409 account_not_open, no_active_plan; PT422 consent_hash_mismatch, invalid_consent, invalid_customer.';

create function api.attach_setup_session(p_borrower_id uuid, p_authorization_id uuid, p_session_id text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_session_id is null or p_session_id !~ '^[A-Za-z0-9_]{1,255}$' then
    raise exception 'malformed checkout session id'
      using errcode = 'PT422', hint = 'invalid_authorization';
  end if;
  update app.payment_authorizations as pa
     set stripe_checkout_session_id = p_session_id, updated_at = now()
   where pa.id = p_authorization_id
     and pa.borrower_id = p_borrower_id
     and pa.status = 'pending'
     and (pa.stripe_checkout_session_id is null or pa.stripe_checkout_session_id = p_session_id);
  if not found then
    raise exception 'authorization not found'
      using errcode = 'PT404', hint = 'authorization_not_found';
  end if;
end;
$$;

comment on function api.attach_setup_session(uuid, uuid, text) is
  'Stores the setup-mode Checkout Session id of one of the borrower''s pending authorizations. PT404 authorization_not_found; PT422 invalid_authorization.';

-- A verified checkout.session.completed in setup mode, with the PaymentMethod the app read
-- back from Stripe. p_setup: {session_id, customer, payment_method, method_type,
-- method_label, last4, authorization_id (metadata, may be null)}. The event id is recorded
-- in app.stripe_events first (a replay is 'duplicate'). Outcomes: applied (the authorization
-- is active, a previous active one of the plan replaced), ignored (no pending authorization
-- of ours with this session, or another customer).
create function api.record_setup_completed(p_event_id text, p_type text, p_setup jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_session_id text;
  v_customer text;
  v_payment_method text;
  v_method_type text;
  v_label text;
  v_last4 text;
  v_auth app.payment_authorizations%rowtype;
begin
  if p_event_id is null or p_event_id !~ '^[A-Za-z0-9_]{1,255}$' or p_type is null or p_type !~ '^[a-z0-9_.]{1,255}$'
     or p_setup is null or jsonb_typeof(p_setup) <> 'object' then
    raise exception 'malformed Stripe event'
      using errcode = 'PT422', hint = 'invalid_event';
  end if;

  insert into app.stripe_events (event_id, type, outcome)
  values (p_event_id, p_type, 'ignored')
  on conflict (event_id) do nothing;
  if not found then
    return jsonb_build_object('outcome', 'duplicate', 'authorization_id', null);
  end if;

  v_session_id := app.jsonb_text_matching(p_setup, 'session_id', '^[A-Za-z0-9_]{1,255}$');
  v_customer := app.jsonb_text_matching(p_setup, 'customer', '^cus_[A-Za-z0-9]{1,250}$');
  v_payment_method := app.jsonb_text_matching(p_setup, 'payment_method', '^[A-Za-z0-9_]{1,255}$');
  v_method_type := app.jsonb_text_matching(p_setup, 'method_type', '^(card|us_bank_account)$');
  v_label := app.jsonb_text_matching(p_setup, 'method_label', '^.{1,100}$');
  v_last4 := app.jsonb_text_matching(p_setup, 'last4', '^[0-9]{4}$');

  select pa.* into v_auth
    from app.payment_authorizations as pa
   where pa.stripe_checkout_session_id = v_session_id
     for update;
  if not found or v_auth.status <> 'pending' or v_customer is distinct from v_auth.stripe_customer_id
     or v_payment_method is null or v_method_type is null or v_last4 is null then
    return jsonb_build_object('outcome', 'ignored', 'authorization_id', v_auth.id);
  end if;

  -- The plan may have ended while the borrower was on Stripe's page: then the method is not
  -- needed and the authorization ends at once (revoked by the system, never charged).
  update app.payment_authorizations as pa
     set status = 'replaced', ended_at = now(), updated_at = now()
   where pa.arrangement_id = v_auth.arrangement_id
     and pa.status = 'active';

  update app.payment_authorizations as pa
     set status = 'active',
         stripe_payment_method_id = v_payment_method,
         method_type = v_method_type,
         method_label = v_label,
         method_last4 = v_last4,
         activated_at = now(),
         updated_at = now()
   where pa.id = v_auth.id;

  update app.stripe_events as e set outcome = 'applied' where e.event_id = p_event_id;

  insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('system', 'payment_authorization.activated', 'payment_authorization', v_auth.id, v_auth.account_id,
          'setup_completed', jsonb_build_object('arrangement_id', v_auth.arrangement_id, 'method_type', v_method_type));

  return jsonb_build_object('outcome', 'applied', 'authorization_id', v_auth.id);
end;
$$;

comment on function api.record_setup_completed(text, text, jsonb) is
  'Processes one verified setup-mode checkout.session.completed once (app.stripe_events): the pending authorization of that session becomes active with the saved PaymentMethod, replacing the plan''s previous one. {outcome: applied | duplicate | ignored, authorization_id}. PT422 invalid_event.';

-- What a borrower's authorizations look like to them (newest first), or one account's.
create function api.borrower_payment_authorizations(p_borrower_id uuid, p_account_id uuid default null)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', pa.id,
           'account_id', pa.account_id,
           'arrangement_id', pa.arrangement_id,
           'status', pa.status,
           'method_type', pa.method_type,
           'method_label', pa.method_label,
           'method_last4', pa.method_last4,
           'activated_at', pa.activated_at,
           'ended_at', pa.ended_at,
           'created_at', pa.created_at,
           'plan_status', r.status,
           'terms', jsonb_build_object('body', t.body, 'version', t.version, 'language', t.language, 'agreed_at', k.created_at)
         ) order by pa.created_at desc, pa.id), '[]'::jsonb)
    from app.payment_authorizations as pa
    join app.arrangements as r on r.id = pa.arrangement_id
    join app.consents as k on k.id = pa.consent_id
    join app.consent_texts as t on t.id = k.text_id
   where pa.borrower_id = p_borrower_id
     and (p_account_id is null or pa.account_id = p_account_id)
     and pa.status in ('active', 'revoked', 'replaced');
$$;

comment on function api.borrower_payment_authorizations(uuid, uuid) is
  'The borrower''s saved-method authorizations (active, revoked, replaced; newest first), optionally of one account: [{id, account_id, arrangement_id, status, method_type, method_label, method_last4, activated_at, ended_at, created_at, plan_status, terms: {body, version, language, agreed_at}}].';

-- The borrower stops automatic payments. p_consent: the withdrawal's context {ip,
-- user_agent}; the withdrawn consent points at the words they had agreed to. Returns the
-- PaymentMethod to detach at Stripe (null when another active authorization still uses it).
-- A charge already on its way is not stopped. PT404 authorization_not_found; PT409
-- authorization_not_active.
create function api.revoke_payment_authorization(p_borrower_id uuid, p_authorization_id uuid, p_context jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_auth app.payment_authorizations%rowtype;
  v_granted app.consents%rowtype;
  v_withdrawn_id uuid;
  v_ip inet;
  v_user_agent text;
begin
  select pa.* into v_auth
    from app.payment_authorizations as pa
   where pa.id = p_authorization_id and pa.borrower_id = p_borrower_id
     for update;
  if not found then
    raise exception 'authorization not found'
      using errcode = 'PT404', hint = 'authorization_not_found';
  end if;
  if v_auth.status <> 'active' then
    raise exception 'authorization is not active'
      using errcode = 'PT409', hint = 'authorization_not_active';
  end if;

  if jsonb_typeof(p_context -> 'ip') = 'string' then
    begin
      v_ip := (p_context ->> 'ip')::inet;
    exception
      when invalid_text_representation then v_ip := null;
    end;
  end if;
  if jsonb_typeof(p_context -> 'user_agent') = 'string' then
    v_user_agent := left(p_context ->> 'user_agent', 512);
  end if;

  select k.* into strict v_granted from app.consents as k where k.id = v_auth.consent_id;
  insert into app.consents
    (borrower_id, account_id, kind, action, text_id, text_version, text_sha256, language, ip, user_agent)
  values
    (p_borrower_id, v_auth.account_id, 'recurring_payment_authorization', 'withdrawn', v_granted.text_id,
     v_granted.text_version, v_granted.text_sha256, v_granted.language, v_ip, v_user_agent)
  returning id into v_withdrawn_id;

  update app.payment_authorizations as pa
     set status = 'revoked', revoke_consent_id = v_withdrawn_id, ended_at = now(), updated_at = now()
   where pa.id = v_auth.id;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('borrower', p_borrower_id, 'payment_authorization.revoked', 'payment_authorization', v_auth.id, v_auth.account_id,
          jsonb_build_object('arrangement_id', v_auth.arrangement_id, 'consent_id', v_withdrawn_id));

  return jsonb_build_object(
    'authorization_id', v_auth.id,
    'detach_payment_method',
    case when exists (
      select 1 from app.payment_authorizations as o
       where o.stripe_payment_method_id = v_auth.stripe_payment_method_id and o.status = 'active'
    ) then null else v_auth.stripe_payment_method_id end
  );
end;
$$;

comment on function api.revoke_payment_authorization(uuid, uuid, jsonb) is
  'Stops automatic payments: the authorization is revoked, a withdrawn consent (pointing at the words agreed) and an audit event are recorded. {authorization_id, detach_payment_method (null when still used)}. PT404 authorization_not_found, PT409 authorization_not_active.';

-- ---------------------------------------------------------------------------------------
-- The sweep.
-- ---------------------------------------------------------------------------------------

-- Claims up to p_limit due installments for one worker, each with a lease of
-- p_lease_seconds. p_today: the date that counts as today for every creditor (tests, `npm
-- run jobs -- --today`); null: today in each creditor's zone. Leases always run on the real
-- clock. Returns the charges to make:
-- [{payment_id, installment_id, attempt, claims, idempotency_key, amount_minor, currency,
--   account_id, stripe_customer_id, stripe_payment_method_id, method_type, creditor_name}].
create function api.claim_due_installments(p_worker text, p_limit integer, p_lease_seconds integer, p_today date default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_candidate record;
  v_payment_id uuid;
  v_attempt integer;
  v_amount bigint;
  v_claimed jsonb := '[]'::jsonb;
  v_claims integer;
begin
  if p_worker is null or p_worker !~ '^[A-Za-z0-9_.:-]{1,100}$'
     or p_limit is null or p_limit not between 1 and 1000
     or p_lease_seconds is null or p_lease_seconds not between 10 and 3600 then
    raise exception 'malformed claim'
      using errcode = 'PT422', hint = 'invalid_claim';
  end if;

  for v_candidate in
    select i.id as installment_id,
           i.amount_minor - i.paid_minor as amount_minor,
           a.id as account_id,
           a.borrower_id,
           a.currency,
           c.name as creditor_name,
           coalesce(p_today, (now() at time zone c.time_zone)::date) as today,
           pa.id as authorization_id,
           pa.stripe_customer_id,
           pa.stripe_payment_method_id,
           pa.method_type,
           last.payment_id as last_payment_id,
           last.attempt as last_attempt,
           last.pay_status as last_status,
           last.lease_expires_at as last_lease
      from app.installments as i
      join app.arrangements as r on r.id = i.arrangement_id and r.status = 'active'
      join app.accounts as a on a.id = r.account_id and a.status = 'open'
      join app.creditors as c on c.id = a.creditor_id
      join app.payment_authorizations as pa on pa.arrangement_id = r.id and pa.status = 'active'
      left join lateral (
        select ch.payment_id, ch.attempt, ch.lease_expires_at, p.status as pay_status, p.failure_code
          from app.automatic_charges as ch
          join app.payments as p on p.id = ch.payment_id
         where ch.installment_id = i.id
         order by ch.attempt desc
         limit 1
      ) as last on true
     where i.status in ('scheduled', 'missed')
       and i.paid_minor < i.amount_minor
       and i.due_on <= coalesce(p_today, (now() at time zone c.time_zone)::date)
       and not app.collection_paused(a.id, now())
       and (
         last.payment_id is null
         -- A worker died mid-charge: take it over with the same idempotency key.
         or (last.pay_status = 'created' and last.lease_expires_at <= now())
         -- Declined: try again on the schedule, unless the bank wants the borrower.
         or (last.pay_status in ('failed', 'cancelled')
             and last.attempt < 3
             and last.failure_code is distinct from 'authentication_required'
             and coalesce(p_today, (now() at time zone c.time_zone)::date) >= (
                   select ch1.charged_on from app.automatic_charges as ch1
                    where ch1.installment_id = i.id and ch1.attempt = 1
                 ) + app.automatic_retry_days(last.attempt + 1))
       )
       -- A payment by hand that is open (Checkout not yet expired) or a bank debit on its way.
       and not exists (
         select 1 from app.payments as m
          where m.installment_id = i.id
            and m.origin = 'checkout'
            and (m.status = 'processing' or (m.status = 'created' and m.created_at > now() - interval '24 hours'))
       )
     order by i.due_on, i.id
     -- More candidates than the batch: one that another sweep claimed and committed after
     -- this statement's snapshot is locked without a recheck of the charges (they are
     -- another table), and its insert below finds the conflict. Such losses are skipped;
     -- the loop stops at p_limit claims, so rows past that are never fetched or locked.
     limit p_limit * 4
     -- The account too, and skipped when someone holds it: api.record_automatic_charge and
     -- api.record_stripe_event lock the account first, then write the installment. Were the
     -- claim to wait for the account (its inserts need a key-share lock on it) while holding
     -- an installment that such a call is about to update, the two would deadlock.
       for no key update of a skip locked
       for update of i skip locked
  loop
    exit when jsonb_array_length(v_claimed) >= p_limit;
    if v_candidate.last_payment_id is not null and v_candidate.last_status = 'created' then
      -- Take over an expired lease: the UPDATE re-reads the newest row, so of two sweeps
      -- racing for it only one wins. Same payment, same attempt, same idempotency key.
      update app.automatic_charges as ch
         set lease_expires_at = now() + make_interval(secs => p_lease_seconds),
             claims = ch.claims + 1,
             claimed_at = now()
       where ch.payment_id = v_candidate.last_payment_id
         and ch.lease_expires_at <= now()
      returning ch.claims into v_claims;
      continue when not found;
      v_payment_id := v_candidate.last_payment_id;
      v_attempt := v_candidate.last_attempt;
      select p.amount_minor into strict v_amount from app.payments as p where p.id = v_payment_id;
      insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
      values ('system', 'automatic_charge.reclaimed', 'payment', v_payment_id, v_candidate.account_id, 'lease_expired',
              jsonb_build_object('installment_id', v_candidate.installment_id, 'attempt', v_attempt, 'claims', v_claims));
    else
      -- A new attempt. (installment, attempt) is unique: a sweep that lost the race to
      -- another one inserts nothing and moves on.
      v_attempt := coalesce(v_candidate.last_attempt, 0) + 1;
      v_payment_id := gen_random_uuid();
      v_amount := v_candidate.amount_minor;
      v_claims := 1;
      insert into app.automatic_charges (payment_id, installment_id, attempt, authorization_id, lease_expires_at, charged_on)
      values (v_payment_id, v_candidate.installment_id, v_attempt, v_candidate.authorization_id,
              now() + make_interval(secs => p_lease_seconds), v_candidate.today)
      on conflict (installment_id, attempt) do nothing;
      continue when not found;
      insert into app.payments (id, account_id, borrower_id, installment_id, amount_minor, currency, purpose, origin)
      values (v_payment_id, v_candidate.account_id, v_candidate.borrower_id, v_candidate.installment_id, v_amount,
              v_candidate.currency, 'installment', 'automatic');
      insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
      values ('system', 'automatic_charge.claimed', 'payment', v_payment_id, v_candidate.account_id, 'installment_due',
              jsonb_build_object('installment_id', v_candidate.installment_id, 'attempt', v_attempt,
                                 'amount_minor', v_amount, 'currency', v_candidate.currency,
                                 'authorization_id', v_candidate.authorization_id));
    end if;

    v_claimed := v_claimed || jsonb_build_array(jsonb_build_object(
      'payment_id', v_payment_id,
      'installment_id', v_candidate.installment_id,
      'attempt', v_attempt,
      'claims', v_claims,
      'idempotency_key', 'charge/' || v_candidate.installment_id || '/' || v_attempt,
      'amount_minor', v_amount,
      'currency', v_candidate.currency,
      'account_id', v_candidate.account_id,
      'stripe_customer_id', v_candidate.stripe_customer_id,
      'stripe_payment_method_id', v_candidate.stripe_payment_method_id,
      'method_type', v_candidate.method_type,
      'creditor_name', v_candidate.creditor_name
    ));
  end loop;
  return v_claimed;
end;
$$;

comment on function api.claim_due_installments(text, integer, integer, date) is
  'The sweep''s claim: up to p_limit due installments of active plans with an active authorization, not paused, no payment by hand open, no attempt in flight; a new attempt (payment origin automatic + app.automatic_charges with a lease of p_lease_seconds) or an expired lease taken over. FOR UPDATE SKIP LOCKED; (installment, attempt) unique. p_today sets today (tests, jobs --today). [{payment_id, installment_id, attempt, claims, idempotency_key, amount_minor, currency, account_id, stripe_customer_id, stripe_payment_method_id, method_type, creditor_name}]. PT422 invalid_claim.';

-- What Stripe answered for one claimed charge. p_outcome: {status: succeeded | processing |
-- failed, payment_intent_id, amount_received (succeeded), failure_code (failed: Stripe's
-- decline code or error code)}. Returns {outcome: applied | ignored, payment_status,
-- next_attempt_on (a decline that will be tried again), at_risk (no more attempts),
-- arrangement_completed}.
create function api.record_automatic_charge(p_payment_id uuid, p_outcome jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status text;
  v_intent_id text;
  v_amount bigint;
  v_failure_code text;
  v_account app.accounts%rowtype;
  v_payment app.payments%rowtype;
  v_charge app.automatic_charges%rowtype;
  v_outcome text := 'applied';
  v_first_failed date;
  v_next date;
  v_completed boolean := false;
  v_at_risk boolean := false;
begin
  v_status := app.jsonb_text_matching(p_outcome, 'status', '^(succeeded|processing|failed)$');
  v_intent_id := app.jsonb_text_matching(p_outcome, 'payment_intent_id', '^[A-Za-z0-9_]{1,255}$');
  v_failure_code := app.jsonb_text_matching(p_outcome, 'failure_code', '^[a-z][a-z0-9_.]{0,62}$');
  if app.jsonb_is_integer_between(p_outcome -> 'amount_received', 1, 999999999999) then
    v_amount := (p_outcome -> 'amount_received')::numeric::bigint;
  end if;
  if v_status is null or (v_status <> 'failed' and v_intent_id is null) or (v_status = 'succeeded' and v_amount is null) then
    raise exception 'malformed charge outcome'
      using errcode = 'PT422', hint = 'invalid_outcome';
  end if;

  -- Lock order everywhere: the account, then the payment.
  select a.* into v_account
    from app.accounts as a
    join app.payments as p on p.account_id = a.id
   where p.id = p_payment_id and p.origin = 'automatic'
     for update of a;
  if not found then
    raise exception 'payment not found'
      using errcode = 'PT404', hint = 'payment_not_found';
  end if;
  select p.* into strict v_payment from app.payments as p where p.id = p_payment_id for update;
  select ch.* into strict v_charge from app.automatic_charges as ch where ch.payment_id = p_payment_id for update;

  update app.automatic_charges as ch
     set lease_expires_at = null, recorded_at = coalesce(ch.recorded_at, now())
   where ch.payment_id = p_payment_id;
  if v_intent_id is not null and v_payment.stripe_payment_intent_id is null then
    update app.payments as p set stripe_payment_intent_id = v_intent_id, updated_at = now()
     where p.id = p_payment_id
       and not exists (select 1 from app.payments as o where o.stripe_payment_intent_id = v_intent_id);
    v_payment.stripe_payment_intent_id := v_intent_id;
  end if;

  if v_status = 'succeeded' then
    if v_payment.status in ('created', 'processing', 'failed') then
      if v_account.status <> 'open' then
        update app.payments as p set status = 'succeeded', succeeded_at = now(), updated_at = now(), failure_code = null
         where p.id = p_payment_id;
        perform app.hold_in_suspense(v_intent_id, v_amount, v_account.currency, 'account_not_open', p_payment_id,
                                     v_account.id, jsonb_build_object('id', v_intent_id, 'amount_received', v_amount,
                                                                      'metadata', jsonb_build_object('payment_id', p_payment_id)));
      else
        perform app.post_payment(v_payment, v_amount, v_intent_id, null, 'automatic_charge');
        select r.status = 'completed' into v_completed
          from app.installments as i join app.arrangements as r on r.id = i.arrangement_id
         where i.id = v_charge.installment_id;
      end if;
    else
      v_outcome := 'ignored';
    end if;

  elsif v_status = 'processing' then
    if v_payment.status = 'created' then
      update app.payments as p set status = 'processing', updated_at = now() where p.id = p_payment_id;
    else
      v_outcome := 'ignored';
    end if;

  else
    if v_payment.status in ('created', 'processing') then
      update app.payments as p
         set status = 'failed', failure_code = coalesce(v_failure_code, 'payment_failed'), updated_at = now()
       where p.id = p_payment_id;
      insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
      values ('system', 'payment.failed', 'payment', p_payment_id, v_account.id, coalesce(v_failure_code, 'payment_failed'),
              jsonb_build_object('origin', 'automatic', 'attempt', v_charge.attempt, 'installment_id', v_charge.installment_id,
                                 'amount_minor', v_payment.amount_minor, 'currency', v_payment.currency));
    else
      v_outcome := 'ignored';
    end if;
  end if;

  select p.* into strict v_payment from app.payments as p where p.id = p_payment_id;
  if v_payment.status = 'failed' then
    if v_charge.attempt < 3 and v_payment.failure_code is distinct from 'authentication_required' then
      select ch1.charged_on into v_first_failed
        from app.automatic_charges as ch1
       where ch1.installment_id = v_charge.installment_id and ch1.attempt = 1;
      v_next := v_first_failed + app.automatic_retry_days(v_charge.attempt + 1);
    else
      -- No more automatic attempts for this installment: it needs the borrower.
      v_at_risk := true;
    end if;
  end if;

  return jsonb_build_object(
    'outcome', v_outcome,
    'payment_status', v_payment.status,
    'failure_code', v_payment.failure_code,
    'next_attempt_on', v_next,
    'at_risk', v_at_risk,
    'arrangement_completed', v_completed
  );
end;
$$;

comment on function api.record_automatic_charge(uuid, jsonb) is
  'Records what Stripe answered for a claimed automatic charge: succeeded posts the ledger entry (once, shared with the webhook), processing waits for the webhook, failed records the decline. Ends the lease. {outcome: applied | ignored, payment_status, failure_code, next_attempt_on, at_risk, arrangement_completed}. PT404 payment_not_found (not an automatic payment); PT422 invalid_outcome.';

-- How automatic payments stand on one account, for the borrower's pages: the active
-- authorization (if any) and, per unpaid installment with attempts, its state.
--   in_flight        a charge is being made or a bank debit is on its way
--   retrying         declined; next_attempt_on is when we try again
--   needs_you        no more automatic attempts (three declines): pay it yourself
--   confirm          the bank asked the borrower to confirm: pay it yourself
create function api.account_automatic_payments(p_borrower_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_authorization jsonb;
  v_installments jsonb;
  v_at_risk timestamptz;
begin
  if not exists (select 1 from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id) then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;

  select jsonb_build_object('id', pa.id, 'arrangement_id', pa.arrangement_id, 'method_type', pa.method_type,
                            'method_label', pa.method_label, 'method_last4', pa.method_last4, 'activated_at', pa.activated_at),
         r.at_risk_since
    into v_authorization, v_at_risk
    from app.payment_authorizations as pa
    join app.arrangements as r on r.id = pa.arrangement_id
   where pa.account_id = p_account_id and pa.borrower_id = p_borrower_id and pa.status = 'active'
     and r.status = 'active';

  select coalesce(jsonb_agg(x.state order by x.seq), '[]'::jsonb) into v_installments
    from (
      select i.seq, jsonb_build_object(
               'installment_id', i.id,
               'attempt', last.attempt,
               'state', case
                 when last.status in ('created', 'processing') then 'in_flight'
                 when last.failure_code = 'authentication_required' then 'confirm'
                 when last.attempt >= 3 then 'needs_you'
                 else 'retrying' end,
               'next_attempt_on', case
                 when last.status in ('failed', 'cancelled') and last.attempt < 3 and last.failure_code is distinct from 'authentication_required'
                 then (select ch1.charged_on from app.automatic_charges as ch1
                        where ch1.installment_id = i.id and ch1.attempt = 1) + app.automatic_retry_days(last.attempt + 1)
               end
             ) as state
        from app.installments as i
        join app.arrangements as r on r.id = i.arrangement_id
        join lateral (
          select ch.attempt, p.status, p.failure_code
            from app.automatic_charges as ch join app.payments as p on p.id = ch.payment_id
           where ch.installment_id = i.id
           order by ch.attempt desc
           limit 1
        ) as last on true
       where r.account_id = p_account_id
         and r.status in ('active', 'pending_review')
         and i.status in ('scheduled', 'missed')
         and last.status <> 'succeeded'
    ) as x;

  return jsonb_build_object('authorization', v_authorization, 'at_risk_since', v_at_risk, 'installments', v_installments);
end;
$$;

comment on function api.account_automatic_payments(uuid, uuid) is
  'Automatic payments on one of the borrower''s accounts: {authorization: null | {id, arrangement_id, method_type, method_label, method_last4, activated_at}, at_risk_since, installments: [{installment_id, attempt, state: in_flight | retrying | needs_you | confirm, next_attempt_on}]} (unpaid installments with attempts only). PT404 account_not_found.';

-- What to tell the borrower about one automatic payment, and what the sweep and the
-- webhook need to say it: null when the payment is not automatic.
create function api.automatic_payment_notice(p_payment_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
           'payment_id', p.id,
           'account_id', a.id,
           'arrangement_id', r.id,
           'status', p.status,
           'failure_code', p.failure_code,
           'attempt', ch.attempt,
           'amount_minor', p.amount_minor,
           'currency', p.currency,
           'due_on', i.due_on,
           'next_attempt_on', case
             when p.status = 'failed' and ch.attempt < 3 and p.failure_code is distinct from 'authentication_required'
             then (select ch1.charged_on from app.automatic_charges as ch1
                    where ch1.installment_id = i.id and ch1.attempt = 1) + app.automatic_retry_days(ch.attempt + 1)
           end,
           'reference_last4', right(a.reference, 4),
           'creditor', jsonb_build_object('name', c.name, 'region', c.region, 'support_phone', c.support_phone,
                                          'support_email', c.support_email),
           'borrower', jsonb_build_object('email', b.email, 'language', b.language)
         )
    from app.payments as p
    join app.automatic_charges as ch on ch.payment_id = p.id
    join app.installments as i on i.id = ch.installment_id
    join app.arrangements as r on r.id = i.arrangement_id
    join app.accounts as a on a.id = p.account_id
    join app.creditors as c on c.id = a.creditor_id
    join app.borrowers as b on b.id = a.borrower_id
   where p.id = p_payment_id;
$$;

comment on function api.automatic_payment_notice(uuid) is
  'The facts of one automatic payment the borrower is told about (status, failure code, attempt, amount, due date, next attempt date, account, creditor contact, borrower email and language), or null when it is not an automatic payment.';

-- A plan that was just paid off, for its confirmation: null unless the arrangement is
-- completed.
create function api.completed_arrangement_notice(p_arrangement_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
           'arrangement_id', r.id,
           'account_id', a.id,
           'total_paid_minor', (select coalesce(sum(i.paid_minor), 0) from app.installments as i where i.arrangement_id = r.id),
           'currency', r.currency,
           'last_payment_on', (r.ended_at at time zone c.time_zone)::date,
           'balance_minor', (select coalesce(sum(l.amount_minor), 0) from app.ledger_entries as l where l.account_id = a.id),
           'reference_last4', right(a.reference, 4),
           'creditor', jsonb_build_object('name', c.name, 'region', c.region, 'support_phone', c.support_phone,
                                          'support_email', c.support_email),
           'borrower', jsonb_build_object('email', b.email, 'language', b.language)
         )
    from app.arrangements as r
    join app.accounts as a on a.id = r.account_id
    join app.creditors as c on c.id = a.creditor_id
    join app.borrowers as b on b.id = a.borrower_id
   where r.id = p_arrangement_id
     and r.status = 'completed';
$$;

comment on function api.completed_arrangement_notice(uuid) is
  'The facts of a completed arrangement for its paid-off confirmation (total paid, last payment date, balance left, account, creditor contact, borrower email and language), or null when it is not completed.';

-- The arrangement a payment completed, if it did: for the paid-off confirmation after any
-- payment (by hand or automatic).
create function api.payment_completed_arrangement(p_payment_id uuid)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select r.id
    from app.payments as p
    join app.installments as i on i.id = p.installment_id
    join app.arrangements as r on r.id = i.arrangement_id
   where p.id = p_payment_id
     and p.status = 'succeeded'
     and r.status = 'completed';
$$;

comment on function api.payment_completed_arrangement(uuid) is
  'The completed arrangement whose installment this succeeded payment paid, or null.';

-- An authorization just activated, for its confirmation email: the exact words agreed, the
-- method, the installments still to pay; null unless it is active.
create function api.payment_authorization_notice(p_authorization_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
           'authorization_id', pa.id,
           'account_id', a.id,
           'method_type', pa.method_type,
           'method_label', pa.method_label,
           'method_last4', pa.method_last4,
           'terms_body', t.body,
           'currency', a.currency,
           'installments', (
             select coalesce(jsonb_agg(jsonb_build_object('due_on', i.due_on, 'amount_minor', i.amount_minor - i.paid_minor)
                                       order by i.seq), '[]'::jsonb)
               from app.installments as i
              where i.arrangement_id = pa.arrangement_id
                and i.status in ('scheduled', 'missed')
                and i.paid_minor < i.amount_minor
           ),
           'reference_last4', right(a.reference, 4),
           'creditor', jsonb_build_object('name', c.name, 'region', c.region, 'support_phone', c.support_phone,
                                          'support_email', c.support_email),
           'borrower', jsonb_build_object('email', b.email, 'language', b.language)
         )
    from app.payment_authorizations as pa
    join app.consents as k on k.id = pa.consent_id
    join app.consent_texts as t on t.id = k.text_id
    join app.accounts as a on a.id = pa.account_id
    join app.creditors as c on c.id = a.creditor_id
    join app.borrowers as b on b.id = a.borrower_id
   where pa.id = p_authorization_id
     and pa.status = 'active';
$$;

comment on function api.payment_authorization_notice(uuid) is
  'The facts of an active authorization for its confirmation email (the exact words agreed, the method, the installments still to pay, account, creditor contact, borrower email and language), or null when it is not active.';

-- ---------------------------------------------------------------------------------------
-- Grants: service_role alone.
-- ---------------------------------------------------------------------------------------

revoke execute on function api.borrower_stripe_customer(uuid) from public, anon, authenticated;
revoke execute on function api.save_stripe_customer(uuid, text) from public, anon, authenticated;
revoke execute on function api.start_payment_authorization(uuid, uuid, uuid, text, jsonb) from public, anon, authenticated;
revoke execute on function api.attach_setup_session(uuid, uuid, text) from public, anon, authenticated;
revoke execute on function api.record_setup_completed(text, text, jsonb) from public, anon, authenticated;
revoke execute on function api.borrower_payment_authorizations(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.revoke_payment_authorization(uuid, uuid, jsonb) from public, anon, authenticated;
revoke execute on function api.claim_due_installments(text, integer, integer, date) from public, anon, authenticated;
revoke execute on function api.record_automatic_charge(uuid, jsonb) from public, anon, authenticated;
revoke execute on function api.account_automatic_payments(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.automatic_payment_notice(uuid) from public, anon, authenticated;
revoke execute on function api.completed_arrangement_notice(uuid) from public, anon, authenticated;
revoke execute on function api.payment_completed_arrangement(uuid) from public, anon, authenticated;
revoke execute on function api.payment_authorization_notice(uuid) from public, anon, authenticated;

grant execute on function api.borrower_stripe_customer(uuid) to service_role;
grant execute on function api.save_stripe_customer(uuid, text) to service_role;
grant execute on function api.start_payment_authorization(uuid, uuid, uuid, text, jsonb) to service_role;
grant execute on function api.attach_setup_session(uuid, uuid, text) to service_role;
grant execute on function api.record_setup_completed(text, text, jsonb) to service_role;
grant execute on function api.borrower_payment_authorizations(uuid, uuid) to service_role;
grant execute on function api.revoke_payment_authorization(uuid, uuid, jsonb) to service_role;
grant execute on function api.claim_due_installments(text, integer, integer, date) to service_role;
grant execute on function api.record_automatic_charge(uuid, jsonb) to service_role;
grant execute on function api.account_automatic_payments(uuid, uuid) to service_role;
grant execute on function api.automatic_payment_notice(uuid) to service_role;
grant execute on function api.completed_arrangement_notice(uuid) to service_role;
grant execute on function api.payment_completed_arrangement(uuid) to service_role;
grant execute on function api.payment_authorization_notice(uuid) to service_role;
