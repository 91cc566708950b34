-- The console's contact history asks for what it shows: the account page up to 200 messages,
-- a review page's "earlier contacts" its latest 10. api.account_messages takes the number
-- (1 to 200, default 200) instead of always reading 200 rows for a list of 10.

drop function api.account_messages(uuid, uuid);

create function api.account_messages(p_staff_id uuid, p_account_id uuid, p_limit integer default 200)
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
  if p_limit is null or p_limit not between 1 and 200 then
    raise exception 'the limit must be 1 to 200' using errcode = 'PT422', hint = 'invalid_limit';
  end if;
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
         limit p_limit
      ) as h
  ), '[]'::jsonb);
end;
$$;

comment on function api.account_messages(uuid, uuid, integer) is
  'The console''s contact history of an account, newest first, at most p_limit (1 to 200, default 200): {id, template, category, channel, state, created_at, not_before, sent_at, attempts, language, last_error_code, cancel_reason}; no bodies or addresses. PT403 staff_forbidden; PT404 account_not_found; PT422 invalid_limit.';

revoke execute on function api.account_messages(uuid, uuid, integer) from public, anon, authenticated;
grant execute on function api.account_messages(uuid, uuid, integer) to service_role;
