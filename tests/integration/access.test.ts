/**
 * Borrower access end to end through the app's own modules (issue 4 items 1–4 and 9): secure
 * links stored only as hashes, opening without spending, the one-fact check with its
 * per-link lockout and per-IP limit, one session from racing right answers, sessions with
 * idle and absolute expiry and sign-out, "send me a new link" into the local outbox, and
 * audit rows free of tokens, answers and addresses. Time is moved by rewriting timestamps
 * as the table owner; nothing of ours is mocked.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";
import { render } from "@react-email/render";
import { describe, expect, test, vi } from "vitest";
import { getLocalEmail, listLocalEmails } from "~/services/email/local-outbox.server";
import { deliverOutboxMessage, runOutbox } from "~/services/email/outbox.server";
import { rpc } from "~/services/supabase/rpc.server";
import {
  generateToken,
  hashClientIp,
  hashToken,
  issueAccessLink,
  openAccessLink,
  requestNewLink,
  throttleKey,
  TokenSchema,
  UnknownAccountReferenceError,
  verifyAccessAnswer,
} from "~/utils/access-links.server";
import { getEmailT } from "~/services/email/t.server";
import { getEnv, resetEnvForTests } from "~/utils/env.server";
import { deriveLinkToken, linkTokenFor, newDerivedLink } from "~/utils/link-token.server";
import { outboxTemplates } from "~/utils/outbox-templates/index.server";
import { OutboxMessageSchema } from "~/utils/outbox-templates/types.server";
import {
  clearLinkToken,
  commitBorrowerSession,
  endBorrowerSession,
  getBorrowerSession,
  getLinkToken,
  requireBorrowerSession,
  setLinkToken,
} from "~/utils/session.server";
import { z } from "zod";
import { newAccount } from "../setup/accounts";
import { onRealPostgres, testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { clearOutbox, newBorrower, outboxRow, settleOutbox, storedEmails, templateEmails, templateMessages } from "../setup/outbox";

const ALEX = "b0000000-0000-4000-8000-000000000001";
const MARIA = "b0000000-0000-4000-8000-000000000002";
const SAM = "b0000000-0000-4000-8000-000000000003";
const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";
const ALEX_DOB = "1985-04-12";
const MARIA_DOB = "1979-11-03";

withLocalEmail();

/** Everything secret this file handles; the last test looks for each in the audit trail. */
const secrets = new Set<string>();
const answers = new Set<string>();

let ipCounter = 0;
/** A fresh client address per test, so the per-IP limit of one test never touches another. */
function newIp(): string {
  ipCounter += 1;
  const ip = `198.51.100.${ipCounter}`;
  secrets.add(ip);
  secrets.add(hashClientIp(ip));
  return ip;
}

async function newLink(reference = "DEMO-1001", purpose: "outreach" | "resend" = "outreach"): Promise<string> {
  const { url } = await issueAccessLink({ accountReference: reference, purpose });
  const token = url.slice(url.lastIndexOf("/l/") + 3);
  secrets.add(token);
  secrets.add(hashToken(token));
  return token;
}

async function answer(token: string, given: string, clientIp: string) {
  answers.add(given);
  const result = await verifyAccessAnswer({ token, answer: given, clientIp });
  if (result.status === "ok") {
    secrets.add(result.sessionId);
    secrets.add(hashToken(result.sessionId));
  }
  return result;
}

/** A request carrying the cookie a Set-Cookie header would leave in the browser. */
function requestWith(...setCookies: string[]): Request {
  const cookie = setCookies.map((header) => header.split(";")[0]).join("; ");
  return new Request("http://localhost:3000/", { headers: { Cookie: cookie } });
}

async function signIn(reference = "DEMO-1001", dob = ALEX_DOB): Promise<{ sessionId: string; request: Request }> {
  const token = await newLink(reference);
  const result = await answer(token, dob, newIp());
  if (result.status !== "ok") throw new Error(`sign-in failed: ${result.status}`);
  return { sessionId: result.sessionId, request: requestWith(await commitBorrowerSession(result.sessionId)) };
}

async function linkRow(token: string) {
  const { rows } = await testDb().query<{ id: string; failed_attempts: number; locked_until: Date | null; used_at: Date | null; purpose: string; expires_at: Date; created_at: Date }>(
    "select id, failed_attempts, locked_until, used_at, purpose, expires_at, created_at from app.access_links where token_hash = $1",
    [hashToken(token)],
  );
  return rows[0];
}

/** Every row of every table in app as text, except the local email outbox (an email carries its link by design). */
async function allRowsText(except: string[] = []): Promise<string> {
  const { rows: tables } = await testDb().query<{ name: string }>(`
    select format('%I.%I', n.nspname, c.relname) as name
      from pg_catalog.pg_class as c
      join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
     where n.nspname = 'app' and c.relkind = 'r'`);
  let text = "";
  for (const { name } of tables) {
    if (name === "app.local_sent_emails" || name === "app.time_zones" || except.includes(name)) continue;
    const { rows } = await testDb().query<{ t: string | null }>(`select string_agg(row_to_json(x)::text, E'\\n') as t from ${name} as x`);
    text += `${rows[0]?.t ?? ""}\n`;
  }
  return text;
}

describe("tokens and links", () => {
  test("a token is 32 random bytes in base64url, and malformed ones never reach the database", async () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(generateToken()).not.toBe(token);
    expect(hashToken(token)).toBe(createHash("sha256").update(token).digest("hex"));
    for (const bad of ["", "short", `${token}x`, `${token.slice(0, 42)}=`, `${token.slice(0, 42)}/`, "a".repeat(10_000)]) {
      expect(TokenSchema.safeParse(bad).success).toBe(false);
      expect(await openAccessLink(bad)).toEqual({ status: "unknown" });
      expect(await verifyAccessAnswer({ token: bad, answer: ALEX_DOB, clientIp: newIp() })).toEqual({ status: "unknown" });
    }
  });

  test("the token is stored only as its SHA-256: no row anywhere contains it", async () => {
    const token = await newLink();
    const row = await linkRow(token);
    expect(row).toBeDefined();
    expect(row!.purpose).toBe("outreach");
    const text = await allRowsText();
    expect(text).toContain(hashToken(token));
    expect(text).not.toContain(token);
  });

  test("issueAccessLink gives an APP_URL link: outreach for 30 days, resend for 30 minutes; references are matched loosely", async () => {
    const before = Date.now();
    const outreach = await issueAccessLink({ accountReference: "DEMO-1001" });
    expect(outreach.url).toMatch(/^http:\/\/localhost:3000\/l\/[A-Za-z0-9_-]{43}$/);
    expect(outreach.expiresAt.getTime() - before).toBeGreaterThan(30 * 86_400_000 - 60_000);
    expect(outreach.expiresAt.getTime() - before).toBeLessThan(30 * 86_400_000 + 60_000);
    const resend = await issueAccessLink({ accountReference: " demo-1002 ", purpose: "resend" });
    expect(resend.language).toBe("es");
    expect(Math.abs(resend.expiresAt.getTime() - before - 30 * 60_000)).toBeLessThan(60_000);
    await expect(issueAccessLink({ accountReference: "DEMO-9999" })).rejects.toBeInstanceOf(UnknownAccountReferenceError);
  });

  test("opening a link twice before answering works, and never spends it", async () => {
    const token = await newLink();
    const first = await openAccessLink(token);
    const second = await openAccessLink(token);
    expect(first).toEqual(second);
    expect(first).toMatchObject({
      status: "ready",
      checkKind: "date_of_birth",
      language: "en",
      creditor: { name: "Northwind Lending", supportPhone: "+18005550199", supportHours: { en: expect.any(String), es: expect.any(String) } },
    });
    expect((await linkRow(token))!.used_at).toBeNull();
    expect(await answer(token, ALEX_DOB, newIp())).toMatchObject({ status: "ok", borrowerId: ALEX, accountId: DEMO_1001, language: "en" });
  });

  test("the check kind and language follow the borrower: ZIP for Sam, Spanish for María", async () => {
    expect(await openAccessLink(await newLink("DEMO-1004"))).toMatchObject({ status: "ready", checkKind: "postal_code", language: "en" });
    expect(await openAccessLink(await newLink("DEMO-1002"))).toMatchObject({ status: "ready", checkKind: "date_of_birth", language: "es" });
    expect(await answer(await newLink("DEMO-1003"), "94110", newIp())).toMatchObject({ status: "ok", borrowerId: SAM });
    expect(await answer(await newLink("DEMO-1002"), MARIA_DOB, newIp())).toMatchObject({ status: "ok", borrowerId: MARIA, language: "es" });
  });

  test("a spent link cannot sign in again, and says so", async () => {
    const token = await newLink();
    const ip = newIp();
    const first = await answer(token, ALEX_DOB, ip);
    expect(first.status).toBe("ok");
    expect(await answer(token, ALEX_DOB, ip)).toEqual({ status: "used" });
    expect(await answer(token, "1900-01-01", ip)).toEqual({ status: "used" });
    expect(await openAccessLink(token)).toMatchObject({ status: "used", language: "en", creditor: { name: "Northwind Lending" } });
    const { rows } = await testDb().query("select count(*)::int as n from app.borrower_sessions where link_id = $1", [(await linkRow(token))!.id]);
    expect(rows[0]).toEqual({ n: 1 });
  });

  test("an expired link is 'expired' when opened and when answered", async () => {
    const token = await newLink();
    await testDb().query(
      "update app.access_links set created_at = now() - interval '31 days', expires_at = now() - interval '1 second' where token_hash = $1",
      [hashToken(token)],
    );
    expect(await openAccessLink(token)).toMatchObject({ status: "expired", language: "en" });
    expect(await answer(token, ALEX_DOB, newIp())).toEqual({ status: "expired" });
    expect(await openAccessLink(generateToken())).toEqual({ status: "unknown" });
  });
});

describe("lockout", () => {
  test("five wrong answers lock the link; then even the right answer is refused until the lock ends", async () => {
    const token = await newLink();
    const ip = newIp();
    for (let i = 1; i <= 4; i++) {
      expect(await answer(token, `1985-04-${String(12 + i)}`, ip)).toEqual({ status: "wrong", attemptsLeft: 5 - i });
    }
    const fifth = await answer(token, "1986-04-12", ip);
    expect(fifth.status).toBe("locked");
    const lockedUntil = (fifth as { lockedUntil: Date }).lockedUntil;
    expect(Math.abs(lockedUntil.getTime() - Date.now() - 30 * 60_000)).toBeLessThan(60_000);

    expect(await answer(token, ALEX_DOB, ip)).toEqual({ status: "locked", lockedUntil });
    expect(await openAccessLink(token)).toMatchObject({ status: "locked", lockedUntil, checkKind: "date_of_birth" });
    expect((await linkRow(token))!.used_at).toBeNull();

    // The lock ends: the count starts again, and the right answer works.
    await testDb().query("update app.access_links set locked_until = now() - interval '1 second' where token_hash = $1", [hashToken(token)]);
    expect(await openAccessLink(token)).toMatchObject({ status: "ready" });
    expect(await answer(token, "1985-12-04", ip)).toEqual({ status: "wrong", attemptsLeft: 4 });
    expect(await answer(token, ALEX_DOB, ip)).toMatchObject({ status: "ok", borrowerId: ALEX });
  });

  test("a double submit of the same wrong answer counts twice: no counter is skipped", async () => {
    const token = await newLink();
    const ip = newIp();
    expect(await answer(token, "2000-01-01", ip)).toEqual({ status: "wrong", attemptsLeft: 4 });
    expect(await answer(token, "2000-01-01", ip)).toEqual({ status: "wrong", attemptsLeft: 3 });
    expect((await linkRow(token))!.failed_attempts).toBe(2);
  });

  test("an answer that is not even the right shape counts as wrong (the route parses first)", async () => {
    const token = await newLink("DEMO-1003");
    const ip = newIp();
    expect(await answer(token, "", ip)).toEqual({ status: "wrong", attemptsLeft: 4 });
    expect(await answer(token, "x".repeat(500), ip)).toEqual({ status: "wrong", attemptsLeft: 3 });
    expect(await answer(token, "94110-0001", ip)).toMatchObject({ status: "ok", borrowerId: SAM });
  });

  test("audit: each failure is access.check_failed, the lock is access.locked, the sign-in access.signed_in", async () => {
    const token = await newLink();
    const ip = newIp();
    for (let i = 0; i < 5; i++) await answer(token, `1970-01-0${i + 1}`, ip);
    const link = await linkRow(token);
    const { rows } = await testDb().query<{ action: string; reason_code: string | null; metadata: Record<string, unknown>; account_id: string }>(
      "select action, reason_code, metadata, account_id from app.audit_events where subject_id = $1 order by event_no",
      [link!.id],
    );
    expect(rows.map((r) => r.action)).toEqual([
      "access.link_issued",
      "access.check_failed",
      "access.check_failed",
      "access.check_failed",
      "access.check_failed",
      "access.check_failed",
      "access.locked",
    ]);
    expect(rows[1]).toMatchObject({ reason_code: "wrong_date_of_birth", metadata: { failed_attempts: 1 }, account_id: DEMO_1001 });
    expect(rows[6]).toMatchObject({ reason_code: "too_many_wrong_answers" });
  });
});

describe("per-IP limit", () => {
  test("20 failures from one address in 30 minutes, across links, stop its answers; other addresses are unaffected", async () => {
    const ip = newIp();
    // Five wrong answers lock one link; fifteen answers to links that do not exist.
    const locked = await newLink();
    for (let i = 0; i < 5; i++) await answer(locked, `1960-01-0${i + 1}`, ip);
    for (let i = 0; i < 15; i++) expect(await answer(generateToken(), ALEX_DOB, ip)).toEqual({ status: "unknown" });

    const fresh = await newLink();
    expect(await answer(fresh, ALEX_DOB, ip)).toEqual({ status: "ip_limited" });
    // Refused without looking: nothing was counted against the link.
    expect((await linkRow(fresh))!.failed_attempts).toBe(0);
    expect(await answer(fresh, "1999-09-09", ip)).toEqual({ status: "ip_limited" });
    expect((await linkRow(fresh))!.failed_attempts).toBe(0);
    // An expired or used link still says so.
    expect(await answer(generateToken(), ALEX_DOB, ip)).toEqual({ status: "unknown" });

    expect(await answer(fresh, ALEX_DOB, newIp())).toMatchObject({ status: "ok" });

    // Half an hour later the address may try again.
    await testDb().query("update app.access_attempts set attempted_at = now() - interval '31 minutes' where ip_hash = $1", [hashClientIp(ip)]);
    expect(await answer(await newLink(), ALEX_DOB, ip)).toMatchObject({ status: "ok" });
  });

  test.each([
    ["192.0.2.1", "192.0.2.1"],
    [" 192.0.2.1 ", "192.0.2.1"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["::FFFF:192.0.2.1", "192.0.2.1"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["2001:db8:0:0:ffff::9", "2001:db8:0:0::/64"],
    ["[2001:db8:1:2::5]", "2001:db8:1:2::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["unknown", "unknown"],
  ])("the limits count %j as %j (IPv6 by its /64: one home holds a whole /64)", (ip, key) => {
    expect(throttleKey(ip)).toBe(key);
  });

  test("two addresses of one IPv6 /64 share a limit", async () => {
    expect(hashClientIp("2001:db8:7:7::1")).toBe(hashClientIp("2001:db8:7:7:ffff:1:2:3"));
    expect(hashClientIp("2001:db8:7:7::1")).not.toBe(hashClientIp("2001:db8:7:8::1"));
  });

  test("the database holds an HMAC of the address, never the address", async () => {
    const ip = "203.0.113.77";
    secrets.add(ip);
    secrets.add(hashClientIp(ip));
    await answer(await newLink(), "1900-02-02", ip);
    const { rows } = await testDb().query("select count(*)::int as n from app.access_attempts where ip_hash = $1", [hashClientIp(ip)]);
    expect(rows[0]).toEqual({ n: 1 });
    expect(hashClientIp(ip)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashClientIp(ip)).not.toBe(createHash("sha256").update(ip).digest("hex"));
    expect(await allRowsText()).not.toContain(ip);
  });
});

describe.skipIf(!onRealPostgres())("races (real PostgreSQL)", () => {
  test("racing right answers on one link give exactly one session", async () => {
    const token = await newLink();
    // Open the pool's connections first, so the answers really arrive together.
    await Promise.all(Array.from({ length: 6 }, () => openAccessLink(token)));
    const results = await Promise.all(Array.from({ length: 6 }, () => answer(token, ALEX_DOB, newIp())));
    expect(results.filter((r) => r.status === "ok")).toHaveLength(1);
    expect(results.filter((r) => r.status === "used")).toHaveLength(5);
    const { rows } = await testDb().query("select count(*)::int as n from app.borrower_sessions where link_id = $1", [(await linkRow(token))!.id]);
    expect(rows[0]).toEqual({ n: 1 });
  });

  test("racing wrong answers each count: five at once lock the link", async () => {
    const token = await newLink();
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => answer(token, `1950-05-0${i + 1}`, newIp())));
    const wrong = results.filter((r) => r.status === "wrong").map((r) => (r as { attemptsLeft: number }).attemptsLeft);
    expect(wrong.sort()).toEqual([1, 2, 3, 4]);
    expect(results.filter((r) => r.status === "locked")).toHaveLength(1);
    expect((await linkRow(token))!.failed_attempts).toBe(5);
  });
});

describe("sessions", () => {
  test("a sign-in sets an httpOnly, Lax cookie holding a session whose hash alone is stored", async () => {
    const token = await newLink();
    const result = await answer(token, ALEX_DOB, newIp());
    if (result.status !== "ok") throw new Error("expected ok");
    const setCookie = await commitBorrowerSession(result.sessionId);
    expect(setCookie).toMatch(/^repay_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(/Max-Age=43200/);
    const { rows } = await testDb().query("select count(*)::int as n from app.borrower_sessions where id_hash = $1", [hashToken(result.sessionId)]);
    expect(rows[0]).toEqual({ n: 1 });
    expect(await allRowsText()).not.toContain(result.sessionId);

    const session = await getBorrowerSession(requestWith(setCookie));
    expect(session).toMatchObject({ status: "ok", borrowerId: ALEX, language: "en" });
    if (session.status !== "ok") throw new Error("expected ok");
    expect(Math.abs(session.idleExpiresAt.getTime() - Date.now() - 15 * 60_000)).toBeLessThan(60_000);
    expect(Math.abs(session.absoluteExpiresAt.getTime() - Date.now() - 12 * 3_600_000)).toBeLessThan(60_000);
    expect(await requireBorrowerSession(requestWith(setCookie))).toMatchObject({ status: "ok", borrowerId: ALEX });
  });

  test("each sign-in gets a new session id", async () => {
    const a = await signIn();
    const b = await signIn();
    expect(a.sessionId).not.toBe(b.sessionId);
  });

  test("no cookie, a tampered cookie or an unknown session is 'none'; require redirects to /", async () => {
    expect(await getBorrowerSession(new Request("http://localhost:3000/"))).toEqual({ status: "none" });
    const forged = `repay_session=${encodeURIComponent(btoa(JSON.stringify(generateToken())))}`;
    expect(await getBorrowerSession(requestWith(forged))).toEqual({ status: "none" });
    const unknown = requestWith(await commitBorrowerSession(generateToken()));
    expect(await getBorrowerSession(unknown)).toEqual({ status: "none" });
    const thrown = await requireBorrowerSession(new Request("http://localhost:3000/")).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(302);
    expect((thrown as Response).headers.get("Location")).toBe("/");
  });

  test("15 minutes without a request end a session; require sends it to the friendly page and clears the cookie", async () => {
    const { sessionId, request } = await signIn();
    await testDb().query(
      "update app.borrower_sessions set created_at = now() - interval '20 minutes', last_seen_at = now() - interval '15 minutes 1 second' where id_hash = $1",
      [hashToken(sessionId)],
    );
    expect(await getBorrowerSession(request)).toEqual({ status: "expired", reason: "idle" });
    const thrown = await requireBorrowerSession(request).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).headers.get("Location")).toBe("/signed-out?reason=expired");
    expect((thrown as Response).headers.get("Set-Cookie")).toMatch(/^repay_session=;.*Max-Age=0/);
  });

  test("activity moves the idle limit on", async () => {
    const { sessionId, request } = await signIn();
    await testDb().query(
      "update app.borrower_sessions set created_at = now() - interval '20 minutes', last_seen_at = now() - interval '14 minutes' where id_hash = $1",
      [hashToken(sessionId)],
    );
    expect(await getBorrowerSession(request)).toMatchObject({ status: "ok" });
    const { rows } = await testDb().query<{ idle: boolean }>(
      "select last_seen_at > now() - interval '1 minute' as idle from app.borrower_sessions where id_hash = $1",
      [hashToken(sessionId)],
    );
    expect(rows[0]!.idle).toBe(true);
  });

  test("12 hours after sign-in a session ends however active it is", async () => {
    const { sessionId, request } = await signIn();
    await testDb().query(
      `update app.borrower_sessions
          set created_at = now() - interval '12 hours 1 minute', absolute_expires_at = now() - interval '1 minute',
              last_seen_at = now() - interval '1 minute'
        where id_hash = $1`,
      [hashToken(sessionId)],
    );
    expect(await getBorrowerSession(request)).toEqual({ status: "expired", reason: "absolute" });
  });

  test("sign out ends this session only; sign out everywhere ends all of the borrower's", async () => {
    const phone = await signIn();
    const laptop = await signIn();
    const tablet = await signIn();
    const maria = await signIn("DEMO-1002", MARIA_DOB);

    const cleared = await endBorrowerSession(phone.request);
    expect(cleared).toMatch(/^repay_session=;.*Max-Age=0/);
    expect(await getBorrowerSession(phone.request)).toEqual({ status: "expired", reason: "signed_out" });
    expect(await getBorrowerSession(laptop.request)).toMatchObject({ status: "ok" });

    await endBorrowerSession(laptop.request, { everywhere: true });
    expect(await getBorrowerSession(laptop.request)).toEqual({ status: "expired", reason: "signed_out" });
    expect(await getBorrowerSession(tablet.request)).toEqual({ status: "expired", reason: "signed_out" });
    expect(await getBorrowerSession(maria.request)).toMatchObject({ status: "ok", borrowerId: MARIA });

    const { rows } = await testDb().query<{ action: string; actor_id: string; metadata: Record<string, unknown> }>(
      `select action, actor_id, metadata from app.audit_events
        where action like 'session.%' and subject_id in (select id from app.borrower_sessions where id_hash = any($1))
        order by event_no`,
      [[hashToken(phone.sessionId), hashToken(laptop.sessionId)]],
    );
    expect(rows.map((r) => r.action)).toEqual(["session.signed_out", "session.signed_out_everywhere"]);
    expect(rows[1]!.actor_id).toBe(ALEX);
    expect(rows[1]!.metadata.sessions_revoked).toBeGreaterThanOrEqual(2);

    // Without a session there is nothing to end, and no error.
    expect(await endBorrowerSession(new Request("http://localhost:3000/"))).toMatch(/Max-Age=0/);
  });

  test("in production the cookies are Secure and __Host- prefixed", async () => {
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("APP_URL", "https://repay.example.com");
    vi.stubEnv("SESSION_SECRET", "a-production-secret-of-at-least-32-characters");
    vi.stubEnv("ALLOW_LOCAL_SERVICES", "1");
    resetEnvForTests();
    try {
      const session = await commitBorrowerSession(generateToken());
      expect(session).toMatch(/^__Host-repay_session=/);
      expect(session).toMatch(/; Secure/);
      expect(session).toMatch(/; Path=\//);
      expect(session).not.toMatch(/Domain=/i);
      const link = await setLinkToken(generateToken());
      expect(link).toMatch(/^__Host-repay_link=.*; Secure/);
      const { url } = await issueAccessLink({ accountReference: "DEMO-1005" });
      expect(url).toMatch(/^https:\/\/repay\.example\.com\/l\/[A-Za-z0-9_-]{43}$/);
    } finally {
      vi.unstubAllEnvs();
      resetEnvForTests();
    }
  });

  test("the session reports the borrower's saved language", async () => {
    const { request } = await signIn("DEMO-1002", MARIA_DOB);
    expect(await getBorrowerSession(request)).toMatchObject({ status: "ok", language: "es" });
  });

  test("the link cookie carries a token for 15 minutes, signed, and refuses anything else", async () => {
    const token = generateToken();
    const setCookie = await setLinkToken(token);
    expect(setCookie).toMatch(/^repay_link=/);
    expect(setCookie).toMatch(/Max-Age=900/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(await getLinkToken(requestWith(setCookie))).toBe(token);
    expect(await getLinkToken(new Request("http://localhost:3000/"))).toBeNull();
    const unsigned = `repay_link=${encodeURIComponent(btoa(JSON.stringify(token)))}`;
    expect(await getLinkToken(requestWith(unsigned))).toBeNull();
    expect(await clearLinkToken()).toMatch(/^repay_link=;.*Max-Age=0/);
    await expect(setLinkToken("not a token")).rejects.toThrow();
  });
});

describe("send me a new link", () => {
  const NewLinkRpcSchema = z.object({ matched: z.boolean(), throttled: z.boolean().optional() }).loose();

  async function emailsTo(address: string) {
    return (await listLocalEmails(500)).filter((email) => email.to.includes(address));
  }

  test("a match by email or reference sends a 30-minute link that works; the call resolves the same either way", async () => {
    const before = (await emailsTo("alex.rivera@example.com")).length;
    expect(await requestNewLink({ identifier: "  Alex.Rivera@Example.com ", clientIp: newIp() })).toBeUndefined();
    expect(await requestNewLink({ identifier: "nobody@example.com", clientIp: newIp() })).toBeUndefined();
    await settleOutbox();
    const emails = await emailsTo("alex.rivera@example.com");
    expect(emails).toHaveLength(before + 1);
    const email = await getLocalEmail(emails[0]!.id);
    expect(email!.subject).toBe("Your new secure link for Northwind Lending");
    const url = /http:\/\/localhost:3000\/l\/([A-Za-z0-9_-]{43})/.exec(email!.text ?? "");
    expect(url).not.toBeNull();
    const token = url![1]!;
    secrets.add(token);
    secrets.add(hashToken(token));
    const row = await linkRow(token);
    expect(row!.purpose).toBe("resend");
    expect(Math.abs(row!.expires_at.getTime() - row!.created_at.getTime() - 30 * 60_000)).toBeLessThan(1000);
    expect(await openAccessLink(token)).toMatchObject({ status: "ready" });
    expect(await answer(token, ALEX_DOB, newIp())).toMatchObject({ status: "ok", borrowerId: ALEX });
    expect(await emailsTo("nobody@example.com")).toHaveLength(0);
    // It went through the outbox: one requested message about the link's account, holding its id.
    const [message, ...more] = await templateMessages("access.new_link", `access.new_link/${row!.id}`);
    expect(more).toEqual([]);
    expect(message).toMatchObject({ category: "requested", state: "sent", borrower_id: ALEX, account_id: DEMO_1001, params: { link_id: row!.id } });
    expect(email!.idempotency_key).toBe(`outbox/${message!.id}`);
  });

  test("a reference typed any way matches; María's email is in Spanish", async () => {
    const before = (await emailsTo("maria.lopez@example.net")).length;
    await requestNewLink({ identifier: " demo 1002 ".replace(" 1", "-1"), clientIp: newIp() });
    await settleOutbox();
    const emails = await emailsTo("maria.lopez@example.net");
    expect(emails).toHaveLength(before + 1);
    expect(emails[0]!.subject).toBe("Su nuevo enlace seguro para Northwind Lending");
  });

  test("match and no match have the same shape and a similar time", async () => {
    const time = async (identifier: string) => {
      const started = performance.now();
      const result = await requestNewLink({ identifier, clientIp: newIp() });
      return { result, ms: performance.now() - started };
    };
    const matched: number[] = [];
    const missed: number[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await time("DEMO-1005");
      const b = await time(`DEMO-${9000 + i}`);
      expect(a.result).toBe(b.result);
      matched.push(a.ms);
      missed.push(b.ms);
    }
    await settleOutbox();
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[1]!;
    // The email is sent after the call returns, so a match costs only an insert more.
    expect(Math.abs(median(matched) - median(missed))).toBeLessThan(150);
  });

  test("a borrower with no email on file gets no email, and the caller cannot tell", async () => {
    const creditor = "c0000000-0000-4000-8000-000000000001";
    await testDb().query(
      `insert into app.borrowers (id, creditor_id, full_name, email, language, time_zone, identity_check_kind, date_of_birth)
       values ('b0000000-0000-4000-8000-000000000009', $1, 'Robin Noemail', null, 'en', 'America/New_York', 'date_of_birth', '1970-07-07')`,
      [creditor],
    );
    await testDb().query(
      `insert into app.accounts (id, creditor_id, borrower_id, reference, product, opened_on, original_amount_minor, currency, itemization_date)
       values ('a0000000-0000-4000-8000-000000009001', $1, 'b0000000-0000-4000-8000-000000000009', 'DEMO-9001', 'personal_loan', current_date - 10, 1000, 'USD', current_date - 10)`,
      [creditor],
    );
    const before = (await listLocalEmails(500)).length;
    const link = newDerivedLink();
    const result = await rpc(
      "request_new_access_link",
      { p_identifier: "DEMO-9001", p_link_id: link.linkId, p_token_hash: link.tokenHash, p_ip_hash: hashClientIp(newIp()) },
      NewLinkRpcSchema,
    );
    expect(result).toEqual({ matched: false, throttled: false });
    expect(await requestNewLink({ identifier: "DEMO-9001", clientIp: newIp() })).toBeUndefined();
    await settleOutbox();
    expect((await listLocalEmails(500)).length).toBe(before);
    const { rows } = await testDb().query("select 1 from app.outbound_messages where borrower_id = 'b0000000-0000-4000-8000-000000000009'");
    expect(rows).toEqual([]);
  });

  test("five requests per address per hour, then nothing is sent even for a match", async () => {
    const ip = newIp();
    const call = () =>
      rpc("request_new_access_link", { p_identifier: "nobody@example.org", p_link_id: randomUUID(), p_token_hash: hashToken(generateToken()), p_ip_hash: hashClientIp(ip) }, NewLinkRpcSchema);
    for (let i = 0; i < 5; i++) expect(await call()).toEqual({ matched: false, throttled: false });
    const sixth = await rpc(
      "request_new_access_link",
      { p_identifier: "sam.okafor@example.com", p_link_id: randomUUID(), p_token_hash: hashToken(generateToken()), p_ip_hash: hashClientIp(ip) },
      NewLinkRpcSchema,
    );
    expect(sixth).toEqual({ matched: false, throttled: true });
  });

  test("three re-sent links per account per hour, however many addresses ask", async () => {
    const ask = () =>
      rpc("request_new_access_link", { p_identifier: "DEMO-1003", p_link_id: randomUUID(), p_token_hash: hashToken(generateToken()), p_ip_hash: hashClientIp(newIp()) }, NewLinkRpcSchema);
    const results = [await ask(), await ask(), await ask(), await ask()];
    expect(results.map((r) => r.matched)).toEqual([true, true, true, false]);
    expect(results[3]).toEqual({ matched: false, throttled: true });
  });

  test("overlong or empty identifiers are ignored without a query", async () => {
    expect(await requestNewLink({ identifier: "x".repeat(300), clientIp: newIp() })).toBeUndefined();
    expect(await requestNewLink({ identifier: "   ", clientIp: newIp() })).toBeUndefined();
  });

  test("every request is audited; a match names the account, a miss names nothing", async () => {
    const { rows } = await testDb().query<{ reason_code: string | null; account_id: string | null; subject_id: string | null; metadata: Record<string, unknown> }>(
      "select reason_code, account_id, subject_id, metadata from app.audit_events where action = 'access.new_link_requested' order by event_no",
    );
    const misses = rows.filter((r) => r.reason_code === "no_match");
    expect(misses.length).toBeGreaterThan(0);
    for (const miss of misses) expect(miss).toEqual({ reason_code: "no_match", account_id: null, subject_id: null, metadata: {} });
    const matches = rows.filter((r) => r.reason_code === null);
    expect(matches.length).toBeGreaterThan(0);
    for (const match of matches) expect(match.account_id).toMatch(/^a0000000-/);
    expect(rows.some((r) => r.reason_code === "ip_throttled")).toBe(true);
    expect(rows.some((r) => r.reason_code === "account_throttled")).toBe(true);
  });
});

describe("the new-link email goes through the outbox, its token in no table", () => {
  const QueuedSchema = z.object({ matched: z.boolean(), throttled: z.boolean().optional(), link_id: z.uuid().optional(), message_id: z.uuid().optional() });
  /** The one question of newBorrower's borrowers: their ZIP code. */
  const ZIP = "10001";

  /** A borrower of this test's own with one account. */
  async function ownAccount(email?: string): Promise<{ borrowerId: string; accountId: string; reference: string }> {
    const borrowerId = await newBorrower(email === undefined ? {} : { email });
    const accountId = await newAccount({ borrowerId, prefix: "LINK" });
    const { rows } = await testDb().query<{ reference: string }>("select reference from app.accounts where id = $1", [accountId]);
    return { borrowerId, accountId, reference: rows[0]!.reference };
  }

  /** Asks for a link as requestNewLink does, but without nudging the sender: its message stays queued. */
  async function queueLink(reference: string) {
    const link = newDerivedLink();
    secrets.add(link.token);
    secrets.add(link.tokenHash);
    const result = await rpc(
      "request_new_access_link",
      { p_identifier: reference, p_link_id: link.linkId, p_token_hash: link.tokenHash, p_ip_hash: hashClientIp(newIp()) },
      QueuedSchema,
    );
    expect(result).toMatchObject({ matched: true, link_id: link.linkId, message_id: expect.any(String) });
    return { ...link, messageId: result.message_id! };
  }

  const linkIn = (text: string) => /http:\/\/localhost:3000\/l\/([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? null;

  async function outboxText(): Promise<string> {
    const { rows } = await testDb().query<{ t: string | null }>("select string_agg(row_to_json(m)::text, E'\\n') as t from app.outbound_messages as m");
    return rows[0]?.t ?? "";
  }

  async function linkOf(accountId: string): Promise<{ id: string; token_hash: string }> {
    const { rows } = await testDb().query<{ id: string; token_hash: string }>("select id, token_hash from app.access_links where account_id = $1", [accountId]);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  }

  test("a request leaves one message holding the link's id; the token is in the email and in no table; the emailed link signs in", async () => {
    const { borrowerId, accountId, reference } = await ownAccount();
    await requestNewLink({ identifier: reference.toLowerCase(), clientIp: newIp() });
    await settleOutbox();

    const link = await linkOf(accountId);
    expect(await templateMessages("access.new_link", `access.new_link/${link.id}`)).toEqual([
      expect.objectContaining({ category: "requested", state: "sent", borrower_id: borrowerId, account_id: accountId, params: { link_id: link.id } }),
    ]);
    const [email, ...more] = await templateEmails("access.new_link", `access.new_link/${link.id}`);
    expect(more).toEqual([]);
    const token = linkIn(email!.text)!;
    secrets.add(token);
    secrets.add(hashToken(token));
    expect(token).toBe(deriveLinkToken(link.id));
    expect(hashToken(token)).toBe(link.token_hash);
    expect(email!.html).toContain(`/l/${token}`);

    // The email is the only place the token is: not the outbox, not any other table.
    expect(await outboxText()).toContain(link.id);
    expect(await outboxText()).not.toContain(token);
    expect(await allRowsText()).not.toContain(token);

    expect(await answer(token, ZIP, newIp())).toMatchObject({ status: "ok", borrowerId, accountId });
  });

  test("a send the provider refused is retried with the same email and the same link", async () => {
    await settleOutbox();
    await clearOutbox();
    const { borrowerId, accountId, reference } = await ownAccount(`fail-provider-${randomUUID().slice(0, 8)}@example.com`);
    await requestNewLink({ identifier: reference, clientIp: newIp() });
    await settleOutbox();
    const link = await linkOf(accountId);
    const [queued] = await templateMessages("access.new_link", `access.new_link/${link.id}`);
    expect(await outboxRow(queued!.id)).toMatchObject({ state: "queued", attempts: 1, last_error_code: "application_error" });
    expect(await storedEmails([queued!.id])).toEqual([]);

    // The provider is back (this address now gets through); the retry is due a minute later.
    await testDb().query("update app.borrowers set email = $2 where id = $1", [borrowerId, `back-${borrowerId.slice(0, 8)}@example.com`]);
    const later = new Date(Date.now() + 2 * 60_000);
    const claimed = await rpc("outbox_claim", { p_worker: "retry", p_limit: 5, p_now: later.toISOString(), p_lease_seconds: 300 }, z.array(OutboxMessageSchema));
    expect(claimed.map((m) => [m.id, m.attempts])).toEqual([[queued!.id, 2]]);
    const message = claimed[0]!;

    // Whenever it is rendered, on whichever attempt, it is the same email with the same link.
    const template = outboxTemplates["access.new_link"]!;
    const htmlAt = async (now: Date, attempts: number) => {
      const context = { language: message.language, t: await getEmailT(message.language), appUrl: getEnv().APP_URL, unsubscribeUrl: null, now };
      const rendered = await template.render({ ...message, attempts }, context);
      return render(rendered!.react);
    };
    const first = await htmlAt(new Date(), 1);
    expect(first).toContain(`/l/${deriveLinkToken(link.id)}`);
    expect(await htmlAt(new Date(Date.now() + 20 * 60_000), 5)).toBe(first);

    expect(await deliverOutboxMessage(message, "retry", outboxTemplates, later)).toBe("sent");
    expect(await outboxRow(queued!.id)).toMatchObject({ state: "sent", attempts: 2 });
    const emails = await templateEmails("access.new_link", `access.new_link/${link.id}`);
    expect(emails).toHaveLength(1);
    const token = linkIn(emails[0]!.text)!;
    secrets.add(token);
    expect(token).toBe(deriveLinkToken(link.id));
    expect(await answer(token, ZIP, newIp())).toMatchObject({ status: "ok", borrowerId });
  });

  test("a link used, or expired, before its email goes: the email is cancelled, not sent", async () => {
    await settleOutbox();
    const used = await queueLink((await ownAccount()).reference);
    expect(await answer(used.token, ZIP, newIp())).toMatchObject({ status: "ok" });
    await runOutbox();
    expect(await outboxRow(used.messageId)).toMatchObject({ state: "cancelled", cancel_reason: "not_applicable" });

    // 30 minutes on, a resend link has expired.
    const expired = await queueLink((await ownAccount()).reference);
    await runOutbox({ now: new Date(Date.now() + 31 * 60_000) });
    expect(await outboxRow(expired.messageId)).toMatchObject({ state: "cancelled", cancel_reason: "not_applicable" });

    expect(await storedEmails([used.messageId, expired.messageId])).toEqual([]);
  });

  test("a request that matches nothing, or is throttled, queues nothing", async () => {
    await settleOutbox();
    const count = async () => (await testDb().query<{ n: number }>("select count(*)::int as n from app.outbound_messages")).rows[0]!.n;
    const before = await count();
    await requestNewLink({ identifier: "no-such-person@example.com", clientIp: newIp() });
    await requestNewLink({ identifier: "NOPE-0000", clientIp: newIp() });
    // Three re-sent links per account per hour: the fourth request is throttled.
    const { reference } = await ownAccount();
    for (let i = 0; i < 4; i += 1) await requestNewLink({ identifier: reference, clientIp: newIp() });
    await settleOutbox();
    expect(await count()).toBe(before + 3);
  });

  test("a link's id opens nothing without the server's secret", async () => {
    const link = await queueLink((await ownAccount()).reference);
    // Whoever learns the id (say from a copy of the outbox) cannot make its token without the secret.
    const guessed = deriveLinkToken(link.linkId, "a-guessed-secret-that-is-not-the-servers-own");
    expect(guessed).not.toBe(link.token);
    expect(await openAccessLink(guessed)).toEqual({ status: "unknown" });
    expect(await answer(guessed, ZIP, newIp())).toEqual({ status: "unknown" });
    expect(await openAccessLink(link.linkId)).toEqual({ status: "unknown" });
    // The server's own derivation is the link.
    expect(linkTokenFor(link.linkId, link.tokenHash)).toBe(link.token);
    expect(await openAccessLink(link.token)).toMatchObject({ status: "ready" });
  });

  test("no address a client sends makes the server store the key of its links", async () => {
    // Every stored IP hash is HMAC(secret, …) of what the client claims as its address. The
    // link key is derived with HKDF, never HMAC(secret, label): an "address" equal to the
    // label, hashed and stored, is not the key, and a token made with it opens nothing.
    const link = await queueLink((await ownAccount()).reference);
    const secret = getEnv().SESSION_SECRETS[0]!;
    for (const claimed of ["repay/link/v1", "Repay/Link/v1", "repay/ip/v1.repay/link/v1"]) {
      const stored = Buffer.from(hashClientIp(claimed), "hex");
      const forged = createHmac("sha256", stored).update(`repay/link/v1.${link.linkId}`, "utf8").digest("base64url");
      expect(forged).not.toBe(link.token);
    }
    const naiveKey = createHmac("sha256", secret).update("repay/link/v1", "utf8").digest();
    expect(createHmac("sha256", naiveKey).update(`repay/link/v1.${link.linkId}`, "utf8").digest("base64url")).not.toBe(link.token);
  });

  test("after the secret is rotated a queued link still goes; once the secret that made it is retired, it is cancelled", async () => {
    await settleOutbox();
    await clearOutbox();
    const current = getEnv().SESSION_SECRETS[0]!;
    const rotated = "a-rotated-secret-of-at-least-32-characters";
    const before = await queueLink((await ownAccount()).reference);
    vi.stubEnv("SESSION_SECRET", `${rotated},${current}`);
    resetEnvForTests();
    try {
      const after = await queueLink((await ownAccount()).reference);
      expect(after.token).toBe(deriveLinkToken(after.linkId, rotated));
      expect(await runOutbox()).toMatchObject({ sent: 2 });
      for (const link of [before, after]) {
        const [email] = await templateEmails("access.new_link", `access.new_link/${link.linkId}`);
        expect(linkIn(email!.text)).toBe(link.token);
      }

      const orphan = await queueLink((await ownAccount()).reference);
      vi.stubEnv("SESSION_SECRET", "a-third-secret-of-at-least-32-characters-long");
      resetEnvForTests();
      expect(await runOutbox()).toMatchObject({ cancelled: 1, sent: 0 });
      expect(await outboxRow(orphan.messageId)).toMatchObject({ state: "cancelled", cancel_reason: "not_applicable" });
    } finally {
      vi.unstubAllEnvs();
      resetEnvForTests();
    }
  });
});

/**
 * Whether rows (as JSON text) hold an answer. An all-digit answer such as the ZIP "94110"
 * can turn up by chance inside a random hex hash or uuid, so it must be a whole JSON value;
 * anything else (dates, long text) is looked for anywhere.
 */
function holds(rowsText: string, given: string): boolean {
  return /^[0-9a-f]+$/i.test(given) ? rowsText.includes(`"${given}"`) || rowsText.includes(`:${given},`) : rowsText.includes(given);
}

test("no audit row holds a token, a session id, their hashes, an answer, an address or its hash", async () => {
  const { rows } = await testDb().query<{ t: string }>("select coalesce(string_agg(row_to_json(a)::text, E'\\n'), '') as t from app.audit_events as a");
  const audit = rows[0]!.t;
  expect(audit).toContain("access.signed_in");
  expect(secrets.size).toBeGreaterThan(50);
  for (const secret of secrets) expect(audit.includes(secret), "a secret is in the audit trail").toBe(false);
  for (const given of answers) {
    if (given.length >= 5) expect(holds(audit, given), "an answer is in the audit trail").toBe(false);
  }
  // And no table but the borrower's own record holds an answer someone typed.
  const everything = await allRowsText(["app.borrowers"]);
  for (const given of answers) {
    if (given.length >= 5) expect(holds(everything, given), "an answer is stored").toBe(false);
  }
});
