-- Staff decisions on plan requests (issue 8 item 3; ADR 010, docs/decisions/010-plan-decisions.md):
-- a request waiting for review (app.arrangements, status pending_review) is approved,
-- declined, sent to a supervisor, or answered with a counter-offer the borrower accepts or
-- declines in the portal.
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): tables in `app` with RLS on
-- and no grants; `api` functions security definer, empty search_path, fully qualified names,
-- executable by service_role alone; money in bigint minor units; audit events hold ids,
-- codes, integers, booleans and dates only: the note a staff member writes to the borrower
-- is free text, so it lives on the decision row (app.plan_decisions.note), never in the trail.
--
-- One function per decision, each one transaction with exactly one audit event:
--   api.approve_plan_request    pending_review → active (its schedule stands)
--   api.decline_plan_request    pending_review → declined (scheduled installments cancelled)
--   api.escalate_plan_request   stays pending_review; escalated_at/escalated_by recorded
--   api.counter_plan_request    pending_review → declined, with an open counter-offer
--   api.accept_plan_offer       (borrower) the counter-offer becomes an active plan, with the
--                               plan_agreement consent and its exact words
--   api.decline_plan_offer      (borrower) the counter-offer ends
-- and the reads api.plan_request_review (console), api.account_plan_offer (portal) and
-- api.plan_decision_notice (the borrower's email).
--
-- Four eyes, in the database so no request can get around it: a staff member approves (or
-- counter-offers) only when the balance AND the discount are within their
-- app.staff.approval_limit_minor; otherwise PT403 over_limit, and the request can be sent to
-- a supervisor (escalated). Once escalated, only a supervisor or an admin decides it, and
-- never the person who escalated it. Inactive (or unknown) staff: PT403 staff_forbidden.
--
-- Two decisions at once: each function locks the account, then the request (the order the
-- payment functions use), so the second waits and then finds it decided: PT409
-- already_decided. Partial unique indexes on app.plan_decisions say the same a second time.
--
-- Errors (PostgREST answers PT### with that HTTP status; the hint is the machine reason):
--   PT403 staff_forbidden, over_limit, escalated, four_eyes
--   PT404 request_not_found, account_not_found, offer_not_found
--   PT409 already_decided, already_escalated, account_not_open, balance_changed,
--         schedule_started, arrangement_exists, offer_closed, offer_expired
--   PT422 invalid_decision, invalid_offer, consent_hash_mismatch, invalid_consent

-- ---------------------------------------------------------------------------------------
-- Escalation on the request.
-- ---------------------------------------------------------------------------------------

alter table app.arrangements
  add column escalated_at timestamptz,
  add column escalated_by uuid references app.staff (id),
  add constraint arrangements_escalated_together check ((escalated_at is null) = (escalated_by is null));

comment on column app.arrangements.escalated_at is
  'When a staff member sent this request to a supervisor (four eyes: above their approval limit, or for a second opinion). From then on only a supervisor or admin, not the one who escalated, decides it.';
comment on column app.arrangements.escalated_by is
  'The staff member who sent the request to a supervisor.';

create index arrangements_escalated_by_idx on app.arrangements (escalated_by) where escalated_by is not null;

-- ---------------------------------------------------------------------------------------
-- Reason codes: a fixed list per decision (app/utils/plan-decision-codes.ts keeps the same).
-- ---------------------------------------------------------------------------------------

create function app.plan_decision_reason_is_valid(p_decision text, p_reason_code text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(case p_decision
    when 'approved' then p_reason_code in ('affordable', 'circumstances_considered', 'payment_history', 'other')
    when 'declined' then p_reason_code in ('not_affordable', 'plan_too_long', 'discount_too_large', 'needs_more_information', 'other')
    when 'countered' then p_reason_code in ('shorter_plan', 'affordable_payments', 'different_frequency', 'different_start', 'other')
    when 'escalated' then p_reason_code in ('over_limit', 'second_opinion')
    else false
  end, false);
$$;

comment on function app.plan_decision_reason_is_valid(text, text) is
  'True when the reason code is one of the fixed codes for that decision (approved, declined, countered, escalated). Mirrors app/utils/plan-decision-codes.ts.';

-- ---------------------------------------------------------------------------------------
-- Decisions and counter-offers.
-- ---------------------------------------------------------------------------------------

create table app.plan_decisions (
  id uuid primary key default gen_random_uuid(),
  arrangement_id uuid not null references app.arrangements (id),
  account_id uuid not null references app.accounts (id),
  staff_id uuid not null references app.staff (id),
  decision text not null check (decision in ('approved', 'declined', 'countered', 'escalated')),
  reason_code text not null,
  -- What the staff member wrote to the borrower, shown in the portal and the email. Free
  -- text: never copied into app.audit_events, and erasable (set to null) on request.
  note text check (length(btrim(note)) between 1 and 1000 and length(note) <= 1000),
  -- The authority used, as it was at the time (roles and limits change later).
  staff_role text not null check (staff_role in ('agent', 'supervisor', 'admin')),
  staff_limit_minor bigint not null check (staff_limit_minor >= 0),
  created_at timestamptz not null default now(),
  check (app.plan_decision_reason_is_valid(decision, reason_code)),
  -- An escalation is internal: nothing is said to the borrower.
  check (decision <> 'escalated' or note is null)
);

comment on table app.plan_decisions is
  'Staff decisions on plan requests (ADR 010): approved, declined, countered or escalated, with a fixed reason code, an optional note to the borrower, and the role and approval limit used. One final decision and at most one escalation per request. Append-only except that a note can be erased.';
comment on column app.plan_decisions.note is
  'The staff member''s words to the borrower (free text): shown to the borrower, never in the audit trail; may be set to null to erase it.';

-- The database's own word on "decided once": a second final decision cannot be stored.
create unique index plan_decisions_one_final_idx on app.plan_decisions (arrangement_id) where decision <> 'escalated';
create unique index plan_decisions_one_escalation_idx on app.plan_decisions (arrangement_id) where decision = 'escalated';
create index plan_decisions_account_idx on app.plan_decisions (account_id, created_at);
create index plan_decisions_staff_idx on app.plan_decisions (staff_id, created_at);

-- Append-only, except erasing a note: an update may only set note to null.
create function app.plan_decisions_keep()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.note is null and (to_jsonb(new) - 'note') = (to_jsonb(old) - 'note') then
    return new;
  end if;
  raise exception 'app.plan_decisions is append-only: only a note can be erased'
    using errcode = '55000',
          hint = 'Record a new decision instead.';
end;
$$;

comment on function app.plan_decisions_keep() is
  'Row trigger for app.plan_decisions: refuses any update except setting note to null (erasure).';

create trigger plan_decisions_keep
  before update on app.plan_decisions
  for each row execute function app.plan_decisions_keep();

create trigger plan_decisions_append_only
  before delete or truncate on app.plan_decisions
  for each statement execute function app.refuse_change();

create table app.plan_offers (
  id uuid primary key default gen_random_uuid(),
  -- The request it answers (declined by this counter-offer) and the decision that made it.
  request_id uuid not null unique references app.arrangements (id),
  decision_id uuid not null unique references app.plan_decisions (id),
  account_id uuid not null,
  borrower_id uuid not null,
  creditor_id uuid not null,
  currency char(3) not null,
  -- Always a payment plan of the whole balance, built by app/domain/schedule.ts.
  frequency text not null check (frequency in ('weekly', 'every_two_weeks', 'monthly')),
  balance_minor bigint not null check (balance_minor > 0 and balance_minor < 1000000000000),
  total_minor bigint not null,
  -- The payments: dates strictly increasing, amounts > 0 adding up to total_minor (checked
  -- by api.counter_plan_request).
  due_dates date[] not null,
  amounts_minor bigint[] not null,
  -- The policy rules it breaks (review severity only): staff approved them by offering it.
  policy_rules text[] not null default '{}' check (app.rule_codes_are_valid(policy_rules)),
  -- open → accepted | declined. An open offer past expires_at is expired (computed, so
  -- nothing has to run at the moment it lapses).
  status text not null default 'open' check (status in ('open', 'accepted', 'declined')),
  -- 14 days, or the end of the first payment's day if sooner (creditor's zone).
  expires_at timestamptz not null,
  responded_at timestamptz,
  -- The plan made when the borrower accepted, and the consent with the words they agreed to.
  arrangement_id uuid unique references app.arrangements (id),
  consent_id uuid references app.consents (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (total_minor = balance_minor),
  check (cardinality(due_dates) between 1 and 520 and cardinality(amounts_minor) = cardinality(due_dates)),
  check (expires_at > created_at),
  check ((status = 'open') = (responded_at is null)),
  check ((status = 'accepted') = (arrangement_id is not null)),
  check ((status = 'accepted') = (consent_id is not null)),
  foreign key (account_id, currency) references app.accounts (id, currency),
  foreign key (borrower_id, creditor_id) references app.borrowers (id, creditor_id)
);

comment on table app.plan_offers is
  'Counter-offers (ADR 010): a different payment plan staff propose for a declined request, open for 14 days (or until its first payment''s day), accepted (an active arrangement with the borrower''s consent) or declined by the borrower.';

create index plan_offers_account_idx on app.plan_offers (account_id, currency, created_at);
create index plan_offers_borrower_idx on app.plan_offers (borrower_id, creditor_id);
create index plan_offers_consent_idx on app.plan_offers (consent_id) where consent_id is not null;

alter table app.plan_decisions enable row level security;
alter table app.plan_offers enable row level security;

-- Some platforms add default grants for API roles; take back whatever arrived.
revoke all on table app.plan_decisions, app.plan_offers from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Helpers.
-- ---------------------------------------------------------------------------------------

-- The active staff member deciding; PT403 staff_forbidden for an unknown or inactive one.
create function app.plan_decider(p_staff_id uuid)
returns app.staff
language plpgsql
stable
set search_path = ''
as $$
declare
  v_staff app.staff%rowtype;
begin
  select s.* into v_staff from app.staff as s where s.id = p_staff_id;
  if not found or not v_staff.active then
    raise exception 'this staff member may not decide requests'
      using errcode = 'PT403', hint = 'staff_forbidden';
  end if;
  return v_staff;
end;
$$;

comment on function app.plan_decider(uuid) is
  'The active staff member with this id, else PT403 staff_forbidden.';

-- The reason code and note of a decision, else PT422 invalid_decision.
create function app.check_plan_decision_input(p_decision text, p_reason_code text, p_note text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if not app.plan_decision_reason_is_valid(p_decision, p_reason_code)
     or (p_note is not null and (length(btrim(p_note)) = 0 or length(p_note) > 1000)) then
    raise exception 'malformed decision'
      using errcode = 'PT422', hint = 'invalid_decision';
  end if;
end;
$$;

comment on function app.check_plan_decision_input(text, text, text) is
  'Raises PT422 invalid_decision unless the reason code is one of the decision''s codes and the note is null or 1 to 1000 characters (not blank).';

-- Locks the request's account, then the request (the payment functions' order), and returns
-- the request. PT404 request_not_found when there is none (an arrangement approved at once
-- was never a request); PT409 already_decided when it is no longer waiting for review.
create function app.lock_plan_request(p_arrangement_id uuid)
returns app.arrangements
language plpgsql
set search_path = ''
as $$
declare
  v_request app.arrangements%rowtype;
begin
  perform 1
     from app.accounts as a
     join app.arrangements as r on r.account_id = a.id
    where r.id = p_arrangement_id
      for update of a;
  select r.* into v_request
    from app.arrangements as r
   where r.id = p_arrangement_id
     and r.review_due_at is not null
     for update;
  if not found then
    raise exception 'plan request not found'
      using errcode = 'PT404', hint = 'request_not_found';
  end if;
  if v_request.status <> 'pending_review' then
    raise exception 'this request was already decided'
      using errcode = 'PT409', hint = 'already_decided';
  end if;
  return v_request;
end;
$$;

comment on function app.lock_plan_request(uuid) is
  'Locks the plan request (and its account) for a decision: the row, else PT404 request_not_found; PT409 already_decided unless it is pending_review.';

-- Four eyes: may this staff member approve (or counter-offer) amounts this large on this
-- request? PT403 escalated (an agent, after escalation), four_eyes (the one who escalated),
-- over_limit (balance or discount above their approval limit).
create function app.require_approval_authority(
  p_staff app.staff,
  p_request app.arrangements,
  p_balance_minor bigint,
  p_discount_minor bigint
)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_request.escalated_at is not null then
    if p_staff.role not in ('supervisor', 'admin') then
      raise exception 'this request is waiting for a supervisor'
        using errcode = 'PT403', hint = 'escalated';
    end if;
    if p_request.escalated_by = p_staff.id then
      raise exception 'the person who sent a request to a supervisor does not approve it'
        using errcode = 'PT403', hint = 'four_eyes';
    end if;
  end if;
  if p_balance_minor > p_staff.approval_limit_minor or p_discount_minor > p_staff.approval_limit_minor then
    raise exception 'this is above the staff member''s approval limit'
      using errcode = 'PT403', hint = 'over_limit';
  end if;
end;
$$;

comment on function app.require_approval_authority(app.staff, app.arrangements, bigint, bigint) is
  'Raises PT403 escalated (agent on an escalated request), four_eyes (the escalating staff member) or over_limit (balance or discount above approval_limit_minor); returns otherwise.';

-- Only supervisors and admins decide an escalated request (any decision).
create function app.require_decider_for(p_staff app.staff, p_request app.arrangements)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_request.escalated_at is not null and p_staff.role not in ('supervisor', 'admin') then
    raise exception 'this request is waiting for a supervisor'
      using errcode = 'PT403', hint = 'escalated';
  end if;
end;
$$;

comment on function app.require_decider_for(app.staff, app.arrangements) is
  'Raises PT403 escalated when the request was sent to a supervisor and this staff member is an agent.';

-- The account's balance now, from the ledger.
create function app.account_balance_minor(p_account_id uuid)
returns bigint
language sql
stable
set search_path = ''
as $$
  select coalesce(sum(l.amount_minor), 0)::bigint from app.ledger_entries as l where l.account_id = p_account_id;
$$;

comment on function app.account_balance_minor(uuid) is
  'The account''s balance in minor units: the sum of its ledger entries.';

-- Records the decision row; returns its id.
create function app.record_plan_decision(
  p_staff app.staff,
  p_request app.arrangements,
  p_decision text,
  p_reason_code text,
  p_note text
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_decision_id uuid;
begin
  insert into app.plan_decisions (arrangement_id, account_id, staff_id, decision, reason_code, note, staff_role, staff_limit_minor)
  values (p_request.id, p_request.account_id, p_staff.id, p_decision, p_reason_code, nullif(btrim(p_note), ''),
          p_staff.role, p_staff.approval_limit_minor)
  returning id into v_decision_id;
  return v_decision_id;
end;
$$;

comment on function app.record_plan_decision(app.staff, app.arrangements, text, text, text) is
  'Inserts one app.plan_decisions row for the request with the staff member''s role and limit at the time; returns its id.';

-- Ends a request (declined, or declined with a counter-offer): its scheduled installments
-- are cancelled. Returns how many.
create function app.end_plan_request(p_request_id uuid)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_cancelled integer;
begin
  update app.installments as i
     set status = 'cancelled'
   where i.arrangement_id = p_request_id
     and i.status = 'scheduled';
  get diagnostics v_cancelled = row_count;
  update app.arrangements as r
     set status = 'declined',
         decided_at = now(),
         ended_at = now(),
         updated_at = now()
   where r.id = p_request_id;
  return v_cancelled;
end;
$$;

comment on function app.end_plan_request(uuid) is
  'Declines a pending request: status declined, decided and ended now, scheduled installments cancelled (returns how many).';

-- An offer as the portal and the console show it: status expired when open and past its time.
create function app.plan_offer_json(p_offer app.plan_offers)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_offer.id,
    'request_id', p_offer.request_id,
    'decision_id', p_offer.decision_id,
    'account_id', p_offer.account_id,
    'status', case when p_offer.status = 'open' and p_offer.expires_at <= now() then 'expired' else p_offer.status end,
    'frequency', p_offer.frequency,
    'balance_minor', p_offer.balance_minor,
    'total_minor', p_offer.total_minor,
    'currency', p_offer.currency,
    'installments', (
      select coalesce(jsonb_agg(jsonb_build_object('due_on', i.due_on, 'amount_minor', i.amount_minor) order by i.seq), '[]'::jsonb)
        from unnest(p_offer.due_dates, p_offer.amounts_minor) with ordinality as i (due_on, amount_minor, seq)
    ),
    'policy_rules', to_jsonb(p_offer.policy_rules),
    'expires_at', p_offer.expires_at,
    'responded_at', p_offer.responded_at,
    'arrangement_id', p_offer.arrangement_id,
    'created_at', p_offer.created_at
  );
$$;

comment on function app.plan_offer_json(app.plan_offers) is
  'A counter-offer as JSON: {id, request_id, decision_id, account_id, status (open | expired | accepted | declined), frequency, balance_minor, total_minor, currency, installments [{due_on, amount_minor}], policy_rules, expires_at, responded_at, arrangement_id, created_at}.';

-- A decision as the console and the portal show it (with the staff member's name for staff).
create function app.plan_decision_json(p_decision app.plan_decisions, p_with_staff boolean)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
           'id', p_decision.id,
           'arrangement_id', p_decision.arrangement_id,
           'decision', p_decision.decision,
           'reason_code', p_decision.reason_code,
           'note', p_decision.note,
           'created_at', p_decision.created_at
         )
         || case when p_with_staff then jsonb_build_object(
              'staff', (select jsonb_build_object('id', s.id, 'full_name', s.full_name, 'role', s.role)
                          from app.staff as s where s.id = p_decision.staff_id),
              'staff_role', p_decision.staff_role,
              'staff_limit_minor', p_decision.staff_limit_minor
            ) else '{}'::jsonb end;
$$;

comment on function app.plan_decision_json(app.plan_decisions, boolean) is
  'A plan decision as JSON {id, arrangement_id, decision, reason_code, note, created_at}, plus {staff: {id, full_name, role}, staff_role, staff_limit_minor} for the console.';

revoke all on function app.plan_decision_reason_is_valid(text, text) from public, anon, authenticated, service_role;
revoke all on function app.plan_decisions_keep() from public, anon, authenticated, service_role;
revoke all on function app.plan_decider(uuid) from public, anon, authenticated, service_role;
revoke all on function app.check_plan_decision_input(text, text, text) from public, anon, authenticated, service_role;
revoke all on function app.lock_plan_request(uuid) from public, anon, authenticated, service_role;
revoke all on function app.require_approval_authority(app.staff, app.arrangements, bigint, bigint) from public, anon, authenticated, service_role;
revoke all on function app.require_decider_for(app.staff, app.arrangements) from public, anon, authenticated, service_role;
revoke all on function app.account_balance_minor(uuid) from public, anon, authenticated, service_role;
revoke all on function app.record_plan_decision(app.staff, app.arrangements, text, text, text) from public, anon, authenticated, service_role;
revoke all on function app.end_plan_request(uuid) from public, anon, authenticated, service_role;
revoke all on function app.plan_offer_json(app.plan_offers) from public, anon, authenticated, service_role;
revoke all on function app.plan_decision_json(app.plan_decisions, boolean) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- api.approve_plan_request(): yes, as asked.
-- ---------------------------------------------------------------------------------------

-- The schedule stands exactly as the borrower agreed it, so it must still be true: the
-- account open, its balance the one the request was made on (PT409 balance_changed, e.g. a
-- payment since), and no payment date already past (PT409 schedule_started). Otherwise the
-- answer is a counter-offer with today's balance and new dates.
create function api.approve_plan_request(p_staff_id uuid, p_arrangement_id uuid, p_reason_code text, p_note text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_staff app.staff%rowtype;
  v_request app.arrangements%rowtype;
  v_account app.accounts%rowtype;
  v_today date;
  v_first_due date;
  v_decision_id uuid;
begin
  v_staff := app.plan_decider(p_staff_id);
  perform app.check_plan_decision_input('approved', p_reason_code, p_note);
  v_request := app.lock_plan_request(p_arrangement_id);
  perform app.require_approval_authority(v_staff, v_request, v_request.balance_minor, v_request.discount_minor);

  select a.* into strict v_account from app.accounts as a where a.id = v_request.account_id;
  if v_account.status <> 'open' then
    raise exception 'the account is not open'
      using errcode = 'PT409', hint = 'account_not_open';
  end if;
  if app.account_balance_minor(v_account.id) <> v_request.balance_minor then
    raise exception 'the balance changed since the borrower asked'
      using errcode = 'PT409', hint = 'balance_changed';
  end if;
  select (now() at time zone c.time_zone)::date into strict v_today from app.creditors as c where c.id = v_request.creditor_id;
  select min(i.due_on) into v_first_due from app.installments as i where i.arrangement_id = v_request.id;
  if v_first_due < v_today then
    raise exception 'a payment date of this request has passed'
      using errcode = 'PT409', hint = 'schedule_started';
  end if;

  update app.arrangements as r
     set status = 'active',
         decided_at = now(),
         updated_at = now()
   where r.id = v_request.id;
  v_decision_id := app.record_plan_decision(v_staff, v_request, 'approved', p_reason_code, p_note);

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('staff', v_staff.id, 'arrangement.approved', 'arrangement', v_request.id, v_request.account_id, p_reason_code,
          jsonb_build_object(
            'decision_id', v_decision_id,
            'kind', v_request.kind,
            'balance_minor', v_request.balance_minor,
            'discount_minor', v_request.discount_minor,
            'total_minor', v_request.total_minor,
            'staff_role', v_staff.role,
            'approval_limit_minor', v_staff.approval_limit_minor,
            'escalated', v_request.escalated_at is not null,
            'note_to_borrower', p_note is not null
          ));

  return jsonb_build_object('decision_id', v_decision_id, 'arrangement_id', v_request.id, 'decision', 'approved', 'status', 'active');
end;
$$;

comment on function api.approve_plan_request(uuid, uuid, text, text) is
  'Approves a pending plan request as agreed (→ active), within the staff member''s approval limit (balance and discount), with a reason code, an optional note to the borrower and one audit event: {decision_id, arrangement_id, decision, status}. PT403 staff_forbidden, over_limit, escalated, four_eyes; PT404 request_not_found; PT409 already_decided, account_not_open, balance_changed, schedule_started; PT422 invalid_decision.';

-- ---------------------------------------------------------------------------------------
-- api.decline_plan_request(): no.
-- ---------------------------------------------------------------------------------------

create function api.decline_plan_request(p_staff_id uuid, p_arrangement_id uuid, p_reason_code text, p_note text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_staff app.staff%rowtype;
  v_request app.arrangements%rowtype;
  v_cancelled integer;
  v_decision_id uuid;
begin
  v_staff := app.plan_decider(p_staff_id);
  perform app.check_plan_decision_input('declined', p_reason_code, p_note);
  v_request := app.lock_plan_request(p_arrangement_id);
  perform app.require_decider_for(v_staff, v_request);

  v_cancelled := app.end_plan_request(v_request.id);
  v_decision_id := app.record_plan_decision(v_staff, v_request, 'declined', p_reason_code, p_note);

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('staff', v_staff.id, 'arrangement.declined', 'arrangement', v_request.id, v_request.account_id, p_reason_code,
          jsonb_build_object(
            'decision_id', v_decision_id,
            'kind', v_request.kind,
            'balance_minor', v_request.balance_minor,
            'installments_cancelled', v_cancelled,
            'staff_role', v_staff.role,
            'escalated', v_request.escalated_at is not null,
            'note_to_borrower', p_note is not null
          ));

  return jsonb_build_object('decision_id', v_decision_id, 'arrangement_id', v_request.id, 'decision', 'declined', 'status', 'declined');
end;
$$;

comment on function api.decline_plan_request(uuid, uuid, text, text) is
  'Declines a pending plan request (→ declined, scheduled installments cancelled) with a reason code, an optional note to the borrower and one audit event: {decision_id, arrangement_id, decision, status}. PT403 staff_forbidden, escalated; PT404 request_not_found; PT409 already_decided; PT422 invalid_decision.';

-- ---------------------------------------------------------------------------------------
-- api.escalate_plan_request(): send it to a supervisor.
-- ---------------------------------------------------------------------------------------

create function api.escalate_plan_request(p_staff_id uuid, p_arrangement_id uuid, p_reason_code text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_staff app.staff%rowtype;
  v_request app.arrangements%rowtype;
  v_decision_id uuid;
begin
  v_staff := app.plan_decider(p_staff_id);
  perform app.check_plan_decision_input('escalated', p_reason_code, null);
  v_request := app.lock_plan_request(p_arrangement_id);
  if v_request.escalated_at is not null then
    raise exception 'this request was already sent to a supervisor'
      using errcode = 'PT409', hint = 'already_escalated';
  end if;

  update app.arrangements as r
     set escalated_at = now(),
         escalated_by = v_staff.id,
         updated_at = now()
   where r.id = v_request.id;
  v_decision_id := app.record_plan_decision(v_staff, v_request, 'escalated', p_reason_code, null);

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('staff', v_staff.id, 'arrangement.escalated', 'arrangement', v_request.id, v_request.account_id, p_reason_code,
          jsonb_build_object(
            'decision_id', v_decision_id,
            'balance_minor', v_request.balance_minor,
            'discount_minor', v_request.discount_minor,
            'staff_role', v_staff.role,
            'approval_limit_minor', v_staff.approval_limit_minor
          ));

  return jsonb_build_object('decision_id', v_decision_id, 'arrangement_id', v_request.id, 'decision', 'escalated', 'status', 'pending_review');
end;
$$;

comment on function api.escalate_plan_request(uuid, uuid, text) is
  'Sends a pending plan request to a supervisor (escalated_at, escalated_by; reason over_limit or second_opinion) with one audit event: {decision_id, arrangement_id, decision, status}. PT403 staff_forbidden; PT404 request_not_found; PT409 already_decided, already_escalated; PT422 invalid_decision.';

-- ---------------------------------------------------------------------------------------
-- api.counter_plan_request(): no, but here is a plan we can agree.
-- ---------------------------------------------------------------------------------------

-- The console builds the plan with app/domain (schedule.ts, the plan policy check) for
-- today's balance and passes it here; this re-checks what money depends on: the balance is
-- today's (PT409 balance_changed), the payments are real dates, strictly increasing, none
-- before today in the creditor's zone, amounts > 0 adding up to the balance (PT422
-- invalid_offer). The counter-offer is subject to the same approval limit as an approval.
-- p_installments: [{"due_on": "YYYY-MM-DD", "amount_minor": n}, ...] (1 to 520).
create function api.counter_plan_request(
  p_staff_id uuid,
  p_arrangement_id uuid,
  p_reason_code text,
  p_note text,
  p_frequency text,
  p_balance_minor bigint,
  p_installments jsonb,
  p_policy_rules text[]
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c_offer_days constant integer := 14;
  v_staff app.staff%rowtype;
  v_request app.arrangements%rowtype;
  v_account app.accounts%rowtype;
  v_zone text;
  v_today date;
  v_item jsonb;
  v_due_on date;
  v_due date[] := '{}'::date[];
  v_amounts bigint[] := '{}'::bigint[];
  v_sum bigint := 0::bigint;
  v_count integer;
  v_cancelled integer;
  v_decision_id uuid;
  v_offer_id uuid;
  v_expires_at timestamptz;
begin
  v_staff := app.plan_decider(p_staff_id);
  perform app.check_plan_decision_input('countered', p_reason_code, p_note);
  if p_frequency is null or p_frequency not in ('weekly', 'every_two_weeks', 'monthly')
     or p_balance_minor is null or p_balance_minor <= 0
     or p_policy_rules is null or not app.rule_codes_are_valid(p_policy_rules)
     or p_installments is null or jsonb_typeof(p_installments) <> 'array'
     or jsonb_array_length(p_installments) not between 1 and 520 then
    raise exception 'malformed counter-offer'
      using errcode = 'PT422', hint = 'invalid_offer';
  end if;

  v_request := app.lock_plan_request(p_arrangement_id);
  perform app.require_approval_authority(v_staff, v_request, p_balance_minor, 0::bigint);

  select a.* into strict v_account from app.accounts as a where a.id = v_request.account_id;
  if v_account.status <> 'open' then
    raise exception 'the account is not open'
      using errcode = 'PT409', hint = 'account_not_open';
  end if;
  if app.account_balance_minor(v_account.id) <> p_balance_minor then
    raise exception 'the balance is not the one the counter-offer was built on'
      using errcode = 'PT409', hint = 'balance_changed';
  end if;
  select c.time_zone into strict v_zone from app.creditors as c where c.id = v_request.creditor_id;
  v_today := (now() at time zone v_zone)::date;

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
      raise exception 'malformed counter-offer payment'
        using errcode = 'PT422', hint = 'invalid_offer';
    end if;
    v_due := array_append(v_due, v_due_on);
    v_amounts := array_append(v_amounts, (v_item -> 'amount_minor')::numeric::bigint);
    v_sum := v_sum + (v_item -> 'amount_minor')::numeric::bigint;
  end loop;
  v_count := cardinality(v_due);
  if v_sum <> p_balance_minor then
    raise exception 'the payments do not add up to the balance'
      using errcode = 'PT422', hint = 'invalid_offer';
  end if;

  v_cancelled := app.end_plan_request(v_request.id);
  v_decision_id := app.record_plan_decision(v_staff, v_request, 'countered', p_reason_code, p_note);

  -- Open for c_offer_days, but never past the first payment's day: a plan cannot start late.
  v_expires_at := least(now() + make_interval(days => c_offer_days), (v_due[1] + 1)::timestamp at time zone v_zone);
  insert into app.plan_offers
    (request_id, decision_id, account_id, borrower_id, creditor_id, currency, frequency, balance_minor, total_minor,
     due_dates, amounts_minor, policy_rules, expires_at)
  values
    (v_request.id, v_decision_id, v_request.account_id, v_request.borrower_id, v_request.creditor_id, v_request.currency,
     p_frequency, p_balance_minor, p_balance_minor, v_due, v_amounts, p_policy_rules, v_expires_at)
  returning id into v_offer_id;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('staff', v_staff.id, 'arrangement.countered', 'arrangement', v_request.id, v_request.account_id, p_reason_code,
          jsonb_build_object(
            'decision_id', v_decision_id,
            'offer_id', v_offer_id,
            'frequency', p_frequency,
            'installments', v_count,
            'total_minor', p_balance_minor,
            'first_due_on', v_due[1],
            'last_due_on', v_due[v_count],
            'expires_on', (v_expires_at at time zone v_zone)::date,
            'policy_rules', cardinality(p_policy_rules),
            'installments_cancelled', v_cancelled,
            'staff_role', v_staff.role,
            'approval_limit_minor', v_staff.approval_limit_minor,
            'escalated', v_request.escalated_at is not null,
            'note_to_borrower', p_note is not null
          ));

  return jsonb_build_object('decision_id', v_decision_id, 'arrangement_id', v_request.id, 'decision', 'countered',
                            'status', 'declined', 'offer_id', v_offer_id, 'expires_at', v_expires_at);
end;
$$;

comment on function api.counter_plan_request(uuid, uuid, text, text, text, bigint, jsonb, text[]) is
  'Declines a pending plan request with a counter-offer: a payment plan of today''s balance (frequency, installments built by app/domain, the review rules it breaks), open 14 days or until its first payment''s day, within the staff member''s approval limit, with a reason code, an optional note and one audit event: {decision_id, arrangement_id, decision, status, offer_id, expires_at}. PT403 staff_forbidden, over_limit, escalated, four_eyes; PT404 request_not_found; PT409 already_decided, account_not_open, balance_changed; PT422 invalid_decision, invalid_offer.';

-- ---------------------------------------------------------------------------------------
-- The borrower answers a counter-offer.
-- ---------------------------------------------------------------------------------------

-- Accepting makes the plan, as api.agree_arrangement does: an active arrangement (the staff
-- member approved it by offering it), its installments, the plan_agreement consent with the
-- exact words shown, and one audit event. The policy rules the offer breaks stay on the
-- arrangement with the request's review time (staff reviewed it).
create function api.accept_plan_offer(p_borrower_id uuid, p_account_id uuid, p_offer_id uuid, p_consent jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_offer app.plan_offers%rowtype;
  v_account app.accounts%rowtype;
  v_request app.arrangements%rowtype;
  v_borrower app.borrowers%rowtype;
  v_today date;
  v_consent_id uuid;
  v_arrangement_id uuid;
  v_constraint text;
begin
  select a.* into v_account
    from app.accounts as a
   where a.id = p_account_id
     and a.borrower_id = p_borrower_id
     for update;
  if not found then
    raise exception 'offer not found'
      using errcode = 'PT404', hint = 'offer_not_found';
  end if;
  select o.* into v_offer
    from app.plan_offers as o
   where o.id = p_offer_id
     and o.account_id = v_account.id
     and o.borrower_id = p_borrower_id
     for update;
  if not found then
    raise exception 'offer not found'
      using errcode = 'PT404', hint = 'offer_not_found';
  end if;
  if v_offer.status <> 'open' then
    raise exception 'this offer was already answered'
      using errcode = 'PT409', hint = 'offer_closed';
  end if;
  select (now() at time zone c.time_zone)::date into strict v_today from app.creditors as c where c.id = v_offer.creditor_id;
  if v_offer.expires_at <= now() or v_offer.due_dates[1] < v_today then
    raise exception 'this offer has expired'
      using errcode = 'PT409', hint = 'offer_expired';
  end if;
  if v_account.status <> 'open' then
    raise exception 'the account is not open'
      using errcode = 'PT409', hint = 'account_not_open';
  end if;
  if app.account_balance_minor(v_account.id) <> v_offer.balance_minor then
    raise exception 'the balance changed since the offer was made'
      using errcode = 'PT409', hint = 'balance_changed';
  end if;
  if exists (
    select 1 from app.arrangements as r
     where r.account_id = v_account.id
       and r.status in ('pending_review', 'active')
  ) then
    raise exception 'this account already has a live arrangement'
      using errcode = 'PT409', hint = 'arrangement_exists';
  end if;

  select r.* into strict v_request from app.arrangements as r where r.id = v_offer.request_id;
  v_consent_id := app.record_consent(p_borrower_id, v_account.id, 'plan_agreement', p_consent);

  begin
    insert into app.arrangements
      (account_id, borrower_id, creditor_id, kind, status, frequency, balance_minor, total_minor,
       discount_bps, discount_minor, currency, agreed_on, policy_rules, review_due_at, consent_id, decided_at)
    values
      (v_account.id, p_borrower_id, v_offer.creditor_id, 'plan', 'active', v_offer.frequency, v_offer.balance_minor,
       v_offer.total_minor, 0, 0, v_offer.currency, v_today, v_offer.policy_rules,
       case when cardinality(v_offer.policy_rules) > 0 then v_request.review_due_at end, v_consent_id, now())
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
    from unnest(v_offer.due_dates, v_offer.amounts_minor) with ordinality as i (due_on, amount_minor, seq);

  update app.plan_offers as o
     set status = 'accepted',
         responded_at = now(),
         arrangement_id = v_arrangement_id,
         consent_id = v_consent_id,
         updated_at = now()
   where o.id = v_offer.id;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('borrower', p_borrower_id, 'plan_offer.accepted', 'plan_offer', v_offer.id, v_account.id,
          jsonb_build_object(
            'request_id', v_offer.request_id,
            'arrangement_id', v_arrangement_id,
            'consent_id', v_consent_id,
            'frequency', v_offer.frequency,
            'installments', cardinality(v_offer.due_dates),
            'total_minor', v_offer.total_minor,
            'first_due_on', v_offer.due_dates[1],
            'last_due_on', v_offer.due_dates[cardinality(v_offer.due_dates)]
          ));

  select b.* into strict v_borrower from app.borrowers as b where b.id = p_borrower_id;
  return jsonb_build_object(
    'offer_id', v_offer.id,
    'arrangement_id', v_arrangement_id,
    'status', 'active',
    'consent_id', v_consent_id,
    'borrower_email', v_borrower.email,
    'borrower_language', v_borrower.language
  );
end;
$$;

comment on function api.accept_plan_offer(uuid, uuid, uuid, jsonb) is
  'The borrower accepts an open counter-offer on their account: an active payment plan with its installments and the plan_agreement consent (exact words, hashed), one audit event: {offer_id, arrangement_id, status, consent_id, borrower_email, borrower_language}. PT404 offer_not_found (not theirs); PT409 offer_closed, offer_expired, account_not_open, balance_changed, arrangement_exists; PT422 consent_hash_mismatch, invalid_consent.';

create function api.decline_plan_offer(p_borrower_id uuid, p_account_id uuid, p_offer_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_offer app.plan_offers%rowtype;
begin
  select o.* into v_offer
    from app.plan_offers as o
    join app.accounts as a on a.id = o.account_id
   where o.id = p_offer_id
     and o.account_id = p_account_id
     and a.borrower_id = p_borrower_id
     and o.borrower_id = p_borrower_id
     for update of o;
  if not found then
    raise exception 'offer not found'
      using errcode = 'PT404', hint = 'offer_not_found';
  end if;
  if v_offer.status <> 'open' then
    raise exception 'this offer was already answered'
      using errcode = 'PT409', hint = 'offer_closed';
  end if;
  if v_offer.expires_at <= now() then
    raise exception 'this offer has expired'
      using errcode = 'PT409', hint = 'offer_expired';
  end if;

  update app.plan_offers as o
     set status = 'declined',
         responded_at = now(),
         updated_at = now()
   where o.id = v_offer.id
  returning * into v_offer;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('borrower', p_borrower_id, 'plan_offer.declined', 'plan_offer', v_offer.id, v_offer.account_id,
          jsonb_build_object('request_id', v_offer.request_id));

  return app.plan_offer_json(v_offer);
end;
$$;

comment on function api.decline_plan_offer(uuid, uuid, uuid) is
  'The borrower declines an open counter-offer on their account (→ declined) with one audit event: the offer JSON (app.plan_offer_json). PT404 offer_not_found; PT409 offer_closed, offer_expired.';

-- The account's latest counter-offer and the latest final decision on its requests, for My
-- plan and the offer page: {"offer": null | offer, "decision": null | {id, arrangement_id,
-- decision, reason_code, note, created_at}}. PT404 account_not_found.
create function api.account_plan_offer(p_borrower_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_offer app.plan_offers%rowtype;
  v_decision app.plan_decisions%rowtype;
  v_request jsonb;
begin
  if not exists (select 1 from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id) then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  select d.* into v_decision
    from app.plan_decisions as d
   where d.account_id = p_account_id
     and d.decision <> 'escalated'
   order by d.created_at desc, d.id
   limit 1;
  select o.* into v_offer
    from app.plan_offers as o
   where o.account_id = p_account_id
     and o.borrower_id = p_borrower_id
   order by o.created_at desc, o.id
   limit 1;
  if v_offer.id is not null then
    select jsonb_build_object(
             'kind', r.kind,
             'frequency', r.frequency,
             'total_minor', r.total_minor,
             'installments', (select count(*) from app.installments as i where i.arrangement_id = r.id),
             'first_due_on', (select min(i.due_on) from app.installments as i where i.arrangement_id = r.id),
             'last_due_on', (select max(i.due_on) from app.installments as i where i.arrangement_id = r.id)
           )
      into strict v_request
      from app.arrangements as r
     where r.id = v_offer.request_id;
  end if;
  return jsonb_build_object(
    'offer', case when v_offer.id is null then null
                  else app.plan_offer_json(v_offer) || jsonb_build_object(
                         'request', v_request,
                         'reason_code', (select d.reason_code from app.plan_decisions as d where d.id = v_offer.decision_id),
                         'note', (select d.note from app.plan_decisions as d where d.id = v_offer.decision_id)
                       ) end,
    'decision', case when v_decision.id is null then null else app.plan_decision_json(v_decision, false) end
  );
end;
$$;

comment on function api.account_plan_offer(uuid, uuid) is
  'For the borrower''s pages: the account''s latest counter-offer (app.plan_offer_json plus request {kind, frequency, total_minor, installments, first_due_on, last_due_on}, reason_code, note) and the latest final staff decision on its requests {id, arrangement_id, decision, reason_code, note, created_at}, each or null. PT404 account_not_found.';

-- ---------------------------------------------------------------------------------------
-- The console's review page.
-- ---------------------------------------------------------------------------------------

create function api.plan_request_review(p_staff_id uuid, p_arrangement_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_request app.arrangements%rowtype;
  v_account app.accounts%rowtype;
  v_creditor app.creditors%rowtype;
  v_borrower app.borrowers%rowtype;
  v_offer app.plan_offers%rowtype;
begin
  perform app.plan_decider(p_staff_id);
  select r.* into v_request
    from app.arrangements as r
   where r.id = p_arrangement_id
     and r.review_due_at is not null;
  if not found then
    raise exception 'plan request not found'
      using errcode = 'PT404', hint = 'request_not_found';
  end if;
  select a.* into strict v_account from app.accounts as a where a.id = v_request.account_id;
  select c.* into strict v_creditor from app.creditors as c where c.id = v_account.creditor_id;
  select b.* into strict v_borrower from app.borrowers as b where b.id = v_account.borrower_id;
  select o.* into v_offer from app.plan_offers as o where o.request_id = v_request.id;

  return jsonb_build_object(
    'request', jsonb_build_object(
      'id', v_request.id,
      'kind', v_request.kind,
      'status', v_request.status,
      'frequency', v_request.frequency,
      'balance_minor', v_request.balance_minor,
      'total_minor', v_request.total_minor,
      'discount_bps', v_request.discount_bps,
      'discount_minor', v_request.discount_minor,
      'currency', v_request.currency,
      'agreed_on', v_request.agreed_on,
      'created_at', v_request.created_at,
      'review_due_at', v_request.review_due_at,
      'decided_at', v_request.decided_at,
      'ended_at', v_request.ended_at,
      'policy_rules', to_jsonb(v_request.policy_rules),
      'escalated_at', v_request.escalated_at,
      'escalated_by', (select jsonb_build_object('id', s.id, 'full_name', s.full_name, 'role', s.role)
                         from app.staff as s where s.id = v_request.escalated_by),
      'installments', (
        select coalesce(jsonb_agg(jsonb_build_object('seq', i.seq, 'due_on', i.due_on, 'amount_minor', i.amount_minor, 'status', i.status)
                                  order by i.seq), '[]'::jsonb)
          from app.installments as i
         where i.arrangement_id = v_request.id
      )
    ),
    'account', jsonb_build_object(
      'id', v_account.id,
      'reference', v_account.reference,
      'product', v_account.product,
      'status', v_account.status,
      'currency', v_account.currency,
      'opened_on', v_account.opened_on,
      'original_amount_minor', v_account.original_amount_minor,
      'original_creditor', v_account.original_creditor,
      'interest_rate_bps', v_account.interest_rate_bps,
      'first_missed_payment_on', v_account.first_missed_payment_on,
      'days_past_due', app.days_past_due(v_account.status, v_account.first_missed_payment_on, v_creditor.time_zone),
      'itemization_date', v_account.itemization_date,
      'today', (now() at time zone v_creditor.time_zone)::date
    ),
    'creditor', jsonb_build_object('id', v_creditor.id, 'name', v_creditor.name, 'region', v_creditor.region,
                                   'time_zone', v_creditor.time_zone, 'plan_policy', v_creditor.plan_policy),
    'borrower', jsonb_build_object('id', v_borrower.id, 'full_name', v_borrower.full_name, 'language', v_borrower.language,
                                   'email', v_borrower.email),
    'balance', app.account_split(v_account.id),
    'ledger', (
      select coalesce(jsonb_agg(jsonb_build_object(
               'id', l.id, 'effective_on', l.effective_on, 'kind', l.kind, 'reason_code', l.reason_code,
               'principal_minor', l.principal_minor, 'interest_minor', l.interest_minor, 'fees_minor', l.fees_minor,
               'amount_minor', l.amount_minor
             ) order by l.effective_on, l.entry_no), '[]'::jsonb)
        from app.ledger_entries as l
       where l.account_id = v_account.id
    ),
    'decisions', (
      select coalesce(jsonb_agg(app.plan_decision_json(d, true) order by d.created_at, d.id), '[]'::jsonb)
        from app.plan_decisions as d
       where d.arrangement_id = v_request.id
    ),
    'offer', case when v_offer.id is null then null else app.plan_offer_json(v_offer) end,
    -- The latest income and expenditure the borrower sent with a hardship request: monthly
    -- totals only (never the health details or their words).
    'income_expenditure', (
      select jsonb_build_object('request_id', h.id, 'status', h.status, 'submitted_at', h.submitted_at,
                                'monthly_income_minor', h.monthly_income_minor,
                                'monthly_outgoings_minor', h.monthly_outgoings_minor)
        from app.hardship_requests as h
       where h.account_id = v_account.id
         and h.submitted_at is not null
         and h.monthly_income_minor is not null
         and h.monthly_outgoings_minor is not null
       order by h.submitted_at desc, h.id
       limit 1
    )
  );
end;
$$;

comment on function api.plan_request_review(uuid, uuid) is
  'What staff see to decide a plan request: {request (with installments, policy_rules, escalation), account (reference, status, days past due, today in the creditor''s zone), creditor (with plan_policy), borrower, balance {principal, interest, fees, total}, ledger entries, decisions (with staff names and notes), offer | null, income_expenditure {monthly_income_minor, monthly_outgoings_minor, ...} | null}. PT403 staff_forbidden; PT404 request_not_found.';

-- ---------------------------------------------------------------------------------------
-- What the borrower's email needs (the console never passes personal data along).
-- ---------------------------------------------------------------------------------------

create function api.plan_decision_notice(p_decision_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select app.account_notice_json(d.account_id) || jsonb_build_object(
           'decision_id', d.id,
           'arrangement_id', d.arrangement_id,
           'decision', d.decision,
           'reason_code', d.reason_code,
           'note', d.note,
           'request', jsonb_build_object(
             'kind', r.kind,
             'frequency', r.frequency,
             'total_minor', r.total_minor,
             'installments', (
               select coalesce(jsonb_agg(jsonb_build_object('due_on', i.due_on, 'amount_minor', i.amount_minor) order by i.seq), '[]'::jsonb)
                 from app.installments as i
                where i.arrangement_id = r.id
             )
           ),
           'offer', (select app.plan_offer_json(o) from app.plan_offers as o where o.decision_id = d.id)
         )
    from app.plan_decisions as d
    join app.arrangements as r on r.id = d.arrangement_id
   where d.id = p_decision_id
     and d.decision <> 'escalated';
$$;

comment on function api.plan_decision_notice(uuid) is
  'The facts of a decision the borrower is told about (approved, declined, countered) for their email: account and creditor contact, borrower email and language, reason code, note, the request''s schedule and the counter-offer; null for an escalation or an unknown id.';

-- ---------------------------------------------------------------------------------------
-- Grants: service_role alone.
-- ---------------------------------------------------------------------------------------

revoke execute on function api.approve_plan_request(uuid, uuid, text, text) from public, anon, authenticated;
revoke execute on function api.decline_plan_request(uuid, uuid, text, text) from public, anon, authenticated;
revoke execute on function api.escalate_plan_request(uuid, uuid, text) from public, anon, authenticated;
revoke execute on function api.counter_plan_request(uuid, uuid, text, text, text, bigint, jsonb, text[]) from public, anon, authenticated;
revoke execute on function api.accept_plan_offer(uuid, uuid, uuid, jsonb) from public, anon, authenticated;
revoke execute on function api.decline_plan_offer(uuid, uuid, uuid) from public, anon, authenticated;
revoke execute on function api.account_plan_offer(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.plan_request_review(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.plan_decision_notice(uuid) from public, anon, authenticated;

grant execute on function api.approve_plan_request(uuid, uuid, text, text) to service_role;
grant execute on function api.decline_plan_request(uuid, uuid, text, text) to service_role;
grant execute on function api.escalate_plan_request(uuid, uuid, text) to service_role;
grant execute on function api.counter_plan_request(uuid, uuid, text, text, text, bigint, jsonb, text[]) to service_role;
grant execute on function api.accept_plan_offer(uuid, uuid, uuid, jsonb) to service_role;
grant execute on function api.decline_plan_offer(uuid, uuid, uuid) to service_role;
grant execute on function api.account_plan_offer(uuid, uuid) to service_role;
grant execute on function api.plan_request_review(uuid, uuid) to service_role;
grant execute on function api.plan_decision_notice(uuid) to service_role;
