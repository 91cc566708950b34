/**
 * Shared steps for borrower journeys: a private copy of DEMO-1001 per test and browser project
 * (tests/e2e/clone-account.ts; an account holds one live arrangement at a time and both
 * projects run at once), and signing in through a link from the real `npm run link`
 * (answering the one-time question about notices by email when it comes).
 */
import { expect, type Page, type TestInfo } from "@playwright/test";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const E2E_ENV = { ...process.env, PGLITE_DIR: ".data/e2e/pglite", DATABASE_URL: "", LOG_LEVEL: "warn" };

/** A copy of a demo account (its borrower too) for this test and project; returns its reference. */
export async function cloneOf(testInfo: TestInfo, source: string, name: string): Promise<string> {
  const reference = `E2E-${testInfo.project.name === "phone-js" ? "JS" : "NOJS"}-${name}`;
  await run("npx", ["tsx", "tests/e2e/clone-account.ts", source, reference], { env: E2E_ENV, timeout: 60_000 });
  return reference;
}

/** A copy of DEMO-1001 (Alex, $1,240.50) for this test and project; returns its reference. */
export const cloneOfDemo1001 = (testInfo: TestInfo, name: string) => cloneOf(testInfo, "DEMO-1001", name);

/** A fresh secure link for the account, from the real `npm run link`, as a path on the e2e server. */
export async function linkPathFor(reference: string): Promise<string> {
  const { stdout } = await run("npm", ["run", "--silent", "link", "--", reference], { env: E2E_ENV, timeout: 30_000 });
  const url = stdout.split("\n").find((line) => line.includes("/l/"))?.trim();
  if (!url) throw new Error(`npm run link printed no link:\n${stdout}`);
  return new URL(url).pathname;
}

/** Signs in on the account with this reference with a date of birth (Alex's, 4/12/1985, by default). */
export async function signIn(page: Page, reference: string, dob = { month: "4", day: "12", year: "1985" }, overviewHeading = "Your account with Northwind Lending"): Promise<void> {
  await page.goto(await linkPathFor(reference));
  // The page speaks the borrower's language (María's is Spanish): find the fields by name.
  await page.locator('input[name="dob.month"]').fill(dob.month);
  await page.locator('input[name="dob.day"]').fill(dob.day);
  await page.locator('input[name="dob.year"]').fill(dob.year);
  await page.locator('main form button[type="submit"]').click();
  await answerEmailNotices(page);
  await expect(page.getByRole("heading", { level: 1, name: overviewHeading })).toBeVisible();
}

/**
 * After a right answer: at a borrower's first sign-in the portal asks once whether they agree
 * to notices by email (issue 9 item 5). Answers it ("Yes, email me" by default) when asked, in
 * any language, and waits until the borrower has moved on.
 */
export async function answerEmailNotices(page: Page, choice: "granted" | "withdrawn" = "granted"): Promise<void> {
  await page.waitForURL((url) => url.pathname !== "/sign-in");
  if (new URL(page.url()).pathname !== "/email-notices") return;
  await page.locator(`main form button[name="choice"][value="${choice}"]`).click();
  await page.waitForURL((url) => url.pathname !== "/email-notices");
}
