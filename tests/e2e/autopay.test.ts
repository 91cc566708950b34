/**
 * Issue 6 "Done when" (last part), end to end on a 360×780 phone with JavaScript on and off:
 * Alex agrees $100 a month, reads the recurring-payment authorization, saves 4242 4242 4242
 * 4242 on the sandbox's page (setup mode), sees it under "My payment methods", and on the
 * first due date `npm run jobs -- --today <date>` charges it: My plan shows the payment paid
 * and the balance is $100 lower. Then Alex stops automatic payments. axe at zero on every page.
 */
import { expect, test, type Page } from "@playwright/test";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expectNoAxeViolations } from "./a11y";
import { cloneOfDemo1001, signIn } from "./borrower";

const run = promisify(execFile);
const E2E_ENV = { ...process.env, PGLITE_DIR: ".data/e2e/pglite", DATABASE_URL: "", LOG_LEVEL: "warn" };

test.describe.configure({ timeout: 180_000 });

async function agreeHundredAMonth(page: Page, javaScriptEnabled: boolean): Promise<void> {
  await page.getByRole("link", { name: /^Set up a payment plan/ }).click();
  await page.getByRole("textbox", { name: /^Each payment/ }).fill("100");
  await page.getByRole("radio", { name: "Every month" }).check();
  if (!javaScriptEnabled) await page.getByRole("button", { name: "Show my plan" }).click();
  await page.getByRole("link", { name: "Review and agree" }).click();
  await page.getByRole("button", { name: "I agree" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My plan" })).toBeVisible();
}

/** "Dec 28, 2026" (as the schedule shows it) → "2026-12-28". */
function isoFromShown(shown: string): string {
  const date = new Date(`${shown} 12:00`);
  if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${shown}`);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

test("a plan with a saved card is charged by `npm run jobs` on its due date", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOfDemo1001(testInfo, "AUTOPAY");
  await signIn(page, reference);
  await agreeHundredAMonth(page, javaScriptEnabled);

  const schedule = page.getByRole("table", { name: "All payments" }).first();
  const firstDate = isoFromShown((await schedule.getByRole("row").nth(1).getByRole("cell").first().innerText()).trim());

  await page.getByRole("link", { name: /^Pay automatically/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pay automatically" })).toBeVisible();
  await expect(page.getByText(/^I authorize Northwind Lending to take the payments of my plan/)).toBeVisible();
  await expect(page.getByText(/tried again 3 days and 7 days later/)).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("button", { name: "I agree. Save a card or bank account" }).click();

  await expect(page).toHaveURL(/\/sandbox\/stripe\/checkout\//);
  await page.getByRole("textbox", { name: /^Card number/ }).fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: "Save", exact: true }).click();

  await expect(page.getByRole("heading", { level: 1, name: "My payment methods" })).toBeVisible();
  // Stripe's webhook activates it; until then the page says it is confirming.
  await expect(async () => {
    await page.reload();
    await expect(page.getByText("Your Visa ending 4242 is saved. We will take each payment on its due date.")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByRole("heading", { level: 2, name: "Visa ending 4242" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  // The first due date comes: the scheduler runs the jobs.
  const { stdout } = await run("npm", ["run", "--silent", "jobs", "--", "--today", firstDate], { env: E2E_ENV, timeout: 60_000 });
  expect(stdout).toMatch(/^Sweep \(today = \d{4}-\d{2}-\d{2}\): \d+ charges? — \d+ succeeded/m);

  await page.getByRole("link", { name: "Back to my plan" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My plan" })).toBeVisible();
  await expect(page.getByText("Your payments are taken automatically from your Visa ending 4242 on their due dates.")).toBeVisible();
  await expect(schedule.getByRole("row").nth(1)).toContainText("Paid");
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("link", { name: "Back to your account" }).click();
  await expect(page.getByRole("region", { name: "What you owe today" })).toContainText("You owe $1,140.50.");

  // Stopping: what it means first, then the plan stays and nothing more is taken.
  await page.goto(page.url().replace(/\/?$/, "/payment-methods"));
  await page.getByRole("link", { name: "Stop automatic payments" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Stop automatic payments?" })).toBeVisible();
  await expect(page.getByText("Your plan stays the same.")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("button", { name: "Yes, stop automatic payments" }).click();
  await expect(page.getByText(/Automatic payments are off\. Your plan has not changed\./)).toBeVisible();
  await expect(page.getByRole("link", { name: "Pay my plan automatically" })).toBeVisible();
});
