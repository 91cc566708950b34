-- One Checkout open per account (issue 6 follow-up; 20261128001800_payable_amount.sql left it
-- open): a borrower who starts a payment in a second tab, or comes back and starts again,
-- could pay both Checkout Sessions, and the second payment's money went to suspense for staff
-- to refund. Now, once the new session exists, the app asks Stripe to expire the account's
-- other sessions still open (checkout.sessions.expire); Stripe's checkout.session.expired
-- event then cancels their payments as before. A session paid in the meantime cannot be
-- expired (Stripe refuses), and is posted as usual.
--
-- api.open_checkout_sessions(borrower, account, except payment): the Stripe Checkout Session
-- ids of the account's payments still in status 'created' with a session, started before the
-- one just started (by created_at, then id), oldest first: of two started at once, only the
-- older is expired, never both. Only the borrower's own account: another borrower's is PT404.
--
-- Errors (the hint is the machine reason the app maps): PT404 account_not_found.

create function api.open_checkout_sessions(p_borrower_id uuid, p_account_id uuid, p_except_payment_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from app.accounts as a where a.id = p_account_id and a.borrower_id = p_borrower_id) then
    raise exception 'account not found' using errcode = 'PT404', hint = 'account_not_found';
  end if;
  return coalesce((
    select jsonb_agg(jsonb_build_object('payment_id', p.id, 'session_id', p.stripe_checkout_session_id) order by p.created_at, p.id)
      from app.payments as p
     where p.account_id = p_account_id
       and p.borrower_id = p_borrower_id
       and p.status = 'created'
       and p.stripe_checkout_session_id is not null
       and p.id is distinct from p_except_payment_id
       -- Only older ones: two payments started at the same moment (a double tap without
       -- JavaScript, two tabs at once) must not expire each other; the newest always stands.
       and (p_except_payment_id is null
            or (p.created_at, p.id) < (select x.created_at, x.id from app.payments as x where x.id = p_except_payment_id))
  ), '[]'::jsonb);
end;
$$;

comment on function api.open_checkout_sessions(uuid, uuid, uuid) is
  'The borrower''s payments on this account started before p_except_payment_id and still waiting in an open Checkout Session: [{payment_id, session_id}], oldest first. PT404 account_not_found (not the borrower''s).';

revoke execute on function api.open_checkout_sessions(uuid, uuid, uuid) from public, anon, authenticated;
grant execute on function api.open_checkout_sessions(uuid, uuid, uuid) to service_role;
