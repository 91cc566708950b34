/**
 * On a slow connection the page shows (server-rendered) long before its scripts arrive, and
 * people start typing. What they typed must still be there, and be sent, once the scripts
 * have loaded and the page has hydrated: a borrower's date of birth, a staff member's email,
 * a choice and a few words of feedback.
 * The scripts are held back here until the typing is done.
 */
import { expect, test, type Page } from "@playwright/test";
import { cloneOfDemo1001 } from "./borrower";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const E2E_ENV = { ...process.env, PGLITE_DIR: ".data/e2e/pglite", DATABASE_URL: "", LOG_LEVEL: "warn" };

test.describe.configure({ timeout: 120_000 });

/** Holds every script until `release()` is called; returns release. */
async function holdScripts(page: Page): Promise<() => void> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/assets\/.*\.js$/, async (route) => {
    await gate;
    await route.continue();
  });
  return release;
}

/** Waits until React has hydrated the page (the root marks it). */
async function hydrated(page: Page) {
  await expect(page.locator("html[data-hydrated]")).toBeAttached({ timeout: 30_000 });
}

test("a date of birth typed before the scripts load is kept and sent", async ({ page, javaScriptEnabled }, testInfo) => {
  test.skip(!javaScriptEnabled, "without JavaScript there is nothing to hydrate");
  const reference = await cloneOfDemo1001(testInfo, "EARLY");
  const { stdout } = await run("npm", ["run", "--silent", "link", "--", reference], { env: E2E_ENV, timeout: 30_000 });
  const url = stdout.split("\n").find((line) => line.includes("/l/"))?.trim();
  if (!url) throw new Error(`npm run link printed no link:\n${stdout}`);

  const release = await holdScripts(page);
  await page.goto(new URL(url).pathname, { waitUntil: "domcontentloaded" });
  await page.locator('input[name="dob.month"]').fill("4");
  await page.locator('input[name="dob.day"]').fill("12");
  await page.locator('input[name="dob.year"]').fill("1985");
  release();
  await hydrated(page);

  await expect(page.locator('input[name="dob.month"]')).toHaveValue("4");
  await expect(page.locator('input[name="dob.day"]')).toHaveValue("12");
  await expect(page.locator('input[name="dob.year"]')).toHaveValue("1985");
  await page.locator('main form button[type="submit"]').click();
  // Signed in (the next page may first ask about email notices).
  await expect(page.getByRole("banner").getByRole("button", { name: "Sign out" })).toBeVisible();
});

test("a work email typed before the scripts load is kept and sent", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "without JavaScript there is nothing to hydrate");
  const release = await holdScripts(page);
  await page.goto("/ops/sign-in", { waitUntil: "domcontentloaded" });
  await page.getByRole("textbox", { name: "Work email" }).fill("nobody.early@example.com");
  release();
  await hydrated(page);

  await expect(page.getByRole("textbox", { name: "Work email" })).toHaveValue("nobody.early@example.com");
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
});

test("a choice made before the scripts load is kept and sent", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "without JavaScript there is nothing to hydrate");
  const release = await holdScripts(page);
  await page.goto("/feedback?page=home", { waitUntil: "domcontentloaded" });
  await page.getByRole("radio", { name: "Easy", exact: true }).check();
  await page.getByRole("textbox", { name: /Anything you want to tell us/ }).fill("Typed early.");
  release();
  await hydrated(page);

  await expect(page.getByRole("radio", { name: "Easy", exact: true })).toBeChecked();
  await expect(page.getByRole("textbox", { name: /Anything you want to tell us/ })).toHaveValue("Typed early.");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Thank you" })).toBeVisible();
});
