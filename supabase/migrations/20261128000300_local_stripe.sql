-- Local Stripe sandbox: where the in-process Stripe stand-in keeps its state.
--
-- Only local mode writes here (DESIGN §4, decision 001): with STRIPE_SECRET_KEY set, the
-- stripe SDK talks to Stripe and these tables stay empty. The sandbox
-- (app/services/stripe/local-sandbox.server.ts) answers the SDK from these rows, so the dev
-- server, `npm run jobs` and the tests all see the same customers, Checkout Sessions and
-- PaymentIntents.
--
-- Three tables:
-- * app.local_stripe_objects: every Stripe object the sandbox created, as Stripe's JSON.
-- * app.local_stripe_idempotency: Idempotency-Key → the first request's fingerprint and the
--   response it got (Stripe's rule: same key and parameters → the same response; same key
--   and other parameters → idempotency_error). Stripe forgets keys after 24 hours; the
--   sandbox never forgets them, which is stricter, never looser.
-- * app.local_stripe_events: events, with their webhook delivery state.
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): tables in `app` with RLS on
-- and no grants; functions in `api`, security definer, empty search_path, executable by
-- service_role alone.

-- ---------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------

create table app.local_stripe_objects (
  id text primary key check (id ~ '^[a-z]+_[A-Za-z0-9_]{8,100}$'),
  object text not null check (object ~ '^[a-z_.]{1,60}$'),
  data jsonb not null check (jsonb_typeof(data) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table app.local_stripe_objects is
  'Objects the local Stripe sandbox created (customers, checkout sessions, payment intents, refunds), as Stripe''s JSON. Local mode only: with STRIPE_SECRET_KEY set, nothing writes here.';

create index local_stripe_objects_object_idx on app.local_stripe_objects (object, created_at desc, id desc);

alter table app.local_stripe_objects enable row level security;
revoke all on table app.local_stripe_objects from public, anon, authenticated, service_role;

create table app.local_stripe_idempotency (
  key text primary key check (length(key) between 1 and 255),
  -- sha256 of method, path and body: a replay with another request is told apart.
  request_fingerprint text not null check (request_fingerprint ~ '^[0-9a-f]{64}$'),
  -- Null while the first request runs.
  status int check (status between 100 and 599),
  response jsonb,
  created_at timestamptz not null default now(),
  check ((status is null) = (response is null))
);

comment on table app.local_stripe_idempotency is
  'Idempotency keys the local Stripe sandbox has seen, with the first request''s fingerprint and response. Local mode only.';

alter table app.local_stripe_idempotency enable row level security;
revoke all on table app.local_stripe_idempotency from public, anon, authenticated, service_role;

create table app.local_stripe_events (
  id text primary key check (id ~ '^evt_[A-Za-z0-9]{8,100}$'),
  -- Delivery order: creation order, even within one millisecond.
  seq bigint generated always as identity unique,
  type text not null check (type ~ '^[a-z_]+(\.[a-z_]+)+$'),
  data jsonb not null check (jsonb_typeof(data) = 'object'),
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  attempts int not null default 0 check (attempts >= 0),
  last_error text check (length(last_error) <= 500)
);

comment on table app.local_stripe_events is
  'Events of the local Stripe sandbox (the full event JSON in data) and their webhook delivery state. Local mode only.';

create index local_stripe_events_pending_idx on app.local_stripe_events (seq) where delivered_at is null;

alter table app.local_stripe_events enable row level security;
revoke all on table app.local_stripe_events from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Objects
-- ---------------------------------------------------------------------------------------

-- One object's JSON, or null.
create function api.local_stripe_object_get(p_id text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select o.data from app.local_stripe_objects as o where o.id = p_id;
$$;

comment on function api.local_stripe_object_get(text) is
  'Local Stripe sandbox: one object''s JSON, or null. Local mode only.';

revoke execute on function api.local_stripe_object_get(text) from public, anon, authenticated;
grant execute on function api.local_stripe_object_get(text) to service_role;

-- Stores an object. With p_expect null the write is unconditional (insert or replace). With
-- p_expect set, a missing object is inserted and an existing one is replaced only if its JSON
-- contains p_expect (a compare-and-set, e.g. {"status": "open"}). Returns whether it wrote.
create function api.local_stripe_object_put(p_id text, p_object text, p_data jsonb, p_expect jsonb default null)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_written int;
begin
  insert into app.local_stripe_objects as o (id, object, data)
  values (p_id, p_object, p_data)
  on conflict (id) do update
     set data = excluded.data, updated_at = now()
   where o.object = excluded.object
     and (p_expect is null or o.data @> p_expect);
  get diagnostics v_written = row_count;
  return v_written > 0;
end;
$$;

comment on function api.local_stripe_object_put(text, text, jsonb, jsonb) is
  'Local Stripe sandbox: store an object; with p_expect, replace it only if its JSON contains p_expect. Returns whether it wrote. Local mode only.';

revoke execute on function api.local_stripe_object_put(text, text, jsonb, jsonb) from public, anon, authenticated;
grant execute on function api.local_stripe_object_put(text, text, jsonb, jsonb) to service_role;

-- Objects of one kind, newest first, optionally only those whose JSON contains p_filter.
create function api.local_stripe_object_list(p_object text, p_filter jsonb default null, p_limit int default 100)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(l.data order by l.created_at desc, l.id desc), '[]'::jsonb)
    from (
      select o.data, o.created_at, o.id
        from app.local_stripe_objects as o
       where o.object = p_object
         and (p_filter is null or o.data @> p_filter)
       order by o.created_at desc, o.id desc
       limit greatest(1, least(coalesce(p_limit, 100), 1000))
    ) as l;
$$;

comment on function api.local_stripe_object_list(text, jsonb, int) is
  'Local Stripe sandbox: objects of one kind, newest first, at most 1000, optionally filtered by containment. Local mode only.';

revoke execute on function api.local_stripe_object_list(text, jsonb, int) from public, anon, authenticated;
grant execute on function api.local_stripe_object_list(text, jsonb, int) to service_role;

-- ---------------------------------------------------------------------------------------
-- Idempotency
-- ---------------------------------------------------------------------------------------

-- Claims a key for a request. Returns {"state": "new"} when this request runs it;
-- {"state": "replay", "status", "response"} when the same request ran before;
-- {"state": "mismatch"} when the key was used with another request; {"state": "in_progress"}
-- when the same request is running right now.
create function api.local_stripe_idempotency_begin(p_key text, p_fingerprint text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_inserted int;
  v_row record;
begin
  insert into app.local_stripe_idempotency (key, request_fingerprint)
  values (p_key, p_fingerprint)
  on conflict (key) do nothing;
  get diagnostics v_inserted = row_count;
  if v_inserted > 0 then
    return jsonb_build_object('state', 'new');
  end if;

  select i.request_fingerprint, i.status, i.response
    into v_row
    from app.local_stripe_idempotency as i
   where i.key = p_key;

  if not found then
    -- Released between the two statements: the caller may simply try again.
    return jsonb_build_object('state', 'in_progress');
  end if;
  if v_row.request_fingerprint <> p_fingerprint then
    return jsonb_build_object('state', 'mismatch');
  end if;
  if v_row.status is null then
    return jsonb_build_object('state', 'in_progress');
  end if;
  return jsonb_build_object('state', 'replay', 'status', v_row.status, 'response', v_row.response);
end;
$$;

comment on function api.local_stripe_idempotency_begin(text, text) is
  'Local Stripe sandbox: claim an Idempotency-Key for a request: {state: new|replay|mismatch|in_progress}, with the stored status and response on replay. Local mode only.';

revoke execute on function api.local_stripe_idempotency_begin(text, text) from public, anon, authenticated;
grant execute on function api.local_stripe_idempotency_begin(text, text) to service_role;

-- Records the response of a claimed key; with p_status null, releases the claim (Stripe keeps
-- no result for a request that failed validation or never ran).
create function api.local_stripe_idempotency_finish(p_key text, p_status int default null, p_response jsonb default null)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_status is null then
    delete from app.local_stripe_idempotency as i where i.key = p_key and i.status is null;
  else
    update app.local_stripe_idempotency as i
       set status = p_status, response = p_response
     where i.key = p_key and i.status is null;
  end if;
end;
$$;

comment on function api.local_stripe_idempotency_finish(text, int, jsonb) is
  'Local Stripe sandbox: store the response of a claimed Idempotency-Key, or release the claim (status null). Local mode only.';

revoke execute on function api.local_stripe_idempotency_finish(text, int, jsonb) from public, anon, authenticated;
grant execute on function api.local_stripe_idempotency_finish(text, int, jsonb) to service_role;

-- ---------------------------------------------------------------------------------------
-- Events
-- ---------------------------------------------------------------------------------------

-- Stores one event (p_event is the full event JSON).
create function api.local_stripe_event_add(p_id text, p_type text, p_event jsonb)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into app.local_stripe_events (id, type, data) values (p_id, p_type, p_event);
$$;

comment on function api.local_stripe_event_add(text, text, jsonb) is
  'Local Stripe sandbox: store one event for webhook delivery. Local mode only.';

revoke execute on function api.local_stripe_event_add(text, text, jsonb) from public, anon, authenticated;
grant execute on function api.local_stripe_event_add(text, text, jsonb) to service_role;

-- Events with their delivery state: all of them newest first, or (p_pending) the undelivered
-- ones with fewer than p_max_attempts attempts, oldest first.
create function api.local_stripe_event_list(p_pending boolean default false, p_max_attempts int default 10, p_limit int default 100)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(
           jsonb_agg(
             jsonb_build_object(
               'id', l.id, 'type', l.type, 'event', l.data, 'created_at', l.created_at,
               'delivered_at', l.delivered_at, 'attempts', l.attempts, 'last_error', l.last_error
             )
             order by case when p_pending then l.seq else -l.seq end
           ),
           '[]'::jsonb
         )
    from (
      select e.*
        from app.local_stripe_events as e
       where not coalesce(p_pending, false)
          or (e.delivered_at is null and e.attempts < coalesce(p_max_attempts, 10))
       order by case when p_pending then e.seq else -e.seq end
       limit greatest(1, least(coalesce(p_limit, 100), 1000))
    ) as l;
$$;

comment on function api.local_stripe_event_list(boolean, int, int) is
  'Local Stripe sandbox: events with their delivery state (all, newest first; or the pending ones, oldest first). Local mode only.';

revoke execute on function api.local_stripe_event_list(boolean, int, int) from public, anon, authenticated;
grant execute on function api.local_stripe_event_list(boolean, int, int) to service_role;

-- One event's JSON, or null.
create function api.local_stripe_event_get(p_id text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select e.data from app.local_stripe_events as e where e.id = p_id;
$$;

comment on function api.local_stripe_event_get(text) is
  'Local Stripe sandbox: one event''s JSON, or null. Local mode only.';

revoke execute on function api.local_stripe_event_get(text) from public, anon, authenticated;
grant execute on function api.local_stripe_event_get(text) to service_role;

-- Records one delivery attempt: delivered (p_error null) or failed with a short reason.
create function api.local_stripe_event_attempted(p_id text, p_error text default null)
returns void
language sql
security definer
set search_path = ''
as $$
  update app.local_stripe_events as e
     set attempts = e.attempts + 1,
         delivered_at = case when p_error is null then coalesce(e.delivered_at, now()) else e.delivered_at end,
         last_error = case when p_error is null then e.last_error else left(p_error, 500) end
   where e.id = p_id;
$$;

comment on function api.local_stripe_event_attempted(text, text) is
  'Local Stripe sandbox: record one webhook delivery attempt (delivered when p_error is null). Local mode only.';

revoke execute on function api.local_stripe_event_attempted(text, text) from public, anon, authenticated;
grant execute on function api.local_stripe_event_attempted(text, text) to service_role;
