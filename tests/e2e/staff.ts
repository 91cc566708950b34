/**
 * Shared steps for console journeys: a staff member signs in as a person would, through
 * /ops/sign-in and the one-time link in their email (found in the local outbox at /dev/outbox),
 * then "Sign in" on /ops/confirm. axe runs on each sign-in page on the way.
 *
 * Budget (ADR 012): 3 links per member per 15 minutes and 30 sign-in requests per network per
 * hour. The e2e server starts with a fresh database each run, so a test signs in once and
 * keeps its page. Both browser projects may sign the same member in at once: each tries the
 * links emailed since it looked, oldest first, and when the other project spent one first
 * ("This link was already used") it takes the next: any of that member's links signs the same
 * person in.
 */
import { expect, type Page } from "@playwright/test";
import { expectNoAxeViolations } from "./a11y";

const SIGN_IN_SUBJECT = "Your sign-in link for the Repay console";

/** The ids of the sign-in emails to this address in /dev/outbox, newest first. */
async function signInEmailIds(page: Page, email: string): Promise<string[]> {
  await page.goto("/dev/outbox");
  const links = page.getByRole("listitem").filter({ hasText: email }).getByRole("link", { name: SIGN_IN_SUBJECT, exact: true });
  const ids: string[] = [];
  for (const link of await links.all()) {
    const id = (await link.getAttribute("href"))?.split("/").pop();
    if (id) ids.push(id);
  }
  return ids;
}

/** Opens the sign-in link in this email and presses "Sign in": true when it signed in. */
async function trySignInEmail(page: Page, emailId: string, fullName: string, checkAxe: () => Promise<void>): Promise<boolean> {
  await page.goto(`/dev/outbox/${emailId}`);
  const href = await page.locator('a[href*="/ops/l/"]').first().getAttribute("href");
  if (!href) throw new Error(`no console link in email ${emailId}`);
  await page.goto(new URL(href).pathname);
  // The link itself spends nothing: it only moves the token into a cookie and asks for a press.
  await expect(page).toHaveURL(/\/ops\/confirm$/);
  const heading = page.getByRole("heading", { level: 1 });
  if ((await heading.textContent()) !== "Sign in") return false;
  await expect(page.getByText(new RegExp(`^Sign in as ${fullName} \\(`))).toBeVisible();
  await checkAxe();
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).not.toHaveText("Sign in");
  return new URL(page.url()).pathname === "/ops";
}

/**
 * Signs a staff member in on this page through the real sign-in form and emailed link, and
 * leaves the page on the queue with the console bar showing who is signed in. With `axe`
 * (the default), the sign-in, "Check your email" and confirm pages are checked on the way.
 */
export async function signInStaff(page: Page, member: { email: string; fullName: string }, javaScriptEnabled: boolean, { axe = true } = {}): Promise<void> {
  const before = new Set(await signInEmailIds(page, member.email));

  await page.goto("/ops/sign-in");
  await expect(page.getByRole("heading", { level: 1, name: "Sign in to the console" })).toBeVisible();
  if (axe) await expectNoAxeViolations(page, javaScriptEnabled);
  // What is typed before the page's scripts take over is wiped when they do (react-aria's text
  // fields hold their value in React state), so with JavaScript wait for them, as a person
  // on a fast connection would. Reported to the lead; not what this test is about.
  if (javaScriptEnabled) await page.waitForLoadState("networkidle");
  await page.getByRole("textbox", { name: /^Work email/ }).fill(member.email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
  await expect(page.getByText("If that address belongs to a staff member, a sign-in link is on its way.")).toBeVisible();
  if (axe) await expectNoAxeViolations(page, javaScriptEnabled);

  // The outbox sends the email in the background, just after the answer: look again until it is there.
  let confirmPageChecked = !axe;
  const checkConfirmPage = async () => {
    if (confirmPageChecked) return;
    await expectNoAxeViolations(page, javaScriptEnabled);
    confirmPageChecked = true;
  };
  await expect(async () => {
    // Oldest first: each project then takes its own link, or an older one the other left.
    const fresh = (await signInEmailIds(page, member.email)).filter((id) => !before.has(id)).reverse();
    expect(fresh.length, `a new sign-in email to ${member.email}`).toBeGreaterThan(0);
    for (const id of fresh) {
      if (await trySignInEmail(page, id, member.fullName, checkConfirmPage)) return;
    }
    throw new Error("every new sign-in link was already used (by the other browser project?)");
  }).toPass({ timeout: 30_000, intervals: [250, 500, 1_000] });

  await expect(page.getByRole("heading", { level: 1, name: "Queue" })).toBeVisible();
  await expect(page.getByText(member.fullName, { exact: true })).toBeVisible();
}

export const PRIYA = { email: "priya.shah@example.com", fullName: "Priya Shah" } as const;
export const DANIEL = { email: "daniel.brooks@example.com", fullName: "Daniel Brooks" } as const;
