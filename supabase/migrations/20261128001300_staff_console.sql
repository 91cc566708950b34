-- The operations console's reads (issue 8 items 2 and 4; ADR 012): the queue of what waits
-- for staff (plan requests, hardship requests, disputes) with its segments, account search,
-- the account page (ledger, plans, payments, consents, requests, links, the full audit
-- trail), and links a staff member sends or copies for a borrower. Every function starts
-- with app.require_staff; reading an account and issuing a link are audited.

-- The days-past-due bucket staff segment by: 0–30 (current accounts too), 31–60, 61–90, 90+.
create function app.dpd_bucket(p_days integer)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when coalesce(p_days, 0) <= 30 then '0_30'
    when p_days <= 60 then '31_60'
    when p_days <= 90 then '61_90'
    else '90_plus'
  end;
$$;

-- Balance bands in minor units: under $1,000; $1,000–4,999.99; $5,000–9,999.99; $10,000+.
create function app.balance_band(p_minor bigint)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when p_minor < 100000 then 'under_1k'
    when p_minor < 500000 then '1k_5k'
    when p_minor < 1000000 then '5k_10k'
    else '10k_plus'
  end;
$$;

revoke all on function app.dpd_bucket(integer) from public, anon, authenticated, service_role;
revoke all on function app.balance_band(bigint) from public, anon, authenticated, service_role;

-- Everything waiting for a staff decision, one row per request. escalated_at is read by
-- name from the row's JSON, so the queue does not depend on which request kinds have
-- grown an escalation column.
create function app.staff_queue_items()
returns table (
  kind text,
  request_id uuid,
  account_id uuid,
  status text,
  received_at timestamptz,
  due_at timestamptz,
  escalated_at timestamptz,
  amount_minor bigint
)
language sql
stable
set search_path = ''
as $$
  select 'plan', r.id, r.account_id, r.status, r.created_at, r.review_due_at,
         (to_jsonb(r) ->> 'escalated_at')::timestamptz, greatest(r.balance_minor, r.discount_minor)
    from app.arrangements as r
   where r.status = 'pending_review'
  union all
  select 'hardship', h.id, h.account_id, h.status, h.submitted_at, h.decision_due_at, h.escalated_at, null
    from app.hardship_requests as h
   where h.status = 'submitted'
  union all
  select 'dispute', d.id, d.account_id, d.status, d.received_at, d.due_at,
         (to_jsonb(d) ->> 'escalated_at')::timestamptz, null
    from app.disputes as d
   where d.status <> 'resolved'
  union all
  -- A complaint about no account in particular is shown on the borrower's oldest account.
  select 'complaint', k.id,
         coalesce(k.account_id, (select a.id from app.accounts as a where a.borrower_id = k.borrower_id order by a.created_at, a.id limit 1)),
         k.status, k.received_at, k.due_at, null, null
    from app.complaints as k
   where k.status <> 'resolved';
$$;

revoke all on function app.staff_queue_items() from public, anon, authenticated, service_role;

-- p_filters: {kind, creditor_id, dpd_bucket, balance_band, language, escalated} (each
-- optional; unknown values match nothing). Oldest first, at most 200 rows. counts are over
-- every waiting request (not the filters), by kind and by DPD bucket.
create function api.staff_queue(p_staff_id uuid, p_filters jsonb default '{}'::jsonb)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_filters jsonb := coalesce(p_filters, '{}'::jsonb);
  v_items jsonb;
  v_counts jsonb;
  v_creditors jsonb;
begin
  perform app.require_staff(p_staff_id, array['agent', 'supervisor', 'admin']);
  if jsonb_typeof(v_filters) <> 'object' then
    raise exception 'filters must be an object'
      using errcode = 'PT422', hint = 'invalid_filters';
  end if;

  with queue as (
    select q.*, c.id as creditor_id, c.name as creditor_name, c.time_zone, a.reference,
           b.full_name as borrower_name, b.language,
           app.days_past_due(a.status, a.first_missed_payment_on, c.time_zone) as dpd,
           (app.account_split(a.id) ->> 'total_minor')::bigint as balance_minor
      from app.staff_queue_items() as q
      join app.accounts as a on a.id = q.account_id
      join app.borrowers as b on b.id = a.borrower_id
      join app.creditors as c on c.id = a.creditor_id
  ),
  filtered as (
    select queue.*
      from queue
     where (v_filters ->> 'kind' is null or queue.kind = v_filters ->> 'kind')
       and (v_filters ->> 'creditor_id' is null or queue.creditor_id::text = v_filters ->> 'creditor_id')
       and (v_filters ->> 'dpd_bucket' is null or app.dpd_bucket(queue.dpd) = v_filters ->> 'dpd_bucket')
       and (v_filters ->> 'balance_band' is null or app.balance_band(queue.balance_minor) = v_filters ->> 'balance_band')
       and (v_filters ->> 'language' is null or queue.language = v_filters ->> 'language')
       and (v_filters ->> 'escalated' is null or (queue.escalated_at is not null) = (v_filters ->> 'escalated')::boolean)
     order by queue.received_at, queue.request_id
     limit 200
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'kind', f.kind,
           'request_id', f.request_id,
           'account_id', f.account_id,
           'reference', f.reference,
           'borrower_name', f.borrower_name,
           'creditor_name', f.creditor_name,
           'language', f.language,
           'status', f.status,
           'received_at', f.received_at,
           'due_at', f.due_at,
           'escalated_at', f.escalated_at,
           'amount_minor', f.amount_minor,
           'balance_minor', f.balance_minor,
           'dpd', f.dpd,
           'dpd_bucket', app.dpd_bucket(f.dpd),
           'balance_band', app.balance_band(f.balance_minor)
         ) order by f.received_at, f.request_id), '[]'::jsonb)
    into v_items
    from filtered as f;

  select jsonb_build_object(
           'total', count(*),
           'kind', jsonb_build_object(
             'plan', count(*) filter (where q.kind = 'plan'),
             'hardship', count(*) filter (where q.kind = 'hardship'),
             'dispute', count(*) filter (where q.kind = 'dispute'),
             'complaint', count(*) filter (where q.kind = 'complaint')),
           'dpd_bucket', jsonb_build_object(
             '0_30', count(*) filter (where app.dpd_bucket(app.days_past_due(a.status, a.first_missed_payment_on, c.time_zone)) = '0_30'),
             '31_60', count(*) filter (where app.dpd_bucket(app.days_past_due(a.status, a.first_missed_payment_on, c.time_zone)) = '31_60'),
             '61_90', count(*) filter (where app.dpd_bucket(app.days_past_due(a.status, a.first_missed_payment_on, c.time_zone)) = '61_90'),
             '90_plus', count(*) filter (where app.dpd_bucket(app.days_past_due(a.status, a.first_missed_payment_on, c.time_zone)) = '90_plus')),
           'overdue', count(*) filter (where q.due_at < now()),
           'escalated', count(*) filter (where q.escalated_at is not null))
    into v_counts
    from app.staff_queue_items() as q
    join app.accounts as a on a.id = q.account_id
    join app.creditors as c on c.id = a.creditor_id;

  select coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name) order by c.name, c.id), '[]'::jsonb)
    into v_creditors
    from app.creditors as c;

  return jsonb_build_object('items', v_items, 'counts', v_counts, 'creditors', v_creditors);
end;
$$;

comment on function api.staff_queue(uuid, jsonb) is
  'What waits for staff, oldest first (at most 200): {items: [{kind plan|hardship|dispute|complaint, request_id, account_id, reference, borrower_name, creditor_name, language, status, received_at, due_at, escalated_at, amount_minor, balance_minor, dpd, dpd_bucket, balance_band}], counts: {total, kind, dpd_bucket, overdue, escalated}, creditors: [{id, name}]}. Filters: kind, creditor_id, dpd_bucket, balance_band, language, escalated. PT403 staff_forbidden; PT422 invalid_filters.';

revoke execute on function api.staff_queue(uuid, jsonb) from public, anon, authenticated;
grant execute on function api.staff_queue(uuid, jsonb) to service_role;

-- ---------------------------------------------------------------------------------------
-- Account search.
-- ---------------------------------------------------------------------------------------

-- By reference (case and spaces ignored, prefix), by email (exact, case ignored) or by a
-- part of the name (case ignored; % and _ typed are matched as themselves). At most 50.
create function api.staff_search_accounts(p_staff_id uuid, p_query text)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_query text := btrim(coalesce(p_query, ''));
  -- What was typed, with LIKE's wildcards and escape character matched as themselves.
  v_literal text := replace(replace(replace(v_query, '\', '\\'), '%', '\%'), '_', '\_');
  v_reference_pattern text := upper(regexp_replace(v_literal, '[[:space:]]', '', 'g')) || '%';
  v_name_pattern text := '%' || lower(v_literal) || '%';
begin
  perform app.require_staff(p_staff_id, array['agent', 'supervisor', 'admin']);
  if length(v_query) not between 2 and 200 then
    raise exception 'a search needs 2 to 200 characters'
      using errcode = 'PT422', hint = 'invalid_query';
  end if;
  return coalesce((
    select jsonb_agg(row order by row ->> 'reference', row ->> 'id')
      from (
        select jsonb_build_object(
                 'id', a.id,
                 'reference', a.reference,
                 'status', a.status,
                 'product', a.product,
                 'creditor_name', c.name,
                 'borrower_name', b.full_name,
                 'currency', a.currency,
                 'balance_minor', (app.account_split(a.id) ->> 'total_minor')::bigint,
                 'dpd', app.days_past_due(a.status, a.first_missed_payment_on, c.time_zone)
               ) as row
          from app.accounts as a
          join app.borrowers as b on b.id = a.borrower_id
          join app.creditors as c on c.id = a.creditor_id
         where upper(a.reference) like v_reference_pattern
            or (position('@' in v_query) > 0 and b.email = lower(v_query))
            or lower(b.full_name) like v_name_pattern
         order by a.reference, a.id
         limit 50
      ) as found
  ), '[]'::jsonb);
end;
$$;

comment on function api.staff_search_accounts(uuid, text) is
  'Accounts matching a reference prefix, an exact email or part of a name, at most 50: [{id, reference, status, product, creditor_name, borrower_name, currency, balance_minor, dpd}]. PT403 staff_forbidden; PT422 invalid_query (not 2 to 200 characters).';

revoke execute on function api.staff_search_accounts(uuid, text) from public, anon, authenticated;
grant execute on function api.staff_search_accounts(uuid, text) to service_role;

-- ---------------------------------------------------------------------------------------
-- The account page.
-- ---------------------------------------------------------------------------------------

-- Everything staff see about one account. Reading it is itself audited (staff.account_viewed):
-- who looked at whose data is part of the trail.
create function api.staff_account(p_staff_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account app.accounts%rowtype;
  v_borrower app.borrowers%rowtype;
  v_creditor app.creditors%rowtype;
  v_result jsonb;
begin
  perform app.require_staff(p_staff_id, array['agent', 'supervisor', 'admin']);
  select a.* into v_account from app.accounts as a where a.id = p_account_id;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  select b.* into v_borrower from app.borrowers as b where b.id = v_account.borrower_id;
  select c.* into v_creditor from app.creditors as c where c.id = v_account.creditor_id;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id)
  values ('staff', p_staff_id, 'staff.account_viewed', 'account', v_account.id, v_account.id);

  v_result := jsonb_build_object(
    'account', jsonb_build_object(
      'id', v_account.id,
      'reference', v_account.reference,
      'product', v_account.product,
      'status', v_account.status,
      'currency', v_account.currency,
      'opened_on', v_account.opened_on,
      'original_amount_minor', v_account.original_amount_minor,
      'original_creditor', v_account.original_creditor,
      'first_missed_payment_on', v_account.first_missed_payment_on,
      'charged_off_on', v_account.charged_off_on,
      'interest_rate_bps', v_account.interest_rate_bps,
      'dpd', app.days_past_due(v_account.status, v_account.first_missed_payment_on, v_creditor.time_zone),
      'balance', app.account_split(v_account.id),
      'paused', app.collection_paused(v_account.id, now())
    ),
    'borrower', jsonb_build_object(
      'id', v_borrower.id,
      'full_name', v_borrower.full_name,
      'email', v_borrower.email,
      'phone', v_borrower.phone,
      'language', v_borrower.language,
      'time_zone', v_borrower.time_zone
    ),
    'creditor', jsonb_build_object('id', v_creditor.id, 'name', v_creditor.name, 'time_zone', v_creditor.time_zone),
    'ledger', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', l.id, 'kind', l.kind, 'effective_on', l.effective_on, 'amount_minor', l.amount_minor,
               'principal_minor', l.principal_minor, 'interest_minor', l.interest_minor, 'fees_minor', l.fees_minor,
               'reason_code', l.reason_code
             ) order by l.effective_on, l.entry_no)
        from app.ledger_entries as l where l.account_id = v_account.id), '[]'::jsonb),
    'arrangements', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', r.id, 'kind', r.kind, 'status', r.status, 'frequency', r.frequency,
               'total_minor', r.total_minor, 'balance_minor', r.balance_minor, 'discount_minor', r.discount_minor,
               'agreed_on', r.agreed_on, 'review_due_at', r.review_due_at, 'policy_rules', to_jsonb(r.policy_rules),
               'created_at', r.created_at, 'ended_at', r.ended_at, 'at_risk_since', r.at_risk_since,
               'installments', (
                 select coalesce(jsonb_agg(jsonb_build_object(
                          'seq', i.seq, 'due_on', i.due_on, 'amount_minor', i.amount_minor,
                          'paid_minor', i.paid_minor, 'status', i.status) order by i.seq), '[]'::jsonb)
                   from app.installments as i where i.arrangement_id = r.id)
             ) order by r.created_at desc, r.id)
        from app.arrangements as r where r.account_id = v_account.id), '[]'::jsonb),
    'payments', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', p.id, 'amount_minor', p.amount_minor, 'status', p.status, 'purpose', p.purpose,
               'origin', p.origin, 'failure_code', p.failure_code, 'created_at', p.created_at,
               'succeeded_at', p.succeeded_at
             ) order by p.created_at desc, p.id)
        from app.payments as p where p.account_id = v_account.id), '[]'::jsonb),
    'consents', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', k.id, 'kind', k.kind, 'action', k.action, 'version', k.text_version,
               'language', k.language, 'sha256', k.text_sha256, 'created_at', k.created_at
             ) order by k.created_at desc, k.id)
        from app.consents as k
       where k.borrower_id = v_borrower.id
         and (k.account_id is null or k.account_id = v_account.id)), '[]'::jsonb),
    'hardship_requests', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', h.id, 'status', h.status, 'help', h.help, 'submitted_at', h.submitted_at,
               'decision_due_at', h.decision_due_at, 'decided_at', h.decided_at, 'outcome', h.outcome
             ) order by h.created_at desc, h.id)
        from app.hardship_requests as h where h.account_id = v_account.id and h.status <> 'draft'), '[]'::jsonb),
    'complaints', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', k.id, 'reference', k.reference, 'category', k.category, 'status', k.status,
               'received_at', k.received_at, 'due_at', k.due_at, 'outcome', k.outcome
             ) order by k.received_at desc, k.id)
        from app.complaints as k
       where k.account_id = v_account.id
          or (k.account_id is null and k.borrower_id = v_borrower.id)), '[]'::jsonb),
    'disputes', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', d.id, 'kind', d.kind, 'status', d.status, 'received_at', d.received_at,
               'due_at', d.due_at, 'resolved_at', d.resolved_at, 'outcome', d.outcome
             ) order by d.received_at desc, d.id)
        from app.disputes as d where d.account_id = v_account.id), '[]'::jsonb),
    'links', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', k.id, 'purpose', k.purpose, 'created_at', k.created_at,
               'expires_at', k.expires_at, 'used_at', k.used_at
             ) order by k.created_at desc, k.id)
        from (select l.* from app.access_links as l where l.account_id = v_account.id
               order by l.created_at desc limit 20) as k), '[]'::jsonb),
    'audit', coalesce((
      select jsonb_agg(jsonb_build_object(
               'event_no', e.event_no, 'occurred_at', e.occurred_at, 'actor_kind', e.actor_kind,
               'actor_name', s.full_name, 'action', e.action, 'subject_kind', e.subject_kind,
               'reason_code', e.reason_code, 'metadata', e.metadata,
               'origin', substr(e.origin_hash, 1, 8)
             ) order by e.occurred_at desc, e.event_no desc)
        from (select ev.* from app.audit_events as ev where ev.account_id = v_account.id
               order by ev.occurred_at desc, ev.event_no desc limit 300) as e
        left join app.staff as s on e.actor_kind = 'staff' and s.id = e.actor_id), '[]'::jsonb)
  );
  return v_result;
end;
$$;

comment on function api.staff_account(uuid, uuid) is
  'One account for the console, audited as staff.account_viewed: {account (balance split, dpd, paused), borrower, creditor, ledger, arrangements (with installments), payments, consents, hardship_requests, disputes, links (last 20), audit (last 300, newest first, with staff names and the first 8 characters of origin_hash)}. PT403 staff_forbidden; PT404 account_not_found.';

revoke execute on function api.staff_account(uuid, uuid) from public, anon, authenticated;
grant execute on function api.staff_account(uuid, uuid) to service_role;

-- ---------------------------------------------------------------------------------------
-- Links staff send or copy for a borrower.
-- ---------------------------------------------------------------------------------------

-- 'email': a 30-day outreach link emailed to the borrower's address on file (PT409
-- no_email without one). 'copy': the same link shown once to the staff member, to read out
-- or paste; the borrower still answers their one question before anything opens.
create function api.staff_issue_access_link(p_staff_id uuid, p_account_id uuid, p_token_hash text, p_delivery text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account app.accounts%rowtype;
  v_borrower app.borrowers%rowtype;
  v_link_id uuid;
  v_expires_at timestamptz;
begin
  perform app.require_staff(p_staff_id, array['agent', 'supervisor', 'admin']);
  perform app.require_hex_digest(p_token_hash, 'p_token_hash');
  if p_delivery is null or p_delivery not in ('email', 'copy') then
    raise exception 'p_delivery must be email or copy'
      using errcode = 'PT422', hint = 'invalid_delivery';
  end if;
  select a.* into v_account from app.accounts as a where a.id = p_account_id;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  select b.* into v_borrower from app.borrowers as b where b.id = v_account.borrower_id;
  if p_delivery = 'email' and v_borrower.email is null then
    raise exception 'the borrower has no email on file'
      using errcode = 'PT409', hint = 'no_email';
  end if;

  insert into app.access_links (account_id, token_hash, purpose, expires_at)
  values (v_account.id, p_token_hash, 'outreach', now() + interval '30 days')
  returning id, expires_at into v_link_id, v_expires_at;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('staff', p_staff_id, case p_delivery when 'email' then 'access.link_sent_by_staff' else 'access.link_copied_by_staff' end,
          'access_link', v_link_id, v_account.id, jsonb_build_object('purpose', 'outreach'));

  return jsonb_build_object(
    'link_id', v_link_id,
    'expires_at', v_expires_at,
    'email', case when p_delivery = 'email' then v_borrower.email end,
    'language', v_borrower.language,
    'creditor', (select jsonb_build_object('name', c.name, 'support_phone', c.support_phone, 'support_email', c.support_email)
                   from app.creditors as c where c.id = v_account.creditor_id)
  );
end;
$$;

comment on function api.staff_issue_access_link(uuid, uuid, text, text) is
  'A 30-day secure link for the account, issued by staff to email or to copy once, audited (access.link_sent_by_staff / access.link_copied_by_staff): {link_id, expires_at, email (email only), language, creditor {name, support_phone, support_email}}. PT403 staff_forbidden; PT404 account_not_found; PT409 no_email; PT422 invalid_delivery.';

revoke execute on function api.staff_issue_access_link(uuid, uuid, text, text) from public, anon, authenticated;
grant execute on function api.staff_issue_access_link(uuid, uuid, text, text) to service_role;
