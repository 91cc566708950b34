-- Portfolio metrics for the console (issue 8 item 7; ADR 012; the metrics page repeats
-- these definitions for staff): by ISO week (Monday to Sunday, UTC dates) and by the days-past-due
-- bucket each thing happened at. Computed from what is stored, never from a second copy:
--
--   cure rate           of plans that went live in the week (active, completed or broken),
--                       the share now paid off (completed)
--   promise-kept rate   of plan payments due in the week (before today), the share paid in
--                       full by the end of their due day (by the payments tied to them; a
--                       payment not tied to one counts when the installment is paid)
--   days to pay         for an account's first successful payment, in the week it succeeded:
--                       days from the account's placement (created_at) to that payment
--   self-serve share    of plans agreed in the week, the share that needed no staff review
--   hardship, disputes, received in the week; decided in the week, with the mean hours from
--   complaints          received to decided
--   feedback            how many ratings were left in the week, and their mean (1 to 5)
--
-- The DPD bucket is the account's days past due on the day it happened (that day minus the
-- account's oldest missed payment), so a plan agreed at 75 days counts in 61–90 for ever.

create function api.staff_metrics(p_staff_id uuid, p_today date, p_weeks integer default 12)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_first_week date;
  v_last_week date;
  v_result jsonb;
begin
  perform app.require_staff(p_staff_id, array['agent', 'supervisor', 'admin']);
  if p_today is null or p_weeks is null or p_weeks not between 1 and 104 then
    raise exception 'p_today and 1 to 104 weeks are needed'
      using errcode = 'PT422', hint = 'invalid_metrics_range';
  end if;
  v_last_week := date_trunc('week', p_today)::date;
  v_first_week := v_last_week - 7 * (p_weeks - 1);

  with
  weeks as (
    select generate_series(v_first_week, v_last_week, interval '7 days')::date as week_start
  ),
  plans as (
    select date_trunc('week', r.agreed_on)::date as week_start,
           app.dpd_bucket(r.agreed_on - a.first_missed_payment_on) as bucket,
           r.status,
           cardinality(r.policy_rules) = 0 as self_serve
      from app.arrangements as r
      join app.accounts as a on a.id = r.account_id
     where r.agreed_on between v_first_week and v_last_week + 6
  ),
  due as (
    select date_trunc('week', i.due_on)::date as week_start,
           app.dpd_bucket(r.agreed_on - a.first_missed_payment_on) as bucket,
           i.status = 'paid' and coalesce((
             select max(p.succeeded_at) from app.payments as p
              where p.installment_id = i.id and p.status in ('succeeded', 'refunded')
           ) < ((i.due_on + 1)::timestamp at time zone c.time_zone), true) as kept
      from app.installments as i
      join app.arrangements as r on r.id = i.arrangement_id
      join app.accounts as a on a.id = r.account_id
      join app.creditors as c on c.id = r.creditor_id
     where i.due_on between v_first_week and least(v_last_week + 6, p_today - 1)
       and i.status <> 'cancelled'
       and r.status <> 'pending_review' and r.status <> 'declined'
  ),
  first_payments as (
    select distinct on (p.account_id)
           p.account_id, p.succeeded_at, a.created_at as placed_at, a.first_missed_payment_on,
           (p.succeeded_at at time zone c.time_zone)::date as paid_on
      from app.payments as p
      join app.accounts as a on a.id = p.account_id
      join app.creditors as c on c.id = a.creditor_id
     where p.succeeded_at is not null
     order by p.account_id, p.succeeded_at, p.id
  ),
  paid as (
    select date_trunc('week', f.paid_on)::date as week_start,
           app.dpd_bucket(f.paid_on - f.first_missed_payment_on) as bucket,
           extract(epoch from f.succeeded_at - f.placed_at) / 86400.0 as days
      from first_payments as f
     where f.paid_on between v_first_week and v_last_week + 6
  ),
  requests as (
    select 'hardship' as kind, h.submitted_at as received_at, h.decided_at,
           app.dpd_bucket((h.submitted_at at time zone c.time_zone)::date - a.first_missed_payment_on) as bucket
      from app.hardship_requests as h
      join app.accounts as a on a.id = h.account_id
      join app.creditors as c on c.id = a.creditor_id
     where h.submitted_at is not null
    union all
    select 'dispute', d.received_at, d.resolved_at,
           app.dpd_bucket((d.received_at at time zone c.time_zone)::date - a.first_missed_payment_on)
      from app.disputes as d
      join app.accounts as a on a.id = d.account_id
      join app.creditors as c on c.id = a.creditor_id
    union all
    select 'complaint', k.received_at, k.resolved_at,
           app.dpd_bucket((k.received_at at time zone c.time_zone)::date - a.first_missed_payment_on)
      from app.complaints as k
      left join app.accounts as a on a.id = k.account_id
      join app.borrowers as b on b.id = k.borrower_id
      join app.creditors as c on c.id = b.creditor_id
  ),
  by_week as (
    select w.week_start,
           (select count(*) from plans as p where p.week_start = w.week_start and p.status in ('active', 'completed', 'broken')) as plans_live,
           (select count(*) from plans as p where p.week_start = w.week_start and p.status = 'completed') as plans_completed,
           (select count(*) from plans as p where p.week_start = w.week_start and p.status <> 'pending_review' and p.status <> 'cancelled') as plans_agreed,
           (select count(*) from plans as p where p.week_start = w.week_start and p.self_serve and p.status <> 'pending_review' and p.status <> 'cancelled') as plans_self_serve,
           (select count(*) from due as d where d.week_start = w.week_start) as installments_due,
           (select count(*) from due as d where d.week_start = w.week_start and d.kept) as installments_kept,
           (select count(*) from paid as p where p.week_start = w.week_start) as first_payments,
           (select round(avg(p.days), 1) from paid as p where p.week_start = w.week_start) as avg_days_to_pay,
           (select count(*) from requests as r where r.kind = 'hardship' and date_trunc('week', r.received_at at time zone 'UTC')::date = w.week_start) as hardship_received,
           (select count(*) from requests as r where r.kind = 'hardship' and date_trunc('week', r.decided_at at time zone 'UTC')::date = w.week_start) as hardship_decided,
           (select round(avg(extract(epoch from r.decided_at - r.received_at) / 3600.0), 1) from requests as r
             where r.kind = 'hardship' and date_trunc('week', r.decided_at at time zone 'UTC')::date = w.week_start) as hardship_hours,
           (select count(*) from requests as r where r.kind = 'dispute' and date_trunc('week', r.received_at at time zone 'UTC')::date = w.week_start) as disputes_received,
           (select count(*) from requests as r where r.kind = 'dispute' and date_trunc('week', r.decided_at at time zone 'UTC')::date = w.week_start) as disputes_resolved,
           (select round(avg(extract(epoch from r.decided_at - r.received_at) / 3600.0), 1) from requests as r
             where r.kind = 'dispute' and date_trunc('week', r.decided_at at time zone 'UTC')::date = w.week_start) as dispute_hours,
           (select count(*) from requests as r where r.kind = 'complaint' and date_trunc('week', r.received_at at time zone 'UTC')::date = w.week_start) as complaints_received,
           (select count(*) from requests as r where r.kind = 'complaint' and date_trunc('week', r.decided_at at time zone 'UTC')::date = w.week_start) as complaints_resolved,
           (select round(avg(extract(epoch from r.decided_at - r.received_at) / 3600.0), 1) from requests as r
             where r.kind = 'complaint' and date_trunc('week', r.decided_at at time zone 'UTC')::date = w.week_start) as complaint_hours,
           (select count(*) from app.feedback as f where date_trunc('week', f.created_at at time zone 'UTC')::date = w.week_start) as feedback_count,
           (select round(avg(f.rating), 1) from app.feedback as f where date_trunc('week', f.created_at at time zone 'UTC')::date = w.week_start) as feedback_rating
      from weeks as w
  ),
  buckets as (
    select unnest(array['0_30', '31_60', '61_90', '90_plus']) as bucket
  ),
  by_bucket as (
    select b.bucket,
           (select count(*) from plans as p where p.bucket = b.bucket and p.status in ('active', 'completed', 'broken')) as plans_live,
           (select count(*) from plans as p where p.bucket = b.bucket and p.status = 'completed') as plans_completed,
           (select count(*) from plans as p where p.bucket = b.bucket and p.status <> 'pending_review' and p.status <> 'cancelled') as plans_agreed,
           (select count(*) from plans as p where p.bucket = b.bucket and p.self_serve and p.status <> 'pending_review' and p.status <> 'cancelled') as plans_self_serve,
           (select count(*) from due as d where d.bucket = b.bucket) as installments_due,
           (select count(*) from due as d where d.bucket = b.bucket and d.kept) as installments_kept,
           (select count(*) from paid as p where p.bucket = b.bucket) as first_payments,
           (select round(avg(p.days), 1) from paid as p where p.bucket = b.bucket) as avg_days_to_pay,
           (select count(*) from requests as r where r.kind = 'hardship' and r.bucket = b.bucket
              and r.received_at >= v_first_week::timestamp at time zone 'UTC') as hardship_received,
           (select count(*) from requests as r where r.kind = 'dispute' and r.bucket = b.bucket
              and r.received_at >= v_first_week::timestamp at time zone 'UTC') as disputes_received,
           (select count(*) from requests as r where r.kind = 'complaint' and r.bucket = b.bucket
              and r.received_at >= v_first_week::timestamp at time zone 'UTC') as complaints_received
      from buckets as b
  )
  select jsonb_build_object(
           'first_week', v_first_week,
           'last_week', v_last_week,
           'weeks', (select jsonb_agg(to_jsonb(w) order by w.week_start) from by_week as w),
           'dpd_buckets', (select jsonb_agg(to_jsonb(b) order by array_position(array['0_30', '31_60', '61_90', '90_plus'], b.bucket)) from by_bucket as b)
         )
    into v_result;
  return v_result;
end;
$$;

comment on function api.staff_metrics(uuid, date, integer) is
  'Portfolio metrics for the p_weeks ISO weeks up to the one holding p_today: {first_week, last_week, weeks: [{week_start, plans_live, plans_completed, plans_agreed, plans_self_serve, installments_due, installments_kept, first_payments, avg_days_to_pay, hardship_received, hardship_decided, hardship_hours, disputes_received, disputes_resolved, dispute_hours, complaints_received, complaints_resolved, complaint_hours, feedback_count, feedback_rating}], dpd_buckets: [{bucket, plans_live, plans_completed, plans_agreed, plans_self_serve, installments_due, installments_kept, first_payments, avg_days_to_pay, hardship_received, disputes_received, complaints_received}]}. Definitions in the migration header. PT403 staff_forbidden; PT422 invalid_metrics_range.';

revoke execute on function api.staff_metrics(uuid, date, integer) from public, anon, authenticated;
grant execute on function api.staff_metrics(uuid, date, integer) to service_role;
