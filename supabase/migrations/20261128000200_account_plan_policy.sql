-- The plan policy a borrower's account is under (issue 5 item 3): the simulator checks every
-- choice against it in the browser and on the server, with the same domain code
-- (app/domain/plan-policy-check.ts).
--
-- Keeps the foundation's rules (20261127000100_foundation.sql): security definer, empty
-- search_path, fully qualified names, executable by service_role alone.

create function api.account_plan_policy(p_borrower_id uuid, p_account_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_policy jsonb;
begin
  select c.plan_policy
    into v_policy
    from app.accounts as a
    join app.creditors as c on c.id = a.creditor_id
   where a.id = p_account_id
     and a.borrower_id = p_borrower_id;
  if not found then
    raise exception 'account not found'
      using errcode = 'PT404', hint = 'account_not_found';
  end if;
  return v_policy;
end;
$$;

comment on function api.account_plan_policy(uuid, uuid) is
  'The plan policy (JSON, app.plan_policy_is_valid) of the creditor of one of the borrower''s accounts. PT404 when the account is not this borrower''s.';

revoke execute on function api.account_plan_policy(uuid, uuid) from public, anon, authenticated;
grant execute on function api.account_plan_policy(uuid, uuid) to service_role;
