-- Reminders, two mistakes mended (issue 9 item 3; review of 20261128001650_reminders.sql):
--
-- 1. A payment whose date moves is reminded again. The dedupe keys were
--    reminder.<kind>/<installment id>, so once a reminder existed for an installment (sent,
--    or cancelled because collection was paused) none was ever queued for it again. But the
--    end of a pause moves the unpaid installments of the plan to later dates, and "move a
--    payment" moves one (the same rows, new due_on): the borrower coming out of hardship got
--    no reminder before the new date. The keys are now
--    reminder.<kind>/<installment id>/<due on>, as 20261128001600_message_outbox.sql's
--    example had it; the renderer (app/utils/reminders.server.ts) cancels a queued reminder
--    whose date is no longer the installment's (not_applicable).
-- 2. Money already on its way is not reminded. An installment paid early by bank debit
--    (a payment for it in status 'processing') got "your next payment is due on ...", and
--    queue and render judged "owes something" by the ledger balance, not by what can still be
--    paid. Now: no upcoming or amount-changed reminder for an installment with a bank debit
--    on its way, nothing for an account whose payable amount (app.account_payable_minor) is
--    zero, and api.reminder_notice says not sendable in both cases, so a missed-payment
--    reminder held until the morning is not sent once a payment for it has started.
--
-- Same signatures and grants; the functions whole, as they were otherwise.

create or replace function api.queue_reminders(p_today date default null, p_now timestamptz default now())
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_now timestamptz := coalesce(p_now, now());
  v_upcoming integer;
  v_amount_changed integer;
  v_missed integer;
begin
  -- Before each installment: the days before it set by the creditor.
  with candidates as (
    select i.id as installment_id, i.due_on, i.amount_minor - i.paid_minor as amount_minor, i.amount_minor as agreed_minor,
           a.id as account_id, a.borrower_id, a.currency,
           (pa.id is not null) as automatic,
           'reminder.upcoming/' || i.id || '/' || i.due_on::text as dedupe_key,
           greatest(v_now, (d.today + c.contact_earliest) at time zone b.time_zone) as not_before
      from app.installments as i
      join app.arrangements as r on r.id = i.arrangement_id and r.status = 'active'
      join app.accounts as a on a.id = r.account_id and a.status = 'open'
      join app.borrowers as b on b.id = a.borrower_id
      join app.creditors as c on c.id = a.creditor_id
      cross join lateral (select coalesce(p_today, (v_now at time zone c.time_zone)::date) as today) as d
      left join app.payment_authorizations as pa on pa.arrangement_id = r.id and pa.status = 'active'
     where i.status in ('scheduled', 'missed')
       and i.paid_minor < i.amount_minor
       and i.due_on between d.today + 1 and d.today + c.reminder_days_before
       -- Paid early by bank debit, still on its way: nothing to remind.
       and not exists (select 1 from app.payments as p where p.installment_id = i.id and p.status = 'processing')
       and not app.collection_paused(a.id, v_now)
       and app.account_payable_minor(a.id) > 0
       and not exists (select 1 from app.outbound_messages as m where m.dedupe_key = 'reminder.upcoming/' || i.id || '/' || i.due_on::text)
  ), queued as materialized (
    select app.enqueue_message(
             'reminder.upcoming', 'outreach', x.borrower_id, x.account_id,
             jsonb_build_object('installment_id', x.installment_id, 'notice', 'upcoming', 'amount_minor', x.amount_minor,
                                'currency', x.currency, 'due_on', x.due_on, 'automatic', x.automatic),
             x.dedupe_key, x.not_before) as id
      from candidates as x
  )
  select count(q.id) into v_upcoming from queued as q;

  -- An automatic payment of a different amount from the one agreed: 10 days ahead.
  with candidates as (
    select i.id as installment_id, i.due_on, i.amount_minor - i.paid_minor as amount_minor, i.amount_minor as agreed_minor,
           a.id as account_id, a.borrower_id, a.currency,
           'reminder.amount_changed/' || i.id || '/' || i.due_on::text as dedupe_key,
           greatest(v_now, (d.today + c.contact_earliest) at time zone b.time_zone) as not_before
      from app.installments as i
      join app.arrangements as r on r.id = i.arrangement_id and r.status = 'active'
      join app.accounts as a on a.id = r.account_id and a.status = 'open'
      join app.borrowers as b on b.id = a.borrower_id
      join app.creditors as c on c.id = a.creditor_id
      join app.payment_authorizations as pa on pa.arrangement_id = r.id and pa.status = 'active'
      cross join lateral (select coalesce(p_today, (v_now at time zone c.time_zone)::date) as today) as d
     where i.status in ('scheduled', 'missed')
       and i.paid_minor > 0
       and i.paid_minor < i.amount_minor
       and i.due_on between d.today + 1 and d.today + 10
       -- Not yet attempted: a retry after a decline is told by the payment flow's email.
       and not exists (select 1 from app.automatic_charges as ch where ch.installment_id = i.id)
       and not app.collection_paused(a.id, v_now)
       and app.account_payable_minor(a.id) > 0
       and not exists (select 1 from app.outbound_messages as m where m.dedupe_key = 'reminder.amount_changed/' || i.id || '/' || i.due_on::text)
  ), queued as materialized (
    select app.enqueue_message(
             'reminder.upcoming', 'outreach', x.borrower_id, x.account_id,
             jsonb_build_object('installment_id', x.installment_id, 'notice', 'amount_changed', 'amount_minor', x.amount_minor,
                                'agreed_minor', x.agreed_minor, 'currency', x.currency, 'due_on', x.due_on, 'automatic', true),
             x.dedupe_key, x.not_before) as id
      from candidates as x
  )
  select count(q.id) into v_amount_changed from queued as q;

  -- After a missed payment (paid by hand): from the day after its date, for 14 days.
  with candidates as (
    select i.id as installment_id, i.due_on, i.amount_minor - i.paid_minor as amount_minor,
           a.id as account_id, a.borrower_id, a.currency,
           'reminder.missed/' || i.id || '/' || i.due_on::text as dedupe_key,
           greatest(v_now, (d.today + c.contact_earliest) at time zone b.time_zone) as not_before
      from app.installments as i
      join app.arrangements as r on r.id = i.arrangement_id and r.status = 'active'
      join app.accounts as a on a.id = r.account_id and a.status = 'open'
      join app.borrowers as b on b.id = a.borrower_id
      join app.creditors as c on c.id = a.creditor_id
      cross join lateral (select coalesce(p_today, (v_now at time zone c.time_zone)::date) as today) as d
     where i.status in ('scheduled', 'missed')
       and i.paid_minor < i.amount_minor
       and i.due_on between d.today - 14 and d.today - 1
       and not exists (select 1 from app.payment_authorizations as pa where pa.arrangement_id = r.id and pa.status = 'active')
       -- A payment by hand on its way (a bank debit processing, a Checkout still open).
       and not exists (
         select 1 from app.payments as m
          where m.installment_id = i.id
            and (m.status = 'processing' or (m.status = 'created' and m.created_at > v_now - interval '24 hours'))
       )
       -- The borrower asked for help (hardship, dispute, debt advice) since it was due.
       and not exists (
         select 1 from app.collection_pauses as cp
          where cp.account_id = a.id
            and cp.starts_at >= (i.due_on::timestamp at time zone c.time_zone)
       )
       and not app.collection_paused(a.id, v_now)
       and app.account_payable_minor(a.id) > 0
       and not exists (select 1 from app.outbound_messages as m where m.dedupe_key = 'reminder.missed/' || i.id || '/' || i.due_on::text)
  ), queued as materialized (
    select app.enqueue_message(
             'reminder.missed', 'outreach', x.borrower_id, x.account_id,
             jsonb_build_object('installment_id', x.installment_id, 'amount_minor', x.amount_minor, 'currency', x.currency,
                                'due_on', x.due_on),
             x.dedupe_key, x.not_before) as id
      from candidates as x
  )
  select count(q.id) into v_missed from queued as q;

  return jsonb_build_object(
    'reminder.upcoming', v_upcoming,
    'reminder.amount_changed', v_amount_changed,
    'reminder.missed', v_missed
  );
end;
$$;

comment on function api.queue_reminders(date, timestamptz) is
  'Queues outreach reminders in the outbox (app.enqueue_message, category outreach), once each by dedupe key: reminder.upcoming (installments due in 1..creditors.reminder_days_before days; and, notice amount_changed, automatic payments of a different amount than agreed 10 days ahead), reminder.missed (installments paid by hand 1..14 days past due, no pause since). None for a paused, closed, paid or zero-balance account or a plan not active. p_today: today for every creditor (null: each creditor''s). Returns {reminder.upcoming, reminder.amount_changed, reminder.missed}: new messages queued.';

comment on function api.queue_reminders(date, timestamptz) is
  'Queues outreach reminders in the outbox (app.enqueue_message, category outreach), once each by dedupe key (<kind>/<installment id>/<due on>: a payment whose date moved is reminded again): reminder.upcoming (installments due in 1..creditors.reminder_days_before days; and, notice amount_changed, automatic payments of a different amount than agreed 10 days ahead), reminder.missed (installments paid by hand 1..14 days past due, no pause since). None for a paused, closed or paid account, one with nothing payable (all of it on its way), an installment with a bank debit on its way, or a plan not active. p_today: today for every creditor (null: each creditor''s). Returns {reminder.upcoming, reminder.amount_changed, reminder.missed}: new messages queued.';

create or replace function api.reminder_notice(p_installment_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
           'installment_id', i.id,
           'account_id', a.id,
           'arrangement_id', r.id,
           'seq', i.seq,
           'installments_total', (select count(*) from app.installments as n where n.arrangement_id = r.id and n.status <> 'cancelled'),
           'due_on', i.due_on,
           'amount_minor', i.amount_minor,
           'paid_minor', i.paid_minor,
           'left_minor', i.amount_minor - i.paid_minor,
           'currency', a.currency,
           'today', (now() at time zone c.time_zone)::date,
           'automatic', pa.id is not null,
           'method', case when pa.id is not null then
             jsonb_build_object('type', pa.method_type, 'label', pa.method_label, 'last4', pa.method_last4) end,
           'sendable', r.status = 'active'
                       and a.status = 'open'
                       and i.status in ('scheduled', 'missed')
                       and i.paid_minor < i.amount_minor
                       and not app.collection_paused(a.id, now())
                       and app.account_payable_minor(a.id) > 0
                       and not exists (select 1 from app.payments as p where p.installment_id = i.id and p.status = 'processing'),
           'reference_last4', right(a.reference, 4),
           'creditor', jsonb_build_object('name', c.name, 'region', c.region, 'time_zone', c.time_zone,
                                          'support_phone', c.support_phone, 'support_email', c.support_email),
           'borrower', jsonb_build_object('email', b.email, 'language', b.language)
         )
    from app.installments as i
    join app.arrangements as r on r.id = i.arrangement_id
    join app.accounts as a on a.id = r.account_id
    join app.creditors as c on c.id = a.creditor_id
    join app.borrowers as b on b.id = a.borrower_id
    left join app.payment_authorizations as pa on pa.arrangement_id = r.id and pa.status = 'active'
   where i.id = p_installment_id;
$$;

comment on function api.reminder_notice(uuid) is
  'The facts of one reminder for its email, read when it is rendered: installment (seq of installments_total, due_on, amount, paid, left), currency, today in the creditor''s zone, automatic and the saved method, sendable (false when it no longer applies: paid, plan not active, account paused, closed or owing nothing), account, creditor (name, region, time_zone, contact), borrower email and language; null when the installment does not exist.';

comment on function api.reminder_notice(uuid) is
  'The facts of one reminder for its email, read when it is rendered: installment (seq of installments_total, due_on, amount, paid, left), currency, today in the creditor''s zone, automatic and the saved method, sendable (false when it no longer applies: paid, a bank debit for it on its way, plan not active, account paused, closed or with nothing payable), account, creditor (name, region, time_zone, contact), borrower email and language; null when the installment does not exist.';
