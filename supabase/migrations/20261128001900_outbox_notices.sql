-- The borrower's own requests and the answers to them go through the outbox (issue 9 item 2;
-- ADR 014): the confirmation of a request for help, of a dispute and of a debt advice
-- declaration, the answer to a request for help and to a dispute, the acknowledgement of a
-- complaint and its answer, and the email of a staff decision on a plan request.
--
-- How: one AFTER INSERT trigger on app.audit_events, not a new version of each causing
-- function. Each of those functions writes exactly one audit event for its event, in its own
-- transaction (hardship.submitted, dispute.opened, debt_advice.declared, hardship.decided,
-- dispute.resolved, complaint.made, complaint.resolved, arrangement.approved/declined/
-- countered), so a trigger on that row queues the message in the same transaction and the
-- functions themselves stay as they landed (no copy of their bodies to keep in step). A
-- replay writes no second event, and the dedupe key (`<template>/<subject id>`) makes a
-- second event one message anyway.
--
-- All are category 'requested': they answer what the borrower asked for, or decide on it,
-- so they go at once, need no consent and never count as a contact attempt. Params are the
-- subject's id only; each template reads the facts when it renders
-- (app/utils/outbox-templates/).

-- ---------------------------------------------------------------------------------------
-- The trigger
-- ---------------------------------------------------------------------------------------

create function app.enqueue_notice_for_audit_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_template text;
  v_param text;
  v_subject uuid := new.subject_id;
  v_borrower_id uuid;
  v_account_id uuid := new.account_id;
begin
  case new.action
    when 'hardship.submitted' then v_template := 'hardship.received'; v_param := 'request_id';
    when 'hardship.decided' then v_template := 'hardship.decided'; v_param := 'request_id';
    when 'dispute.opened' then v_template := 'dispute.received'; v_param := 'dispute_id';
    when 'dispute.resolved' then v_template := 'dispute.resolved'; v_param := 'dispute_id';
    when 'debt_advice.declared' then v_template := 'debt_advice.received'; v_param := 'declaration_id';
    when 'complaint.made' then v_template := 'complaint.received'; v_param := 'complaint_id';
    when 'complaint.resolved' then v_template := 'complaint.answered'; v_param := 'complaint_id';
    when 'arrangement.approved', 'arrangement.declined', 'arrangement.countered' then
      -- One email per decision: the subject is the plan request, the decision is in the metadata.
      v_template := 'plan.decision'; v_param := 'decision_id';
      v_subject := (new.metadata ->> 'decision_id')::uuid;
    else
      return null;
  end case;
  if v_subject is null then
    return null;
  end if;

  if new.subject_kind = 'complaint' then
    select c.borrower_id, c.account_id into v_borrower_id, v_account_id from app.complaints as c where c.id = v_subject;
  else
    select a.borrower_id into v_borrower_id from app.accounts as a where a.id = v_account_id;
  end if;
  if v_borrower_id is null then
    return null;
  end if;

  perform app.enqueue_message(
    v_template,
    'requested',
    v_borrower_id,
    v_account_id,
    jsonb_build_object(v_param, v_subject),
    v_template || '/' || v_subject::text,
    now()
  );
  return null;
end;
$$;

comment on function app.enqueue_notice_for_audit_event() is
  'After insert on app.audit_events: queues the borrower''s email (category requested) for the events that answer their own request: hardship.submitted/decided, dispute.opened/resolved, debt_advice.declared, complaint.made/resolved, arrangement.approved/declined/countered. Dedupe key <template>/<subject id>.';

revoke all on function app.enqueue_notice_for_audit_event() from public, anon, authenticated, service_role;

create trigger audit_events_enqueue_notice
  after insert on app.audit_events
  for each row
  when (new.action in ('hardship.submitted', 'hardship.decided', 'dispute.opened', 'dispute.resolved', 'debt_advice.declared',
                       'complaint.made', 'complaint.resolved', 'arrangement.approved', 'arrangement.declined',
                       'arrangement.countered'))
  execute function app.enqueue_notice_for_audit_event();

-- ---------------------------------------------------------------------------------------
-- What the complaint emails need, for the sender.
-- ---------------------------------------------------------------------------------------

-- The complaint (as app.complaint_json) with its creditor's name, zone and contact; null
-- for an unknown id.
create function api.complaint_notice(p_complaint_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select app.complaint_json(c) || jsonb_build_object('creditor', app.complaint_creditor(b.creditor_id))
    from app.complaints as c
    join app.borrowers as b on b.id = c.borrower_id
   where c.id = p_complaint_id;
$$;

comment on function api.complaint_notice(uuid) is
  'A complaint for its emails (the sender renders the acknowledgement and the answer): complaint fields as in borrower_complaints, plus creditor {name, time_zone, support_phone, support_email}; null for an unknown id.';

revoke execute on function api.complaint_notice(uuid) from public, anon, authenticated;
grant execute on function api.complaint_notice(uuid) to service_role;
