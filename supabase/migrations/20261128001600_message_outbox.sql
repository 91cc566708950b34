-- The message outbox and its sender's side of the database (issue 9 items 2 and 4; ADR 014).
--
-- A message is a row in app.outbound_messages, written by app.enqueue_message() inside the
-- same transaction as the event that causes it: if that transaction rolls back, the message
-- never existed; if it commits, the sender (app/services/email/outbox.server.ts, part of
-- `npm run jobs`) delivers it. The row holds the template name and the ids the template needs
-- (`params`: ids, codes, integers, dates only). The address and the language are read when
-- the message goes, so a borrower who changed either gets the next email the new way.
--
-- The sender's cycle:
--
-- 1. api.outbox_claim(worker, limit, now) takes due rows with FOR UPDATE SKIP LOCKED, so two
--    workers never take the same row, applies the contact rules (below) and leases what it
--    takes (state 'sending', claimed_by, claimed_until). A lease that runs out (a worker that
--    died mid-send) makes the row claimable again; Resend's idempotency key
--    `outbox/<message id>` then stops a second copy.
-- 2. The sender renders and sends, then calls api.outbox_sent(...) with the provider's id, the
--    address and the language used, or api.outbox_failed(...) with the provider's error code:
--    a retryable failure waits 1, 5, 30 and 120 minutes, and the 5th failed attempt leaves
--    the row 'failed' (kept, shown in the console's contact history), never dropped. A
--    message the sender must not send after all (its template says it no longer applies)
--    goes through api.outbox_cancel(...).
--
-- Contact rules, applied in the claim to category 'outreach' only (ADR 014); 'requested'
-- messages (what the borrower or a staff member has just asked for) go at once, need no
-- consent and never count as attempts:
--
-- - app.outreach_block_reason(borrower, 'email') not null → 'cancelled' with that reason
--   (no_address, no_consent, opted_out);
-- - the account is paid or closed → 'cancelled' ('paid' / 'closed'); a collection pause
--   holds (hardship, dispute, debt advice, breathing space) → 'cancelled' ('paused'):
--   reminders never go to a paused account, and what is still owed after the pause is
--   reminded afresh;
-- - outside the borrower's hours → not_before := app.next_contact_time(borrower, now), left
--   queued (a message due at 23:00 goes at 08:00);
-- - the account already had creditors.contact_max_attempts outreach messages sent (or being
--   sent) in the last contact_window_days days → held: not_before moves to the moment the
--   oldest of them leaves the window (then into the borrower's hours), left queued.
--   A per-account advisory lock taken in the claim keeps two workers from both taking the
--   last free attempt.
--
-- Sign-in links (borrowers' secure links and staff sign-in) keep their token out of every
-- table (ADR 003, ADR 014). When they move onto the outbox, the row holds the link's id only
-- (params {link_id}); the token is derived, not stored: token = HMAC-SHA256(a key derived
-- from SESSION_SECRETS, 'repay/link/v1.' || link id), the link row holds its SHA-256 as now,
-- and the link template re-derives the token when it renders. A copy of the database (or
-- of the outbox) opens nothing without the server's secret; the email is the same on every
-- attempt, so its idempotency key still holds.
--
-- Local mode: the Resend stand-in (app/services/email/local-outbox.server.ts) stores what it
-- "sends" in app.local_sent_emails, now with the message's headers (List-Unsubscribe). It
-- can be told to fail, so retries are tested through the real SDK: a message to any address
-- whose local part starts with `fail-provider` (e.g. fail-provider-1@example.com) is refused
-- with HTTP 500 `application_error`, as Resend reports its own outages, and nothing is stored.
-- This exists only in the stand-in (local mode); with RESEND_API_KEY set it is unreachable.
--
-- Errors (the hint is the machine reason the app maps):
--   PT403 staff_forbidden; PT404 account_not_found;
--   PT422 invalid_message (enqueue: no recipient, or an account not the borrower's),
--         invalid_worker, invalid_reason

-- ---------------------------------------------------------------------------------------
-- app.outbound_messages
-- ---------------------------------------------------------------------------------------

-- Params are ids and facts, never text a person typed or contact details: a flat object of
-- codes, UUIDs, integers (amounts in minor units), booleans, currency codes, ISO dates and
-- ISO timestamps.
create function app.message_params_are_valid(p_params jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select case
    when p_params is null or jsonb_typeof(p_params) <> 'object' then false
    else (select count(*) from jsonb_object_keys(p_params)) <= 20
      and not exists (
        select 1
          from jsonb_each(p_params) as e
         where e.key !~ '^[a-z][a-z0-9_]{0,62}$'
            or case jsonb_typeof(e.value)
                 when 'null' then false
                 when 'boolean' then false
                 when 'number' then not app.jsonb_is_integer_between(e.value, -1000000000000000, 1000000000000000)
                 when 'string' then (e.value #>> '{}') !~ (
                   '^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
                   || '|[a-z][a-z0-9_.]{0,62}'
                   || '|[A-Z]{3}'
                   || '|[0-9]{4}-[0-9]{2}-[0-9]{2}'
                   || '|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2}))$'
                 )
                 else true
               end
      )
  end;
$$;

comment on function app.message_params_are_valid(jsonb) is
  'True when an outbound message''s params are a flat object of ids, codes, integers, booleans, currency codes, dates and timestamps: never free text or contact details.';

create table app.outbound_messages (
  id uuid primary key default gen_random_uuid(),
  -- The registry entry that renders it (app/utils/outbox-templates/index.server.ts).
  template text not null check (template ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,3}$'),
  category text not null check (category in ('requested', 'outreach')),
  channel text not null default 'email' check (channel in ('email')),
  -- The recipient: a borrower (with the account it is about, if any) or a staff member.
  borrower_id uuid references app.borrowers (id),
  account_id uuid references app.accounts (id),
  staff_id uuid references app.staff (id),
  params jsonb not null default '{}'::jsonb check (app.message_params_are_valid(params)),
  -- One message per cause: the event's own ids, e.g. 'reminder.upcoming/<installment id>/<due on>'.
  dedupe_key text not null unique check (length(dedupe_key) between 1 and 200),
  state text not null default 'queued' check (state in ('queued', 'sending', 'sent', 'failed', 'cancelled')),
  -- Not before this moment (the cause's own time, moved by the contact rules).
  not_before timestamptz not null default now(),
  -- Attempts started (a claim counts one); the next retry after a failed attempt.
  attempts integer not null default 0 check (attempts between 0 and 100),
  next_attempt_at timestamptz,
  -- The lease of the worker sending it.
  claimed_by text check (length(claimed_by) between 1 and 100),
  claimed_until timestamptz,
  -- Filled in when it goes: the provider's id, where it went, in which language.
  provider_id text check (length(provider_id) between 1 and 200),
  to_address text check (length(to_address) between 3 and 320),
  language text check (language in ('en', 'es')),
  last_error_code text check (last_error_code ~ '^[a-z][a-z0-9_.]{0,62}$'),
  cancel_reason text check (cancel_reason ~ '^[a-z][a-z0-9_]{0,62}$'),
  sent_at timestamptz,
  -- When it left 'queued'/'sending' for good (sent, failed or cancelled).
  finished_at timestamptz,
  created_at timestamptz not null default now(),
  check (borrower_id is not null or staff_id is not null),
  check (borrower_id is null or staff_id is null),
  check (account_id is null or borrower_id is not null),
  -- Outreach is to borrowers only; what staff get they asked for.
  check (category = 'requested' or borrower_id is not null),
  check ((state = 'sending') = (claimed_until is not null)),
  check ((state = 'sent') = (sent_at is not null)),
  check (state <> 'sent' or (provider_id is not null and to_address is not null and language is not null)),
  check ((state = 'cancelled') = (cancel_reason is not null))
);

comment on table app.outbound_messages is
  'The outbox (ADR 014): every message, written in the same transaction as its cause, delivered by the sender job with contact rules applied to outreach. Also the contact history the console shows.';
comment on column app.outbound_messages.category is
  'requested: what the recipient has just asked for (links, receipts, confirmations, decisions), sent at once, not a contact attempt. outreach: reminders and other contact, only with consent, inside the hours and under the cap.';
comment on column app.outbound_messages.params is
  'The ids the template needs (ids, codes, integers, dates only); the sender reads the rest from the database when it renders.';

-- The sender's scan: due rows by time.
create index outbound_messages_due_idx on app.outbound_messages (not_before, created_at)
  where state = 'queued';
create index outbound_messages_sending_idx on app.outbound_messages (claimed_until)
  where state = 'sending';
-- The cap and the contact history.
create index outbound_messages_account_idx on app.outbound_messages (account_id, created_at) where account_id is not null;
create index outbound_messages_borrower_idx on app.outbound_messages (borrower_id, created_at) where borrower_id is not null;
create index outbound_messages_staff_idx on app.outbound_messages (staff_id) where staff_id is not null;

alter table app.outbound_messages enable row level security;
revoke all on table app.outbound_messages from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- app.enqueue_message(): write a message in the caller's transaction.
-- ---------------------------------------------------------------------------------------

-- Called from the database function that causes the message, inside its transaction. The
-- same dedupe_key twice is one message: the second call returns the first one's id.
create function app.enqueue_message(
  p_template text,
  p_category text,
  p_borrower_id uuid,
  p_account_id uuid,
  p_params jsonb,
  p_dedupe_key text,
  p_not_before timestamptz default now()
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  if p_borrower_id is null then
    raise exception 'a message needs its borrower' using errcode = 'PT422', hint = 'invalid_message';
  end if;
  if p_account_id is not null and not exists (
    select 1 from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id
  ) then
    raise exception 'the account is not the borrower''s' using errcode = 'PT422', hint = 'invalid_message';
  end if;

  insert into app.outbound_messages (template, category, borrower_id, account_id, params, dedupe_key, not_before)
  values (p_template, p_category, p_borrower_id, p_account_id, coalesce(p_params, '{}'::jsonb), p_dedupe_key,
          coalesce(p_not_before, now()))
  on conflict (dedupe_key) do nothing
  returning id into v_id;

  if v_id is null then
    select m.id into v_id from app.outbound_messages as m where m.dedupe_key = p_dedupe_key;
  end if;
  return v_id;
end;
$$;

comment on function app.enqueue_message(text, text, uuid, uuid, jsonb, text, timestamptz) is
  'Queues one message to a borrower (about an account, or none) in the caller''s transaction; the same dedupe_key returns the existing message''s id. Internal: called from other database functions only.';

-- A message to a staff member (always 'requested': what they asked for, such as a sign-in link).
create function app.enqueue_staff_message(p_template text, p_staff_id uuid, p_params jsonb, p_dedupe_key text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  if p_staff_id is null then
    raise exception 'a message needs its staff member' using errcode = 'PT422', hint = 'invalid_message';
  end if;
  insert into app.outbound_messages (template, category, staff_id, params, dedupe_key)
  values (p_template, 'requested', p_staff_id, coalesce(p_params, '{}'::jsonb), p_dedupe_key)
  on conflict (dedupe_key) do nothing
  returning id into v_id;
  if v_id is null then
    select m.id into v_id from app.outbound_messages as m where m.dedupe_key = p_dedupe_key;
  end if;
  return v_id;
end;
$$;

comment on function app.enqueue_staff_message(text, uuid, jsonb, text) is
  'Queues one requested message to a staff member in the caller''s transaction; the same dedupe_key returns the existing id. Internal.';

revoke all on function app.message_params_are_valid(jsonb) from public, anon, authenticated, service_role;
revoke all on function app.enqueue_message(text, text, uuid, uuid, jsonb, text, timestamptz) from public, anon, authenticated, service_role;
revoke all on function app.enqueue_staff_message(text, uuid, jsonb, text) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- The contact rules for one outreach message.
-- ---------------------------------------------------------------------------------------

-- What the sender may do with a due outreach message now: {"action": "send"}, {"action":
-- "cancel", "reason": ...} or {"action": "hold", "until": ...}. The caller holds the
-- account's outbox lock, so the count of recent attempts cannot change underneath it.
create function app.outreach_decision(p_message app.outbound_messages, p_now timestamptz)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_reason text;
  v_status text;
  v_max integer;
  v_window_days integer;
  v_recent integer;
  v_frees_at timestamptz;
  v_next timestamptz;
begin
  v_reason := app.outreach_block_reason(p_message.borrower_id, p_message.channel);
  if v_reason is not null then
    return jsonb_build_object('action', 'cancel', 'reason', v_reason);
  end if;

  if p_message.account_id is not null then
    select a.status, c.contact_max_attempts, c.contact_window_days
      into v_status, v_max, v_window_days
      from app.accounts as a
      join app.creditors as c on c.id = a.creditor_id
     where a.id = p_message.account_id;
    if v_status in ('paid', 'closed') then
      return jsonb_build_object('action', 'cancel', 'reason', v_status);
    end if;
    if app.collection_paused(p_message.account_id, p_now) then
      return jsonb_build_object('action', 'cancel', 'reason', 'paused');
    end if;
  end if;

  v_next := app.next_contact_time(p_message.borrower_id, p_now);
  if v_next > p_now then
    return jsonb_build_object('action', 'hold', 'until', v_next);
  end if;

  if p_message.account_id is not null then
    -- Outreach sent in the window, and outreach being sent now (claimed, not yet recorded).
    select count(*) into v_recent
      from app.outbound_messages as m
     where m.account_id = p_message.account_id
       and m.category = 'outreach'
       and m.id <> p_message.id
       and ((m.state = 'sent' and m.sent_at > p_now - make_interval(days => v_window_days))
            or m.state = 'sending');
    if v_recent >= v_max then
      -- The attempt that has to leave the window before one is free again.
      select coalesce(t.at, p_now) + make_interval(days => v_window_days) into v_frees_at
        from (
          select case when m.state = 'sent' then m.sent_at else p_now end as at
            from app.outbound_messages as m
           where m.account_id = p_message.account_id
             and m.category = 'outreach'
             and m.id <> p_message.id
             and ((m.state = 'sent' and m.sent_at > p_now - make_interval(days => v_window_days))
                  or m.state = 'sending')
           order by 1
           offset v_recent - v_max
           limit 1
        ) as t;
      return jsonb_build_object('action', 'hold', 'until',
                                app.next_contact_time(p_message.borrower_id, greatest(v_frees_at, p_now + interval '1 second')));
    end if;
  end if;

  return jsonb_build_object('action', 'send');
end;
$$;

comment on function app.outreach_decision(app.outbound_messages, timestamptz) is
  'The contact rules for one outreach message at p_now (ADR 014): send, cancel (no_address, no_consent, opted_out, paid, closed, paused) or hold until a moment (outside the borrower''s hours, or the account''s attempts in the window used up).';

revoke all on function app.outreach_decision(app.outbound_messages, timestamptz) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- The sender's functions (service_role only).
-- ---------------------------------------------------------------------------------------

-- The attempts a message gets before it is marked failed.
create function app.outbox_max_attempts()
returns integer
language sql
immutable
set search_path = ''
as $$ select 5 $$;

-- The wait after failed attempt n (1-based): 1, 5, 30, 120 minutes.
create function app.outbox_retry_delay(p_attempt integer)
returns interval
language sql
immutable
set search_path = ''
as $$
  select case
    when p_attempt <= 1 then interval '1 minute'
    when p_attempt = 2 then interval '5 minutes'
    when p_attempt = 3 then interval '30 minutes'
    else interval '120 minutes'
  end;
$$;

revoke all on function app.outbox_max_attempts() from public, anon, authenticated, service_role;
revoke all on function app.outbox_retry_delay(integer) from public, anon, authenticated, service_role;

-- Takes up to p_limit due messages for p_worker, leased for p_lease_seconds, after the
-- contact rules. Returns a JSON array, each item:
--   {id, template, category, channel, borrower_id, account_id, staff_id, params, dedupe_key,
--    attempts, created_at, to_address, language, time_zone, account}
-- where to_address and language are the recipient's now (the borrower's email and language;
-- a staff member's email, in English) and account is app.account_notice_json (or null).
-- Messages cancelled or held by the rules are updated and not returned.
create function api.outbox_claim(
  p_worker text,
  p_limit integer default 20,
  p_now timestamptz default now(),
  p_lease_seconds integer default 300
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_now timestamptz := coalesce(p_now, now());
  v_limit integer := greatest(1, least(coalesce(p_limit, 20), 200));
  v_lease interval := make_interval(secs => greatest(30, least(coalesce(p_lease_seconds, 300), 3600)));
  v_message app.outbound_messages%rowtype;
  v_decision jsonb;
  v_email text;
  v_claimed uuid[] := '{}';
begin
  if p_worker is null or length(p_worker) not between 1 and 100 then
    raise exception 'worker name needs 1 to 100 characters' using errcode = 'PT422', hint = 'invalid_worker';
  end if;

  for v_message in
    select m.*
      from app.outbound_messages as m
     where (m.state = 'queued' and m.not_before <= v_now and (m.next_attempt_at is null or m.next_attempt_at <= v_now))
        or (m.state = 'sending' and m.claimed_until <= v_now)
     order by greatest(m.not_before, coalesce(m.next_attempt_at, m.not_before)), m.created_at, m.id
     limit v_limit * 5
       for update skip locked
  loop
    exit when cardinality(v_claimed) >= v_limit;

    -- A lease that ran out on the last attempt: the attempt is spent.
    if v_message.state = 'sending' and v_message.attempts >= app.outbox_max_attempts() then
      update app.outbound_messages as m
         set state = 'failed', last_error_code = coalesce(m.last_error_code, 'lease_expired'),
             claimed_by = null, claimed_until = null, finished_at = v_now
       where m.id = v_message.id;
      continue;
    end if;

    -- The recipient's address now.
    if v_message.staff_id is not null then
      select s.email into v_email from app.staff as s where s.id = v_message.staff_id and s.active;
    else
      select b.email into v_email from app.borrowers as b where b.id = v_message.borrower_id;
    end if;
    if v_email is null then
      update app.outbound_messages as m
         set state = 'cancelled', cancel_reason = 'no_address', claimed_by = null, claimed_until = null,
             finished_at = v_now
       where m.id = v_message.id;
      continue;
    end if;

    if v_message.category = 'outreach' then
      -- One claim at a time per account decides its outreach; another worker holding the
      -- lock leaves the message for the next pass.
      if v_message.account_id is not null
         and not pg_try_advisory_xact_lock(hashtext('app.outbound_messages'), hashtext(v_message.account_id::text)) then
        continue;
      end if;
      v_decision := app.outreach_decision(v_message, v_now);
      if v_decision ->> 'action' = 'cancel' then
        update app.outbound_messages as m
           set state = 'cancelled', cancel_reason = v_decision ->> 'reason', claimed_by = null,
               claimed_until = null, finished_at = v_now
         where m.id = v_message.id;
        continue;
      elsif v_decision ->> 'action' = 'hold' then
        update app.outbound_messages as m
           set state = 'queued', not_before = (v_decision ->> 'until')::timestamptz, claimed_by = null,
               claimed_until = null
         where m.id = v_message.id;
        continue;
      end if;
    end if;

    update app.outbound_messages as m
       set state = 'sending', claimed_by = p_worker, claimed_until = v_now + v_lease,
           attempts = m.attempts + 1, next_attempt_at = null
     where m.id = v_message.id;
    v_claimed := v_claimed || v_message.id;
  end loop;

  return coalesce((
    select jsonb_agg(jsonb_build_object(
             'id', m.id,
             'template', m.template,
             'category', m.category,
             'channel', m.channel,
             'borrower_id', m.borrower_id,
             'account_id', m.account_id,
             'staff_id', m.staff_id,
             'params', m.params,
             'dedupe_key', m.dedupe_key,
             'attempts', m.attempts,
             'created_at', m.created_at,
             'to_address', coalesce(b.email, s.email),
             'language', coalesce(b.language, 'en'),
             'time_zone', coalesce(b.time_zone, 'UTC'),
             'account', case when m.account_id is null then null else app.account_notice_json(m.account_id) end
           ) order by m.created_at, m.id)
      from app.outbound_messages as m
      left join app.borrowers as b on b.id = m.borrower_id
      left join app.staff as s on s.id = m.staff_id
     where m.id = any (v_claimed)
  ), '[]'::jsonb);
end;
$$;

comment on function api.outbox_claim(text, integer, timestamptz, integer) is
  'The sender''s claim: up to p_limit due messages leased to p_worker (FOR UPDATE SKIP LOCKED), after the contact rules for outreach (cancel: no_address, no_consent, opted_out, paid, closed, paused; hold: outside hours, attempts used up). JSON array of {id, template, category, channel, borrower_id, account_id, staff_id, params, dedupe_key, attempts, created_at, to_address, language, time_zone, account}. PT422 invalid_worker.';

-- The provider accepted the message. True when recorded now; false when it was already
-- recorded (a second worker whose lease had run out sent the same key: Resend answered with
-- the first id) or is no longer being sent.
create function api.outbox_sent(
  p_id uuid,
  p_worker text,
  p_provider_id text,
  p_to_address text,
  p_language text,
  p_now timestamptz default now()
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  update app.outbound_messages as m
     set state = 'sent', provider_id = p_provider_id, to_address = p_to_address, language = p_language,
         sent_at = coalesce(p_now, now()), finished_at = coalesce(p_now, now()),
         claimed_by = null, claimed_until = null, last_error_code = null
   where m.id = p_id
     and m.state in ('sending', 'queued', 'failed');
  return found;
end;
$$;

comment on function api.outbox_sent(uuid, text, text, text, text, timestamptz) is
  'Records that the provider accepted a message: provider id, the address and language it went in. False when it was already recorded.';

-- A failed attempt. With p_retry (the provider may accept it later), the message waits
-- app.outbox_retry_delay(attempt) and goes again, until the last attempt marks it failed;
-- without (the provider refused this message for good), it is failed now. Returns the
-- state it is left in, or null when the worker no longer holds it.
create function api.outbox_failed(
  p_id uuid,
  p_worker text,
  p_error_code text,
  p_retry boolean default true,
  p_now timestamptz default now()
)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_now timestamptz := coalesce(p_now, now());
  v_code text := coalesce(nullif(regexp_replace(lower(coalesce(p_error_code, '')), '[^a-z0-9_.]', '_', 'g'), ''), 'unknown');
  v_state text;
begin
  if v_code !~ '^[a-z]' then
    v_code := 'e_' || v_code;
  end if;
  update app.outbound_messages as m
     set state = case when p_retry and m.attempts < app.outbox_max_attempts() then 'queued' else 'failed' end,
         next_attempt_at = case when p_retry and m.attempts < app.outbox_max_attempts()
                                then v_now + app.outbox_retry_delay(m.attempts) end,
         finished_at = case when p_retry and m.attempts < app.outbox_max_attempts() then null else v_now end,
         last_error_code = left(v_code, 63),
         claimed_by = null, claimed_until = null
   where m.id = p_id
     and m.state = 'sending'
     and m.claimed_by = p_worker
  returning m.state into v_state;
  return v_state;
end;
$$;

comment on function api.outbox_failed(uuid, text, text, boolean, timestamptz) is
  'Records a failed attempt with the provider''s error code: queued again after 1, 5, 30, 120 minutes, failed after the 5th attempt (or at once without p_retry). Returns the new state, or null when p_worker no longer holds the message.';

-- The sender will not send it after all (its template found it no longer applies, e.g. the
-- installment a reminder is about was paid). True when cancelled now.
create function api.outbox_cancel(p_id uuid, p_worker text, p_reason text, p_now timestamptz default now())
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_reason is null or p_reason !~ '^[a-z][a-z0-9_]{0,62}$' then
    raise exception 'a cancel reason is a code' using errcode = 'PT422', hint = 'invalid_reason';
  end if;
  update app.outbound_messages as m
     set state = 'cancelled', cancel_reason = p_reason, claimed_by = null, claimed_until = null,
         finished_at = coalesce(p_now, now())
   where m.id = p_id
     and m.state = 'sending'
     and m.claimed_by = p_worker;
  return found;
end;
$$;

comment on function api.outbox_cancel(uuid, text, text, timestamptz) is
  'Cancels a message the worker holds, with a reason code (the template found it no longer applies). PT422 invalid_reason.';

-- The console's contact history for an account: every message about it, and the messages
-- to its borrower about no account (sign-in links), newest first, at most 200, no content.
create function api.account_messages(p_staff_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_borrower_id uuid;
begin
  perform app.require_staff(p_staff_id, array['agent', 'supervisor', 'admin']);
  select a.borrower_id into v_borrower_id from app.accounts as a where a.id = p_account_id;
  if not found then
    raise exception 'account not found' using errcode = 'PT404', hint = 'account_not_found';
  end if;
  return coalesce((
    select jsonb_agg(jsonb_build_object(
             'id', h.id,
             'template', h.template,
             'category', h.category,
             'channel', h.channel,
             'state', h.state,
             'created_at', h.created_at,
             'not_before', h.not_before,
             'sent_at', h.sent_at,
             'attempts', h.attempts,
             'language', h.language,
             'last_error_code', h.last_error_code,
             'cancel_reason', h.cancel_reason
           ) order by h.created_at desc, h.id desc)
      from (
        select m.*
          from app.outbound_messages as m
         where m.account_id = p_account_id
            or (m.account_id is null and m.borrower_id = v_borrower_id)
         order by m.created_at desc, m.id desc
         limit 200
      ) as h
  ), '[]'::jsonb);
end;
$$;

comment on function api.account_messages(uuid, uuid) is
  'The console''s contact history of an account, newest first (at most 200): {id, template, category, channel, state, created_at, not_before, sent_at, attempts, language, last_error_code, cancel_reason}; no bodies or addresses. PT403 staff_forbidden; PT404 account_not_found.';

revoke execute on function api.outbox_claim(text, integer, timestamptz, integer) from public, anon, authenticated;
revoke execute on function api.outbox_sent(uuid, text, text, text, text, timestamptz) from public, anon, authenticated;
revoke execute on function api.outbox_failed(uuid, text, text, boolean, timestamptz) from public, anon, authenticated;
revoke execute on function api.outbox_cancel(uuid, text, text, timestamptz) from public, anon, authenticated;
revoke execute on function api.account_messages(uuid, uuid) from public, anon, authenticated;
grant execute on function api.outbox_claim(text, integer, timestamptz, integer) to service_role;
grant execute on function api.outbox_sent(uuid, text, text, text, text, timestamptz) to service_role;
grant execute on function api.outbox_failed(uuid, text, text, boolean, timestamptz) to service_role;
grant execute on function api.outbox_cancel(uuid, text, text, timestamptz) to service_role;
grant execute on function api.account_messages(uuid, uuid) to service_role;

-- ---------------------------------------------------------------------------------------
-- The local Resend stand-in keeps the headers it was sent (List-Unsubscribe).
-- ---------------------------------------------------------------------------------------

alter table app.local_sent_emails
  add column headers jsonb check (headers is null or jsonb_typeof(headers) = 'object');

-- The same function with the headers: the old signature goes, so a call by name is never
-- ambiguous. Without headers the payload hash is computed as before, so stored keys still
-- match their replays.
drop function api.local_email_store(text, text[], text, text, text, text[], jsonb, text);

create function api.local_email_store(
  p_from text,
  p_to text[],
  p_subject text,
  p_html text default null,
  p_text text default null,
  p_reply_to text[] default null,
  p_tags jsonb default '[]'::jsonb,
  p_idempotency_key text default null,
  p_headers jsonb default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tags jsonb := coalesce(p_tags, '[]'::jsonb);
  v_payload jsonb;
  v_hash text;
  v_existing record;
  v_inserted record;
begin
  v_payload := jsonb_build_object(
    'from', p_from,
    'to', to_jsonb(p_to),
    'subject', p_subject,
    'html', p_html,
    'text', p_text,
    'reply_to', to_jsonb(p_reply_to),
    'tags', v_tags
  );
  if p_headers is not null then
    v_payload := v_payload || jsonb_build_object('headers', p_headers);
  end if;
  -- jsonb's text form is canonical (keys in a fixed order), so equal payloads hash alike.
  v_hash := encode(sha256(convert_to(v_payload::text, 'UTF8')), 'hex');

  insert into app.local_sent_emails
    (from_address, to_addresses, subject, html, text, reply_to, tags, idempotency_key, payload_sha256, headers)
  values
    (p_from, p_to, p_subject, p_html, p_text, p_reply_to, v_tags, p_idempotency_key, v_hash, p_headers)
  on conflict (idempotency_key) where idempotency_key is not null do nothing
  returning provider_id into v_inserted;

  if v_inserted.provider_id is not null then
    return jsonb_build_object('id', v_inserted.provider_id, 'created', true);
  end if;

  select e.provider_id, e.payload_sha256
    into v_existing
    from app.local_sent_emails as e
   where e.idempotency_key = p_idempotency_key;

  if not found then
    raise exception 'Same idempotency key used while original request is still in progress.'
      using errcode = 'PT409', hint = 'concurrent_idempotent_requests';
  end if;

  if v_existing.payload_sha256 <> v_hash then
    raise exception 'Same idempotency key used with a different request payload.'
      using errcode = 'PT409', hint = 'invalid_idempotent_request';
  end if;

  return jsonb_build_object('id', v_existing.provider_id, 'created', false);
end;
$$;

comment on function api.local_email_store(text, text[], text, text, text, text[], jsonb, text, jsonb) is
  'Local Resend stand-in: store one sent message (with its headers) with Resend''s idempotency rules: {id, created}. PT409 (hint invalid_idempotent_request) when a key is reused with another payload. Local mode only.';

revoke execute on function api.local_email_store(text, text[], text, text, text, text[], jsonb, text, jsonb) from public, anon, authenticated;
grant execute on function api.local_email_store(text, text[], text, text, text, text[], jsonb, text, jsonb) to service_role;

create or replace function api.local_email_get(p_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
           'id', e.provider_id,
           'from', e.from_address,
           'to', e.to_addresses,
           'subject', e.subject,
           'html', e.html,
           'text', e.text,
           'reply_to', e.reply_to,
           'tags', e.tags,
           'headers', e.headers,
           'idempotency_key', e.idempotency_key,
           'created_at', e.created_at
         )
    from app.local_sent_emails as e
   where e.provider_id = p_id;
$$;

comment on function api.local_email_get(uuid) is
  'Local Resend stand-in: one stored message in full (with its headers), or null. Local mode only.';
