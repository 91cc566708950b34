/**
 * Staff sessions for integration tests. `signInStaff` mints a sign-in link the way
 * api.request_staff_sign_in does (the token's SHA-256 stored, 15 minutes), then goes through
 * the real routes a browser takes: /ops/l/:token (the token moves into a cookie) and the
 * press on /ops/confirm. Minting directly keeps tests clear of the per-address and per-IP
 * request limits; tests/integration/staff-access.test.ts covers the emailed request.
 */
import { expect } from "vitest";
import { action as confirmAction } from "~/routes/ops.confirm";
import { loader as staffLinkLoader } from "~/routes/ops.l.$token";
import { generateToken, hashToken } from "~/utils/access-links.server";
import { testDb } from "./db";
import { call, context, Jar, req } from "./routes";

export const STAFF = {
  agent: { id: "e0000000-0000-4000-8000-000000000001", email: "priya.shah@example.com" },
  supervisor: { id: "e0000000-0000-4000-8000-000000000002", email: "daniel.brooks@example.com" },
  admin: { id: "e0000000-0000-4000-8000-000000000003", email: "grace.kim@example.com" },
} as const;

/** Follows a staff sign-in link and presses "Sign in": the jar then holds the console session. */
export async function followStaffLink(token: string, jar = new Jar()): Promise<Jar> {
  const opened = await call(() => staffLinkLoader({ request: req(`/ops/l/${token}`, { jar }), params: { token }, context }));
  expect(opened.status).toBe(303);
  jar.apply(opened.headers);
  const confirmed = await call(() => confirmAction({ request: req("/ops/confirm", { method: "POST", form: {}, jar }), params: {}, context }));
  expect(confirmed.status).toBe(303);
  expect(confirmed.headers.get("Location")).toBe("/ops");
  return jar.apply(confirmed.headers);
}

/** A cookie jar with a live console session for this staff email. */
export async function signInStaff(email: string): Promise<Jar> {
  const token = generateToken();
  const { rowCount } = await testDb().query(
    `insert into app.staff_sign_in_links (staff_id, token_hash, expires_at)
     select s.id, $2, now() + interval '15 minutes' from app.staff as s where s.email = $1`,
    [email.toLowerCase(), hashToken(token)],
  );
  expect(rowCount).toBe(1);
  return followStaffLink(token);
}
