-- Reminders (issue 9 item 3; ADR 014): before each installment, on the day an automatic
-- payment failed, and after a missed payment; never while collection on the account is
-- paused (hardship, dispute, debt advice, breathing space) or when the plan or the account
-- is paid.
--
-- api.queue_reminders (a step of `npm run jobs`, before the outbox sender) writes them to
-- the outbox through app.enqueue_message (20261128001600_message_outbox.sql), category
-- 'outreach', one per event: each has a dedupe key built from the installment or payment it
-- is about, so running the pass twice, or on two machines at once, queues nothing twice.
-- The sender then applies consent, opt-out, pause, paid, the borrower's hours and the
-- attempts cap when the message goes, and renders it in the borrower's language then; the
-- renderer reads the facts through api.reminder_notice, so the email shows them as they are
-- when it goes (params hold ids, codes, amounts and dates only).
--
-- What is queued, per creditor, "today" being the date in the creditor's zone (or p_today):
--
--   reminder.upcoming        an unpaid installment of an active plan due in 1 to
--                            creditors.reminder_days_before days (3 by default): "due in
--                            exactly N days", or later in that window when the pass did not
--                            run that day or the plan was agreed after it; key
--                            reminder.upcoming/<installment id>.
--   reminder.upcoming        (notice 'amount_changed') an automatic payment whose amount
--                            differs from the installment agreed: the sweep charges what is
--                            left of it (amount - paid), so after a part payment it takes
--                            less than the plan says. Told 10 days ahead (the US rule for
--                            preauthorized transfers of varying amounts, Regulation E
--                            12 CFR 1005.10(d)), or as soon as we can inside those 10 days;
--                            key reminder.amount_changed/<installment id>. The amount can
--                            only be lower: nothing in the data model raises it.
--   (payment failed)         not a reminder here: the email that an automatic payment did
--                            not go through ("we will try again on ...", "please confirm
--                            with your bank") is sent for each failed attempt by the payment
--                            flow (app/utils/payment-emails.server.ts); a second one the same
--                            day would only repeat it.
--   reminder.missed          an installment paid by hand (no active automatic payment
--                            authorization) whose due date passed unpaid, the day after it
--                            and up to 14 days later, unless the borrower asked for help
--                            (a pause started) since it was due; key
--                            reminder.missed/<installment id>. An automatic installment is
--                            not "missed" while the sweep retries it: each failed attempt
--                            is told by the payment flow's email, the last one included.
--
-- Nothing is queued for an account that is paused now (app.collection_paused), that is not
-- open, or that owes nothing, nor for an installment paid or a plan not active.

-- ---------------------------------------------------------------------------------------
-- api.queue_reminders
-- ---------------------------------------------------------------------------------------

-- p_today: the date that counts as today for every creditor (tests, `npm run jobs --
-- --today`); null: today in each creditor's zone. p_now: the moment the pass runs (pauses
-- and "failed in the last day" are judged at it). Returns how many new messages each kind
-- queued: {"reminder.upcoming": n, "reminder.amount_changed": n, "reminder.missed": n}.
create function api.queue_reminders(p_today date default null, p_now timestamptz default now())
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
           'reminder.upcoming/' || i.id as dedupe_key,
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
       and not app.collection_paused(a.id, v_now)
       and app.account_balance_minor(a.id) > 0
       and not exists (select 1 from app.outbound_messages as m where m.dedupe_key = 'reminder.upcoming/' || i.id)
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
           'reminder.amount_changed/' || i.id as dedupe_key,
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
       and app.account_balance_minor(a.id) > 0
       and not exists (select 1 from app.outbound_messages as m where m.dedupe_key = 'reminder.amount_changed/' || i.id)
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
           'reminder.missed/' || i.id as dedupe_key,
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
       and app.account_balance_minor(a.id) > 0
       and not exists (select 1 from app.outbound_messages as m where m.dedupe_key = 'reminder.missed/' || i.id)
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

-- ---------------------------------------------------------------------------------------
-- api.reminder_notice
-- ---------------------------------------------------------------------------------------

-- The facts a reminder shows, as they are when it is rendered: the installment, the plan's
-- place in it, the saved payment method when it pays itself, and who to contact. `sendable`
-- is false when the reminder no longer applies (paid, plan ended, account paused or closed):
-- the renderer then sends nothing.
create function api.reminder_notice(p_installment_id uuid)
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
                       and app.account_balance_minor(a.id) > 0,
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

revoke execute on function api.queue_reminders(date, timestamptz) from public, anon, authenticated;
revoke execute on function api.reminder_notice(uuid) from public, anon, authenticated;
grant execute on function api.queue_reminders(date, timestamptz) to service_role;
grant execute on function api.reminder_notice(uuid) to service_role;
