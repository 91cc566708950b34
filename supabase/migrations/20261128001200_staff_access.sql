-- Staff access to the operations console (issue 8 item 1; DESIGN §6; ADR 012): a one-time
-- sign-in link by email (15 minutes, single use, SHA-256 stored), a staff session separate
-- from borrowers' (8 hours absolute, 30 minutes idle, SHA-256 stored), sign out, and admins
-- managing staff (role, approval limit, active), every change audited with before and after.
--
-- Keeps the foundation's rules: tables in `app` with RLS on and no grants; `api` functions
-- security definer, empty search_path, executable by service_role alone; audit events hold
-- ids, codes, integers and booleans only.
--
-- Limits, as constants in the functions that enforce them:
--   sign-in link     15 minutes, one use; a newer link does not cancel an older live one
--   requests         30 per IP hash per hour (a whole team may sign in from one office
--                    network); 3 links per staff member per 15 minutes
--   sessions         30 minutes idle, 8 hours absolute; a deactivated member's sessions end

-- ---------------------------------------------------------------------------------------
-- Tables.
-- ---------------------------------------------------------------------------------------

create table app.staff_sign_in_links (
  id uuid primary key default gen_random_uuid(),
  staff_id uuid not null references app.staff (id),
  -- SHA-256 (hex) of the 256-bit token. The token is only in the email.
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  check (expires_at > created_at),
  check (used_at is null or used_at >= created_at)
);

comment on table app.staff_sign_in_links is
  'One-time sign-in links for staff: SHA-256 of the token only, 15 minutes, spent on first use.';

create index staff_sign_in_links_staff_idx on app.staff_sign_in_links (staff_id, created_at);

create table app.staff_sign_in_requests (
  id bigint generated always as identity primary key,
  -- HMAC-SHA256 (hex) of the client IP keyed with the app's session secret. Never the IP.
  ip_hash text not null check (ip_hash ~ '^[0-9a-f]{64}$'),
  requested_at timestamptz not null default now()
);

comment on table app.staff_sign_in_requests is
  'One row per staff sign-in request, keyed by an HMAC of the client IP (never the IP), for the per-IP limit. Rows older than a day can be purged.';

create index staff_sign_in_requests_ip_idx on app.staff_sign_in_requests (ip_hash, requested_at);

create table app.staff_sessions (
  id uuid primary key default gen_random_uuid(),
  -- SHA-256 (hex) of the random session id in the staff cookie. Never the id.
  id_hash text not null unique check (id_hash ~ '^[0-9a-f]{64}$'),
  staff_id uuid not null references app.staff (id),
  link_id uuid not null references app.staff_sign_in_links (id),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  -- created_at + 8 hours; never extended.
  absolute_expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text check (revoked_reason in ('signed_out', 'deactivated')),
  check ((revoked_at is null) = (revoked_reason is null)),
  check (absolute_expires_at > created_at),
  check (last_seen_at >= created_at)
);

comment on table app.staff_sessions is
  'Console sessions: SHA-256 of the cookie''s session id only, 30 minutes idle and 8 hours absolute, revoked on sign-out or when the member is deactivated.';

create index staff_sessions_staff_idx on app.staff_sessions (staff_id, revoked_at);
create index staff_sessions_link_idx on app.staff_sessions (link_id);

alter table app.staff_sign_in_links enable row level security;
alter table app.staff_sign_in_requests enable row level security;
alter table app.staff_sessions enable row level security;

revoke all on table app.staff_sign_in_links, app.staff_sign_in_requests, app.staff_sessions
  from public, anon, authenticated, service_role;
revoke all on sequence app.staff_sign_in_requests_id_seq from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Helpers.
-- ---------------------------------------------------------------------------------------

-- The staff member, when active and in one of the roles; otherwise PT403 staff_forbidden.
-- Every console function that acts for a staff member starts here, so a stale session of a
-- deactivated or demoted member can do nothing.
create function app.require_staff(p_staff_id uuid, p_roles text[])
returns app.staff
language plpgsql
stable
set search_path = ''
as $$
declare
  v_staff app.staff%rowtype;
begin
  select s.* into v_staff from app.staff as s where s.id = p_staff_id;
  if not found or not v_staff.active or not (v_staff.role = any (p_roles)) then
    raise exception 'this staff member may not do this'
      using errcode = 'PT403', hint = 'staff_forbidden';
  end if;
  return v_staff;
end;
$$;

comment on function app.require_staff(uuid, text[]) is
  'The active staff member with one of these roles, else PT403 (hint staff_forbidden).';

revoke all on function app.require_staff(uuid, text[]) from public, anon, authenticated, service_role;

create function app.staff_json(p_staff app.staff)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_staff.id,
    'email', p_staff.email,
    'full_name', p_staff.full_name,
    'role', p_staff.role,
    'approval_limit_minor', p_staff.approval_limit_minor,
    'active', p_staff.active,
    'created_at', p_staff.created_at
  );
$$;

revoke all on function app.staff_json(app.staff) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Sign-in.
-- ---------------------------------------------------------------------------------------

-- Someone typed an email on /ops/sign-in. The caller answers everyone alike; this says
-- whether to send a link. Unknown, inactive and throttled all answer {send: false}.
create function api.request_staff_sign_in(p_email text, p_token_hash text, p_ip_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_staff app.staff%rowtype;
  v_link_id uuid;
  v_expires_at timestamptz;
begin
  perform app.require_hex_digest(p_token_hash, 'p_token_hash');
  perform app.require_hex_digest(p_ip_hash, 'p_ip_hash');

  if (select count(*) from app.staff_sign_in_requests as r
       where r.ip_hash = p_ip_hash and r.requested_at > now() - interval '1 hour') >= 30 then
    return jsonb_build_object('send', false);
  end if;
  insert into app.staff_sign_in_requests (ip_hash) values (p_ip_hash);

  select s.* into v_staff from app.staff as s where s.email = v_email and s.active;
  if not found then
    return jsonb_build_object('send', false);
  end if;
  if (select count(*) from app.staff_sign_in_links as l
       where l.staff_id = v_staff.id and l.created_at > now() - interval '15 minutes') >= 3 then
    return jsonb_build_object('send', false);
  end if;

  insert into app.staff_sign_in_links (staff_id, token_hash, expires_at)
  values (v_staff.id, p_token_hash, now() + interval '15 minutes')
  returning id, expires_at into v_link_id, v_expires_at;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id)
  values ('staff', v_staff.id, 'staff.sign_in_link_sent', 'staff_sign_in_link', v_link_id);

  return jsonb_build_object(
    'send', true,
    'link_id', v_link_id,
    'expires_at', v_expires_at,
    'email', v_staff.email,
    'full_name', v_staff.full_name
  );
end;
$$;

comment on function api.request_staff_sign_in(text, text, text) is
  'Creates a 15-minute one-time sign-in link for an active staff member with this email (case ignored): {send: true, link_id, expires_at, email, full_name} or {send: false} when unknown, inactive or throttled (30 requests per IP hash per hour, 3 links per member per 15 minutes).';

revoke execute on function api.request_staff_sign_in(text, text, text) from public, anon, authenticated;
grant execute on function api.request_staff_sign_in(text, text, text) to service_role;

-- Mail scanners open links before people do: this reads only, and the page asks for a
-- press of a button before start_staff_session spends the link.
create function api.open_staff_sign_in(p_token_hash text)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_link app.staff_sign_in_links%rowtype;
  v_staff app.staff%rowtype;
begin
  if p_token_hash is null or p_token_hash !~ '^[0-9a-f]{64}$' then
    return jsonb_build_object('status', 'unknown');
  end if;
  select l.* into v_link from app.staff_sign_in_links as l where l.token_hash = p_token_hash;
  if not found then
    return jsonb_build_object('status', 'unknown');
  end if;
  select s.* into v_staff from app.staff as s where s.id = v_link.staff_id;
  if v_link.used_at is not null then
    return jsonb_build_object('status', 'used');
  elsif v_link.expires_at <= now() or not v_staff.active then
    return jsonb_build_object('status', 'expired');
  end if;
  return jsonb_build_object('status', 'ok', 'email', v_staff.email, 'full_name', v_staff.full_name);
end;
$$;

comment on function api.open_staff_sign_in(text) is
  'What a staff sign-in link is, without spending it: {status: ok (email, full_name) | used | expired | unknown}.';

revoke execute on function api.open_staff_sign_in(text) from public, anon, authenticated;
grant execute on function api.open_staff_sign_in(text) to service_role;

create function api.start_staff_session(p_token_hash text, p_session_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_link app.staff_sign_in_links%rowtype;
  v_staff app.staff%rowtype;
  v_session_id uuid;
  v_absolute_expires_at timestamptz;
begin
  perform app.require_hex_digest(p_session_hash, 'p_session_hash');
  if p_token_hash is null or p_token_hash !~ '^[0-9a-f]{64}$' then
    return jsonb_build_object('status', 'unknown');
  end if;
  select l.* into v_link from app.staff_sign_in_links as l where l.token_hash = p_token_hash for update;
  if not found then
    return jsonb_build_object('status', 'unknown');
  end if;
  select s.* into v_staff from app.staff as s where s.id = v_link.staff_id;
  if v_link.used_at is not null then
    return jsonb_build_object('status', 'used');
  elsif v_link.expires_at <= now() or not v_staff.active then
    return jsonb_build_object('status', 'expired');
  end if;

  update app.staff_sign_in_links as l set used_at = now() where l.id = v_link.id;
  insert into app.staff_sessions (id_hash, staff_id, link_id, absolute_expires_at)
  values (p_session_hash, v_staff.id, v_link.id, now() + interval '8 hours')
  returning id, absolute_expires_at into v_session_id, v_absolute_expires_at;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id)
  values ('staff', v_staff.id, 'staff.signed_in', 'staff_session', v_session_id);

  return jsonb_build_object('status', 'ok', 'staff_id', v_staff.id, 'absolute_expires_at', v_absolute_expires_at);
end;
$$;

comment on function api.start_staff_session(text, text) is
  'Spends a staff sign-in link and starts a session (8 hours absolute) stored by the hash of its id: {status: ok (staff_id, absolute_expires_at) | used | expired | unknown}.';

revoke execute on function api.start_staff_session(text, text) from public, anon, authenticated;
grant execute on function api.start_staff_session(text, text) to service_role;

create function api.touch_staff_session(p_session_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c_idle constant interval := interval '30 minutes';
  v_session app.staff_sessions%rowtype;
  v_staff app.staff%rowtype;
begin
  if p_session_hash is null or p_session_hash !~ '^[0-9a-f]{64}$' then
    return jsonb_build_object('status', 'unknown');
  end if;
  select s.* into v_session from app.staff_sessions as s where s.id_hash = p_session_hash;
  if not found then
    return jsonb_build_object('status', 'unknown');
  elsif v_session.revoked_at is not null then
    return jsonb_build_object('status', 'revoked');
  elsif v_session.absolute_expires_at <= now() then
    return jsonb_build_object('status', 'expired', 'reason', 'absolute');
  elsif v_session.last_seen_at + c_idle <= now() then
    return jsonb_build_object('status', 'expired', 'reason', 'idle');
  end if;

  select s.* into v_staff from app.staff as s where s.id = v_session.staff_id;
  if not v_staff.active then
    update app.staff_sessions as s
       set revoked_at = now(), revoked_reason = 'deactivated'
     where s.id = v_session.id;
    return jsonb_build_object('status', 'revoked');
  end if;

  update app.staff_sessions as s
     set last_seen_at = greatest(s.last_seen_at, now())
   where s.id = v_session.id
  returning s.last_seen_at into v_session.last_seen_at;

  return jsonb_build_object(
    'status', 'ok',
    'staff', app.staff_json(v_staff),
    'idle_expires_at', least(v_session.last_seen_at + c_idle, v_session.absolute_expires_at),
    'absolute_expires_at', v_session.absolute_expires_at
  );
end;
$$;

comment on function api.touch_staff_session(text) is
  'Checks a staff session by the hash of its id and records the activity: {status: ok (staff {id, email, full_name, role, approval_limit_minor, active, created_at}, idle_expires_at, absolute_expires_at) | expired (reason idle|absolute) | revoked | unknown}. 30 minutes idle, 8 hours absolute; a deactivated member''s session is revoked.';

revoke execute on function api.touch_staff_session(text) from public, anon, authenticated;
grant execute on function api.touch_staff_session(text) to service_role;

create function api.end_staff_session(p_session_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_session app.staff_sessions%rowtype;
begin
  if p_session_hash is null or p_session_hash !~ '^[0-9a-f]{64}$' then
    return jsonb_build_object('status', 'unknown');
  end if;
  update app.staff_sessions as s
     set revoked_at = now(), revoked_reason = 'signed_out'
   where s.id_hash = p_session_hash
     and s.revoked_at is null
  returning s.* into v_session;
  if not found then
    return jsonb_build_object('status', 'unknown');
  end if;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id)
  values ('staff', v_session.staff_id, 'staff.signed_out', 'staff_session', v_session.id);
  return jsonb_build_object('status', 'ok');
end;
$$;

comment on function api.end_staff_session(text) is
  'Signs a staff member out: revokes the session with this id hash: {status: ok | unknown}.';

revoke execute on function api.end_staff_session(text) from public, anon, authenticated;
grant execute on function api.end_staff_session(text) to service_role;

-- ---------------------------------------------------------------------------------------
-- Managing staff (admins).
-- ---------------------------------------------------------------------------------------

create function api.staff_members(p_staff_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform app.require_staff(p_staff_id, array['admin']);
  return coalesce(
    (select jsonb_agg(app.staff_json(s) order by s.active desc, s.full_name, s.id) from app.staff as s),
    '[]'::jsonb
  );
end;
$$;

comment on function api.staff_members(uuid) is
  'Every staff member, active first, by name (admins only; PT403 staff_forbidden otherwise).';

revoke execute on function api.staff_members(uuid) from public, anon, authenticated;
grant execute on function api.staff_members(uuid) to service_role;

-- Adds (p_member_id null) or changes a staff member. The audit event carries the role,
-- limit and active flag before and after. An admin cannot take away the last active
-- admin (themselves included), so the console is never left without one.
create function api.save_staff_member(
  p_admin_id uuid,
  p_member_id uuid,
  p_email text,
  p_full_name text,
  p_role text,
  p_approval_limit_minor bigint,
  p_active boolean
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_before app.staff%rowtype;
  v_after app.staff%rowtype;
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_name text := btrim(coalesce(p_full_name, ''));
begin
  perform app.require_staff(p_admin_id, array['admin']);
  if p_role is null or p_role not in ('agent', 'supervisor', 'admin')
     or p_approval_limit_minor is null or p_approval_limit_minor not between 0 and 1000000000000
     or p_active is null
     or length(v_name) not between 1 and 200
     or length(v_email) > 254 or v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception 'invalid staff member'
      using errcode = 'PT422', hint = 'invalid_staff_member';
  end if;

  -- One admin change at a time, so two admins cannot each remove the other.
  perform pg_advisory_xact_lock(hashtext('app.staff'));

  if p_member_id is null then
    if exists (select 1 from app.staff as s where s.email = v_email) then
      raise exception 'a staff member has this email'
        using errcode = 'PT409', hint = 'staff_email_taken';
    end if;
    insert into app.staff (email, full_name, role, approval_limit_minor, active)
    values (v_email, v_name, p_role, p_approval_limit_minor, p_active)
    returning * into v_after;
    insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, metadata)
    values ('staff', p_admin_id, 'staff.member_added', 'staff', v_after.id,
            jsonb_build_object('role_after', v_after.role, 'limit_after', v_after.approval_limit_minor,
                               'active_after', v_after.active));
    return app.staff_json(v_after);
  end if;

  select s.* into v_before from app.staff as s where s.id = p_member_id for update;
  if not found then
    raise exception 'staff member not found'
      using errcode = 'PT404', hint = 'staff_not_found';
  end if;
  if exists (select 1 from app.staff as s where s.email = v_email and s.id <> p_member_id) then
    raise exception 'a staff member has this email'
      using errcode = 'PT409', hint = 'staff_email_taken';
  end if;
  if v_before.role = 'admin' and v_before.active and (p_role <> 'admin' or not p_active)
     and (select count(*) from app.staff as s where s.role = 'admin' and s.active) <= 1 then
    raise exception 'the last active admin cannot be removed'
      using errcode = 'PT409', hint = 'last_admin';
  end if;

  update app.staff as s
     set email = v_email, full_name = v_name, role = p_role,
         approval_limit_minor = p_approval_limit_minor, active = p_active
   where s.id = p_member_id
  returning * into v_after;

  if not v_after.active then
    update app.staff_sessions as s
       set revoked_at = now(), revoked_reason = 'deactivated'
     where s.staff_id = v_after.id and s.revoked_at is null;
  end if;

  if v_before is distinct from v_after then
    insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, metadata)
    values ('staff', p_admin_id, 'staff.member_changed', 'staff', v_after.id,
            jsonb_build_object('role_before', v_before.role, 'role_after', v_after.role,
                               'limit_before', v_before.approval_limit_minor, 'limit_after', v_after.approval_limit_minor,
                               'active_before', v_before.active, 'active_after', v_after.active,
                               'email_changed', v_before.email <> v_after.email,
                               'name_changed', v_before.full_name <> v_after.full_name));
  end if;
  return app.staff_json(v_after);
end;
$$;

comment on function api.save_staff_member(uuid, uuid, text, text, text, bigint, boolean) is
  'Adds (p_member_id null) or changes a staff member (admins only), audited with role, limit and active before and after; deactivating ends their sessions. PT403 staff_forbidden; PT404 staff_not_found; PT409 staff_email_taken, last_admin; PT422 invalid_staff_member.';

revoke execute on function api.save_staff_member(uuid, uuid, text, text, text, bigint, boolean) from public, anon, authenticated;
grant execute on function api.save_staff_member(uuid, uuid, text, text, text, bigint, boolean) to service_role;
