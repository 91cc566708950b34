-- Getting debt advice (issue 7 item 3; ADR 008): a borrower tells us they are working with a
-- debt adviser or, for a creditor in England and Wales, that they are in a statutory
-- breathing space (the Debt Respite Scheme); collection on the account pauses for 60 days;
-- the adviser's contact details are kept only with the borrower's own consent that we may
-- contact the adviser about this account.
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): tables in `app` with RLS on
-- and no grants; `api` functions security definer, empty search_path, fully qualified names,
-- executable by service_role alone; audit events hold ids, codes, integers, booleans and
-- dates only: never the organisation, the adviser's name, phone or email, or a reference.
--
-- One function declares: the declaration, its consent (kind debt_adviser_contact, its exact
-- words hashed like every consent), a collection pause (app.collection_pauses, reason
-- 'debt_advice' or 'breathing_space') and the audit events, all or nothing. The pause starts
-- now and ends at the end of day 60 in the creditor's zone, the day of the declaration being
-- day 1: ends_at is midnight at the start of day 61. One declaration per account is active; a
-- replayed declaration (the same words while it is active) answers with it.
--
-- The pause ends by itself: `api.lift_ended_pauses` (npm run jobs) lifts it once its end has
-- come, and the plan's payments that fell due during it move after it (ADR 007); a trigger on
-- app.collection_pauses then ends the declaration, with its audit event. The borrower may end
-- it early ("I'm no longer working with an adviser"), which lifts the pause at once and
-- withdraws the consent to contact the adviser (their details are erased); they may also
-- withdraw that consent alone.
--
-- Breathing space is offered only where it exists: app.creditors.jurisdiction (ISO 3166-2,
-- from the foundation) 'GB-EAW' (England and Wales), 'GB-ENG' or 'GB-WLS'.
--
-- Errors (the hint is the machine reason the app maps):
--   PT404 account_not_found, declaration_not_found
--   PT409 account_not_open, declaration_open
--   PT422 invalid_declaration, breathing_space_not_available, invalid_consent,
--         consent_hash_mismatch

-- ---------------------------------------------------------------------------------------
-- A consent kind for contacting the borrower's adviser.
-- ---------------------------------------------------------------------------------------

-- The kind lists are unnamed checks (20261128000100_arrangements.sql), found by definition.
do $$
declare
  v_table text;
  v_name text;
begin
  foreach v_table in array array['app.consents', 'app.consent_texts'] loop
    for v_name in
      select c.conname
        from pg_catalog.pg_constraint as c
       where c.conrelid = v_table::regclass
         and c.contype = 'c'
         and pg_catalog.pg_get_constraintdef(c.oid) like '%health_data%'
    loop
      execute format('alter table %s drop constraint %I', v_table, v_name);
    end loop;
  end loop;
end;
$$;

alter table app.consents add constraint consents_kind_check check (
  kind in ('plan_agreement', 'plan_change', 'recurring_payment_authorization',
           'e_communications', 'contact_preferences', 'health_data', 'debt_adviser_contact')
);
alter table app.consent_texts add constraint consent_texts_kind_check check (
  kind in ('plan_agreement', 'plan_change', 'recurring_payment_authorization',
           'e_communications', 'contact_preferences', 'health_data', 'debt_adviser_contact')
);

-- ---------------------------------------------------------------------------------------
-- Where a statutory breathing space exists.
-- ---------------------------------------------------------------------------------------

-- The Debt Respite Scheme (Breathing Space Moratorium and Mental Health Crisis Moratorium)
-- (England and Wales) Regulations 2020: England and Wales only. app/utils/debt-advice.ts
-- keeps the same list.
create function app.breathing_space_applies(p_jurisdiction text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(p_jurisdiction in ('GB-EAW', 'GB-ENG', 'GB-WLS'), false);
$$;

comment on function app.breathing_space_applies(text) is
  'True for a creditor jurisdiction where a statutory breathing space exists (England and Wales: GB-EAW, GB-ENG, GB-WLS).';

revoke all on function app.breathing_space_applies(text) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Tables.
-- ---------------------------------------------------------------------------------------

create table app.debt_advice_declarations (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references app.accounts (id),
  borrower_id uuid not null references app.borrowers (id),
  -- debt_advice: working with a debt adviser; breathing_space: in a statutory breathing
  -- space (England and Wales only). The pause's reason is the same code.
  kind text not null check (kind in ('debt_advice', 'breathing_space')),
  -- The debt advice organisation, as the borrower wrote it.
  organisation text not null check (
    length(organisation) between 1 and 200 and organisation = btrim(organisation) and organisation !~ '[[:cntrl:]]'
  ),
  -- The breathing space's reference, when the borrower has it.
  breathing_space_reference text check (breathing_space_reference ~ '^[A-Za-z0-9][A-Za-z0-9 /-]{0,39}$'),
  -- The adviser's contact: only with a standing debt_adviser_contact consent; erased when it
  -- is withdrawn (or the borrower ends the declaration).
  adviser_name text check (
    length(adviser_name) between 1 and 200 and adviser_name = btrim(adviser_name) and adviser_name !~ '[[:cntrl:]]'
  ),
  adviser_phone text check (adviser_phone ~ '^\+[1-9][0-9]{6,14}$'),
  adviser_email text check (
    adviser_email = lower(adviser_email)
    and length(adviser_email) <= 254
    and adviser_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
  ),
  contact_consent_id uuid references app.consents (id),
  -- active → ended (the borrower ended it, or its pause ended).
  status text not null default 'active' check (status in ('active', 'ended')),
  end_reason text check (end_reason in ('borrower_ended', 'pause_ended')),
  pause_id uuid not null unique references app.collection_pauses (id),
  declared_at timestamptz not null default now(),
  ended_at timestamptz,
  updated_at timestamptz not null default now(),
  check (kind = 'breathing_space' or breathing_space_reference is null),
  check ((adviser_name is null and adviser_phone is null and adviser_email is null) or contact_consent_id is not null),
  check (contact_consent_id is null or adviser_phone is not null or adviser_email is not null),
  check ((status = 'ended') = (ended_at is not null)),
  check ((status = 'ended') = (end_reason is not null))
);

comment on table app.debt_advice_declarations is
  'A borrower''s word that they are working with a debt adviser or are in a statutory breathing space (issue 7 item 3): the organisation, the breathing space reference, the adviser''s contact only with its own consent; collection is paused for 60 days.';

create unique index debt_advice_declarations_one_active_idx on app.debt_advice_declarations (account_id) where status = 'active';
create index debt_advice_declarations_account_idx on app.debt_advice_declarations (account_id, declared_at);
create index debt_advice_declarations_borrower_idx on app.debt_advice_declarations (borrower_id);
create index debt_advice_declarations_consent_idx on app.debt_advice_declarations (contact_consent_id) where contact_consent_id is not null;

alter table app.debt_advice_declarations enable row level security;
revoke all on table app.debt_advice_declarations from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Helpers.
-- ---------------------------------------------------------------------------------------

-- The declaration as the borrower's pages show it (their own words and adviser's details).
-- `active` is false once the pause's end has come, even before npm run jobs lifts it.
create function app.debt_advice_json(p_declaration app.debt_advice_declarations)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_declaration.id,
    'account_id', p_declaration.account_id,
    'kind', p_declaration.kind,
    'organisation', p_declaration.organisation,
    'breathing_space_reference', p_declaration.breathing_space_reference,
    'adviser', case when p_declaration.contact_consent_id is null then null
                    else jsonb_build_object('name', p_declaration.adviser_name, 'phone', p_declaration.adviser_phone,
                                            'email', p_declaration.adviser_email) end,
    'status', p_declaration.status,
    'active', p_declaration.status = 'active' and p.lifted_at is null and p.ends_at > now(),
    'end_reason', p_declaration.end_reason,
    'declared_at', p_declaration.declared_at,
    'ends_at', p.ends_at,
    'ended_at', coalesce(p_declaration.ended_at, case when p.ends_at <= now() then p.ends_at end)
  )
    from app.collection_pauses as p
   where p.id = p_declaration.pause_id;
$$;

revoke all on function app.debt_advice_json(app.debt_advice_declarations) from public, anon, authenticated, service_role;

-- Withdraws the consent to contact the adviser (a withdrawn consent pointing at the words
-- agreed), erases the adviser's details and audits it (without them). Caller holds the
-- declaration's row lock. Returns the declaration.
create function app.withdraw_adviser_contact(p_declaration_id uuid, p_actor_kind text, p_actor_id uuid)
returns app.debt_advice_declarations
language plpgsql
set search_path = ''
as $$
declare
  v_declaration app.debt_advice_declarations%rowtype;
  v_granted app.consents%rowtype;
  v_withdrawn uuid;
begin
  select d.* into strict v_declaration from app.debt_advice_declarations as d where d.id = p_declaration_id;
  if v_declaration.contact_consent_id is null then
    return v_declaration;
  end if;
  select k.* into strict v_granted from app.consents as k where k.id = v_declaration.contact_consent_id;
  insert into app.consents (borrower_id, account_id, kind, action, text_id, text_version, text_sha256, language)
  values (v_declaration.borrower_id, v_declaration.account_id, 'debt_adviser_contact', 'withdrawn', v_granted.text_id,
          v_granted.text_version, v_granted.text_sha256, v_granted.language)
  returning id into v_withdrawn;
  update app.debt_advice_declarations as d
     set adviser_name = null, adviser_phone = null, adviser_email = null, contact_consent_id = null, updated_at = now()
   where d.id = p_declaration_id
  returning * into v_declaration;
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
  values (p_actor_kind, p_actor_id, 'consent.withdrawn', 'debt_advice_declaration', v_declaration.id, v_declaration.account_id,
          jsonb_build_object('consent_id', v_withdrawn, 'kind', 'debt_adviser_contact'));
  return v_declaration;
end;
$$;

revoke all on function app.withdraw_adviser_contact(uuid, text, uuid) from public, anon, authenticated, service_role;

-- When a debt advice or breathing space pause is lifted by its end (npm run jobs) or by
-- anyone else, its declaration, if still active, ends with it.
create function app.end_debt_advice_with_pause()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
  v_account_id uuid;
begin
  update app.debt_advice_declarations as d
     set status = 'ended', end_reason = 'pause_ended', ended_at = least(new.lifted_at, coalesce(new.ends_at, new.lifted_at)),
         updated_at = now()
   where d.pause_id = new.id and d.status = 'active'
  returning d.id, d.account_id into v_id, v_account_id;
  if v_id is not null then
    insert into app.audit_events (actor_kind, action, subject_kind, subject_id, account_id, reason_code, metadata)
    values ('system', 'debt_advice.ended', 'debt_advice_declaration', v_id, v_account_id, 'pause_ended',
            jsonb_build_object('pause_id', new.id));
  end if;
  return null;
end;
$$;

revoke all on function app.end_debt_advice_with_pause() from public, anon, authenticated, service_role;

create trigger collection_pauses_end_debt_advice
  after update of lifted_at on app.collection_pauses
  for each row
  when (old.lifted_at is null and new.lifted_at is not null and new.reason in ('debt_advice', 'breathing_space'))
  execute function app.end_debt_advice_with_pause();

-- ---------------------------------------------------------------------------------------
-- Borrower: read, declare, end, withdraw the contact consent.
-- ---------------------------------------------------------------------------------------

-- The account's active declaration, else its latest, else null.
create function api.borrower_debt_advice(p_borrower_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_declaration app.debt_advice_declarations%rowtype;
begin
  if not exists (select 1 from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id) then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  select d.* into v_declaration
    from app.debt_advice_declarations as d
   where d.account_id = p_account_id and d.borrower_id = p_borrower_id
   order by (d.status = 'active') desc, d.declared_at desc, d.id
   limit 1;
  if not found then
    return null;
  end if;
  return app.debt_advice_json(v_declaration);
end;
$$;

comment on function api.borrower_debt_advice(uuid, uuid) is
  'The account''s active debt advice declaration, else its latest, else null: {id, account_id, kind, organisation, breathing_space_reference, adviser: {name, phone, email} | null, status, active, end_reason, declared_at, ends_at, ended_at}. PT404 account_not_found.';

-- Declares that the borrower is working with a debt adviser (p_kind 'debt_advice') or is in
-- a breathing space ('breathing_space', England and Wales only, with an optional
-- reference). The adviser's name, phone (E.164) and email only with p_consent (kind
-- debt_adviser_contact: its exact words), and then with a phone or an email. Pauses
-- collection until the end of day 60 in the creditor's zone. A replay (the same declaration
-- while it is active) answers {outcome: duplicate}; a different one while one is active is
-- PT409 declaration_open. An active declaration whose time is up is ended first.
create function api.declare_debt_advice(
  p_borrower_id uuid,
  p_account_id uuid,
  p_kind text,
  p_organisation text,
  p_breathing_space_reference text,
  p_adviser_name text,
  p_adviser_phone text,
  p_adviser_email text,
  p_consent jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account app.accounts%rowtype;
  v_creditor app.creditors%rowtype;
  v_open app.debt_advice_declarations%rowtype;
  v_open_pause app.collection_pauses%rowtype;
  v_declaration app.debt_advice_declarations%rowtype;
  v_organisation text := nullif(btrim(coalesce(p_organisation, '')), '');
  v_reference text := nullif(btrim(coalesce(p_breathing_space_reference, '')), '');
  v_name text := nullif(btrim(coalesce(p_adviser_name, '')), '');
  v_phone text := nullif(btrim(coalesce(p_adviser_phone, '')), '');
  v_email text := lower(nullif(btrim(coalesce(p_adviser_email, '')), ''));
  v_contact boolean;
  v_today date;
  v_ends_at timestamptz;
  v_pause_id uuid;
  v_consent_id uuid;
begin
  select a.* into v_account from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id for update;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  if v_account.status <> 'open' then
    raise exception 'the account is not open'
      using errcode = 'PT409', hint = 'account_not_open';
  end if;
  select c.* into strict v_creditor from app.creditors as c where c.id = v_account.creditor_id;

  if p_kind is null or p_kind not in ('debt_advice', 'breathing_space')
     or v_organisation is null or length(v_organisation) > 200 or v_organisation ~ '[[:cntrl:]]'
     or (v_reference is not null and (p_kind <> 'breathing_space' or v_reference !~ '^[A-Za-z0-9][A-Za-z0-9 /-]{0,39}$'))
     or (v_name is not null and (length(v_name) > 200 or v_name ~ '[[:cntrl:]]'))
     or (v_phone is not null and v_phone !~ '^\+[1-9][0-9]{6,14}$')
     or (v_email is not null and (length(v_email) > 254 or v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$')) then
    raise exception 'malformed declaration'
      using errcode = 'PT422', hint = 'invalid_declaration';
  end if;
  if p_kind = 'breathing_space' and not app.breathing_space_applies(v_creditor.jurisdiction) then
    raise exception 'no statutory breathing space in this creditor''s jurisdiction'
      using errcode = 'PT422', hint = 'breathing_space_not_available';
  end if;
  v_contact := v_name is not null or v_phone is not null or v_email is not null;
  if v_contact and (p_consent is null or jsonb_typeof(p_consent) <> 'object') then
    raise exception 'the adviser''s contact needs the borrower''s consent'
      using errcode = 'PT422', hint = 'invalid_consent';
  end if;
  if v_contact and v_phone is null and v_email is null then
    raise exception 'an adviser''s contact needs a phone or an email'
      using errcode = 'PT422', hint = 'invalid_declaration';
  end if;

  -- The pause first, then the declaration: the order npm run jobs locks them in.
  select p.* into v_open_pause
    from app.collection_pauses as p
   where p.id = (select d.pause_id from app.debt_advice_declarations as d where d.account_id = v_account.id and d.status = 'active')
     for update;
  select d.* into v_open from app.debt_advice_declarations as d
   where d.account_id = v_account.id and d.status = 'active'
     for update;
  if found then
    if v_open_pause.lifted_at is null and v_open_pause.ends_at > now() then
      if v_open.kind = p_kind
         and v_open.organisation = v_organisation
         and v_open.breathing_space_reference is not distinct from v_reference
         and v_open.adviser_name is not distinct from v_name
         and v_open.adviser_phone is not distinct from v_phone
         and v_open.adviser_email is not distinct from v_email then
        return jsonb_build_object('outcome', 'duplicate', 'declaration', app.debt_advice_json(v_open));
      end if;
      raise exception 'a declaration on this account is active'
        using errcode = 'PT409', hint = 'declaration_open';
    end if;
    -- Its time is up: end it as npm run jobs would (the trigger ends the declaration).
    perform app.lift_collection_pause(v_open.pause_id, 'pause_ended');
  end if;

  v_today := (now() at time zone v_creditor.time_zone)::date;
  -- Day 1 is today; the pause holds until the end of day 60.
  v_ends_at := (v_today + 60)::timestamp at time zone v_creditor.time_zone;
  v_pause_id := app.start_collection_pause(v_account.id, p_kind, v_ends_at);
  if v_contact then
    v_consent_id := app.record_consent(p_borrower_id, v_account.id, 'debt_adviser_contact', p_consent);
  end if;

  insert into app.debt_advice_declarations
    (account_id, borrower_id, kind, organisation, breathing_space_reference, adviser_name, adviser_phone, adviser_email,
     contact_consent_id, pause_id)
  values
    (v_account.id, p_borrower_id, p_kind, v_organisation, v_reference, v_name, v_phone, v_email, v_consent_id, v_pause_id)
  returning * into v_declaration;

  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('borrower', p_borrower_id, 'debt_advice.declared', 'debt_advice_declaration', v_declaration.id, v_account.id, p_kind,
          jsonb_build_object('pause_id', v_pause_id, 'paused_until', v_today + 59, 'contact_shared', v_contact,
                             'has_reference', v_reference is not null));
  if v_contact then
    insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, metadata)
    values ('borrower', p_borrower_id, 'consent.granted', 'debt_advice_declaration', v_declaration.id, v_account.id,
            jsonb_build_object('consent_id', v_consent_id, 'kind', 'debt_adviser_contact'));
  end if;

  return jsonb_build_object('outcome', 'declared', 'declaration', app.debt_advice_json(v_declaration));
end;
$$;

comment on function api.declare_debt_advice(uuid, uuid, text, text, text, text, text, text, jsonb) is
  'Declares debt advice (or, in England and Wales, a breathing space) on one of the borrower''s accounts: the declaration, the adviser''s contact only with a debt_adviser_contact consent (its exact words), collection paused until the end of day 60 in the creditor''s zone, audit events; a replay answers {outcome: duplicate}. {outcome: declared | duplicate, declaration}. PT404 account_not_found; PT409 account_not_open, declaration_open; PT422 invalid_declaration, breathing_space_not_available, invalid_consent, consent_hash_mismatch.';

-- "I'm no longer working with an adviser": the declaration ends, the consent to contact the
-- adviser is withdrawn (their details erased), and the pause is lifted (the plan's payments
-- due during it move after it). Ending one that has ended answers {outcome: already_ended}.
create function api.end_debt_advice(p_borrower_id uuid, p_declaration_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_declaration app.debt_advice_declarations%rowtype;
  v_pause app.collection_pauses%rowtype;
  v_moved integer;
begin
  perform 1 from app.accounts as a join app.debt_advice_declarations as d on d.account_id = a.id
   where d.id = p_declaration_id and d.borrower_id = p_borrower_id for update of a;
  select p.* into v_pause from app.collection_pauses as p
   where p.id = (select d.pause_id from app.debt_advice_declarations as d where d.id = p_declaration_id and d.borrower_id = p_borrower_id)
     for update;
  select d.* into v_declaration from app.debt_advice_declarations as d
   where d.id = p_declaration_id and d.borrower_id = p_borrower_id for update;
  if not found then
    raise exception 'declaration not found'
      using errcode = 'PT404', hint = 'declaration_not_found';
  end if;
  if v_declaration.status = 'active' and v_pause.lifted_at is null and v_pause.ends_at <= now() then
    -- Its time was up already: it ended with its pause.
    perform app.lift_collection_pause(v_pause.id, 'pause_ended');
    select d.* into strict v_declaration from app.debt_advice_declarations as d where d.id = p_declaration_id;
  end if;
  if v_declaration.status = 'ended' then
    return jsonb_build_object('outcome', 'already_ended', 'declaration', app.debt_advice_json(v_declaration));
  end if;

  update app.debt_advice_declarations as d
     set status = 'ended', end_reason = 'borrower_ended', ended_at = now(), updated_at = now()
   where d.id = v_declaration.id;
  v_declaration := app.withdraw_adviser_contact(v_declaration.id, 'borrower', p_borrower_id);
  v_moved := app.lift_collection_pause(v_declaration.pause_id, 'debt_advice_ended');
  insert into app.audit_events (actor_kind, actor_id, action, subject_kind, subject_id, account_id, reason_code, metadata)
  values ('borrower', p_borrower_id, 'debt_advice.ended', 'debt_advice_declaration', v_declaration.id, v_declaration.account_id,
          'borrower_ended', jsonb_build_object('pause_id', v_declaration.pause_id, 'installments_moved', v_moved));
  return jsonb_build_object('outcome', 'ended', 'declaration', app.debt_advice_json(v_declaration));
end;
$$;

comment on function api.end_debt_advice(uuid, uuid) is
  'The borrower ends their debt advice declaration early: ended, the consent to contact the adviser withdrawn (details erased), the collection pause lifted (payments due during it move after it), audited. {outcome: ended | already_ended, declaration}. PT404 declaration_not_found.';

-- The borrower stops us contacting their adviser: the consent is withdrawn and the
-- adviser's details erased; the declaration and its pause stay.
create function api.withdraw_adviser_contact(p_borrower_id uuid, p_declaration_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_declaration app.debt_advice_declarations%rowtype;
begin
  select d.* into v_declaration from app.debt_advice_declarations as d
   where d.id = p_declaration_id and d.borrower_id = p_borrower_id for update;
  if not found then
    raise exception 'declaration not found'
      using errcode = 'PT404', hint = 'declaration_not_found';
  end if;
  v_declaration := app.withdraw_adviser_contact(v_declaration.id, 'borrower', p_borrower_id);
  return app.debt_advice_json(v_declaration);
end;
$$;

comment on function api.withdraw_adviser_contact(uuid, uuid) is
  'Withdraws the consent to contact the adviser of one of the borrower''s declarations: a withdrawn consent recorded, the adviser''s details erased, audited; returns the declaration (unchanged when there was none). PT404 declaration_not_found.';

-- What the confirmation email needs: null unless the declaration is active.
create function api.debt_advice_notice(p_declaration_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select app.account_notice_json(d.account_id) || jsonb_build_object(
           'declaration_id', d.id,
           'kind', d.kind,
           'ends_at', p.ends_at,
           'contact_shared', d.contact_consent_id is not null
         )
    from app.debt_advice_declarations as d
    join app.collection_pauses as p on p.id = d.pause_id
   where d.id = p_declaration_id and d.status = 'active' and p.lifted_at is null;
$$;

comment on function api.debt_advice_notice(uuid) is
  'The facts of an active debt advice declaration for its confirmation email (kind, pause end, whether the adviser may be contacted, account, creditor contact, borrower email and language), or null.';

-- ---------------------------------------------------------------------------------------
-- Staff.
-- ---------------------------------------------------------------------------------------

-- For the console: the account's active declaration, else its latest, else null. The
-- adviser's contact only while the borrower's consent to contact them stands.
create function api.account_debt_advice(p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_declaration app.debt_advice_declarations%rowtype;
  v_consent app.consents%rowtype;
  v_stands boolean := false;
begin
  if not exists (select 1 from app.accounts as a where a.id = p_account_id) then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  select d.* into v_declaration
    from app.debt_advice_declarations as d
   where d.account_id = p_account_id
   order by (d.status = 'active') desc, d.declared_at desc, d.id
   limit 1;
  if not found then
    return null;
  end if;
  if v_declaration.contact_consent_id is not null then
    select k.* into v_consent from app.consents as k
     where k.id = v_declaration.contact_consent_id and k.action = 'granted' and k.kind = 'debt_adviser_contact';
    v_stands := found and not exists (
      select 1 from app.consents as w
       where w.borrower_id = v_consent.borrower_id and w.account_id is not distinct from v_consent.account_id
         and w.kind = 'debt_adviser_contact' and w.action = 'withdrawn'
         and w.text_id = v_consent.text_id and w.created_at >= v_consent.created_at
    );
  end if;
  return (app.debt_advice_json(v_declaration) - 'adviser') || jsonb_build_object(
    'borrower_id', v_declaration.borrower_id,
    'pause_id', v_declaration.pause_id,
    'adviser', case when v_stands then jsonb_build_object('name', v_declaration.adviser_name, 'phone', v_declaration.adviser_phone,
                                                          'email', v_declaration.adviser_email) end,
    'contact_consent', case when v_stands then jsonb_build_object('id', v_consent.id, 'granted_at', v_consent.created_at,
                                                                  'text_version', v_consent.text_version,
                                                                  'language', v_consent.language) end
  );
end;
$$;

comment on function api.account_debt_advice(uuid) is
  'For staff: the account''s active debt advice declaration, else its latest, else null: {id, account_id, borrower_id, kind, organisation, breathing_space_reference, status, active, end_reason, declared_at, ends_at, ended_at, pause_id, adviser: {name, phone, email} | null, contact_consent: {id, granted_at, text_version, language} | null}; the adviser only while the consent to contact them stands. PT404 account_not_found.';

-- ---------------------------------------------------------------------------------------
-- Grants: service_role alone.
-- ---------------------------------------------------------------------------------------

revoke execute on function api.borrower_debt_advice(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.declare_debt_advice(uuid, uuid, text, text, text, text, text, text, jsonb) from public, anon, authenticated;
revoke execute on function api.end_debt_advice(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.withdraw_adviser_contact(uuid, uuid) from public, anon, authenticated;
revoke execute on function api.debt_advice_notice(uuid) from public, anon, authenticated;
revoke execute on function api.account_debt_advice(uuid) from public, anon, authenticated;

grant execute on function api.borrower_debt_advice(uuid, uuid) to service_role;
grant execute on function api.declare_debt_advice(uuid, uuid, text, text, text, text, text, text, jsonb) to service_role;
grant execute on function api.end_debt_advice(uuid, uuid) to service_role;
grant execute on function api.withdraw_adviser_contact(uuid, uuid) to service_role;
grant execute on function api.debt_advice_notice(uuid) to service_role;
grant execute on function api.account_debt_advice(uuid) to service_role;
