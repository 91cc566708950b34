-- Contact rules and borrowers' contact preferences (issue 9 items 4-6; ADR 014).
--
-- What the message sender (20261128001600_message_outbox.sql) and the preference centre
-- (20261128001700_preference_centre.sql) share:
--
-- - each creditor's contact rules: how many outreach attempts per account in how many days,
--   the hours of the day outreach may arrive (in the borrower's time zone), and how many days
--   before an installment its reminder goes;
-- - each borrower's preferences: channels (email now; SMS and post stored for the lender's
--   other systems) and preferred hours; language and time zone stay on app.borrowers;
-- - three questions the sender asks: may we send this borrower outreach by email, and if
--   not why (no address, no consent to electronic communications, opted out), and when is
--   the next moment inside their contact hours.
--
-- A borrower without a row in app.contact_preferences has the defaults: every channel
-- allowed, no preferred hours (the creditor's window applies). Consent to electronic
-- communications is the latest app.consents row of kind 'e_communications'.

-- ---------------------------------------------------------------------------------------
-- Per-creditor contact rules.
-- ---------------------------------------------------------------------------------------

alter table app.creditors
  add column contact_max_attempts integer not null default 7 check (contact_max_attempts between 1 and 50),
  add column contact_window_days integer not null default 7 check (contact_window_days between 1 and 31),
  add column contact_earliest time not null default '08:00',
  add column contact_latest time not null default '21:00',
  add column reminder_days_before integer not null default 3 check (reminder_days_before between 1 and 14),
  add constraint creditors_contact_hours_check check (contact_earliest < contact_latest);

comment on column app.creditors.contact_max_attempts is
  'At most this many outreach messages (reminders and other contact the borrower did not ask for) per account in contact_window_days days.';
comment on column app.creditors.contact_earliest is
  'Outreach arrives no earlier than this, in the borrower''s time zone (a message due at night waits for the morning).';
comment on column app.creditors.contact_latest is
  'Outreach arrives before this, in the borrower''s time zone.';
comment on column app.creditors.reminder_days_before is
  'How many days before an installment is due its reminder is sent.';

-- ---------------------------------------------------------------------------------------
-- Borrowers' contact preferences.
-- ---------------------------------------------------------------------------------------

create table app.contact_preferences (
  borrower_id uuid primary key references app.borrowers (id),
  -- Outreach by email. False = opted out (from the preference centre or an email's link);
  -- what the borrower asks for (links, receipts, confirmations) is still emailed.
  email_allowed boolean not null default true,
  -- Stored for the lender's other systems; Repay sends neither.
  sms_allowed boolean not null default false,
  post_allowed boolean not null default true,
  -- Preferred hours in the borrower's time zone, inside the creditor's window; both or neither.
  preferred_start time,
  preferred_end time,
  updated_at timestamptz not null default now(),
  check ((preferred_start is null) = (preferred_end is null)),
  check (preferred_start < preferred_end)
);

comment on table app.contact_preferences is
  'A borrower''s channels and preferred hours (issue 9 item 6). No row = defaults (email and post allowed, SMS not, the creditor''s hours). Every change is also a consent record of kind contact_preferences.';

alter table app.contact_preferences enable row level security;
revoke all on table app.contact_preferences from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- app.email_consent_granted(): has the borrower agreed to notices by email?
-- ---------------------------------------------------------------------------------------

create function app.email_consent_granted(p_borrower_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((
    select c.action = 'granted'
      from app.consents as c
     where c.borrower_id = p_borrower_id
       and c.kind = 'e_communications'
     order by c.created_at desc, c.id desc
     limit 1
  ), false);
$$;

comment on function app.email_consent_granted(uuid) is
  'True when the borrower''s latest e_communications consent is granted. Without it only what the borrower asks for is emailed.';

-- ---------------------------------------------------------------------------------------
-- app.outreach_block_reason(): why outreach on a channel may not go, or null.
-- ---------------------------------------------------------------------------------------

create function app.outreach_block_reason(p_borrower_id uuid, p_channel text default 'email')
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_email text;
  v_allowed boolean;
begin
  if p_channel <> 'email' then
    raise exception 'unknown channel' using errcode = '22023';
  end if;
  select b.email into v_email from app.borrowers as b where b.id = p_borrower_id;
  if v_email is null then
    return 'no_address';
  end if;
  if not app.email_consent_granted(p_borrower_id) then
    return 'no_consent';
  end if;
  select p.email_allowed into v_allowed from app.contact_preferences as p where p.borrower_id = p_borrower_id;
  if v_allowed is false then
    return 'opted_out';
  end if;
  return null;
end;
$$;

comment on function app.outreach_block_reason(uuid, text) is
  'Null when outreach (reminders and other contact the borrower did not ask for) may go to the borrower on the channel; else no_address, no_consent or opted_out.';

-- ---------------------------------------------------------------------------------------
-- app.next_contact_time(): the first moment at or after p_at inside the borrower's hours.
-- ---------------------------------------------------------------------------------------

-- The hours are the creditor's window narrowed to the borrower's preferred hours; when the
-- two do not overlap, the creditor's window. Both read in the borrower's time zone.
create function app.next_contact_time(p_borrower_id uuid, p_at timestamptz)
returns timestamptz
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_zone text;
  v_start time;
  v_end time;
  v_pref_start time;
  v_pref_end time;
  v_local timestamp;
begin
  select b.time_zone, c.contact_earliest, c.contact_latest, p.preferred_start, p.preferred_end
    into v_zone, v_start, v_end, v_pref_start, v_pref_end
    from app.borrowers as b
    join app.creditors as c on c.id = b.creditor_id
    left join app.contact_preferences as p on p.borrower_id = b.id
   where b.id = p_borrower_id;
  if not found then
    raise exception 'unknown borrower' using errcode = 'P0002';
  end if;

  if v_pref_start is not null and greatest(v_start, v_pref_start) < least(v_end, v_pref_end) then
    v_start := greatest(v_start, v_pref_start);
    v_end := least(v_end, v_pref_end);
  end if;

  v_local := p_at at time zone v_zone;
  if v_local::time >= v_start and v_local::time < v_end then
    return p_at;
  elsif v_local::time < v_start then
    return (v_local::date + v_start) at time zone v_zone;
  else
    return ((v_local::date + 1) + v_start) at time zone v_zone;
  end if;
end;
$$;

comment on function app.next_contact_time(uuid, timestamptz) is
  'The first moment at or after p_at inside the borrower''s contact hours (the creditor''s window narrowed to the borrower''s preferred hours), in the borrower''s time zone. A reminder due at 23:00 goes at 08:00.';

revoke all on function app.email_consent_granted(uuid) from public, anon, authenticated, service_role;
revoke all on function app.outreach_block_reason(uuid, text) from public, anon, authenticated, service_role;
revoke all on function app.next_contact_time(uuid, timestamptz) from public, anon, authenticated, service_role;
