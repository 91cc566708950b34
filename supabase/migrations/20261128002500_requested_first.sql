-- The sender takes what someone has just asked for before outreach (issue 9 item 4: "messages
-- the borrower or staff member has just asked for go at once"). api.outbox_claim took due
-- messages in the order they fell due, so the reminders held overnight, all due when the
-- borrower's hours open, came before a sign-in link asked for a moment ago: a pass of the
-- sender (up to 50 claims of 20) could make a 15-minute staff link or a 30-minute borrower
-- link arrive late. Now requested messages are claimed first, then the rest as before. The
-- same function otherwise (20261128001600_message_outbox.sql), same signature and grants.

create or replace function api.outbox_claim(
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
     -- What someone has just asked for first (a sign-in link lives 15 or 30 minutes), then the
     -- rest in the order it fell due.
     order by (m.category <> 'requested'), greatest(m.not_before, coalesce(m.next_attempt_at, m.not_before)), m.created_at, m.id
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
  'The sender''s claim: up to p_limit due messages leased to p_worker (FOR UPDATE SKIP LOCKED), requested ones before outreach, each kind in the order it fell due, after the contact rules for outreach (cancel: no_address, no_consent, opted_out, paid, closed, paused; hold: outside hours, attempts used up). JSON array of {id, template, category, channel, borrower_id, account_id, staff_id, params, dedupe_key, attempts, created_at, to_address, language, time_zone, account}. PT422 invalid_worker.';
