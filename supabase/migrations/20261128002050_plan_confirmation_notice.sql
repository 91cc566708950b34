-- The written confirmation of an agreed plan, settlement or promise goes through the outbox
-- (issue 9 item 2; ADR 014): a message is written in the same transaction as the agreement,
-- instead of the route sending it after the agreement committed (a crash between the two lost
-- it).
--
-- How: an AFTER INSERT trigger on app.audit_events of its own, beside
-- app.enqueue_notice_for_audit_event (20261128001900_outbox_notices.sql), which stays as it
-- landed. Two functions make an arrangement the borrower agreed to, and each writes exactly
-- one audit event for it in its own transaction:
--
-- - api.agree_arrangement: 'arrangement.agreed', subject the arrangement (active at once, or
--   pending_review: a request waiting for staff, with its review date);
-- - api.accept_plan_offer: 'plan_offer.accepted', subject the counter-offer, the new (active)
--   arrangement in metadata.arrangement_id.
--
-- A staff approval of a pending request ('arrangement.approved') is not an agreement: its own
-- email (plan.decision) says so. A replay of either function writes no second event (it is
-- refused: arrangement_exists, offer_closed), and the dedupe key
-- `plan.confirmation/<arrangement id>` makes a second event one message anyway.
--
-- Category 'requested': the borrower has just agreed, so it goes at once, needs no consent
-- and is never a contact attempt. Params are the arrangement's id only; the template
-- (app/utils/outbox-templates/plan-confirmation.server.ts) reads api.arrangement_confirmation_notice
-- when it renders: the exact terms the borrower agreed to (the consent's text), the schedule,
-- the status and the review date, and the creditor's contact.

-- ---------------------------------------------------------------------------------------
-- The trigger
-- ---------------------------------------------------------------------------------------

create function app.enqueue_plan_confirmation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_arrangement_id uuid;
  v_borrower_id uuid;
  v_account_id uuid;
begin
  if new.action = 'arrangement.agreed' then
    v_arrangement_id := new.subject_id;
  elsif new.action = 'plan_offer.accepted' then
    v_arrangement_id := (new.metadata ->> 'arrangement_id')::uuid;
  else
    return null;
  end if;
  if v_arrangement_id is null then
    return null;
  end if;

  select r.borrower_id, r.account_id
    into v_borrower_id, v_account_id
    from app.arrangements as r
   where r.id = v_arrangement_id;
  if v_borrower_id is null then
    return null;
  end if;

  perform app.enqueue_message(
    'plan.confirmation',
    'requested',
    v_borrower_id,
    v_account_id,
    jsonb_build_object('arrangement_id', v_arrangement_id),
    'plan.confirmation/' || v_arrangement_id::text,
    now()
  );
  return null;
end;
$$;

comment on function app.enqueue_plan_confirmation() is
  'After insert on app.audit_events: queues the written confirmation of an arrangement the borrower agreed to (template plan.confirmation, category requested, params {arrangement_id}) for arrangement.agreed (subject: the arrangement) and plan_offer.accepted (metadata.arrangement_id). Dedupe key plan.confirmation/<arrangement id>.';

revoke all on function app.enqueue_plan_confirmation() from public, anon, authenticated, service_role;

create trigger audit_events_enqueue_plan_confirmation
  after insert on app.audit_events
  for each row
  when (new.action in ('arrangement.agreed', 'plan_offer.accepted'))
  execute function app.enqueue_plan_confirmation();

-- ---------------------------------------------------------------------------------------
-- What the confirmation needs, for the sender.
-- ---------------------------------------------------------------------------------------

-- The arrangement as its confirmation shows it: the account's notice facts
-- (app.account_notice_json: currency, reference, creditor and its contact, borrower's email
-- and language), its kind, status, total, the last day of its review in the creditor's zone
-- (when it has one), its payments in order, and the exact words agreed (the consent's text
-- and its language). Null for an unknown id.
create function api.arrangement_confirmation_notice(p_arrangement_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select app.account_notice_json(r.account_id) || jsonb_build_object(
           'arrangement_id', r.id,
           'kind', r.kind,
           'status', r.status,
           'total_minor', r.total_minor,
           'review_due_on', case when r.review_due_at is not null
                                 then ((r.review_due_at - interval '1 microsecond') at time zone c.time_zone)::date end,
           'installments', (
             select coalesce(jsonb_agg(jsonb_build_object('due_on', i.due_on, 'amount_minor', i.amount_minor) order by i.seq), '[]'::jsonb)
               from app.installments as i
              where i.arrangement_id = r.id
           ),
           'terms', jsonb_build_object('version', t.version, 'language', t.language, 'body', t.body)
         )
    from app.arrangements as r
    join app.creditors as c on c.id = r.creditor_id
    join app.consents as k on k.id = r.consent_id
    join app.consent_texts as t on t.id = k.text_id
   where r.id = p_arrangement_id;
$$;

comment on function api.arrangement_confirmation_notice(uuid) is
  'An arrangement for its written confirmation (the sender renders it): account notice facts (account_id, currency, reference_last4, creditor {name, region, support_phone, support_email, time_zone}, borrower {email, language}) plus arrangement_id, kind, status, total_minor, review_due_on (last day of the review in the creditor''s zone, or null), installments [{due_on, amount_minor}] in order, terms {version, language, body} (the consent text agreed to); null for an unknown id.';

revoke execute on function api.arrangement_confirmation_notice(uuid) from public, anon, authenticated;
grant execute on function api.arrangement_confirmation_notice(uuid) to service_role;
