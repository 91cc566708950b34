/**
 * Issue 9 item 8 (and issue 8's "earlier contacts"): the console's account page lists every
 * message to the borrower from the outbox, its state and why one did not go, without its
 * content or address; only staff can read it.
 */
import { describe, expect, test } from "vitest";
import { loader as accountLoader } from "~/routes/ops.accounts.$accountId";
import { rpc } from "~/services/supabase/rpc.server";
import { accountMessages } from "~/utils/contact-history.server";
import { z } from "zod";
import { readFileSync } from "node:fs";
import { outboxTemplates } from "~/utils/outbox-templates/index.server";
import { testDb } from "../setup/db";
import { enqueue } from "../setup/outbox";
import { call, context, req } from "../setup/routes";
import { signInStaff, STAFF } from "../setup/staff";

const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";

type Page = { messages: Array<{ what: string; kind: string; state: string; stateLabel: string; detail: string }> };

async function accountRefs() {
  const { rows } = await testDb().query<{ borrower_id: string }>("select borrower_id from app.accounts where id = $1", [DEMO_1001]);
  return { accountId: DEMO_1001, borrowerId: rows[0]!.borrower_id };
}

describe("contact history", () => {
  test("the account page shows each message's kind, state and reason, newest first", async () => {
    const { accountId, borrowerId } = await accountRefs();
    await enqueue({ template: "reminder.upcoming", category: "outreach", borrowerId, accountId, params: { installment_id: DEMO_1001 } });
    const cancelled = await enqueue({ template: "reminder.missed", category: "outreach", borrowerId, accountId, params: { installment_id: DEMO_1001 } });
    await testDb().query("update app.outbound_messages set state = 'cancelled', cancel_reason = 'opted_out' where id = $1", [cancelled]);

    const jar = await signInStaff(STAFF.agent.email);
    const page = await call(() => accountLoader({ request: req(`/ops/accounts/${accountId}`, { jar }), params: { accountId }, context }));
    expect(page.status).toBe(200);
    const { messages } = page.data as Page;
    expect(messages.slice(0, 2)).toEqual([
      expect.objectContaining({ what: "A payment was missed", kind: "Outreach", state: "cancelled", stateLabel: "Not sent", detail: "opted out of email" }),
      expect.objectContaining({ what: "Reminder before a payment", kind: "Outreach", state: "queued", stateLabel: "Waiting" }),
    ]);
    // Nothing of the message itself: no address, no params.
    expect(JSON.stringify(messages)).not.toContain("@");
    expect(JSON.stringify(messages)).not.toContain("installment");
  });

  test("only staff read it: another id is refused in the database", async () => {
    const { accountId, borrowerId } = await accountRefs();
    await expect(rpc("account_messages", { p_staff_id: borrowerId, p_account_id: accountId }, z.unknown())).rejects.toMatchObject({ hint: "staff_forbidden" });
    const staff = { id: STAFF.agent.id, email: STAFF.agent.email, fullName: "Priya Shah", role: "agent" as const, approvalLimitMinor: 200_000 };
    await expect(accountMessages(staff, "a0000000-0000-4000-8000-00000000ffff")).rejects.toMatchObject({ hint: "account_not_found" });
  });

  test("a review page's list reads only the latest it shows; a limit outside 1 to 200 is refused", async () => {
    const { accountId, borrowerId } = await accountRefs();
    for (let i = 0; i < 12; i += 1) {
      await enqueue({ template: "reminder.upcoming", category: "outreach", borrowerId, accountId, params: { installment_id: DEMO_1001 }, dedupeKey: `limit-test/${i}` });
    }
    const staff = { id: STAFF.agent.id, email: STAFF.agent.email, fullName: "Priya Shah", role: "agent" as const, approvalLimitMinor: 200_000 };
    const all = await accountMessages(staff, accountId);
    expect(all.length).toBeGreaterThanOrEqual(12);
    const latest = await accountMessages(staff, accountId, 10);
    expect(latest.map((m) => m.id)).toEqual(all.slice(0, 10).map((m) => m.id));
    for (const limit of [0, 201]) {
      await expect(accountMessages(staff, accountId, limit)).rejects.toMatchObject({ hint: "invalid_limit" });
    }
  });

  test("every template the outbox can send has a name staff can read, in English and Spanish", () => {
    for (const language of ["en", "es"]) {
      const ops = JSON.parse(readFileSync(`public/locales/${language}/ops.json`, "utf8")) as { account: { messages: { template: Record<string, string> } } };
      expect(Object.keys(ops.account.messages.template).sort(), language).toEqual(Object.keys(outboxTemplates).sort());
    }
  });
});
