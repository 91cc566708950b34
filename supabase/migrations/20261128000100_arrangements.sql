-- Arrangements (issue 5; ADR 004, docs/decisions/004-arrangements.md): a borrower agrees a
-- payment plan, a settlement or a promise to pay, with the exact words they agreed to; moves
-- one upcoming payment; or cancels. One live (pending_review or active) arrangement per
-- account, kept true by a partial unique index, not by the app.
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): tables in `app` with RLS on
-- and no grants; `api` functions security definer, empty search_path, fully qualified names,
-- executable by service_role alone; money in bigint minor units; audit events hold ids,
-- codes, integers and dates only (never the consent text, an IP or a user agent).
--
-- The server decides, the database re-checks (ADR 004): the route builds the schedule and
-- the policy verdict with app/domain and calls api.agree_arrangement once; the function
-- re-checks what money depends on and writes the arrangement, its installments, the consent
-- (and its text, stored once per SHA-256) and the audit event in one transaction.
--
-- Errors (PostgREST answers the PT### codes with that HTTP status; the hint is the machine
-- reason the app maps):
--   PT404 account_not_found, installment_not_found, arrangement_not_found
--   PT409 account_not_open, arrangement_exists, balance_changed, not_active,
--         move_not_allowed, not_live
--   PT422 invalid_arrangement, total_mismatch, consent_hash_mismatch, invalid_consent,
--         invalid_move
--
-- Also: the plan policy gains an optional key, movePaymentMaxDays (integer 0..31, default
-- 14; 0 = moving a payment is not allowed). Optional, so policies stored before this
-- migration stay valid and read as 14; app/domain/plan-policy.ts applies the same default.

-- ---------------------------------------------------------------------------------------
-- Plan policy: movePaymentMaxDays.
-- ---------------------------------------------------------------------------------------

-- The same rules as before, plus the optional movePaymentMaxDays. Unknown keys are still
-- refused. Replacing the function keeps its privileges (none for API roles) and the check
-- constraint on app.creditors.plan_policy that uses it.
create or replace function app.plan_policy_is_valid(p_policy jsonb)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  c_required constant text[] := array[
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
  -- Keys with a default (app/domain/plan-policy.ts): absent means the default.
  c_optional constant text[] := array['movePaymentMaxDays'];
  v_keys text[];
  v_frequencies text[];
  v_order text[];
begin
  if p_policy is null or jsonb_typeof(p_policy) <> 'object' then
    return false;
  end if;

  -- Object keys are unique: every required key, and nothing but known keys.
  select coalesce(array_agg(k), '{}')
    into v_keys
    from jsonb_object_keys(p_policy) as k;
  if not (v_keys @> c_required and (c_required || c_optional) @> v_keys) then
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
  -- How many days one upcoming installment may be moved later; 0: never. Optional (14).
  if p_policy ? 'movePaymentMaxDays'
     and not app.jsonb_is_integer_between(p_policy -> 'movePaymentMaxDays', 0, 31) then
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
  'True when the document is a complete, well-typed creditor plan policy within sane bounds (movePaymentMaxDays optional, default 14). Mirrors app/domain/plan-policy.ts.';

-- movePaymentMaxDays with its default, for a policy already known to be valid.
create function app.plan_policy_move_payment_max_days(p_policy jsonb)
returns integer
language sql
immutable
set search_path = ''
as $$
  select coalesce((p_policy -> 'movePaymentMaxDays')::numeric::integer, 14);
$$;

comment on function app.plan_policy_move_payment_max_days(jsonb) is
  'How many days one upcoming installment may be moved later under this policy: movePaymentMaxDays, or 14 when the key is absent. 0 means never.';

-- ---------------------------------------------------------------------------------------
-- Helpers.
-- ---------------------------------------------------------------------------------------

-- A "YYYY-MM-DD" calendar date, or null for anything else (including 2026-02-30).
create function app.iso_date_or_null(p_value text)
returns date
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_value is null or p_value !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then
    return null;
  end if;
  return p_value::date;
exception
  when datetime_field_overflow or invalid_datetime_format then
    return null;
end;
$$;

comment on function app.iso_date_or_null(text) is
  'The date written as YYYY-MM-DD, or null when the text is not exactly that or not a real date. Never raises.';

-- Rule codes as app/domain/plan-policy-check.ts names them: few, lower-case, no nulls.
create function app.rule_codes_are_valid(p_codes text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select p_codes is not null
    and cardinality(p_codes) <= 20
    and array_position(p_codes, null) is null
    and not exists (select 1 from unnest(p_codes) as c where c !~ '^[a-z][a-z0-9_]{0,62}$');
$$;

comment on function app.rule_codes_are_valid(text[]) is
  'True when the array holds at most 20 rule codes (lower-case snake_case), no nulls.';

-- ---------------------------------------------------------------------------------------
-- Consent texts and consents (DESIGN §3: who, what kind, granted or withdrawn, the exact
-- text version shown (id + hash), language, time, IP and user agent).
-- ---------------------------------------------------------------------------------------

create table app.consent_texts (
  id uuid primary key default gen_random_uuid(),
  -- The consent kind it was first stored for (a text is stored once per hash).
  kind text not null check (
    kind in ('plan_agreement', 'plan_change', 'recurring_payment_authorization',
             'e_communications', 'contact_preferences', 'health_data')
  ),
  -- The template the words were rendered from: 'plan-terms.v1'.
  version text not null check (length(version) <= 100 and version ~ '^[a-z][a-z0-9-]*\.v[0-9]+$'),
  language text not null check (language in ('en', 'es')),
  -- Exactly the words the borrower saw (the lines joined by \n), amounts and dates filled in.
  body text not null check (length(body) between 1 and 20000),
  -- SHA-256 of body as UTF-8, lower-case hex; the functions recompute it before storing.
  sha256 text not null unique check (sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  -- Lets app.consents copy version, hash and language and have them checked.
  unique (id, version, sha256, language)
);

comment on table app.consent_texts is
  'The exact words borrowers were shown when they consented, stored once per SHA-256 (of the UTF-8 body) with template version and language. Append-only: a consent must keep pointing at what was shown.';
comment on column app.consent_texts.sha256 is
  'encode(sha256(convert_to(body, ''UTF8'')), ''hex''): checked against body by the function that stores it.';

create trigger consent_texts_append_only
  before update or delete or truncate on app.consent_texts
  for each statement execute function app.refuse_change();

create table app.consents (
  id uuid primary key default gen_random_uuid(),
  borrower_id uuid not null references app.borrowers (id),
  -- The account it concerns, when it concerns one.
  account_id uuid references app.accounts (id),
  kind text not null check (
    kind in ('plan_agreement', 'plan_change', 'recurring_payment_authorization',
             'e_communications', 'contact_preferences', 'health_data')
  ),
  action text not null check (action in ('granted', 'withdrawn')),
  text_id uuid not null,
  -- Copies of the text's version, hash and language (checked by the foreign key), so a
  -- consent reads whole without a join.
  text_version text not null,
  text_sha256 text not null,
  language text not null,
  ip inet,
  user_agent text check (length(user_agent) <= 512),
  created_at timestamptz not null default now(),
  foreign key (text_id, text_version, text_sha256, language)
    references app.consent_texts (id, version, sha256, language)
);

comment on table app.consents is
  'Append-only record of consents given or withdrawn (DESIGN §3, §1 item 8): borrower, account, kind, action, the exact text shown (id, version, SHA-256, language), time, IP and user agent.';

create index consents_borrower_idx on app.consents (borrower_id, created_at);
create index consents_account_idx on app.consents (account_id, created_at) where account_id is not null;
create index consents_text_idx on app.consents (text_id, text_version, text_sha256, language);

create trigger consents_append_only
  before update or delete or truncate on app.consents
  for each statement execute function app.refuse_change();

-- ---------------------------------------------------------------------------------------
-- Arrangements and installments.
-- ---------------------------------------------------------------------------------------

create table app.arrangements (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null,
  borrower_id uuid not null,
  creditor_id uuid not null,
  kind text not null check (kind in ('plan', 'settlement', 'promise')),
  -- pending_review → active | declined; active → completed | cancelled | broken;
  -- pending_review → cancelled (the borrower withdraws the request).
  status text not null check (status in ('pending_review', 'active', 'declined', 'completed', 'cancelled', 'broken')),
  -- A plan's rhythm; null for a settlement or a promise.
  frequency text check (frequency in ('weekly', 'every_two_weeks', 'monthly')),
  -- The balance the borrower saw and agreed to settle, when they agreed.
  balance_minor bigint not null check (balance_minor > 0 and balance_minor < 1000000000000),
  -- What the borrower pays in all: the sum of the installments.
  total_minor bigint not null check (total_minor > 0),
  -- A settlement's discount (basis points, and the amount forgiven); 0 otherwise.
  discount_bps integer not null default 0 check (discount_bps between 0 and 9999),
  discount_minor bigint not null default 0 check (discount_minor >= 0),
  currency char(3) not null,
  -- The day it was agreed, in the creditor's time zone.
  agreed_on date not null,
  -- The policy rules the proposal breaks (app/domain/plan-policy-check.ts), which is why it
  -- waits for review; empty when it was within the automatic bounds.
  policy_rules text[] not null default '{}' check (app.rule_codes_are_valid(policy_rules)),
  -- When staff must have decided: the end of the review day in the creditor's zone.
  review_due_at timestamptz,
  -- The borrower's agreement (kind plan_agreement) and the exact words they saw.
  consent_id uuid not null references app.consents (id),
  -- When it became active (at once, when within policy) or was declined.
  decided_at timestamptz,
  -- When it stopped being live (declined, completed, cancelled, broken).
  ended_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((kind = 'plan') = (frequency is not null)),
  check (kind <> 'plan' or (total_minor = balance_minor and discount_bps = 0 and discount_minor = 0)),
  check (kind <> 'settlement' or (discount_minor = balance_minor * discount_bps / 10000 and total_minor = balance_minor - discount_minor)),
  check (kind <> 'promise' or (total_minor <= balance_minor and discount_bps = 0 and discount_minor = 0)),
  -- Rules broken ⇔ it was sent for review, with a due time.
  check ((cardinality(policy_rules) = 0) = (review_due_at is null)),
  check (status <> 'pending_review' or review_due_at is not null),
  check (
    case
      when status = 'pending_review' then decided_at is null
      when status in ('active', 'declined', 'completed', 'broken') then decided_at is not null
      else true
    end
  ),
  check ((status in ('pending_review', 'active')) = (ended_at is null)),
  foreign key (account_id, currency) references app.accounts (id, currency),
  foreign key (borrower_id, creditor_id) references app.borrowers (id, creditor_id)
);

comment on table app.arrangements is
  'A borrower''s plan, settlement or promise to pay on one account (ADR 004): the balance and total agreed, discount, policy rules that sent it to review, status and the consent that agreed it. At most one pending_review/active per account.';
comment on column app.arrangements.policy_rules is
  'Rule codes from app/domain/plan-policy-check.ts that the proposal breaks (review-severity only: outside-policy proposals are never stored).';

-- One live arrangement per account: the database makes it true under races, and
-- api.agree_arrangement turns the violation into PT409 arrangement_exists.
create unique index arrangements_one_live_per_account_idx
  on app.arrangements (account_id)
  where status in ('pending_review', 'active');
-- Foreign keys, and "the most recent arrangement of this account".
create index arrangements_account_idx on app.arrangements (account_id, currency, created_at);
create index arrangements_borrower_idx on app.arrangements (borrower_id, creditor_id);
create index arrangements_consent_idx on app.arrangements (consent_id);
-- The staff review queue (issue 8): what is waiting, soonest due first.
create index arrangements_review_queue_idx
  on app.arrangements (creditor_id, review_due_at)
  where status = 'pending_review';

create table app.installments (
  id uuid primary key default gen_random_uuid(),
  arrangement_id uuid not null references app.arrangements (id),
  -- 1, 2, 3, ... in date order.
  seq integer not null check (seq between 1 and 520),
  -- When it is due now, and when it was first due (a move changes only due_on).
  due_on date not null,
  original_due_on date not null,
  amount_minor bigint not null check (amount_minor > 0 and amount_minor < 1000000000000),
  paid_minor bigint not null default 0 check (paid_minor between 0 and amount_minor),
  status text not null default 'scheduled' check (status in ('scheduled', 'paid', 'missed', 'cancelled')),
  -- When the borrower moved it (once per 6 months per arrangement); null when never.
  moved_at timestamptz,
  created_at timestamptz not null default now(),
  -- Serves the foreign key too.
  unique (arrangement_id, seq),
  check (due_on >= original_due_on),
  check (moved_at is not null or due_on = original_due_on),
  check (status <> 'paid' or paid_minor = amount_minor)
);

comment on table app.installments is
  'The payments of an arrangement, in order: due date (and the original one, if moved), amount, paid so far and status. A promise or a lump-sum settlement has one.';

alter table app.consent_texts enable row level security;
alter table app.consents enable row level security;
alter table app.arrangements enable row level security;
alter table app.installments enable row level security;

-- Some platforms add default grants for API roles; take back whatever arrived.
revoke all on table app.consent_texts, app.consents, app.arrangements, app.installments
  from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- app.record_consent(): one consent and its text, hash checked.
-- ---------------------------------------------------------------------------------------

-- p_consent: {"version": "plan-terms.v1", "language": "en", "body": "...",
--             "sha256": "<64 lower-case hex>", "ip": "203.0.113.5" | null,
--             "user_agent": "..." | null}
-- Raises PT422 consent_hash_mismatch when body is empty or its SHA-256 is not sha256, and
-- PT422 invalid_consent for any other malformed field (a bug in the caller). When a text
-- with this hash is already stored, the consent points at it (same words, same text).
create function app.record_consent(p_borrower_id uuid, p_account_id uuid, p_kind text, p_consent jsonb)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_body text;
  v_sha256 text;
  v_version text;
  v_language text;
  v_ip inet;
  v_user_agent text;
  v_text app.consent_texts%rowtype;
  v_consent_id uuid;
begin
  if p_consent is null or jsonb_typeof(p_consent) <> 'object' then
    raise exception 'consent must be an object'
      using errcode = 'PT422', hint = 'invalid_consent';
  end if;

  if jsonb_typeof(p_consent -> 'body') = 'string' then
    v_body := p_consent ->> 'body';
  end if;
  if jsonb_typeof(p_consent -> 'sha256') = 'string' then
    v_sha256 := p_consent ->> 'sha256';
  end if;
  if v_body is null or v_body = '' or v_sha256 is null
     or v_sha256 <> encode(sha256(convert_to(v_body, 'UTF8')), 'hex') then
    raise exception 'the consent text does not match its hash'
      using errcode = 'PT422', hint = 'consent_hash_mismatch';
  end if;

  if jsonb_typeof(p_consent -> 'version') = 'string' then
    v_version := p_consent ->> 'version';
  end if;
  if jsonb_typeof(p_consent -> 'language') = 'string' then
    v_language := p_consent ->> 'language';
  end if;
  if v_version is null or length(v_version) > 100 or v_version !~ '^[a-z][a-z0-9-]*\.v[0-9]+$'
     or v_language is null or v_language not in ('en', 'es')
     or length(v_body) > 20000
     or coalesce(jsonb_typeof(p_consent -> 'ip'), 'null') not in ('null', 'string')
     or coalesce(jsonb_typeof(p_consent -> 'user_agent'), 'null') not in ('null', 'string')
     or exists (
       select 1 from jsonb_object_keys(p_consent) as k
        where k not in ('version', 'language', 'body', 'sha256', 'ip', 'user_agent')
     ) then
    raise exception 'malformed consent'
      using errcode = 'PT422', hint = 'invalid_consent';
  end if;

  if jsonb_typeof(p_consent -> 'ip') = 'string' then
    begin
      v_ip := (p_consent ->> 'ip')::inet;
    exception
      when invalid_text_representation then
        raise exception 'malformed consent ip'
          using errcode = 'PT422', hint = 'invalid_consent';
    end;
    -- A client address, not a network.
    if masklen(v_ip) <> (case family(v_ip) when 4 then 32 else 128 end) then
      raise exception 'malformed consent ip'
        using errcode = 'PT422', hint = 'invalid_consent';
    end if;
  end if;
  if jsonb_typeof(p_consent -> 'user_agent') = 'string' then
    v_user_agent := p_consent ->> 'user_agent';
    if length(v_user_agent) > 512 then
      raise exception 'consent user agent longer than 512 characters'
        using errcode = 'PT422', hint = 'invalid_consent';
    end if;
  end if;

  -- Once per distinct hash. Two callers with the same new text: one inserts, the other
  -- waits for it and then finds its row.
  insert into app.consent_texts (kind, version, language, body, sha256)
  values (p_kind, v_version, v_language, v_body, v_sha256)
  on conflict (sha256) do nothing;
  select t.* into strict v_text
    from app.consent_texts as t
   where t.sha256 = v_sha256;

  insert into app.consents
    (borrower_id, account_id, kind, action, text_id, text_version, text_sha256, language, ip, user_agent)
  values
    (p_borrower_id, p_account_id, p_kind, 'granted', v_text.id, v_text.version, v_text.sha256, v_text.language,
     v_ip, v_user_agent)
  returning id into v_consent_id;

  return v_consent_id;
end;
$$;

comment on function app.record_consent(uuid, uuid, text, jsonb) is
  'Stores a granted consent of this kind and its exact text (once per SHA-256), after recomputing the hash: returns the consent id. PT422 consent_hash_mismatch (empty body or hash differs), PT422 invalid_consent (malformed document).';

revoke all on function app.plan_policy_move_payment_max_days(jsonb) from public, anon, authenticated, service_role;
revoke all on function app.iso_date_or_null(text) from public, anon, authenticated, service_role;
revoke all on function app.rule_codes_are_valid(text[]) from public, anon, authenticated, service_role;
revoke all on function app.record_consent(uuid, uuid, text, jsonb) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- api.agree_arrangement(): agree a plan, settlement or promise, all or nothing.
-- ---------------------------------------------------------------------------------------

-- The route calls this only for proposals app/domain judged auto_approve (p_policy_rules
-- empty: active at once) or needs_review (the rules it breaks: pending_review until
-- p_review_due_on ends in the creditor's zone). Outside-policy proposals never get here.
-- Checks, in order: the account (PT404, PT409 account_not_open), an existing live
-- arrangement (PT409 arrangement_exists), the balance the borrower saw (PT409
-- balance_changed), the shape of the input (PT422 invalid_arrangement), the money rules
-- (PT422 total_mismatch), the consent (PT422 consent_hash_mismatch).
create function api.agree_arrangement(
  p_borrower_id uuid,
  p_account_id uuid,
  p_kind text,
  p_frequency text,
  p_discount_bps integer,
  p_balance_minor bigint,
  p_total_minor bigint,
  p_installments jsonb,
  p_policy_rules text[],
  p_review_due_on date,
  p_consent jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c_max_installments constant integer := 520;
  v_account app.accounts%rowtype;
  v_creditor app.creditors%rowtype;
  v_borrower app.borrowers%rowtype;
  v_today date;
  v_balance bigint;
  v_item jsonb;
  v_due_on date;
  v_due date[] := '{}'::date[];
  v_amounts bigint[] := '{}'::bigint[];
  v_sum bigint := 0::bigint;
  v_count integer;
  v_discount_minor bigint := 0::bigint;
  v_status text;
  v_review_due_at timestamptz;
  v_consent_id uuid;
  v_arrangement_id uuid;
  v_constraint text;
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

  -- Checked here for a clear answer; the partial unique index decides under races.
  if exists (
    select 1 from app.arrangements as r
     where r.account_id = v_account.id
       and r.status in ('pending_review', 'active')
  ) then
    raise exception 'this account already has a live arrangement'
      using errcode = 'PT409', hint = 'arrangement_exists';
  end if;

  select coalesce(sum(l.amount_minor), 0)::bigint into v_balance
    from app.ledger_entries as l
   where l.account_id = v_account.id;
  if p_balance_minor is distinct from v_balance then
    raise exception 'the balance changed since the borrower saw it'
      using errcode = 'PT409', hint = 'balance_changed';
  end if;

  select c.* into strict v_creditor from app.creditors as c where c.id = v_account.creditor_id;
  v_today := (now() at time zone v_creditor.time_zone)::date;

  -- The shape of the request.
  if p_kind is null or p_kind not in ('plan', 'settlement', 'promise')
     or (p_kind = 'plan') <> (p_frequency is not null)
     or (p_frequency is not null and p_frequency not in ('weekly', 'every_two_weeks', 'monthly'))
     or p_discount_bps is null or p_discount_bps not between 0 and 9999
     or (p_kind <> 'settlement' and p_discount_bps <> 0)
     or p_total_minor is null or p_total_minor <= 0
     or not app.rule_codes_are_valid(p_policy_rules)
     or p_installments is null or jsonb_typeof(p_installments) <> 'array'
     or jsonb_array_length(p_installments) not between 1 and c_max_installments then
    raise exception 'malformed arrangement'
      using errcode = 'PT422', hint = 'invalid_arrangement';
  end if;

  -- Installments: {"due_on": "YYYY-MM-DD", "amount_minor": n}, dates strictly increasing,
  -- the first not before today in the creditor's zone.
  for v_item in
    select e.value
      from jsonb_array_elements(p_installments) with ordinality as e (value, position)
     order by e.position
  loop
    v_due_on := null;
    if jsonb_typeof(v_item) = 'object' and jsonb_typeof(v_item -> 'due_on') = 'string' then
      v_due_on := app.iso_date_or_null(v_item ->> 'due_on');
    end if;
    if v_due_on is null
       or not app.jsonb_is_integer_between(v_item -> 'amount_minor', 1, 999999999999)
       or exists (select 1 from jsonb_object_keys(v_item) as k where k not in ('due_on', 'amount_minor'))
       or v_due_on < v_today
       or (cardinality(v_due) > 0 and v_due_on <= v_due[cardinality(v_due)]) then
      raise exception 'malformed installment'
        using errcode = 'PT422', hint = 'invalid_arrangement';
    end if;
    v_due := array_append(v_due, v_due_on);
    v_amounts := array_append(v_amounts, (v_item -> 'amount_minor')::numeric::bigint);
    v_sum := v_sum + (v_item -> 'amount_minor')::numeric::bigint;
  end loop;
  v_count := cardinality(v_due);
  if v_sum <> p_total_minor then
    raise exception 'the installments do not add up to the total'
      using errcode = 'PT422', hint = 'invalid_arrangement';
  end if;

  -- Within the automatic bounds: active at once. Otherwise it waits for staff until the end
  -- of p_review_due_on in the creditor's zone.
  if cardinality(p_policy_rules) > 0 then
    if p_review_due_on is null or p_review_due_on < v_today then
      raise exception 'a review needs a due date from today on'
        using errcode = 'PT422', hint = 'invalid_arrangement';
    end if;
    v_status := 'pending_review';
    v_review_due_at := (p_review_due_on + 1)::timestamp at time zone v_creditor.time_zone;
  else
    v_status := 'active';
    v_review_due_at := null;
  end if;

  -- The money rules (ADR 004).
  if p_kind = 'plan' then
    if p_total_minor <> v_balance then
      raise exception 'a plan pays the whole balance'
        using errcode = 'PT422', hint = 'total_mismatch';
    end if;
  elsif p_kind = 'settlement' then
    -- bigint arithmetic: the discount is rounded down, in the borrower's disfavour by < 1 cent.
    v_discount_minor := v_balance * p_discount_bps / 10000;
    if p_total_minor <> v_balance - v_discount_minor or v_count > 3 then
      raise exception 'a settlement pays the balance less its discount, in 1 to 3 payments'
        using errcode = 'PT422', hint = 'total_mismatch';
    end if;
  else
    if p_total_minor > v_balance or v_count <> 1 then
      raise exception 'a promise is one payment of at most the balance'
        using errcode = 'PT422', hint = 'total_mismatch';
    end if;
  end if;

  v_consent_id := app.record_consent(p_borrower_id, v_account.id, 'plan_agreement', p_consent);

  begin
    insert into app.arrangements
      (account_id, borrower_id, creditor_id, kind, status, frequency, balance_minor, total_minor,
       discount_bps, discount_minor, currency, agreed_on, policy_rules, review_due_at, consent_id,
       decided_at)
    values
      (v_account.id, p_borrower_id, v_account.creditor_id, p_kind, v_status, p_frequency, v_balance, p_total_minor,
       p_discount_bps, v_discount_minor, v_account.currency, v_today, p_policy_rules, v_review_due_at, v_consent_id,
       case when v_status = 'active' then now() end)
    returning id into v_arrangement_id;
  exception
    when unique_violation then
      get stacked diagnostics v_constraint = constraint_name;
      if v_constraint = 'arrangements_one_live_per_account_idx' then
        raise exception 'this account already has a live arrangement'
          using errcode = 'PT409', hint = 'arrangement_exists';
      end if;
      raise;
  end;

  insert into app.installments (arrangement_id, seq, due_on, original_due_on, amount_minor)
  select v_arrangement_id, i.seq::integer, i.due_on, i.due_on, i.amount_minor
    from unnest(v_due, v_amounts) with ordinality as i (due_on, amount_minor, seq);

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('borrower', p_borrower_id, 'arrangement.agreed', 'arrangement', v_arrangement_id, v_account.id,
          jsonb_build_object(
            'kind', p_kind,
            'status', v_status,
            'frequency', p_frequency,
            'installments', v_count,
            'balance_minor', v_balance,
            'total_minor', p_total_minor,
            'discount_bps', p_discount_bps,
            'currency', v_account.currency,
            'first_due_on', v_due[1],
            'last_due_on', v_due[v_count],
            'policy_rules', cardinality(p_policy_rules),
            'review_due_on', case when v_status = 'pending_review' then p_review_due_on end,
            'consent_id', v_consent_id
          ));

  select b.* into strict v_borrower from app.borrowers as b where b.id = p_borrower_id;

  return jsonb_build_object(
    'arrangement_id', v_arrangement_id,
    'status', v_status,
    'review_due_at', v_review_due_at,
    'consent_id', v_consent_id,
    'borrower_email', v_borrower.email,
    'borrower_language', v_borrower.language
  );
end;
$$;

comment on function api.agree_arrangement(uuid, uuid, text, text, integer, bigint, bigint, jsonb, text[], date, jsonb) is
  'Agrees a plan, settlement or promise on one of the borrower''s open accounts, with its consent (kind plan_agreement, text stored by SHA-256) and audit event, in one transaction: {arrangement_id, status (active | pending_review), review_due_at, consent_id, borrower_email, borrower_language}. PT404 not the borrower''s account; PT409 account_not_open, arrangement_exists, balance_changed; PT422 invalid_arrangement, total_mismatch, consent_hash_mismatch, invalid_consent.';

revoke execute on function api.agree_arrangement(uuid, uuid, text, text, integer, bigint, bigint, jsonb, text[], date, jsonb)
  from public, anon, authenticated;
grant execute on function api.agree_arrangement(uuid, uuid, text, text, integer, bigint, bigint, jsonb, text[], date, jsonb)
  to service_role;

-- ---------------------------------------------------------------------------------------
-- api.account_arrangement(): the account's arrangement and its schedule.
-- ---------------------------------------------------------------------------------------

create function api.account_arrangement(p_borrower_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_policy jsonb;
  v_email text;
  v_arrangement app.arrangements%rowtype;
  v_max_days integer;
  v_moved_recently boolean;
  v_installments jsonb;
  v_terms jsonb;
begin
  select c.plan_policy, b.email into v_policy, v_email
    from app.accounts as a
    join app.creditors as c on c.id = a.creditor_id
    join app.borrowers as b on b.id = a.borrower_id
   where a.id = p_account_id
     and a.borrower_id = p_borrower_id;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;

  -- The live one, else the most recent.
  select r.* into v_arrangement
    from app.arrangements as r
   where r.account_id = p_account_id
   order by (r.status in ('pending_review', 'active')) desc, r.created_at desc, r.id desc
   limit 1;
  if not found then
    return '{"arrangement": null}'::jsonb;
  end if;

  v_max_days := app.plan_policy_move_payment_max_days(v_policy);
  select exists (
           select 1 from app.installments as i
            where i.arrangement_id = v_arrangement.id
              and i.moved_at > now() - interval '6 months'
         )
    into v_moved_recently;

  select coalesce(jsonb_agg(
           jsonb_build_object(
             'id', i.id,
             'seq', i.seq,
             'due_on', i.due_on,
             'original_due_on', i.original_due_on,
             'amount_minor', i.amount_minor,
             'paid_minor', i.paid_minor,
             'status', i.status,
             'moved_at', i.moved_at
           )
           order by i.seq
         ), '[]'::jsonb)
    into v_installments
    from app.installments as i
   where i.arrangement_id = v_arrangement.id;

  -- The exact words agreed to, as the borrower saw them.
  select jsonb_build_object(
           'version', t.version,
           'language', t.language,
           'body', t.body,
           'sha256', t.sha256,
           'agreed_at', k.created_at
         )
    into strict v_terms
    from app.consents as k
    join app.consent_texts as t on t.id = k.text_id
   where k.id = v_arrangement.consent_id;

  return jsonb_build_object('arrangement', jsonb_build_object(
    'id', v_arrangement.id,
    'kind', v_arrangement.kind,
    'status', v_arrangement.status,
    'frequency', v_arrangement.frequency,
    'balance_minor', v_arrangement.balance_minor,
    'total_minor', v_arrangement.total_minor,
    'discount_bps', v_arrangement.discount_bps,
    'discount_minor', v_arrangement.discount_minor,
    'currency', v_arrangement.currency,
    'agreed_on', v_arrangement.agreed_on,
    'review_due_at', v_arrangement.review_due_at,
    'created_at', v_arrangement.created_at,
    'ended_at', v_arrangement.ended_at,
    'policy_rules', to_jsonb(v_arrangement.policy_rules),
    'move_payment_max_days', v_max_days,
    'can_move', v_arrangement.status = 'active' and v_max_days > 0 and not v_moved_recently,
    'installments', v_installments,
    'terms', v_terms,
    'borrower_email', v_email
  ));
end;
$$;

comment on function api.account_arrangement(uuid, uuid) is
  'The account''s live (pending_review/active) arrangement, else its most recent, with its installments in order and whether one payment may be moved now: {"arrangement": null | {id, kind, status, frequency, balance_minor, total_minor, discount_bps, discount_minor, currency, agreed_on, review_due_at, created_at, ended_at, policy_rules, move_payment_max_days, can_move, installments: [{id, seq, due_on, original_due_on, amount_minor, paid_minor, status, moved_at}], terms: {version, language, body, sha256, agreed_at} (the consent that agreed it), borrower_email}}. PT404 when the account is not this borrower''s.';

revoke execute on function api.account_arrangement(uuid, uuid) from public, anon, authenticated;
grant execute on function api.account_arrangement(uuid, uuid) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.move_installment(): one upcoming payment, a few days later.
-- ---------------------------------------------------------------------------------------

-- Rules: the arrangement is active; the creditor allows moves (movePaymentMaxDays > 0) and
-- none of its installments moved in the last 6 months; the installment is scheduled and not
-- yet past due; the new date is after today and after its current date, at most
-- movePaymentMaxDays after its original date, and before the next installment's date.
create function api.move_installment(
  p_borrower_id uuid,
  p_account_id uuid,
  p_installment_id uuid,
  p_new_due_on date,
  p_consent jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_arrangement_id uuid;
  v_arrangement app.arrangements%rowtype;
  v_installment app.installments%rowtype;
  v_time_zone text;
  v_max_days integer;
  v_today date;
  v_next_due_on date;
  v_consent_id uuid;
begin
  select i.arrangement_id into v_arrangement_id
    from app.installments as i
    join app.arrangements as r on r.id = i.arrangement_id
    join app.accounts as a on a.id = r.account_id
   where i.id = p_installment_id
     and r.account_id = p_account_id
     and a.borrower_id = p_borrower_id;
  if not found then
    raise exception 'installment not found'
      using errcode = 'PT404', hint = 'installment_not_found';
  end if;

  -- One change to an arrangement at a time: a second move or a cancel waits here, then
  -- sees what the first did.
  select r.* into strict v_arrangement
    from app.arrangements as r
   where r.id = v_arrangement_id
     for update;
  if v_arrangement.status not in ('pending_review', 'active') then
    raise exception 'installment not found'
      using errcode = 'PT404', hint = 'installment_not_found';
  end if;
  if v_arrangement.status <> 'active' then
    raise exception 'the arrangement is not active'
      using errcode = 'PT409', hint = 'not_active';
  end if;

  select c.time_zone, app.plan_policy_move_payment_max_days(c.plan_policy)
    into strict v_time_zone, v_max_days
    from app.creditors as c
   where c.id = v_arrangement.creditor_id;
  if v_max_days = 0 or exists (
    select 1 from app.installments as i
     where i.arrangement_id = v_arrangement.id
       and i.moved_at > now() - interval '6 months'
  ) then
    raise exception 'a payment of this arrangement cannot be moved now'
      using errcode = 'PT409', hint = 'move_not_allowed';
  end if;

  select i.* into strict v_installment from app.installments as i where i.id = p_installment_id;
  select n.due_on into v_next_due_on
    from app.installments as n
   where n.arrangement_id = v_arrangement.id
     and n.seq > v_installment.seq
   order by n.seq
   limit 1;
  v_today := (now() at time zone v_time_zone)::date;
  if v_installment.status <> 'scheduled'
     or v_installment.due_on < v_today
     or p_new_due_on is null
     or p_new_due_on <= v_today
     or p_new_due_on <= v_installment.due_on
     or p_new_due_on > v_installment.original_due_on + v_max_days
     or (v_next_due_on is not null and p_new_due_on >= v_next_due_on) then
    raise exception 'this payment cannot move to that date'
      using errcode = 'PT422', hint = 'invalid_move';
  end if;

  v_consent_id := app.record_consent(p_borrower_id, p_account_id, 'plan_change', p_consent);

  update app.installments as i
     set due_on = p_new_due_on,
         moved_at = now()
   where i.id = v_installment.id;
  update app.arrangements as r
     set updated_at = now()
   where r.id = v_arrangement.id;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('borrower', p_borrower_id, 'installment.moved', 'installment', v_installment.id, p_account_id,
          jsonb_build_object(
            'arrangement_id', v_arrangement.id,
            'seq', v_installment.seq,
            'from', v_installment.due_on,
            'to', p_new_due_on,
            'original_due_on', v_installment.original_due_on,
            'consent_id', v_consent_id
          ));

  return jsonb_build_object('installment_id', v_installment.id, 'due_on', p_new_due_on);
end;
$$;

comment on function api.move_installment(uuid, uuid, uuid, date, jsonb) is
  'Moves one scheduled, upcoming installment of the active arrangement on the borrower''s account to a later date (at most movePaymentMaxDays after its original date, before the next one; once per 6 months per arrangement), with its consent (plan_change) and audit event: {installment_id, due_on}. PT404 not found or not live; PT409 not_active, move_not_allowed; PT422 invalid_move, consent_hash_mismatch, invalid_consent.';

revoke execute on function api.move_installment(uuid, uuid, uuid, date, jsonb) from public, anon, authenticated;
grant execute on function api.move_installment(uuid, uuid, uuid, date, jsonb) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.cancel_arrangement(): the borrower ends a live arrangement.
-- ---------------------------------------------------------------------------------------

create function api.cancel_arrangement(
  p_borrower_id uuid,
  p_account_id uuid,
  p_arrangement_id uuid,
  p_consent jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_arrangement app.arrangements%rowtype;
  v_consent_id uuid;
  v_cancelled integer;
begin
  -- Locked: a concurrent move or cancel waits, then sees the cancellation.
  select r.* into v_arrangement
    from app.arrangements as r
    join app.accounts as a on a.id = r.account_id
   where r.id = p_arrangement_id
     and r.account_id = p_account_id
     and a.borrower_id = p_borrower_id
     for update of r;
  if not found then
    raise exception 'arrangement not found'
      using errcode = 'PT404', hint = 'arrangement_not_found';
  end if;
  if v_arrangement.status not in ('pending_review', 'active') then
    raise exception 'the arrangement has already ended'
      using errcode = 'PT409', hint = 'not_live';
  end if;

  v_consent_id := app.record_consent(p_borrower_id, p_account_id, 'plan_change', p_consent);

  update app.installments as i
     set status = 'cancelled'
   where i.arrangement_id = v_arrangement.id
     and i.status = 'scheduled';
  get diagnostics v_cancelled = row_count;

  update app.arrangements as r
     set status = 'cancelled',
         ended_at = now(),
         updated_at = now()
   where r.id = v_arrangement.id;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('borrower', p_borrower_id, 'arrangement.cancelled', 'arrangement', v_arrangement.id, p_account_id,
          jsonb_build_object(
            'kind', v_arrangement.kind,
            'previous_status', v_arrangement.status,
            'installments_cancelled', v_cancelled,
            'consent_id', v_consent_id
          ));

  return jsonb_build_object('arrangement_id', v_arrangement.id, 'status', 'cancelled');
end;
$$;

comment on function api.cancel_arrangement(uuid, uuid, uuid, jsonb) is
  'Cancels a live (pending_review or active) arrangement on the borrower''s account: its scheduled installments are cancelled, with a consent (plan_change) and audit event: {arrangement_id, status}. PT404 not this borrower''s; PT409 not_live (already ended); PT422 consent_hash_mismatch, invalid_consent.';

revoke execute on function api.cancel_arrangement(uuid, uuid, uuid, jsonb) from public, anon, authenticated;
grant execute on function api.cancel_arrangement(uuid, uuid, uuid, jsonb) to service_role;
