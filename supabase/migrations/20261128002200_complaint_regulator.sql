-- The answer to a complaint names the regulator the borrower can turn to only where that
-- regulator is theirs: the Consumer Financial Protection Bureau for a creditor in the US,
-- nothing for a lender elsewhere (until its own regulator's words are written). The
-- complaint emails learn the creditor's region from the same creditor object they already
-- get (app.complaint_creditor), now with `region` (ISO 3166-1 alpha-2).

create or replace function app.complaint_creditor(p_creditor_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object('name', c.name, 'region', c.region, 'time_zone', c.time_zone,
                            'support_phone', c.support_phone, 'support_email', c.support_email)
    from app.creditors as c
   where c.id = p_creditor_id;
$$;

comment on function app.complaint_creditor(uuid) is
  'The creditor as the complaint functions and emails show it: {name, region, time_zone, support_phone, support_email}; null for an unknown id.';

revoke all on function app.complaint_creditor(uuid) from public, anon, authenticated, service_role;
