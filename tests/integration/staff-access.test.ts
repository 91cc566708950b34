/**
 * The console's door (issue 8 item 1): a one-time link by email with the same answer for
 * every address, the link spent only by a press (scanners open links), a separate staff
 * session (30 minutes idle, 8 hours absolute), sign out, roles (403 for what a role may not
 * open), admins managing staff with every change audited, and the queue, search and
 * account page behind it all.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { runOutbox } from "~/services/email/outbox.server";
import { rpc } from "~/services/supabase/rpc.server";
import { action as accountAction, loader as accountLoader } from "~/routes/ops.accounts.$accountId";
import { loader as searchLoader } from "~/routes/ops.accounts._index";
import { loader as queueLoader } from "~/routes/ops._index";
import { loader as confirmLoader, action as confirmAction } from "~/routes/ops.confirm";
import { action as signInAction } from "~/routes/ops.sign-in";
import { action as signOutAction } from "~/routes/ops.sign-out";
import { action as staffAction, loader as staffLoader } from "~/routes/ops.staff";
import { openAccessLink } from "~/utils/access-links.server";
import { hashClientIp } from "~/utils/client-ip.server";
import { requestOriginStorage } from "~/utils/request-origin.server";
import { deriveLinkToken, newDerivedLink } from "~/utils/link-token.server";
import { z } from "zod";
import { testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { outboxRow, settleOutbox, storedEmails, templateEmails, templateMessages } from "../setup/outbox";
import { call, context, Jar, req } from "../setup/routes";
import { followStaffLink, signInStaff, STAFF } from "../setup/staff";

withLocalEmail();

const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";

const ask = (email: string, clientIp = "203.0.113.7", language: "en" | "es" = "en") =>
  call(() => signInAction({ request: req("/ops/sign-in", { method: "POST", form: { email }, language }), params: {}, context: { ...context, clientIp } }));

const linkIn = (text: string) => /\/ops\/l\/([A-Za-z0-9_-]{43})/.exec(text)![1]!;

/** The tokens in the sign-in emails the outbox sent to this address, oldest first. */
async function sentLinks(to: string): Promise<string[]> {
  await settleOutbox();
  const { rows } = await testDb().query<{ text: string }>(
    `select e.text from app.local_sent_emails as e
       join app.outbound_messages as m on e.idempotency_key = 'outbox/' || m.id::text
      where m.template = 'staff.sign_in' and $1 = any(e.to_addresses)
      order by e.created_at`,
    [to],
  );
  return rows.map((row) => linkIn(row.text));
}

/** A staff member of the test's own, so its links never meet another test's per-member limit. */
async function newStaff(): Promise<{ id: string; email: string }> {
  const email = `staff-${randomUUID().slice(0, 8)}@example.com`;
  const { rows } = await testDb().query<{ id: string }>(
    "insert into app.staff (email, full_name, role, approval_limit_minor) values ($1, 'Link Tester', 'agent', 0) returning id",
    [email],
  );
  return { id: rows[0]!.id, email };
}

/** Every row of the outbox as text. */
async function outboxText(): Promise<string> {
  const { rows } = await testDb().query<{ t: string | null }>("select string_agg(row_to_json(m)::text, E'\\n') as t from app.outbound_messages as m");
  return rows[0]?.t ?? "";
}

async function auditCount(action: string, actorId?: string): Promise<number> {
  const { rows } = await testDb().query<{ n: number }>(
    "select count(*)::int as n from app.audit_events where action = $1 and ($2::uuid is null or actor_id = $2)",
    [action, actorId ?? null],
  );
  return rows[0]!.n;
}

const queue = (jar: Jar, query = "") => call(() => queueLoader({ request: req(`/ops${query}`, { jar }), params: {}, context }));

describe("signing in to the console", () => {
  test("a staff address gets a one-time link; an unknown one gets the same answer and no email", async () => {
    const known = await ask("Priya.Shah@example.com ");
    const unknown = await ask("nobody@example.com");
    expect(known.status).toBe(303);
    expect(unknown.status).toBe(303);
    expect(known.headers.get("Location")).toBe(unknown.headers.get("Location"));
    expect(await sentLinks("priya.shah@example.com")).toHaveLength(1);
    expect(await sentLinks("nobody@example.com")).toHaveLength(0);

    const [token] = await sentLinks("priya.shah@example.com");
    const { rows } = await testDb().query("select 1 from app.staff_sign_in_links where token_hash = $1", [token]);
    expect(rows).toHaveLength(0); // only the hash is stored

    const jar = await followStaffLink(token!);
    const page = await queue(jar);
    expect(page.status).toBe(200);
    expect(await auditCount("staff.signed_in", STAFF.agent.id)).toBe(1);

    // Spent: pressing again from another browser is refused.
    const other = new Jar();
    const again = await call(() => confirmAction({ request: req("/ops/confirm", { method: "POST", form: {}, jar: other }), params: {}, context }));
    expect(again.status).toBe(303);
    expect(again.headers.get("Location")).toBe("/ops/confirm");
  });

  test("opening the link spends nothing; a used link says so", async () => {
    const { rows } = await testDb().query<{ id: string }>("select id from app.staff where email = $1", [STAFF.supervisor.email]);
    expect(rows).toHaveLength(1);
    await ask(STAFF.supervisor.email, "203.0.113.8");
    const [token] = await sentLinks(STAFF.supervisor.email);
    const jar = await followStaffLink(token!);
    expect((await queue(jar)).status).toBe(200);
    const linkOnly = new Jar();
    const { loader } = await import("~/routes/ops.l.$token");
    linkOnly.apply((await call(() => loader({ request: req(`/ops/l/${token}`), params: { token }, context }))).headers);
    const shown = await call(() => confirmLoader({ request: req("/ops/confirm", { jar: linkOnly }), params: {}, context }));
    expect(shown.data).toMatchObject({ state: { status: "used" } });
  });

  test("bad input: an empty or malformed address is a 400 with a message", async () => {
    const empty = await ask("");
    expect(empty.status).toBe(400);
    expect(empty.data).toMatchObject({ error: "Enter your work email" });
    const malformed = await ask("priya at example");
    expect(malformed.status).toBe(400);
    expect(malformed.data).toMatchObject({ error: "Enter an email address like name@example.com" });
  });

  test("a fourth link in 15 minutes for one address, or a 31st request from one network in an hour, sends nothing", async () => {
    for (let i = 0; i < 4; i += 1) await ask(STAFF.admin.email, `198.51.100.${i}`);
    expect(await sentLinks(STAFF.admin.email)).toHaveLength(3);
    const before = (await sentLinks(STAFF.supervisor.email)).length;
    for (let i = 0; i < 30; i += 1) await ask(`someone${i}@example.com`, "198.51.100.200");
    const over = await ask(STAFF.supervisor.email, "198.51.100.200");
    expect(over.status).toBe(303); // the same answer as ever
    expect(await sentLinks(STAFF.supervisor.email)).toHaveLength(before);
    await ask(STAFF.supervisor.email, "198.51.100.201");
    expect(await sentLinks(STAFF.supervisor.email)).toHaveLength(before + 1);
  });

  test("signed out, idle for 30 minutes, past 8 hours, or deactivated: back to sign-in", async () => {
    const signedOut = await queue(new Jar());
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("Location")).toBe("/ops/sign-in");

    const idle = await signInStaff(STAFF.agent.email);
    await testDb().query("update app.staff_sessions set last_seen_at = now() - interval '31 minutes', created_at = now() - interval '40 minutes' where revoked_at is null");
    const expired = await queue(idle);
    expect(expired.headers.get("Location")).toBe("/ops/sign-in?reason=expired");

    const old = await signInStaff(STAFF.agent.email);
    await testDb().query("update app.staff_sessions set created_at = now() - interval '9 hours', absolute_expires_at = now() - interval '1 hour', last_seen_at = now() - interval '2 minutes' where revoked_at is null");
    expect((await queue(old)).headers.get("Location")).toBe("/ops/sign-in?reason=expired");

    const out = await signInStaff(STAFF.agent.email);
    const signOut = await call(() => signOutAction({ request: req("/ops/sign-out", { method: "POST", form: {}, jar: out }), params: {}, context }));
    expect(signOut.headers.get("Location")).toBe("/ops/sign-in?reason=signed_out");
    expect((await queue(out)).status).toBe(302);
    expect(await auditCount("staff.signed_out", STAFF.agent.id)).toBe(1);
  });
});

describe("roles and managing staff", () => {
  test("an agent and a supervisor get 403 on the staff page and its form", async () => {
    for (const who of [STAFF.agent, STAFF.supervisor]) {
      const jar = await signInStaff(who.email);
      const page = await call(() => staffLoader({ request: req("/ops/staff", { jar }), params: {}, context }));
      expect(page.status).toBe(403);
      const post = await call(() =>
        staffAction({ request: req("/ops/staff", { method: "POST", form: { memberId: who.id, email: who.email, fullName: "Me", role: "admin", limit: "99999", active: "on" }, jar }), params: {}, context }),
      );
      expect(post.status).toBe(403);
    }
    const { rows } = await testDb().query<{ role: string }>("select role from app.staff where id = $1", [STAFF.agent.id]);
    expect(rows[0]!.role).toBe("agent");
  });

  test("an admin raises a limit, adds a member and deactivates one; each change is audited with before and after", async () => {
    const admin = await signInStaff(STAFF.admin.email);
    const save = (form: Record<string, string>) => call(() => staffAction({ request: req("/ops/staff", { method: "POST", form, jar: admin }), params: {}, context }));

    const raised = await save({ memberId: STAFF.agent.id, email: STAFF.agent.email, fullName: "Priya Shah", role: "agent", limit: "$3,000", active: "on" });
    expect(raised.status).toBe(200);
    const { rows: events } = await testDb().query<{ metadata: Record<string, unknown> }>(
      "select metadata from app.audit_events where action = 'staff.member_changed' and subject_id = $1",
      [STAFF.agent.id],
    );
    expect(events).toEqual([{ metadata: expect.objectContaining({ limit_before: 200000, limit_after: 300000, role_before: "agent", role_after: "agent" }) }]);

    const bad = await save({ email: "new@example", fullName: "", role: "boss", limit: "12,34" });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ errors: { email: expect.any(String), fullName: expect.any(String), role: expect.any(String), limit: expect.any(String) } });

    const added = await save({ email: "sam.ortiz@example.com", fullName: "Sam Ortiz", role: "agent", limit: "500", active: "on" });
    expect(added.status).toBe(200);
    const dup = await save({ email: "SAM.ORTIZ@example.com", fullName: "Sam Again", role: "agent", limit: "500", active: "on" });
    expect(dup.status).toBe(409);

    const sam = await signInStaff("sam.ortiz@example.com");
    expect((await queue(sam)).status).toBe(200);
    const { rows: samRow } = await testDb().query<{ id: string }>("select id from app.staff where email = 'sam.ortiz@example.com'");
    await save({ memberId: samRow[0]!.id, email: "sam.ortiz@example.com", fullName: "Sam Ortiz", role: "agent", limit: "500" });
    expect((await queue(sam)).status).toBe(302); // deactivated: the live session ends

    const lastAdmin = await save({ memberId: STAFF.admin.id, email: STAFF.admin.email, fullName: "Grace Kim", role: "supervisor", limit: "100", active: "on" });
    expect(lastAdmin.status).toBe(409);
    const list = await call(() => staffLoader({ request: req("/ops/staff", { jar: admin }), params: {}, context }));
    expect((list.data as { members: unknown[] }).members).toHaveLength(4);
  });
});

describe("queue, search and the account page", () => {
  test("the queue lists a pending dispute with its due time; filters narrow it; counts stay whole", async () => {
    const dueOn = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await testDb().query("select api.open_dispute((select borrower_id from app.accounts where id = $1), $1, 'wrong_amount', 'The fee is wrong', $2::date)", [DEMO_1001, dueOn]);
    const jar = await signInStaff(STAFF.agent.email);
    const all = await queue(jar);
    const data = all.data as { items: Array<{ kind: string; reference: string; href: string }>; counts: { total: number; kind: Record<string, number> } };
    expect(data.items.map((i) => [i.kind, i.reference])).toContainEqual(["dispute", "DEMO-1001"]);
    expect(data.counts.kind.dispute).toBeGreaterThanOrEqual(1);
    const plans = await queue(jar, "?kind=plan&dpd=nonsense");
    expect((plans.data as typeof data).items.every((i) => i.kind === "plan")).toBe(true);
    expect((plans.data as typeof data).counts.total).toBe(data.counts.total);
    const spanish = await queue(jar, "?kind=dispute&language=es");
    expect((spanish.data as typeof data).items.find((i) => i.reference === "DEMO-1001")).toBeUndefined();
  });

  test("search by reference prefix, email or name; too short is a message, not an error", async () => {
    const jar = await signInStaff(STAFF.agent.email);
    const search = async (q: string) => (await call(() => searchLoader({ request: req(`/ops/accounts?q=${encodeURIComponent(q)}`, { jar }), params: {}, context }))).data as {
      error: string | null;
      results: Array<{ reference: string }> | null;
    };
    expect((await search("demo-100")).results!.map((r) => r.reference)).toContain("DEMO-1001");
    expect((await search("María")).results!.map((r) => r.reference)).toContain("DEMO-1002");
    expect((await search("x")).error).toBe("Type 2 to 200 characters");
    expect((await search("%_")).results).toEqual([]);
  });

  test("opening an account is audited; a link is copied once or emailed, each audited; an unknown account is 404", async () => {
    const jar = await signInStaff(STAFF.agent.email);
    const page = await call(() => accountLoader({ request: req(`/ops/accounts/${DEMO_1001}`, { jar }), params: { accountId: DEMO_1001 }, context }));
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({ account: { reference: "DEMO-1001" } });
    expect(await auditCount("staff.account_viewed", STAFF.agent.id)).toBe(1);

    const post = (intent: string) =>
      call(() => accountAction({ request: req(`/ops/accounts/${DEMO_1001}`, { method: "POST", form: { intent }, jar }), params: { accountId: DEMO_1001 }, context }));
    const copied = await post("copy-link");
    expect(copied.data).toMatchObject({ status: "copied", url: expect.stringMatching(/\/l\/[A-Za-z0-9_-]{43}$/) });
    const emailed = await post("email-link");
    expect(emailed.data).toMatchObject({ status: "emailed" });
    expect(await auditCount("access.link_copied_by_staff", STAFF.agent.id)).toBe(1);
    expect(await auditCount("access.link_sent_by_staff", STAFF.agent.id)).toBe(1);
    // The emailed link went through the outbox (one message: the copy queued none), its token in no table.
    await settleOutbox();
    const [message, ...others] = (await templateMessages("access.link_from_staff")).filter((m) => m.account_id === DEMO_1001);
    expect(others).toEqual([]);
    expect(message).toMatchObject({ category: "requested", state: "sent", borrower_id: "b0000000-0000-4000-8000-000000000001", params: { link_id: expect.any(String) } });
    const linkId = message!.params.link_id as string;
    expect(Object.keys(message!.params)).toEqual(["link_id"]);
    const [email] = await templateEmails("access.link_from_staff", `access.link_from_staff/${linkId}`);
    expect(email!.subject).toBe("Your new secure link for Northwind Lending");
    expect(email!.text).toContain("this link stops working after 30 days");
    const token = /\/l\/([A-Za-z0-9_-]{43})/.exec(email!.text)![1]!;
    expect(token).toBe(deriveLinkToken(linkId));
    expect(await outboxText()).not.toContain(token);
    expect(await openAccessLink(token)).toMatchObject({ status: "ready" });
    expect((await post("delete-account")).status).toBe(400);

    const unknown = "a0000000-0000-4000-8000-000000009999";
    expect((await call(() => accountLoader({ request: req(`/ops/accounts/${unknown}`, { jar }), params: { accountId: unknown }, context }))).status).toBe(404);
    expect((await call(() => accountLoader({ request: req("/ops/accounts/nope", { jar }), params: { accountId: "nope" }, context }))).status).toBe(404);
  });

  test("each audit event records where the request came from (an HMAC of the IP, never the IP); jobs record none", async () => {
    const jar = await signInStaff(STAFF.supervisor.email);
    const origin = hashClientIp("192.0.2.44");
    await requestOriginStorage.run(origin, () =>
      call(() => accountLoader({ request: req(`/ops/accounts/${DEMO_1001}`, { jar }), params: { accountId: DEMO_1001 }, context })),
    );
    const { rows } = await testDb().query<{ origin_hash: string | null }>(
      "select origin_hash from app.audit_events where action = 'staff.account_viewed' and actor_id = $1",
      [STAFF.supervisor.id],
    );
    expect(rows).toEqual([{ origin_hash: origin }]);
    expect(JSON.stringify(rows)).not.toContain("192.0.2.44");
    const { rows: signedIn } = await testDb().query<{ origin_hash: string | null }>(
      "select origin_hash from app.audit_events where action = 'staff.signed_in' and actor_id = $1",
      [STAFF.supervisor.id],
    );
    expect(signedIn.every((row) => row.origin_hash === null)).toBe(true);
    const page = await call(() => accountLoader({ request: req(`/ops/accounts/${DEMO_1001}`, { jar }), params: { accountId: DEMO_1001 }, context }));
    expect((page.data as { audit: Array<{ origin: string | null }> }).audit.some((e) => e.origin === origin.slice(0, 8))).toBe(true);
  });
});

// Last: these add staff members of their own, which the staff page's count above would see.
describe("sign-in emails on the outbox", () => {
  test("the sign-in email goes through the outbox: its message holds the link's id and the page's language, never the token", async () => {
    const member = await newStaff();
    expect((await ask(member.email, "203.0.113.21", "es")).status).toBe(303);
    const [token, ...more] = await sentLinks(member.email);
    expect(more).toEqual([]);
    const { rows: links } = await testDb().query<{ id: string }>("select id from app.staff_sign_in_links where staff_id = $1", [member.id]);
    expect(links).toHaveLength(1);
    const linkId = links[0]!.id;
    expect(token).toBe(deriveLinkToken(linkId));

    const messages = await templateMessages("staff.sign_in", `staff.sign_in/${linkId}`);
    expect(messages).toEqual([expect.objectContaining({ category: "requested", state: "sent", borrower_id: null, params: { link_id: linkId, language: "es" } })]);
    expect(await outboxText()).not.toContain(token);
    const [email] = await templateEmails("staff.sign_in", `staff.sign_in/${linkId}`);
    expect(email!.subject).toBe("Su enlace para entrar en la consola de Repay");
    // Staff messages carry no opt-out.
    const [stored] = await storedEmails([messages[0]!.id]);
    expect(stored!.headers?.["List-Unsubscribe"]).toBeUndefined();

    const jar = await followStaffLink(token!);
    expect((await queue(jar)).status).toBe(200);
  });

  test("a sign-in link used or expired before its email goes: the email is cancelled, not sent", async () => {
    await settleOutbox();
    let ip = 0;
    const queueSignIn = async (email: string) => {
      const link = newDerivedLink();
      ip += 1;
      const result = await rpc(
        "request_staff_sign_in",
        { p_email: email, p_language: "en", p_link_id: link.linkId, p_token_hash: link.tokenHash, p_ip_hash: hashClientIp(`192.0.2.${ip}`) },
        z.object({ send: z.literal(true), link_id: z.uuid(), message_id: z.uuid() }).loose(),
      );
      expect(result.link_id).toBe(link.linkId);
      return { ...link, messageId: result.message_id };
    };

    const used = await queueSignIn((await newStaff()).email);
    await followStaffLink(used.token);
    await runOutbox();
    expect(await outboxRow(used.messageId)).toMatchObject({ state: "cancelled", cancel_reason: "not_applicable" });

    // 15 minutes on, the link has expired.
    const expired = await queueSignIn((await newStaff()).email);
    await runOutbox({ now: new Date(Date.now() + 16 * 60_000) });
    expect(await outboxRow(expired.messageId)).toMatchObject({ state: "cancelled", cancel_reason: "not_applicable" });
    expect(await storedEmails([used.messageId, expired.messageId])).toEqual([]);
  });
});
