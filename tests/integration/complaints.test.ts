/**
 * Feedback and complaints (issue 9 item 7) through their routes: a rating from anyone (not
 * stored past 10 an hour from one network), a complaint from a signed-in borrower with a
 * reference, an acknowledgement email in their language, a place in the console's queue, one
 * written answer from staff (the second is refused) that the borrower reads on the page and by
 * email; another borrower's account is refused; bad input is a 400 on the right field.
 */
import { describe, expect, test } from "vitest";
import { action as complaintAction, loader as complaintLoader } from "~/routes/complaint";
import { action as feedbackAction } from "~/routes/feedback";
import { loader as queueLoader } from "~/routes/ops._index";
import { action as answerAction, loader as answerLoader } from "~/routes/ops.requests.complaint.$complaintId";
import { hashClientIp } from "~/utils/client-ip.server";
import { testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { settleOutbox, templateEmails } from "../setup/outbox";
import { call, context, Jar, req, signIn } from "../setup/routes";
import { signInStaff, STAFF } from "../setup/staff";

withLocalEmail();

const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";
const DEMO_1002 = "a0000000-0000-4000-8000-000000001002";
const ALEX_DOB = { "dob.month": "4", "dob.day": "12", "dob.year": "1985" };
const MARIA_DOB = { "dob.month": "11", "dob.day": "3", "dob.year": "1979" };

const feedback = (form: Record<string, string>, jar = new Jar(), clientIp = "198.51.100.9") =>
  call(() => feedbackAction({ request: req("/feedback", { method: "POST", form, jar }), params: {}, context: { ...context, clientIp } }));
const complain = (jar: Jar, form: Record<string, string>) => call(() => complaintAction({ request: req("/complaint", { method: "POST", form, jar }), params: {}, context }));
const complaintsPage = (jar: Jar) => call(() => complaintLoader({ request: req("/complaint", { jar }), params: {}, context }));

async function emails(template: string) {
  await settleOutbox();
  return templateEmails(template);
}

describe("feedback", () => {
  test("a rating with or without words is stored, signed in or not; bad input is a 400 on its field", async () => {
    expect((await feedback({ page: "home", rating: "4" })).status).toBe(303);
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    expect((await feedback({ page: "account.plan", rating: "2", comment: "The dates were confusing" }, jar)).status).toBe(303);
    const { rows } = await testDb().query<{ page: string; rating: number; signed_in: boolean }>(
      "select page, rating, borrower_id is not null as signed_in from app.feedback order by created_at",
    );
    expect(rows).toEqual([
      { page: "home", rating: 4, signed_in: false },
      { page: "account.plan", rating: 2, signed_in: true },
    ]);
    const none = await feedback({ page: "home" });
    expect(none.status).toBe(400);
    expect(none.data).toMatchObject({ errors: { rating: "Choose how easy it was" } });
    const long = await feedback({ page: "home", rating: "3", comment: "x".repeat(1001) });
    expect(long.status).toBe(400);
    expect(long.data).toMatchObject({ errors: { comment: "Use 1,000 characters or fewer (you used 1001)" } });
    // A page name that is not one (a URL with an id) is stored as "home", never as given.
    await feedback({ page: "/account/a0000000-0000-4000-8000-000000001001", rating: "5" });
    const { rows: pages } = await testDb().query<{ page: string }>("select distinct page from app.feedback");
    expect(pages.map((p) => p.page).sort()).toEqual(["account.plan", "home"]);
  });

  test("past 10 an hour from one network nothing more is stored, and the answer is the same", async () => {
    for (let i = 0; i < 12; i += 1) expect((await feedback({ page: "home", rating: "5" }, new Jar(), "203.0.113.99")).status).toBe(303);
    const { rows } = await testDb().query<{ n: number }>("select count(*)::int as n from app.feedback where ip_hash = $1", [hashClientIp("203.0.113.99")]);
    expect(rows[0]!.n).toBe(10);
  });
});

describe("complaints", () => {
  test("signed out, the page says how to sign in and whom to call; sending one needs a session", async () => {
    const page = await complaintsPage(new Jar());
    expect(page.data).toMatchObject({ signedIn: false });
    const sent = await complain(new Jar(), { category: "fees", details: "Too much" });
    expect(sent.status).toBe(302);
    const { rows } = await testDb().query("select 1 from app.complaints");
    expect(rows).toHaveLength(0);
  });

  test("bad input and another borrower's account are refused; a complaint gets a reference, an email and a queue place; a replay is one", async () => {
    const alex = await signIn("DEMO-1001", ALEX_DOB);
    const empty = await complain(alex, {});
    expect(empty.status).toBe(400);
    expect(empty.data).toMatchObject({ errors: { category: "Choose what it is about", details: "Tell us what happened" } });
    const long = await complain(alex, { category: "fees", details: "y".repeat(4001) });
    expect(long.status).toBe(400);
    expect(long.data).toMatchObject({ errors: { details: "Use 4,000 characters or fewer (you used 4001)" } });
    const forged = await complain(alex, { category: "delete_everything", details: "x" });
    expect(forged.status).toBe(400);
    const others = await complain(alex, { category: "fees", account: DEMO_1002, details: "Not mine to complain about" });
    expect(others.status).toBe(404);
    expect((await testDb().query("select 1 from app.complaints")).rows).toHaveLength(0);

    const form = { category: "contact", account: DEMO_1001, details: "You emailed me three times on Sunday." };
    expect((await complain(alex, form)).status).toBe(303);
    expect((await complain(alex, form)).status).toBe(303);
    const { rows } = await testDb().query<{ reference: string; days: number; id: string }>(
      "select id, reference, ((due_at at time zone 'America/New_York')::date - (received_at at time zone 'America/New_York')::date) as days from app.complaints",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.reference).toMatch(/^C-\d{6}$/);
    expect(rows[0]!.days).toBe(16); // due at the end of day 15
    const page = await complaintsPage(alex);
    expect(page.data).toMatchObject({ signedIn: true, complaints: [{ reference: rows[0]!.reference, status: "received" }] });
    const sent = await emails("complaint.received");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toBe(`We have your complaint ${rows[0]!.reference}`);
    expect(sent[0]!.text).not.toContain("three times on Sunday");

    const staff = await signInStaff(STAFF.agent.email);
    const queue = await call(() => queueLoader({ request: req("/ops?kind=complaint", { jar: staff }), params: {}, context }));
    expect((queue.data as { items: Array<{ kind: string; href: string }> }).items).toEqual([
      expect.objectContaining({ kind: "complaint", href: `/ops/requests/complaint/${rows[0]!.id}` }),
    ]);
  });

  test("staff answer once; the borrower reads it on the page and by email in their language; the second answer is refused", async () => {
    const maria = await signIn("DEMO-1002", MARIA_DOB);
    expect((await complain(maria, { category: "website", details: "No encuentro el botón de pagar." })).status).toBe(303);
    const { rows } = await testDb().query<{ id: string; reference: string }>("select id, reference from app.complaints where language = 'es'");
    const id = rows[0]!.id;
    const received = await emails("complaint.received");
    expect(received.at(-1)!.subject).toBe(`Recibimos su queja ${rows[0]!.reference}`);

    const agent = await signInStaff(STAFF.agent.email);
    const answer = (jar: Jar, form: Record<string, string>) =>
      call(() => answerAction({ request: req(`/ops/requests/complaint/${id}`, { method: "POST", form, jar }), params: { complaintId: id }, context }));
    const view = await call(() => answerLoader({ request: req(`/ops/requests/complaint/${id}`, { jar: agent }), params: { complaintId: id }, context }));
    expect(view.data).toMatchObject({ complaint: { reference: rows[0]!.reference, status: "received" } });
    expect((await answer(agent, { outcome: "upheld" })).status).toBe(400);
    expect((await answer(agent, { outcome: "upheld", response: "Tiene razón: el botón estaba escondido. Ya lo movimos arriba." })).status).toBe(200);
    const supervisor = await signInStaff(STAFF.supervisor.email);
    expect((await answer(supervisor, { outcome: "not_upheld", response: "No." })).status).toBe(409);

    const page = await complaintsPage(maria);
    expect(page.data).toMatchObject({ complaints: [{ status: "resolved", outcome: "upheld", response: "Tiene razón: el botón estaba escondido. Ya lo movimos arriba." }] });
    const answered = await emails("complaint.answered");
    expect(answered).toHaveLength(1);
    expect(answered[0]!.subject).toBe(`Nuestra respuesta a su queja ${rows[0]!.reference}`);
    expect(answered[0]!.text).toContain("Ya lo movimos arriba.");
    // Northwind Lending is in the US: the answer names the CFPB.
    expect(answered[0]!.text).toContain("Oficina para la Protección Financiera del Consumidor (CFPB)");
    const { rows: audit } = await testDb().query<{ action: string; n: number }>(
      "select action, count(*)::int as n from app.audit_events where subject_id = $1 group by action order by action",
      [id],
    );
    expect(audit).toEqual([
      { action: "complaint.made", n: 1 },
      { action: "complaint.resolved", n: 1 },
    ]);
    const unknown = "c0000000-0000-4000-8000-00000000dead";
    expect((await call(() => answerLoader({ request: req(`/ops/requests/complaint/${unknown}`, { jar: agent }), params: { complaintId: unknown }, context }))).status).toBe(404);
  });

  test("a lender outside the US: the answer names no US regulator", async () => {
    const alex = await signIn("DEMO-1001", ALEX_DOB);
    expect((await complain(alex, { category: "website", details: "The pay button was hard to find." })).status).toBe(303);
    const { rows } = await testDb().query<{ id: string }>("select id from app.complaints where borrower_id = (select borrower_id from app.accounts where id = $1) order by received_at desc limit 1", [DEMO_1001]);
    const id = rows[0]!.id;
    const { rows: creditor } = await testDb().query<{ id: string; region: string }>(
      "update app.creditors as c set region = 'GB' from app.accounts as a where a.id = $1 and c.id = a.creditor_id returning c.id, 'US' as region",
      [DEMO_1001],
    );
    try {
      const agent = await signInStaff(STAFF.agent.email);
      const form = { outcome: "not_upheld", response: "We looked at the page again and the button is at the top." };
      expect((await call(() => answerAction({ request: req(`/ops/requests/complaint/${id}`, { method: "POST", form, jar: agent }), params: { complaintId: id }, context }))).status).toBe(200);
      const answered = (await emails("complaint.answered")).filter((email) => email.text.includes("the button is at the top"));
      expect(answered).toHaveLength(1);
      expect(answered[0]!.text).toContain("If you are not happy with this answer");
      expect(answered[0]!.text).not.toContain("Consumer Financial Protection Bureau");
    } finally {
      await testDb().query("update app.creditors set region = $2 where id = $1", [creditor[0]!.id, creditor[0]!.region]);
    }
  });
});
