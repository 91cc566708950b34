/**
 * "Tell us something is wrong" through its route (issue 7 item 4), signed in as Alex
 * (DEMO-1001): an empty or oversized form is a 400 with the message on the right field and
 * stores nothing; a dispute pauses collection, answers on the page (the tracker) and by email
 * once; sending it again finds the same dispute; another kind while one is open is a 409;
 * Spanish for María; staff moving it on shows on the tracker.
 */
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { action as disputeAction, loader as disputeLoader } from "~/routes/account.$accountId.dispute";
import { rpc } from "~/services/supabase/rpc.server";
import { testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { settleOutbox, templateEmails } from "../setup/outbox";
import { call, context, req, signIn, type Jar } from "../setup/routes";

withLocalEmail();

const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";
const DEMO_1002 = "a0000000-0000-4000-8000-000000001002";
const ALEX_DOB = { "dob.month": "4", "dob.day": "12", "dob.year": "1985" };
const MARIA_DOB = { "dob.month": "11", "dob.day": "3", "dob.year": "1979" };

const page = (jar: Jar, accountId: string, query = "") =>
  call(() => disputeLoader({ request: req(`/account/${accountId}/dispute${query}`, { jar }), params: { accountId }, context }));
const send = (jar: Jar, accountId: string, form: Record<string, string>) =>
  call(() => disputeAction({ request: req(`/account/${accountId}/dispute`, { method: "POST", form, jar }), params: { accountId }, context }));

async function stored(accountId: string) {
  const { rows } = await testDb().query<{ disputes: number; pauses: number }>(
    `select (select count(*)::int from app.disputes where account_id = $1) as disputes,
            (select count(*)::int from app.collection_pauses where account_id = $1 and lifted_at is null) as pauses`,
    [accountId],
  );
  return rows[0]!;
}

async function emails(template: string) {
  await settleOutbox();
  return templateEmails(template);
}

describe("Tell us something is wrong", () => {
  test("an empty form, or words past 4,000 characters: a 400 on the right field, nothing stored", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const empty = await send(jar, DEMO_1001, {});
    expect(empty.status).toBe(400);
    expect(empty.data).toMatchObject({ errors: { kind: "Choose what is wrong" } });
    const long = await send(jar, DEMO_1001, { kind: "wrong_amount", details: "x".repeat(4001) });
    expect(long.status).toBe(400);
    expect(long.data).toMatchObject({ errors: { details: "Use 4,000 characters or fewer (you used 4001)" } });
    const forged = await send(jar, DEMO_1001, { kind: "delete_my_debt" });
    expect(forged.status).toBe(400);
    expect(await stored(DEMO_1001)).toEqual({ disputes: 0, pauses: 0 });
  });

  test("a dispute pauses collection and is answered on the page and by email, once; a replay finds it", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    const before = await page(jar, DEMO_1001);
    expect(before.data).toMatchObject({ dispute: null, title: "Tell us something is wrong" });

    const form = { kind: "wrong_amount", details: "The $44.00 late fee was refunded in May.\nI have the letter." };
    const sent = await send(jar, DEMO_1001, form);
    expect(sent.status).toBe(303);
    expect(sent.headers.get("Location")).toBe(`/account/${DEMO_1001}/dispute?sent=1`);
    expect((await send(jar, DEMO_1001, form)).status).toBe(303);
    expect(await stored(DEMO_1001)).toEqual({ disputes: 1, pauses: 1 });

    const after = await page(jar, DEMO_1001, "?sent=1");
    expect(after.data).toMatchObject({ sent: true, dispute: { kind: "wrong_amount", status: "received", outcome: null, details: form.details } });

    const other = await send(jar, DEMO_1001, { kind: "not_mine" });
    expect(other.status).toBe(409);
    expect(other.data).toMatchObject({ errors: { form: "You already told us something is wrong with this account. You can see where it is below." } });

    const mail = await emails("dispute.received");
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).not.toMatch(/\$/);

    // Staff move it on; the tracker follows.
    const { rows } = await testDb().query<{ id: string }>("select id from app.disputes where account_id = $1", [DEMO_1001]);
    const { rows: staff } = await testDb().query<{ id: string }>("select id from app.staff where role = 'agent' limit 1");
    await rpc("review_dispute", { p_staff_id: staff[0]!.id, p_dispute_id: rows[0]!.id }, z.unknown());
    expect((await page(jar, DEMO_1001)).data).toMatchObject({ dispute: { status: "under_review" } });
    await rpc("resolve_dispute", { p_staff_id: staff[0]!.id, p_dispute_id: rows[0]!.id, p_outcome: "corrected", p_reason: "fee_refunded" }, z.unknown());
    expect((await page(jar, DEMO_1001)).data).toMatchObject({ dispute: { status: "resolved", outcome: "corrected" } });
    expect(await stored(DEMO_1001)).toEqual({ disputes: 1, pauses: 0 });
  });

  test("María reads it in Spanish, and cannot see or dispute Alex's account", async () => {
    const jar = await signIn("DEMO-1002", MARIA_DOB);
    const own = await page(jar, DEMO_1002);
    expect(own.data).toMatchObject({ title: "Díganos que algo no está bien" });
    expect((await page(jar, DEMO_1001)).status).toBe(404);
    expect((await send(jar, DEMO_1001, { kind: "not_mine" })).status).toBe(404);
    const empty = await send(jar, DEMO_1002, {});
    expect(empty.data).toMatchObject({ errors: { kind: "Elija qué no está bien" } });
  });
});
