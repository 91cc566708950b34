-- Preferred hours must overlap the creditor's contact window (issue 9 item 6; ADR 014).
-- api.update_contact_preferences accepted hours outside creditors.contact_earliest and
-- contact_latest (21:00 to 24:00 against 08:00 to 21:00): app.next_contact_time then falls
-- back to the creditor's window, so the hours were ignored while the contact_preferences
-- consent said "Best time to contact me: 9 PM to midnight". Now such hours are refused with
-- PT422 invalid_hours and nothing is written (the preference centre checks first and names
-- the window). The same function otherwise (20261128001700_preference_centre.sql), same
-- signature and grants.

create or replace function api.update_contact_preferences(
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
  v_earliest time;
  v_latest time;
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
  -- Hours outside the creditor's window (the one app.next_contact_time reads) would be
  -- ignored, the window used instead, while the consent's words claimed them: refused.
  if v_start is not null then
    select c.contact_earliest, c.contact_latest
      into v_earliest, v_latest
      from app.borrowers as b
      join app.creditors as c on c.id = b.creditor_id
     where b.id = p_borrower_id;
    if greatest(v_start, v_earliest) >= least(v_end, v_latest) then
      raise exception 'preferred hours must overlap the creditor''s contact window'
        using errcode = 'PT422', hint = 'invalid_hours';
    end if;
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
  'Saves the borrower''s language, time zone (one in app.time_zones), channels and preferred hours (HH:MM, both or neither, start before end, 24:00 the end of the day, overlapping the creditor''s contact window) from the preference centre, with a contact_preferences consent holding the words of what they chose and one audit event: {outcome: changed, consent_id, language_changed} or {outcome: unchanged} (nothing written). PT404 account_not_found; PT422 invalid_language, unknown_time_zone, invalid_hours, invalid_preferences, invalid_consent, consent_hash_mismatch.';

revoke execute on function api.update_contact_preferences(uuid, uuid, text, text, boolean, boolean, boolean, text, text, jsonb) from public, anon, authenticated;
grant execute on function api.update_contact_preferences(uuid, uuid, text, text, boolean, boolean, boolean, text, text, jsonb) to service_role;
