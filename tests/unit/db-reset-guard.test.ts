/**
 * `npm run db:reset` drops every table without asking, so it only trusts a DATABASE_URL on
 * this machine: loopback addresses and Unix sockets.
 */
import { expect, test } from "vitest";
import { isLocalDatabaseUrl } from "~/cli/cli-support";

test.each([
  ["postgres://postgres@127.0.0.1:5432/postgres", true],
  ["postgres://postgres@localhost/repay", true],
  ["postgresql://u:p@[::1]:5432/db", true],
  ["postgres://postgres@127.0.0.2/db", true],
  ["postgres://db.localhost/db", true],
  ["postgres:///repay?host=/var/run/postgresql", true],
  ["postgres://postgres:secret@db.abcdefgh.supabase.co:5432/postgres", false],
  ["postgres://postgres@10.0.0.5/db", false],
  ["postgres://127.0.0.1.example.com/db", false],
  ["not a url", false],
])("%s is local: %s", (url, local) => {
  expect(isLocalDatabaseUrl(url)).toBe(local);
});
