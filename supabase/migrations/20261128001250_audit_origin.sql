-- "From where" on every audit event (issue 8 item 8; ADR 012): the HMAC-SHA256 of the client
-- IP of the request that caused it (keyed with the app's session secret, never the address).
-- The app sends it as the `x-repay-origin` header on each API call; PostgREST (and the local
-- stand-in) expose request headers to SQL as the `request.headers` setting, and a trigger
-- copies it onto each audit event written in that call, so no function has to pass it on.
-- Events from jobs and the command line have none.

alter table app.audit_events
  add column origin_hash text check (origin_hash ~ '^[0-9a-f]{64}$');

comment on column app.audit_events.origin_hash is
  'HMAC-SHA256 (hex) of the client IP of the request that caused the event (the same network gives the same value); null for jobs and the command line.';

create function app.audit_event_origin()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_headers text := current_setting('request.headers', true);
  v_origin text;
begin
  if new.origin_hash is null and v_headers is not null and v_headers <> '' then
    begin
      v_origin := v_headers::jsonb ->> 'x-repay-origin';
    exception when others then
      v_origin := null;
    end;
    if v_origin ~ '^[0-9a-f]{64}$' then
      new.origin_hash := v_origin;
    end if;
  end if;
  return new;
end;
$$;

comment on function app.audit_event_origin() is
  'Before insert on app.audit_events: fills origin_hash from the x-repay-origin request header when it is a 64-character hex digest.';

revoke all on function app.audit_event_origin() from public, anon, authenticated, service_role;

create trigger audit_events_origin
  before insert on app.audit_events
  for each row execute function app.audit_event_origin();
