-- "I'm struggling" and "I don't recognise this" (issue 7; ADR 007): hardship requests and
-- disputes, and the collection pause they start.
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): tables in `app` with RLS on
-- and no grants; `api` functions security definer, empty search_path, fully qualified names,
-- executable by service_role alone; money in bigint minor units; audit events hold ids,
-- codes, integers and dates only: never what the borrower wrote, and never health details
-- (special category data), only that a health consent was given or withdrawn.
--
-- A hardship request is saved step by step as a draft (one open request per account), so a
-- borrower can stop and come back with the same session or a new link; submitting it is one
-- function: the request, its consents, a collection pause (app.collection_pauses, from
-- 20261128000600_automatic_payments.sql) and the audit event, all or nothing. A replayed
-- submit finds the request submitted and answers with it: one request, one pause.
--
-- While the pause holds, the sweep charges nothing (it checks app.collection_paused). When
-- the pause is lifted (a decision, a withdrawal, or the end of a time-limited pause), the
-- plan's payments that fell due during it move to after it: every unpaid installment due on
-- or after the pause's first day moves later by the pause's length in days, so the order and
-- the spacing stay. They are not failures, and no missed-payment message goes out.
--
-- A dispute ("I don't recognise this debt", "the amount is wrong", "I already paid", "I
-- think this is identity theft") pauses collection the same way and moves received →
-- under_review → resolved, with the outcome and its reason.
--
-- Errors (the hint is the machine reason the app maps):
--   PT404 account_not_found, request_not_found, dispute_not_found
--   PT409 account_not_open, request_open, request_not_draft, request_incomplete,
--         dispute_open, not_pausable
--   PT422 invalid_step, invalid_consent, consent_hash_mismatch, invalid_dispute

-- ---------------------------------------------------------------------------------------
-- Tables.
-- ---------------------------------------------------------------------------------------

alter table app.installments
  add column paused_days integer not null default 0 check (paused_days >= 0);

comment on column app.installments.paused_days is
  'Days this installment moved later because collection was paused (hardship, dispute): due_on = original_due_on + paused_days + any move the borrower made.';

-- A move by a pause is not a move by the borrower: it needs no moved_at. The old rule (an
-- unnamed check) is found by its definition.
do $$
declare
  v_name text;
begin
  select c.conname into strict v_name
    from pg_catalog.pg_constraint as c
   where c.conrelid = 'app.installments'::regclass
     and c.contype = 'c'
     and pg_catalog.pg_get_constraintdef(c.oid) like '%moved_at IS NOT NULL%';
  execute format('alter table app.installments drop constraint %I', v_name);
end;
$$;
alter table app.installments
  add constraint installments_moved_or_paused check (moved_at is not null or due_on = original_due_on + paused_days);

create table app.hardship_requests (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references app.accounts (id),
  borrower_id uuid not null references app.borrowers (id),
  -- draft → submitted → decided; draft or submitted → withdrawn.
  status text not null default 'draft' check (status in ('draft', 'submitted', 'decided', 'withdrawn')),
  -- What happened (codes) and, optionally, in their words.
  reasons text[] not null default '{}' check (
    reasons <@ array['job_loss', 'illness', 'bereavement', 'relationship', 'caring', 'other']::text[]
    and cardinality(reasons) <= 6
  ),
  reason_note text check (length(reason_note) between 1 and 2000),
  -- Income and expenditure as entered: [{category, amount_minor, frequency}] (app/domain/
  -- income-expenditure.ts), and the monthly figures the borrower saw when they submitted.
  ie_lines jsonb not null default '[]'::jsonb check (jsonb_typeof(ie_lines) = 'array' and jsonb_array_length(ie_lines) <= 40),
  monthly_income_minor bigint check (monthly_income_minor >= 0),
  monthly_outgoings_minor bigint check (monthly_outgoings_minor >= 0),
  -- The help asked for.
  help text check (help in ('payment_break', 'lower_payments', 'freeze_interest', 'settlement', 'not_sure')),
  break_days integer check (break_days in (30, 60, 90)),
  proposed_monthly_minor bigint check (proposed_monthly_minor > 0 and proposed_monthly_minor < 1000000000000),
  -- Health or vulnerability details: only with their own consent (kind health_data), erased
  -- when it is withdrawn.
  health_note text check (length(health_note) between 1 and 2000),
  health_consent_id uuid references app.consents (id),
  -- Which steps the borrower has saved (codes), so the form resumes where they stopped.
  steps_done text[] not null default '{}',
  submitted_at timestamptz,
  decision_due_at timestamptz,
  -- An overdue request goes to a supervisor; the pause holds.
  escalated_at timestamptz,
  decided_at timestamptz,
  outcome text check (outcome ~ '^[a-z][a-z0-9_]{0,62}$'),
  pause_id uuid references app.collection_pauses (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (health_note is null or health_consent_id is not null),
  check ((help = 'payment_break') = (break_days is not null)),
  check ((help = 'lower_payments') = (proposed_monthly_minor is not null)),
  check ((status = 'draft') = (submitted_at is null) or status = 'withdrawn'),
  check (status not in ('submitted', 'decided') or (decision_due_at is not null and pause_id is not null and help is not null)),
  check ((status = 'decided') = (decided_at is not null))
);

comment on table app.hardship_requests is
  'A borrower''s request for help (issue 7): what happened, income and expenditure, the help asked for, health details only with consent; a draft until submitted, which pauses collection until a decision.';

create unique index hardship_requests_one_open_idx on app.hardship_requests (account_id) where status in ('draft', 'submitted');
create index hardship_requests_borrower_idx on app.hardship_requests (borrower_id);
create index hardship_requests_queue_idx on app.hardship_requests (decision_due_at) where status = 'submitted';

create table app.disputes (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references app.accounts (id),
  borrower_id uuid not null references app.borrowers (id),
  kind text not null check (kind in ('not_mine', 'wrong_amount', 'already_paid', 'identity_theft')),
  details text check (length(details) between 1 and 4000),
  -- received → under_review → resolved.
  status text not null default 'received' check (status in ('received', 'under_review', 'resolved')),
  outcome text check (outcome in ('upheld', 'corrected', 'not_upheld')),
  outcome_reason text check (outcome_reason ~ '^[a-z][a-z0-9_]{0,62}$'),
  due_at timestamptz not null,
  pause_id uuid not null references app.collection_pauses (id),
  received_at timestamptz not null default now(),
  review_started_at timestamptz,
  resolved_at timestamptz,
  updated_at timestamptz not null default now(),
  check ((status = 'resolved') = (resolved_at is not null and outcome is not null and outcome_reason is not null))
);

comment on table app.disputes is
  'A borrower''s dispute of a debt (issue 7): kind, their words, received → under_review → resolved with outcome and reason; collection is paused while it is open.';

create unique index disputes_one_open_idx on app.disputes (account_id) where status <> 'resolved';
create index disputes_borrower_idx on app.disputes (borrower_id);
create index disputes_queue_idx on app.disputes (due_at) where status <> 'resolved';

alter table app.hardship_requests enable row level security;
alter table app.disputes enable row level security;
revoke all on table app.hardship_requests, app.disputes from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Pauses.
-- ---------------------------------------------------------------------------------------

-- Starts a pause on an account (caller holds the account lock).
create function app.start_collection_pause(p_account_id uuid, p_reason text, p_ends_at timestamptz)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
begin
  insert into app.collection_pauses (account_id, reason, ends_at)
  values (p_account_id, p_reason, p_ends_at)
  returning id into v_id;
  insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('system', 'collection.paused', 'collection_pause', v_id, p_account_id, p_reason,
          jsonb_build_object('ends_on', (p_ends_at at time zone 'UTC')::date));
  return v_id;
end;
$$;

-- Lifts a pause: the plan's unpaid installments due on or after the pause's first day move
-- later by the pause's length in days (in the creditor's zone), once. Returns how many moved.
create function app.lift_collection_pause(p_pause_id uuid, p_reason text)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_pause app.collection_pauses%rowtype;
  v_zone text;
  v_first date;
  v_last date;
  v_days integer;
  v_moved integer := 0;
begin
  select p.* into v_pause from app.collection_pauses as p where p.id = p_pause_id for update;
  if not found or v_pause.lifted_at is not null then
    return 0;
  end if;
  select c.time_zone into strict v_zone
    from app.accounts as a join app.creditors as c on c.id = a.creditor_id
   where a.id = v_pause.account_id;
  v_first := (v_pause.starts_at at time zone v_zone)::date;
  v_last := (least(now(), coalesce(v_pause.ends_at, now())) at time zone v_zone)::date;
  v_days := greatest(v_last - v_first, 0);

  update app.collection_pauses as p set lifted_at = now() where p.id = p_pause_id;

  -- Another pause still holding keeps the schedule where it is; the last one to lift moves it.
  if v_days > 0 and not app.collection_paused(v_pause.account_id, now()) then
    update app.installments as i
       set due_on = i.due_on + v_days,
           paused_days = i.paused_days + v_days
      from app.arrangements as r
     where r.id = i.arrangement_id
       and r.account_id = v_pause.account_id
       and r.status in ('active', 'pending_review')
       and i.status in ('scheduled', 'missed')
       and i.paid_minor < i.amount_minor
       and i.due_on >= v_first;
    get diagnostics v_moved = row_count;
  end if;

  insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('system', 'collection.resumed', 'collection_pause', p_pause_id, v_pause.account_id, p_reason,
          jsonb_build_object('paused_days', v_days, 'installments_moved', v_moved));
  return v_moved;
end;
$$;

revoke all on function app.start_collection_pause(uuid, text, timestamptz) from public, anon, authenticated, service_role;
revoke all on function app.lift_collection_pause(uuid, text) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Hardship requests: read, save a step, submit, withdraw, health consent.
-- ---------------------------------------------------------------------------------------

-- The step each income-and-expenditure category is entered on (app/domain/income-expenditure.ts
-- keeps the same lists).
create function app.ie_step_categories(p_step text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select case p_step
    when 'income' then array['earnings', 'benefits', 'pensions', 'other_income']
    when 'fixed' then array['home_and_contents', 'utilities', 'water', 'care_and_health', 'transport', 'school',
                            'pensions_and_insurance', 'professional_costs', 'other_essentials']
    when 'flexible' then array['communications_and_leisure', 'food_and_housekeeping', 'personal_costs', 'savings']
    when 'debts' then array['priority_debts', 'other_debts']
  end::text[];
$$;

-- The request as the borrower's pages show it (never another borrower's).
create function app.hardship_request_json(p_request app.hardship_requests)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_request.id,
    'account_id', p_request.account_id,
    'status', p_request.status,
    'reasons', to_jsonb(p_request.reasons),
    'reason_note', p_request.reason_note,
    'ie_lines', p_request.ie_lines,
    'monthly_income_minor', p_request.monthly_income_minor,
    'monthly_outgoings_minor', p_request.monthly_outgoings_minor,
    'help', p_request.help,
    'break_days', p_request.break_days,
    'proposed_monthly_minor', p_request.proposed_monthly_minor,
    'health_note', p_request.health_note,
    'health_shared', p_request.health_consent_id is not null and p_request.health_note is not null,
    'steps_done', to_jsonb(p_request.steps_done),
    'submitted_at', p_request.submitted_at,
    'decision_due_at', p_request.decision_due_at,
    'decided_at', p_request.decided_at,
    'outcome', p_request.outcome,
    'paused', p_request.pause_id is not null
              and exists (select 1 from app.collection_pauses as p where p.id = p_request.pause_id and p.lifted_at is null),
    'created_at', p_request.created_at,
    'updated_at', p_request.updated_at
  );
$$;

revoke all on function app.ie_step_categories(text) from public, anon, authenticated, service_role;
revoke all on function app.hardship_request_json(app.hardship_requests) from public, anon, authenticated, service_role;

-- The account's open request (draft or submitted), else its latest, else null.
create function api.account_hardship_request(p_borrower_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_request app.hardship_requests%rowtype;
begin
  if not exists (select 1 from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id) then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  select h.* into v_request
    from app.hardship_requests as h
   where h.account_id = p_account_id
   order by (h.status in ('draft', 'submitted')) desc, h.created_at desc, h.id
   limit 1;
  if not found then
    return null;
  end if;
  return app.hardship_request_json(v_request);
end;
$$;

comment on function api.account_hardship_request(uuid, uuid) is
  'The account''s open hardship request (draft or submitted), else its latest, else null: {id, account_id, status, reasons, reason_note, ie_lines, monthly_income_minor, monthly_outgoings_minor, help, break_days, proposed_monthly_minor, health_note, health_shared, steps_done, submitted_at, decision_due_at, decided_at, outcome, paused, created_at, updated_at}. PT404 account_not_found.';

-- Saves one step of the account's draft (created on the first save). p_step and p_answers:
--   reasons  {"reasons": ["job_loss", ...] (1..6), "note": "..." | null}
--   income | fixed | flexible | debts
--            {"lines": [{"category": "...", "amount_minor": 0.., "frequency": "weekly" |
--             "fortnightly" | "four_weekly" | "monthly"}]} (amount at most 10,000,000.00 per
--             period, as app/domain/income-expenditure.ts; that step's categories only;
--             they replace the step's earlier lines)
--   help     {"help": "payment_break", "break_days": 30 | 60 | 90} | {"help": "lower_payments",
--             "proposed_monthly_minor": n} | {"help": "freeze_interest" | "settlement" | "not_sure"}
--   health   {"note": "..." | null, "consent": <consent document> | null}: a note only with
--            the consent (kind health_data, its exact words); null note: nothing shared
-- PT404 account_not_found; PT409 account_not_open, request_not_draft (a submitted request is
-- open); PT422 invalid_step, consent_hash_mismatch, invalid_consent.
create function api.save_hardship_step(p_borrower_id uuid, p_account_id uuid, p_step text, p_answers jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account app.accounts%rowtype;
  v_request app.hardship_requests%rowtype;
  v_categories text[];
  v_lines jsonb;
  v_line jsonb;
  v_reasons text[];
  v_note text;
  v_help text;
  v_consent_id uuid;
begin
  select a.* into v_account from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id for update;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  if v_account.status <> 'open' then
    raise exception 'the account is not open'
      using errcode = 'PT409', hint = 'account_not_open';
  end if;
  if p_step is null or p_step not in ('reasons', 'income', 'fixed', 'flexible', 'debts', 'help', 'health')
     or p_answers is null or jsonb_typeof(p_answers) <> 'object' then
    raise exception 'malformed step'
      using errcode = 'PT422', hint = 'invalid_step';
  end if;

  select h.* into v_request from app.hardship_requests as h
   where h.account_id = v_account.id and h.status in ('draft', 'submitted');
  if found and v_request.status <> 'draft' then
    raise exception 'the request was sent already'
      using errcode = 'PT409', hint = 'request_not_draft';
  end if;
  if not found then
    insert into app.hardship_requests (account_id, borrower_id) values (v_account.id, p_borrower_id)
    returning * into v_request;
    insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id)
    values ('borrower', p_borrower_id, 'hardship.started', 'hardship_request', v_request.id, v_account.id);
  end if;

  begin
    if p_step = 'reasons' then
      if jsonb_typeof(p_answers -> 'reasons') <> 'array' then raise exception using errcode = 'PT422'; end if;
      select coalesce(array_agg(distinct r.value order by r.value), '{}') into v_reasons
        from jsonb_array_elements_text(p_answers -> 'reasons') as r (value);
      v_note := nullif(btrim(coalesce(p_answers ->> 'note', '')), '');
      if cardinality(v_reasons) = 0 then raise exception using errcode = 'PT422'; end if;
      update app.hardship_requests as h set reasons = v_reasons, reason_note = v_note where h.id = v_request.id;

    elsif p_step in ('income', 'fixed', 'flexible', 'debts') then
      v_categories := app.ie_step_categories(p_step);
      if jsonb_typeof(p_answers -> 'lines') <> 'array' then raise exception using errcode = 'PT422'; end if;
      for v_line in select l.value from jsonb_array_elements(p_answers -> 'lines') as l (value) loop
        if jsonb_typeof(v_line) <> 'object'
           or not (v_line ->> 'category' = any (v_categories))
           or not app.jsonb_is_integer_between(v_line -> 'amount_minor', 0, 1000000000)
           or coalesce(v_line ->> 'frequency', '') not in ('weekly', 'fortnightly', 'four_weekly', 'monthly')
           or exists (select 1 from jsonb_object_keys(v_line) as k where k not in ('category', 'amount_minor', 'frequency')) then
          raise exception using errcode = 'PT422';
        end if;
      end loop;
      if (select count(distinct l.value ->> 'category') from jsonb_array_elements(p_answers -> 'lines') as l (value))
         <> jsonb_array_length(p_answers -> 'lines') then
        raise exception using errcode = 'PT422';
      end if;
      select coalesce(jsonb_agg(l.value), '[]'::jsonb) into v_lines
        from jsonb_array_elements(v_request.ie_lines) as l (value)
       where not (l.value ->> 'category' = any (v_categories));
      update app.hardship_requests as h set ie_lines = v_lines || (p_answers -> 'lines') where h.id = v_request.id;

    elsif p_step = 'help' then
      v_help := p_answers ->> 'help';
      if v_help = 'payment_break' and app.jsonb_is_integer_between(p_answers -> 'break_days', 30, 90)
         and (p_answers ->> 'break_days')::int in (30, 60, 90) then
        update app.hardship_requests as h
           set help = v_help, break_days = (p_answers ->> 'break_days')::int, proposed_monthly_minor = null
         where h.id = v_request.id;
      elsif v_help = 'lower_payments' and app.jsonb_is_integer_between(p_answers -> 'proposed_monthly_minor', 1, 999999999999) then
        update app.hardship_requests as h
           set help = v_help, break_days = null, proposed_monthly_minor = (p_answers ->> 'proposed_monthly_minor')::bigint
         where h.id = v_request.id;
      elsif v_help in ('freeze_interest', 'settlement', 'not_sure') then
        update app.hardship_requests as h set help = v_help, break_days = null, proposed_monthly_minor = null where h.id = v_request.id;
      else
        raise exception using errcode = 'PT422';
      end if;

    else -- health
      v_note := nullif(btrim(coalesce(p_answers ->> 'note', '')), '');
      if v_note is null then
        update app.hardship_requests as h set health_note = null where h.id = v_request.id;
      else
        if jsonb_typeof(p_answers -> 'consent') <> 'object' then
          raise exception 'health details need their own consent'
            using errcode = 'PT422', hint = 'invalid_consent';
        end if;
        v_consent_id := app.record_consent(p_borrower_id, v_account.id, 'health_data', p_answers -> 'consent');
        update app.hardship_requests as h set health_note = v_note, health_consent_id = v_consent_id where h.id = v_request.id;
        insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
        values ('borrower', p_borrower_id, 'consent.granted', 'hardship_request', v_request.id, v_account.id,
                jsonb_build_object('consent_id', v_consent_id, 'kind', 'health_data'));
      end if;
    end if;
  exception
    when sqlstate 'PT422' then
      if sqlerrm like 'health details%' or sqlerrm like '%consent%' then
        raise;
      end if;
      raise exception 'malformed answers for step %', p_step
        using errcode = 'PT422', hint = 'invalid_step';
    when check_violation or invalid_text_representation or numeric_value_out_of_range then
      raise exception 'malformed answers for step %', p_step
        using errcode = 'PT422', hint = 'invalid_step';
  end;

  update app.hardship_requests as h
     set steps_done = (select array_agg(distinct s order by s) from unnest(h.steps_done || p_step) as s),
         updated_at = now()
   where h.id = v_request.id
  returning * into v_request;
  return app.hardship_request_json(v_request);
end;
$$;

comment on function api.save_hardship_step(uuid, uuid, text, jsonb) is
  'Saves one step (reasons, income, fixed, flexible, debts, help, health) of the account''s hardship draft, creating it on the first save; returns the request. Health details only with a health_data consent. PT404 account_not_found; PT409 account_not_open, request_not_draft; PT422 invalid_step, invalid_consent, consent_hash_mismatch.';

-- Sends the draft: it needs its reasons and its help step. The monthly figures the borrower
-- saw (computed by app/domain from the lines) and the decision day (the app's working-day
-- rule, app/domain/review-due.ts; due at the end of that day in the creditor's zone) come
-- with it. Pauses collection until a decision. A replay (the request is
-- submitted already) answers with it, outcome 'duplicate'.
-- PT404 request_not_found; PT409 request_incomplete, request_not_draft (withdrawn or decided),
-- account_not_open; PT422 invalid_step (figures or due time malformed).
create function api.submit_hardship_request(
  p_borrower_id uuid,
  p_request_id uuid,
  p_monthly_income_minor bigint,
  p_monthly_outgoings_minor bigint,
  p_decision_due_on date
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_request app.hardship_requests%rowtype;
  v_account app.accounts%rowtype;
  v_pause_id uuid;
  v_zone text;
  v_today date;
  v_due_at timestamptz;
begin
  select a.* into v_account
    from app.accounts as a join app.hardship_requests as h on h.account_id = a.id
   where h.id = p_request_id and h.borrower_id = p_borrower_id
     for update of a;
  if not found then
    raise exception 'request not found'
      using errcode = 'PT404', hint = 'request_not_found';
  end if;
  select h.* into strict v_request from app.hardship_requests as h where h.id = p_request_id for update;
  if v_request.status = 'submitted' then
    return jsonb_build_object('outcome', 'duplicate', 'request', app.hardship_request_json(v_request));
  end if;
  if v_request.status <> 'draft' then
    raise exception 'the request is not a draft'
      using errcode = 'PT409', hint = 'request_not_draft';
  end if;
  if v_account.status <> 'open' then
    raise exception 'the account is not open'
      using errcode = 'PT409', hint = 'account_not_open';
  end if;
  if not (v_request.steps_done @> array['reasons', 'help']) or v_request.help is null then
    raise exception 'the request needs what happened and the help asked for'
      using errcode = 'PT409', hint = 'request_incomplete';
  end if;
  select c.time_zone into strict v_zone from app.creditors as c where c.id = v_account.creditor_id;
  v_today := (now() at time zone v_zone)::date;
  if p_monthly_income_minor is null or p_monthly_income_minor < 0
     or p_monthly_outgoings_minor is null or p_monthly_outgoings_minor < 0
     or p_decision_due_on is null or p_decision_due_on < v_today or p_decision_due_on > v_today + 31 then
    raise exception 'malformed submission'
      using errcode = 'PT422', hint = 'invalid_step';
  end if;
  v_due_at := (p_decision_due_on + 1)::timestamp at time zone v_zone;

  v_pause_id := app.start_collection_pause(v_account.id, 'hardship', null);
  update app.hardship_requests as h
     set status = 'submitted',
         submitted_at = now(),
         monthly_income_minor = p_monthly_income_minor,
         monthly_outgoings_minor = p_monthly_outgoings_minor,
         decision_due_at = v_due_at,
         pause_id = v_pause_id,
         updated_at = now()
   where h.id = v_request.id
  returning * into v_request;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('borrower', p_borrower_id, 'hardship.submitted', 'hardship_request', v_request.id, v_account.id, v_request.help,
          jsonb_build_object('break_days', v_request.break_days, 'proposed_monthly_minor', v_request.proposed_monthly_minor,
                             'monthly_income_minor', p_monthly_income_minor, 'monthly_outgoings_minor', p_monthly_outgoings_minor,
                             'health_shared', v_request.health_note is not null,
                             'decision_due_on', p_decision_due_on,
                             'pause_id', v_pause_id));

  return jsonb_build_object('outcome', 'submitted', 'request', app.hardship_request_json(v_request));
end;
$$;

comment on function api.submit_hardship_request(uuid, uuid, bigint, bigint, date) is
  'Sends a hardship draft (needs its reasons and help steps): status submitted, the monthly figures stored, the decision due at the end of p_decision_due_on in the creditor''s zone, collection paused, audit event; a replay answers {outcome: duplicate}. {outcome: submitted | duplicate, request}. PT404 request_not_found; PT409 request_incomplete, request_not_draft, account_not_open; PT422 invalid_step.';

-- The borrower withdraws their health details: erased from the request, a withdrawn consent
-- recorded (pointing at the words they had agreed to), an audit event without the details.
create function api.withdraw_health_consent(p_borrower_id uuid, p_request_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_request app.hardship_requests%rowtype;
  v_granted app.consents%rowtype;
  v_withdrawn uuid;
begin
  select h.* into v_request from app.hardship_requests as h
   where h.id = p_request_id and h.borrower_id = p_borrower_id for update;
  if not found then
    raise exception 'request not found'
      using errcode = 'PT404', hint = 'request_not_found';
  end if;
  if v_request.health_consent_id is null then
    return app.hardship_request_json(v_request);
  end if;
  select k.* into strict v_granted from app.consents as k where k.id = v_request.health_consent_id;
  insert into app.consents (borrower_id, account_id, kind, action, text_id, text_version, text_sha256, language)
  values (p_borrower_id, v_request.account_id, 'health_data', 'withdrawn', v_granted.text_id, v_granted.text_version,
          v_granted.text_sha256, v_granted.language)
  returning id into v_withdrawn;
  update app.hardship_requests as h
     set health_note = null, health_consent_id = null, updated_at = now()
   where h.id = v_request.id
  returning * into v_request;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('borrower', p_borrower_id, 'consent.withdrawn', 'hardship_request', v_request.id, v_request.account_id,
          jsonb_build_object('consent_id', v_withdrawn, 'kind', 'health_data'));
  return app.hardship_request_json(v_request);
end;
$$;

comment on function api.withdraw_health_consent(uuid, uuid) is
  'Withdraws the health_data consent of one of the borrower''s hardship requests: the details are erased, a withdrawn consent and an audit event (without the details) recorded; returns the request. PT404 request_not_found.';

-- The borrower withdraws a draft or a submitted request; a submitted one's pause is lifted.
create function api.withdraw_hardship_request(p_borrower_id uuid, p_request_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_request app.hardship_requests%rowtype;
begin
  perform 1 from app.accounts as a join app.hardship_requests as h on h.account_id = a.id
   where h.id = p_request_id and h.borrower_id = p_borrower_id for update of a;
  select h.* into v_request from app.hardship_requests as h
   where h.id = p_request_id and h.borrower_id = p_borrower_id for update;
  if not found then
    raise exception 'request not found'
      using errcode = 'PT404', hint = 'request_not_found';
  end if;
  if v_request.status not in ('draft', 'submitted') then
    raise exception 'the request is closed'
      using errcode = 'PT409', hint = 'request_not_draft';
  end if;
  update app.hardship_requests as h set status = 'withdrawn', updated_at = now() where h.id = v_request.id
  returning * into v_request;
  if v_request.pause_id is not null then
    perform app.lift_collection_pause(v_request.pause_id, 'hardship_withdrawn');
  end if;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id)
  values ('borrower', p_borrower_id, 'hardship.withdrawn', 'hardship_request', v_request.id, v_request.account_id);
  return app.hardship_request_json(v_request);
end;
$$;

comment on function api.withdraw_hardship_request(uuid, uuid) is
  'The borrower withdraws their hardship request (draft or submitted); a submitted one''s collection pause is lifted and the plan''s payments due during it move after it. PT404 request_not_found; PT409 request_not_draft.';

-- A staff decision (the console, issue 8, builds its screens on this): the request is
-- decided with an outcome code and the pause lifted, atomically with the audit event. The
-- second of two decisions is told it was decided already (PT409 request_decided).
create function api.decide_hardship_request(p_staff_id uuid, p_request_id uuid, p_outcome text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_request app.hardship_requests%rowtype;
  v_moved integer := 0;
begin
  if not exists (select 1 from app.staff as s where s.id = p_staff_id) then
    raise exception 'staff not found'
      using errcode = 'PT404', hint = 'staff_not_found';
  end if;
  if p_outcome is null or p_outcome !~ '^[a-z][a-z0-9_]{0,62}$' then
    raise exception 'malformed outcome'
      using errcode = 'PT422', hint = 'invalid_decision';
  end if;
  perform 1 from app.accounts as a join app.hardship_requests as h on h.account_id = a.id
   where h.id = p_request_id for update of a;
  select h.* into v_request from app.hardship_requests as h where h.id = p_request_id for update;
  if not found then
    raise exception 'request not found'
      using errcode = 'PT404', hint = 'request_not_found';
  end if;
  if v_request.status <> 'submitted' then
    raise exception 'the request was decided already'
      using errcode = 'PT409', hint = 'request_decided';
  end if;
  update app.hardship_requests as h
     set status = 'decided', decided_at = now(), outcome = p_outcome, updated_at = now()
   where h.id = v_request.id
  returning * into v_request;
  v_moved := app.lift_collection_pause(v_request.pause_id, 'hardship_decided');
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('staff', p_staff_id, 'hardship.decided', 'hardship_request', v_request.id, v_request.account_id, p_outcome,
          jsonb_build_object('installments_moved', v_moved));
  return app.hardship_request_json(v_request);
end;
$$;

comment on function api.decide_hardship_request(uuid, uuid, text) is
  'Records a staff decision on a submitted hardship request (outcome code), lifts its collection pause (payments due during it move after it) and audits it. PT404 staff_not_found, request_not_found; PT409 request_decided; PT422 invalid_decision.';

-- ---------------------------------------------------------------------------------------
-- Disputes.
-- ---------------------------------------------------------------------------------------

create function app.dispute_json(p_dispute app.disputes)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_dispute.id,
    'account_id', p_dispute.account_id,
    'kind', p_dispute.kind,
    'details', p_dispute.details,
    'status', p_dispute.status,
    'outcome', p_dispute.outcome,
    'outcome_reason', p_dispute.outcome_reason,
    'due_at', p_dispute.due_at,
    'received_at', p_dispute.received_at,
    'review_started_at', p_dispute.review_started_at,
    'resolved_at', p_dispute.resolved_at
  );
$$;

revoke all on function app.dispute_json(app.disputes) from public, anon, authenticated, service_role;

-- Opens a dispute (one open per account) and pauses collection. A replay of the same
-- submission (same kind and words while one is open) answers with the open dispute.
-- PT404 account_not_found; PT409 dispute_open (a different one is open); PT422 invalid_dispute.
create function api.open_dispute(p_borrower_id uuid, p_account_id uuid, p_kind text, p_details text, p_due_on date)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account app.accounts%rowtype;
  v_dispute app.disputes%rowtype;
  v_details text := nullif(btrim(coalesce(p_details, '')), '');
  v_pause_id uuid;
  v_zone text;
  v_today date;
begin
  select a.* into v_account from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id for update;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  if p_kind is null or p_kind not in ('not_mine', 'wrong_amount', 'already_paid', 'identity_theft')
     or length(v_details) > 4000
     or p_due_on is null then
    raise exception 'malformed dispute'
      using errcode = 'PT422', hint = 'invalid_dispute';
  end if;
  select c.time_zone into strict v_zone from app.creditors as c where c.id = v_account.creditor_id;
  v_today := (now() at time zone v_zone)::date;
  if p_due_on <= v_today or p_due_on > v_today + 60 then
    raise exception 'malformed dispute'
      using errcode = 'PT422', hint = 'invalid_dispute';
  end if;
  select d.* into v_dispute from app.disputes as d where d.account_id = v_account.id and d.status <> 'resolved';
  if found then
    if v_dispute.kind = p_kind and v_dispute.details is not distinct from v_details then
      return jsonb_build_object('outcome', 'duplicate', 'dispute', app.dispute_json(v_dispute));
    end if;
    raise exception 'a dispute of this account is open'
      using errcode = 'PT409', hint = 'dispute_open';
  end if;

  v_pause_id := app.start_collection_pause(v_account.id, 'dispute', null);
  insert into app.disputes (account_id, borrower_id, kind, details, due_at, pause_id)
  values (v_account.id, p_borrower_id, p_kind, v_details, (p_due_on + 1)::timestamp at time zone v_zone, v_pause_id)
  returning * into v_dispute;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('borrower', p_borrower_id, 'dispute.opened', 'dispute', v_dispute.id, v_account.id, p_kind,
          jsonb_build_object('due_on', p_due_on, 'pause_id', v_pause_id, 'has_details', v_details is not null));
  return jsonb_build_object('outcome', 'opened', 'dispute', app.dispute_json(v_dispute));
end;
$$;

comment on function api.open_dispute(uuid, uuid, text, text, date) is
  'Opens a dispute on one of the borrower''s accounts (kind, their words, the day by which it is answered: due at its end in the creditor''s zone) and pauses collection; a replay of the same open dispute answers {outcome: duplicate}. {outcome: opened | duplicate, dispute}. PT404 account_not_found; PT409 dispute_open; PT422 invalid_dispute.';

create function api.account_disputes(p_borrower_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id) then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  return (
    select coalesce(jsonb_agg(app.dispute_json(d) order by d.received_at desc, d.id), '[]'::jsonb)
      from app.disputes as d
     where d.account_id = p_account_id
  );
end;
$$;

comment on function api.account_disputes(uuid, uuid) is
  'The account''s disputes, newest first: [{id, account_id, kind, details, status, outcome, outcome_reason, due_at, received_at, review_started_at, resolved_at}]. PT404 account_not_found.';

-- Staff move a dispute on (the console, issue 8, builds on these): under_review, then
-- resolved with an outcome and a reason code, which lifts the pause.
create function api.review_dispute(p_staff_id uuid, p_dispute_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_dispute app.disputes%rowtype;
begin
  if not exists (select 1 from app.staff as s where s.id = p_staff_id) then
    raise exception 'staff not found'
      using errcode = 'PT404', hint = 'staff_not_found';
  end if;
  update app.disputes as d
     set status = 'under_review', review_started_at = now(), updated_at = now()
   where d.id = p_dispute_id and d.status = 'received'
  returning * into v_dispute;
  if not found then
    select d.* into v_dispute from app.disputes as d where d.id = p_dispute_id;
    if not found then
      raise exception 'dispute not found'
        using errcode = 'PT404', hint = 'dispute_not_found';
    end if;
    return app.dispute_json(v_dispute);
  end if;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id)
  values ('staff', p_staff_id, 'dispute.under_review', 'dispute', v_dispute.id, v_dispute.account_id);
  return app.dispute_json(v_dispute);
end;
$$;

comment on function api.review_dispute(uuid, uuid) is
  'Staff start reviewing a received dispute (status under_review, audited); a dispute already further along is returned unchanged. PT404 staff_not_found, dispute_not_found.';

create function api.resolve_dispute(p_staff_id uuid, p_dispute_id uuid, p_outcome text, p_reason text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_dispute app.disputes%rowtype;
  v_moved integer;
begin
  if not exists (select 1 from app.staff as s where s.id = p_staff_id) then
    raise exception 'staff not found'
      using errcode = 'PT404', hint = 'staff_not_found';
  end if;
  if p_outcome is null or p_outcome not in ('upheld', 'corrected', 'not_upheld')
     or p_reason is null or p_reason !~ '^[a-z][a-z0-9_]{0,62}$' then
    raise exception 'malformed resolution'
      using errcode = 'PT422', hint = 'invalid_dispute';
  end if;
  perform 1 from app.accounts as a join app.disputes as d on d.account_id = a.id where d.id = p_dispute_id for update of a;
  select d.* into v_dispute from app.disputes as d where d.id = p_dispute_id for update;
  if not found then
    raise exception 'dispute not found'
      using errcode = 'PT404', hint = 'dispute_not_found';
  end if;
  if v_dispute.status = 'resolved' then
    raise exception 'the dispute was resolved already'
      using errcode = 'PT409', hint = 'dispute_resolved';
  end if;
  update app.disputes as d
     set status = 'resolved', outcome = p_outcome, outcome_reason = p_reason, resolved_at = now(),
         review_started_at = coalesce(d.review_started_at, now()), updated_at = now()
   where d.id = v_dispute.id
  returning * into v_dispute;
  v_moved := app.lift_collection_pause(v_dispute.pause_id, 'dispute_resolved');
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('staff', p_staff_id, 'dispute.resolved', 'dispute', v_dispute.id, v_dispute.account_id, p_reason,
          jsonb_build_object('outcome', p_outcome, 'installments_moved', v_moved));
  return app.dispute_json(v_dispute);
end;
$$;

comment on function api.resolve_dispute(uuid, uuid, text, text) is
  'Staff resolve a dispute with an outcome (upheld, corrected, not_upheld) and a reason code; the collection pause is lifted (payments due during it move after it); audited. PT404 staff_not_found, dispute_not_found; PT409 dispute_resolved; PT422 invalid_dispute.';

-- ---------------------------------------------------------------------------------------
-- Background: pauses that reached their end, requests past their due time.
-- ---------------------------------------------------------------------------------------

-- Lifts time-limited pauses whose end has come (debt advice, breathing space); returns how
-- many. Safe to run from several workers: each pause is lifted once (locked, then checked).
create function api.lift_ended_pauses()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_pause record;
  v_count integer := 0;
begin
  for v_pause in
    select p.id from app.collection_pauses as p
     where p.lifted_at is null and p.ends_at is not null and p.ends_at <= now()
     order by p.ends_at
       for update skip locked
  loop
    perform app.lift_collection_pause(v_pause.id, 'pause_ended');
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;

comment on function api.lift_ended_pauses() is
  'Lifts every time-limited collection pause whose end has come (the plan''s payments due during it move after it); returns how many. SKIP LOCKED: several workers lift each once.';

-- Submitted hardship requests past their decision time go to a supervisor (once each); the
-- pause holds. Returns how many.
create function api.escalate_overdue_hardship()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  with overdue as (
    update app.hardship_requests as h
       set escalated_at = now(), updated_at = now()
     where h.status = 'submitted' and h.escalated_at is null and h.decision_due_at <= now()
    returning h.id, h.account_id
  ), audited as (
    insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code)
    select 'system', 'hardship.escalated', 'hardship_request', o.id, o.account_id, 'decision_overdue' from overdue as o
    returning 1
  )
  select count(*)::int into v_count from audited;
  return v_count;
end;
$$;

comment on function api.escalate_overdue_hardship() is
  'Marks submitted hardship requests past their decision time as escalated to a supervisor (once each, audited); the collection pause holds. Returns how many.';

-- ---------------------------------------------------------------------------------------
-- What the confirmation emails need (the route never passes personal data along).
-- ---------------------------------------------------------------------------------------

create function app.account_notice_json(p_account_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
           'account_id', a.id,
           'currency', a.currency,
           'reference_last4', right(a.reference, 4),
           'creditor', jsonb_build_object('name', c.name, 'region', c.region, 'support_phone', c.support_phone,
                                          'support_email', c.support_email, 'time_zone', c.time_zone),
           'borrower', jsonb_build_object('email', b.email, 'language', b.language)
         )
    from app.accounts as a
    join app.creditors as c on c.id = a.creditor_id
    join app.borrowers as b on b.id = a.borrower_id
   where a.id = p_account_id;
$$;

revoke all on function app.account_notice_json(uuid) from public, anon, authenticated, service_role;

-- A submitted hardship request, for its confirmation: null unless submitted.
create function api.hardship_notice(p_request_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select app.account_notice_json(h.account_id) || jsonb_build_object(
           'request_id', h.id,
           'help', h.help,
           'break_days', h.break_days,
           'proposed_monthly_minor', h.proposed_monthly_minor,
           'decision_due_at', h.decision_due_at
         )
    from app.hardship_requests as h
   where h.id = p_request_id and h.status = 'submitted';
$$;

comment on function api.hardship_notice(uuid) is
  'The facts of a submitted hardship request for its confirmation email (help asked for, decision due time, account, creditor contact, borrower email and language), or null.';

-- An open dispute, for its confirmation: null unless it exists.
create function api.dispute_notice(p_dispute_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select app.account_notice_json(d.account_id) || jsonb_build_object(
           'dispute_id', d.id,
           'kind', d.kind,
           'due_at', d.due_at
         )
    from app.disputes as d
   where d.id = p_dispute_id;
$$;

comment on function api.dispute_notice(uuid) is
  'The facts of a dispute for its confirmation email (kind, answer due time, account, creditor contact, borrower email and language), or null.';

-- ---------------------------------------------------------------------------------------
-- Documents: PDF, JPEG or PNG (checked by their first bytes, here as in the app), at most
-- 5 MB each and 5 per request, kept in the database with the request they support.
-- ---------------------------------------------------------------------------------------

create table app.request_documents (
  id uuid primary key default gen_random_uuid(),
  borrower_id uuid not null references app.borrowers (id),
  account_id uuid not null references app.accounts (id),
  hardship_request_id uuid references app.hardship_requests (id),
  dispute_id uuid references app.disputes (id),
  -- The name the borrower's file had, cleaned (no path, at most 200 characters).
  filename text not null check (length(filename) between 1 and 200 and filename !~ '[/\\[:cntrl:]]'),
  content_type text not null check (content_type in ('application/pdf', 'image/jpeg', 'image/png')),
  size_bytes integer not null check (size_bytes between 1 and 5242880),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  content bytea not null,
  created_at timestamptz not null default now(),
  check ((hardship_request_id is null) <> (dispute_id is null)),
  check (octet_length(content) = size_bytes)
);

comment on table app.request_documents is
  'Documents a borrower sent with a hardship request or a dispute: PDF, JPEG or PNG (checked by content), at most 5 MB each and 5 per request.';

create index request_documents_hardship_idx on app.request_documents (hardship_request_id) where hardship_request_id is not null;
create index request_documents_dispute_idx on app.request_documents (dispute_id) where dispute_id is not null;
create index request_documents_borrower_idx on app.request_documents (borrower_id);

alter table app.request_documents enable row level security;
revoke all on table app.request_documents from public, anon, authenticated, service_role;

-- The content type the bytes really are, or null.
create function app.sniff_document_type(p_content bytea)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when substring(p_content from 1 for 5) = '\x255044462d'::bytea then 'application/pdf'
    when substring(p_content from 1 for 3) = '\xffd8ff'::bytea then 'image/jpeg'
    when substring(p_content from 1 for 8) = '\x89504e470d0a1a0a'::bytea then 'image/png'
  end;
$$;

revoke all on function app.sniff_document_type(bytea) from public, anon, authenticated, service_role;

-- Adds a document to one of the borrower's requests: p_kind 'hardship' (a draft or a sent
-- request) or 'dispute' (an open one); p_content_base64 the file. The type is what the bytes
-- are, never what the name says. PT404 request_not_found; PT409 too_many_documents,
-- request_closed; PT422 invalid_document.
create function api.add_request_document(
  p_borrower_id uuid,
  p_kind text,
  p_request_id uuid,
  p_filename text,
  p_content_base64 text
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account_id uuid;
  v_status text;
  v_content bytea;
  v_type text;
  v_count integer;
  v_id uuid;
  v_filename text := btrim(regexp_replace(coalesce(p_filename, ''), '^.*[/\\]', ''));
begin
  if p_kind = 'hardship' then
    select h.account_id, h.status into v_account_id, v_status
      from app.hardship_requests as h where h.id = p_request_id and h.borrower_id = p_borrower_id for update;
    if found and v_status not in ('draft', 'submitted') then
      raise exception 'the request is closed' using errcode = 'PT409', hint = 'request_closed';
    end if;
  elsif p_kind = 'dispute' then
    select d.account_id, d.status into v_account_id, v_status
      from app.disputes as d where d.id = p_request_id and d.borrower_id = p_borrower_id for update;
    if found and v_status = 'resolved' then
      raise exception 'the dispute is resolved' using errcode = 'PT409', hint = 'request_closed';
    end if;
  end if;
  if v_account_id is null then
    raise exception 'request not found' using errcode = 'PT404', hint = 'request_not_found';
  end if;

  begin
    v_content := decode(coalesce(p_content_base64, ''), 'base64');
  exception
    when others then
      raise exception 'not a file' using errcode = 'PT422', hint = 'invalid_document';
  end;
  v_type := app.sniff_document_type(v_content);
  v_filename := regexp_replace(v_filename, '[[:cntrl:]]', '', 'g');
  if v_type is null or octet_length(v_content) < 1 or octet_length(v_content) > 5242880
     or length(v_filename) not between 1 and 200 then
    raise exception 'not a PDF, JPEG or PNG of at most 5 MB' using errcode = 'PT422', hint = 'invalid_document';
  end if;

  select count(*)::int into v_count from app.request_documents as r
   where (p_kind = 'hardship' and r.hardship_request_id = p_request_id) or (p_kind = 'dispute' and r.dispute_id = p_request_id);
  if v_count >= 5 then
    raise exception 'five documents already' using errcode = 'PT409', hint = 'too_many_documents';
  end if;

  insert into app.request_documents (borrower_id, account_id, hardship_request_id, dispute_id, filename, content_type, size_bytes, sha256, content)
  values (p_borrower_id, v_account_id,
          case when p_kind = 'hardship' then p_request_id end, case when p_kind = 'dispute' then p_request_id end,
          v_filename, v_type, octet_length(v_content), encode(sha256(v_content), 'hex'), v_content)
  returning id into v_id;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('borrower', p_borrower_id, 'document.added', 'request_document', v_id, v_account_id,
          jsonb_build_object('request_id', p_request_id, 'kind', p_kind, 'size_bytes', octet_length(v_content),
                             'content_type', replace(v_type, '/', '.')));
  return jsonb_build_object('id', v_id, 'filename', v_filename, 'content_type', v_type, 'size_bytes', octet_length(v_content));
end;
$$;

comment on function api.add_request_document(uuid, text, uuid, text, text) is
  'Adds a PDF, JPEG or PNG (by its first bytes; at most 5 MB, 5 per request) to one of the borrower''s hardship requests or open disputes: {id, filename, content_type, size_bytes}. PT404 request_not_found; PT409 too_many_documents, request_closed; PT422 invalid_document.';

-- The documents of one of the borrower's requests (no content).
create function api.request_documents(p_borrower_id uuid, p_kind text, p_request_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'filename', r.filename, 'content_type', r.content_type,
                                               'size_bytes', r.size_bytes, 'created_at', r.created_at)
                            order by r.created_at, r.id), '[]'::jsonb)
    from app.request_documents as r
   where r.borrower_id = p_borrower_id
     and ((p_kind = 'hardship' and r.hardship_request_id = p_request_id) or (p_kind = 'dispute' and r.dispute_id = p_request_id));
$$;

comment on function api.request_documents(uuid, text, uuid) is
  'The documents (id, filename, content_type, size_bytes, created_at; never the content) of one of the borrower''s requests; another borrower''s request lists nothing.';

-- One of the borrower's documents, to download: null for anyone else's.
create function api.request_document_content(p_borrower_id uuid, p_document_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('filename', r.filename, 'content_type', r.content_type, 'content_base64', encode(r.content, 'base64'))
    from app.request_documents as r
   where r.id = p_document_id and r.borrower_id = p_borrower_id;
$$;

comment on function api.request_document_content(uuid, uuid) is
  'One of the borrower''s documents with its content (base64) for download, or null (another borrower''s, or none).';

-- ---------------------------------------------------------------------------------------
-- Grants: service_role alone.
-- ---------------------------------------------------------------------------------------

revoke execute on function api.account_hardship_request(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.save_hardship_step(uuid, uuid, text, jsonb) from public, anon, authenticated;
revoke execute on function api.submit_hardship_request(uuid, uuid, bigint, bigint, date) from public, anon, authenticated;
revoke execute on function api.withdraw_health_consent(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.withdraw_hardship_request(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.decide_hardship_request(uuid, uuid, text) from public, anon, authenticated;
revoke execute on function api.open_dispute(uuid, uuid, text, text, date) from public, anon, authenticated;
revoke execute on function api.account_disputes(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.review_dispute(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.resolve_dispute(uuid, uuid, text, text) from public, anon, authenticated;
revoke execute on function api.lift_ended_pauses() from public, anon, authenticated;
revoke execute on function api.escalate_overdue_hardship() from public, anon, authenticated;
revoke execute on function api.hardship_notice(uuid) from public, anon, authenticated;
revoke execute on function api.dispute_notice(uuid) from public, anon, authenticated;
revoke execute on function api.add_request_document(uuid, text, uuid, text, text) from public, anon, authenticated;
revoke execute on function api.request_documents(uuid, text, uuid) from public, anon, authenticated;
revoke execute on function api.request_document_content(uuid, uuid) from public, anon, authenticated;

grant execute on function api.account_hardship_request(uuid, uuid) to service_role;
grant execute on function api.save_hardship_step(uuid, uuid, text, jsonb) to service_role;
grant execute on function api.submit_hardship_request(uuid, uuid, bigint, bigint, date) to service_role;
grant execute on function api.withdraw_health_consent(uuid, uuid) to service_role;
grant execute on function api.withdraw_hardship_request(uuid, uuid) to service_role;
grant execute on function api.decide_hardship_request(uuid, uuid, text) to service_role;
grant execute on function api.open_dispute(uuid, uuid, text, text, date) to service_role;
grant execute on function api.account_disputes(uuid, uuid) to service_role;
grant execute on function api.review_dispute(uuid, uuid) to service_role;
grant execute on function api.resolve_dispute(uuid, uuid, text, text) to service_role;
grant execute on function api.lift_ended_pauses() to service_role;
grant execute on function api.escalate_overdue_hardship() to service_role;
grant execute on function api.hardship_notice(uuid) to service_role;
grant execute on function api.dispute_notice(uuid) to service_role;
grant execute on function api.add_request_document(uuid, text, uuid, text, text) to service_role;
grant execute on function api.request_documents(uuid, text, uuid) to service_role;
grant execute on function api.request_document_content(uuid, uuid) to service_role;
