-- Local email outbox: where the in-process Resend stand-in keeps the messages it "sends".
--
-- Only local mode writes here (DESIGN §4): with RESEND_API_KEY set, email goes to Resend and
-- this table stays empty. The stand-in answers the resend SDK from these rows, and
-- /dev/outbox (local mode, loopback clients only) reads them so a person or an end-to-end
-- test can open a borrower's link from an email.
--
-- Idempotency follows Resend's documented rules for POST /emails
-- (resend.com/docs/dashboard/emails/idempotency-keys): the same key with the same payload
-- returns the first email's id and stores nothing new; the same key with a different payload
-- is refused (Resend: 409 invalid_idempotent_request). Resend forgets keys after 24 hours;
-- the stand-in never forgets them, which is stricter, never looser.
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): the table in `app` with RLS
-- on and no grants; the functions in `api`, security definer, empty search_path, executable
-- by service_role alone.

-- ---------------------------------------------------------------------------------------
-- app.local_sent_emails
-- ---------------------------------------------------------------------------------------

create table app.local_sent_emails (
  id uuid primary key default gen_random_uuid(),
  -- The id the stand-in reports to the SDK, in the form Resend uses (a UUID). The app logs
  -- and stores this id; /dev/outbox/<provider_id> shows the message.
  provider_id uuid not null unique default gen_random_uuid(),
  from_address text not null check (length(from_address) between 3 and 320),
  to_addresses text[] not null check (cardinality(to_addresses) between 1 and 50),
  subject text not null check (length(subject) between 1 and 998),
  html text,
  text text,
  reply_to text[],
  tags jsonb not null default '[]'::jsonb check (jsonb_typeof(tags) = 'array'),
  idempotency_key text check (length(idempotency_key) between 1 and 256),
  -- sha256 of the normalized payload, so a replay with the same key can be told apart from
  -- a different message that reuses the key.
  payload_sha256 text not null,
  created_at timestamptz not null default now(),
  check (html is not null or text is not null)
);

comment on table app.local_sent_emails is
  'Messages the local Resend stand-in accepted (local mode only). Production never writes this table: with RESEND_API_KEY set, email goes to Resend. Read at /dev/outbox.';

create unique index local_sent_emails_idempotency_key_key
  on app.local_sent_emails (idempotency_key)
  where idempotency_key is not null;

create index local_sent_emails_created_at_idx on app.local_sent_emails (created_at desc, id desc);

alter table app.local_sent_emails enable row level security;
-- Some platforms add default grants for API roles; take back whatever arrived.
revoke all on table app.local_sent_emails from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- api.local_email_store(): accept one message.
-- ---------------------------------------------------------------------------------------

-- Stores one message, honouring Resend's idempotency semantics. Returns
-- {"id": <provider id>, "created": true|false}; created is false when the key was seen
-- before with the same payload. A reused key with a different payload raises PT409, which
-- PostgREST answers with HTTP 409 (hint: invalid_idempotent_request).
create function api.local_email_store(
  p_from text,
  p_to text[],
  p_subject text,
  p_html text default null,
  p_text text default null,
  p_reply_to text[] default null,
  p_tags jsonb default '[]'::jsonb,
  p_idempotency_key text default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tags jsonb := coalesce(p_tags, '[]'::jsonb);
  v_hash text;
  v_existing record;
  v_inserted record;
begin
  -- jsonb's text form is canonical (keys in a fixed order), so equal payloads hash alike.
  v_hash := encode(
    sha256(convert_to(jsonb_build_object(
      'from', p_from,
      'to', to_jsonb(p_to),
      'subject', p_subject,
      'html', p_html,
      'text', p_text,
      'reply_to', to_jsonb(p_reply_to),
      'tags', v_tags
    )::text, 'UTF8')),
    'hex'
  );

  insert into app.local_sent_emails
    (from_address, to_addresses, subject, html, text, reply_to, tags, idempotency_key, payload_sha256)
  values
    (p_from, p_to, p_subject, p_html, p_text, p_reply_to, v_tags, p_idempotency_key, v_hash)
  on conflict (idempotency_key) where idempotency_key is not null do nothing
  returning provider_id into v_inserted;

  if v_inserted.provider_id is not null then
    return jsonb_build_object('id', v_inserted.provider_id, 'created', true);
  end if;

  -- The key was used before (possibly by a concurrent call that has just committed).
  select e.provider_id, e.payload_sha256
    into v_existing
    from app.local_sent_emails as e
   where e.idempotency_key = p_idempotency_key;

  if not found then
    -- Only possible if the first message was removed between the two statements.
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

comment on function api.local_email_store(text, text[], text, text, text, text[], jsonb, text) is
  'Local Resend stand-in: store one sent message with Resend''s idempotency rules: {id, created}. PT409 (hint invalid_idempotent_request) when a key is reused with another payload. Local mode only.';

revoke execute on function api.local_email_store(text, text[], text, text, text, text[], jsonb, text) from public, anon, authenticated;
grant execute on function api.local_email_store(text, text[], text, text, text, text[], jsonb, text) to service_role;

-- ---------------------------------------------------------------------------------------
-- api.local_email_list() and api.local_email_get(): read them back (/dev/outbox, GET /emails/:id).
-- ---------------------------------------------------------------------------------------

-- The newest messages first, without their bodies (the /dev/outbox list).
create function api.local_email_list(p_limit int default 50)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(row_to_json(m)::jsonb order by m.created_at desc, m.id desc), '[]'::jsonb)
    from (
      select e.provider_id as id, e.to_addresses as "to", e.subject, e.created_at
        from app.local_sent_emails as e
       order by e.created_at desc, e.id desc
       limit greatest(1, least(coalesce(p_limit, 50), 500))
    ) as m;
$$;

comment on function api.local_email_list(int) is
  'Local Resend stand-in: the newest stored messages (id, to, subject, created_at), at most 500. Local mode only.';

revoke execute on function api.local_email_list(int) from public, anon, authenticated;
grant execute on function api.local_email_list(int) to service_role;

-- One message in full by the id the stand-in reported (its provider id), or null.
create function api.local_email_get(p_id uuid)
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
           'idempotency_key', e.idempotency_key,
           'created_at', e.created_at
         )
    from app.local_sent_emails as e
   where e.provider_id = p_id;
$$;

comment on function api.local_email_get(uuid) is
  'Local Resend stand-in: one stored message in full, or null. Local mode only.';

revoke execute on function api.local_email_get(uuid) from public, anon, authenticated;
grant execute on function api.local_email_get(uuid) to service_role;
