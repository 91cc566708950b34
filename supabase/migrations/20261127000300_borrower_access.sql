-- Borrower access (issue 4; DESIGN §5 items 1–3 and 8; ADR 003): secure links stored as
-- hashes, the one-fact check with its per-link lockout and per-IP limit, borrower sessions
-- stored as hashes with idle and absolute expiry, "send me a new link" without revealing
-- whether an account exists, and what a signed-in borrower may read: their accounts, an
-- account's overview (the itemization) and its timeline, plus the public list of creditors'
-- official contact details for the "Is this genuine?" page.
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): tables in `app` with RLS on
-- and no grants; `api` functions security definer, empty search_path, fully qualified names,
-- executable by service_role alone; audit events hold ids, counts and reason codes only.
--
-- Secrets never arrive here in the clear. The app sends SHA-256 (hex) of link tokens and
-- session ids, and HMAC-SHA256 (hex) of client IPs keyed with its session secret; none of
-- them, nor the borrower's answer, is ever written to app.audit_events.
--
-- Limits (ADR 003), as constants in the functions that enforce them:
--   link lifetime      outreach 30 days, resend 30 minutes
--   wrong answers      5 per link, then locked 30 minutes; the count restarts when a lock ends
--   per IP (answers)   20 failed attempts in 30 minutes, across links, then 'ip_limited'
--   new-link requests  5 per IP per hour; 3 re-sent links per account per hour
--   sessions           15 minutes idle, 12 hours absolute

-- ---------------------------------------------------------------------------------------
-- Tables.
-- ---------------------------------------------------------------------------------------

create table app.access_links (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references app.accounts (id),
  -- SHA-256 of the 256-bit token, lower-case hex. The token itself is never stored.
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  -- 'outreach': from a letter, email or text (30 days); 'resend': asked for on the site (30 minutes).
  purpose text not null check (purpose in ('outreach', 'resend')),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  -- Set when an answer is accepted: the link is spent and signs no one in again.
  used_at timestamptz,
  -- Wrong answers since the last lock ended (or since the link was made).
  failed_attempts integer not null default 0 check (failed_attempts between 0 and 5),
  locked_until timestamptz,
  check (expires_at > created_at),
  check (used_at is null or used_at >= created_at)
);

comment on table app.access_links is
  'Secure links to an account (DESIGN §5 item 1): SHA-256 of the token only, purpose, expiry, when it was spent, and the per-link wrong-answer count and lock.';
comment on column app.access_links.token_hash is
  'SHA-256 (hex) of the link token. The token is in the link alone; a copy of this table opens nothing.';

-- Also serves the foreign key, and the "re-sent links per account per hour" throttle.
create index access_links_account_purpose_idx on app.access_links (account_id, purpose, created_at);

create table app.access_attempts (
  id bigint generated always as identity primary key,
  -- 'answer': an answer to a link's question; 'new_link': a "send me a new link" request.
  kind text not null check (kind in ('answer', 'new_link')),
  -- HMAC-SHA256 (hex) of the client IP, keyed with the app's session secret. Never the IP.
  ip_hash text not null check (ip_hash ~ '^[0-9a-f]{64}$'),
  link_id uuid references app.access_links (id),
  succeeded boolean not null,
  attempted_at timestamptz not null default now()
);

comment on table app.access_attempts is
  'Per-IP throttling across links: one row per answer and per new-link request, keyed by an HMAC of the client IP (never the IP). Rows older than a day can be purged.';

-- "Failed answers from this ip_hash in the last 30 minutes."
create index access_attempts_ip_failures_idx
  on app.access_attempts (ip_hash, attempted_at)
  where kind = 'answer' and not succeeded;
-- "New-link requests from this ip_hash in the last hour."
create index access_attempts_ip_new_link_idx
  on app.access_attempts (ip_hash, attempted_at)
  where kind = 'new_link';
create index access_attempts_link_id_idx on app.access_attempts (link_id);

create table app.borrower_sessions (
  id uuid primary key default gen_random_uuid(),
  -- SHA-256 (hex) of the random session id in the borrower's cookie. Never the id.
  id_hash text not null unique check (id_hash ~ '^[0-9a-f]{64}$'),
  borrower_id uuid not null references app.borrowers (id),
  -- The link whose accepted answer started it.
  link_id uuid references app.access_links (id),
  created_at timestamptz not null default now(),
  -- Idle limit: 15 minutes after this.
  last_seen_at timestamptz not null default now(),
  -- created_at + 12 hours; never extended.
  absolute_expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text check (revoked_reason in ('signed_out', 'signed_out_everywhere')),
  check ((revoked_at is null) = (revoked_reason is null)),
  check (absolute_expires_at > created_at),
  check (last_seen_at >= created_at)
);

comment on table app.borrower_sessions is
  'Borrower sessions (DESIGN §5 item 2): SHA-256 of the cookie''s session id only, 15 minutes idle and 12 hours absolute, revoked on sign-out (one or everywhere).';

create index borrower_sessions_borrower_id_idx on app.borrower_sessions (borrower_id, revoked_at);
create index borrower_sessions_link_id_idx on app.borrower_sessions (link_id);

-- "Send me a new link" matches a reference however it is typed (case ignored).
create index accounts_reference_upper_idx on app.accounts (upper(reference));

alter table app.access_links enable row level security;
alter table app.access_attempts enable row level security;
alter table app.borrower_sessions enable row level security;

-- Some platforms add default grants for API roles; take back whatever arrived.
revoke all on table app.access_links, app.access_attempts, app.borrower_sessions
  from public, anon, authenticated, service_role;
revoke all on sequence app.access_attempts_id_seq from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Helpers (in app: not callable over the API).
-- ---------------------------------------------------------------------------------------

-- Raises PT400 unless the value is lower-case hex SHA-256 / HMAC-SHA256 output. A caller
-- that sends anything else has a bug; nothing a borrower types arrives here.
create function app.require_hex_digest(p_value text, p_name text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_value is null or p_value !~ '^[0-9a-f]{64}$' then
    raise exception '% must be 64 lower-case hex characters', p_name
      using errcode = 'PT400', hint = 'invalid_digest';
  end if;
end;
$$;

comment on function app.require_hex_digest(text, text) is
  'Raises PT400 (hint invalid_digest) unless the value is 64 lower-case hex characters (a SHA-256 or HMAC-SHA256 digest).';

-- A postal code as compared: a US ZIP or ZIP+4 becomes its five digits; anything else is
-- upper-cased with spaces and hyphens removed ('sw1a 1aa' = 'SW1A1AA').
create function app.normalized_postal_code(p_value text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when btrim(p_value) ~ '^[0-9]{5}([ -]?[0-9]{4})?$' then left(btrim(p_value), 5)
    else upper(regexp_replace(p_value, '[[:space:]-]', '', 'g'))
  end;
$$;

comment on function app.normalized_postal_code(text) is
  'A postal code as the identity check compares it: US ZIP or ZIP+4 to five digits, else upper case without spaces or hyphens.';

-- How to reach a person at a creditor, as link pages show it.
create function app.creditor_contact(p_creditor_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
           'name', c.name,
           'support_phone', c.support_phone,
           'support_hours', c.support_hours,
           'time_zone', c.time_zone
         )
    from app.creditors as c
   where c.id = p_creditor_id;
$$;

comment on function app.creditor_contact(uuid) is
  'A creditor''s name, support phone (E.164), support hours per language and time zone, for pages about a link.';

-- What an account owes, split, from its ledger, optionally only up to a date (inclusive).
create function app.account_split(p_account_id uuid, p_through date default null)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
           'principal_minor', coalesce(sum(l.principal_minor), 0)::bigint,
           'interest_minor', coalesce(sum(l.interest_minor), 0)::bigint,
           'fees_minor', coalesce(sum(l.fees_minor), 0)::bigint,
           'total_minor', coalesce(sum(l.amount_minor), 0)::bigint
         )
    from app.ledger_entries as l
   where l.account_id = p_account_id
     and (p_through is null or l.effective_on <= p_through);
$$;

comment on function app.account_split(uuid, date) is
  'An account''s balance from its ledger, split {principal_minor, interest_minor, fees_minor, total_minor}; with p_through, only entries effective on or before that date.';

-- Days since the oldest missed payment, in the creditor's time zone; null when current or
-- not open.
create function app.days_past_due(p_status text, p_first_missed_payment_on date, p_time_zone text)
returns integer
language sql
stable
set search_path = ''
as $$
  select case
    when p_status = 'open' and p_first_missed_payment_on is not null
      then greatest(0, (now() at time zone p_time_zone)::date - p_first_missed_payment_on)
  end;
$$;

comment on function app.days_past_due(text, date, text) is
  'Days past due counted in the creditor''s time zone: today there minus the oldest missed payment; null when the account is not open or is current.';

revoke all on function app.require_hex_digest(text, text) from public, anon, authenticated, service_role;
revoke all on function app.normalized_postal_code(text) from public, anon, authenticated, service_role;
revoke all on function app.creditor_contact(uuid) from public, anon, authenticated, service_role;
revoke all on function app.account_split(uuid, date) from public, anon, authenticated, service_role;
revoke all on function app.days_past_due(text, date, text) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- api.issue_access_link(): a new link for an account (npm run link, outreach).
-- ---------------------------------------------------------------------------------------

create function api.issue_access_link(p_account_reference text, p_purpose text, p_token_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reference text := upper(regexp_replace(coalesce(p_account_reference, ''), '[[:space:]]', '', 'g'));
  v_account_id uuid;
  v_language text;
  v_matches bigint;
  v_link_id uuid;
  v_expires_at timestamptz;
begin
  perform app.require_hex_digest(p_token_hash, 'p_token_hash');
  if p_purpose is null or p_purpose not in ('outreach', 'resend') then
    raise exception 'p_purpose must be outreach or resend'
      using errcode = 'PT400', hint = 'invalid_purpose';
  end if;

  select count(*) into v_matches
    from app.accounts as a
   where upper(a.reference) = v_reference;
  if v_matches = 0 then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  elsif v_matches > 1 then
    -- References are unique per creditor; the same one at two creditors needs an id.
    raise exception 'several creditors have an account with this reference'
      using errcode = 'PT409', hint = 'reference_ambiguous';
  end if;

  select a.id, b.language
    into v_account_id, v_language
    from app.accounts as a
    join app.borrowers as b on b.id = a.borrower_id
   where upper(a.reference) = v_reference;

  insert into app.access_links (account_id, token_hash, purpose, expires_at)
  values (
    v_account_id,
    p_token_hash,
    p_purpose,
    now() + case p_purpose when 'outreach' then interval '30 days' else interval '30 minutes' end
  )
  returning id, expires_at into v_link_id, v_expires_at;

  insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, metadata)
  values ('system', 'access.link_issued', 'access_link', v_link_id, v_account_id,
          jsonb_build_object('purpose', p_purpose));

  return jsonb_build_object('link_id', v_link_id, 'expires_at', v_expires_at, 'language', v_language);
end;
$$;

comment on function api.issue_access_link(text, text, text) is
  'Creates a secure link (outreach: 30 days, resend: 30 minutes) for the account with this reference (case and spaces ignored), storing only the token''s SHA-256: {link_id, expires_at, language}. PT404 unknown reference; PT409 ambiguous; PT400 bad purpose or digest.';

revoke execute on function api.issue_access_link(text, text, text) from public, anon, authenticated;
grant execute on function api.issue_access_link(text, text, text) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.open_access_link(): what a link is, without spending it.
-- ---------------------------------------------------------------------------------------

-- Mail and SMS scanners open links before people do, so this reads only.
create function api.open_access_link(p_token_hash text)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_used_at timestamptz;
  v_expires_at timestamptz;
  v_locked_until timestamptz;
  v_check_kind text;
  v_language text;
  v_creditor_id uuid;
  v_status text;
begin
  if p_token_hash is null or p_token_hash !~ '^[0-9a-f]{64}$' then
    return jsonb_build_object('status', 'unknown');
  end if;

  select l.used_at, l.expires_at, l.locked_until, b.identity_check_kind, b.language, a.creditor_id
    into v_used_at, v_expires_at, v_locked_until, v_check_kind, v_language, v_creditor_id
    from app.access_links as l
    join app.accounts as a on a.id = l.account_id
    join app.borrowers as b on b.id = a.borrower_id
   where l.token_hash = p_token_hash;
  if not found then
    return jsonb_build_object('status', 'unknown');
  end if;

  v_status := case
    when v_used_at is not null then 'used'
    when v_expires_at <= now() then 'expired'
    when v_locked_until > now() then 'locked'
    else 'ready'
  end;

  return jsonb_build_object('status', v_status, 'language', v_language, 'creditor', app.creditor_contact(v_creditor_id))
    || case v_status
         when 'ready' then jsonb_build_object('check_kind', v_check_kind, 'expires_at', v_expires_at)
         when 'locked' then jsonb_build_object('check_kind', v_check_kind, 'locked_until', v_locked_until)
         else '{}'::jsonb
       end;
end;
$$;

comment on function api.open_access_link(text) is
  'What the link with this token hash is, without spending it: {status: ready|locked|expired|used|unknown, language, creditor {name, support_phone, support_hours}, check_kind (ready, locked), expires_at (ready), locked_until (locked)}.';

revoke execute on function api.open_access_link(text) from public, anon, authenticated;
grant execute on function api.open_access_link(text) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.verify_access_link(): check the answer; on success spend the link, start a session.
-- ---------------------------------------------------------------------------------------

-- One transaction with the link row locked FOR UPDATE: two racing right answers give one
-- session (the second sees used_at and answers 'used'), and concurrent wrong answers each
-- count. A per-IP advisory lock serializes the IP count the same way. p_answer is the
-- normalized answer (ISO date or postal code) from app/domain/identity-check.ts.
create function api.verify_access_link(p_token_hash text, p_answer text, p_ip_hash text, p_session_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c_max_failures constant integer := 5;
  c_lock constant interval := interval '30 minutes';
  c_ip_window constant interval := interval '30 minutes';
  c_ip_max_failures constant integer := 20;
  c_session_absolute constant interval := interval '12 hours';
  v_link_id uuid;
  v_account_id uuid;
  v_purpose text;
  v_used_at timestamptz;
  v_expires_at timestamptz;
  v_failed integer;
  v_locked_until timestamptz;
  v_borrower_id uuid;
  v_language text;
  v_check_kind text;
  v_date_of_birth date;
  v_postal_code text;
  v_ip_failures bigint;
  v_answer text := btrim(coalesce(p_answer, ''));
  v_right boolean;
  v_session_id uuid;
begin
  perform app.require_hex_digest(p_ip_hash, 'p_ip_hash');
  perform app.require_hex_digest(p_session_hash, 'p_session_hash');

  if p_token_hash ~ '^[0-9a-f]{64}$' then
    select l.id, l.account_id, l.purpose, l.used_at, l.expires_at, l.failed_attempts, l.locked_until
      into v_link_id, v_account_id, v_purpose, v_used_at, v_expires_at, v_failed, v_locked_until
      from app.access_links as l
     where l.token_hash = p_token_hash
       for update;
  end if;

  -- 1. A link that cannot sign anyone in: say so (it still counts against the IP).
  if v_link_id is null or v_used_at is not null or v_expires_at <= now() then
    insert into app.access_attempts (kind, ip_hash, link_id, succeeded)
    values ('answer', p_ip_hash, v_link_id, false);
    return jsonb_build_object('status', case
      when v_link_id is null then 'unknown'
      when v_used_at is not null then 'used'
      else 'expired'
    end);
  end if;

  -- 2. Too many failures from this address, across links: refuse without looking.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(p_ip_hash, 0));
  select count(*) into v_ip_failures
    from app.access_attempts as t
   where t.ip_hash = p_ip_hash
     and t.kind = 'answer'
     and not t.succeeded
     and t.attempted_at > now() - c_ip_window;
  if v_ip_failures >= c_ip_max_failures then
    return jsonb_build_object('status', 'ip_limited');
  end if;

  -- 3. A locked link refuses every answer, even the right one.
  if v_locked_until > now() then
    insert into app.access_attempts (kind, ip_hash, link_id, succeeded)
    values ('answer', p_ip_hash, v_link_id, false);
    return jsonb_build_object('status', 'locked', 'locked_until', v_locked_until);
  end if;
  -- A lock that has ended: the count starts again.
  if v_locked_until is not null then
    v_failed := 0;
    v_locked_until := null;
  end if;

  -- 4. Compare.
  select b.id, b.language, b.identity_check_kind, b.date_of_birth, b.postal_code
    into v_borrower_id, v_language, v_check_kind, v_date_of_birth, v_postal_code
    from app.accounts as a
    join app.borrowers as b on b.id = a.borrower_id
   where a.id = v_account_id;

  v_right := case v_check_kind
    when 'date_of_birth' then v_answer = to_char(v_date_of_birth, 'YYYY-MM-DD')
    when 'postal_code' then v_answer <> '' and app.normalized_postal_code(v_answer) = app.normalized_postal_code(v_postal_code)
    else false
  end;

  if not coalesce(v_right, false) then
    v_failed := v_failed + 1;
    if v_failed >= c_max_failures then
      v_locked_until := now() + c_lock;
    end if;
    update app.access_links as l
       set failed_attempts = v_failed, locked_until = v_locked_until
     where l.id = v_link_id;
    insert into app.access_attempts (kind, ip_hash, link_id, succeeded)
    values ('answer', p_ip_hash, v_link_id, false);
    insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
    values ('borrower', 'access.check_failed', 'access_link', v_link_id, v_account_id, 'wrong_' || v_check_kind,
            jsonb_build_object('failed_attempts', v_failed));
    if v_locked_until is not null then
      insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
      values ('system', 'access.locked', 'access_link', v_link_id, v_account_id, 'too_many_wrong_answers',
              jsonb_build_object('lock_minutes', 30));
      return jsonb_build_object('status', 'locked', 'locked_until', v_locked_until);
    end if;
    return jsonb_build_object('status', 'wrong', 'attempts_left', c_max_failures - v_failed);
  end if;

  -- 5. Right: spend the link and start a session.
  update app.access_links as l
     set used_at = now(), failed_attempts = v_failed, locked_until = null
   where l.id = v_link_id;
  insert into app.borrower_sessions (id_hash, borrower_id, link_id, absolute_expires_at)
  values (p_session_hash, v_borrower_id, v_link_id, now() + c_session_absolute)
  returning id into v_session_id;
  insert into app.access_attempts (kind, ip_hash, link_id, succeeded)
  values ('answer', p_ip_hash, v_link_id, true);
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('borrower', v_borrower_id, 'access.signed_in', 'borrower_session', v_session_id, v_account_id,
          jsonb_build_object('link_id', v_link_id, 'purpose', v_purpose, 'check_kind', v_check_kind));

  return jsonb_build_object('status', 'ok', 'borrower_id', v_borrower_id, 'account_id', v_account_id, 'language', v_language);
end;
$$;

comment on function api.verify_access_link(text, text, text, text) is
  'Checks a borrower''s answer for a link in one transaction (row locked): {status: ok (borrower_id, account_id, language; link spent, session p_session_hash started) | wrong (attempts_left) | locked (locked_until) | ip_limited | expired | used | unknown}. 5 wrong answers lock the link 30 minutes; 20 failures per IP hash in 30 minutes refuse further answers.';

revoke execute on function api.verify_access_link(text, text, text, text) from public, anon, authenticated;
grant execute on function api.verify_access_link(text, text, text, text) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.touch_borrower_session() and api.end_borrower_session().
-- ---------------------------------------------------------------------------------------

create function api.touch_borrower_session(p_session_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c_idle constant interval := interval '15 minutes';
  v_session_id uuid;
  v_borrower_id uuid;
  v_last_seen_at timestamptz;
  v_absolute_expires_at timestamptz;
  v_revoked_at timestamptz;
  v_language text;
begin
  if p_session_hash is null or p_session_hash !~ '^[0-9a-f]{64}$' then
    return jsonb_build_object('status', 'unknown');
  end if;

  select s.id, s.borrower_id, s.last_seen_at, s.absolute_expires_at, s.revoked_at
    into v_session_id, v_borrower_id, v_last_seen_at, v_absolute_expires_at, v_revoked_at
    from app.borrower_sessions as s
   where s.id_hash = p_session_hash;
  if not found then
    return jsonb_build_object('status', 'unknown');
  elsif v_revoked_at is not null then
    return jsonb_build_object('status', 'revoked');
  elsif v_absolute_expires_at <= now() then
    return jsonb_build_object('status', 'expired', 'reason', 'absolute');
  elsif v_last_seen_at + c_idle <= now() then
    return jsonb_build_object('status', 'expired', 'reason', 'idle');
  end if;

  update app.borrower_sessions as s
     set last_seen_at = greatest(s.last_seen_at, now())
   where s.id = v_session_id
  returning s.last_seen_at into v_last_seen_at;

  select b.language into v_language from app.borrowers as b where b.id = v_borrower_id;

  return jsonb_build_object(
    'status', 'ok',
    'borrower_id', v_borrower_id,
    'language', v_language,
    'idle_expires_at', least(v_last_seen_at + c_idle, v_absolute_expires_at),
    'absolute_expires_at', v_absolute_expires_at
  );
end;
$$;

comment on function api.touch_borrower_session(text) is
  'Checks a session by the hash of its id and records the activity: {status: ok (borrower_id, language, idle_expires_at, absolute_expires_at) | expired (reason idle|absolute) | revoked | unknown}. 15 minutes idle, 12 hours absolute.';

revoke execute on function api.touch_borrower_session(text) from public, anon, authenticated;
grant execute on function api.touch_borrower_session(text) to service_role;

create function api.end_borrower_session(p_session_hash text, p_everywhere boolean default false)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_session_id uuid;
  v_borrower_id uuid;
  v_revoked integer;
begin
  if p_session_hash is null or p_session_hash !~ '^[0-9a-f]{64}$' then
    return jsonb_build_object('status', 'unknown', 'revoked', 0);
  end if;

  select s.id, s.borrower_id
    into v_session_id, v_borrower_id
    from app.borrower_sessions as s
   where s.id_hash = p_session_hash;
  if not found then
    return jsonb_build_object('status', 'unknown', 'revoked', 0);
  end if;

  if coalesce(p_everywhere, false) then
    update app.borrower_sessions as s
       set revoked_at = now(), revoked_reason = 'signed_out_everywhere'
     where s.borrower_id = v_borrower_id
       and s.revoked_at is null;
    get diagnostics v_revoked = row_count;
    insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, metadata)
    values ('borrower', v_borrower_id, 'session.signed_out_everywhere', 'borrower_session', v_session_id,
            jsonb_build_object('sessions_revoked', v_revoked));
  else
    update app.borrower_sessions as s
       set revoked_at = now(), revoked_reason = 'signed_out'
     where s.id = v_session_id
       and s.revoked_at is null;
    get diagnostics v_revoked = row_count;
    if v_revoked > 0 then
      insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id)
      values ('borrower', v_borrower_id, 'session.signed_out', 'borrower_session', v_session_id);
    end if;
  end if;

  return jsonb_build_object('status', 'ok', 'revoked', v_revoked);
end;
$$;

comment on function api.end_borrower_session(text, boolean) is
  'Signs out: revokes the session with this id hash, or with p_everywhere every live session of its borrower: {status: ok|unknown, revoked: count}.';

revoke execute on function api.end_borrower_session(text, boolean) from public, anon, authenticated;
grant execute on function api.end_borrower_session(text, boolean) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.request_new_access_link(): "send me a new link", without enumeration.
-- ---------------------------------------------------------------------------------------

-- The caller answers everyone alike; this tells it whether to send an email. The identifier
-- is an email (case ignored) or an account reference (case and spaces ignored). When it
-- names several borrowers (one email at two creditors), the one with the oldest record gets
-- the link: one email per request.
create function api.request_new_access_link(p_identifier text, p_token_hash text, p_ip_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c_ip_window constant interval := interval '1 hour';
  c_ip_max constant integer := 5;
  c_account_max constant integer := 3;
  c_lifetime constant interval := interval '30 minutes';
  v_identifier text := btrim(coalesce(p_identifier, ''));
  v_by_email boolean := position('@' in btrim(coalesce(p_identifier, ''))) > 0;
  v_requests bigint;
  v_account_id uuid;
  v_email text;
  v_language text;
  v_creditor_id uuid;
  v_recent_links bigint;
  v_link_id uuid;
  v_expires_at timestamptz;
begin
  perform app.require_hex_digest(p_token_hash, 'p_token_hash');
  perform app.require_hex_digest(p_ip_hash, 'p_ip_hash');

  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(p_ip_hash, 1));
  select count(*) into v_requests
    from app.access_attempts as t
   where t.ip_hash = p_ip_hash
     and t.kind = 'new_link'
     and t.attempted_at > now() - c_ip_window;
  if v_requests >= c_ip_max then
    insert into app.access_attempts (kind, ip_hash, succeeded) values ('new_link', p_ip_hash, false);
    insert into app.audit_events (actor_kind, action, reason_code)
    values ('system', 'access.new_link_requested', 'ip_throttled');
    return jsonb_build_object('matched', false, 'throttled', true);
  end if;

  if length(v_identifier) between 1 and 254 then
    select a.id, b.email, b.language, a.creditor_id
      into v_account_id, v_email, v_language, v_creditor_id
      from app.accounts as a
      join app.borrowers as b on b.id = a.borrower_id
     where b.email is not null
       and case
             when v_by_email then b.email = lower(v_identifier)
             else upper(a.reference) = upper(regexp_replace(v_identifier, '[[:space:]]', '', 'g'))
           end
     order by b.created_at, b.id, (a.status = 'open') desc, a.first_missed_payment_on nulls last, a.reference
     limit 1;
  end if;

  if v_account_id is null then
    insert into app.access_attempts (kind, ip_hash, succeeded) values ('new_link', p_ip_hash, false);
    insert into app.audit_events (actor_kind, action, reason_code)
    values ('system', 'access.new_link_requested', 'no_match');
    return jsonb_build_object('matched', false, 'throttled', false);
  end if;

  -- No one may flood a borrower's inbox by asking again and again.
  perform 1 from app.accounts as a where a.id = v_account_id for update;
  select count(*) into v_recent_links
    from app.access_links as l
   where l.account_id = v_account_id
     and l.purpose = 'resend'
     and l.created_at > now() - c_ip_window;
  if v_recent_links >= c_account_max then
    insert into app.access_attempts (kind, ip_hash, succeeded) values ('new_link', p_ip_hash, false);
    insert into app.audit_events (actor_kind, action, account_id, reason_code)
    values ('system', 'access.new_link_requested', v_account_id, 'account_throttled');
    return jsonb_build_object('matched', false, 'throttled', true);
  end if;

  insert into app.access_links (account_id, token_hash, purpose, expires_at)
  values (v_account_id, p_token_hash, 'resend', now() + c_lifetime)
  returning id, expires_at into v_link_id, v_expires_at;
  insert into app.access_attempts (kind, ip_hash, link_id, succeeded)
  values ('new_link', p_ip_hash, v_link_id, true);
  insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, metadata)
  values ('system', 'access.new_link_requested', 'access_link', v_link_id, v_account_id,
          jsonb_build_object('purpose', 'resend', 'matched_by', case when v_by_email then 'email' else 'reference' end));

  return jsonb_build_object(
    'matched', true,
    'link_id', v_link_id,
    'expires_at', v_expires_at,
    'email', v_email,
    'language', v_language,
    'creditor', (
      select jsonb_build_object('name', c.name, 'support_phone', c.support_phone, 'support_email', c.support_email)
        from app.creditors as c
       where c.id = v_creditor_id
    )
  );
end;
$$;

comment on function api.request_new_access_link(text, text, text) is
  'Send-me-a-new-link: when the email or reference matches an account whose borrower has an email, creates a 30-minute resend link with this token hash: {matched: true, link_id, expires_at, email, language, creditor {name, support_phone, support_email}}; otherwise {matched: false, throttled}. 5 requests per IP hash per hour, 3 re-sent links per account per hour.';

revoke execute on function api.request_new_access_link(text, text, text) from public, anon, authenticated;
grant execute on function api.request_new_access_link(text, text, text) to service_role;

-- ---------------------------------------------------------------------------------------
-- What a signed-in borrower reads. Every function takes the borrower from the session and
-- answers PT404 for an account that is not theirs (never 403: ids reveal nothing).
-- ---------------------------------------------------------------------------------------

create function api.borrower_accounts(p_borrower_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(
           jsonb_build_object(
             'account_id', a.id,
             'reference_last4', right(a.reference, 4),
             'creditor_name', c.name,
             'product', a.product,
             'status', a.status,
             'total_minor', (app.account_split(a.id) ->> 'total_minor')::bigint,
             'currency', a.currency,
             'days_past_due', app.days_past_due(a.status, a.first_missed_payment_on, c.time_zone)
           )
           order by (a.status = 'open') desc, a.reference, a.id
         ), '[]'::jsonb)
    from app.accounts as a
    join app.creditors as c on c.id = a.creditor_id
   where a.borrower_id = p_borrower_id;
$$;

comment on function api.borrower_accounts(uuid) is
  'The borrower''s accounts, open first: [{account_id, reference_last4, creditor_name, product, status, total_minor, currency, days_past_due}].';

revoke execute on function api.borrower_accounts(uuid) from public, anon, authenticated;
grant execute on function api.borrower_accounts(uuid) to service_role;

-- The itemization (Regulation F's terms): what was owed at the end of the itemization date,
-- then by kind what changed since, then today's balance. Every figure is bigint minor
-- units and they add up exactly:
--   today = at_itemization + principal_added + interest_added + fees_added
--           - payments + payments_reversed - credits + adjustments
create function api.account_overview(p_borrower_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_account app.accounts%rowtype;
  v_creditor app.creditors%rowtype;
  v_changes jsonb;
begin
  select a.* into v_account
    from app.accounts as a
   where a.id = p_account_id
     and a.borrower_id = p_borrower_id;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;

  select c.* into v_creditor from app.creditors as c where c.id = v_account.creditor_id;

  select jsonb_build_object(
           'principal_added_minor', coalesce(sum(l.amount_minor) filter (where l.kind = 'principal'), 0)::bigint,
           'interest_added_minor', coalesce(sum(l.amount_minor) filter (where l.kind = 'interest'), 0)::bigint,
           'fees_added_minor', coalesce(sum(l.amount_minor) filter (where l.kind = 'fee'), 0)::bigint,
           'payments_minor', (-coalesce(sum(l.amount_minor) filter (where l.kind = 'payment'), 0))::bigint,
           'payments_reversed_minor', coalesce(sum(l.amount_minor) filter (where l.kind in ('refund', 'chargeback')), 0)::bigint,
           'credits_minor', (-coalesce(sum(l.amount_minor) filter (where l.kind = 'credit'), 0))::bigint,
           'adjustments_minor', coalesce(sum(l.amount_minor) filter (where l.kind = 'adjustment'), 0)::bigint
         )
    into v_changes
    from app.ledger_entries as l
   where l.account_id = v_account.id
     and l.effective_on > v_account.itemization_date;

  return jsonb_build_object(
    'account_id', v_account.id,
    'reference_last4', right(v_account.reference, 4),
    'product', v_account.product,
    'status', v_account.status,
    'currency', v_account.currency,
    'opened_on', v_account.opened_on,
    'original_amount_minor', v_account.original_amount_minor,
    'interest_rate_bps', v_account.interest_rate_bps,
    'original_creditor', v_account.original_creditor,
    'first_missed_payment_on', v_account.first_missed_payment_on,
    'days_past_due', app.days_past_due(v_account.status, v_account.first_missed_payment_on, v_creditor.time_zone),
    'charged_off_on', v_account.charged_off_on,
    'itemization_date', v_account.itemization_date,
    'today', (now() at time zone v_creditor.time_zone)::date,
    'creditor', jsonb_build_object(
      'name', v_creditor.name,
      'legal_name', v_creditor.legal_name,
      'support_phone', v_creditor.support_phone,
      'support_hours', v_creditor.support_hours,
      'support_email', v_creditor.support_email,
      'region', v_creditor.region,
      'jurisdiction', v_creditor.jurisdiction,
      'time_zone', v_creditor.time_zone
    ),
    'itemization', v_changes || jsonb_build_object(
      'at_itemization', app.account_split(v_account.id, v_account.itemization_date),
      'today', app.account_split(v_account.id)
    )
  );
end;
$$;

comment on function api.account_overview(uuid, uuid) is
  'One of the borrower''s accounts explained: agreement (reference last 4 only), creditor contact, days past due in the creditor''s zone, and the itemization (owed at the itemization date, interest/fees/payments/credits since, today''s split), all in minor units that add up. PT404 when the account is not this borrower''s.';

revoke execute on function api.account_overview(uuid, uuid) from public, anon, authenticated;
grant execute on function api.account_overview(uuid, uuid) to service_role;

-- Every ledger entry after the itemization date, oldest first (ties by posting order), with
-- the running balance after each, starting from what was owed at the itemization date.
create function api.account_timeline(p_borrower_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_account app.accounts%rowtype;
  v_opening jsonb;
  v_entries jsonb;
begin
  select a.* into v_account
    from app.accounts as a
   where a.id = p_account_id
     and a.borrower_id = p_borrower_id;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;

  v_opening := app.account_split(v_account.id, v_account.itemization_date);

  select coalesce(jsonb_agg(
           jsonb_build_object(
             'entry_id', e.id,
             'effective_on', e.effective_on,
             'kind', e.kind,
             'reason_code', e.reason_code,
             'principal_minor', e.principal_minor,
             'interest_minor', e.interest_minor,
             'fees_minor', e.fees_minor,
             'amount_minor', e.amount_minor,
             'balance_after', jsonb_build_object(
               'principal_minor', (v_opening ->> 'principal_minor')::bigint + e.run_principal,
               'interest_minor', (v_opening ->> 'interest_minor')::bigint + e.run_interest,
               'fees_minor', (v_opening ->> 'fees_minor')::bigint + e.run_fees,
               'total_minor', (v_opening ->> 'total_minor')::bigint + e.run_total
             )
           )
           order by e.effective_on, e.entry_no
         ), '[]'::jsonb)
    into v_entries
    from (
      select l.id, l.entry_no, l.effective_on, l.kind, l.reason_code,
             l.principal_minor, l.interest_minor, l.fees_minor, l.amount_minor,
             sum(l.principal_minor) over w as run_principal,
             sum(l.interest_minor) over w as run_interest,
             sum(l.fees_minor) over w as run_fees,
             sum(l.amount_minor) over w as run_total
        from app.ledger_entries as l
       where l.account_id = v_account.id
         and l.effective_on > v_account.itemization_date
      window w as (order by l.effective_on, l.entry_no rows between unbounded preceding and current row)
    ) as e;

  return jsonb_build_object(
    'account_id', v_account.id,
    'currency', v_account.currency,
    'itemization_date', v_account.itemization_date,
    'opening', v_opening,
    'entries', v_entries,
    'closing', app.account_split(v_account.id)
  );
end;
$$;

comment on function api.account_timeline(uuid, uuid) is
  'Explain my balance: {account_id, currency, itemization_date, opening (owed at the itemization date), entries (every ledger entry after it, oldest first, with balance_after), closing (today)}. PT404 when the account is not this borrower''s.';

revoke execute on function api.account_timeline(uuid, uuid) from public, anon, authenticated;
grant execute on function api.account_timeline(uuid, uuid) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.set_borrower_language().
-- ---------------------------------------------------------------------------------------

create function api.set_borrower_language(p_borrower_id uuid, p_language text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_previous text;
begin
  if p_language is null or p_language not in ('en', 'es') then
    raise exception 'unsupported language'
      using errcode = 'PT400', hint = 'unsupported_language';
  end if;

  select b.language into v_previous
    from app.borrowers as b
   where b.id = p_borrower_id
     for update;
  if not found then
    raise exception 'borrower not found'
      using errcode = 'PT404', hint = 'borrower_not_found';
  end if;
  if v_previous = p_language then
    return jsonb_build_object('changed', false);
  end if;

  update app.borrowers as b set language = p_language where b.id = p_borrower_id;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, metadata)
  values ('borrower', p_borrower_id, 'borrower.language_changed', 'borrower', p_borrower_id,
          jsonb_build_object('language', p_language));
  return jsonb_build_object('changed', true);
end;
$$;

comment on function api.set_borrower_language(uuid, text) is
  'Saves a borrower''s portal language (en, es): {changed}. PT400 unsupported language; PT404 unknown borrower.';

revoke execute on function api.set_borrower_language(uuid, text) from public, anon, authenticated;
grant execute on function api.set_borrower_language(uuid, text) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.public_creditors(): official contact details for "Is this genuine?".
-- ---------------------------------------------------------------------------------------

create function api.public_creditors()
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(
           jsonb_build_object(
             'name', c.name,
             'legal_name', c.legal_name,
             'support_phone', c.support_phone,
             'support_hours', c.support_hours,
             'support_email', c.support_email
           )
           order by c.name, c.id
         ), '[]'::jsonb)
    from app.creditors as c;
$$;

comment on function api.public_creditors() is
  'Every creditor''s public contact details (name, legal name, support phone, hours, email), for the public "Is this genuine?" page. No personal data.';

revoke execute on function api.public_creditors() from public, anon, authenticated;
grant execute on function api.public_creditors() to service_role;
