-- Sign-in link emails on the outbox (issue 9 item 2; ADR 014, ADR 003, ADR 012), as the
-- outbox migration (20261128001600_message_outbox.sql) planned: a borrower's "send me a new
-- link", a link a staff member emails a borrower from the console, and a staff member's
-- console sign-in link are queued by the function that creates the link, in its transaction,
-- instead of being sent by the request after it.
--
-- The token stays out of every table. The app chooses the link's id (a random UUID) before
-- the call and derives the token from it: HMAC-SHA256 of 'repay/link/v1.' || link id under a
-- key derived from its session secret (app/utils/link-token.server.ts). The link row holds
-- the token's SHA-256, as every link row does; the outbox row holds the link's id only
-- (params {link_id}, plus the page's language for a staff sign-in link, since staff have no
-- language on file); the template derives the token again when it renders, so every attempt
-- sends the same email, and finds the link's state then: a link used, expired, or (staff)
-- whose member was deactivated since is not sent (the message is cancelled, not_applicable).
-- A copy of the database (or of the outbox) opens nothing without the server's secret.
--
-- Messages (all 'requested': asked for, sent at once, never a contact attempt):
--   access.new_link        → the borrower, about the link's account; dedupe access.new_link/<link id>
--   access.link_from_staff → the borrower, about the link's account; dedupe access.link_from_staff/<link id>
--   staff.sign_in          → the staff member (no List-Unsubscribe); dedupe staff.sign_in/<link id>
--
-- The three functions take the link's id in a new signature; the old ones are dropped (the
-- app called them only from the three places that now call these), so a call by name is
-- never ambiguous. A copied link (the console's "Copy a link") is still made with a random
-- token and queues nothing.
--
-- Errors (the hint is the machine reason the app maps), as before, plus:
--   PT400 invalid_link_id (no link id), invalid_language (staff sign-in: not en or es)

-- ---------------------------------------------------------------------------------------
-- "Send me a new link".
-- ---------------------------------------------------------------------------------------

drop function api.request_new_access_link(text, text, text);

-- As 20261127000300_borrower_access.sql made it (the same limits, matching and audit), with
-- the link's id chosen by the caller and the email queued in the same transaction. The
-- answer no longer carries the address, the language or the creditor: the sender reads
-- them when the email goes.
create function api.request_new_access_link(p_identifier text, p_link_id uuid, p_token_hash text, p_ip_hash text)
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
  v_borrower_id uuid;
  v_recent_links bigint;
  v_link_id uuid;
  v_expires_at timestamptz;
  v_message_id uuid;
begin
  perform app.require_hex_digest(p_token_hash, 'p_token_hash');
  perform app.require_hex_digest(p_ip_hash, 'p_ip_hash');
  if p_link_id is null then
    raise exception 'p_link_id is required' using errcode = 'PT400', hint = 'invalid_link_id';
  end if;

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
    select a.id, a.borrower_id
      into v_account_id, v_borrower_id
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

  insert into app.access_links (id, account_id, token_hash, purpose, expires_at)
  values (p_link_id, v_account_id, p_token_hash, 'resend', now() + c_lifetime)
  returning id, expires_at into v_link_id, v_expires_at;
  insert into app.access_attempts (kind, ip_hash, link_id, succeeded)
  values ('new_link', p_ip_hash, v_link_id, true);
  insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, metadata)
  values ('system', 'access.new_link_requested', 'access_link', v_link_id, v_account_id,
          jsonb_build_object('purpose', 'resend', 'matched_by', case when v_by_email then 'email' else 'reference' end));

  v_message_id := app.enqueue_message('access.new_link', 'requested', v_borrower_id, v_account_id,
                                      jsonb_build_object('link_id', v_link_id), 'access.new_link/' || v_link_id::text);

  return jsonb_build_object('matched', true, 'link_id', v_link_id, 'expires_at', v_expires_at, 'message_id', v_message_id);
end;
$$;

comment on function api.request_new_access_link(text, uuid, text, text) is
  'Send-me-a-new-link: when the email or reference matches an account whose borrower has an email, creates a 30-minute resend link with this id and token hash and queues its email (access.new_link, params {link_id}) in the same transaction: {matched: true, link_id, expires_at, message_id}; otherwise {matched: false, throttled}. 5 requests per IP hash per hour, 3 re-sent links per account per hour. PT400 invalid_digest, invalid_link_id.';

revoke execute on function api.request_new_access_link(text, uuid, text, text) from public, anon, authenticated;
grant execute on function api.request_new_access_link(text, uuid, text, text) to service_role;

-- ---------------------------------------------------------------------------------------
-- A link staff email (or copy) for a borrower.
-- ---------------------------------------------------------------------------------------

drop function api.staff_issue_access_link(uuid, uuid, text, text);

-- As 20261128001300_staff_console.sql made it, with the link's id chosen by the caller; for
-- 'email' the email is queued in the same transaction. 'copy' queues nothing (the staff
-- member reads the link out or pastes it).
create function api.staff_issue_access_link(p_staff_id uuid, p_account_id uuid, p_link_id uuid, p_token_hash text, p_delivery text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account app.accounts%rowtype;
  v_email text;
  v_link_id uuid;
  v_expires_at timestamptz;
  v_message_id uuid;
begin
  perform app.require_staff(p_staff_id, array['agent', 'supervisor', 'admin']);
  perform app.require_hex_digest(p_token_hash, 'p_token_hash');
  if p_link_id is null then
    raise exception 'p_link_id is required' using errcode = 'PT400', hint = 'invalid_link_id';
  end if;
  if p_delivery is null or p_delivery not in ('email', 'copy') then
    raise exception 'p_delivery must be email or copy'
      using errcode = 'PT422', hint = 'invalid_delivery';
  end if;
  select a.* into v_account from app.accounts as a where a.id = p_account_id;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  select b.email into v_email from app.borrowers as b where b.id = v_account.borrower_id;
  if p_delivery = 'email' and v_email is null then
    raise exception 'the borrower has no email on file'
      using errcode = 'PT409', hint = 'no_email';
  end if;

  insert into app.access_links (id, account_id, token_hash, purpose, expires_at)
  values (p_link_id, v_account.id, p_token_hash, 'outreach', now() + interval '30 days')
  returning id, expires_at into v_link_id, v_expires_at;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values ('staff', p_staff_id, case p_delivery when 'email' then 'access.link_sent_by_staff' else 'access.link_copied_by_staff' end,
          'access_link', v_link_id, v_account.id, jsonb_build_object('purpose', 'outreach'));

  if p_delivery = 'email' then
    v_message_id := app.enqueue_message('access.link_from_staff', 'requested', v_account.borrower_id, v_account.id,
                                        jsonb_build_object('link_id', v_link_id), 'access.link_from_staff/' || v_link_id::text);
  end if;

  return jsonb_build_object('link_id', v_link_id, 'expires_at', v_expires_at, 'message_id', v_message_id);
end;
$$;

comment on function api.staff_issue_access_link(uuid, uuid, uuid, text, text) is
  'A 30-day secure link for the account with this id and token hash, issued by staff to email (queued in the same transaction: access.link_from_staff, params {link_id}) or to copy once, audited (access.link_sent_by_staff / access.link_copied_by_staff): {link_id, expires_at, message_id (email only)}. PT400 invalid_digest, invalid_link_id; PT403 staff_forbidden; PT404 account_not_found; PT409 no_email; PT422 invalid_delivery.';

revoke execute on function api.staff_issue_access_link(uuid, uuid, uuid, text, text) from public, anon, authenticated;
grant execute on function api.staff_issue_access_link(uuid, uuid, uuid, text, text) to service_role;

-- ---------------------------------------------------------------------------------------
-- A staff member's console sign-in link.
-- ---------------------------------------------------------------------------------------

drop function api.request_staff_sign_in(text, text, text);

-- As 20261128001200_staff_access.sql made it (the same limits; unknown, inactive and
-- throttled all answer {send: false}), with the link's id chosen by the caller and the email
-- queued in the same transaction, in the language of the page it was asked for on.
create function api.request_staff_sign_in(p_email text, p_language text, p_link_id uuid, p_token_hash text, p_ip_hash text)
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
  v_message_id uuid;
begin
  perform app.require_hex_digest(p_token_hash, 'p_token_hash');
  perform app.require_hex_digest(p_ip_hash, 'p_ip_hash');
  if p_link_id is null then
    raise exception 'p_link_id is required' using errcode = 'PT400', hint = 'invalid_link_id';
  end if;
  if p_language is null or p_language not in ('en', 'es') then
    raise exception 'p_language must be en or es' using errcode = 'PT400', hint = 'invalid_language';
  end if;

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

  insert into app.staff_sign_in_links (id, staff_id, token_hash, expires_at)
  values (p_link_id, v_staff.id, p_token_hash, now() + interval '15 minutes')
  returning id, expires_at into v_link_id, v_expires_at;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id)
  values ('staff', v_staff.id, 'staff.sign_in_link_sent', 'staff_sign_in_link', v_link_id);

  v_message_id := app.enqueue_staff_message('staff.sign_in', v_staff.id,
                                            jsonb_build_object('link_id', v_link_id, 'language', p_language),
                                            'staff.sign_in/' || v_link_id::text);

  return jsonb_build_object('send', true, 'link_id', v_link_id, 'expires_at', v_expires_at, 'message_id', v_message_id);
end;
$$;

comment on function api.request_staff_sign_in(text, text, uuid, text, text) is
  'Creates a 15-minute one-time sign-in link with this id and token hash for an active staff member with this email (case ignored) and queues its email (staff.sign_in, params {link_id, language}) in the same transaction: {send: true, link_id, expires_at, message_id} or {send: false} when unknown, inactive or throttled (30 requests per IP hash per hour, 3 links per member per 15 minutes). PT400 invalid_digest, invalid_link_id, invalid_language.';

revoke execute on function api.request_staff_sign_in(text, text, uuid, text, text) from public, anon, authenticated;
grant execute on function api.request_staff_sign_in(text, text, uuid, text, text) to service_role;

-- ---------------------------------------------------------------------------------------
-- What the link templates read when they render.
-- ---------------------------------------------------------------------------------------

-- The link a borrower's link email is about, as it is now: the sender derives the token from
-- the id, keeps the one whose SHA-256 is token_hash, and does not send a link that was used
-- or has expired. Null for an unknown id.
create function api.access_link_for_email(p_link_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
           'link_id', l.id,
           'account_id', l.account_id,
           'purpose', l.purpose,
           'token_hash', l.token_hash,
           'created_at', l.created_at,
           'expires_at', l.expires_at,
           'used_at', l.used_at
         )
    from app.access_links as l
   where l.id = p_link_id;
$$;

comment on function api.access_link_for_email(uuid) is
  'A borrower''s secure link as its email''s template reads it when it renders: {link_id, account_id, purpose, token_hash, created_at, expires_at, used_at}, or null. The outbox sender only.';

revoke execute on function api.access_link_for_email(uuid) from public, anon, authenticated;
grant execute on function api.access_link_for_email(uuid) to service_role;

-- The staff sign-in link a staff.sign_in email is about, as it is now, with the member's name
-- and whether they are still active. Null for an unknown id.
create function api.staff_sign_in_link_for_email(p_link_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
           'link_id', l.id,
           'staff_id', l.staff_id,
           'token_hash', l.token_hash,
           'created_at', l.created_at,
           'expires_at', l.expires_at,
           'used_at', l.used_at,
           'full_name', s.full_name,
           'active', s.active
         )
    from app.staff_sign_in_links as l
    join app.staff as s on s.id = l.staff_id
   where l.id = p_link_id;
$$;

comment on function api.staff_sign_in_link_for_email(uuid) is
  'A staff sign-in link as its email''s template reads it when it renders: {link_id, staff_id, token_hash, created_at, expires_at, used_at, full_name, active}, or null. The outbox sender only.';

revoke execute on function api.staff_sign_in_link_for_email(uuid) from public, anon, authenticated;
grant execute on function api.staff_sign_in_link_for_email(uuid) to service_role;
