/**
 * The console's own pages at 1280×800 and at 360×780, JavaScript on and off, axe at zero:
 * an admin signs in (once per size) through the emailed link in /dev/outbox (the link lands on a page that
 * asks for a press), reads the queue and filters it, finds an account and copies a link for
 * the borrower (shown once), opens the metrics, import, export and the staff list, then signs out.
 */
import { expect, test, type Page } from "@playwright/test";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expectNoAxeViolations } from "./a11y";

const run = promisify(execFile);
const E2E_ENV = { ...process.env, PGLITE_DIR: ".data/e2e/pglite", DATABASE_URL: "", LOG_LEVEL: "warn" };

/** A staff member of this test's own (tests/e2e/make-staff.ts). */
async function makeStaff(email: string, role: "agent" | "supervisor" | "admin", limitMinor: number) {
  await run("npx", ["tsx", "tests/e2e/make-staff.ts", email, role, String(limitMinor)], { env: E2E_ENV, timeout: 60_000 });
  return email;
}

test.describe.configure({ timeout: 180_000 });

async function signInStaff(page: Page, email: string) {
  await page.goto("/ops");
  await expect(page).toHaveURL(/\/ops\/sign-in$/);
  await page.getByRole("textbox", { name: "Work email" }).fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
  // The outbox sends the email just after the answer: look again until it is there.
  const signInEmail = page.getByRole("listitem").filter({ hasText: email }).filter({ hasText: "Your sign-in link for the Repay console" }).first().getByRole("link").first();
  await expect(async () => {
    await page.goto("/dev/outbox");
    await expect(signInEmail).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await signInEmail.click();
  const href = await page.locator('a[href*="/ops/l/"]').first().getAttribute("href");
  await page.goto(new URL(href!).pathname);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Queue" })).toBeVisible();
}

for (const size of [
  { width: 1280, height: 800 },
  { width: 360, height: 780 },
]) {
  test(`the console's pages at ${size.width}×${size.height}`, async ({ page, javaScriptEnabled }, testInfo) => {
    // An admin of this test's own: another test's sign-in emails are not ours to open.
    const email = await makeStaff(`console.${testInfo.project.name}.${size.width}@example.com`, "admin", 5_000_000);
    await page.setViewportSize(size);
    await signInStaff(page, email);

    await page.goto("/ops");
    await expect(page.getByRole("table", { name: "Requests waiting for a decision" })).toContainText("HIST-2037");
    await expectNoAxeViolations(page, javaScriptEnabled);

    await page.getByRole("combobox", { name: "Kind" }).selectOption("plan");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/kind=plan/);
    await expect(page.getByRole("table", { name: "Requests waiting for a decision" })).not.toContainText("Hardship request");

    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Accounts" }).click();
    await page.getByRole("textbox", { name: "Reference, email or name" }).fill("hist-2033");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByText("1 account found.")).toBeVisible();
    await expectNoAxeViolations(page, javaScriptEnabled);
    await page.getByRole("link", { name: "HIST-2033" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Account HIST-2033" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Audit trail" })).toContainText("staff.account_viewed");
    await page.getByRole("button", { name: "Copy a link" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Copy this link now" })).toBeVisible();
    await expect(page.locator("code.ops-link")).toHaveText(/\/l\/[A-Za-z0-9_-]{43}$/);
    await expectNoAxeViolations(page, javaScriptEnabled);

    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Metrics" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Metrics" })).toBeVisible();
    await expect(page.getByRole("figure", { name: "Cure rate" }).first()).toBeVisible();
    await expectNoAxeViolations(page, javaScriptEnabled);

    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Import" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Import placements" })).toBeVisible();
    await expectNoAxeViolations(page, javaScriptEnabled);
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Export" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Export to the lender" })).toBeVisible();
    await expectNoAxeViolations(page, javaScriptEnabled);

    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Staff" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Staff" })).toBeVisible();
    await expectNoAxeViolations(page, javaScriptEnabled);

    await page.getByRole("navigation", { name: "Console" }).getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByText("You are signed out.")).toBeVisible();
    await page.goto("/ops");
    await expect(page).toHaveURL(/\/ops\/sign-in$/);
  });
}
