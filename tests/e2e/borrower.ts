/**
 * Shared steps for borrower journeys: a private copy of DEMO-1001 per test and browser project
 * (tests/e2e/clone-account.ts; an account holds one live arrangement at a time and both
 * projects run at once), and signing in through a link from the real `npm run link`.
 */
import { expect, type Page, type TestInfo } from "@playwright/test";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const E2E_ENV = { ...process.env, PGLITE_DIR: ".data/e2e/pglite", DATABASE_URL: "", LOG_LEVEL: "warn" };

/** A copy of DEMO-1001 (Alex, $1,240.50) for this test and project; returns its reference. */
export async function cloneOfDemo1001(testInfo: TestInfo, name: string): Promise<string> {
  const reference = `E2E-${testInfo.project.name === "phone-js" ? "JS" : "NOJS"}-${name}`;
  await run("npx", ["tsx", "tests/e2e/clone-account.ts", "DEMO-1001", reference], { env: E2E_ENV, timeout: 60_000 });
  return reference;
}

/** Signs in as Alex (date of birth 4/12/1985) on the account with this reference. */
export async function signIn(page: Page, reference: string): Promise<void> {
  const { stdout } = await run("npm", ["run", "--silent", "link", "--", reference], { env: E2E_ENV, timeout: 30_000 });
  const url = stdout.split("\n").find((line) => line.includes("/l/"))?.trim();
  if (!url) throw new Error(`npm run link printed no link:\n${stdout}`);
  await page.goto(new URL(url).pathname);
  const group = page.getByRole("group", { name: "Your date of birth" });
  await group.getByRole("textbox", { name: "Month" }).fill("4");
  await group.getByRole("textbox", { name: "Day" }).fill("12");
  await group.getByRole("textbox", { name: "Year" }).fill("1985");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your account with Northwind Lending" })).toBeVisible();
}
