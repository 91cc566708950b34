/**
 * The foundation schema's promises, checked in the database itself (DESIGN §3, issue 3):
 * tables private behind RLS, api functions hardened and executable by service_role alone,
 * the ledger and audit trail append-only even for their owner, the plan policy validated by
 * the same cases as its zod schema, and the demo data exactly as issue 3 lists it.
 *
 * Everything is read from the catalog, never from a hard-coded list, so a table or function
 * added by a later migration is held to the same rules. Tests that must show something is
 * refused do it in one statement (a DO block, or a statement that fails), so they leave no
 * rows behind and never leave a pooled connection in another role.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { BALANCE_COMPONENTS, PLAN_FREQUENCIES, PlanPolicySchema } from "~/domain/plan-policy";
import { DEMO_PLAN_POLICY, INVALID_PLAN_POLICIES, VALID_PLAN_POLICIES } from "../fixtures/plan-policy-cases";
import { testDb } from "../setup/db";

type Db = Awaited<ReturnType<typeof testDb>>;
let db: Db;

beforeAll(async () => {
  db = await testDb();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function rows<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await db.query(sql, params);
  return result.rows as T[];
}

/** The error a statement raises; fails the test when it succeeds. */
async function refusal(sql: string, params: unknown[] = []): Promise<{ code?: string; message: string }> {
  try {
    await db.query(sql, params);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error(`expected the database to refuse: ${sql}`);
}

const API_ROLES = ["anon", "authenticated"] as const;

const APP_TABLES = `
  select c.oid, format('%I.%I', n.nspname, c.relname) as name
    from pg_catalog.pg_class as c
    join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
   where n.nspname = 'app' and c.relkind in ('r', 'p')
   order by 2`;

const API_FUNCTIONS = `
  select p.oid, p.oid::regprocedure::text as signature, p.prosecdef, p.proconfig, p.prokind
    from pg_catalog.pg_proc as p
   where p.pronamespace = 'api'::regnamespace
   order by 2`;

describe("privileges", () => {
  test("the foundation tables exist in app", async () => {
    const names = (await rows<{ name: string }>(APP_TABLES)).map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "app.accounts",
        "app.audit_events",
        "app.borrowers",
        "app.creditors",
        "app.ledger_entries",
        "app.staff",
        "app.time_zones",
      ]),
    );
  });

  test("row level security is enabled on every table in app", async () => {
    const off = await rows(`
      select format('%I.%I', n.nspname, c.relname) as name
        from pg_catalog.pg_class as c
        join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
       where n.nspname = 'app' and c.relkind in ('r', 'p') and not c.relrowsecurity`);
    expect(off).toEqual([]);
  });

  test("no policy in app opens a table to public, anon or authenticated", async () => {
    const open = await rows(`
      select tablename, policyname
        from pg_catalog.pg_policies
       where schemaname = 'app' and roles && array['public', 'anon', 'authenticated']::name[]`);
    expect(open).toEqual([]);
  });

  test("every table in app has a comment", async () => {
    const bare = await rows(`
      select format('%I.%I', n.nspname, c.relname) as name
        from pg_catalog.pg_class as c
        join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
       where n.nspname = 'app' and c.relkind in ('r', 'p')
         and coalesce(obj_description(c.oid, 'pg_class'), '') = ''`);
    expect(bare).toEqual([]);
  });

  test("api holds functions only", async () => {
    const relations = await rows(`
      select c.relname, c.relkind from pg_catalog.pg_class as c
       where c.relnamespace = 'api'::regnamespace`);
    expect(relations).toEqual([]);
    expect((await rows(API_FUNCTIONS)).length).toBeGreaterThan(0);
  });

  test("every api function is security definer with search_path = ''", async () => {
    const functions = await rows<{ signature: string; prosecdef: boolean; proconfig: string[] | null }>(API_FUNCTIONS);
    const weak = functions
      .filter((f) => !f.prosecdef || !(f.proconfig ?? []).includes('search_path=""'))
      .map((f) => f.signature);
    expect(weak).toEqual([]);
  });

  test("only service_role may execute api functions; PUBLIC, anon and authenticated may not", async () => {
    const wrong = await rows(`
      select p.oid::regprocedure::text as signature,
             exists (
               select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) as a
                where a.grantee = 0 and a.privilege_type = 'EXECUTE'
             ) as public_execute,
             has_function_privilege('anon', p.oid, 'EXECUTE') as anon_execute,
             has_function_privilege('authenticated', p.oid, 'EXECUTE') as authenticated_execute,
             has_function_privilege('service_role', p.oid, 'EXECUTE') as service_execute
        from pg_catalog.pg_proc as p
       where p.pronamespace = 'api'::regnamespace`);
    const broken = wrong.filter((f) => f.public_execute || f.anon_execute || f.authenticated_execute || !f.service_execute);
    expect(broken).toEqual([]);
  });

  test("no API role, service_role included, holds any privilege on app or its tables", async () => {
    const grants = await rows(`
      select r.rolname, format('%I.%I', n.nspname, c.relname) as name
        from pg_catalog.pg_class as c
        join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
       cross join (values ('anon'), ('authenticated'), ('service_role')) as r (rolname)
       where n.nspname = 'app' and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
         and (
           has_table_privilege(r.rolname, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           or (c.relkind = 'S' and has_sequence_privilege(r.rolname, c.oid, 'USAGE, SELECT, UPDATE'))
         )`);
    expect(grants).toEqual([]);
    const usage = await rows(`
      select r.rolname from (values ('anon'), ('authenticated'), ('service_role')) as r (rolname)
       where has_schema_privilege(r.rolname, 'app', 'USAGE')`);
    expect(usage).toEqual([]);
  });

  // Really tries, as each role (SET ROLE), to read every table in app and call every function
  // in api, and reports any that did not fail with insufficient_privilege. One DO block, so the
  // role change cannot outlive it.
  test.each(API_ROLES)("%s can read no table in app and execute no function in api", async (role) => {
    const outcome = await db.query(
      `do $$
       declare
         v_target record;
         v_leaks text[] := '{}';
       begin
         for v_target in
           select format('select 1 from %I.%I limit 1', n.nspname, c.relname) as statement
             from pg_catalog.pg_class as c
             join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
            where n.nspname = 'app' and c.relkind in ('r', 'p', 'v', 'm', 'f')
           union all
           select format(
                    case when p.prokind = 'p' then 'call %I.%I(%s)' else 'select %I.%I(%s)' end,
                    n.nspname, p.proname,
                    coalesce((select string_agg('null::' || format_type(a.type_oid, null), ', ' order by a.position)
                                from unnest(p.proargtypes) with ordinality as a (type_oid, position)), ''))
             from pg_catalog.pg_proc as p
             join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
            where n.nspname = 'api' and p.prokind in ('f', 'p')
         loop
           begin
             execute format('set local role %I', '${role}');
             execute v_target.statement;
             v_leaks := v_leaks || v_target.statement;
             execute 'reset role';
           exception
             when insufficient_privilege then null;
             -- Any other error means the privilege check passed and the statement ran.
             when others then v_leaks := v_leaks || (v_target.statement || ' ran: ' || sqlerrm);
           end;
         end loop;
         if cardinality(v_leaks) > 0 then
           raise exception '${role} was not refused: %', array_to_string(v_leaks, '; ');
         end if;
       end;
       $$`,
    );
    expect(outcome).toBeDefined();
    // The block restored the role it started with.
    expect(await rows("select current_user = session_user as restored")).toEqual([{ restored: true }]);
  });
});

describe("append-only tables", () => {
  test("the test runs as the tables' owner (or a superuser), so the refusals bind the service too", async () => {
    const owners = await rows(`
      select c.relname, pg_has_role(current_user, c.relowner, 'USAGE') as owner
        from pg_catalog.pg_class as c
       where c.oid in ('app.ledger_entries'::regclass, 'app.audit_events'::regclass)`);
    expect(owners.every((o) => o.owner)).toBe(true);
  });

  test.each([
    ["update", "app.ledger_entries", "update app.ledger_entries set reason_code = reason_code"],
    ["update one row", "app.ledger_entries", "update app.ledger_entries set amount_minor = 0, principal_minor = 0 where id = '1e000000-0000-4000-8000-000001001001'"],
    ["delete", "app.ledger_entries", "delete from app.ledger_entries where id = '1e000000-0000-4000-8000-000001001001'"],
    ["truncate", "app.ledger_entries", "truncate app.ledger_entries"],
    ["update", "app.audit_events", "update app.audit_events set reason_code = null"],
    ["delete", "app.audit_events", "delete from app.audit_events"],
    ["truncate", "app.audit_events", "truncate app.audit_events"],
  ])("%s on %s is refused", async (operation, table, sql) => {
    const error = await refusal(sql);
    expect(error.code).toBe("55000");
    expect(error.message).toBe(`${table} is append-only: ${operation.split(" ")[0]!.toUpperCase()} is not allowed`);
  });

  test("the refused statements changed nothing", async () => {
    const [entry] = await rows(
      "select amount_minor::text as amount from app.ledger_entries where id = '1e000000-0000-4000-8000-000001001001'",
    );
    expect(entry).toEqual({ amount: "110000" });
  });

  test("a ledger entry's amount must equal the sum of its parts, with the sign its kind allows", async () => {
    const insert = `insert into app.ledger_entries
      (account_id, kind, principal_minor, interest_minor, fees_minor, amount_minor, currency, effective_on)
      values ('a0000000-0000-4000-8000-000000001001', $1, $2, $3, $4, $5, 'USD', current_date)`;
    expect((await refusal(insert, ["payment", -100, 0, 0, -50])).code).toBe("23514");
    expect((await refusal(insert, ["payment", 100, 0, 0, 100])).code).toBe("23514");
    expect((await refusal(insert, ["fee", 0, 100, 0, 100])).code).toBe("23514");
    // The account's currency only.
    const wrongCurrency = await refusal(
      `insert into app.ledger_entries (account_id, kind, principal_minor, amount_minor, currency, effective_on)
       values ('a0000000-0000-4000-8000-000000001001', 'principal', 100, 100, 'EUR', current_date)`,
    );
    expect(wrongCurrency.code).toBe("23503");
  });

  test("audit metadata takes ids, codes, integers, booleans and dates, never free text", async () => {
    const valid = async (metadata: unknown) =>
      (await rows<{ ok: boolean }>("select app.audit_metadata_is_valid($1::text::jsonb) as ok", [JSON.stringify(metadata)]))[0]!.ok;
    expect(await valid({})).toBe(true);
    expect(
      await valid({
        plan_id: "a0000000-0000-4000-8000-000000001001",
        amount_minor: 2500,
        currency: "USD",
        due_on: "2026-12-01",
        within_policy: true,
        previous_status: "pending_review",
        counter_offer_id: null,
      }),
    ).toBe(true);
    expect(await valid({ note: "I lost my job and have been unwell" })).toBe(false);
    expect(await valid({ condition: "Depression" })).toBe(false);
    expect(await valid({ nested: { reason: "x" } })).toBe(false);
    expect(await valid({ ids: ["a0000000-0000-4000-8000-000000001001"] })).toBe(false);
    expect(await valid({ amount: 12.5 })).toBe(false);
    expect(await valid({ BadKey: 1 })).toBe(false);
    expect(await valid(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])))).toBe(false);
    expect(await valid(["not", "an", "object"])).toBe(false);

    const error = await refusal(
      `insert into app.audit_events (actor_kind, action, metadata)
       values ('system', 'test.free_text', '{"note": "Free text a borrower typed"}')`,
    );
    expect(error.code).toBe("23514");
  });

  test("every text column of app.audit_events is held to a pattern (no free text)", async () => {
    const unconstrained = await rows(`
      select a.attname
        from pg_catalog.pg_attribute as a
       where a.attrelid = 'app.audit_events'::regclass and a.attnum > 0 and not a.attisdropped
         and a.atttypid in ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype)
         and not exists (
           select 1 from pg_catalog.pg_constraint as c
            where c.conrelid = a.attrelid and c.contype = 'c' and c.conkey = array[a.attnum]
              and (pg_get_constraintdef(c.oid) like '%~%' or pg_get_constraintdef(c.oid) like '%= ANY%')
         )`);
    expect(unconstrained).toEqual([]);
    const types = await rows(`
      select format_type(a.atttypid, a.atttypmod) as type
        from pg_catalog.pg_attribute as a
       where a.attrelid = 'app.audit_events'::regclass and a.attnum > 0 and not a.attisdropped`);
    expect(new Set(types.map((t) => t.type))).toEqual(new Set(["uuid", "bigint", "timestamp with time zone", "text", "jsonb"]));
  });
});

describe("plan policy", () => {
  const sqlValid = async (policy: unknown) =>
    (await rows<{ ok: boolean }>("select app.plan_policy_is_valid($1::text::jsonb) as ok", [JSON.stringify(policy)]))[0]!.ok;

  test.each(VALID_PLAN_POLICIES)("app.plan_policy_is_valid accepts %s", async (_name, policy) => {
    expect(await sqlValid(policy)).toBe(true);
  });

  test.each(INVALID_PLAN_POLICIES)("app.plan_policy_is_valid refuses %s", async (_name, policy) => {
    expect(await sqlValid(policy)).toBe(false);
  });

  test("the check constraint refuses a malformed policy", async () => {
    const error = await refusal("update app.creditors set plan_policy = plan_policy - 'minimumPaymentMinor'");
    expect(error.code).toBe("23514");
    const [creditor] = await rows("select plan_policy from app.creditors where name = 'Northwind Lending'");
    expect(creditor!.plan_policy).toEqual(DEMO_PLAN_POLICY);
  });

  test("SQL and zod agree on arbitrary, often broken, policies", async () => {
    const keys = Object.keys(DEMO_PLAN_POLICY);
    // Each field is usually valid and sometimes broken, so the sample holds both valid and
    // invalid policies (checked below), with the breakage near the edges that matter.
    const mostly = (valid: fc.Arbitrary<unknown>, broken: fc.Arbitrary<unknown>) =>
      fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: broken, weight: 1 });
    const integer = (min: number, max: number) =>
      mostly(fc.integer({ min, max }), fc.constantFrom(min - 1, max + 1, min + 0.5, String(min), null, true));
    const policy = fc
      .record({
        minimumPaymentMinor: integer(1, 10_000_000),
        longestPlanMonths: integer(1, 120),
        autoApproveLongestPlanMonths: integer(0, 120),
        latestFirstPaymentDays: integer(0, 365),
        frequencies: mostly(
          fc.shuffledSubarray([...PLAN_FREQUENCIES], { minLength: 1 }),
          fc.oneof(
            fc.shuffledSubarray([...PLAN_FREQUENCIES, "daily"], { minLength: 2 }).filter((f) => f.includes("daily")),
            fc.constantFrom([], ["monthly", "monthly"], "monthly", [1]),
          ),
        ),
        settlementMaxDiscountBps: integer(0, 9999),
        autoApproveSettlementDiscountBps: integer(0, 9999),
        freezeInterestAndFeesWhileArranged: mostly(fc.boolean(), fc.constantFrom("true", 1, null)),
        movePaymentMaxDays: integer(0, 31),
        paymentAllocationOrder: mostly(
          fc.shuffledSubarray([...BALANCE_COMPONENTS], { minLength: 3, maxLength: 3 }),
          fc.array(fc.constantFrom<unknown>(...BALANCE_COMPONENTS, "capital", 2), { maxLength: 4 }),
        ),
        drop: fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, { arbitrary: fc.constantFrom(...keys), weight: 1 }),
        extra: fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 }),
      })
      .map(({ drop, extra, ...fields }) => {
        const out: Record<string, unknown> = { ...fields };
        if (drop) delete out[drop];
        if (extra) out.extraKey = 1;
        return out;
      });
    // One round trip for all of them: PGlite answers one query at a time.
    const candidates = fc.sample(policy, 500);
    const [answer] = await rows<{ results: boolean[] }>(
      `select jsonb_agg(app.plan_policy_is_valid(p.value) order by p.position) as results
         from jsonb_array_elements($1::text::jsonb) with ordinality as p (value, position)`,
      [JSON.stringify(candidates)],
    );
    const results = answer!.results;
    const disagreements = candidates
      .map((candidate, i) => ({ candidate, sql: results[i], zod: PlanPolicySchema.safeParse(candidate).success }))
      .filter((d) => d.sql !== d.zod);
    expect(disagreements).toEqual([]);
    // The sample covers both answers, so agreement is not just "both always refuse".
    expect(new Set(results)).toEqual(new Set([true, false]));
  });
});

describe("time zones", () => {
  test("known IANA names only, and every one of them works in Intl", async () => {
    const names = (await rows<{ name: string }>("select name from app.time_zones")).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["America/New_York", "America/Los_Angeles", "America/Denver", "UTC"]));
    expect(names.filter((n) => /^(posix|right)\//.test(n) || n === "localtime" || n === "Factory" || n === "EST")).toEqual([]);
    const rejectedByIntl = names.filter((timeZone) => {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone });
        return false;
      } catch {
        return true;
      }
    });
    expect(rejectedByIntl).toEqual([]);
  });

  test.each(["America/New_Yrok", "Foo/Bar5", "posix/America/New_York", "EST"])("a borrower in %j is refused", async (zone) => {
    const error = await refusal(
      `insert into app.borrowers (creditor_id, full_name, time_zone, identity_check_kind, postal_code)
       values ('c0000000-0000-4000-8000-000000000001', 'Test Person', $1, 'postal_code', '10001')`,
      [zone],
    );
    expect(error.code).toBe("23503");
  });
});

describe("api functions", () => {
  test("api.health lists the applied migrations, this one included, oldest first", async () => {
    const [{ health }] = await rows("select api.health() as health");
    expect(Object.keys(health)).toEqual(["migrations"]);
    expect(health.migrations).toContain("20261127000100");
    expect([...health.migrations].sort()).toEqual(health.migrations);
  });

  test("api.account_balance answers PT404 for an unknown account", async () => {
    const error = await refusal("select api.account_balance($1)", ["00000000-0000-4000-8000-000000000000"]);
    expect(error.code).toBe("PT404");
    expect(error.message).toBe("account not found");
  });
});

describe("demo data (issue 3 item 4)", () => {
  const balance = async (reference: string) =>
    (
      await rows(
        `select api.account_balance(a.id) as balance from app.accounts as a where a.reference = $1`,
        [reference],
      )
    )[0]!.balance;

  test("Northwind Lending: US, USD, New York time, the demo policy and a way to reach a person", async () => {
    const creditors = await rows(`
      select name, jurisdiction, time_zone, currency, region, support_phone, support_hours, plan_policy
        from app.creditors`);
    expect(creditors).toHaveLength(1);
    const [c] = creditors;
    expect(c).toMatchObject({ name: "Northwind Lending", time_zone: "America/New_York", currency: "USD", region: "US" });
    expect(c.jurisdiction).toMatch(/^US(-|$)/);
    expect(c.support_phone).toMatch(/^\+1\d{3}55501\d{2}$/);
    expect(c.support_hours.en).toMatch(/Monday to Friday/);
    expect(c.support_hours.es).toBeTruthy();
    expect(c.plan_policy).toEqual(DEMO_PLAN_POLICY);
  });

  test("the accounts, borrowers and checks on file match the issue's table", async () => {
    const accounts = await rows(`
      select a.reference, b.full_name, b.language, b.identity_check_kind,
             to_char(b.date_of_birth, 'YYYY-MM-DD') as date_of_birth, b.postal_code, a.status,
             (now() at time zone c.time_zone)::date - a.first_missed_payment_on as days_past_due
        from app.accounts as a
        join app.borrowers as b on b.id = a.borrower_id
        join app.creditors as c on c.id = a.creditor_id
       where a.reference like 'DEMO-%'
       order by a.reference`);
    expect(accounts).toEqual([
      { reference: "DEMO-1001", full_name: "Alex Rivera", language: "en", identity_check_kind: "date_of_birth", date_of_birth: "1985-04-12", postal_code: null, status: "open", days_past_due: 45 },
      { reference: "DEMO-1002", full_name: "María López", language: "es", identity_check_kind: "date_of_birth", date_of_birth: "1979-11-03", postal_code: null, status: "open", days_past_due: 120 },
      { reference: "DEMO-1003", full_name: "Sam Okafor", language: "en", identity_check_kind: "postal_code", date_of_birth: null, postal_code: "94110", status: "open", days_past_due: null },
      { reference: "DEMO-1004", full_name: "Sam Okafor", language: "en", identity_check_kind: "postal_code", date_of_birth: null, postal_code: "94110", status: "open", days_past_due: 70 },
      { reference: "DEMO-1005", full_name: "Jordan Lee", language: "en", identity_check_kind: "date_of_birth", date_of_birth: "1990-01-30", postal_code: null, status: "paid", days_past_due: null },
    ]);
    const [sam] = await rows(`
      select count(distinct borrower_id)::int as borrowers from app.accounts where reference in ('DEMO-1003', 'DEMO-1004')`);
    expect(sam).toEqual({ borrowers: 1 });
  });

  test("DEMO-1001 owes $1,240.50 = $1,100.00 borrowed + $96.50 interest + $44.00 fees", async () => {
    expect(await balance("DEMO-1001")).toEqual({
      principal_minor: 110000,
      interest_minor: 9650,
      fees_minor: 4400,
      total_minor: 124050,
      currency: "USD",
    });
  });

  test("the other balances add up", async () => {
    expect(await balance("DEMO-1002")).toEqual({ principal_minor: 237350, interest_minor: 18988, fees_minor: 10000, total_minor: 266338, currency: "USD" });
    expect(await balance("DEMO-1003")).toEqual({ principal_minor: 68428, interest_minor: 0, fees_minor: 0, total_minor: 68428, currency: "USD" });
    expect(await balance("DEMO-1004")).toEqual({ principal_minor: 54344, interest_minor: 3261, fees_minor: 7500, total_minor: 65105, currency: "USD" });
  });

  test("DEMO-1002 has exactly two payments", async () => {
    const [row] = await rows(`
      select count(*)::int as payments from app.ledger_entries as l
        join app.accounts as a on a.id = l.account_id
       where a.reference = 'DEMO-1002' and l.kind = 'payment'`);
    expect(row).toEqual({ payments: 2 });
  });

  test("DEMO-1005 was paid in full last month and owes nothing", async () => {
    expect(await balance("DEMO-1005")).toEqual({ principal_minor: 0, interest_minor: 0, fees_minor: 0, total_minor: 0, currency: "USD" });
    const [last] = await rows(`
      select date_trunc('month', max(l.effective_on)) = date_trunc('month', (now() at time zone c.time_zone)::date) - interval '1 month'
               as last_month
        from app.ledger_entries as l
        join app.accounts as a on a.id = l.account_id
        join app.creditors as c on c.id = a.creditor_id
       where a.reference = 'DEMO-1005' and l.kind = 'payment'
       group by c.time_zone`);
    expect(last).toEqual({ last_month: true });
  });

  test("every demo payment was applied fees first, then interest, then principal", async () => {
    // For each payment: the balance parts just before it, and what the rule says it clears.
    const misallocated = await rows(`
      with running as (
        select l.*, a.reference,
               coalesce(sum(l.principal_minor) over w, 0) as principal_before,
               coalesce(sum(l.interest_minor) over w, 0) as interest_before,
               coalesce(sum(l.fees_minor) over w, 0) as fees_before
          from app.ledger_entries as l
          join app.accounts as a on a.id = l.account_id
        window w as (partition by l.account_id order by l.effective_on, l.entry_no
                     rows between unbounded preceding and 1 preceding)
      )
      select reference, id
        from running
       where kind = 'payment'
         and (
           -fees_minor <> least(-amount_minor, fees_before)
           or -interest_minor <> least(-amount_minor + fees_minor, interest_before)
           or -principal_minor <> -amount_minor + fees_minor + interest_minor
         )`);
    expect(misallocated).toEqual([]);
  });

  test("no account's balance part ever goes below zero in the demo ledger", async () => {
    const negative = await rows(`
      select a.reference, l.id
        from app.ledger_entries as l
        join app.accounts as a on a.id = l.account_id
        join lateral (
          select sum(e.principal_minor) as p, sum(e.interest_minor) as i, sum(e.fees_minor) as f
            from app.ledger_entries as e
           where e.account_id = l.account_id
             and (e.effective_on, e.entry_no) <= (l.effective_on, l.entry_no)
        ) as s on true
       where s.p < 0 or s.i < 0 or s.f < 0`);
    expect(negative).toEqual([]);
  });

  test("every demo borrower has a fictional email and, when one is on file, a 555-01xx phone", async () => {
    const borrowers = await rows("select full_name, email, phone from app.borrowers order by full_name");
    expect(borrowers).toHaveLength(44);
    for (const b of borrowers) {
      expect(b.email).toMatch(/@example\.(com|net)$/);
      if (b.phone !== null) expect(b.phone).toMatch(/^\+1\d{3}55501\d{2}$/);
    }
    expect(borrowers.filter((b) => b.phone !== null)).toHaveLength(4);
  });

  test("the demo portfolio for the console: 40 accounts, and what waits for staff as the README says", async () => {
    const [portfolio] = await rows(`
      select count(*)::int as accounts,
             (select count(*)::int from app.arrangements as r join app.accounts as a on a.id = r.account_id
               where a.reference like 'HIST-%' and r.status = 'pending_review') as plan_requests,
             (select count(*)::int from app.hardship_requests where status = 'submitted') as hardship_waiting,
             (select count(*)::int from app.disputes where status <> 'resolved') as disputes_open,
             (select string_agg(a.reference || '=' || (app.account_split(a.id) ->> 'total_minor'), ',' order by a.reference)
                from app.accounts as a where a.reference in ('HIST-2037', 'HIST-2038', 'HIST-2039')) as waiting_balances
        from app.accounts where reference like 'HIST-%'`);
    expect(portfolio).toEqual({
      accounts: 40,
      plan_requests: 3,
      hardship_waiting: 1,
      disputes_open: 1,
      waiting_balances: "HIST-2037=145000,HIST-2038=380000,HIST-2039=190000",
    });
    // Payments in the portfolio are whole: each succeeded payment posted one ledger entry of its amount.
    const [unmatched] = await rows(`
      select count(*)::int as n from app.payments as p
        left join app.ledger_entries as l on l.id = p.ledger_entry_id
       where p.status = 'succeeded' and (l.id is null or l.amount_minor <> -p.amount_minor)`);
    expect(unmatched).toEqual({ n: 0 });
  });

  test("one staff member per role at example.com, with limits rising by role", async () => {
    const staff = await rows(`
      select role, email, approval_limit_minor::text as limit_minor, active
        from app.staff
       order by array_position(array['agent', 'supervisor', 'admin'], role)`);
    expect(staff.map((s) => s.role)).toEqual(["agent", "supervisor", "admin"]);
    for (const s of staff) {
      expect(s.email).toMatch(/@example\.com$/);
      expect(s.active).toBe(true);
    }
    const limits = staff.map((s) => Number(s.limit_minor));
    expect(limits[0]).toBeGreaterThan(0);
    expect(limits).toEqual([...limits].sort((a, b) => a - b));
    expect(new Set(limits).size).toBe(3);
  });
});
