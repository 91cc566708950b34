-- Placements from the lender and the export back to it (issue 8 items 5 and 6; ADR 009).
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): tables in `app` with RLS on
-- and no grants; `api` functions security definer, empty search_path, fully qualified names,
-- executable by service_role alone; money in bigint minor units; audit events hold ids,
-- codes, integers and dates only (never a name, an email, a file name or a reference).
--
-- Import. The app reads the lender's CSV as a stream, checks it (encoding, CSV structure,
-- header) before anything is written, validates each row with zod (app/domain/
-- placement-row.ts) and sends the rows in batches to api.import_placement_rows: one call,
-- one transaction, per batch. A batch is placed in a few set-based statements
-- (app.place_batch), the rules checked for all its rows first; should the tables still refuse
-- something, that attempt is rolled back and the batch is placed one row at a time, each row
-- in its own subtransaction (app.place_account), so a row the database refuses leaves nothing
-- behind (never half a row) and the other rows of the batch still import. Idempotent by (creditor, the lender's account reference = app.accounts.reference):
--   * a new reference creates the borrower (or finds them by the lender's customer
--     reference), the account and its opening ledger entries (principal, interest, fees);
--   * a known reference never overwrites money: when the lender's balance differs from
--     what the lender's balance means for our ledger (the as-of rule below), one
--     'adjustment' entry per part difference is posted; otherwise nothing changes, so the
--     same file imported twice leaves the ledger exactly as it was;
--   * a later row with a reference already imported from the same file is an error
--     (duplicate_reference); a file older than the one that last set the account
--     (stale_as_of) is an error; the agreement's fixed facts (opened on, original amount,
--     itemization date) must match (agreement_mismatch): a different agreement under a
--     reused reference is never merged into the old one.
--
-- The as-of rule (ADR 009 has a worked example). A file says what each account owed at the
-- end of its as-of day D (in the creditor's time zone), and D is a day that has ended. The
-- lender's figures include every entry dated D or earlier; they cannot include what the
-- portal posted after D. So for each part (principal, interest, fees):
--     expected = lender's figure + sum of the account's entries dated after D that were not
--                posted by a placement import (reason codes placement_opening and
--                placement_adjustment, which only this file's functions write)
--     adjustment = expected - sum of all the account's entries
-- The portal dates what it posts (payments, refunds, chargebacks) with the day it records
-- them, in the creditor's zone, which is also the day the export below lists them under.
--
-- Errors (the hint is the machine reason the app maps):
--   PT403 staff_role
--   PT404 creditor_not_found, import_not_found
--   PT409 import_running, import_not_running
--   PT422 invalid_as_of, invalid_file, invalid_status, invalid_range

-- ---------------------------------------------------------------------------------------
-- Tables.
-- ---------------------------------------------------------------------------------------

-- Parameters of a row or file problem: a flat object of at most 6 keys whose values are
-- integers, or short strings without control characters (a column name as the file wrote
-- it, a date, a SQLSTATE).
create function app.placement_error_params_are_valid(p_params jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select case
    when p_params is null or jsonb_typeof(p_params) <> 'object' then false
    else (select count(*) from jsonb_object_keys(p_params)) <= 6
      and not exists (
        select 1
          from jsonb_each(p_params) as e
         where e.key !~ '^[a-z][a-z0-9_]{0,30}$'
            or case jsonb_typeof(e.value)
                 when 'number' then not app.jsonb_is_integer_between(e.value, -1000000000000, 1000000000000)
                 when 'string' then length(e.value #>> '{}') > 100 or (e.value #>> '{}') ~ '[[:cntrl:]]'
                 else true
               end
      )
  end;
$$;

comment on function app.placement_error_params_are_valid(jsonb) is
  'True when placement error parameters are a flat object of at most 6 integers or short single-line strings.';

create table app.placement_imports (
  id uuid primary key default gen_random_uuid(),
  creditor_id uuid not null references app.creditors (id),
  -- Who uploaded it (a supervisor or an admin).
  staff_id uuid not null references app.staff (id),
  -- The day whose end the file's balances describe, in the creditor's time zone.
  as_of date not null,
  -- As the browser sent it, without any folder; shown to staff, never audited.
  file_name text not null check (length(file_name) between 1 and 255 and file_name !~ '[[:cntrl:]]'),
  file_bytes bigint not null check (file_bytes >= 0),
  -- Known once the file has been read through (status importing and after).
  file_sha256 text check (file_sha256 ~ '^[0-9a-f]{64}$'),
  encoding text check (encoding in ('utf-8', 'windows-1252')),
  -- An earlier import of this creditor with the same bytes, when there is one.
  same_file_as uuid references app.placement_imports (id),
  -- checking (reading the file: encoding, CSV structure, header; nothing written yet)
  -- → importing → completed; checking → rejected (nothing written); any → failed
  -- (stopped by an error: the batches before it stay); checking | importing → interrupted
  -- (the process stopped; noticed when the next import of this creditor begins).
  status text not null default 'checking'
    check (status in ('checking', 'importing', 'completed', 'rejected', 'failed', 'interrupted')),
  -- Why a rejected or failed import stopped: file_too_large, file_binary, header_..., ...
  failure_code text check (failure_code ~ '^[a-z][a-z0-9_]{0,62}$'),
  -- Rows in the file (not the header, not empty lines), once checked.
  rows_total integer check (rows_total >= 0),
  rows_done integer not null default 0 check (rows_done >= 0),
  rows_created integer not null default 0 check (rows_created >= 0),
  rows_adjusted integer not null default 0 check (rows_adjusted >= 0),
  rows_updated integer not null default 0 check (rows_updated >= 0),
  rows_unchanged integer not null default 0 check (rows_unchanged >= 0),
  rows_failed integer not null default 0 check (rows_failed >= 0),
  -- Problems stored in app.placement_import_errors (at most 100,000 per import); more are
  -- counted in rows_failed only.
  errors_recorded integer not null default 0 check (errors_recorded between 0 and 100000),
  -- How far through the file the import is, for the progress bar.
  bytes_done bigint not null default 0 check (bytes_done >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  check ((status in ('completed', 'rejected', 'failed', 'interrupted')) = (finished_at is not null)),
  check (status in ('checking', 'rejected', 'failed', 'interrupted') or (file_sha256 is not null and encoding is not null and rows_total is not null)),
  check ((status in ('rejected', 'failed', 'interrupted')) = (failure_code is not null)),
  check (rows_created + rows_adjusted + rows_updated + rows_unchanged + rows_failed = rows_done)
);

comment on table app.placement_imports is
  'One upload of the lender''s placement file (issue 8 item 5, ADR 009): who, which creditor, as-of date, file name, size and SHA-256, status, and row counts that grow batch by batch (the progress indicator reads them).';

-- One import at a time per creditor: two files racing over the same references would each
-- see the other's accounts half-way.
create unique index placement_imports_one_running_idx on app.placement_imports (creditor_id) where status in ('checking', 'importing');
create index placement_imports_creditor_idx on app.placement_imports (creditor_id, created_at);
create index placement_imports_staff_idx on app.placement_imports (staff_id);
create index placement_imports_same_file_idx on app.placement_imports (creditor_id, file_sha256) where file_sha256 is not null;
create index placement_imports_same_file_as_idx on app.placement_imports (same_file_as) where same_file_as is not null;

create table app.placement_import_errors (
  import_id uuid not null references app.placement_imports (id),
  -- 1, 2, 3... in the order of the lines they concern.
  seq integer not null check (seq between 1 and 100000),
  -- The physical line of the file where the row (or the header) starts: a quoted newline
  -- inside a row counts, empty lines count.
  line integer not null check (line >= 1),
  -- The column concerned, as a column code; null for the whole row or file.
  column_name text check (column_name ~ '^[a-z][a-z0-9_]{0,62}$'),
  code text not null check (code ~ '^[a-z][a-z0-9_]{0,62}$'),
  params jsonb not null default '{}'::jsonb check (app.placement_error_params_are_valid(params)),
  -- The row's account reference when it could be read, to find the row in the lender's
  -- system.
  account_reference text check (length(account_reference) between 1 and 64 and account_reference !~ '[[:cntrl:]]'),
  primary key (import_id, seq)
);

comment on table app.placement_import_errors is
  'Problems found in a placement file, one per row and column (the header''s at line 1): physical line, column code, problem code and parameters; translated when shown or downloaded.';

-- Which file last set each placed account, and as of which day (the as-of rule, stale files
-- and duplicate references read it).
create table app.account_placements (
  account_id uuid primary key references app.accounts (id),
  as_of date not null,
  import_id uuid not null references app.placement_imports (id),
  -- The line of that file the account's row started on.
  line integer not null check (line >= 1),
  updated_at timestamptz not null default now()
);

comment on table app.account_placements is
  'For each account a placement file created or updated: the file (import) and its as-of date, and the line of its row.';

create index account_placements_import_idx on app.account_placements (import_id);

-- The lender's own customer number, so that a borrower with two accounts is one borrower.
create table app.borrower_references (
  creditor_id uuid not null,
  reference text not null check (reference ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
  borrower_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (creditor_id, reference),
  foreign key (borrower_id, creditor_id) references app.borrowers (id, creditor_id)
);

comment on table app.borrower_references is
  'The lender''s customer reference of a borrower (from a placement file''s customer_reference column): rows with the same one share one borrower.';

create index borrower_references_borrower_idx on app.borrower_references (borrower_id, creditor_id);

-- The export reads each source by the time it was recorded.
create index ledger_entries_created_idx on app.ledger_entries (created_at, entry_no);
create index audit_events_occurred_idx on app.audit_events (occurred_at, event_no) where account_id is not null;
create index consents_withdrawn_idx on app.consents (created_at) where action = 'withdrawn';

alter table app.placement_imports enable row level security;
alter table app.placement_import_errors enable row level security;
alter table app.account_placements enable row level security;
alter table app.borrower_references enable row level security;

revoke all on table app.placement_imports, app.placement_import_errors, app.account_placements, app.borrower_references
  from public, anon, authenticated, service_role;
revoke all on function app.placement_error_params_are_valid(jsonb) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Helpers.
-- ---------------------------------------------------------------------------------------

create function app.placement_import_json(p_import app.placement_imports)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_import.id,
    'creditor_id', p_import.creditor_id,
    'creditor_name', (select c.name from app.creditors as c where c.id = p_import.creditor_id),
    'staff_id', p_import.staff_id,
    'staff_name', (select s.full_name from app.staff as s where s.id = p_import.staff_id),
    'as_of', p_import.as_of,
    'file_name', p_import.file_name,
    'file_bytes', p_import.file_bytes,
    'file_sha256', p_import.file_sha256,
    'encoding', p_import.encoding,
    'same_file_as', p_import.same_file_as,
    'status', p_import.status,
    'failure_code', p_import.failure_code,
    'rows_total', p_import.rows_total,
    'rows_done', p_import.rows_done,
    'rows_created', p_import.rows_created,
    'rows_adjusted', p_import.rows_adjusted,
    'rows_updated', p_import.rows_updated,
    'rows_unchanged', p_import.rows_unchanged,
    'rows_failed', p_import.rows_failed,
    'errors_recorded', p_import.errors_recorded,
    'bytes_done', p_import.bytes_done,
    'created_at', p_import.created_at,
    'updated_at', p_import.updated_at,
    'finished_at', p_import.finished_at
  );
$$;

revoke all on function app.placement_import_json(app.placement_imports) from public, anon, authenticated, service_role;

-- Raises PT403 staff_role unless the member is active and a supervisor or an admin: imports
-- and exports move or reveal a whole portfolio, so agents may do neither (ADR 009).
create function app.require_placement_staff(p_staff_id uuid)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if not exists (
    select 1 from app.staff as s
     where s.id = p_staff_id and s.active and s.role in ('supervisor', 'admin')
  ) then
    raise exception 'only an active supervisor or admin may import or export placements'
      using errcode = 'PT403', hint = 'staff_role';
  end if;
end;
$$;

revoke all on function app.require_placement_staff(uuid) from public, anon, authenticated, service_role;

-- Records the import's audit event when it reaches its end (one per import).
create function app.audit_placement_import(p_import app.placement_imports, p_actor_kind text)
returns void
language sql
set search_path = ''
as $$
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, reason_code, metadata)
  values (
    p_actor_kind,
    case when p_actor_kind = 'staff' then p_import.staff_id end,
    'placement.' || p_import.status,
    'placement_import',
    p_import.id,
    p_import.failure_code,
    jsonb_build_object(
      'creditor_id', p_import.creditor_id,
      'staff_id', p_import.staff_id,
      'as_of', p_import.as_of,
      'same_file_as', p_import.same_file_as,
      'rows_total', p_import.rows_total,
      'rows_done', p_import.rows_done,
      'rows_created', p_import.rows_created,
      'rows_adjusted', p_import.rows_adjusted,
      'rows_updated', p_import.rows_updated,
      'rows_unchanged', p_import.rows_unchanged,
      'rows_failed', p_import.rows_failed,
      'file_bytes', p_import.file_bytes
    )
  );
$$;

revoke all on function app.audit_placement_import(app.placement_imports, text) from public, anon, authenticated, service_role;

-- Stores problems (already in line order) after those recorded so far, up to the cap;
-- returns how many were stored.
create function app.record_placement_errors(p_import_id uuid, p_recorded integer, p_errors jsonb)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  c_max constant integer := 100000;
  v_count integer;
begin
  if p_errors is null or jsonb_typeof(p_errors) <> 'array' or jsonb_array_length(p_errors) = 0 or p_recorded >= c_max then
    return 0;
  end if;
  insert into app.placement_import_errors (import_id, seq, line, column_name, code, params, account_reference)
  select p_import_id,
         p_recorded + (row_number() over (order by (x.e ->> 'line')::integer, x.ord))::integer,
         (x.e ->> 'line')::integer,
         x.e ->> 'column',
         x.e ->> 'code',
         coalesce(x.e -> 'params', '{}'::jsonb),
         nullif(left(x.e ->> 'reference', 64), '')
    from jsonb_array_elements(p_errors) with ordinality as x (e, ord)
   order by (x.e ->> 'line')::integer, x.ord
   limit c_max - p_recorded;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;

revoke all on function app.record_placement_errors(uuid, integer, jsonb) from public, anon, authenticated, service_role;

-- Refuses a row: the caller's subtransaction rolls back what the row wrote.
create function app.refuse_placement_row(p_code text, p_column text default null, p_params jsonb default '{}'::jsonb)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'placement row refused: %', p_code
    using errcode = 'PT422', hint = p_code,
          detail = jsonb_build_object('column', p_column, 'params', coalesce(p_params, '{}'::jsonb))::text;
end;
$$;

revoke all on function app.refuse_placement_row(text, text, jsonb) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- One row: create the account, or bring a known one in line with the lender's figures.
-- ---------------------------------------------------------------------------------------

-- p_row (built by app/utils/placement-import.server.ts from the zod-parsed row):
--   {line, reference, customer_reference?, full_name, email?, phone?, language?, time_zone?,
--    date_of_birth?, postal_code?, product, original_creditor?, opened_on,
--    first_missed_payment_on?, charged_off_on?, itemization_date?, original_amount_minor,
--    interest_rate_bps?, principal_minor, interest_minor, fees_minor}
-- A key is absent when the file has no such column; present with null when its cell is empty.
-- Returns created | adjusted | updated | unchanged; refuses with app.refuse_placement_row.
create function app.place_account(p_import app.placement_imports, p_creditor app.creditors, p_row jsonb)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_line integer := (p_row ->> 'line')::integer;
  v_reference text := p_row ->> 'reference';
  v_account app.accounts%rowtype;
  v_placement app.account_placements%rowtype;
  v_borrower_id uuid;
  v_zone text;
  v_principal bigint := (p_row ->> 'principal_minor')::bigint;
  v_interest bigint := (p_row ->> 'interest_minor')::bigint;
  v_fees bigint := (p_row ->> 'fees_minor')::bigint;
  v_itemization date;
  v_now_principal bigint;
  v_now_interest bigint;
  v_now_fees bigint;
  v_after_principal bigint;
  v_after_interest bigint;
  v_after_fees bigint;
  v_d_principal bigint;
  v_d_interest bigint;
  v_d_fees bigint;
  v_updated boolean := false;
begin
  select a.* into v_account
    from app.accounts as a
   where a.creditor_id = p_creditor.id and a.reference = v_reference
     for update;

  if not found then
    -- A new account.
    if v_principal + v_interest + v_fees <= 0 then
      perform app.refuse_placement_row('zero_balance', 'principal_balance');
    end if;
    v_zone := coalesce(p_row ->> 'time_zone', p_creditor.time_zone);
    if not exists (select 1 from app.time_zones as z where z.name = v_zone) then
      perform app.refuse_placement_row('time_zone_unknown', 'time_zone');
    end if;
    v_itemization := coalesce((p_row ->> 'itemization_date')::date, p_import.as_of);

    if p_row ->> 'customer_reference' is not null then
      select r.borrower_id into v_borrower_id
        from app.borrower_references as r
       where r.creditor_id = p_creditor.id and r.reference = p_row ->> 'customer_reference';
    end if;
    if v_borrower_id is null then
      insert into app.borrowers
        (creditor_id, full_name, email, phone, language, time_zone, identity_check_kind, date_of_birth, postal_code)
      values
        (p_creditor.id, p_row ->> 'full_name', p_row ->> 'email', p_row ->> 'phone',
         coalesce(p_row ->> 'language', 'en'), v_zone,
         case when p_row ->> 'date_of_birth' is not null then 'date_of_birth' else 'postal_code' end,
         (p_row ->> 'date_of_birth')::date, p_row ->> 'postal_code')
      returning id into v_borrower_id;
      if p_row ->> 'customer_reference' is not null then
        insert into app.borrower_references (creditor_id, reference, borrower_id)
        values (p_creditor.id, p_row ->> 'customer_reference', v_borrower_id);
      end if;
    end if;

    insert into app.accounts
      (creditor_id, borrower_id, reference, product, original_creditor, opened_on,
       first_missed_payment_on, charged_off_on, original_amount_minor, currency,
       interest_rate_bps, itemization_date, status)
    values
      (p_creditor.id, v_borrower_id, v_reference, p_row ->> 'product', p_row ->> 'original_creditor',
       (p_row ->> 'opened_on')::date, (p_row ->> 'first_missed_payment_on')::date,
       (p_row ->> 'charged_off_on')::date, (p_row ->> 'original_amount_minor')::bigint, p_creditor.currency,
       (p_row ->> 'interest_rate_bps')::integer, v_itemization, 'open')
    returning * into v_account;

    -- What was owed on the itemization date (the first line of the borrower's statement).
    insert into app.ledger_entries
      (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency,
       effective_on, reason_code)
    select v_account.id, e.kind, e.p, e.i, e.f, e.p + e.i + e.f, v_account.currency, v_itemization,
           'placement_opening'
      from (values ('principal', v_principal, 0::bigint, 0::bigint),
                   ('interest', 0::bigint, v_interest, 0::bigint),
                   ('fee', 0::bigint, 0::bigint, v_fees)) as e (kind, p, i, f)
     where e.p + e.i + e.f > 0;

    insert into app.account_placements (account_id, as_of, import_id, line)
    values (v_account.id, p_import.as_of, p_import.id, v_line);
    return 'created';
  end if;

  -- A known account.
  select p.* into v_placement from app.account_placements as p where p.account_id = v_account.id for update;
  if found then
    if v_placement.import_id = p_import.id then
      perform app.refuse_placement_row('duplicate_reference', 'account_reference', jsonb_build_object('first_line', v_placement.line));
    end if;
    if v_placement.as_of > p_import.as_of then
      perform app.refuse_placement_row('stale_as_of', null, jsonb_build_object('as_of', v_placement.as_of::text));
    end if;
  end if;

  -- The agreement's fixed facts: a difference means another agreement under this reference.
  if v_account.opened_on <> (p_row ->> 'opened_on')::date then
    perform app.refuse_placement_row('agreement_mismatch', 'opened_on');
  end if;
  if v_account.original_amount_minor <> (p_row ->> 'original_amount_minor')::bigint then
    perform app.refuse_placement_row('agreement_mismatch', 'original_amount');
  end if;
  if p_row ->> 'itemization_date' is not null and v_account.itemization_date <> (p_row ->> 'itemization_date')::date then
    perform app.refuse_placement_row('agreement_mismatch', 'itemization_date');
  end if;

  -- Facts that move with time (days past due, charge-off, rate, product wording). A column
  -- the file does not have leaves the stored value alone.
  update app.accounts as a
     set product = p_row ->> 'product',
         original_creditor = case when p_row ? 'original_creditor' then p_row ->> 'original_creditor' else a.original_creditor end,
         first_missed_payment_on = case when p_row ? 'first_missed_payment_on' then (p_row ->> 'first_missed_payment_on')::date else a.first_missed_payment_on end,
         charged_off_on = case when p_row ? 'charged_off_on' then (p_row ->> 'charged_off_on')::date else a.charged_off_on end,
         interest_rate_bps = case when p_row ? 'interest_rate_bps' then (p_row ->> 'interest_rate_bps')::integer else a.interest_rate_bps end
   where a.id = v_account.id
     and (a.product, a.original_creditor, a.first_missed_payment_on, a.charged_off_on, a.interest_rate_bps)
         is distinct from
         (p_row ->> 'product',
          case when p_row ? 'original_creditor' then p_row ->> 'original_creditor' else a.original_creditor end,
          case when p_row ? 'first_missed_payment_on' then (p_row ->> 'first_missed_payment_on')::date else a.first_missed_payment_on end,
          case when p_row ? 'charged_off_on' then (p_row ->> 'charged_off_on')::date else a.charged_off_on end,
          case when p_row ? 'interest_rate_bps' then (p_row ->> 'interest_rate_bps')::integer else a.interest_rate_bps end);
  v_updated := found;

  -- Money: the as-of rule (header of this file, ADR 009).
  select coalesce(sum(l.principal_minor), 0)::bigint,
         coalesce(sum(l.interest_minor), 0)::bigint,
         coalesce(sum(l.fees_minor), 0)::bigint,
         coalesce(sum(l.principal_minor) filter (where l.effective_on > p_import.as_of and not coalesce(l.reason_code in ('placement_opening', 'placement_adjustment'), false)), 0)::bigint,
         coalesce(sum(l.interest_minor) filter (where l.effective_on > p_import.as_of and not coalesce(l.reason_code in ('placement_opening', 'placement_adjustment'), false)), 0)::bigint,
         coalesce(sum(l.fees_minor) filter (where l.effective_on > p_import.as_of and not coalesce(l.reason_code in ('placement_opening', 'placement_adjustment'), false)), 0)::bigint
    into v_now_principal, v_now_interest, v_now_fees, v_after_principal, v_after_interest, v_after_fees
    from app.ledger_entries as l
   where l.account_id = v_account.id;

  v_d_principal := v_principal + v_after_principal - v_now_principal;
  v_d_interest := v_interest + v_after_interest - v_now_interest;
  v_d_fees := v_fees + v_after_fees - v_now_fees;

  if v_placement.account_id is null then
    insert into app.account_placements (account_id, as_of, import_id, line)
    values (v_account.id, p_import.as_of, p_import.id, v_line);
  else
    update app.account_placements as p
       set as_of = p_import.as_of, import_id = p_import.id, line = v_line, updated_at = now()
     where p.account_id = v_account.id;
  end if;

  if v_d_principal <> 0 or v_d_interest <> 0 or v_d_fees <> 0 then
    insert into app.ledger_entries
      (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency,
       effective_on, external_ref, reason_code)
    values
      (v_account.id, 'adjustment', v_d_principal, v_d_interest, v_d_fees, v_d_principal + v_d_interest + v_d_fees,
       v_account.currency, p_import.as_of, 'placement:' || p_import.id || ':' || v_account.id, 'placement_adjustment');
    return 'adjusted';
  end if;
  return case when v_updated then 'updated' else 'unchanged' end;
end;
$$;

revoke all on function app.place_account(app.placement_imports, app.creditors, jsonb) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- A whole batch at once (the fast path).
-- ---------------------------------------------------------------------------------------

-- One row of a batch, typed (the keys of app.place_account's p_row).
create type app.placement_row as (
  line integer, reference text, customer_reference text, full_name text, email text, phone text,
  language text, time_zone text, date_of_birth date, postal_code text, product text,
  original_creditor text, opened_on date, first_missed_payment_on date, charged_off_on date,
  itemization_date date, original_amount_minor bigint, interest_rate_bps integer,
  principal_minor bigint, interest_minor bigint, fees_minor bigint
);

comment on type app.placement_row is
  'One validated row of a placement file as api.import_placement_rows receives it.';

create function app.placement_rows(p_rows jsonb)
returns setof app.placement_row
language sql
immutable
set search_path = ''
as $$
  select x.*
    from jsonb_to_recordset(p_rows) as x (
      line integer, reference text, customer_reference text, full_name text, email text, phone text,
      language text, time_zone text, date_of_birth date, postal_code text, product text,
      original_creditor text, opened_on date, first_missed_payment_on date, charged_off_on date,
      itemization_date date, original_amount_minor bigint, interest_rate_bps integer,
      principal_minor bigint, interest_minor bigint, fees_minor bigint
    );
$$;

revoke all on function app.placement_rows(jsonb) from public, anon, authenticated, service_role;

-- The same rules as app.place_account, for a whole batch in a few statements: the rows a
-- rule refuses are reported, the others are created or brought in line together. Rows whose
-- reference appears more than once in the batch are left for app.place_account, one by one
-- in line order (returned in `later`). Any other failure (a constraint of the tables) raises,
-- and the caller rolls this back and places the whole batch one row at a time.
-- Returns {created, adjusted, updated, unchanged, failed, errors: [...], later: [lines]}.
create function app.place_batch(p_import app.placement_imports, p_creditor app.creditors, p_rows jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_later integer[];
  v_new integer[];
  v_known integer[];
  v_errors jsonb;
  v_more jsonb;
  v_created integer := 0;
  v_adjusted integer := 0;
  v_updated integer := 0;
  v_unchanged integer := 0;
  v_failed integer := 0;
  v_count_failed_known integer;
  v_rows app.placement_row[];
  v_has_original_creditor boolean;
  v_has_first_missed_payment_on boolean;
  v_has_charged_off_on boolean;
  v_has_interest_rate_bps boolean;
  v_uniform boolean;
begin
  v_rows := array(select r from app.placement_rows(p_rows) as r);
  -- Which optional columns the file has: the same for every row of a file. A batch that
  -- mixes them (not from our app) goes row by row.
  select bool_and(e ? 'original_creditor'), bool_and(e ? 'first_missed_payment_on'),
         bool_and(e ? 'charged_off_on'), bool_and(e ? 'interest_rate_bps'),
         bool_and(e ? 'original_creditor') = bool_or(e ? 'original_creditor')
           and bool_and(e ? 'first_missed_payment_on') = bool_or(e ? 'first_missed_payment_on')
           and bool_and(e ? 'charged_off_on') = bool_or(e ? 'charged_off_on')
           and bool_and(e ? 'interest_rate_bps') = bool_or(e ? 'interest_rate_bps')
    into v_has_original_creditor, v_has_first_missed_payment_on, v_has_charged_off_on, v_has_interest_rate_bps, v_uniform
    from jsonb_array_elements(p_rows) as e;
  if not coalesce(v_uniform, true) then
    raise exception 'a batch whose rows have different columns'
      using errcode = '22023';
  end if;

  -- A reference twice in this batch: one by one, in line order, after the rest.
  select coalesce(array_agg(d.line), '{}')
    into v_later
    from (select r.line, count(*) over (partition by r.reference) as n from unnest(v_rows) as r) as d
   where d.n > 1;

  -- The accounts this batch touches, locked in id order (as a webhook or a decision would).
  perform 1
     from app.accounts as a
    where a.creditor_id = p_creditor.id
      and a.reference in (select r.reference from unnest(v_rows) as r)
    order by a.id
      for update;

  -- New accounts: those with nothing owed or an unknown zone are refused.
  select coalesce(array_agg(r.line) filter (where c.code is null), '{}'),
         coalesce(jsonb_agg(jsonb_build_object('line', r.line, 'column', c.col, 'code', c.code, 'params', '{}'::jsonb, 'reference', r.reference))
                    filter (where c.code is not null), '[]'::jsonb),
         count(*) filter (where c.code is not null)
    into v_new, v_errors, v_failed
    from unnest(v_rows) as r
    cross join lateral (
      select case
               when r.principal_minor + r.interest_minor + r.fees_minor <= 0 then 'zero_balance'
               when not exists (select 1 from app.time_zones as z where z.name = coalesce(r.time_zone, p_creditor.time_zone)) then 'time_zone_unknown'
             end as code,
             case
               when r.principal_minor + r.interest_minor + r.fees_minor <= 0 then 'principal_balance'
               else 'time_zone'
             end as col
    ) as c
   where not (r.line = any(v_later))
     and not exists (select 1 from app.accounts as a where a.creditor_id = p_creditor.id and a.reference = r.reference);

  -- Known accounts: a duplicate of an earlier batch, an older file or another agreement is refused.
  select coalesce(array_agg(k.line) filter (where k.code is null), '{}'),
         coalesce(jsonb_agg(jsonb_build_object('line', k.line, 'column', k.col, 'code', k.code, 'params', k.params, 'reference', k.reference))
                    filter (where k.code is not null), '[]'::jsonb),
         count(*) filter (where k.code is not null)
    into v_known, v_more, v_count_failed_known
    from (
      select r.line, r.reference,
             case
               when p.import_id = p_import.id then 'duplicate_reference'
               when p.as_of > p_import.as_of then 'stale_as_of'
               when a.opened_on <> r.opened_on or a.original_amount_minor <> r.original_amount_minor
                    or (r.itemization_date is not null and a.itemization_date <> r.itemization_date) then 'agreement_mismatch'
             end as code,
             case
               when p.import_id = p_import.id then 'account_reference'
               when p.as_of > p_import.as_of then null
               when a.opened_on <> r.opened_on then 'opened_on'
               when a.original_amount_minor <> r.original_amount_minor then 'original_amount'
               else 'itemization_date'
             end as col,
             case
               when p.import_id = p_import.id then jsonb_build_object('first_line', p.line)
               when p.as_of > p_import.as_of then jsonb_build_object('as_of', p.as_of::text)
               else '{}'::jsonb
             end as params
        from unnest(v_rows) as r
        join app.accounts as a on a.creditor_id = p_creditor.id and a.reference = r.reference
        left join app.account_placements as p on p.account_id = a.id
       where not (r.line = any(v_later))
    ) as k;
  v_errors := v_errors || v_more;
  v_failed := v_failed + v_count_failed_known;

  -- Create: one borrower per new customer reference (from its first line) or per row
  -- without one; a known customer reference keeps its borrower.
  with r as materialized (
    select r.*, gen_random_uuid() as new_borrower_id, gen_random_uuid() as account_id
      from unnest(v_rows) as r
     where r.line = any(v_new)
  ),
  known as (
    select r.line, b.borrower_id
      from r
      join app.borrower_references as b on b.creditor_id = p_creditor.id and b.reference = r.customer_reference
  ),
  -- The borrower a row belongs to: its customer reference, or the row itself.
  heads as materialized (
    select distinct on (r.borrower_key) r.*
      from (select r.*, coalesce(r.customer_reference, ':' || r.line) as borrower_key from r) as r
     where not exists (select 1 from known as k where k.line = r.line)
     order by r.borrower_key, r.line
  ),
  new_borrowers as (
    insert into app.borrowers
      (id, creditor_id, full_name, email, phone, language, time_zone, identity_check_kind, date_of_birth, postal_code)
    select h.new_borrower_id, p_creditor.id, h.full_name, h.email, h.phone, coalesce(h.language, 'en'),
           coalesce(h.time_zone, p_creditor.time_zone),
           case when h.date_of_birth is not null then 'date_of_birth' else 'postal_code' end,
           h.date_of_birth, h.postal_code
      from heads as h
  ),
  new_references as (
    insert into app.borrower_references (creditor_id, reference, borrower_id)
    select p_creditor.id, h.customer_reference, h.new_borrower_id
      from heads as h
     where h.customer_reference is not null
  ),
  placed as materialized (
    select r.*, coalesce(k.borrower_id, h.new_borrower_id) as borrower_id,
           coalesce(r.itemization_date, p_import.as_of) as itemization
      from r
      left join known as k on k.line = r.line
      left join heads as h on h.borrower_key = coalesce(r.customer_reference, ':' || r.line)
  ),
  new_accounts as (
    insert into app.accounts
      (id, creditor_id, borrower_id, reference, product, original_creditor, opened_on,
       first_missed_payment_on, charged_off_on, original_amount_minor, currency,
       interest_rate_bps, itemization_date, status)
    select p.account_id, p_creditor.id, p.borrower_id, p.reference, p.product, p.original_creditor, p.opened_on,
           p.first_missed_payment_on, p.charged_off_on, p.original_amount_minor, p_creditor.currency,
           p.interest_rate_bps, p.itemization, 'open'
      from placed as p
  ),
  opening as (
    insert into app.ledger_entries
      (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency,
       effective_on, reason_code)
    select p.account_id, e.kind, e.pr, e.it, e.fe, e.pr + e.it + e.fe, p_creditor.currency, p.itemization,
           'placement_opening'
      from placed as p
     cross join lateral (values ('principal', p.principal_minor, 0::bigint, 0::bigint),
                                ('interest', 0::bigint, p.interest_minor, 0::bigint),
                                ('fee', 0::bigint, 0::bigint, p.fees_minor)) as e (kind, pr, it, fe)
     where e.pr + e.it + e.fe > 0
  ),
  placements as (
    insert into app.account_placements (account_id, as_of, import_id, line)
    select p.account_id, p_import.as_of, p_import.id, p.line from placed as p
  )
  select count(*)::integer into v_created from placed;

  -- Bring known accounts in line: facts that move with time, then money (the as-of rule).
  with x as materialized (
    select r.*, a.id as account_id, a.currency,
           (a.product, a.original_creditor, a.first_missed_payment_on, a.charged_off_on, a.interest_rate_bps)
             is distinct from
           (r.product,
            case when v_has_original_creditor then r.original_creditor else a.original_creditor end,
            case when v_has_first_missed_payment_on then r.first_missed_payment_on else a.first_missed_payment_on end,
            case when v_has_charged_off_on then r.charged_off_on else a.charged_off_on end,
            case when v_has_interest_rate_bps then r.interest_rate_bps else a.interest_rate_bps end) as changed,
           r.principal_minor + s.after_principal - s.now_principal as d_principal,
           r.interest_minor + s.after_interest - s.now_interest as d_interest,
           r.fees_minor + s.after_fees - s.now_fees as d_fees
      from unnest(v_rows) as r
      join app.accounts as a on a.creditor_id = p_creditor.id and a.reference = r.reference
     cross join lateral (
       select coalesce(sum(l.principal_minor), 0)::bigint as now_principal,
              coalesce(sum(l.interest_minor), 0)::bigint as now_interest,
              coalesce(sum(l.fees_minor), 0)::bigint as now_fees,
              coalesce(sum(l.principal_minor) filter (where l.effective_on > p_import.as_of and not coalesce(l.reason_code in ('placement_opening', 'placement_adjustment'), false)), 0)::bigint as after_principal,
              coalesce(sum(l.interest_minor) filter (where l.effective_on > p_import.as_of and not coalesce(l.reason_code in ('placement_opening', 'placement_adjustment'), false)), 0)::bigint as after_interest,
              coalesce(sum(l.fees_minor) filter (where l.effective_on > p_import.as_of and not coalesce(l.reason_code in ('placement_opening', 'placement_adjustment'), false)), 0)::bigint as after_fees
         from app.ledger_entries as l
        where l.account_id = a.id
     ) as s
     where r.line = any(v_known)
  ),
  facts as (
    update app.accounts as a
       set product = x.product,
           original_creditor = case when v_has_original_creditor then x.original_creditor else a.original_creditor end,
           first_missed_payment_on = case when v_has_first_missed_payment_on then x.first_missed_payment_on else a.first_missed_payment_on end,
           charged_off_on = case when v_has_charged_off_on then x.charged_off_on else a.charged_off_on end,
           interest_rate_bps = case when v_has_interest_rate_bps then x.interest_rate_bps else a.interest_rate_bps end
      from x
     where a.id = x.account_id and x.changed
  ),
  adjustments as (
    insert into app.ledger_entries
      (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency,
       effective_on, external_ref, reason_code)
    select x.account_id, 'adjustment', x.d_principal, x.d_interest, x.d_fees, x.d_principal + x.d_interest + x.d_fees,
           x.currency, p_import.as_of, 'placement:' || p_import.id || ':' || x.account_id, 'placement_adjustment'
      from x
     where x.d_principal <> 0 or x.d_interest <> 0 or x.d_fees <> 0
  ),
  placements as (
    insert into app.account_placements (account_id, as_of, import_id, line)
    select x.account_id, p_import.as_of, p_import.id, x.line from x
    on conflict (account_id) do update
      set as_of = excluded.as_of, import_id = excluded.import_id, line = excluded.line, updated_at = now()
  )
  select count(*) filter (where x.d_principal <> 0 or x.d_interest <> 0 or x.d_fees <> 0)::integer,
         count(*) filter (where x.d_principal = 0 and x.d_interest = 0 and x.d_fees = 0 and x.changed)::integer,
         count(*) filter (where x.d_principal = 0 and x.d_interest = 0 and x.d_fees = 0 and not x.changed)::integer
    into v_adjusted, v_updated, v_unchanged
    from x;

  return jsonb_build_object(
    'created', v_created, 'adjusted', v_adjusted, 'updated', v_updated, 'unchanged', v_unchanged,
    'failed', v_failed, 'errors', v_errors, 'later', to_jsonb(v_later));
end;
$$;

revoke all on function app.place_batch(app.placement_imports, app.creditors, jsonb) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- api: the creditors an import or export can be for.
-- ---------------------------------------------------------------------------------------

create function api.placement_creditors()
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', c.id,
           'name', c.name,
           'currency', c.currency,
           'region', c.region,
           'time_zone', c.time_zone,
           'today', (now() at time zone c.time_zone)::date
         ) order by c.name, c.id), '[]'::jsonb)
    from app.creditors as c;
$$;

comment on function api.placement_creditors() is
  'Creditors for the import and export forms, by name: [{id, name, currency, region, time_zone, today}] (today in the creditor''s zone).';

revoke execute on function api.placement_creditors() from public, anon, authenticated;
grant execute on function api.placement_creditors() to service_role;

-- ---------------------------------------------------------------------------------------
-- api: an import from start to end.
-- ---------------------------------------------------------------------------------------

-- Registers an upload (status checking). An import of this creditor that has not moved for
-- 15 minutes is taken as interrupted (its process stopped) first.
create function api.begin_placement_import(
  p_staff_id uuid,
  p_creditor_id uuid,
  p_as_of date,
  p_file_name text,
  p_file_bytes bigint
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_creditor app.creditors%rowtype;
  v_today date;
  v_stale app.placement_imports%rowtype;
  v_import app.placement_imports%rowtype;
begin
  perform app.require_placement_staff(p_staff_id);
  select c.* into v_creditor from app.creditors as c where c.id = p_creditor_id;
  if not found then
    raise exception 'creditor not found'
      using errcode = 'PT404', hint = 'creditor_not_found';
  end if;
  v_today := (now() at time zone v_creditor.time_zone)::date;
  -- A day that has ended: the portal may still take payments today (the as-of rule).
  if p_as_of is null or p_as_of >= v_today or p_as_of < v_today - 3660 then
    raise exception 'the as-of date must be a day that has ended, within ten years'
      using errcode = 'PT422', hint = 'invalid_as_of';
  end if;
  if p_file_name is null or length(p_file_name) not between 1 and 255 or p_file_name ~ '[[:cntrl:]]'
     or p_file_bytes is null or p_file_bytes < 0 then
    raise exception 'malformed file'
      using errcode = 'PT422', hint = 'invalid_file';
  end if;

  for v_stale in
    update app.placement_imports as i
       set status = 'interrupted', failure_code = 'interrupted', finished_at = now(), updated_at = now()
     where i.creditor_id = p_creditor_id
       and i.status in ('checking', 'importing')
       and i.updated_at < now() - interval '15 minutes'
    returning i.*
  loop
    perform app.audit_placement_import(v_stale, 'system');
  end loop;

  begin
    insert into app.placement_imports (creditor_id, staff_id, as_of, file_name, file_bytes)
    values (p_creditor_id, p_staff_id, p_as_of, p_file_name, p_file_bytes)
    returning * into v_import;
  exception when unique_violation then
    raise exception 'an import of this creditor is running'
      using errcode = 'PT409', hint = 'import_running';
  end;
  return app.placement_import_json(v_import);
end;
$$;

comment on function api.begin_placement_import(uuid, uuid, date, text, bigint) is
  'Registers a placement file upload (status checking) by a supervisor or admin, for a creditor, as of a day that has ended. PT403 staff_role; PT404 creditor_not_found; PT409 import_running (one at a time per creditor); PT422 invalid_as_of, invalid_file.';

revoke execute on function api.begin_placement_import(uuid, uuid, date, text, bigint) from public, anon, authenticated;
grant execute on function api.begin_placement_import(uuid, uuid, date, text, bigint) to service_role;

-- The file was read through and its header is right: rows may now be written.
create function api.placement_import_checked(p_import_id uuid, p_file_sha256 text, p_encoding text, p_rows_total integer)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_import app.placement_imports%rowtype;
begin
  select i.* into v_import from app.placement_imports as i where i.id = p_import_id for update;
  if not found then
    raise exception 'import not found'
      using errcode = 'PT404', hint = 'import_not_found';
  end if;
  if v_import.status <> 'checking' then
    raise exception 'the import is not being checked'
      using errcode = 'PT409', hint = 'import_not_running';
  end if;
  if p_file_sha256 is null or p_file_sha256 !~ '^[0-9a-f]{64}$'
     or p_encoding is null or p_encoding not in ('utf-8', 'windows-1252')
     or p_rows_total is null or p_rows_total < 0 then
    raise exception 'malformed file summary'
      using errcode = 'PT422', hint = 'invalid_file';
  end if;
  update app.placement_imports as i
     set status = 'importing',
         file_sha256 = p_file_sha256,
         encoding = p_encoding,
         rows_total = p_rows_total,
         same_file_as = (
           select e.id from app.placement_imports as e
            where e.creditor_id = v_import.creditor_id and e.file_sha256 = p_file_sha256 and e.id <> v_import.id
            order by e.created_at, e.id
            limit 1
         ),
         updated_at = now()
   where i.id = p_import_id
  returning * into v_import;
  return app.placement_import_json(v_import);
end;
$$;

comment on function api.placement_import_checked(uuid, text, text, integer) is
  'Moves a checked import to importing with the file''s SHA-256, encoding and row count; notes an earlier import of the same bytes. PT404 import_not_found; PT409 import_not_running; PT422 invalid_file.';

revoke execute on function api.placement_import_checked(uuid, text, text, integer) from public, anon, authenticated;
grant execute on function api.placement_import_checked(uuid, text, text, integer) to service_role;

-- One batch, in one transaction: the valid rows (p_rows) placed together (app.place_batch),
-- or, for rows repeating a reference within the batch and for a batch the tables refuse as a
-- whole, one by one, each in its own subtransaction (app.place_account); the problems the app found in the other rows (p_errors: [{line, column,
-- code, params, reference}], p_failed_rows of them) and those the database found, stored in
-- line order; counts and progress. Returns this batch's counts.
create function api.import_placement_rows(
  p_import_id uuid,
  p_rows jsonb,
  p_errors jsonb,
  p_failed_rows integer,
  p_bytes_done bigint
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_import app.placement_imports%rowtype;
  v_creditor app.creditors%rowtype;
  v_row jsonb;
  v_outcome text;
  v_created integer := 0;
  v_adjusted integer := 0;
  v_updated integer := 0;
  v_unchanged integer := 0;
  v_failed integer := 0;
  v_errors jsonb := '[]'::jsonb;
  v_hint text;
  v_detail text;
  v_state text;
  v_problem jsonb;
  v_stored integer;
  v_batch jsonb;
  v_later integer[];
begin
  select i.* into v_import from app.placement_imports as i where i.id = p_import_id for update;
  if not found then
    raise exception 'import not found'
      using errcode = 'PT404', hint = 'import_not_found';
  end if;
  if v_import.status <> 'importing' then
    raise exception 'the import is not running'
      using errcode = 'PT409', hint = 'import_not_running';
  end if;
  if p_rows is null or jsonb_typeof(p_rows) <> 'array'
     or p_errors is null or jsonb_typeof(p_errors) <> 'array'
     or p_failed_rows is null or p_failed_rows < 0 or p_bytes_done is null then
    raise exception 'malformed batch'
      using errcode = 'PT422', hint = 'invalid_file';
  end if;
  select c.* into strict v_creditor from app.creditors as c where c.id = v_import.creditor_id;

  -- The whole batch at once; if the database refuses any of it, one row at a time instead.
  begin
    v_batch := app.place_batch(v_import, v_creditor, p_rows);
  exception when integrity_constraint_violation or data_exception then
    v_batch := null;
  end;
  if v_batch is null then
    select coalesce(array_agg((r.value ->> 'line')::integer), '{}') into v_later from jsonb_array_elements(p_rows) as r;
  else
    v_created := (v_batch ->> 'created')::integer;
    v_adjusted := (v_batch ->> 'adjusted')::integer;
    v_updated := (v_batch ->> 'updated')::integer;
    v_unchanged := (v_batch ->> 'unchanged')::integer;
    v_failed := (v_batch ->> 'failed')::integer;
    v_errors := v_batch -> 'errors';
    select coalesce(array_agg(l.value::integer), '{}') into v_later from jsonb_array_elements_text(v_batch -> 'later') as l;
  end if;

  -- One row at a time, in line order, each in its own subtransaction.
  for v_row in
    select r.value from jsonb_array_elements(p_rows) as r
     where (r.value ->> 'line')::integer = any(v_later)
     order by (r.value ->> 'line')::integer
  loop
    begin
      v_outcome := app.place_account(v_import, v_creditor, v_row);
      case v_outcome
        when 'created' then v_created := v_created + 1;
        when 'adjusted' then v_adjusted := v_adjusted + 1;
        when 'updated' then v_updated := v_updated + 1;
        else v_unchanged := v_unchanged + 1;
      end case;
    exception
      when sqlstate 'PT422' then
        get stacked diagnostics v_hint = pg_exception_hint, v_detail = pg_exception_detail;
        v_problem := v_detail::jsonb;
        v_failed := v_failed + 1;
        v_errors := v_errors || jsonb_build_object(
          'line', v_row -> 'line', 'column', v_problem ->> 'column', 'code', v_hint,
          'params', v_problem -> 'params', 'reference', v_row ->> 'reference');
      -- A value the checks above did not foresee (a constraint of the tables): the row is
      -- refused with the SQLSTATE, so it can be found and fixed; never half written.
      when integrity_constraint_violation or data_exception then
        get stacked diagnostics v_state = returned_sqlstate;
        v_failed := v_failed + 1;
        v_errors := v_errors || jsonb_build_object(
          'line', v_row -> 'line', 'column', null, 'code', 'row_not_accepted',
          'params', jsonb_build_object('sqlstate', v_state), 'reference', v_row ->> 'reference');
    end;
  end loop;

  -- The app's problems and the database's, in line order.
  select coalesce(jsonb_agg(x.e order by (x.e ->> 'line')::integer, x.src, x.ord), '[]'::jsonb)
    into v_errors
    from (
      select e, 1 as src, ord from jsonb_array_elements(p_errors) with ordinality as a (e, ord)
      union all
      select e, 2 as src, ord from jsonb_array_elements(v_errors) with ordinality as b (e, ord)
    ) as x;
  v_stored := app.record_placement_errors(v_import.id, v_import.errors_recorded, v_errors);

  update app.placement_imports as i
     set rows_done = i.rows_done + v_created + v_adjusted + v_updated + v_unchanged + v_failed + p_failed_rows,
         rows_created = i.rows_created + v_created,
         rows_adjusted = i.rows_adjusted + v_adjusted,
         rows_updated = i.rows_updated + v_updated,
         rows_unchanged = i.rows_unchanged + v_unchanged,
         rows_failed = i.rows_failed + v_failed + p_failed_rows,
         errors_recorded = i.errors_recorded + v_stored,
         bytes_done = greatest(i.bytes_done, least(p_bytes_done, i.file_bytes)),
         updated_at = now()
   where i.id = v_import.id;

  return jsonb_build_object(
    'created', v_created, 'adjusted', v_adjusted, 'updated', v_updated,
    'unchanged', v_unchanged, 'failed', v_failed + p_failed_rows);
end;
$$;

comment on function api.import_placement_rows(uuid, jsonb, jsonb, integer, bigint) is
  'Places one batch of validated placement rows (each all or nothing), stores the batch''s problems with their lines, and advances the import''s counts: {created, adjusted, updated, unchanged, failed}. PT404 import_not_found; PT409 import_not_running; PT422 invalid_file.';

revoke execute on function api.import_placement_rows(uuid, jsonb, jsonb, integer, bigint) from public, anon, authenticated;
grant execute on function api.import_placement_rows(uuid, jsonb, jsonb, integer, bigint) to service_role;

-- Ends an import: completed (every row read), rejected (a file or header problem found before
-- any row was written; p_errors says what) or failed (stopped part-way). Audited once.
create function api.finish_placement_import(p_import_id uuid, p_status text, p_failure_code text default null, p_errors jsonb default '[]'::jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_import app.placement_imports%rowtype;
  v_stored integer;
begin
  select i.* into v_import from app.placement_imports as i where i.id = p_import_id for update;
  if not found then
    raise exception 'import not found'
      using errcode = 'PT404', hint = 'import_not_found';
  end if;
  if p_status is null
     or not ((p_status = 'completed' and v_import.status = 'importing' and p_failure_code is null)
          or (p_status = 'rejected' and v_import.status = 'checking' and p_failure_code ~ '^[a-z][a-z0-9_]{0,62}$')
          or (p_status = 'failed' and v_import.status in ('checking', 'importing') and p_failure_code ~ '^[a-z][a-z0-9_]{0,62}$')) then
    if v_import.status in ('completed', 'rejected', 'failed', 'interrupted') then
      raise exception 'the import has ended'
        using errcode = 'PT409', hint = 'import_not_running';
    end if;
    raise exception 'malformed end of import'
      using errcode = 'PT422', hint = 'invalid_status';
  end if;
  v_stored := app.record_placement_errors(v_import.id, v_import.errors_recorded, coalesce(p_errors, '[]'::jsonb));
  update app.placement_imports as i
     set status = p_status,
         failure_code = p_failure_code,
         errors_recorded = i.errors_recorded + v_stored,
         bytes_done = case when p_status = 'completed' then i.file_bytes else i.bytes_done end,
         finished_at = now(),
         updated_at = now()
   where i.id = v_import.id
  returning * into v_import;
  perform app.audit_placement_import(v_import, 'staff');
  return app.placement_import_json(v_import);
end;
$$;

comment on function api.finish_placement_import(uuid, text, text, jsonb) is
  'Ends an import as completed, rejected (with the file or header problems) or failed, with its one audit event (placement.completed|rejected|failed: ids and counts). PT404 import_not_found; PT409 import_not_running (already ended); PT422 invalid_status.';

revoke execute on function api.finish_placement_import(uuid, text, text, jsonb) from public, anon, authenticated;
grant execute on function api.finish_placement_import(uuid, text, text, jsonb) to service_role;

-- ---------------------------------------------------------------------------------------
-- api: reading imports (the console's pages and the error report).
-- ---------------------------------------------------------------------------------------

create function api.placement_import(p_import_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_import app.placement_imports%rowtype;
begin
  select i.* into v_import from app.placement_imports as i where i.id = p_import_id;
  if not found then
    raise exception 'import not found'
      using errcode = 'PT404', hint = 'import_not_found';
  end if;
  return app.placement_import_json(v_import);
end;
$$;

comment on function api.placement_import(uuid) is
  'One placement import with its status and counts (see app.placement_import_json). PT404 import_not_found.';

revoke execute on function api.placement_import(uuid) from public, anon, authenticated;
grant execute on function api.placement_import(uuid) to service_role;

create function api.recent_placement_imports(p_limit integer default 20)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(app.placement_import_json(i) order by i.created_at desc, i.id), '[]'::jsonb)
    from (
      select * from app.placement_imports
       order by created_at desc, id
       limit least(greatest(coalesce(p_limit, 20), 1), 100)
    ) as i;
$$;

comment on function api.recent_placement_imports(integer) is
  'The latest placement imports of every creditor, newest first (at most 100).';

revoke execute on function api.recent_placement_imports(integer) from public, anon, authenticated;
grant execute on function api.recent_placement_imports(integer) to service_role;

-- A page of an import's problems in line order, after problem number p_after_seq.
create function api.placement_import_errors(p_import_id uuid, p_after_seq integer default 0, p_limit integer default 1000)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from app.placement_imports as i where i.id = p_import_id) then
    raise exception 'import not found'
      using errcode = 'PT404', hint = 'import_not_found';
  end if;
  return (
    select coalesce(jsonb_agg(jsonb_build_object(
             'seq', e.seq, 'line', e.line, 'column', e.column_name, 'code', e.code,
             'params', e.params, 'reference', e.account_reference) order by e.seq), '[]'::jsonb)
      from (
        select * from app.placement_import_errors as x
         where x.import_id = p_import_id and x.seq > coalesce(p_after_seq, 0)
         order by x.seq
         limit least(greatest(coalesce(p_limit, 1000), 1), 5000)
      ) as e
  );
end;
$$;

comment on function api.placement_import_errors(uuid, integer, integer) is
  'Problems of a placement import in line order, after problem number p_after_seq, at most p_limit (≤ 5000): [{seq, line, column, code, params, reference}]. PT404 import_not_found.';

revoke execute on function api.placement_import_errors(uuid, integer, integer) from public, anon, authenticated;
grant execute on function api.placement_import_errors(uuid, integer, integer) to service_role;

-- ---------------------------------------------------------------------------------------
-- api: the export back to the lender (issue 8 item 6).
-- ---------------------------------------------------------------------------------------

-- What the portal recorded for a creditor's accounts on the days p_from..p_to (in the
-- creditor's zone), for the lender's systems:
--   payment      ledger entries the portal posted (payments, refunds, chargebacks, credits,
--                adjustments; never what a placement file posted, which came from the lender)
--   arrangement  plans, settlements and promises and every change to them (arrangement.*,
--                installment.*, plan_offer.* audit events)
--   hardship     requests sent, decided (outcome), withdrawn; debt advice and breathing
--                space declared and ended (collection paused); never reasons or health details
--   dispute      disputes opened (kind) and resolved (outcome, reason)
--   opt_out      consents withdrawn (except health data, which is not the lender's to know)
-- Only what was recorded, append-only, in a range of days that have ended: the same range
-- gives the same rows in the same order whenever it is asked for. Ordered by the time it was
-- recorded, then source, then the source's own order; read in pages after the cursor
-- p_after ({at, rank, key} from the previous page's `next`).
create function api.lender_export_rows(
  p_creditor_id uuid,
  p_from date,
  p_to date,
  p_after jsonb default null,
  p_limit integer default 1000
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_creditor app.creditors%rowtype;
  v_today date;
  v_lo timestamptz;
  v_hi timestamptz;
  v_at timestamptz;
  v_rank integer;
  v_key text;
  v_limit integer := least(greatest(coalesce(p_limit, 1000), 1), 5000);
  v_rows jsonb;
  v_count integer;
  v_last jsonb;
begin
  select c.* into v_creditor from app.creditors as c where c.id = p_creditor_id;
  if not found then
    raise exception 'creditor not found'
      using errcode = 'PT404', hint = 'creditor_not_found';
  end if;
  v_today := (now() at time zone v_creditor.time_zone)::date;
  if p_from is null or p_to is null or p_from > p_to or p_to >= v_today or p_to - p_from > 366 then
    raise exception 'the range must be days that have ended, at most 367 of them'
      using errcode = 'PT422', hint = 'invalid_range';
  end if;
  v_lo := p_from::timestamp at time zone v_creditor.time_zone;
  v_hi := (p_to + 1)::timestamp at time zone v_creditor.time_zone;
  if p_after is not null then
    v_at := (p_after ->> 'at')::timestamptz;
    v_rank := (p_after ->> 'rank')::integer;
    v_key := p_after ->> 'key';
  else
    v_at := v_lo;
    v_rank := 0;
    v_key := '';
  end if;

  with facts as (
    select l.created_at as at, 1 as rank, lpad(l.entry_no::text, 20, '0') as key,
           'ledger:' || l.id as row_id, a.reference, 'payment' as record_type, l.kind as event,
           l.reason_code as code, l.amount_minor, l.principal_minor, l.interest_minor, l.fees_minor,
           l.currency::text as currency, l.effective_on, null::uuid as subject_id,
           null::text as arrangement_kind, null::text as frequency, null::bigint as total_minor, null::text as consent_kind
      from app.ledger_entries as l
      join app.accounts as a on a.id = l.account_id
     where a.creditor_id = p_creditor_id
       and l.created_at >= greatest(v_lo, v_at) and l.created_at < v_hi
       and not coalesce(l.reason_code in ('placement_opening', 'placement_adjustment'), false)
    union all
    select e.occurred_at, 2, lpad(e.event_no::text, 20, '0'),
           'audit:' || e.id, a.reference,
           case
             when e.action like 'arrangement.%' or e.action like 'installment.%' or e.action like 'plan_offer.%' then 'arrangement'
             when e.action like 'dispute.%' then 'dispute'
             else 'hardship'
           end,
           e.action,
           case when e.action = 'dispute.resolved' then e.metadata ->> 'outcome' else e.reason_code end,
           null::bigint, null::bigint, null::bigint, null::bigint,
           case when r.id is not null then r.currency::text end, null::date, e.subject_id,
           r.kind, r.frequency, r.total_minor, null::text
      from app.audit_events as e
      join app.accounts as a on a.id = e.account_id
      left join app.arrangements as r on e.subject_kind = 'arrangement' and r.id = e.subject_id
     where a.creditor_id = p_creditor_id
       and e.occurred_at >= greatest(v_lo, v_at) and e.occurred_at < v_hi
       and (e.action like 'arrangement.%' or e.action like 'installment.%' or e.action like 'plan_offer.%'
            or e.action in ('hardship.submitted', 'hardship.decided', 'hardship.withdrawn',
                            'debt_advice.declared', 'debt_advice.ended',
                            'dispute.opened', 'dispute.resolved'))
    union all
    select k.created_at, 3, k.id::text || ':' || a.id::text,
           'consent:' || k.id || ':' || a.id, a.reference, 'opt_out', 'consent.withdrawn', null::text,
           null::bigint, null::bigint, null::bigint, null::bigint, null::text, null::date, k.id,
           null::text, null::text, null::bigint, k.kind
      from app.consents as k
      join app.accounts as a
        on (a.id = k.account_id or (k.account_id is null and a.borrower_id = k.borrower_id))
     where a.creditor_id = p_creditor_id
       and k.action = 'withdrawn' and k.kind <> 'health_data'
       and k.created_at >= greatest(v_lo, v_at) and k.created_at < v_hi
  ),
  page as (
    select f.*
      from facts as f
     where (f.at, f.rank, f.key) > (v_at, v_rank, v_key)
     order by f.at, f.rank, f.key
     limit v_limit
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'row_id', p.row_id,
           'recorded_at', p.at,
           'recorded_on', (p.at at time zone v_creditor.time_zone)::date,
           'account_reference', p.reference,
           'record_type', p.record_type,
           'event', p.event,
           'code', p.code,
           'amount_minor', p.amount_minor,
           'principal_minor', p.principal_minor,
           'interest_minor', p.interest_minor,
           'fees_minor', p.fees_minor,
           'currency', p.currency,
           'effective_on', p.effective_on,
           'subject_id', p.subject_id,
           'arrangement_kind', p.arrangement_kind,
           'frequency', p.frequency,
           'total_minor', p.total_minor,
           'consent_kind', p.consent_kind,
           'cursor', jsonb_build_object('at', to_jsonb(p.at) #>> '{}', 'rank', p.rank, 'key', p.key)
         ) order by p.at, p.rank, p.key), '[]'::jsonb),
         count(*)::integer
    into v_rows, v_count
    from page as p;

  v_last := case when v_count = v_limit then v_rows -> (v_count - 1) -> 'cursor' end;
  return jsonb_build_object(
    'time_zone', v_creditor.time_zone,
    'rows', (select coalesce(jsonb_agg(r.value - 'cursor' order by r.ordinality), '[]'::jsonb)
               from jsonb_array_elements(v_rows) with ordinality as r),
    'next', v_last
  );
end;
$$;

comment on function api.lender_export_rows(uuid, date, date, jsonb, integer) is
  'One page (≤ 5000) of what the portal recorded for a creditor''s accounts on days p_from..p_to that have ended (creditor''s zone): payments, arrangement changes, hardship and dispute outcomes, opt-outs; the same rows in the same order for the same range. {time_zone, rows: [...], next: cursor|null}. PT404 creditor_not_found; PT422 invalid_range.';

revoke execute on function api.lender_export_rows(uuid, date, date, jsonb, integer) from public, anon, authenticated;
grant execute on function api.lender_export_rows(uuid, date, date, jsonb, integer) to service_role;

-- A staff member downloads an export: checked and audited before the first row is read.
create function api.record_lender_export(p_staff_id uuid, p_creditor_id uuid, p_from date, p_to date)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_zone text;
begin
  perform app.require_placement_staff(p_staff_id);
  select c.time_zone into v_zone from app.creditors as c where c.id = p_creditor_id;
  if not found then
    raise exception 'creditor not found'
      using errcode = 'PT404', hint = 'creditor_not_found';
  end if;
  if p_from is null or p_to is null or p_from > p_to or p_to >= (now() at time zone v_zone)::date or p_to - p_from > 366 then
    raise exception 'the range must be days that have ended, at most 367 of them'
      using errcode = 'PT422', hint = 'invalid_range';
  end if;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, metadata)
  values ('staff', p_staff_id, 'lender_export.downloaded', 'creditor', p_creditor_id,
          jsonb_build_object('from', p_from, 'to', p_to));
end;
$$;

comment on function api.record_lender_export(uuid, uuid, date, date) is
  'Checks that a supervisor or admin may export this creditor''s range and records the download (audit lender_export.downloaded, with the dates). PT403 staff_role; PT404 creditor_not_found; PT422 invalid_range.';

revoke execute on function api.record_lender_export(uuid, uuid, date, date) from public, anon, authenticated;
grant execute on function api.record_lender_export(uuid, uuid, date, date) to service_role;
