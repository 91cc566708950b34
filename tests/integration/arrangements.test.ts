/**
 * Arrangements end to end through the app's wrappers and supabase-js (issue 5; ADR 004):
 * agreeing a plan, settlement or promise with its consent and audit event in one
 * transaction, the money rules the database re-checks, one live arrangement per account
 * under races, review due at the end of the day in the creditor's zone, moving one payment
 * and cancelling, each with its consent and audit event, and the append-only consent trail.
 *
 * Most tests open a fresh account (inserted as the table owner) so each starts from a known
 * balance and no arrangement. Dates are computed in America/New_York, the demo creditor's
 * zone, as the database computes them.
 */
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";
import {
  agreeArrangement,
  cancelArrangement,
  consentHash,
  getAccountArrangement,
  moveInstallment,
  type AgreeArrangementInput,
  type AgreeArrangementResult,
  type ConsentInput,
} from "~/utils/arrangements.server";
import { onRealPostgres, openSecondDatabase, testDb } from "../setup/db";
import { newAccount as createAccount } from "../setup/accounts";
import { addDays, DEMO_ZONE as ZONE, today } from "../setup/dates";
import { notFound } from "../setup/not-found";

const ALEX = "b0000000-0000-4000-8000-000000000001";
const MARIA = "b0000000-0000-4000-8000-000000000002";
const JORDAN = "b0000000-0000-4000-8000-000000000004";
const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";
const DEMO_1002 = "a0000000-0000-4000-8000-000000001002";
const DEMO_1005 = "a0000000-0000-4000-8000-000000001005";
const DEMO_1001_BALANCE = 124_050;

// ---------------------------------------------------------------------------------------
// Helpers

/** Today in the creditor's zone, YYYY-MM-DD. */
/** The instant a calendar day starts in a time zone (found with Intl, not with SQL). */
function startOfDayIn(iso: string, timeZone: string): Date {
  const format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  for (let hours = -14; hours <= 14; hours++) {
    const candidate = new Date(Date.parse(`${iso}T00:00:00Z`) + hours * 3_600_000);
    const parts = Object.fromEntries(format.formatToParts(candidate).map((p) => [p.type, p.value]));
    if (`${parts.year}-${parts.month}-${parts.day}` === iso && parts.hour === "00" && parts.minute === "00") return candidate;
  }
  throw new Error(`no midnight found for ${iso} in ${timeZone}`);
}

let bodies = 0;
/** A consent with a body no other test uses (so its text is new), hashed as the app hashes it. */
function consent(body = `Test terms ${++bodies}\nYou agree to pay as listed.\nÑandú — 100 % sure.`): ConsentInput {
  return { version: "plan-terms.v1", language: "en", body, sha256: consentHash(body), ip: "203.0.113.5", userAgent: "Vitest/3 (arrangements)" };
}

/** A new open account for the borrower owing `balanceMinor`, and its id. */
const newAccount = (balanceMinor: number, borrowerId = ALEX) => createAccount({ principal: balanceMinor, interest: 0, fees: 0, borrowerId, prefix: "TEST-ARR" });

/** `total` split into `dates.length` payments, the remainder in the last. */
function split(total: number, dates: string[]): Array<{ dueOn: string; amountMinor: number }> {
  const each = Math.floor(total / dates.length);
  return dates.map((dueOn, i) => ({ dueOn, amountMinor: i === dates.length - 1 ? total - each * (dates.length - 1) : each }));
}

/** A monthly plan for the whole balance, active at once unless rules are given. */
function planInput(accountId: string, balanceMinor: number, overrides: Partial<AgreeArrangementInput> = {}): AgreeArrangementInput {
  const t = today();
  return {
    borrowerId: ALEX,
    accountId,
    kind: "plan",
    frequency: "monthly",
    discountBps: 0,
    balanceMinor,
    totalMinor: balanceMinor,
    installments: split(balanceMinor, [addDays(t, 3), addDays(t, 33), addDays(t, 63)]),
    policyRules: [],
    reviewDueOn: null,
    consent: consent(),
    ...overrides,
  };
}

async function agreeOk(input: AgreeArrangementInput) {
  const result = await agreeArrangement(input);
  if (!result.ok) throw new Error(`expected the agreement to succeed, got ${result.reason}`);
  return result;
}

/** The hint of the error an api call raises (bypassing the wrappers' input types). */
async function hintOf(fn: string, args: Record<string, unknown>): Promise<string | null> {
  try {
    await rpc(fn, args, z.unknown());
  } catch (error) {
    if (isRpcError(error)) return error.hint;
    throw error;
  }
  throw new Error(`expected api.${fn} to refuse`);
}

interface Counts {
  arrangements: number;
  installments: number;
  consents: number;
  texts: number;
  audits: number;
}

async function counts(): Promise<Counts> {
  const { rows } = await testDb().query<Counts>(`
    select (select count(*)::int from app.arrangements) as arrangements,
           (select count(*)::int from app.installments) as installments,
           (select count(*)::int from app.consents) as consents,
           (select count(*)::int from app.consent_texts) as texts,
           (select count(*)::int from app.audit_events) as audits`);
  return rows[0]!;
}

async function auditRows(subjectId: string) {
  const { rows } = await testDb().query<{ action: string; actor_kind: string; actor_id: string; subject_kind: string; account_id: string; metadata: Record<string, unknown> }>(
    "select action, actor_kind, actor_id, subject_kind, account_id, metadata from app.audit_events where subject_id = $1 order by event_no",
    [subjectId],
  );
  return rows;
}

async function consentRow(consentId: string) {
  const { rows } = await testDb().query<{
    borrower_id: string;
    account_id: string;
    kind: string;
    action: string;
    text_version: string;
    text_sha256: string;
    language: string;
    ip: string | null;
    user_agent: string | null;
    body: string;
    text_hash: string;
  }>(
    `select k.borrower_id, k.account_id, k.kind, k.action, k.text_version, k.text_sha256, k.language,
            host(k.ip) as ip, k.user_agent, t.body, t.sha256 as text_hash
       from app.consents as k
       join app.consent_texts as t on t.id = k.text_id
      where k.id = $1`,
    [consentId],
  );
  return rows[0];
}

/** The latest consent on an account (move and cancel return no consent id). */
async function latestConsent(accountId: string) {
  const { rows } = await testDb().query<{ id: string }>("select id from app.consents where account_id = $1 order by created_at desc, id desc limit 1", [accountId]);
  return consentRow(rows[0]!.id);
}

// ---------------------------------------------------------------------------------------

describe("agreeing", () => {
  test("a plan on DEMO-1001 writes the arrangement, its installments, the consent, its exact text and one audit event", async () => {
    const before = await counts();
    const input = planInput(DEMO_1001, DEMO_1001_BALANCE);
    const result = await agreeOk(input);
    expect(result).toMatchObject({ ok: true, status: "active", reviewDueAt: null, borrowerEmail: "alex.rivera@example.com", borrowerLanguage: "en" });
    expect(await counts()).toEqual({
      arrangements: before.arrangements + 1,
      installments: before.installments + 3,
      consents: before.consents + 1,
      texts: before.texts + 1,
      audits: before.audits + 1,
    });

    // The consent proves which words were agreed: the text stored is exactly the body sent,
    // and the hash on the consent is SHA-256 of that body.
    const stored = await consentRow(result.consentId);
    expect(stored).toEqual({
      borrower_id: ALEX,
      account_id: DEMO_1001,
      kind: "plan_agreement",
      action: "granted",
      text_version: "plan-terms.v1",
      text_sha256: consentHash(input.consent.body),
      language: "en",
      ip: "203.0.113.5",
      user_agent: "Vitest/3 (arrangements)",
      body: input.consent.body,
      text_hash: consentHash(input.consent.body),
    });

    const arrangement = await getAccountArrangement(ALEX, DEMO_1001);
    expect(arrangement).toMatchObject({
      id: result.arrangementId,
      kind: "plan",
      status: "active",
      frequency: "monthly",
      balanceMinor: DEMO_1001_BALANCE,
      totalMinor: DEMO_1001_BALANCE,
      discountBps: 0,
      discountMinor: 0,
      currency: "USD",
      agreedOn: today(),
      reviewDueAt: null,
      endedAt: null,
      policyRules: [],
      movePaymentMaxDays: 14,
      canMove: true,
      borrowerEmail: "alex.rivera@example.com",
      terms: { version: "plan-terms.v1", language: "en", body: input.consent.body, sha256: input.consent.sha256 },
    });
    expect(arrangement!.installments.map((i) => [i.seq, i.dueOn, i.originalDueOn, i.amountMinor, i.paidMinor, i.status, i.movedAt])).toEqual(
      input.installments.map((i, n) => [n + 1, i.dueOn, i.dueOn, i.amountMinor, 0, "scheduled", null]),
    );
    expect(arrangement!.installments.reduce((sum, i) => sum + i.amountMinor, 0)).toBe(DEMO_1001_BALANCE);

    const audit = await auditRows(result.arrangementId);
    expect(audit).toEqual([
      {
        action: "arrangement.agreed",
        actor_kind: "borrower",
        actor_id: ALEX,
        subject_kind: "arrangement",
        account_id: DEMO_1001,
        metadata: {
          kind: "plan",
          status: "active",
          frequency: "monthly",
          installments: 3,
          balance_minor: DEMO_1001_BALANCE,
          total_minor: DEMO_1001_BALANCE,
          discount_bps: 0,
          currency: "USD",
          first_due_on: input.installments[0]!.dueOn,
          last_due_on: input.installments[2]!.dueOn,
          policy_rules: 0,
          review_due_on: null,
          consent_id: result.consentId,
        },
      },
    ]);
    // Ids, codes, integers and dates only: no words, address or browser in the trail.
    const trail = JSON.stringify(audit);
    expect(trail).not.toContain("203.0.113.5");
    expect(trail).not.toContain("Vitest");
    expect(trail).not.toContain("Test terms");
  });

  test("a second agreement on the same account is arrangement_exists, and writes nothing", async () => {
    const before = await counts();
    expect(await agreeArrangement(planInput(DEMO_1001, DEMO_1001_BALANCE))).toEqual({ ok: false, reason: "arrangement_exists" });
    expect(await counts()).toEqual(before);
  });

  test("another borrower's account, or no account id at all, is a 404 from every function", async () => {
    const before = await counts();
    await notFound(agreeArrangement(planInput(DEMO_1002, 266_338)));
    await notFound(agreeArrangement({ ...planInput(DEMO_1001, DEMO_1001_BALANCE), borrowerId: MARIA }));
    await notFound(agreeArrangement(planInput("not-a-uuid", 1)));
    await notFound(getAccountArrangement(MARIA, DEMO_1001));
    await notFound(getAccountArrangement(ALEX, "00000000-0000-4000-8000-000000000000"));
    const live = await getAccountArrangement(ALEX, DEMO_1001);
    await notFound(cancelArrangement({ borrowerId: MARIA, accountId: DEMO_1001, arrangementId: live!.id, consent: consent() }));
    await notFound(cancelArrangement({ borrowerId: MARIA, accountId: DEMO_1002, arrangementId: live!.id, consent: consent() }));
    await notFound(
      moveInstallment({ borrowerId: MARIA, accountId: DEMO_1001, installmentId: live!.installments[0]!.id, newDueOn: addDays(live!.installments[0]!.dueOn, 1), consent: consent() }),
    );
    await notFound(moveInstallment({ borrowerId: ALEX, accountId: DEMO_1001, installmentId: "nope", newDueOn: today(), consent: consent() }));
    expect(await counts()).toEqual(before);
  });

  test("an account with no arrangement reads as null", async () => {
    expect(await getAccountArrangement(MARIA, DEMO_1002)).toBeNull();
  });

  test("the balance the borrower saw must still be the balance: a stale one is balance_changed", async () => {
    const account = await newAccount(50_000);
    const before = await counts();
    expect(await agreeArrangement(planInput(account, 49_999))).toEqual({ ok: false, reason: "balance_changed" });
    // A payment posted while the borrower was reading changes the balance too.
    await testDb().query(
      `insert into app.ledger_entries (account_id, kind, principal_minor, amount_minor, currency, effective_on, reason_code)
       values ($1, 'payment', -1000, -1000, 'USD', current_date, 'payment_received')`,
      [account],
    );
    const after = await counts();
    expect(after).toEqual(before);
    expect(await agreeArrangement(planInput(account, 50_000))).toEqual({ ok: false, reason: "balance_changed" });
    expect((await agreeOk(planInput(account, 49_000))).status).toBe("active");
  });

  test("an account that is not open is account_not_open", async () => {
    const before = await counts();
    expect(await agreeArrangement({ ...planInput(DEMO_1005, 0), borrowerId: JORDAN })).toEqual({ ok: false, reason: "account_not_open" });
    expect(await counts()).toEqual(before);
  });

  test("the same words agreed twice are stored once; each consent points at them", async () => {
    const shared = consent("Shared terms\nThe same words, agreed on two accounts.");
    const first = await agreeOk(planInput(await newAccount(10_000), 10_000, { consent: shared }));
    const before = await counts();
    const second = await agreeOk(planInput(await newAccount(10_000), 10_000, { consent: shared }));
    const after = await counts();
    expect(after.texts).toBe(before.texts);
    expect(after.consents).toBe(before.consents + 1);
    const { rows } = await testDb().query<{ texts: number }>("select count(distinct text_id)::int as texts from app.consents where id = any($1::uuid[])", [[first.consentId, second.consentId]]);
    expect(rows[0]!.texts).toBe(1);
  });

  test("the client's address is kept only when it is an IP address, and the user agent is cut to 512 characters", async () => {
    const account = await newAccount(10_000);
    const result = await agreeOk(planInput(account, 10_000, { consent: { ...consent(), ip: "unknown, 10.0.0.1", userAgent: "x".repeat(600) } }));
    const stored = await consentRow(result.consentId);
    expect(stored?.ip).toBeNull();
    expect(stored?.user_agent).toBe("x".repeat(512));
    const v6 = await agreeOk(planInput(await newAccount(10_000), 10_000, { consent: { ...consent(), ip: "2001:db8::1", userAgent: null } }));
    expect(await consentRow(v6.consentId)).toMatchObject({ ip: "2001:db8::1", user_agent: null });
  });
});

describe("all or nothing", () => {
  test.each<[string, (account: string, balance: number) => AgreeArrangementInput, string]>([
    [
      "a bad installment in the middle",
      (account, balance) => {
        const input = planInput(account, balance);
        return { ...input, installments: [input.installments[0]!, { dueOn: "2026-02-30", amountMinor: input.installments[1]!.amountMinor }, input.installments[2]!] };
      },
      "invalid_arrangement",
    ],
    [
      "a payment of no money in the middle",
      (account, balance) => {
        const input = planInput(account, balance);
        const [a, b, c] = input.installments;
        return { ...input, installments: [{ ...a!, amountMinor: a!.amountMinor + b!.amountMinor }, { ...b!, amountMinor: 0 }, c!] };
      },
      "invalid_arrangement",
    ],
    [
      "installments that do not add up to the total",
      (account, balance) => {
        const input = planInput(account, balance);
        return { ...input, installments: input.installments.map((i, n) => (n === 1 ? { ...i, amountMinor: i.amountMinor - 1 } : i)) };
      },
      "invalid_arrangement",
    ],
    [
      "dates that do not increase",
      (account, balance) => {
        const input = planInput(account, balance);
        const [a, b, c] = input.installments;
        return { ...input, installments: [a!, { ...b!, dueOn: a!.dueOn }, c!] };
      },
      "invalid_arrangement",
    ],
    ["a first payment before today", (account, balance) => planInput(account, balance, { installments: split(balance, [addDays(today(), -1), addDays(today(), 30)]) }), "invalid_arrangement"],
    ["a plan that does not pay the whole balance", (account, balance) => planInput(account, balance - 100, { balanceMinor: balance, installments: split(balance - 100, [addDays(today(), 1)]) }), "total_mismatch"],
    ["a plan without a frequency", (account, balance) => planInput(account, balance, { frequency: null }), "invalid_arrangement"],
    ["a plan with a discount", (account, balance) => planInput(account, balance, { discountBps: 100 }), "invalid_arrangement"],
    ["a consent whose hash is not its text's", (account, balance) => planInput(account, balance, { consent: { ...consent(), sha256: consentHash("other words") } }), "consent_hash_mismatch"],
    ["a consent with no words", (account, balance) => planInput(account, balance, { consent: { ...consent(""), sha256: consentHash("") } }), "consent_hash_mismatch"],
    ["policy rules without a review date", (account, balance) => planInput(account, balance, { policyRules: ["plan_longer_than_auto_approve"], reviewDueOn: null }), "invalid_arrangement"],
    [
      "a review date in the past",
      (account, balance) => planInput(account, balance, { policyRules: ["plan_longer_than_auto_approve"], reviewDueOn: addDays(today(), -1) }),
      "invalid_arrangement",
    ],
  ])("%s leaves no arrangement, consent, text or audit row", async (_name, build, reason) => {
    const balance = 30_000;
    const account = await newAccount(balance);
    const before = await counts();
    expect(await agreeArrangement(build(account, balance))).toEqual({ ok: false, reason });
    expect(await counts()).toEqual(before);
    expect(await getAccountArrangement(ALEX, account)).toBeNull();
  });

  test("malformed requests the wrappers cannot send are invalid_arrangement too", async () => {
    const balance = 20_000;
    const account = await newAccount(balance);
    const before = await counts();
    const good = planInput(account, balance);
    const args = (overrides: Record<string, unknown>) => ({
      p_borrower_id: ALEX,
      p_account_id: account,
      p_kind: "plan",
      p_frequency: "monthly",
      p_discount_bps: 0,
      p_balance_minor: balance,
      p_total_minor: balance,
      p_installments: good.installments.map((i) => ({ due_on: i.dueOn, amount_minor: i.amountMinor })),
      p_policy_rules: [],
      p_review_due_on: null,
      p_consent: { version: "plan-terms.v1", language: "en", body: good.consent.body, sha256: good.consent.sha256, ip: null, user_agent: null },
      ...overrides,
    });
    const day = addDays(today(), 5);
    for (const installments of [
      [],
      {},
      [balance],
      [{ due_on: day }],
      [{ due_on: day, amount_minor: balance / 2, extra: 1 }, { due_on: addDays(day, 1), amount_minor: balance / 2 }],
      [{ due_on: day, amount_minor: "20000" }],
      [{ due_on: day, amount_minor: 19999.5 }, { due_on: addDays(day, 1), amount_minor: 0.5 }],
      [{ due_on: "5 days from now", amount_minor: balance }],
      Array.from({ length: 521 }, (_, i) => ({ due_on: addDays(day, i), amount_minor: i < 520 ? 38 : balance - 38 * 520 })),
    ]) {
      expect(await hintOf("agree_arrangement", args({ p_installments: installments })), JSON.stringify(installments).slice(0, 80)).toBe("invalid_arrangement");
    }
    expect(await hintOf("agree_arrangement", args({ p_kind: "loan" }))).toBe("invalid_arrangement");
    expect(await hintOf("agree_arrangement", args({ p_frequency: "daily" }))).toBe("invalid_arrangement");
    expect(await hintOf("agree_arrangement", args({ p_policy_rules: ["Not A Code"], p_review_due_on: day }))).toBe("invalid_arrangement");
    expect(await hintOf("agree_arrangement", args({ p_consent: { ...args({}).p_consent, version: "Plan terms 1" } }))).toBe("invalid_consent");
    expect(await hintOf("agree_arrangement", args({ p_consent: { ...args({}).p_consent, ip: "not an address" } }))).toBe("invalid_consent");
    expect(await hintOf("agree_arrangement", args({ p_consent: { ...args({}).p_consent, user_agent: "x".repeat(513) } }))).toBe("invalid_consent");
    expect(await hintOf("agree_arrangement", args({ p_consent: "I agree" }))).toBe("invalid_consent");
    expect(await counts()).toEqual(before);
  });

  test("a failure after the consent and arrangement are written takes them back too", async () => {
    const balance = 12_345;
    const account = await newAccount(balance);
    // Installments are written after the consent, its text and the arrangement: make that
    // last write fail, as the table owner, for this one call.
    await testDb().exec(`
      create schema t_arr;
      create function t_arr.refuse() returns trigger language plpgsql as $$
      begin
        raise exception 'refused for the test';
      end;
      $$;
      create trigger t_arr_refuse before insert on app.installments for each statement execute function t_arr.refuse();`);
    const before = await counts();
    try {
      await expect(agreeArrangement(planInput(account, balance))).rejects.toThrow(/refused for the test/);
    } finally {
      await testDb().exec("drop trigger t_arr_refuse on app.installments; drop schema t_arr cascade;");
    }
    expect(await counts()).toEqual(before);
    expect((await agreeOk(planInput(account, balance))).status).toBe("active");
  });
});

describe("one live arrangement per account", () => {
  test("simultaneous agreements on one account: exactly one wins, the others are arrangement_exists", async () => {
    for (let round = 0; round < 3; round++) {
      const balance = 40_000;
      const account = await newAccount(balance);
      const before = await counts();
      const results = await Promise.all(Array.from({ length: 4 }, () => agreeArrangement(planInput(account, balance))));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 3 }, () => ({ ok: false, reason: "arrangement_exists" })));
      const { rows } = await testDb().query<{ live: number; consents: number }>(
        `select (select count(*)::int from app.arrangements where account_id = $1 and status in ('pending_review', 'active')) as live,
                (select count(*)::int from app.consents where account_id = $1) as consents`,
        [account],
      );
      expect(rows[0]).toEqual({ live: 1, consents: 1 });
      const after = await counts();
      expect(after.arrangements - before.arrangements).toBe(1);
      expect(after.audits - before.audits).toBe(1);
      expect(after.consents - before.consents).toBe(1);
      expect(after.texts - before.texts).toBe(1);
    }
  });

  // The check before the insert cannot see an agreement not yet committed: the partial
  // unique index stops the second one, and the function still answers arrangement_exists.
  test.runIf(onRealPostgres())("an agreement racing past the check is stopped by the unique index (real PostgreSQL)", async () => {
    const balance = 33_000;
    const account = await newAccount(balance);
    const winner = planInput(account, balance);
    const second = openSecondDatabase();
    const before = await counts();
    let loser: Promise<AgreeArrangementResult> | undefined;
    let settledEarly = false;
    try {
      await second.transaction(async (tx) => {
        await tx.query("select api.agree_arrangement($1, $2, 'plan', 'monthly', 0, $3, $3, $4::jsonb, '{}', null, $5::jsonb)", [
          ALEX,
          account,
          balance,
          JSON.stringify(winner.installments.map((i) => ({ due_on: i.dueOn, amount_minor: i.amountMinor }))),
          JSON.stringify({ version: "plan-terms.v1", language: "en", body: winner.consent.body, sha256: winner.consent.sha256, ip: null, user_agent: null }),
        ]);
        loser = agreeArrangement(planInput(account, balance));
        void loser.then(
          () => (settledEarly = true),
          () => (settledEarly = true),
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
        // Still waiting: it passed the check and is held at the index by the open transaction.
        expect(settledEarly).toBe(false);
      });
      expect(await loser).toEqual({ ok: false, reason: "arrangement_exists" });
    } finally {
      await second.close();
    }
    const after = await counts();
    expect({ arrangements: after.arrangements - before.arrangements, consents: after.consents - before.consents, texts: after.texts - before.texts, audits: after.audits - before.audits }).toEqual({
      arrangements: 1,
      consents: 1,
      texts: 1,
      audits: 1,
    });
  });
});

describe("settlements and promises", () => {
  test("a settlement pays the balance less floor(balance × bps / 10000), in 1 to 3 payments", async () => {
    const balance = 100_001;
    const discount = Math.floor((balance * 1500) / 10000); // 15000.15 → 15000
    expect(discount).toBe(15_000);
    const settlement = (account: string, total: number, dates: string[], discountBps = 1500): AgreeArrangementInput =>
      planInput(account, balance, { kind: "settlement", frequency: null, discountBps, totalMinor: total, installments: split(total, dates) });
    const t = today();

    const account = await newAccount(balance);
    const before = await counts();
    expect(await agreeArrangement(settlement(account, balance - discount - 1, [addDays(t, 1)]))).toEqual({ ok: false, reason: "total_mismatch" });
    expect(await agreeArrangement(settlement(account, balance - discount + 1, [addDays(t, 1)]))).toEqual({ ok: false, reason: "total_mismatch" });
    expect(await agreeArrangement(settlement(account, balance - discount, [1, 2, 3, 4].map((n) => addDays(t, n * 7))))).toEqual({ ok: false, reason: "total_mismatch" });
    expect(await agreeArrangement(settlement(account, balance - discount, [addDays(t, 1)], 10_000))).toEqual({ ok: false, reason: "invalid_arrangement" });
    expect(await counts()).toEqual(before);

    const ok = await agreeOk(settlement(account, balance - discount, [addDays(t, 1), addDays(t, 31), addDays(t, 61)]));
    expect(await getAccountArrangement(ALEX, account)).toMatchObject({
      id: ok.arrangementId,
      kind: "settlement",
      frequency: null,
      balanceMinor: balance,
      totalMinor: balance - discount,
      discountBps: 1500,
      discountMinor: discount,
    });
  });

  test("a promise is one payment of at most the balance", async () => {
    const balance = 25_000;
    const promise = (account: string, total: number, dates: string[]): AgreeArrangementInput =>
      planInput(account, balance, { kind: "promise", frequency: null, totalMinor: total, installments: split(total, dates) });
    const t = today();
    const account = await newAccount(balance);
    const before = await counts();
    expect(await agreeArrangement(promise(account, balance + 1, [addDays(t, 7)]))).toEqual({ ok: false, reason: "total_mismatch" });
    expect(await agreeArrangement(promise(account, 10_000, [addDays(t, 7), addDays(t, 14)]))).toEqual({ ok: false, reason: "total_mismatch" });
    expect(await agreeArrangement({ ...promise(account, 10_000, [addDays(t, 7)]), frequency: "weekly" })).toEqual({ ok: false, reason: "invalid_arrangement" });
    expect(await counts()).toEqual(before);

    // Paying today is a promise too.
    const ok = await agreeOk(promise(account, 10_000, [t]));
    expect(await getAccountArrangement(ALEX, account)).toMatchObject({ id: ok.arrangementId, kind: "promise", totalMinor: 10_000, balanceMinor: balance, discountMinor: 0 });
  });
});

describe("review", () => {
  test("a plan that breaks an auto-approve rule waits for review until the end of its due day in New York", async () => {
    const balance = 60_000;
    const account = await newAccount(balance);
    const reviewDueOn = addDays(today(), 2);
    const result = await agreeOk(planInput(account, balance, { policyRules: ["plan_longer_than_auto_approve"], reviewDueOn }));
    expect(result.status).toBe("pending_review");
    const endOfDay = startOfDayIn(addDays(reviewDueOn, 1), ZONE);
    expect(result.reviewDueAt?.toISOString()).toBe(endOfDay.toISOString());
    // 4 or 5 hours after UTC midnight, depending on daylight saving time.
    expect([4, 5]).toContain(endOfDay.getUTCHours());

    const arrangement = await getAccountArrangement(ALEX, account);
    expect(arrangement).toMatchObject({ status: "pending_review", policyRules: ["plan_longer_than_auto_approve"], canMove: false });
    expect(arrangement!.reviewDueAt?.toISOString()).toBe(endOfDay.toISOString());
    expect((await auditRows(result.arrangementId))[0]!.metadata).toMatchObject({ status: "pending_review", policy_rules: 1, review_due_on: reviewDueOn });

    // Nothing moves while staff decide.
    expect(
      await moveInstallment({ borrowerId: ALEX, accountId: account, installmentId: arrangement!.installments[0]!.id, newDueOn: addDays(arrangement!.installments[0]!.dueOn, 1), consent: consent() }),
    ).toEqual({ ok: false, reason: "not_active" });
  });

  test("within policy the review date is ignored: active at once, no due time", async () => {
    const account = await newAccount(15_000);
    const result = await agreeOk(planInput(account, 15_000, { reviewDueOn: addDays(today(), 2) }));
    expect(result).toMatchObject({ status: "active", reviewDueAt: null });
  });
});

describe("moving a payment", () => {
  /** A weekly plan: payments 10, 17 and 24 days from today. */
  async function weeklyPlan(balance = 30_000) {
    const account = await newAccount(balance);
    const t = today();
    const result = await agreeOk(planInput(account, balance, { frequency: "weekly", installments: split(balance, [addDays(t, 10), addDays(t, 17), addDays(t, 24)]) }));
    const arrangement = (await getAccountArrangement(ALEX, account))!;
    return { account, arrangementId: result.arrangementId, installments: arrangement.installments };
  }

  const move = (account: string, installmentId: string, newDueOn: string, borrowerId = ALEX) => moveInstallment({ borrowerId, accountId: account, installmentId, newDueOn, consent: consent() });

  test("dates must stay in order, after today, later than now and within the limit; each refusal writes nothing", async () => {
    const { account, installments } = await weeklyPlan();
    const [first, second] = installments;
    const before = await counts();
    const t = today();
    expect(await move(account, first!.id, second!.dueOn)).toEqual({ ok: false, reason: "invalid_move" });
    expect(await move(account, first!.id, addDays(second!.dueOn, 1))).toEqual({ ok: false, reason: "invalid_move" });
    expect(await move(account, first!.id, first!.dueOn)).toEqual({ ok: false, reason: "invalid_move" });
    expect(await move(account, first!.id, addDays(first!.dueOn, -1))).toEqual({ ok: false, reason: "invalid_move" });
    expect(await move(account, first!.id, t)).toEqual({ ok: false, reason: "invalid_move" });
    // The last payment has no next one, but may still move at most 14 days.
    const last = installments[2]!;
    expect(await move(account, last.id, addDays(last.originalDueOn, 15))).toEqual({ ok: false, reason: "invalid_move" });
    expect(await counts()).toEqual(before);
  });

  test("one payment moves once, with its consent and audit event; then no other moves for 6 months", async () => {
    const { account, arrangementId, installments } = await weeklyPlan();
    const [first, second] = installments;
    const before = await counts();
    const to = addDays(second!.dueOn, -1);
    const result = await move(account, first!.id, to);
    expect(result).toEqual({ ok: true, installmentId: first!.id, dueOn: to });
    expect(await counts()).toMatchObject({ arrangements: before.arrangements, installments: before.installments, consents: before.consents + 1, audits: before.audits + 1 });

    const arrangement = (await getAccountArrangement(ALEX, account))!;
    expect(arrangement.canMove).toBe(false);
    expect(arrangement.installments[0]).toMatchObject({ id: first!.id, dueOn: to, originalDueOn: first!.dueOn, status: "scheduled" });
    expect(arrangement.installments[0]!.movedAt).toBeInstanceOf(Date);
    expect(arrangement.installments.slice(1).map((i) => i.movedAt)).toEqual([null, null]);

    const stored = await latestConsent(account);
    expect(stored).toMatchObject({ kind: "plan_change", action: "granted", borrower_id: ALEX });
    expect(stored!.text_sha256).toBe(consentHash(stored!.body));
    expect(await auditRows(first!.id)).toEqual([
      {
        action: "installment.moved",
        actor_kind: "borrower",
        actor_id: ALEX,
        subject_kind: "installment",
        account_id: account,
        metadata: expect.objectContaining({ arrangement_id: arrangementId, seq: 1, from: first!.dueOn, to, original_due_on: first!.dueOn }),
      },
    ]);

    // Once per 6 months, whichever payment.
    const third = arrangement.installments[2]!;
    expect(await move(account, third.id, addDays(third.dueOn, 1))).toEqual({ ok: false, reason: "move_not_allowed" });

    // Seven months later (moved_at rewritten as the table owner) it may move again.
    await testDb().query("update app.installments set moved_at = now() - interval '7 months' where id = $1", [first!.id]);
    expect((await getAccountArrangement(ALEX, account))!.canMove).toBe(true);
    expect(await move(account, third.id, addDays(third.dueOn, 14))).toEqual({ ok: true, installmentId: third.id, dueOn: addDays(third.dueOn, 14) });
  });

  test("a payment already made cannot move, and a wrong consent hash moves nothing", async () => {
    const { account, installments } = await weeklyPlan();
    const [first, second] = installments;
    await testDb().query("update app.installments set status = 'paid', paid_minor = amount_minor where id = $1", [first!.id]);
    expect(await move(account, first!.id, addDays(first!.dueOn, 1))).toEqual({ ok: false, reason: "invalid_move" });

    const before = await counts();
    expect(
      await moveInstallment({ borrowerId: ALEX, accountId: account, installmentId: second!.id, newDueOn: addDays(second!.dueOn, 1), consent: { ...consent(), sha256: consentHash("something else") } }),
    ).toEqual({ ok: false, reason: "consent_hash_mismatch" });
    expect(await counts()).toEqual(before);
    expect((await getAccountArrangement(ALEX, account))!.installments[1]).toMatchObject({ dueOn: second!.dueOn, movedAt: null });
  });

  test("a creditor whose policy allows 0 days lets no payment move", async () => {
    const { account, installments } = await weeklyPlan();
    await testDb().query("update app.creditors set plan_policy = plan_policy || '{\"movePaymentMaxDays\": 0}'::jsonb");
    try {
      const arrangement = (await getAccountArrangement(ALEX, account))!;
      expect(arrangement).toMatchObject({ movePaymentMaxDays: 0, canMove: false });
      expect(await move(account, installments[0]!.id, addDays(installments[0]!.dueOn, 1))).toEqual({ ok: false, reason: "move_not_allowed" });
      // A policy stored before the key existed reads as 14.
      await testDb().query("update app.creditors set plan_policy = plan_policy - 'movePaymentMaxDays'");
      expect((await getAccountArrangement(ALEX, account))!).toMatchObject({ movePaymentMaxDays: 14, canMove: true });
    } finally {
      await testDb().query("update app.creditors set plan_policy = plan_policy || '{\"movePaymentMaxDays\": 14}'::jsonb");
    }
  });

  test("an installment of an ended arrangement is not found", async () => {
    const { account, arrangementId, installments } = await weeklyPlan();
    expect((await cancelArrangement({ borrowerId: ALEX, accountId: account, arrangementId, consent: consent() })).ok).toBe(true);
    await notFound(move(account, installments[1]!.id, addDays(installments[1]!.dueOn, 1)));
  });
});

describe("cancelling", () => {
  test("cancels the arrangement and its scheduled payments with a consent and an audit event; a second cancel is not_live", async () => {
    const balance = 45_000;
    const account = await newAccount(balance);
    const agreed = await agreeOk(planInput(account, balance));
    const { installments } = (await getAccountArrangement(ALEX, account))!;
    // The first payment was made: it stays paid.
    await testDb().query("update app.installments set status = 'paid', paid_minor = amount_minor where id = $1", [installments[0]!.id]);

    const before = await counts();
    // A tampered consent changes nothing.
    expect(await cancelArrangement({ borrowerId: ALEX, accountId: account, arrangementId: agreed.arrangementId, consent: { ...consent(), sha256: "0".repeat(64) } })).toEqual({
      ok: false,
      reason: "consent_hash_mismatch",
    });
    expect(await counts()).toEqual(before);

    const cancelConsent = consent("Cancel terms\nYour plan ends today.");
    expect(await cancelArrangement({ borrowerId: ALEX, accountId: account, arrangementId: agreed.arrangementId, consent: cancelConsent })).toEqual({
      ok: true,
      arrangementId: agreed.arrangementId,
      status: "cancelled",
    });
    expect(await counts()).toEqual({ ...before, consents: before.consents + 1, texts: before.texts + 1, audits: before.audits + 1 });

    const arrangement = (await getAccountArrangement(ALEX, account))!;
    expect(arrangement).toMatchObject({ id: agreed.arrangementId, status: "cancelled", canMove: false });
    expect(arrangement.endedAt).toBeInstanceOf(Date);
    expect(arrangement.installments.map((i) => i.status)).toEqual(["paid", "cancelled", "cancelled"]);

    expect(await latestConsent(account)).toMatchObject({ kind: "plan_change", action: "granted", body: cancelConsent.body, text_sha256: cancelConsent.sha256 });
    const audit = await auditRows(agreed.arrangementId);
    expect(audit.map((a) => a.action)).toEqual(["arrangement.agreed", "arrangement.cancelled"]);
    expect(audit[1]!.metadata).toEqual(expect.objectContaining({ kind: "plan", previous_status: "active", installments_cancelled: 2 }));

    const again = await counts();
    expect(await cancelArrangement({ borrowerId: ALEX, accountId: account, arrangementId: agreed.arrangementId, consent: consent() })).toEqual({ ok: false, reason: "not_live" });
    expect(await counts()).toEqual(again);
  });

  test("after a cancel a new arrangement may be agreed; the live one is shown, then the most recent", async () => {
    const balance = 20_000;
    const account = await newAccount(balance);
    const first = await agreeOk(planInput(account, balance, { policyRules: ["plan_longer_than_auto_approve"], reviewDueOn: addDays(today(), 2) }));
    // A request waiting for review can be withdrawn.
    expect((await cancelArrangement({ borrowerId: ALEX, accountId: account, arrangementId: first.arrangementId, consent: consent() })).ok).toBe(true);
    expect((await getAccountArrangement(ALEX, account))!).toMatchObject({ id: first.arrangementId, status: "cancelled" });

    const second = await agreeOk(planInput(account, balance));
    expect((await getAccountArrangement(ALEX, account))!).toMatchObject({ id: second.arrangementId, status: "active" });
    expect((await cancelArrangement({ borrowerId: ALEX, accountId: account, arrangementId: second.arrangementId, consent: consent() })).ok).toBe(true);
    expect((await getAccountArrangement(ALEX, account))!).toMatchObject({ id: second.arrangementId, status: "cancelled" });
    // The earlier one, cancelled, still cannot be cancelled again.
    expect(await cancelArrangement({ borrowerId: ALEX, accountId: account, arrangementId: first.arrangementId, consent: consent() })).toEqual({ ok: false, reason: "not_live" });
  });
});

describe("the consent trail is append-only", () => {
  test.each([
    ["update", "app.consents", "update app.consents set user_agent = null"],
    ["delete", "app.consents", "delete from app.consents"],
    ["truncate", "app.consents", "truncate app.consents cascade"],
    ["update", "app.consent_texts", "update app.consent_texts set body = 'other words'"],
    ["delete", "app.consent_texts", "delete from app.consent_texts"],
  ])("%s on %s is refused", async (operation, table, sql) => {
    const before = await counts();
    expect(before.consents).toBeGreaterThan(0);
    const error = await testDb()
      .query(sql)
      .then(
        () => null,
        (e: unknown) => e as { code?: string; message: string },
      );
    expect(error?.code).toBe("55000");
    expect(error?.message).toBe(`${table} is append-only: ${operation.toUpperCase()} is not allowed`);
    expect(await counts()).toEqual(before);
  });

  test("the audit events of arrangements cannot be rewritten either", async () => {
    const error = await testDb()
      .query("update app.audit_events set metadata = '{}' where action like 'arrangement.%'")
      .then(
        () => null,
        (e: unknown) => e as { code?: string },
      );
    expect(error?.code).toBe("55000");
  });

  test("every consent's hash is the SHA-256 of the text it points at", async () => {
    const { rows } = await testDb().query<{ body: string; sha256: string; text_sha256: string }>(
      "select t.body, t.sha256, k.text_sha256 from app.consents as k join app.consent_texts as t on t.id = k.text_id",
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      expect(row.sha256).toBe(consentHash(row.body));
      expect(row.text_sha256).toBe(row.sha256);
    }
  });
});
