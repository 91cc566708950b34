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
