-- Demo data (issue 3 item 4; the README lists it). Runs once, after the migrations, on a
-- fresh database. Every person, address and number here is fictional: example.com /
-- example.net addresses and 555-01xx telephone numbers.
--
-- Dates are relative to today in the creditor's time zone, so the story stays true whenever
-- the demo runs: "45 days past due" means the oldest missed payment was 45 days ago.
-- The ids are fixed so tests and docs can name the rows:
--   creditor   c0000000-0000-4000-8000-000000000001  Northwind Lending
--   borrowers  b0000000-0000-4000-8000-00000000000{1..4}  Alex, María, Sam, Jordan
--   accounts   a0000000-0000-4000-8000-00000000{1001..1005}  DEMO-1001 .. DEMO-1005
--   staff      e0000000-0000-4000-8000-00000000000{1..3}  agent, supervisor, admin
--   ledger     1e000000-0000-4000-8000-00000{account}{nn}
--
-- Balances (principal + interest + fees = total, in cents):
--   DEMO-1001  110000 +  9650 +  4400 = 124050  ($1,240.50; 45 days past due)
--   DEMO-1002  237350 + 18988 + 10000 = 266338  ($2,663.38; 120 days past due, 2 payments)
--   DEMO-1003   68428 +     0 +     0 =  68428  ($684.28; current)
--   DEMO-1004   54344 +  3261 +  7500 =  65105  ($651.05; 70 days past due)
--   DEMO-1005       0 +     0 +     0 =      0  (paid in full on the 15th of last month)
-- Payments are split fees first, then interest, then principal (the demo policy).
--
-- The ledger and audit trail are append-only, so this file only inserts. It is one block:
-- all or nothing, and it does nothing when the demo creditor already exists.

do $$
declare
  v_today constant date := (now() at time zone 'America/New_York')::date;
  -- "Paid in full last month": the 15th of the previous calendar month (16 to 46 days ago).
  v_paid_off_on constant date := (date_trunc('month', v_today) - interval '1 month')::date + 14;
  v_creditor constant uuid := 'c0000000-0000-4000-8000-000000000001';
  v_alex constant uuid := 'b0000000-0000-4000-8000-000000000001';
  v_maria constant uuid := 'b0000000-0000-4000-8000-000000000002';
  v_sam constant uuid := 'b0000000-0000-4000-8000-000000000003';
  v_jordan constant uuid := 'b0000000-0000-4000-8000-000000000004';
  v_1001 constant uuid := 'a0000000-0000-4000-8000-000000001001';
  v_1002 constant uuid := 'a0000000-0000-4000-8000-000000001002';
  v_1003 constant uuid := 'a0000000-0000-4000-8000-000000001003';
  v_1004 constant uuid := 'a0000000-0000-4000-8000-000000001004';
  v_1005 constant uuid := 'a0000000-0000-4000-8000-000000001005';
begin
  if exists (select 1 from app.creditors where id = v_creditor) then
    raise notice 'demo data already present; seed skipped';
    return;
  end if;

  insert into app.creditors
    (id, name, legal_name, jurisdiction, time_zone, currency, region,
     support_phone, support_hours, support_email, plan_policy)
  values (
    v_creditor,
    'Northwind Lending',
    'Northwind Lending, LLC',
    'US',
    'America/New_York',
    'USD',
    'US',
    '+18005550199',
    jsonb_build_object(
      'en', 'Monday to Friday, 8 a.m. to 8 p.m. Eastern',
      'es', 'De lunes a viernes, de 8 a. m. a 8 p. m., hora del Este'
    ),
    'help@northwind.example.com',
    jsonb_build_object(
      'minimumPaymentMinor', 2500,
      'longestPlanMonths', 24,
      'autoApproveLongestPlanMonths', 18,
      'latestFirstPaymentDays', 30,
      'frequencies', jsonb_build_array('weekly', 'every_two_weeks', 'monthly'),
      'settlementMaxDiscountBps', 3000,
      'autoApproveSettlementDiscountBps', 1500,
      'freezeInterestAndFeesWhileArranged', true,
      'paymentAllocationOrder', jsonb_build_array('fees', 'interest', 'principal'),
      'movePaymentMaxDays', 14
    )
  );

  insert into app.borrowers
    (id, creditor_id, full_name, email, phone, language, time_zone,
     identity_check_kind, date_of_birth, postal_code)
  values
    (v_alex, v_creditor, 'Alex Rivera', 'alex.rivera@example.com', '+12125550101', 'en',
     'America/New_York', 'date_of_birth', date '1985-04-12', null),
    (v_maria, v_creditor, 'María López', 'maria.lopez@example.net', '+13055550102', 'es',
     'America/New_York', 'date_of_birth', date '1979-11-03', null),
    (v_sam, v_creditor, 'Sam Okafor', 'sam.okafor@example.com', '+14155550103', 'en',
     'America/Los_Angeles', 'postal_code', null, '94110'),
    (v_jordan, v_creditor, 'Jordan Lee', 'jordan.lee@example.net', '+13035550104', 'en',
     'America/Denver', 'date_of_birth', date '1990-01-30', null);

  insert into app.accounts
    (id, creditor_id, borrower_id, reference, product, original_creditor, opened_on,
     first_missed_payment_on, charged_off_on, original_amount_minor, currency,
     interest_rate_bps, itemization_date, status)
  values
    (v_1001, v_creditor, v_alex, 'DEMO-1001', 'personal_loan', null, v_today - 105,
     v_today - 45, null, 110000, 'USD', 3500, v_today - 105, 'open'),
    (v_1002, v_creditor, v_maria, 'DEMO-1002', 'personal_loan', null, v_today - 210,
     v_today - 120, null, 250000, 'USD', 2400, v_today - 210, 'open'),
    (v_1003, v_creditor, v_sam, 'DEMO-1003', 'personal_loan', null, v_today - 95,
     null, null, 80000, 'USD', 1800, v_today - 95, 'open'),
    (v_1004, v_creditor, v_sam, 'DEMO-1004', 'credit_card', 'Contoso Bank', v_today - 160,
     v_today - 70, null, 60000, 'USD', 2400, v_today - 160, 'open'),
    (v_1005, v_creditor, v_jordan, 'DEMO-1005', 'personal_loan', null, v_today - 200,
     null, null, 50000, 'USD', 1800, v_today - 200, 'paid');

  -- Signed deltas: principal, interest, fees. amount_minor is their sum.
  insert into app.ledger_entries
    (id, account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor,
     currency, effective_on, reason_code)
  select e.id::uuid, e.account_id, e.kind, e.p, e.i, e.f, e.p + e.i + e.f,
         'USD', e.effective_on, e.reason_code
    from (values
      -- DEMO-1001: $1,100.00 borrowed, first payment (due 45 days ago) and the next missed.
      ('1e000000-0000-4000-8000-000001001001', v_1001, 'principal', 110000, 0, 0, v_today - 105, 'loan_disbursed'),
      ('1e000000-0000-4000-8000-000001001002', v_1001, 'interest', 0, 3217, 0, v_today - 75, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001001003', v_1001, 'interest', 0, 3217, 0, v_today - 45, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001001004', v_1001, 'fee', 0, 0, 2200, v_today - 40, 'late_fee'),
      ('1e000000-0000-4000-8000-000001001005', v_1001, 'interest', 0, 3216, 0, v_today - 15, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001001006', v_1001, 'fee', 0, 0, 2200, v_today - 10, 'late_fee'),

      -- DEMO-1002: two $125.00 payments (the second one late, so it clears a late fee
      -- first), then nothing since the payment due 120 days ago.
      ('1e000000-0000-4000-8000-000001002001', v_1002, 'principal', 250000, 0, 0, v_today - 210, 'loan_disbursed'),
      ('1e000000-0000-4000-8000-000001002002', v_1002, 'interest', 0, 5000, 0, v_today - 180, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001002003', v_1002, 'payment', -7500, -5000, 0, v_today - 180, 'payment_received'),
      ('1e000000-0000-4000-8000-000001002004', v_1002, 'interest', 0, 4850, 0, v_today - 150, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001002005', v_1002, 'fee', 0, 0, 2500, v_today - 145, 'late_fee'),
      ('1e000000-0000-4000-8000-000001002006', v_1002, 'payment', -5150, -4850, -2500, v_today - 143, 'payment_received'),
      ('1e000000-0000-4000-8000-000001002007', v_1002, 'interest', 0, 4747, 0, v_today - 120, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001002008', v_1002, 'fee', 0, 0, 2500, v_today - 115, 'late_fee'),
      ('1e000000-0000-4000-8000-000001002009', v_1002, 'interest', 0, 4747, 0, v_today - 90, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001002010', v_1002, 'fee', 0, 0, 2500, v_today - 85, 'late_fee'),
      ('1e000000-0000-4000-8000-000001002011', v_1002, 'interest', 0, 4747, 0, v_today - 60, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001002012', v_1002, 'fee', 0, 0, 2500, v_today - 55, 'late_fee'),
      ('1e000000-0000-4000-8000-000001002013', v_1002, 'interest', 0, 4747, 0, v_today - 30, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001002014', v_1002, 'fee', 0, 0, 2500, v_today - 25, 'late_fee'),

      -- DEMO-1003: current; three $50.00 payments on time.
      ('1e000000-0000-4000-8000-000001003001', v_1003, 'principal', 80000, 0, 0, v_today - 95, 'loan_disbursed'),
      ('1e000000-0000-4000-8000-000001003002', v_1003, 'interest', 0, 1200, 0, v_today - 65, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001003003', v_1003, 'payment', -3800, -1200, 0, v_today - 65, 'payment_received'),
      ('1e000000-0000-4000-8000-000001003004', v_1003, 'interest', 0, 1143, 0, v_today - 35, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001003005', v_1003, 'payment', -3857, -1143, 0, v_today - 35, 'payment_received'),
      ('1e000000-0000-4000-8000-000001003006', v_1003, 'interest', 0, 1085, 0, v_today - 5, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001003007', v_1003, 'payment', -3915, -1085, 0, v_today - 5, 'payment_received'),

      -- DEMO-1004: two $40.00 payments, then nothing since the one due 70 days ago.
      ('1e000000-0000-4000-8000-000001004001', v_1004, 'principal', 60000, 0, 0, v_today - 160, 'card_purchases'),
      ('1e000000-0000-4000-8000-000001004002', v_1004, 'interest', 0, 1200, 0, v_today - 130, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001004003', v_1004, 'payment', -2800, -1200, 0, v_today - 130, 'payment_received'),
      ('1e000000-0000-4000-8000-000001004004', v_1004, 'interest', 0, 1144, 0, v_today - 100, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001004005', v_1004, 'payment', -2856, -1144, 0, v_today - 100, 'payment_received'),
      ('1e000000-0000-4000-8000-000001004006', v_1004, 'interest', 0, 1087, 0, v_today - 70, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001004007', v_1004, 'fee', 0, 0, 2500, v_today - 65, 'late_fee'),
      ('1e000000-0000-4000-8000-000001004008', v_1004, 'interest', 0, 1087, 0, v_today - 40, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001004009', v_1004, 'fee', 0, 0, 2500, v_today - 35, 'late_fee'),
      ('1e000000-0000-4000-8000-000001004010', v_1004, 'interest', 0, 1087, 0, v_today - 10, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001004011', v_1004, 'fee', 0, 0, 2500, v_today - 5, 'late_fee'),

      -- DEMO-1005: four $100.00 payments, then the rest paid off last month.
      ('1e000000-0000-4000-8000-000001005001', v_1005, 'principal', 50000, 0, 0, v_today - 200, 'loan_disbursed'),
      ('1e000000-0000-4000-8000-000001005002', v_1005, 'interest', 0, 750, 0, v_today - 170, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001005003', v_1005, 'payment', -9250, -750, 0, v_today - 170, 'payment_received'),
      ('1e000000-0000-4000-8000-000001005004', v_1005, 'interest', 0, 611, 0, v_today - 140, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001005005', v_1005, 'payment', -9389, -611, 0, v_today - 140, 'payment_received'),
      ('1e000000-0000-4000-8000-000001005006', v_1005, 'interest', 0, 470, 0, v_today - 110, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001005007', v_1005, 'payment', -9530, -470, 0, v_today - 110, 'payment_received'),
      ('1e000000-0000-4000-8000-000001005008', v_1005, 'interest', 0, 327, 0, v_today - 80, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001005009', v_1005, 'payment', -9673, -327, 0, v_today - 80, 'payment_received'),
      ('1e000000-0000-4000-8000-000001005010', v_1005, 'interest', 0, 182, 0, v_paid_off_on, 'interest_accrued'),
      ('1e000000-0000-4000-8000-000001005011', v_1005, 'payment', -12158, -182, 0, v_paid_off_on, 'payment_received')
    ) as e (id, account_id, kind, p, i, f, effective_on, reason_code)
   order by e.id;

  insert into app.staff (id, email, full_name, role, approval_limit_minor)
  values
    ('e0000000-0000-4000-8000-000000000001', 'priya.shah@example.com', 'Priya Shah', 'agent', 200000),
    ('e0000000-0000-4000-8000-000000000002', 'daniel.brooks@example.com', 'Daniel Brooks', 'supervisor', 1000000),
    ('e0000000-0000-4000-8000-000000000003', 'grace.kim@example.com', 'Grace Kim', 'admin', 5000000);
end;
$$;

-- ---------------------------------------------------------------------------------------
-- Demo portfolio for the console (issue 8): 40 more Northwind accounts placed over the last
-- 12 weeks, so the queue and the metrics have something true to show.
--   borrowers  b1000000-0000-4000-8000-0000000020NN   accounts  HIST-2001 .. HIST-2040
--   HIST-2001 .. 2030  plans agreed over the weeks: every 5th paid off, every 5th broken,
--                      the rest running; every 4th went through staff review; payments
--                      on time, except every 7th that came two days late
--   HIST-2031 .. 2034  hardship requests, decided (2031, 2032) or waiting (2033, Spanish)
--   HIST-2035 .. 2036  disputes, one resolved and one waiting
--   HIST-2037 .. 2039  plan requests waiting for staff: $1,450.00 (within an agent's limit),
--                      $3,800.00 (above it: a supervisor's), a $1,900.00 settlement at 20 %
--   HIST-2040          nothing yet
-- Balances: principal only, 50,000 + NN × 7,300 cents less what was paid.
-- ---------------------------------------------------------------------------------------

do $$
declare
  v_today constant date := (now() at time zone 'America/New_York')::date;
  v_creditor constant uuid := 'c0000000-0000-4000-8000-000000000001';
  v_first_names constant text[] := array['Avery', 'Blake', 'Camila', 'Devon', 'Elena', 'Farid', 'Grace', 'Hugo', 'Imani', 'José'];
  v_last_names constant text[] := array['Adams', 'Baker', 'Castro', 'Diaz', 'Evans', 'Flores', 'Garcia', 'Hughes'];
  v_dpd constant integer[] := array[12, 40, 75, 130];
  v_text_body text;
  v_text_id uuid;
  v_sha text;
  n integer;
  v_borrower uuid;
  v_account uuid;
  v_placed date;
  v_balance bigint;
  v_consent uuid;
  v_arrangement uuid;
  v_agreed date;
  v_status text;
  v_rules text[];
  v_due date;
  v_amount bigint;
  v_paid_at timestamptz;
  v_payment uuid;
  v_pause uuid;
  v_ledger uuid;
  v_submitted timestamptz;
begin
  if not exists (select 1 from app.creditors where id = v_creditor)
     or exists (select 1 from app.accounts where reference = 'HIST-2001') then
    return;
  end if;

  v_text_body := 'Demo portfolio plan terms (seed data): the borrower agreed to the payments listed in this plan.';
  v_sha := encode(sha256(convert_to(v_text_body, 'UTF8')), 'hex');
  insert into app.consent_texts (kind, version, language, body, sha256)
  values ('plan_agreement', 'plan-terms.v1', 'en', v_text_body, v_sha)
  returning id into v_text_id;

  for n in 1 .. 40 loop
    v_borrower := ('b1000000-0000-4000-8000-0000000020' || lpad(n::text, 2, '0'))::uuid;
    v_account := ('a1000000-0000-4000-8000-0000000020' || lpad(n::text, 2, '0'))::uuid;
    v_placed := v_today - 84 + (n % 30) * 2;
    v_balance := 50000 + n * 7300;
    if n = 37 then v_balance := 145000; elsif n = 38 then v_balance := 380000; elsif n = 39 then v_balance := 190000; end if;

    insert into app.borrowers (id, creditor_id, full_name, email, language, time_zone, identity_check_kind, date_of_birth)
    values (v_borrower, v_creditor,
            v_first_names[1 + n % 10] || ' ' || v_last_names[1 + n % 8],
            'hist' || (2000 + n) || '@example.com',
            case when n % 3 = 0 or n = 33 then 'es' else 'en' end,
            'America/New_York', 'date_of_birth', date '1980-01-01' + n * 97);

    insert into app.accounts (id, creditor_id, borrower_id, reference, product, opened_on, first_missed_payment_on,
                              original_amount_minor, currency, interest_rate_bps, itemization_date, status, created_at)
    values (v_account, v_creditor, v_borrower, 'HIST-' || (2000 + n), case when n % 2 = 0 then 'credit_card' else 'personal_loan' end,
            v_placed - 400, v_placed - v_dpd[1 + n % 4], v_balance, 'USD', 2400, v_placed - 400, 'open',
            (v_placed::timestamp + interval '10 hours') at time zone 'America/New_York');

    insert into app.ledger_entries (account_id, kind, principal_minor, amount_minor, currency, effective_on, reason_code)
    values (v_account, 'principal', v_balance, v_balance, 'USD', v_placed - 400, 'loan_disbursed');

    -- Plans agreed over the weeks (HIST-2001 .. 2030).
    if n <= 30 then
      v_agreed := least(v_placed + 3, v_today);
      v_status := case n % 5 when 0 then 'completed' when 1 then 'broken' else 'active' end;
      v_rules := case when n % 4 = 0 then array['plan_longer_than_auto_approve'] else '{}'::text[] end;
      insert into app.consents (borrower_id, account_id, kind, action, text_id, text_version, text_sha256, language)
      values (v_borrower, v_account, 'plan_agreement', 'granted', v_text_id, 'plan-terms.v1', v_sha, 'en')
      returning id into v_consent;
      v_amount := v_balance / 3;
      insert into app.arrangements (account_id, borrower_id, creditor_id, kind, status, frequency, balance_minor, total_minor,
                                    currency, agreed_on, policy_rules, review_due_at, consent_id, decided_at, ended_at, created_at)
      values (v_account, v_borrower, v_creditor, 'plan', v_status, 'monthly', v_amount * 3, v_amount * 3, 'USD', v_agreed, v_rules,
              case when cardinality(v_rules) > 0 then (v_agreed + 2)::timestamp at time zone 'America/New_York' end,
              v_consent,
              (v_agreed::timestamp + interval '12 hours' + case when cardinality(v_rules) > 0 then interval '30 hours' else interval '0' end) at time zone 'America/New_York',
              case when v_status in ('completed', 'broken') then now() - interval '1 day' end,
              (v_agreed::timestamp + interval '12 hours') at time zone 'America/New_York')
      returning id into v_arrangement;
      for i in 1 .. 3 loop
        v_due := v_agreed + 7 + (i - 1) * 30;
        -- Paid off: every payment paid (the last ones early). Broken: the second missed. Else: paid when due.
        if v_status = 'completed' or (v_due < v_today and not (v_status = 'broken' and i >= 2)) then
          v_paid_at := (least(v_due, v_today - 1)::timestamp + interval '9 hours' + case when n % 7 = 0 and v_status <> 'completed' then interval '2 days' else interval '0' end)
                       at time zone 'America/New_York';
          v_ledger := gen_random_uuid();
          insert into app.ledger_entries (id, account_id, kind, principal_minor, amount_minor, currency, effective_on, external_ref, reason_code)
          values (v_ledger, v_account, 'payment', -v_amount, -v_amount, 'USD', (v_paid_at at time zone 'America/New_York')::date,
                  'pi_demo_hist_' || n || '_' || i, 'payment_received');
          insert into app.installments (arrangement_id, seq, due_on, original_due_on, amount_minor, paid_minor, status)
          values (v_arrangement, i, v_due, v_due, v_amount, v_amount, 'paid')
          returning id into v_payment;
          insert into app.payments (account_id, borrower_id, installment_id, amount_minor, currency, purpose, status,
                                    stripe_payment_intent_id, ledger_entry_id, created_at, updated_at, succeeded_at)
          values (v_account, v_borrower, v_payment, v_amount, 'USD', 'installment', 'succeeded',
                  'pi_demo_hist_' || n || '_' || i, v_ledger, v_paid_at - interval '2 minutes', v_paid_at, v_paid_at);
        else
          insert into app.installments (arrangement_id, seq, due_on, original_due_on, amount_minor, status)
          values (v_arrangement, i, v_due, v_due, v_amount,
                  case when v_status = 'broken' and v_due < v_today then 'missed'
                       when v_status = 'broken' then 'cancelled' else 'scheduled' end);
        end if;
      end loop;
    end if;

    -- Hardship requests (HIST-2031 .. 2033).
    if n between 31 and 33 then
      -- Decided ones 9 and 18 days ago; the waiting one came in 2 days ago, due in 3.
      v_submitted := case when n < 33 then now() - (n - 30) * interval '9 days' else now() - interval '2 days' end;
      insert into app.collection_pauses (account_id, reason, starts_at, lifted_at)
      values (v_account, 'hardship', v_submitted,
              case when n < 33 then v_submitted + interval '3 days' end)
      returning id into v_pause;
      insert into app.hardship_requests (account_id, borrower_id, status, reasons, ie_lines, monthly_income_minor, monthly_outgoings_minor,
                                         help, break_days, steps_done, submitted_at, decision_due_at, decided_at, outcome, pause_id, created_at)
      values (v_account, v_borrower, case when n < 33 then 'decided' else 'submitted' end,
              case n when 31 then array['job_loss'] when 32 then array['illness'] else array['job_loss', 'caring'] end,
              jsonb_build_array(
                jsonb_build_object('category', 'earnings', 'amount_minor', 145000, 'frequency', 'monthly'),
                jsonb_build_object('category', 'home_and_contents', 'amount_minor', 90000, 'frequency', 'monthly'),
                jsonb_build_object('category', 'food_and_housekeeping', 'amount_minor', 10000, 'frequency', 'weekly')),
              145000, 133333, 'payment_break', 60, array['reasons', 'income', 'fixed', 'flexible', 'debts', 'help'],
              v_submitted, v_submitted + interval '5 days',
              case when n < 33 then v_submitted + interval '3 days' end,
              case when n < 33 then 'payment_break' end, v_pause, v_submitted - interval '1 hour');
    end if;

    -- Disputes (HIST-2035, 2036).
    if n in (35, 36) then
      insert into app.collection_pauses (account_id, reason, starts_at, lifted_at)
      values (v_account, 'dispute', now() - interval '12 days', case when n = 35 then now() - interval '4 days' end)
      returning id into v_pause;
      insert into app.disputes (account_id, borrower_id, kind, details, status, outcome, outcome_reason, due_at, pause_id,
                                received_at, review_started_at, resolved_at)
      values (v_account, v_borrower, case when n = 35 then 'already_paid' else 'wrong_amount' end,
              case when n = 35 then 'I paid this in March by bank transfer.' else 'The late fees look doubled.' end,
              case when n = 35 then 'resolved' else 'received' end,
              case when n = 35 then 'upheld' end, case when n = 35 then 'payment_found' end,
              now() + interval '18 days', v_pause, now() - interval '12 days',
              case when n = 35 then now() - interval '8 days' end, case when n = 35 then now() - interval '4 days' end);
    end if;

    -- Plan requests waiting for staff (HIST-2037 .. 2039).
    if n between 37 and 39 then
      insert into app.consents (borrower_id, account_id, kind, action, text_id, text_version, text_sha256, language)
      values (v_borrower, v_account, 'plan_agreement', 'granted', v_text_id, 'plan-terms.v1', v_sha, 'en')
      returning id into v_consent;
      if n = 39 then
        insert into app.arrangements (account_id, borrower_id, creditor_id, kind, status, balance_minor, total_minor, discount_bps,
                                      discount_minor, currency, agreed_on, policy_rules, review_due_at, consent_id, created_at)
        values (v_account, v_borrower, v_creditor, 'settlement', 'pending_review', v_balance, v_balance - v_balance * 2000 / 10000, 2000,
                v_balance * 2000 / 10000, 'USD', v_today, array['discount_above_auto_approve'],
                (v_today + 2)::timestamp at time zone 'America/New_York', v_consent, now() - interval '5 hours')
        returning id into v_arrangement;
        insert into app.installments (arrangement_id, seq, due_on, original_due_on, amount_minor)
        values (v_arrangement, 1, v_today + 10, v_today + 10, v_balance - v_balance * 2000 / 10000);
      else
        insert into app.arrangements (account_id, borrower_id, creditor_id, kind, status, frequency, balance_minor, total_minor,
                                      currency, agreed_on, policy_rules, review_due_at, consent_id, created_at)
        values (v_account, v_borrower, v_creditor, 'plan', 'pending_review', 'monthly', v_balance, v_balance, 'USD', v_today,
                array['plan_longer_than_auto_approve'], (v_today + 2)::timestamp at time zone 'America/New_York', v_consent,
                now() - (40 - n) * interval '1 day')
        returning id into v_arrangement;
        insert into app.installments (arrangement_id, seq, due_on, original_due_on, amount_minor)
        select v_arrangement, k, v_today + 14 + (k - 1) * 30, v_today + 14 + (k - 1) * 30,
               case when k < 20 then v_balance / 20 else v_balance - (v_balance / 20) * 19 end
          from generate_series(1, 20) as k;
      end if;
    end if;
  end loop;
end;
$$;
