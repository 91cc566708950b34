-- What the borrower is told after money moves goes through the outbox (issue 9 item 2;
-- ADR 014): the receipt of a payment, the plan paid off, an automatic payment that did not
-- go through (we try again on …, please pay it yourself, or your bank asks you to confirm),
-- and the copy of the automatic payment authorization. Until now the webhook route and the
-- sweep sent these from the process after the database call had committed
-- (queuePaymentEmails): a crash between the two lost the email.
--
-- How: an AFTER INSERT trigger on app.audit_events of its own, beside the request notices'
-- (20261128001900_outbox_notices.sql, left as it is), on the events that already mark these
-- facts, each written once per fact in the transaction that records it:
--
--   payment.succeeded                 app.post_payment (the webhook's api.record_stripe_event and the
--                                     sweep's api.record_automatic_charge both post through it, once:
--                                     a payment already succeeded is not posted again)
--                                     → payment.receipt, key payment.receipt/<payment id>.
--                                     Money for an account that is no longer open is held in suspense
--                                     for staff (metadata ledger_entry_id null): no receipt, as before.
--   arrangement.completed             app.post_payment, when that payment completed the plan (the
--                                     update from 'active' happens once)
--                                     → plan.paid_off, key plan.paid_off/<arrangement id>.
--   payment.failed                    automatic payments only (an app.automatic_charges row): the
--                                     sweep's api.record_automatic_charge or the webhook (a bank debit
--                                     returned), once per payment (20261128001850_stripe_failures.sql
--                                     does not audit an automatic payment that failed already)
--                                     → payment.automatic_failed, key
--                                     payment.automatic_failed/<payment id>/<attempt>. Each attempt
--                                     is a payment of its own (charge/<installment>/<attempt>), so
--                                     each failed attempt is told once, as the direct send's keys
--                                     (automatic-payment-failed/<payment id>,
--                                     confirm-automatic-payment/<payment id>) did. Which email (we
--                                     try again, no more tries, or confirm with your bank) the
--                                     template decides from api.automatic_payment_notice when it
--                                     goes. A Checkout payment's failure gets nothing: the borrower
--                                     is on the page and sees it, as before.
--   payment_authorization.activated   api.record_setup_completed (a replayed event is a duplicate
--                                     before anything is written)
--                                     → autopay.authorization, key autopay.authorization/<authorization id>.
--
-- Categories. All four are 'requested': they go at once, need no consent to notices by
-- email and do not count as contact attempts. The receipt, the paid-off confirmation and the
-- authorization copy confirm what the borrower just did. The automatic payment that did not go
-- through is the "reminder on the day a payment failed" of issue 9 item 3, but the borrower
-- asked for it when they agreed to pay automatically: the authorization they agreed to says
-- "If a payment does not go through … I get an email each time" (pay.json), and the notices
-- question promises that what they ask for is emailed either way. "Your bank asks you to
-- confirm" cannot wait for consent or the morning either: without it the payment never goes
-- through. 20261128001650_reminders.sql queues no reminder of its own for a failed automatic
-- payment, because this email is that reminder. A paused account has no automatic charges,
-- so none fails while collection is paused.

-- Params are the subject's id (and the attempt); each template reads the facts when it
-- renders (app/utils/outbox-templates/payment-notices.server.ts and payment-receipt.server.ts)
-- and returns null, which cancels the message, when it no longer applies. For that the
-- automatic payment's notice now also says whether its installment was paid since, whether
-- its plan is still active, and the installment's latest attempt.

-- ---------------------------------------------------------------------------------------
-- The trigger
-- ---------------------------------------------------------------------------------------

create function app.enqueue_payment_notice_for_audit_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_template text;
  v_params jsonb;
  v_key text;
  v_attempt integer;
  v_borrower_id uuid;
begin
  if new.subject_id is null or new.account_id is null then
    return null;
  end if;

  case new.action
    when 'payment.succeeded' then
      -- Posted to the ledger only: money held in suspense gets no receipt.
      if new.subject_kind <> 'payment' or (new.metadata ->> 'ledger_entry_id') is null then
        return null;
      end if;
      v_template := 'payment.receipt';
      v_params := jsonb_build_object('payment_id', new.subject_id);
    when 'arrangement.completed' then
      if new.subject_kind <> 'arrangement' then
        return null;
      end if;
      v_template := 'plan.paid_off';
      v_params := jsonb_build_object('arrangement_id', new.subject_id);
    when 'payment.failed' then
      if new.subject_kind <> 'payment' then
        return null;
      end if;
      select ch.attempt into v_attempt from app.automatic_charges as ch where ch.payment_id = new.subject_id;
      if v_attempt is null then
        -- A Checkout payment: the borrower sees the failure on the page.
        return null;
      end if;
      v_template := 'payment.automatic_failed';
      v_params := jsonb_build_object('payment_id', new.subject_id, 'attempt', v_attempt);
      v_key := v_template || '/' || new.subject_id::text || '/' || v_attempt::text;
    when 'payment_authorization.activated' then
      if new.subject_kind <> 'payment_authorization' then
        return null;
      end if;
      v_template := 'autopay.authorization';
      v_params := jsonb_build_object('authorization_id', new.subject_id);
    else
      return null;
  end case;

  select a.borrower_id into v_borrower_id from app.accounts as a where a.id = new.account_id;
  if v_borrower_id is null then
    return null;
  end if;

  perform app.enqueue_message(
    v_template,
    'requested',
    v_borrower_id,
    new.account_id,
    v_params,
    coalesce(v_key, v_template || '/' || new.subject_id::text),
    now()
  );
  return null;
end;
$$;

comment on function app.enqueue_payment_notice_for_audit_event() is
  'After insert on app.audit_events: queues the borrower''s email after money moves. payment.succeeded posted to the ledger → payment.receipt (requested); arrangement.completed → plan.paid_off (requested); payment.failed of an automatic payment → payment.automatic_failed (outreach, key per payment and attempt); payment_authorization.activated → autopay.authorization (requested). Dedupe key <template>/<subject id>[/<attempt>].';

revoke all on function app.enqueue_payment_notice_for_audit_event() from public, anon, authenticated, service_role;

create trigger audit_events_enqueue_payment_notice
  after insert on app.audit_events
  for each row
  when (new.action in ('payment.succeeded', 'arrangement.completed', 'payment.failed', 'payment_authorization.activated'))
  execute function app.enqueue_payment_notice_for_audit_event();

-- ---------------------------------------------------------------------------------------
-- What the automatic payment's email needs to know it no longer applies.
-- ---------------------------------------------------------------------------------------

-- As in 20261128000600_automatic_payments.sql, plus installment_id, installment_status,
-- arrangement_status and latest_attempt (the installment's newest automatic attempt): an
-- email about a failed attempt that waited (the borrower's hours, the cap) is not sent once
-- the installment was paid, the plan ended or a later attempt was made.
create or replace function api.automatic_payment_notice(p_payment_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
           'payment_id', p.id,
           'account_id', a.id,
           'arrangement_id', r.id,
           'status', p.status,
           'failure_code', p.failure_code,
           'attempt', ch.attempt,
           'amount_minor', p.amount_minor,
           'currency', p.currency,
           'due_on', i.due_on,
           'next_attempt_on', case
             when p.status = 'failed' and ch.attempt < 3 and p.failure_code is distinct from 'authentication_required'
             then (select ch1.charged_on from app.automatic_charges as ch1
                    where ch1.installment_id = i.id and ch1.attempt = 1) + app.automatic_retry_days(ch.attempt + 1)
           end,
           'installment_id', i.id,
           'installment_status', i.status,
           'arrangement_status', r.status,
           'latest_attempt', (select max(ch2.attempt) from app.automatic_charges as ch2 where ch2.installment_id = i.id),
           'reference_last4', right(a.reference, 4),
           'creditor', jsonb_build_object('name', c.name, 'region', c.region, 'support_phone', c.support_phone,
                                          'support_email', c.support_email),
           'borrower', jsonb_build_object('email', b.email, 'language', b.language)
         )
    from app.payments as p
    join app.automatic_charges as ch on ch.payment_id = p.id
    join app.installments as i on i.id = ch.installment_id
    join app.arrangements as r on r.id = i.arrangement_id
    join app.accounts as a on a.id = p.account_id
    join app.creditors as c on c.id = a.creditor_id
    join app.borrowers as b on b.id = a.borrower_id
   where p.id = p_payment_id;
$$;

comment on function api.automatic_payment_notice(uuid) is
  'The facts of one automatic payment the borrower is told about (status, failure code, attempt, amount, due date, next attempt date, installment id and status, plan status, the installment''s latest attempt, account, creditor contact, borrower email and language), or null when it is not an automatic payment.';

revoke execute on function api.automatic_payment_notice(uuid) from public, anon, authenticated;
grant execute on function api.automatic_payment_notice(uuid) to service_role;
