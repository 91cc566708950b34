-- Foundation: roles, the private `app` schema (tables) and the exposed `api` schema
-- (functions only), then creditors, borrowers, accounts, the append-only ledger and audit
-- trail, staff, and the first two api functions: health() and account_balance().
--
-- Rules every later migration keeps (DESIGN §3, STYLE "SQL"):
-- * Tables live in `app`. No API role (anon, authenticated, service_role) gets any privilege
--   on `app`; RLS is enabled on every table with no policy, so a mistaken grant still reads
--   nothing.
-- * `api` holds functions only, each `security definer`, `set search_path = ''`, with fully
--   qualified names, execute revoked from public, anon and authenticated and granted to
--   service_role alone (splinter lints 0011, 0028, 0029).
-- * Money is bigint minor units (cents) with an ISO 4217 currency; never floats.
-- * Balances are derived by summing app.ledger_entries; nothing stores a balance.
-- * Runs unchanged on Supabase (PostgreSQL 15+), plain PostgreSQL 15 and PGlite (PostgreSQL 18).

-- ---------------------------------------------------------------------------------------
-- Roles. Supabase already has them; plain PostgreSQL and PGlite do not.
-- ---------------------------------------------------------------------------------------

do $$
declare
  v_role text;
begin
  foreach v_role in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_catalog.pg_roles where rolname = v_role) then
      begin
        execute format('create role %I nologin noinherit', v_role);
      exception
        -- Roles belong to the whole cluster: a migration of another database on the same
        -- server (parallel test databases) may have created it a moment ago.
        when duplicate_object or unique_violation then null;
      end;
    end if;
  end loop;
end;
$$;

-- ---------------------------------------------------------------------------------------
-- Schemas.
-- ---------------------------------------------------------------------------------------

create schema app;
comment on schema app is
  'Private tables. Never exposed over the Data API; reached only through api functions.';
revoke all on schema app from public, anon, authenticated, service_role;

create schema api;
comment on schema api is
  'The exposed schema: functions only, security definer, executable by service_role alone.';
revoke all on schema api from public, anon, authenticated;
-- PostgREST resolves functions as the request role, so service_role needs usage. anon and
-- authenticated get none: a request with the anon key fails at the schema (42501).
grant usage on schema api to service_role;

-- PostgreSQL grants EXECUTE on every new function to PUBLIC. Revoke it by default for
-- functions this role creates in these schemas; each api function also revokes explicitly.
alter default privileges in schema api revoke execute on functions from public;
alter default privileges in schema app revoke execute on functions from public;

-- ---------------------------------------------------------------------------------------
-- Validation helpers (pure, immutable; used by check constraints).
-- ---------------------------------------------------------------------------------------

-- True when v is a JSON number with no fractional part within [p_min, p_max]. Never raises.
create function app.jsonb_is_integer_between(v jsonb, p_min bigint, p_max bigint)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select case
    when v is null or jsonb_typeof(v) <> 'number' then false
    else v::numeric = trunc(v::numeric) and v::numeric between p_min and p_max
  end;
$$;

comment on function app.jsonb_is_integer_between(jsonb, bigint, bigint) is
  'True when the JSON value is an integer number between the bounds (inclusive).';

-- The creditor plan policy (DESIGN §5 item 4, issue 5 item 2). The same rules as
-- app/domain/plan-policy.ts (zod); keep the two in step. Keys are camelCase because the
-- document is read and written as JSON by TypeScript. Exactly these keys: a typo must fail,
-- not silently fall back to a default. Adding a key means a new migration that replaces
-- this function and updates every creditor row, plus the zod schema.
create function app.plan_policy_is_valid(p_policy jsonb)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  c_keys constant text[] := array[
    'minimumPaymentMinor',
    'longestPlanMonths',
    'autoApproveLongestPlanMonths',
    'latestFirstPaymentDays',
    'frequencies',
    'settlementMaxDiscountBps',
    'autoApproveSettlementDiscountBps',
    'freezeInterestAndFeesWhileArranged',
    'paymentAllocationOrder'
  ];
  v_keys text[];
  v_frequencies text[];
  v_order text[];
begin
  if p_policy is null or jsonb_typeof(p_policy) <> 'object' then
    return false;
  end if;

  -- Object keys are unique, so equal sets mean exactly these keys.
  select coalesce(array_agg(k), '{}')
    into v_keys
    from jsonb_object_keys(p_policy) as k;
  if not (v_keys @> c_keys and c_keys @> v_keys) then
    return false;
  end if;

  -- Smallest installment, in the creditor's currency: 1 cent to 100,000.00.
  if not app.jsonb_is_integer_between(p_policy -> 'minimumPaymentMinor', 1, 10000000) then
    return false;
  end if;
  -- The last payment of a plan falls within this many months of the day it is agreed.
  if not app.jsonb_is_integer_between(p_policy -> 'longestPlanMonths', 1, 120) then
    return false;
  end if;
  -- 0 means no plan is approved automatically.
  if not app.jsonb_is_integer_between(
    p_policy -> 'autoApproveLongestPlanMonths', 0, (p_policy -> 'longestPlanMonths')::numeric::bigint
  ) then
    return false;
  end if;
  if not app.jsonb_is_integer_between(p_policy -> 'latestFirstPaymentDays', 0, 365) then
    return false;
  end if;
  -- Basis points: 10000 = 100 %. A settlement can never forgive the whole balance.
  if not app.jsonb_is_integer_between(p_policy -> 'settlementMaxDiscountBps', 0, 9999) then
    return false;
  end if;
  if not app.jsonb_is_integer_between(
    p_policy -> 'autoApproveSettlementDiscountBps', 0, (p_policy -> 'settlementMaxDiscountBps')::numeric::bigint
  ) then
    return false;
  end if;
  if jsonb_typeof(p_policy -> 'freezeInterestAndFeesWhileArranged') <> 'boolean' then
    return false;
  end if;

  -- A non-empty set of the known frequencies, no repeats.
  if jsonb_typeof(p_policy -> 'frequencies') <> 'array'
     or jsonb_array_length(p_policy -> 'frequencies') = 0
     or exists (
       select 1
         from jsonb_array_elements(p_policy -> 'frequencies') as f
        where jsonb_typeof(f) <> 'string'
           or f #>> '{}' not in ('weekly', 'every_two_weeks', 'monthly')
     ) then
    return false;
  end if;
  select array_agg(distinct f) into v_frequencies
    from jsonb_array_elements_text(p_policy -> 'frequencies') as f;
  if cardinality(v_frequencies) <> jsonb_array_length(p_policy -> 'frequencies') then
    return false;
  end if;

  -- A permutation of the three balance components.
  if jsonb_typeof(p_policy -> 'paymentAllocationOrder') <> 'array'
     or jsonb_array_length(p_policy -> 'paymentAllocationOrder') <> 3
     or exists (
       select 1
         from jsonb_array_elements(p_policy -> 'paymentAllocationOrder') as c
        where jsonb_typeof(c) <> 'string'
     ) then
    return false;
  end if;
  select array_agg(distinct c) into v_order
    from jsonb_array_elements_text(p_policy -> 'paymentAllocationOrder') as c;
  if cardinality(v_order) <> 3
     or not (v_order @> array['fees', 'interest', 'principal']
             and array['fees', 'interest', 'principal'] @> v_order) then
    return false;
  end if;

  return true;
end;
$$;

comment on function app.plan_policy_is_valid(jsonb) is
  'True when the document is a complete, well-typed creditor plan policy within sane bounds. Mirrors app/domain/plan-policy.ts.';

-- Short text in each portal language: {"en": "...", "es": "..."}; English required.
create function app.localized_text_is_valid(p_text jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select case
    when p_text is null or jsonb_typeof(p_text) <> 'object' then false
    else p_text ? 'en'
      and not exists (
        select 1
          from jsonb_each(p_text) as e
         where e.key not in ('en', 'es')
            or jsonb_typeof(e.value) <> 'string'
            or length(btrim(e.value #>> '{}')) = 0
            or length(e.value #>> '{}') > 200
      )
  end;
$$;

comment on function app.localized_text_is_valid(jsonb) is
  'True when the document maps portal languages (en required, es optional) to short non-empty text.';

-- Audit metadata carries ids and codes only (see app.audit_events): a flat object whose
-- keys are codes and whose values are null, booleans, integers, UUIDs, codes, ISO 4217
-- currency codes or ISO dates. No strings a person typed can fit.
create function app.audit_metadata_is_valid(p_metadata jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select case
    when p_metadata is null or jsonb_typeof(p_metadata) <> 'object' then false
    else (select count(*) from jsonb_object_keys(p_metadata)) <= 20
      and not exists (
        select 1
          from jsonb_each(p_metadata) as e
         where e.key !~ '^[a-z][a-z0-9_]{0,62}$'
            or case jsonb_typeof(e.value)
                 when 'null' then false
                 when 'boolean' then false
                 when 'number' then not app.jsonb_is_integer_between(e.value, -1000000000000000, 1000000000000000)
                 when 'string' then (e.value #>> '{}') !~ (
                   '^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
                   || '|[a-z][a-z0-9_.]{0,62}'
                   || '|[A-Z]{3}'
                   || '|[0-9]{4}-[0-9]{2}-[0-9]{2})$'
                 )
                 else true
               end
      )
  end;
$$;

comment on function app.audit_metadata_is_valid(jsonb) is
  'True when audit metadata is a flat object of ids, codes, integers, booleans and dates only: never free text.';

-- ---------------------------------------------------------------------------------------
-- Time zones.
-- ---------------------------------------------------------------------------------------

-- Checking a name against pg_timezone_names directly costs about 40 ms per row (the view
-- reads the whole time zone directory on every call), which a 100,000-row placement import
-- cannot afford, and `at time zone` alone accepts POSIX strings such as 'Foo/Bar5'. So the
-- valid names are copied once from pg_timezone_names into this table and columns refer to
-- it. Only IANA "Area/Location" names and UTC are kept (no posix/ or right/ copies, no
-- abbreviations), which are the names JavaScript's Intl accepts too.
create table app.time_zones (
  name text primary key
);

comment on table app.time_zones is
  'IANA time zone names this server knows (copied from pg_timezone_names at migration time). Creditors and borrowers refer to it.';

insert into app.time_zones (name)
select tz.name
  from pg_catalog.pg_timezone_names as tz
 where tz.name = 'UTC'
    or (tz.name ~ '^[A-Z][A-Za-z_-]*/[A-Za-z0-9_+/-]+$' and tz.name !~ '^(posix|right|SystemV)/');

-- ---------------------------------------------------------------------------------------
-- Creditors.
-- ---------------------------------------------------------------------------------------

create table app.creditors (
  id uuid primary key default gen_random_uuid(),
  -- The name borrowers know, shown on every page.
  name text not null check (length(btrim(name)) between 1 and 120),
  legal_name text not null check (length(btrim(legal_name)) between 1 and 200),
  -- ISO 3166-1 alpha-2 country, optionally with an ISO 3166-2 subdivision: 'US', 'US-NY',
  -- 'GB-EAW'. Decides which rules and which free debt advice apply.
  jurisdiction text not null check (jurisdiction ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$'),
  -- Payment dates are calendar dates in this zone (DESIGN §1 item 4).
  time_zone text not null references app.time_zones (name),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  -- Region subtag for Intl: the borrower's language plus this, e.g. en-US, es-US.
  region text not null check (region ~ '^[A-Z]{2}$'),
  -- How to reach a person: E.164 phone, opening hours per language, optional email.
  support_phone text not null check (support_phone ~ '^\+[1-9][0-9]{6,14}$'),
  support_hours jsonb not null check (app.localized_text_is_valid(support_hours)),
  support_email text check (
    support_email = lower(support_email)
    and length(support_email) <= 254
    and support_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
  ),
  plan_policy jsonb not null check (app.plan_policy_is_valid(plan_policy)),
  created_at timestamptz not null default now()
);

comment on table app.creditors is
  'Lenders whose accounts Repay serves: identity, jurisdiction, time zone, currency, how borrowers reach a person, and the plan policy (validated JSON).';
comment on column app.creditors.plan_policy is
  'Plan policy JSON, validated by app.plan_policy_is_valid; the same shape as PlanPolicySchema in app/domain/plan-policy.ts.';

create index creditors_time_zone_idx on app.creditors (time_zone);

-- ---------------------------------------------------------------------------------------
-- Borrowers.
-- ---------------------------------------------------------------------------------------

create table app.borrowers (
  id uuid primary key default gen_random_uuid(),
  creditor_id uuid not null references app.creditors (id),
  full_name text not null check (length(btrim(full_name)) between 1 and 200),
  -- Contact details, both optional; stored normalized (lower-case email, E.164 phone) so a
  -- lookup by what a borrower types is an equality match.
  email text check (
    email = lower(email)
    and length(email) <= 254
    and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
  ),
  phone text check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  language text not null default 'en' check (language in ('en', 'es')),
  time_zone text not null references app.time_zones (name),
  -- The one fact a borrower confirms after opening a secure link (DESIGN §5 item 1).
  identity_check_kind text not null check (identity_check_kind in ('date_of_birth', 'postal_code')),
  date_of_birth date check (date_of_birth >= date '1900-01-01'),
  -- Upper case, no surrounding spaces: '94110', 'SW1A 1AA'.
  postal_code text check (postal_code ~ '^[A-Z0-9][A-Z0-9 -]{1,14}[A-Z0-9]$'),
  created_at timestamptz not null default now(),
  check (
    (identity_check_kind = 'date_of_birth' and date_of_birth is not null)
    or (identity_check_kind = 'postal_code' and postal_code is not null)
  ),
  -- Lets accounts require that their borrower belongs to the same creditor.
  unique (id, creditor_id)
);

comment on table app.borrowers is
  'People who owe a creditor: name, optional contact details, language, time zone and the one fact on file used to confirm who they are.';

create index borrowers_creditor_id_idx on app.borrowers (creditor_id);
create index borrowers_time_zone_idx on app.borrowers (time_zone);
create index borrowers_email_idx on app.borrowers (email) where email is not null;

-- ---------------------------------------------------------------------------------------
-- Accounts (the agreement).
-- ---------------------------------------------------------------------------------------

create table app.accounts (
  id uuid primary key default gen_random_uuid(),
  creditor_id uuid not null references app.creditors (id),
  borrower_id uuid not null,
  -- The creditor's reference, printed on its letters.
  reference text not null check (reference ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
  -- A product code ('personal_loan', 'credit_card'); the portal words it per language.
  product text not null check (product ~ '^[a-z][a-z0-9_]{0,62}$'),
  -- Where the debt started, when different from the creditor (a sold debt).
  original_creditor text check (length(btrim(original_creditor)) between 1 and 200),
  opened_on date not null,
  -- The oldest payment still missed; null when the account is current. Days past due are
  -- today (in the creditor's time zone) minus this date.
  first_missed_payment_on date,
  charged_off_on date,
  original_amount_minor bigint not null check (original_amount_minor > 0 and original_amount_minor < 1000000000000),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  -- Contract annual rate in basis points (2499 = 24.99 %); null when none applies.
  interest_rate_bps integer check (interest_rate_bps between 0 and 100000),
  -- The date the borrower's itemization starts from (the CFPB's Regulation F term): the
  -- overview shows what was owed then, and every ledger entry since.
  itemization_date date not null,
  status text not null default 'open' check (status in ('open', 'paid', 'closed')),
  created_at timestamptz not null default now(),
  check (first_missed_payment_on >= opened_on),
  check (charged_off_on >= opened_on),
  check (itemization_date >= opened_on),
  unique (creditor_id, reference),
  -- Lets ledger entries require the account's currency.
  unique (id, currency),
  foreign key (borrower_id, creditor_id) references app.borrowers (id, creditor_id)
);

comment on table app.accounts is
  'Agreements between a borrower and a creditor: reference, product, original amount, dates, rate, itemization date and status. Balances come from app.ledger_entries.';

-- (creditor_id, reference) is indexed by its unique constraint.
create index accounts_borrower_id_creditor_id_idx on app.accounts (borrower_id, creditor_id);

-- ---------------------------------------------------------------------------------------
-- Append-only enforcement.
-- ---------------------------------------------------------------------------------------

create function app.refuse_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception '%.% is append-only: % is not allowed', tg_table_schema, tg_table_name, tg_op
    using errcode = '55000',
          hint = 'Record a new row that corrects or reverses the earlier one.';
end;
$$;

comment on function app.refuse_change() is
  'Statement trigger for append-only tables: refuses UPDATE, DELETE and TRUNCATE (SQLSTATE 55000), even for the table owner.';

-- ---------------------------------------------------------------------------------------
-- Ledger.
-- ---------------------------------------------------------------------------------------

create table app.ledger_entries (
  id uuid primary key default gen_random_uuid(),
  -- Order of posting; ties on effective_on are broken by it.
  entry_no bigint generated always as identity unique,
  account_id uuid not null,
  kind text not null check (
    kind in ('principal', 'interest', 'fee', 'payment', 'credit', 'adjustment', 'refund', 'chargeback')
  ),
  -- Signed changes to each part of the balance, in minor units. A payment is negative,
  -- split across the parts in the creditor's allocation order.
  principal_minor bigint not null default 0 check (abs(principal_minor) < 1000000000000),
  interest_minor bigint not null default 0 check (abs(interest_minor) < 1000000000000),
  fees_minor bigint not null default 0 check (abs(fees_minor) < 1000000000000),
  amount_minor bigint not null,
  currency char(3) not null,
  -- The calendar day the entry counts from, in the creditor's time zone.
  effective_on date not null,
  -- The outside id that caused this entry (a Stripe PaymentIntent, refund or dispute id, a
  -- lender's transaction id). Unique, so a replayed event cannot post twice.
  external_ref text unique check (external_ref ~ '^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,254}$'),
  reason_code text check (reason_code ~ '^[a-z][a-z0-9_.]{0,62}$'),
  created_at timestamptz not null default now(),
  check (amount_minor = principal_minor + interest_minor + fees_minor),
  check (amount_minor <> 0 or kind = 'adjustment'),
  check (principal_minor <> 0 or interest_minor <> 0 or fees_minor <> 0),
  -- What each kind may do to the balance.
  check (
    case kind
      when 'principal' then principal_minor > 0 and interest_minor = 0 and fees_minor = 0
      when 'interest' then interest_minor > 0 and principal_minor = 0 and fees_minor = 0
      when 'fee' then fees_minor > 0 and principal_minor = 0 and interest_minor = 0
      when 'payment' then principal_minor <= 0 and interest_minor <= 0 and fees_minor <= 0
      when 'credit' then principal_minor <= 0 and interest_minor <= 0 and fees_minor <= 0
      when 'refund' then principal_minor >= 0 and interest_minor >= 0 and fees_minor >= 0
      when 'chargeback' then principal_minor >= 0 and interest_minor >= 0 and fees_minor >= 0
      else true
    end
  ),
  foreign key (account_id, currency) references app.accounts (id, currency)
);

comment on table app.ledger_entries is
  'Append-only money movements per account, as signed principal/interest/fee deltas in minor units. Balances are sums of these rows; mistakes are corrected by new entries (adjustment, credit), never by UPDATE or DELETE.';
comment on column app.ledger_entries.amount_minor is
  'principal_minor + interest_minor + fees_minor (checked). Positive raises the balance, negative lowers it.';

create index ledger_entries_account_idx on app.ledger_entries (account_id, currency, effective_on, entry_no);

create trigger ledger_entries_append_only
  before update or delete or truncate on app.ledger_entries
  for each statement execute function app.refuse_change();

-- ---------------------------------------------------------------------------------------
-- Audit events.
-- ---------------------------------------------------------------------------------------

-- Ids, codes and times only. A borrower may ask us to erase what they told us, and health
-- or vulnerability details are special-category data (GDPR art. 9) held only with explicit
-- consent and deleted when it is withdrawn; an append-only table cannot forget, so nothing
-- a person typed and no such detail ever goes here: only that something happened, to what,
-- by whom, and why (as a reason code). Free text lives in the records it belongs to, which
-- can be erased. No foreign keys either: the trail must outlive erasure of what it mentions.
create table app.audit_events (
  id uuid primary key default gen_random_uuid(),
  -- Order of recording; several events of one transaction share occurred_at.
  event_no bigint generated always as identity unique,
  occurred_at timestamptz not null default now(),
  actor_kind text not null check (actor_kind in ('borrower', 'staff', 'system')),
  actor_id uuid,
  -- What happened, as a dotted code: 'session.signed_in', 'plan.approved'.
  action text not null check (action ~ '^[a-z][a-z0-9_.]{0,99}$'),
  -- What it happened to: 'account', 'plan', 'access_link', ...
  subject_kind text check (subject_kind ~ '^[a-z][a-z0-9_]{0,62}$'),
  subject_id uuid,
  account_id uuid,
  reason_code text check (reason_code ~ '^[a-z][a-z0-9_.]{0,62}$'),
  -- Extra ids, codes, integers and dates only (checked): never free text.
  metadata jsonb not null default '{}'::jsonb check (app.audit_metadata_is_valid(metadata)),
  check (actor_kind <> 'staff' or actor_id is not null),
  check ((subject_kind is null) = (subject_id is null))
);

comment on table app.audit_events is
  'Append-only record of who did what, to what, when and why, as ids and reason codes only: never free text or health details, because those must stay erasable.';

create index audit_events_account_idx on app.audit_events (account_id, occurred_at, event_no) where account_id is not null;
create index audit_events_subject_idx on app.audit_events (subject_kind, subject_id) where subject_id is not null;
create index audit_events_actor_idx on app.audit_events (actor_kind, actor_id, occurred_at) where actor_id is not null;

create trigger audit_events_append_only
  before update or delete or truncate on app.audit_events
  for each statement execute function app.refuse_change();

-- ---------------------------------------------------------------------------------------
-- Staff.
-- ---------------------------------------------------------------------------------------

create table app.staff (
  id uuid primary key default gen_random_uuid(),
  -- Stored lower-case, so sign-in by email is an equality match.
  email text not null unique check (
    email = lower(email)
    and length(email) <= 254
    and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
  ),
  full_name text not null check (length(btrim(full_name)) between 1 and 200),
  role text not null check (role in ('agent', 'supervisor', 'admin')),
  -- The largest balance (or discount) this person may approve, in minor units; above it a
  -- decision goes to a supervisor (four eyes).
  approval_limit_minor bigint not null check (approval_limit_minor between 0 and 1000000000000),
  active boolean not null default true,
  created_at timestamptz not null default now()
);

comment on table app.staff is
  'Operations staff who sign in to /ops: role (agent, supervisor, admin), approval limit in minor units, and whether they may still sign in.';

-- ---------------------------------------------------------------------------------------
-- Row level security: on everywhere, no policies (deny all to API roles).
-- ---------------------------------------------------------------------------------------

alter table app.time_zones enable row level security;
alter table app.creditors enable row level security;
alter table app.borrowers enable row level security;
alter table app.accounts enable row level security;
alter table app.ledger_entries enable row level security;
alter table app.audit_events enable row level security;
alter table app.staff enable row level security;

-- Some platforms add default grants for API roles; take back whatever arrived.
revoke all on all tables in schema app from public, anon, authenticated, service_role;
revoke all on all sequences in schema app from public, anon, authenticated, service_role;
revoke all on all functions in schema app from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- api.health(): the applied migrations, for /healthz.
-- ---------------------------------------------------------------------------------------

-- supabase_migrations.schema_migrations is created by the migration runner (or the Supabase
-- CLI), not by this file: it may be missing, so it is found with to_regclass and read with
-- dynamic SQL (which also keeps plpgsql_check from resolving it at lint time).
create function api.health()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_history regclass := to_regclass('supabase_migrations.schema_migrations');
  v_versions jsonb;
begin
  if v_history is null then
    return jsonb_build_object('migrations', '[]'::jsonb);
  end if;
  execute format(
    'select coalesce(jsonb_agg(m.version::text order by m.version), ''[]''::jsonb) from %s as m',
    v_history
  ) into v_versions;
  return jsonb_build_object('migrations', v_versions);
end;
$$;

comment on function api.health() is
  'Applied migration versions, oldest first: {"migrations": ["20261127000100", ...]}.';

revoke execute on function api.health() from public, anon, authenticated;
grant execute on function api.health() to service_role;

-- ---------------------------------------------------------------------------------------
-- api.account_balance(): what an account owes, derived from its ledger.
-- ---------------------------------------------------------------------------------------

-- Raises PT404 (PostgREST answers HTTP 404) for an unknown account.
create function api.account_balance(p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_currency app.accounts.currency%type;
  v_result jsonb;
begin
  select a.currency
    into v_currency
    from app.accounts as a
   where a.id = p_account_id;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;

  select jsonb_build_object(
           'principal_minor', coalesce(sum(l.principal_minor), 0)::bigint,
           'interest_minor', coalesce(sum(l.interest_minor), 0)::bigint,
           'fees_minor', coalesce(sum(l.fees_minor), 0)::bigint,
           'total_minor', coalesce(sum(l.amount_minor), 0)::bigint,
           'currency', v_currency
         )
    into v_result
    from app.ledger_entries as l
   where l.account_id = p_account_id;

  return v_result;
end;
$$;

comment on function api.account_balance(uuid) is
  'What an account owes now, from its ledger: {principal_minor, interest_minor, fees_minor, total_minor, currency}. PT404 when the account does not exist.';

revoke execute on function api.account_balance(uuid) from public, anon, authenticated;
grant execute on function api.account_balance(uuid) to service_role;
