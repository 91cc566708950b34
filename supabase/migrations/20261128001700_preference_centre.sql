-- The preference centre, consent to electronic communications and the one-tap unsubscribe
-- (issue 9 items 5 and 6; ADR 014). Builds on 20261128001500_contact_preferences.sql
-- (app.contact_preferences, app.email_consent_granted) and reads the outbox of
-- 20261128001600_message_outbox.sql (app.outbound_messages: id, borrower_id) to find whose
-- email an unsubscribe link came in.
--
-- Every change a borrower makes is a consent record with the exact words they saw (stored
-- once per SHA-256 through app.record_consent, like every other consent):
--
-- - e_communications: granted ("Yes, email me") or withdrawn ("No thanks" at the first
--   sign-in, so we do not ask again; "withdraw" in the preference centre);
-- - contact_preferences: granted with the words of what they chose (language, channels,
--   hours, time zone) for each change in the preference centre; withdrawn with the
--   unsubscribe page's words when they stop reminder emails from an email's link.
--
-- A form that changes nothing writes nothing; a second tap on an unsubscribe link answers
-- "already stopped" and writes nothing. Audit events hold ids, codes, integers and booleans
-- only (never the address, the words or a time zone name).
--
-- Borrower functions take the borrower from the caller's session (the route reads it from
-- the session cookie, as every borrower function does) and answer PT404 account_not_found for
-- an account that is not theirs. The unsubscribe functions need no session: the signed token
-- (app/utils/unsubscribe-token.server.ts) names a message, the message names the borrower.
--
-- Keeps the foundation's rules: no new tables; `api` functions security definer, empty
-- search_path, executable by service_role alone; `app` helpers revoked from everyone.
--
-- Errors (the hint is the machine reason the app maps):
--   PT404 account_not_found, borrower_not_found, message_not_found
--   PT422 invalid_preferences, unknown_time_zone, invalid_hours, invalid_language,
--         invalid_consent, consent_hash_mismatch

-- ---------------------------------------------------------------------------------------
-- app.record_consent(): the same helper, now also for a withdrawal.
-- ---------------------------------------------------------------------------------------

-- The body of 20261128000100_arrangements.sql's app.record_consent with the action as an
-- argument; the four-argument form (granted) now calls it, so texts are stored one way.
create function app.record_consent(p_borrower_id uuid, p_account_id uuid, p_kind text, p_consent jsonb, p_action text)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_body text;
  v_sha256 text;
  v_version text;
  v_language text;
  v_ip inet;
  v_user_agent text;
  v_text app.consent_texts%rowtype;
  v_consent_id uuid;
begin
  if p_action is null or p_action not in ('granted', 'withdrawn') then
    raise exception 'a consent is granted or withdrawn'
      using errcode = 'PT422', hint = 'invalid_consent';
  end if;
  if p_consent is null or jsonb_typeof(p_consent) <> 'object' then
    raise exception 'consent must be an object'
      using errcode = 'PT422', hint = 'invalid_consent';
  end if;

  if jsonb_typeof(p_consent -> 'body') = 'string' then
    v_body := p_consent ->> 'body';
  end if;
  if jsonb_typeof(p_consent -> 'sha256') = 'string' then
    v_sha256 := p_consent ->> 'sha256';
  end if;
  if v_body is null or v_body = '' or v_sha256 is null
     or v_sha256 <> encode(sha256(convert_to(v_body, 'UTF8')), 'hex') then
    raise exception 'the consent text does not match its hash'
      using errcode = 'PT422', hint = 'consent_hash_mismatch';
  end if;

  if jsonb_typeof(p_consent -> 'version') = 'string' then
    v_version := p_consent ->> 'version';
  end if;
  if jsonb_typeof(p_consent -> 'language') = 'string' then
    v_language := p_consent ->> 'language';
  end if;
  if v_version is null or length(v_version) > 100 or v_version !~ '^[a-z][a-z0-9-]*\.v[0-9]+$'
     or v_language is null or v_language not in ('en', 'es')
     or length(v_body) > 20000
     or coalesce(jsonb_typeof(p_consent -> 'ip'), 'null') not in ('null', 'string')
     or coalesce(jsonb_typeof(p_consent -> 'user_agent'), 'null') not in ('null', 'string')
     or exists (
       select 1 from jsonb_object_keys(p_consent) as k
        where k not in ('version', 'language', 'body', 'sha256', 'ip', 'user_agent')
     ) then
    raise exception 'malformed consent'
      using errcode = 'PT422', hint = 'invalid_consent';
  end if;

  if jsonb_typeof(p_consent -> 'ip') = 'string' then
    begin
      v_ip := (p_consent ->> 'ip')::inet;
    exception
      when invalid_text_representation then
        raise exception 'malformed consent ip'
          using errcode = 'PT422', hint = 'invalid_consent';
    end;
    -- A client address, not a network.
    if masklen(v_ip) <> (case family(v_ip) when 4 then 32 else 128 end) then
      raise exception 'malformed consent ip'
        using errcode = 'PT422', hint = 'invalid_consent';
    end if;
  end if;
  if jsonb_typeof(p_consent -> 'user_agent') = 'string' then
    v_user_agent := p_consent ->> 'user_agent';
    if length(v_user_agent) > 512 then
      raise exception 'consent user agent longer than 512 characters'
        using errcode = 'PT422', hint = 'invalid_consent';
    end if;
  end if;

  -- Once per distinct hash. Two callers with the same new text: one inserts, the other
  -- waits for it and then finds its row.
  insert into app.consent_texts (kind, version, language, body, sha256)
  values (p_kind, v_version, v_language, v_body, v_sha256)
  on conflict (sha256) do nothing;
  select t.* into strict v_text
    from app.consent_texts as t
   where t.sha256 = v_sha256;

  insert into app.consents
    (borrower_id, account_id, kind, action, text_id, text_version, text_sha256, language, ip, user_agent)
  values
    (p_borrower_id, p_account_id, p_kind, p_action, v_text.id, v_text.version, v_text.sha256, v_text.language,
     v_ip, v_user_agent)
  returning id into v_consent_id;

  return v_consent_id;
end;
$$;

comment on function app.record_consent(uuid, uuid, text, jsonb, text) is
  'Stores a consent of this kind, granted or withdrawn, and its exact text (once per SHA-256), after recomputing the hash: returns the consent id. PT422 consent_hash_mismatch (empty body or hash differs), PT422 invalid_consent (malformed document or action).';

create or replace function app.record_consent(p_borrower_id uuid, p_account_id uuid, p_kind text, p_consent jsonb)
returns uuid
language sql
set search_path = ''
as $$
  select app.record_consent(p_borrower_id, p_account_id, p_kind, p_consent, 'granted');
$$;

comment on function app.record_consent(uuid, uuid, text, jsonb) is
  'Stores a granted consent of this kind and its exact text (once per SHA-256), after recomputing the hash: returns the consent id. PT422 consent_hash_mismatch (empty body or hash differs), PT422 invalid_consent (malformed document).';

revoke all on function app.record_consent(uuid, uuid, text, jsonb, text) from public, anon, authenticated, service_role;
revoke all on function app.record_consent(uuid, uuid, text, jsonb) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Reading helpers.
-- ---------------------------------------------------------------------------------------

-- 'HH:MM' for a preferred hour; 24:00 (the end of the day) stays 24:00.
create function app.hour_text(p_time time)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when p_time is null then null
              when p_time = '24:00'::time then '24:00'
              else to_char(p_time, 'HH24:MI') end;
$$;

-- The borrower's latest e_communications answer: 'granted', 'withdrawn', or null (never asked).
create function app.e_communications_answer(p_borrower_id uuid)
returns text
language sql
stable
set search_path = ''
as $$
  select c.action
    from app.consents as c
   where c.borrower_id = p_borrower_id
     and c.kind = 'e_communications'
   order by c.created_at desc, c.id desc
   limit 1;
$$;

-- What the preference centre and the unsubscribe page show of a borrower's settings.
create function app.contact_settings_json(p_borrower_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'language', b.language,
    'time_zone', b.time_zone,
    'email', b.email,
    'email_allowed', coalesce(p.email_allowed, true),
    'sms_allowed', coalesce(p.sms_allowed, false),
    'post_allowed', coalesce(p.post_allowed, true),
    'preferred_start', app.hour_text(p.preferred_start),
    'preferred_end', app.hour_text(p.preferred_end),
    'e_communications', app.e_communications_answer(b.id),
    'creditor', jsonb_build_object('name', c.name, 'time_zone', c.time_zone, 'region', c.region,
                                   'contact_earliest', app.hour_text(c.contact_earliest),
                                   'contact_latest', app.hour_text(c.contact_latest))
  )
    from app.borrowers as b
    join app.creditors as c on c.id = b.creditor_id
    left join app.contact_preferences as p on p.borrower_id = b.id
   where b.id = p_borrower_id;
$$;

revoke all on function app.hour_text(time) from public, anon, authenticated, service_role;
revoke all on function app.e_communications_answer(uuid) from public, anon, authenticated, service_role;
revoke all on function app.contact_settings_json(uuid) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- api.borrower_preferences(): the preference centre's page.
-- ---------------------------------------------------------------------------------------

create function api.borrower_preferences(p_borrower_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id) then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  return app.contact_settings_json(p_borrower_id) || jsonb_build_object(
    'consents', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', k.id,
               'kind', k.kind,
               'action', k.action,
               'account_id', k.account_id,
               'version', k.text_version,
               'language', k.language,
               'sha256', k.text_sha256,
               'body', t.body,
               'created_at', k.created_at
             ) order by k.created_at desc, k.id desc)
        from (
          select c.* from app.consents as c
           where c.borrower_id = p_borrower_id
           order by c.created_at desc, c.id desc
           limit 200
        ) as k
        join app.consent_texts as t on t.id = k.text_id
    ), '[]'::jsonb)
  );
end;
$$;

comment on function api.borrower_preferences(uuid, uuid) is
  'The preference centre of the borrower whose account this is: {language, time_zone, email, email_allowed, sms_allowed, post_allowed, preferred_start, preferred_end (HH:MM or null), e_communications (granted | withdrawn | null), creditor {name, time_zone, region, contact_earliest, contact_latest}, consents [{id, kind, action, account_id, version, language, sha256, body, created_at}] newest first, at most 200}. PT404 account_not_found.';

revoke execute on function api.borrower_preferences(uuid, uuid) from public, anon, authenticated;
grant execute on function api.borrower_preferences(uuid, uuid) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.e_communications_status(): has the borrower been asked about email notices?
-- ---------------------------------------------------------------------------------------

create function api.e_communications_status(p_borrower_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_settings jsonb := app.contact_settings_json(p_borrower_id);
begin
  if v_settings is null then
    raise exception 'borrower not found'
      using errcode = 'PT404', hint = 'borrower_not_found';
  end if;
  return jsonb_build_object(
    'answer', v_settings -> 'e_communications',
    'email', v_settings -> 'email',
    'language', v_settings -> 'language',
    'creditor_name', v_settings -> 'creditor' -> 'name'
  );
end;
$$;

comment on function api.e_communications_status(uuid) is
  'The borrower''s latest answer about notices by email: {answer: granted | withdrawn | null (never asked), email, language, creditor_name}. PT404 borrower_not_found.';

revoke execute on function api.e_communications_status(uuid) from public, anon, authenticated;
grant execute on function api.e_communications_status(uuid) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.record_e_communications_consent(): "Yes, email me" / "No thanks" / withdraw.
-- ---------------------------------------------------------------------------------------

-- p_origin 'first_sign_in': recorded only when the borrower has never answered (a double
-- submit or a second tab answers {outcome: already_answered}, so we ask once).
-- p_origin 'preference_centre': recorded when it changes the latest answer, else
-- {outcome: unchanged}. Either way one consent record and one audit event, or nothing.
create function api.record_e_communications_consent(p_borrower_id uuid, p_action text, p_origin text, p_consent jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_answer text;
  v_consent_id uuid;
begin
  if p_action is null or p_action not in ('granted', 'withdrawn')
     or p_origin is null or p_origin not in ('first_sign_in', 'preference_centre') then
    raise exception 'malformed e-communications answer'
      using errcode = 'PT422', hint = 'invalid_preferences';
  end if;
  -- One answer at a time per borrower.
  perform 1 from app.borrowers as b where b.id = p_borrower_id for update;
  if not found then
    raise exception 'borrower not found'
      using errcode = 'PT404', hint = 'borrower_not_found';
  end if;
  v_answer := app.e_communications_answer(p_borrower_id);
  if p_origin = 'first_sign_in' and v_answer is not null then
    return jsonb_build_object('outcome', 'already_answered', 'answer', v_answer);
  end if;
  if v_answer is not distinct from p_action then
    return jsonb_build_object('outcome', 'unchanged', 'answer', v_answer);
  end if;

  v_consent_id := app.record_consent(p_borrower_id, null, 'e_communications', p_consent, p_action);
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, reason_code, metadata)
  values ('borrower', p_borrower_id, 'consent.' || p_action, 'consent', v_consent_id, p_origin,
          jsonb_build_object('kind', 'e_communications', 'origin', p_origin));
  return jsonb_build_object('outcome', 'recorded', 'answer', p_action, 'consent_id', v_consent_id);
end;
$$;

comment on function api.record_e_communications_consent(uuid, text, text, jsonb) is
  'Records the borrower''s answer about notices by email (granted or withdrawn) with the exact words shown, audited: {outcome: recorded | unchanged | already_answered, answer, consent_id?}. p_origin first_sign_in records only a first answer; preference_centre only a change. PT404 borrower_not_found; PT422 invalid_preferences, invalid_consent, consent_hash_mismatch.';

revoke execute on function api.record_e_communications_consent(uuid, text, text, jsonb) from public, anon, authenticated;
grant execute on function api.record_e_communications_consent(uuid, text, text, jsonb) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.update_contact_preferences(): the preference centre's form.
-- ---------------------------------------------------------------------------------------

-- Every argument is the whole new setting (the form shows them all). Hours are 'HH:MM'
-- (24:00 is the end of the day), both or neither, start before end. The consent's words say
-- what the borrower chose (the app renders them from the same values). Nothing changed:
-- {outcome: unchanged} and nothing written.
create function api.update_contact_preferences(
  p_borrower_id uuid,
  p_account_id uuid,
  p_language text,
  p_time_zone text,
  p_email_allowed boolean,
  p_sms_allowed boolean,
  p_post_allowed boolean,
  p_preferred_start text,
  p_preferred_end text,
  p_consent jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_borrower app.borrowers%rowtype;
  v_old app.contact_preferences%rowtype;
  v_start time;
  v_end time;
  v_old_email boolean;
  v_old_sms boolean;
  v_old_post boolean;
  v_language_changed boolean;
  v_zone_changed boolean;
  v_channels_changed boolean;
  v_hours_changed boolean;
  v_consent_id uuid;
begin
  if not exists (select 1 from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id) then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  if p_language is null or p_language not in ('en', 'es') then
    raise exception 'unsupported language'
      using errcode = 'PT422', hint = 'invalid_language';
  end if;
  if p_email_allowed is null or p_sms_allowed is null or p_post_allowed is null then
    raise exception 'every channel is on or off'
      using errcode = 'PT422', hint = 'invalid_preferences';
  end if;
  if p_time_zone is null or not exists (select 1 from app.time_zones as z where z.name = p_time_zone) then
    raise exception 'unknown time zone'
      using errcode = 'PT422', hint = 'unknown_time_zone';
  end if;
  if (p_preferred_start is null) <> (p_preferred_end is null)
     or (p_preferred_start is not null and (p_preferred_start !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
                                             or p_preferred_end !~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$')) then
    raise exception 'preferred hours are two times of day, or none'
      using errcode = 'PT422', hint = 'invalid_hours';
  end if;
  v_start := p_preferred_start::time;
  v_end := p_preferred_end::time;
  if v_start is not null and v_start >= v_end then
    raise exception 'preferred hours end after they start'
      using errcode = 'PT422', hint = 'invalid_hours';
  end if;

  -- One change at a time per borrower.
  select b.* into v_borrower from app.borrowers as b where b.id = p_borrower_id for update;
  select p.* into v_old from app.contact_preferences as p where p.borrower_id = p_borrower_id;
  v_old_email := coalesce(v_old.email_allowed, true);
  v_old_sms := coalesce(v_old.sms_allowed, false);
  v_old_post := coalesce(v_old.post_allowed, true);

  v_language_changed := v_borrower.language <> p_language;
  v_zone_changed := v_borrower.time_zone <> p_time_zone;
  v_channels_changed := v_old_email <> p_email_allowed or v_old_sms <> p_sms_allowed or v_old_post <> p_post_allowed;
  v_hours_changed := v_old.preferred_start is distinct from v_start or v_old.preferred_end is distinct from v_end;
  if not (v_language_changed or v_zone_changed or v_channels_changed or v_hours_changed) then
    return jsonb_build_object('outcome', 'unchanged');
  end if;

  v_consent_id := app.record_consent(p_borrower_id, null, 'contact_preferences', p_consent, 'granted');
  if v_language_changed or v_zone_changed then
    update app.borrowers as b set language = p_language, time_zone = p_time_zone where b.id = p_borrower_id;
  end if;
  if v_channels_changed or v_hours_changed then
    insert into app.contact_preferences (borrower_id, email_allowed, sms_allowed, post_allowed, preferred_start, preferred_end, updated_at)
    values (p_borrower_id, p_email_allowed, p_sms_allowed, p_post_allowed, v_start, v_end, now())
    on conflict (borrower_id) do update
      set email_allowed = excluded.email_allowed,
          sms_allowed = excluded.sms_allowed,
          post_allowed = excluded.post_allowed,
          preferred_start = excluded.preferred_start,
          preferred_end = excluded.preferred_end,
          updated_at = excluded.updated_at;
  end if;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('borrower', p_borrower_id, 'contact_preferences.changed', 'consent', v_consent_id, p_account_id, 'preference_centre',
          jsonb_build_object(
            'origin', 'preference_centre',
            'language', p_language,
            'language_changed', v_language_changed,
            'time_zone_changed', v_zone_changed,
            'email_allowed', p_email_allowed,
            'sms_allowed', p_sms_allowed,
            'post_allowed', p_post_allowed,
            'hours_changed', v_hours_changed,
            'preferred_start_minute', (extract(epoch from v_start) / 60)::integer,
            'preferred_end_minute', (extract(epoch from v_end) / 60)::integer));

  return jsonb_build_object('outcome', 'changed', 'consent_id', v_consent_id, 'language_changed', v_language_changed);
end;
$$;

comment on function api.update_contact_preferences(uuid, uuid, text, text, boolean, boolean, boolean, text, text, jsonb) is
  'Saves the borrower''s language, time zone (one in app.time_zones), channels and preferred hours (HH:MM, both or neither, start before end, 24:00 the end of the day) from the preference centre, with a contact_preferences consent holding the words of what they chose and one audit event: {outcome: changed, consent_id, language_changed} or {outcome: unchanged} (nothing written). PT404 account_not_found; PT422 invalid_language, unknown_time_zone, invalid_hours, invalid_preferences, invalid_consent, consent_hash_mismatch.';

revoke execute on function api.update_contact_preferences(uuid, uuid, text, text, boolean, boolean, boolean, text, text, jsonb) from public, anon, authenticated;
grant execute on function api.update_contact_preferences(uuid, uuid, text, text, boolean, boolean, boolean, text, text, jsonb) to service_role;

-- ---------------------------------------------------------------------------------------
-- The one-tap unsubscribe (no session: the signed token names the message).
-- ---------------------------------------------------------------------------------------

-- The borrower an outbox message went to, or null (no such message, or one to staff).
-- plpgsql, so the outbox table is looked up when called, not when this file runs.
create function app.message_borrower(p_message_id uuid)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v_borrower_id uuid;
begin
  select m.borrower_id into v_borrower_id from app.outbound_messages as m where m.id = p_message_id;
  return v_borrower_id;
end;
$$;

revoke all on function app.message_borrower(uuid) from public, anon, authenticated, service_role;

create function api.unsubscribe_status(p_message_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_borrower_id uuid := app.message_borrower(p_message_id);
  v_settings jsonb;
begin
  if v_borrower_id is null then
    raise exception 'message not found'
      using errcode = 'PT404', hint = 'message_not_found';
  end if;
  v_settings := app.contact_settings_json(v_borrower_id);
  return jsonb_build_object(
    'email', v_settings -> 'email',
    'language', v_settings -> 'language',
    'creditor_name', v_settings -> 'creditor' -> 'name',
    'stopped', not (v_settings ->> 'email_allowed')::boolean
  );
end;
$$;

comment on function api.unsubscribe_status(uuid) is
  'For the unsubscribe page of the message''s borrower: {email, language, creditor_name, stopped (reminder emails already off)}. PT404 message_not_found.';

revoke execute on function api.unsubscribe_status(uuid) from public, anon, authenticated;
grant execute on function api.unsubscribe_status(uuid) to service_role;

-- Stops outreach by email (reminders and other contact they did not ask for) to the
-- message's borrower: email_allowed = false, a contact_preferences consent withdrawn with the
-- unsubscribe page's words, an audit event (origin email_link). What the borrower asks for
-- (receipts, links, confirmations) still goes. A second tap: {outcome: already_stopped}.
create function api.unsubscribe_by_message(p_message_id uuid, p_consent jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_borrower_id uuid := app.message_borrower(p_message_id);
  v_allowed boolean;
  v_consent_id uuid;
begin
  if v_borrower_id is null then
    raise exception 'message not found'
      using errcode = 'PT404', hint = 'message_not_found';
  end if;
  perform 1 from app.borrowers as b where b.id = v_borrower_id for update;
  select p.email_allowed into v_allowed from app.contact_preferences as p where p.borrower_id = v_borrower_id;
  if v_allowed is false then
    return jsonb_build_object('outcome', 'already_stopped');
  end if;

  v_consent_id := app.record_consent(v_borrower_id, null, 'contact_preferences', p_consent, 'withdrawn');
  insert into app.contact_preferences (borrower_id, email_allowed, updated_at)
  values (v_borrower_id, false, now())
  on conflict (borrower_id) do update set email_allowed = false, updated_at = excluded.updated_at;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, reason_code, metadata)
  values ('borrower', v_borrower_id, 'contact_preferences.email_stopped', 'consent', v_consent_id, 'email_link',
          jsonb_build_object('origin', 'email_link', 'message_id', p_message_id, 'email_allowed', false));
  return jsonb_build_object('outcome', 'stopped', 'consent_id', v_consent_id);
end;
$$;

comment on function api.unsubscribe_by_message(uuid, jsonb) is
  'The one-tap "stop reminder emails" of the message''s borrower: email_allowed = false, a contact_preferences consent withdrawn with the page''s words, an audit event (origin email_link): {outcome: stopped, consent_id} or {outcome: already_stopped} (nothing written). PT404 message_not_found; PT422 invalid_consent, consent_hash_mismatch.';

revoke execute on function api.unsubscribe_by_message(uuid, jsonb) from public, anon, authenticated;
grant execute on function api.unsubscribe_by_message(uuid, jsonb) to service_role;
