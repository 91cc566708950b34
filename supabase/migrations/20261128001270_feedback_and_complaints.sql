-- Feedback and complaints (issue 9 item 7; ADR 013): on every page a borrower can say how
-- it went (a rating of 1 to 5 and, if they like, a few words) and, when signed in, make a
-- complaint. A complaint gets a reference (C-000123), an acknowledgement, a due time by the
-- creditor's rules (15 days in the US, 8 weeks in the UK), a place in the console's queue,
-- and a written answer from staff. Feedback and complaints count in the metrics.

create table app.feedback (
  id uuid primary key default gen_random_uuid(),
  -- Null when left on a public page by someone not signed in.
  borrower_id uuid references app.borrowers (id),
  -- Which page, as a route name ('account.plan'), never a URL (ids stay out).
  page text not null check (page ~ '^[a-z][a-z0-9_.-]{0,62}$'),
  rating smallint not null check (rating between 1 and 5),
  comment text check (length(comment) between 1 and 1000),
  language text not null check (language in ('en', 'es')),
  -- HMAC of the client IP, for the per-IP limit only.
  ip_hash text not null check (ip_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now()
);

comment on table app.feedback is
  'How a page went for a borrower: a rating of 1 to 5 and optional words, which page (a route name, never a URL), language; anonymous on public pages.';

create index feedback_created_idx on app.feedback (created_at);
create index feedback_ip_idx on app.feedback (ip_hash, created_at);
create index feedback_borrower_idx on app.feedback (borrower_id) where borrower_id is not null;

create sequence app.complaint_numbers;

create table app.complaints (
  id uuid primary key default gen_random_uuid(),
  -- What the borrower quotes: C-000123.
  reference text not null unique check (reference ~ '^C-[0-9]{6,}$'),
  borrower_id uuid not null references app.borrowers (id),
  account_id uuid references app.accounts (id),
  category text not null check (category in ('contact', 'payments', 'plan', 'fees', 'help', 'website', 'other')),
  details text not null check (length(details) between 1 and 4000),
  language text not null check (language in ('en', 'es')),
  -- received → under_review → resolved.
  status text not null default 'received' check (status in ('received', 'under_review', 'resolved')),
  due_at timestamptz not null,
  received_at timestamptz not null default now(),
  review_started_at timestamptz,
  resolved_at timestamptz,
  outcome text check (outcome in ('upheld', 'partly_upheld', 'not_upheld')),
  -- The written answer to the borrower.
  response text check (length(response) between 1 and 4000),
  resolved_by uuid references app.staff (id),
  check ((status = 'resolved') = (resolved_at is not null and outcome is not null and response is not null and resolved_by is not null))
);

comment on table app.complaints is
  'A borrower''s complaint (issue 9 item 7): reference, category, their words, due time by the creditor''s rules, received → under_review → resolved with an outcome and a written answer.';

create index complaints_borrower_idx on app.complaints (borrower_id, received_at);
create index complaints_account_idx on app.complaints (account_id) where account_id is not null;
create index complaints_queue_idx on app.complaints (due_at) where status <> 'resolved';

alter table app.feedback enable row level security;
alter table app.complaints enable row level security;
revoke all on table app.feedback, app.complaints from public, anon, authenticated, service_role;
revoke all on sequence app.complaint_numbers from public, anon, authenticated, service_role;

create function app.complaint_json(p_complaint app.complaints)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_complaint.id,
    'reference', p_complaint.reference,
    'account_id', p_complaint.account_id,
    'category', p_complaint.category,
    'details', p_complaint.details,
    'language', p_complaint.language,
    'status', p_complaint.status,
    'due_at', p_complaint.due_at,
    'received_at', p_complaint.received_at,
    'review_started_at', p_complaint.review_started_at,
    'resolved_at', p_complaint.resolved_at,
    'outcome', p_complaint.outcome,
    'response', p_complaint.response
  );
$$;

revoke all on function app.complaint_json(app.complaints) from public, anon, authenticated, service_role;

-- What the complaint emails say about the creditor.
create function app.complaint_creditor(p_creditor_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object('name', c.name, 'time_zone', c.time_zone, 'support_phone', c.support_phone, 'support_email', c.support_email)
    from app.creditors as c
   where c.id = p_creditor_id;
$$;

revoke all on function app.complaint_creditor(uuid) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Borrowers.
-- ---------------------------------------------------------------------------------------

-- At most 10 from one IP hash in an hour; more answers {stored: false} (the page thanks
-- them all the same).
create function api.leave_feedback(p_borrower_id uuid, p_page text, p_rating integer, p_comment text, p_language text, p_ip_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_comment text := nullif(btrim(coalesce(p_comment, '')), '');
  v_id uuid;
begin
  perform app.require_hex_digest(p_ip_hash, 'p_ip_hash');
  if p_page is null or p_page !~ '^[a-z][a-z0-9_.-]{0,62}$'
     or p_rating is null or p_rating not between 1 and 5
     or length(v_comment) > 1000
     or p_language is null or p_language not in ('en', 'es') then
    raise exception 'malformed feedback'
      using errcode = 'PT422', hint = 'invalid_feedback';
  end if;
  if p_borrower_id is not null and not exists (select 1 from app.borrowers as b where b.id = p_borrower_id) then
    raise exception 'borrower not found'
      using errcode = 'PT404', hint = 'borrower_not_found';
  end if;
  if (select count(*) from app.feedback as f where f.ip_hash = p_ip_hash and f.created_at > now() - interval '1 hour') >= 10 then
    return jsonb_build_object('stored', false);
  end if;
  insert into app.feedback (borrower_id, page, rating, comment, language, ip_hash)
  values (p_borrower_id, p_page, p_rating, v_comment, p_language, p_ip_hash)
  returning id into v_id;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, metadata)
  values (case when p_borrower_id is null then 'system' else 'borrower' end, p_borrower_id, 'feedback.left', 'feedback', v_id,
          jsonb_build_object('rating', p_rating, 'has_comment', v_comment is not null));
  return jsonb_build_object('stored', true, 'id', v_id);
end;
$$;

comment on function api.leave_feedback(uuid, text, integer, text, text, text) is
  'Stores a rating (1 to 5) and optional words (at most 1,000 characters) for a page (route name), signed in or not: {stored: true, id} or {stored: false} past 10 an hour from one IP hash. PT404 borrower_not_found; PT422 invalid_feedback.';

revoke execute on function api.leave_feedback(uuid, text, integer, text, text, text) from public, anon, authenticated;
grant execute on function api.leave_feedback(uuid, text, integer, text, text, text) to service_role;

-- The account is optional but must be the borrower's. The due day comes from the creditor's
-- jurisdiction: 15 days in the US, 8 weeks (56 days) in the UK; it ends in the creditor's
-- zone. A replay of the same words within 10 minutes answers the complaint already made.
create function api.make_complaint(p_borrower_id uuid, p_account_id uuid, p_category text, p_details text, p_language text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_details text := nullif(btrim(coalesce(p_details, '')), '');
  v_borrower app.borrowers%rowtype;
  v_creditor app.creditors%rowtype;
  v_complaint app.complaints%rowtype;
  v_days integer;
begin
  select b.* into v_borrower from app.borrowers as b where b.id = p_borrower_id;
  if not found then
    raise exception 'borrower not found'
      using errcode = 'PT404', hint = 'borrower_not_found';
  end if;
  if p_account_id is not null
     and not exists (select 1 from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id) then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  if p_category is null or p_category not in ('contact', 'payments', 'plan', 'fees', 'help', 'website', 'other')
     or v_details is null or length(v_details) > 4000
     or p_language is null or p_language not in ('en', 'es') then
    raise exception 'malformed complaint'
      using errcode = 'PT422', hint = 'invalid_complaint';
  end if;

  -- One complaint at a time per borrower, so a double press makes one.
  perform 1 from app.borrowers as b where b.id = p_borrower_id for update;
  select c.* into v_complaint from app.complaints as c
   where c.borrower_id = p_borrower_id and c.details = v_details and c.category = p_category
     and c.account_id is not distinct from p_account_id and c.received_at > now() - interval '10 minutes';
  if found then
    return jsonb_build_object('outcome', 'duplicate', 'complaint', app.complaint_json(v_complaint),
                              'email', v_borrower.email, 'creditor', app.complaint_creditor(v_borrower.creditor_id));
  end if;

  select c.* into v_creditor from app.creditors as c where c.id = v_borrower.creditor_id;
  v_days := case when v_creditor.jurisdiction like 'GB%' then 56 else 15 end;
  insert into app.complaints (reference, borrower_id, account_id, category, details, language, due_at)
  values ('C-' || lpad(nextval('app.complaint_numbers')::text, 6, '0'), p_borrower_id, p_account_id, p_category, v_details, p_language,
          (((now() at time zone v_creditor.time_zone)::date + v_days + 1)::timestamp) at time zone v_creditor.time_zone)
  returning * into v_complaint;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('borrower', p_borrower_id, 'complaint.made', 'complaint', v_complaint.id, p_account_id, p_category,
          jsonb_build_object('due_in_days', v_days));
  return jsonb_build_object('outcome', 'made', 'complaint', app.complaint_json(v_complaint),
                            'email', v_borrower.email, 'creditor', app.complaint_creditor(v_creditor.id));
end;
$$;

comment on function api.make_complaint(uuid, uuid, text, text, text) is
  'Records a complaint (category, their words, language; account optional but theirs) with a reference and a due time (15 days US, 56 days UK, ending in the creditor''s zone), audited: {outcome: made | duplicate, complaint, email, creditor {name, time_zone, support_phone, support_email}}. PT404 borrower_not_found, account_not_found; PT422 invalid_complaint.';

revoke execute on function api.make_complaint(uuid, uuid, text, text, text) from public, anon, authenticated;
grant execute on function api.make_complaint(uuid, uuid, text, text, text) to service_role;

create function api.borrower_complaints(p_borrower_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(app.complaint_json(c) || jsonb_build_object('time_zone', cr.time_zone) order by c.received_at desc, c.id), '[]'::jsonb)
    from app.complaints as c
    join app.borrowers as b on b.id = c.borrower_id
    join app.creditors as cr on cr.id = b.creditor_id
   where c.borrower_id = p_borrower_id;
$$;

comment on function api.borrower_complaints(uuid) is
  'The borrower''s complaints, newest first (complaint_json each, plus the creditor''s time_zone for dates).';

revoke execute on function api.borrower_complaints(uuid) from public, anon, authenticated;
grant execute on function api.borrower_complaints(uuid) to service_role;

-- ---------------------------------------------------------------------------------------
-- Staff.
-- ---------------------------------------------------------------------------------------

create function api.staff_complaint(p_staff_id uuid, p_complaint_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_complaint app.complaints%rowtype;
begin
  perform app.require_staff(p_staff_id, array['agent', 'supervisor', 'admin']);
  select c.* into v_complaint from app.complaints as c where c.id = p_complaint_id;
  if not found then
    raise exception 'complaint not found'
      using errcode = 'PT404', hint = 'complaint_not_found';
  end if;
  return app.complaint_json(v_complaint) || jsonb_build_object(
    'borrower_name', (select b.full_name from app.borrowers as b where b.id = v_complaint.borrower_id),
    'account_reference', (select a.reference from app.accounts as a where a.id = v_complaint.account_id),
    'resolved_by_name', (select s.full_name from app.staff as s where s.id = v_complaint.resolved_by)
  );
end;
$$;

comment on function api.staff_complaint(uuid, uuid) is
  'One complaint for the console: complaint_json plus borrower_name, account_reference, resolved_by_name. PT403 staff_forbidden; PT404 complaint_not_found.';

revoke execute on function api.staff_complaint(uuid, uuid) from public, anon, authenticated;
grant execute on function api.staff_complaint(uuid, uuid) to service_role;

-- Answers a complaint in writing, once: the second of two answers is PT409
-- complaint_resolved. One audit event (the outcome; never the words).
create function api.staff_resolve_complaint(p_staff_id uuid, p_complaint_id uuid, p_outcome text, p_response text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_response text := nullif(btrim(coalesce(p_response, '')), '');
  v_complaint app.complaints%rowtype;
begin
  perform app.require_staff(p_staff_id, array['agent', 'supervisor', 'admin']);
  if p_outcome is null or p_outcome not in ('upheld', 'partly_upheld', 'not_upheld')
     or v_response is null or length(v_response) > 4000 then
    raise exception 'malformed answer'
      using errcode = 'PT422', hint = 'invalid_answer';
  end if;
  select c.* into v_complaint from app.complaints as c where c.id = p_complaint_id for update;
  if not found then
    raise exception 'complaint not found'
      using errcode = 'PT404', hint = 'complaint_not_found';
  end if;
  if v_complaint.status = 'resolved' then
    raise exception 'the complaint was answered already'
      using errcode = 'PT409', hint = 'complaint_resolved';
  end if;
  update app.complaints as c
     set status = 'resolved', resolved_at = now(), outcome = p_outcome, response = v_response, resolved_by = p_staff_id,
         review_started_at = coalesce(c.review_started_at, now())
   where c.id = v_complaint.id
  returning * into v_complaint;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code)
  values ('staff', p_staff_id, 'complaint.resolved', 'complaint', v_complaint.id, v_complaint.account_id, p_outcome);
  return app.complaint_json(v_complaint) || jsonb_build_object(
    'email', (select b.email from app.borrowers as b where b.id = v_complaint.borrower_id),
    'creditor', app.complaint_creditor((select b.creditor_id from app.borrowers as b where b.id = v_complaint.borrower_id))
  );
end;
$$;

comment on function api.staff_resolve_complaint(uuid, uuid, text, text) is
  'Answers a complaint (outcome upheld | partly_upheld | not_upheld, the written answer), audited: complaint_json plus email and creditor {name, time_zone, support_phone, support_email} for the email. PT403 staff_forbidden; PT404 complaint_not_found; PT409 complaint_resolved; PT422 invalid_answer.';

revoke execute on function api.staff_resolve_complaint(uuid, uuid, text, text) from public, anon, authenticated;
grant execute on function api.staff_resolve_complaint(uuid, uuid, text, text) to service_role;
