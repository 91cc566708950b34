-- Staff decisions on hardship requests and disputes (issue 8 item 3; issue 7 items 1 and 5;
-- ADR 011, docs/decisions/011-request-decisions.md), "tell us once" vulnerability notes, the
-- console's reads of one request, and staff downloads of a request's documents.
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): tables in `app` with RLS on
-- and no grants; `api` functions security definer, empty search_path, fully qualified names,
-- executable by service_role alone; money in bigint minor units; audit events hold ids,
-- codes, integers, booleans and dates only. The note a staff member writes to the borrower
-- is free text: it lives on the request row (decision_note, outcome_note), never in the trail.
--
-- One function per decision, each one transaction with exactly one staff audit event:
--   api.staff_decide_hardship    submitted → decided, with an outcome, its terms, a reason
--                                code and an optional note to the borrower
--   api.staff_escalate_hardship  stays submitted; sent to a supervisor (four eyes)
--   api.review_dispute           received → under_review (replaced: active staff only, who)
--   api.staff_resolve_dispute    → resolved: upheld | corrected | not_upheld, reason, note
-- A decision also changes the collection pause it ends or limits; lifting a pause writes its
-- own system event (collection.resumed), as every lift does (ADR 007).
--
-- Hardship outcomes and what happens to the pause (ADR 011):
--   payment_break    N days (30, 60, 90): the pause holds until N days after the decision day
--                    (creditor's zone), then `npm run jobs` lifts it and payments due during
--                    it move after it
--   lower_payments   an agreed monthly amount; the pause holds 30 more days so the borrower
--                    can set up the lower plan before anything is taken at the old amount
--   settlement       an agreed amount below the balance; the pause holds 30 days to pay it
--   debt_advice      referred to free debt advice; the pause holds 30 days to get it
--   freeze_interest  interest and fees frozen from the decision; the pause lifts now
--   declined         with its reason; the pause lifts now
--
-- Four eyes, in the database so no request gets around it: granting a settlement or a freeze
-- on a balance above the staff member's approval_limit_minor is PT403 over_limit; the request
-- can then be sent to a supervisor (api.staff_escalate_hardship). Once escalated (by staff,
-- or by `npm run jobs` when overdue) only a supervisor or an admin decides it, and the person
-- who escalated it grants nothing. Unknown or inactive staff: PT403 staff_forbidden.
--
-- Two decisions at once: each function locks the account, then the request (the order of the
-- payment functions), so the second waits, then finds it decided: PT409 already_decided.
--
-- A dispute upheld (the borrower was right: not theirs, identity theft, not verified, paid in
-- full) leaves nothing to collect: its pause is NOT lifted, so collection stays stopped on the
-- account; corrected and not_upheld lift it (ADR 011 says why this differs from ADR 007).
--
-- Errors (PostgREST answers PT### with that HTTP status; the hint is the machine reason):
--   PT403 staff_forbidden, over_limit, escalated, four_eyes
--   PT404 request_not_found, dispute_not_found, account_not_found
--   PT409 already_decided, not_submitted, already_escalated
--   PT422 invalid_decision, invalid_dispute, reason_required

-- ---------------------------------------------------------------------------------------
-- Columns.
-- ---------------------------------------------------------------------------------------

alter table app.hardship_requests
  add column decided_by uuid references app.staff (id),
  add column decision_reason text check (decision_reason ~ '^[a-z][a-z0-9_]{0,62}$'),
  -- To the borrower, in the staff member's words: shown on the help page and in the email.
  add column decision_note text check (length(decision_note) between 1 and 1000 and btrim(decision_note) <> ''),
  add column granted_break_days integer check (granted_break_days in (30, 60, 90)),
  add column agreed_monthly_minor bigint check (agreed_monthly_minor > 0 and agreed_monthly_minor < 1000000000000),
  add column settlement_minor bigint check (settlement_minor > 0 and settlement_minor < 1000000000000),
  -- The balance the decision was made on (the limit check and the settlement compare to it).
  add column balance_at_decision_minor bigint,
  add column escalated_by uuid references app.staff (id),
  add column escalation_reason text check (escalation_reason in ('decision_overdue', 'over_limit', 'second_opinion'));

-- Requests escalated by `npm run jobs` before this migration were overdue.
update app.hardship_requests as h set escalation_reason = 'decision_overdue' where h.escalated_at is not null and h.escalation_reason is null;

-- One-directional on purpose: requests decided before this migration have no reason code.
alter table app.hardship_requests
  add constraint hardship_requests_break_granted check (granted_break_days is null or outcome = 'payment_break'),
  add constraint hardship_requests_monthly_agreed check (agreed_monthly_minor is null or outcome = 'lower_payments'),
  add constraint hardship_requests_settlement_agreed check (
    settlement_minor is null or (outcome = 'settlement' and settlement_minor < balance_at_decision_minor)
  ),
  add constraint hardship_requests_decision_by check ((decided_by is null) = (decision_reason is null) and (decided_by is null or status = 'decided')),
  add constraint hardship_requests_decision_note check (decision_note is null or decided_by is not null),
  add constraint hardship_requests_escalation check ((escalated_at is null) = (escalation_reason is null)),
  add constraint hardship_requests_escalated_by check (escalated_by is null or escalation_reason in ('over_limit', 'second_opinion'));

comment on column app.hardship_requests.decision_note is
  'The staff member''s note to the borrower with the decision (free text, so never in the audit trail).';
comment on column app.hardship_requests.escalation_reason is
  'Why it went to a supervisor: decision_overdue (npm run jobs), over_limit or second_opinion (a staff member).';

create index hardship_requests_decided_by_idx on app.hardship_requests (decided_by) where decided_by is not null;
create index hardship_requests_escalated_by_idx on app.hardship_requests (escalated_by) where escalated_by is not null;

alter table app.disputes
  add column reviewed_by uuid references app.staff (id),
  add column resolved_by uuid references app.staff (id),
  add column outcome_note text check (length(outcome_note) between 1 and 1000 and btrim(outcome_note) <> ''),
  add constraint disputes_outcome_note check (outcome_note is null or status = 'resolved'),
  add constraint disputes_resolved_by check (resolved_by is null or status = 'resolved');

comment on column app.disputes.outcome_note is
  'The staff member''s note to the borrower with the answer (free text, so never in the audit trail).';

create index disputes_reviewed_by_idx on app.disputes (reviewed_by) where reviewed_by is not null;
create index disputes_resolved_by_idx on app.disputes (resolved_by) where resolved_by is not null;

-- ---------------------------------------------------------------------------------------
-- Reason codes: fixed lists per outcome (app/utils/request-decisions.server.ts keeps the same).
-- ---------------------------------------------------------------------------------------

create function app.hardship_decision_reasons(p_outcome text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select case
    when p_outcome in ('payment_break', 'freeze_interest', 'lower_payments', 'settlement') then
      array['income_fell', 'illness_or_disability', 'bereavement', 'relationship_breakdown', 'caring_responsibilities',
            'budget_shortfall', 'other']
    when p_outcome = 'declined' then
      array['can_afford_payments', 'need_more_information', 'offer_too_low', 'not_available', 'help_in_place', 'other']
    when p_outcome = 'debt_advice' then
      array['several_debts', 'priority_debts_first', 'budget_shortfall', 'needs_full_review', 'other']
  end::text[];
$$;

comment on function app.hardship_decision_reasons(text) is
  'The reason codes a hardship outcome may carry (null for an unknown outcome). Mirrors app/utils/request-decisions.server.ts.';

create function app.dispute_resolution_reasons(p_outcome text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select case p_outcome
    when 'upheld' then array['not_borrowers_debt', 'identity_theft_confirmed', 'debt_not_verified', 'paid_in_full', 'other']
    when 'corrected' then array['amount_corrected', 'fee_refunded', 'interest_corrected', 'payment_applied', 'other']
    when 'not_upheld' then array['debt_verified', 'amount_verified', 'payment_not_found', 'identity_verified', 'other']
  end::text[];
$$;

comment on function app.dispute_resolution_reasons(text) is
  'The reason codes a dispute outcome may carry (null for an unknown outcome). Mirrors app/utils/request-decisions.server.ts.';

-- Days the pause still holds after a hardship decision (0: lifted now).
create function app.hardship_hold_days(p_outcome text, p_break_days integer)
returns integer
language sql
immutable
set search_path = ''
as $$
  select case p_outcome
    when 'payment_break' then p_break_days
    when 'lower_payments' then 30
    when 'settlement' then 30
    when 'debt_advice' then 30
    else 0
  end;
$$;

comment on function app.hardship_hold_days(text, integer) is
  'How many days after the decision day collection stays paused for a hardship outcome: the break granted, 30 to set up lower payments, pay a settlement or get debt advice, else 0.';

-- The active staff member acting; PT403 staff_forbidden for an unknown or inactive one.
create function app.request_decider(p_staff_id uuid)
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
    raise exception 'this staff member may not do this'
      using errcode = 'PT403', hint = 'staff_forbidden';
  end if;
  return v_staff;
end;
$$;

comment on function app.request_decider(uuid) is
  'The active staff member with this id, else PT403 staff_forbidden.';

-- A staff note as stored: trimmed, null when blank; PT422 (p_hint) past 1,000 characters.
create function app.staff_note(p_note text, p_hint text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_note text := nullif(btrim(coalesce(p_note, '')), '');
begin
  if length(v_note) > 1000 then
    raise exception 'the note is longer than 1,000 characters'
      using errcode = 'PT422', hint = p_hint;
  end if;
  return v_note;
end;
$$;

revoke all on function app.hardship_decision_reasons(text) from public, anon, authenticated, service_role;
revoke all on function app.dispute_resolution_reasons(text) from public, anon, authenticated, service_role;
revoke all on function app.hardship_hold_days(text, integer) from public, anon, authenticated, service_role;
revoke all on function app.request_decider(uuid) from public, anon, authenticated, service_role;
revoke all on function app.staff_note(text, text) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- What the borrower's pages read: the decision joins the request and the dispute.
-- ---------------------------------------------------------------------------------------

create or replace function app.hardship_request_json(p_request app.hardship_requests)
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
    'decision_reason', p_request.decision_reason,
    'decision_note', p_request.decision_note,
    'granted_break_days', p_request.granted_break_days,
    'agreed_monthly_minor', p_request.agreed_monthly_minor,
    'settlement_minor', p_request.settlement_minor,
    'balance_at_decision_minor', p_request.balance_at_decision_minor,
    'paused', p_request.pause_id is not null
              and exists (select 1 from app.collection_pauses as p where p.id = p_request.pause_id and p.lifted_at is null),
    -- When a pause that still holds ends by itself (a payment break), else null.
    'pause_ends_at', (select p.ends_at from app.collection_pauses as p where p.id = p_request.pause_id and p.lifted_at is null),
    'created_at', p_request.created_at,
    'updated_at', p_request.updated_at
  );
$$;

create or replace function app.dispute_json(p_dispute app.disputes)
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
    'outcome_note', p_dispute.outcome_note,
    'due_at', p_dispute.due_at,
    'received_at', p_dispute.received_at,
    'review_started_at', p_dispute.review_started_at,
    'resolved_at', p_dispute.resolved_at,
    'collection_stopped', p_dispute.status = 'resolved'
                          and exists (select 1 from app.collection_pauses as p where p.id = p_dispute.pause_id and p.lifted_at is null)
  );
$$;

-- ---------------------------------------------------------------------------------------
-- Hardship decisions.
-- ---------------------------------------------------------------------------------------

-- Locks the request's account, then the request, and returns the request.
-- PT404 request_not_found; PT409 already_decided (decided), not_submitted (draft, withdrawn).
create function app.lock_hardship_request(p_request_id uuid)
returns app.hardship_requests
language plpgsql
set search_path = ''
as $$
declare
  v_request app.hardship_requests%rowtype;
begin
  perform 1 from app.accounts as a join app.hardship_requests as h on h.account_id = a.id
   where h.id = p_request_id for update of a;
  select h.* into v_request from app.hardship_requests as h where h.id = p_request_id for update;
  if not found then
    raise exception 'request not found'
      using errcode = 'PT404', hint = 'request_not_found';
  end if;
  if v_request.status = 'decided' then
    raise exception 'this request was already decided'
      using errcode = 'PT409', hint = 'already_decided';
  end if;
  if v_request.status <> 'submitted' then
    raise exception 'this request is not waiting for a decision'
      using errcode = 'PT409', hint = 'not_submitted';
  end if;
  return v_request;
end;
$$;

revoke all on function app.lock_hardship_request(uuid) from public, anon, authenticated, service_role;

-- A staff decision on a submitted hardship request. p_outcome and its terms:
--   payment_break    p_break_days 30 | 60 | 90
--   lower_payments   p_monthly_minor > 0
--   settlement       p_settlement_minor > 0 and below the balance
--   freeze_interest | declined | debt_advice: no terms
-- p_reason one of app.hardship_decision_reasons(p_outcome) ('other' needs a note); p_note to
-- the borrower, at most 1,000 characters. Returns the request as the borrower's pages read it.
create function api.staff_decide_hardship(
  p_staff_id uuid,
  p_request_id uuid,
  p_outcome text,
  p_reason text,
  p_note text default null,
  p_break_days integer default null,
  p_monthly_minor bigint default null,
  p_settlement_minor bigint default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_staff app.staff%rowtype;
  v_request app.hardship_requests%rowtype;
  v_note text;
  v_zone text;
  v_balance bigint;
  v_hold integer;
  v_ends_on date;
  v_moved integer := 0;
  v_grant boolean := p_outcome in ('payment_break', 'freeze_interest', 'lower_payments', 'settlement');
begin
  v_staff := app.request_decider(p_staff_id);
  v_note := app.staff_note(p_note, 'invalid_decision');
  if p_outcome is null or app.hardship_decision_reasons(p_outcome) is null
     or p_reason is null or not (p_reason = any (app.hardship_decision_reasons(p_outcome)))
     or (p_outcome = 'payment_break') <> (p_break_days is not null)
     or (p_break_days is not null and p_break_days not in (30, 60, 90))
     or (p_outcome = 'lower_payments') <> (p_monthly_minor is not null)
     or (p_monthly_minor is not null and (p_monthly_minor <= 0 or p_monthly_minor >= 1000000000000))
     or (p_outcome = 'settlement') <> (p_settlement_minor is not null)
     or (p_settlement_minor is not null and p_settlement_minor <= 0) then
    raise exception 'malformed decision'
      using errcode = 'PT422', hint = 'invalid_decision';
  end if;
  if p_reason = 'other' and v_note is null then
    raise exception 'the reason "other" needs a note to the borrower'
      using errcode = 'PT422', hint = 'reason_required';
  end if;

  v_request := app.lock_hardship_request(p_request_id);
  v_balance := (app.account_split(v_request.account_id) ->> 'total_minor')::bigint;

  -- Four eyes.
  if v_request.escalated_at is not null and v_staff.role not in ('supervisor', 'admin') then
    raise exception 'this request is waiting for a supervisor'
      using errcode = 'PT403', hint = 'escalated';
  end if;
  if v_grant and v_request.escalated_by = v_staff.id then
    raise exception 'the person who sent a request to a supervisor does not grant it'
      using errcode = 'PT403', hint = 'four_eyes';
  end if;
  if p_outcome in ('settlement', 'freeze_interest') and v_balance > v_staff.approval_limit_minor then
    raise exception 'this is above the staff member''s approval limit'
      using errcode = 'PT403', hint = 'over_limit';
  end if;
  if p_settlement_minor is not null and p_settlement_minor >= v_balance then
    raise exception 'a settlement is less than the balance'
      using errcode = 'PT422', hint = 'invalid_decision';
  end if;

  -- The pause: held until the end of the time granted, or lifted now.
  v_hold := app.hardship_hold_days(p_outcome, p_break_days);
  if v_hold > 0 then
    select c.time_zone into strict v_zone
      from app.accounts as a join app.creditors as c on c.id = a.creditor_id
     where a.id = v_request.account_id;
    -- Collection may start again at the start of that day in the creditor's zone.
    v_ends_on := (now() at time zone v_zone)::date + v_hold;
    update app.collection_pauses as p set ends_at = v_ends_on::timestamp at time zone v_zone
     where p.id = v_request.pause_id and p.lifted_at is null;
  else
    v_moved := app.lift_collection_pause(v_request.pause_id, 'hardship_decided');
  end if;

  update app.hardship_requests as h
     set status = 'decided',
         decided_at = now(),
         decided_by = v_staff.id,
         outcome = p_outcome,
         decision_reason = p_reason,
         decision_note = v_note,
         granted_break_days = p_break_days,
         agreed_monthly_minor = p_monthly_minor,
         settlement_minor = p_settlement_minor,
         balance_at_decision_minor = v_balance,
         updated_at = now()
   where h.id = v_request.id
  returning * into v_request;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('staff', v_staff.id, 'hardship.decided', 'hardship_request', v_request.id, v_request.account_id, p_reason,
          jsonb_build_object(
            'outcome', p_outcome,
            'break_days', p_break_days,
            'monthly_minor', p_monthly_minor,
            'settlement_minor', p_settlement_minor,
            'balance_minor', v_balance,
            'approval_limit_minor', v_staff.approval_limit_minor,
            'escalated', v_request.escalated_at is not null,
            'has_note', v_note is not null,
            'pause_ends_on', v_ends_on,
            'installments_moved', v_moved
          ));
  return app.hardship_request_json(v_request);
end;
$$;

comment on function api.staff_decide_hardship(uuid, uuid, text, text, text, integer, bigint, bigint) is
  'A staff decision on a submitted hardship request: outcome (payment_break + p_break_days, lower_payments + p_monthly_minor, settlement + p_settlement_minor, freeze_interest, declined, debt_advice), a reason code of app.hardship_decision_reasons, an optional note to the borrower; the pause holds to the end of the time granted or lifts now; one audit event. Returns the request. PT403 staff_forbidden, escalated, four_eyes, over_limit (settlement or freeze on a balance above the approval limit); PT404 request_not_found; PT409 already_decided, not_submitted; PT422 invalid_decision, reason_required.';

-- Sends a submitted request to a supervisor: p_reason over_limit or second_opinion.
create function api.staff_escalate_hardship(p_staff_id uuid, p_request_id uuid, p_reason text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_staff app.staff%rowtype;
  v_request app.hardship_requests%rowtype;
begin
  v_staff := app.request_decider(p_staff_id);
  if p_reason is null or p_reason not in ('over_limit', 'second_opinion') then
    raise exception 'malformed escalation'
      using errcode = 'PT422', hint = 'invalid_decision';
  end if;
  v_request := app.lock_hardship_request(p_request_id);
  if v_request.escalated_at is not null then
    raise exception 'this request is already with a supervisor'
      using errcode = 'PT409', hint = 'already_escalated';
  end if;
  update app.hardship_requests as h
     set escalated_at = now(), escalated_by = v_staff.id, escalation_reason = p_reason, updated_at = now()
   where h.id = v_request.id
  returning * into v_request;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('staff', v_staff.id, 'hardship.escalated', 'hardship_request', v_request.id, v_request.account_id, p_reason,
          jsonb_build_object('balance_minor', (app.account_split(v_request.account_id) ->> 'total_minor')::bigint,
                             'approval_limit_minor', v_staff.approval_limit_minor));
  return app.hardship_request_json(v_request);
end;
$$;

comment on function api.staff_escalate_hardship(uuid, uuid, text) is
  'Sends a submitted hardship request to a supervisor (reason over_limit or second_opinion), audited; from then on only a supervisor or admin decides it and the sender grants nothing. Returns the request. PT403 staff_forbidden; PT404 request_not_found; PT409 already_decided, not_submitted, already_escalated; PT422 invalid_decision.';

-- The old decision function had no reason code, terms or limits: it now refuses, so no
-- caller decides around the four-eyes rule.
create or replace function api.decide_hardship_request(p_staff_id uuid, p_request_id uuid, p_outcome text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform app.request_decider(p_staff_id);
  raise exception 'a decision needs a reason code and its terms: use api.staff_decide_hardship (request %, outcome %)',
    p_request_id, coalesce(p_outcome, 'none')
    using errcode = 'PT422', hint = 'reason_required';
end;
$$;

comment on function api.decide_hardship_request(uuid, uuid, text) is
  'Replaced by api.staff_decide_hardship (reason code, terms, four eyes): refuses with PT422 reason_required (PT403 staff_forbidden for unknown or inactive staff).';

-- Overdue requests go to a supervisor, now with their reason.
create or replace function api.escalate_overdue_hardship()
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
       set escalated_at = now(), escalation_reason = 'decision_overdue', updated_at = now()
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

-- ---------------------------------------------------------------------------------------
-- Disputes.
-- ---------------------------------------------------------------------------------------

create or replace function api.review_dispute(p_staff_id uuid, p_dispute_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_staff app.staff%rowtype;
  v_dispute app.disputes%rowtype;
begin
  v_staff := app.request_decider(p_staff_id);
  update app.disputes as d
     set status = 'under_review', review_started_at = now(), reviewed_by = v_staff.id, updated_at = now()
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
  values ('staff', v_staff.id, 'dispute.under_review', 'dispute', v_dispute.id, v_dispute.account_id);
  return app.dispute_json(v_dispute);
end;
$$;

comment on function api.review_dispute(uuid, uuid) is
  'Staff start reviewing a received dispute (status under_review, who, audited); a dispute already further along is returned unchanged. PT403 staff_forbidden; PT404 dispute_not_found.';

-- Resolves a dispute: p_outcome upheld | corrected | not_upheld, p_reason one of
-- app.dispute_resolution_reasons(p_outcome) ('other' needs a note), p_note to the borrower.
-- Corrected and not_upheld lift the pause; upheld keeps collection stopped.
create function api.staff_resolve_dispute(p_staff_id uuid, p_dispute_id uuid, p_outcome text, p_reason text, p_note text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_staff app.staff%rowtype;
  v_dispute app.disputes%rowtype;
  v_note text;
  v_moved integer := 0;
begin
  v_staff := app.request_decider(p_staff_id);
  v_note := app.staff_note(p_note, 'invalid_dispute');
  if p_outcome is null or app.dispute_resolution_reasons(p_outcome) is null
     or p_reason is null or not (p_reason = any (app.dispute_resolution_reasons(p_outcome))) then
    raise exception 'malformed resolution'
      using errcode = 'PT422', hint = 'invalid_dispute';
  end if;
  if p_reason = 'other' and v_note is null then
    raise exception 'the reason "other" needs a note to the borrower'
      using errcode = 'PT422', hint = 'reason_required';
  end if;
  perform 1 from app.accounts as a join app.disputes as d on d.account_id = a.id where d.id = p_dispute_id for update of a;
  select d.* into v_dispute from app.disputes as d where d.id = p_dispute_id for update;
  if not found then
    raise exception 'dispute not found'
      using errcode = 'PT404', hint = 'dispute_not_found';
  end if;
  if v_dispute.status = 'resolved' then
    raise exception 'this dispute was already resolved'
      using errcode = 'PT409', hint = 'already_decided';
  end if;
  update app.disputes as d
     set status = 'resolved', outcome = p_outcome, outcome_reason = p_reason, outcome_note = v_note,
         resolved_at = now(), resolved_by = v_staff.id,
         review_started_at = coalesce(d.review_started_at, now()), reviewed_by = coalesce(d.reviewed_by, v_staff.id),
         updated_at = now()
   where d.id = v_dispute.id
  returning * into v_dispute;
  if p_outcome <> 'upheld' then
    v_moved := app.lift_collection_pause(v_dispute.pause_id, 'dispute_resolved');
  end if;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('staff', v_staff.id, 'dispute.resolved', 'dispute', v_dispute.id, v_dispute.account_id, p_reason,
          jsonb_build_object('outcome', p_outcome, 'has_note', v_note is not null,
                             'collection_stopped', p_outcome = 'upheld', 'installments_moved', v_moved));
  return app.dispute_json(v_dispute);
end;
$$;

comment on function api.staff_resolve_dispute(uuid, uuid, text, text, text) is
  'Resolves a dispute (upheld, corrected, not_upheld) with a reason code of app.dispute_resolution_reasons and an optional note to the borrower; corrected and not_upheld lift the collection pause, upheld keeps collection stopped; one audit event. Returns the dispute. PT403 staff_forbidden; PT404 dispute_not_found; PT409 already_decided; PT422 invalid_dispute, reason_required.';

-- The old four-argument form: the same rules, without a note.
create or replace function api.resolve_dispute(p_staff_id uuid, p_dispute_id uuid, p_outcome text, p_reason text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  return api.staff_resolve_dispute(p_staff_id, p_dispute_id, p_outcome, p_reason, null);
end;
$$;

comment on function api.resolve_dispute(uuid, uuid, text, text) is
  'api.staff_resolve_dispute without a note (same reason codes, same errors).';

-- ---------------------------------------------------------------------------------------
-- The console's reads of one request.
-- ---------------------------------------------------------------------------------------

-- The account as a review shows it: reference, creditor, borrower, balance split, DPD,
-- whether collection is paused, and the ledger (newest first, at most 100 entries).
create function app.review_account_json(p_account_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
           'id', a.id,
           'reference', a.reference,
           'product', a.product,
           'status', a.status,
           'currency', a.currency,
           'dpd', app.days_past_due(a.status, a.first_missed_payment_on, c.time_zone),
           'balance', app.account_split(a.id),
           'paused', app.collection_paused(a.id, now()),
           'creditor', jsonb_build_object('name', c.name, 'region', c.region, 'time_zone', c.time_zone),
           'borrower', jsonb_build_object('id', b.id, 'full_name', b.full_name, 'language', b.language),
           'ledger', coalesce((
             select jsonb_agg(jsonb_build_object('effective_on', l.effective_on, 'kind', l.kind, 'amount_minor', l.amount_minor,
                                                 'reason_code', l.reason_code) order by l.effective_on desc, l.entry_no desc)
               from (select x.* from app.ledger_entries as x where x.account_id = a.id
                      order by x.effective_on desc, x.entry_no desc limit 100) as l), '[]'::jsonb)
         )
    from app.accounts as a
    join app.creditors as c on c.id = a.creditor_id
    join app.borrowers as b on b.id = a.borrower_id
   where a.id = p_account_id;
$$;

-- What happened to a request, oldest first: its events, its pause's and its documents'.
create function app.request_history_json(p_request_id uuid, p_pause_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('occurred_at', e.occurred_at, 'actor_kind', e.actor_kind,
                                               'actor_name', s.full_name, 'action', e.action, 'reason_code', e.reason_code)
                            order by e.occurred_at, e.event_no), '[]'::jsonb)
    from app.audit_events as e
    left join app.staff as s on e.actor_kind = 'staff' and s.id = e.actor_id
   where e.subject_id = p_request_id
      or (p_pause_id is not null and e.subject_id = p_pause_id)
      or (e.subject_kind = 'request_document' and e.metadata ->> 'request_id' = p_request_id::text);
$$;

-- The account's other hardship requests and disputes (not drafts), newest first.
create function app.other_requests_json(p_account_id uuid, p_except uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_agg(r.item order by r.at desc), '[]'::jsonb)
    from (
      select jsonb_build_object('kind', 'hardship', 'id', h.id, 'status', h.status, 'outcome', h.outcome, 'at', h.submitted_at) as item,
             h.submitted_at as at
        from app.hardship_requests as h
       where h.account_id = p_account_id and h.id <> p_except and h.status <> 'draft'
      union all
      select jsonb_build_object('kind', 'dispute', 'id', d.id, 'status', d.status, 'outcome', d.outcome, 'at', d.received_at),
             d.received_at
        from app.disputes as d
       where d.account_id = p_account_id and d.id <> p_except
    ) as r;
$$;

create function app.request_documents_json(p_kind text, p_request_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'filename', r.filename, 'content_type', r.content_type,
                                               'size_bytes', r.size_bytes, 'created_at', r.created_at)
                            order by r.created_at, r.id), '[]'::jsonb)
    from app.request_documents as r
   where (p_kind = 'hardship' and r.hardship_request_id = p_request_id) or (p_kind = 'dispute' and r.dispute_id = p_request_id);
$$;

-- Whether the borrower shared health or circumstances details under a standing consent
-- (sent requests only): the review says so without reading them (reading is audited).
create function app.vulnerability_shared(p_borrower_id uuid)
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (
    select 1 from app.hardship_requests as h
      join app.consents as k on k.id = h.health_consent_id
     where h.borrower_id = p_borrower_id
       and h.status in ('submitted', 'decided')
       and h.health_note is not null
       and k.kind = 'health_data' and k.action = 'granted'
  );
$$;

revoke all on function app.review_account_json(uuid) from public, anon, authenticated, service_role;
revoke all on function app.vulnerability_shared(uuid) from public, anon, authenticated, service_role;
revoke all on function app.request_history_json(uuid, uuid) from public, anon, authenticated, service_role;
revoke all on function app.other_requests_json(uuid, uuid) from public, anon, authenticated, service_role;
revoke all on function app.request_documents_json(text, uuid) from public, anon, authenticated, service_role;

-- One hardship request for review. Health details are not in it (only whether some were
-- shared): they are read through api.staff_vulnerability_notes, which audits each read.
create function api.staff_hardship_review(p_staff_id uuid, p_request_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_staff app.staff%rowtype;
  v_request app.hardship_requests%rowtype;
  v_balance bigint;
begin
  v_staff := app.request_decider(p_staff_id);
  select h.* into v_request from app.hardship_requests as h where h.id = p_request_id and h.status <> 'draft';
  if not found then
    raise exception 'request not found'
      using errcode = 'PT404', hint = 'request_not_found';
  end if;
  v_balance := (app.account_split(v_request.account_id) ->> 'total_minor')::bigint;
  return jsonb_build_object(
    'request', app.hardship_request_json(v_request) || jsonb_build_object('health_note', null),
    'escalation', case when v_request.escalated_at is not null then jsonb_build_object(
      'at', v_request.escalated_at,
      'reason', v_request.escalation_reason,
      'by_name', (select s.full_name from app.staff as s where s.id = v_request.escalated_by),
      'by_me', v_request.escalated_by is not distinct from v_staff.id
    ) end,
    'decided_by_name', (select s.full_name from app.staff as s where s.id = v_request.decided_by),
    'account', app.review_account_json(v_request.account_id),
    'vulnerability_shared', app.vulnerability_shared(v_request.borrower_id),
    'documents', app.request_documents_json('hardship', v_request.id),
    'history', app.request_history_json(v_request.id, v_request.pause_id),
    'other_requests', app.other_requests_json(v_request.account_id, v_request.id),
    'staff', jsonb_build_object(
      'role', v_staff.role,
      'approval_limit_minor', v_staff.approval_limit_minor,
      'over_limit', v_balance > v_staff.approval_limit_minor
    )
  );
end;
$$;

comment on function api.staff_hardship_review(uuid, uuid) is
  'A sent hardship request for the console: {request (as the borrower reads it, health_note null), escalation {at, reason, by_name, by_me} | null, decided_by_name, vulnerability_shared, account (balance split, dpd, paused, creditor, borrower, ledger), documents, history, other_requests, staff {role, approval_limit_minor, over_limit}}. PT403 staff_forbidden; PT404 request_not_found (drafts too).';

create function api.staff_dispute_review(p_staff_id uuid, p_dispute_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_dispute app.disputes%rowtype;
begin
  perform app.request_decider(p_staff_id);
  select d.* into v_dispute from app.disputes as d where d.id = p_dispute_id;
  if not found then
    raise exception 'dispute not found'
      using errcode = 'PT404', hint = 'dispute_not_found';
  end if;
  return jsonb_build_object(
    'dispute', app.dispute_json(v_dispute),
    'reviewed_by_name', (select s.full_name from app.staff as s where s.id = v_dispute.reviewed_by),
    'resolved_by_name', (select s.full_name from app.staff as s where s.id = v_dispute.resolved_by),
    'account', app.review_account_json(v_dispute.account_id),
    'vulnerability_shared', app.vulnerability_shared(v_dispute.borrower_id),
    'documents', app.request_documents_json('dispute', v_dispute.id),
    'history', app.request_history_json(v_dispute.id, v_dispute.pause_id),
    'other_requests', app.other_requests_json(v_dispute.account_id, v_dispute.id)
  );
end;
$$;

comment on function api.staff_dispute_review(uuid, uuid) is
  'A dispute for the console: {dispute, reviewed_by_name, resolved_by_name, vulnerability_shared, account (balance split, dpd, paused, creditor, borrower, ledger), documents, history, other_requests}. PT403 staff_forbidden; PT404 dispute_not_found.';

-- ---------------------------------------------------------------------------------------
-- "Tell us once": what the borrower shared about their health under a standing consent.
-- ---------------------------------------------------------------------------------------

-- Every read is audited (staff.vulnerability_notes_viewed: who, which account, how many;
-- never the notes). A withdrawn consent erased the note, so it is simply not there.
create function api.staff_vulnerability_notes(p_staff_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_staff app.staff%rowtype;
  v_borrower_id uuid;
  v_notes jsonb;
begin
  v_staff := app.request_decider(p_staff_id);
  select a.borrower_id into v_borrower_id from app.accounts as a where a.id = p_account_id;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  select coalesce(jsonb_agg(jsonb_build_object('request_id', h.id, 'account_id', h.account_id, 'note', h.health_note,
                                               'shared_at', k.created_at, 'consent_id', k.id)
                            order by k.created_at desc, h.id), '[]'::jsonb)
    into v_notes
    from app.hardship_requests as h
    join app.consents as k on k.id = h.health_consent_id
   where h.borrower_id = v_borrower_id
     and h.status in ('submitted', 'decided')
     and h.health_note is not null
     and k.kind = 'health_data' and k.action = 'granted';
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('staff', v_staff.id, 'staff.vulnerability_notes_viewed', 'account', p_account_id, p_account_id,
          jsonb_build_object('borrower_id', v_borrower_id, 'notes', jsonb_array_length(v_notes)));
  return v_notes;
end;
$$;

comment on function api.staff_vulnerability_notes(uuid, uuid) is
  'What the account''s borrower shared about their health or circumstances under a standing health_data consent (sent requests only): [{request_id, account_id, note, shared_at, consent_id}], newest first; every read audited with ids and a count only. PT403 staff_forbidden; PT404 account_not_found.';

-- ---------------------------------------------------------------------------------------
-- A request's document, for staff: audited.
-- ---------------------------------------------------------------------------------------

create function api.staff_request_document(p_staff_id uuid, p_document_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_staff app.staff%rowtype;
  v_document app.request_documents%rowtype;
begin
  v_staff := app.request_decider(p_staff_id);
  select r.* into v_document from app.request_documents as r where r.id = p_document_id;
  if not found then
    return null;
  end if;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('staff', v_staff.id, 'document.downloaded', 'request_document', v_document.id, v_document.account_id,
          jsonb_build_object('request_id', coalesce(v_document.hardship_request_id, v_document.dispute_id),
                             'kind', case when v_document.hardship_request_id is not null then 'hardship' else 'dispute' end));
  return jsonb_build_object('filename', v_document.filename, 'content_type', v_document.content_type,
                            'content_base64', encode(v_document.content, 'base64'));
end;
$$;

comment on function api.staff_request_document(uuid, uuid) is
  'A request document with its content (base64) for a staff download, audited (document.downloaded); null when there is none. PT403 staff_forbidden.';

-- ---------------------------------------------------------------------------------------
-- What the decision emails need (the console never passes personal data along).
-- ---------------------------------------------------------------------------------------

create function api.hardship_decision_notice(p_request_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select app.account_notice_json(h.account_id) || jsonb_build_object(
           'request_id', h.id,
           'outcome', h.outcome,
           'decision_reason', h.decision_reason,
           'decision_note', h.decision_note,
           'granted_break_days', h.granted_break_days,
           'agreed_monthly_minor', h.agreed_monthly_minor,
           'settlement_minor', h.settlement_minor,
           'balance_at_decision_minor', h.balance_at_decision_minor,
           'decided_at', h.decided_at,
           'pause_ends_at', (select p.ends_at from app.collection_pauses as p where p.id = h.pause_id and p.lifted_at is null)
         )
    from app.hardship_requests as h
   where h.id = p_request_id and h.status = 'decided' and h.decided_by is not null;
$$;

comment on function api.hardship_decision_notice(uuid) is
  'The facts of a staff decision on a hardship request for its email (outcome, terms, reason code, note, when the pause ends, account, creditor contact, borrower email and language), or null.';

create function api.dispute_resolution_notice(p_dispute_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select app.account_notice_json(d.account_id) || jsonb_build_object(
           'dispute_id', d.id,
           'kind', d.kind,
           'outcome', d.outcome,
           'outcome_reason', d.outcome_reason,
           'outcome_note', d.outcome_note,
           'resolved_at', d.resolved_at,
           'collection_stopped', exists (select 1 from app.collection_pauses as p where p.id = d.pause_id and p.lifted_at is null)
         )
    from app.disputes as d
   where d.id = p_dispute_id and d.status = 'resolved';
$$;

comment on function api.dispute_resolution_notice(uuid) is
  'The facts of a resolved dispute for its email (outcome, reason code, note, whether collection stays stopped, account, creditor contact, borrower email and language), or null.';

-- ---------------------------------------------------------------------------------------
-- Grants: service_role alone.
-- ---------------------------------------------------------------------------------------

revoke execute on function api.staff_decide_hardship(uuid, uuid, text, text, text, integer, bigint, bigint) from public, anon, authenticated;
revoke execute on function api.staff_escalate_hardship(uuid, uuid, text) from public, anon, authenticated;
revoke execute on function api.staff_resolve_dispute(uuid, uuid, text, text, text) from public, anon, authenticated;
revoke execute on function api.staff_hardship_review(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.staff_dispute_review(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.staff_vulnerability_notes(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.staff_request_document(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.hardship_decision_notice(uuid) from public, anon, authenticated;
revoke execute on function api.dispute_resolution_notice(uuid) from public, anon, authenticated;

grant execute on function api.staff_decide_hardship(uuid, uuid, text, text, text, integer, bigint, bigint) to service_role;
grant execute on function api.staff_escalate_hardship(uuid, uuid, text) to service_role;
grant execute on function api.staff_resolve_dispute(uuid, uuid, text, text, text) to service_role;
grant execute on function api.staff_hardship_review(uuid, uuid) to service_role;
grant execute on function api.staff_dispute_review(uuid, uuid) to service_role;
grant execute on function api.staff_vulnerability_notes(uuid, uuid) to service_role;
grant execute on function api.staff_request_document(uuid, uuid) to service_role;
grant execute on function api.hardship_decision_notice(uuid) to service_role;
grant execute on function api.dispute_resolution_notice(uuid) to service_role;
