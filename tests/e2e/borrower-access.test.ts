/**
 * The borrower's front door, end to end on a 360×780 phone, with JavaScript on and off
 * (issue 4, "Done when"): a secure link from `npm run link`, the one question, the overview
 * in plain words, Spanish for María, Sam's two accounts, a wrong answer, a link opened twice
 * and then spent, sign-out, "Is this genuine?" and "Send me a new link" giving everyone the
 * same answer. axe reports zero violations on every page visited.
 *
 * Each test mints its own link (the five-wrong-answers lock is per link), through the real
 * `npm run link` command: it reaches the e2e server's embedded database through the socket
 * the server shares on loopback (`.data/e2e/pglite.socket.json`, found from PGLITE_DIR).
 */
import { expect, test, type Page } from "@playwright/test";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expectNoAxeViolations } from "./a11y";
import { answerEmailNotices } from "./borrower";

const run = promisify(execFile);

// Journeys of several pages, each scanned by axe (without JavaScript, in a second browser
// context per scan): more than the default 30 seconds on a busy machine, never minutes.
test.describe.configure({ timeout: 90_000 });

/** A fresh link for an account, as `npm run link -- DEMO-1001` prints it. */
async function mintLink(reference: string): Promise<string> {
  const { stdout } = await run("npm", ["run", "--silent", "link", "--", reference], {
    env: { ...process.env, PGLITE_DIR: ".data/e2e/pglite", DATABASE_URL: "", LOG_LEVEL: "warn" },
    timeout: 30_000,
  });
  const url = stdout.split("\n").find((line) => line.includes("/l/"))?.trim();
  if (!url) throw new Error(`npm run link printed no link:\n${stdout}`);
  // Relative to the e2e server, whatever APP_URL the command saw.
  return new URL(url).pathname;
}

async function answerDateOfBirth(page: Page, legend: string, { month, day, year }: { month: string; day: string; year: string }, labels = { month: "Month", day: "Day", year: "Year" }) {
  const group = page.getByRole("group", { name: legend });
  await group.getByRole("textbox", { name: labels.month }).fill(month);
  await group.getByRole("textbox", { name: labels.day }).fill(day);
  await group.getByRole("textbox", { name: labels.year }).fill(year);
}

const ALEX = { month: "4", day: "12", year: "1985" };

test("Alex opens a link, confirms his date of birth and sees $1,240.50 explained", async ({ page, javaScriptEnabled }) => {
  const link = await mintLink("DEMO-1001");
  const opened = await page.goto(link);
  expect(opened?.status()).toBe(200);
  // The token has left the address.
  expect(new URL(page.url()).pathname).toBe("/sign-in");
  await expect(page.getByRole("heading", { level: 1, name: "Confirm it's you" })).toBeVisible();
  await expect(page.getByText("This is your account with Northwind Lending.")).toBeVisible();
  await expect(page.getByText("We ask one question to keep your account private.")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await answerDateOfBirth(page, "Your date of birth", ALEX);
  await page.getByRole("button", { name: "Continue" }).click();
  await answerEmailNotices(page);

  await expect(page.getByRole("heading", { level: 1, name: "Your account with Northwind Lending" })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe("/account/a0000000-0000-4000-8000-000000001001");
  const owed = page.getByRole("region", { name: "What you owe today" });
  await expect(owed.getByText("You owe $1,240.50.")).toBeVisible();
  await expect(owed.getByText("$1,100.00 is what you borrowed.")).toBeVisible();
  await expect(owed.getByText("$96.50 is interest: what the lender charges for lending.")).toBeVisible();
  await expect(owed.getByText("$44.00 is fees:")).toBeVisible();
  await expect(page.getByText("If nothing changes, your account stays open")).toBeVisible();
  for (const option of ["Pay now", "Set up a payment plan", "I'm struggling to pay", "I don't recognize this debt", "Contact preferences"]) {
    await expect(page.getByRole("link", { name: new RegExp(`^${option}`) })).toBeVisible();
  }
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  // No cache keeps an account page (Back after signing out, a shared phone).
  expect((await page.request.get(page.url())).headers()["cache-control"]).toBe("no-store");
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("link", { name: /^Explain my balance/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Explain my balance" })).toBeVisible();
  const timeline = page.getByRole("list", { name: "What changed your balance, oldest first" });
  await expect(timeline.getByRole("listitem")).toHaveCount(5);
  await expect(timeline.getByRole("listitem").last()).toContainText("You owed $1,240.50 after this.");
  await expect(page.getByText("Today you owe $1,240.50.")).toBeVisible();
  if (javaScriptEnabled) await expect(page.getByRole("button", { name: "Print this statement" })).toBeVisible();
  else await expect(page.getByText("use your browser's menu and choose Print")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("link", { name: "Back to your account" }).click();
  await page.getByRole("link", { name: /^I'm struggling to pay/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Ask for help" })).toBeVisible();
  await expect(page.getByRole("link", { name: "1-800-555-0199" })).toHaveAttribute("href", "tel:+18005550199");
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "You have signed out." })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toHaveCount(0);
  await expectNoAxeViolations(page, javaScriptEnabled);

  // Signed out means signed out: the account now sends them to the home page.
  await page.goto("/account/a0000000-0000-4000-8000-000000001001");
  expect(new URL(page.url()).pathname).toBe("/");
});

test.describe("in Spanish", () => {
  test.use({ extraHTTPHeaders: { "accept-language": "en-US,en;q=0.9" }, locale: "en-US" });

  test("María's link reads in Spanish, her language on record, before and after she signs in", async ({ page, javaScriptEnabled }) => {
    await page.goto(await mintLink("DEMO-1002"));
    await expect(page.locator("html")).toHaveAttribute("lang", "es");
    await expect(page.getByRole("heading", { level: 1, name: "Confirme que es usted" })).toBeVisible();
    await expectNoAxeViolations(page, javaScriptEnabled);

    await answerDateOfBirth(page, "Su fecha de nacimiento", { month: "11", day: "3", year: "1979" }, { month: "Mes", day: "Día", year: "Año" });
    await page.getByRole("button", { name: "Continuar" }).click();
    await answerEmailNotices(page);

    await expect(page.getByRole("heading", { level: 1, name: "Su cuenta con Northwind Lending" })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "es");
    await expect(page.getByText("Usted debe $2,663.38.")).toBeVisible();
    await expect(page.getByText("$2,500.00 es lo que le prestaron.")).toBeVisible();
    await expect(page.getByText(/Ha pagado \$250\.00 desde el .+\. Gracias\./)).toBeVisible();
    await expect(page.getByRole("link", { name: /^Pagar ahora/ })).toBeVisible();
    await expectNoAxeViolations(page, javaScriptEnabled);
  });
});

test("Sam confirms his ZIP code, sees both accounts and picks one", async ({ page, javaScriptEnabled }) => {
  await page.goto(await mintLink("DEMO-1003"));
  const zip = page.getByRole("textbox", { name: "Your ZIP code" });
  await expect(zip).toHaveAttribute("inputmode", "numeric");
  await expect(zip).toHaveAttribute("autocomplete", "postal-code");
  await zip.fill("94110");
  await page.getByRole("button", { name: "Continue" }).click();
  await answerEmailNotices(page);

  await expect(page.getByRole("heading", { level: 1, name: "Your accounts" })).toBeVisible();
  const cards = page.getByRole("link", { name: /Northwind Lending/ });
  await expect(cards).toHaveCount(2);
  await expect(page.getByRole("link", { name: /Reference ending in 1003 You owe \$684\.28/ })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("link", { name: /Reference ending in 1004/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your account with Northwind Lending" })).toBeVisible();
  await expect(page.getByText("This account started with Contoso Bank. It is now with Northwind Lending.")).toBeVisible();
  await expect(page.getByText("You owe $651.05.")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("link", { name: "See all your accounts" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your accounts" })).toBeVisible();
});

test("a wrong answer gets a calm message with the attempts left; then the right one works", async ({ page, javaScriptEnabled }) => {
  await page.goto(await mintLink("DEMO-1005"));
  await answerDateOfBirth(page, "Your date of birth", { month: "1", day: "31", year: "1990" });
  await page.getByRole("button", { name: "Continue" }).click();
  const message = page.getByRole("alert").filter({ hasText: "That doesn't match what we have." });
  await expect(message).toContainText("You can try 4 more times with this link.");
  await expectNoAxeViolations(page, javaScriptEnabled);

  // A typing problem is not a wrong answer: it says what to fix, and spends nothing.
  await answerDateOfBirth(page, "Your date of birth", { month: "1", day: "30", year: "90" });
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Write the year with 4 numbers, like 1985" })).toBeVisible();

  await answerDateOfBirth(page, "Your date of birth", { month: "January", day: "30", year: "1990" });
  await page.getByRole("button", { name: "Continue" }).click();
  await answerEmailNotices(page);
  await expect(page.getByText("You have paid this account in full. Thank you.")).toBeVisible();
  await expect(page.getByRole("link", { name: /^Pay now/ })).toHaveCount(0);
  await expect(page.getByRole("link", { name: /^Set up a payment plan/ })).toHaveCount(0);
  await expectNoAxeViolations(page, javaScriptEnabled);
});

test("a link opened twice before answering works once, then cannot sign in again", async ({ page, javaScriptEnabled }) => {
  const link = await mintLink("DEMO-1001");
  await page.goto(link);
  await page.goto(link);
  await answerDateOfBirth(page, "Your date of birth", ALEX);
  await page.getByRole("button", { name: "Continue" }).click();
  await answerEmailNotices(page);
  await expect(page.getByText("You owe $1,240.50.")).toBeVisible();

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "You have signed out." })).toBeVisible();

  await page.goto(link);
  await expect(page.getByRole("heading", { level: 1, name: "This link has already been used" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Send me a new link" })).toHaveAttribute("href", "/new-link");
  await expect(page.getByRole("group", { name: "Your date of birth" })).toHaveCount(0);
  await expectNoAxeViolations(page, javaScriptEnabled);
});

test("a malformed link gets the friendly page, never an error", async ({ page, javaScriptEnabled }) => {
  const response = await page.goto("/l/not-a-real-token");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1, name: "This link doesn't work" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
});

test("signing out everywhere ends the session, and says so", async ({ page }) => {
  await page.goto(await mintLink("DEMO-1001"));
  await answerDateOfBirth(page, "Your date of birth", ALEX);
  await page.getByRole("button", { name: "Continue" }).click();
  await answerEmailNotices(page);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "You have signed out everywhere." })).toBeVisible();
  await page.goto("/account");
  expect(new URL(page.url()).pathname).toBe("/");
});

test("'Is this message really from us?' is open to anyone and linked from the footer", async ({ page, javaScriptEnabled }) => {
  await page.goto("/");
  await page.getByRole("link", { name: "How to check a message is really from us" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Is this message really from us?" })).toBeVisible();
  for (const never of ["Your full card number", "Your PIN", "A password", "Payment with gift cards", /Payment with cryptocurrency/]) {
    await expect(page.getByRole("listitem").filter({ hasText: never })).toBeVisible();
  }
  await expect(page.getByText(/^http:\/\/localhost:\d+\/l\/$/)).toBeVisible();
  await expect(page.getByRole("heading", { level: 3, name: "Northwind Lending" })).toBeVisible();
  await expect(page.getByRole("link", { name: "1-800-555-0199" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
});

test("'Send me a new link' answers the same words whether or not anything matched", async ({ page, javaScriptEnabled }) => {
  await page.goto("/new-link");
  await expect(page.getByRole("heading", { level: 1, name: "Get a new link" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  // Empty: a translated error, nothing looked up.
  await page.getByRole("button", { name: "Send me a new link" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Enter your email address or the reference from your letter" })).toBeVisible();

  const answers: string[] = [];
  for (const typed of ["nobody@example.org", "DEMO-1001"]) {
    await page.goto("/new-link");
    await page.getByRole("textbox", { name: "Your email address or the reference from your letter" }).fill(typed);
    await page.getByRole("button", { name: "Send me a new link" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
    expect(new URL(page.url()).search).toBe("?sent=1");
    answers.push(await page.getByRole("main").innerText());
  }
  expect(answers[1]).toBe(answers[0]);
  expect(answers[0]).toContain("If we found an account, we have sent a new link to the email address we have.");
  expect(answers[0]).toContain("1-800-555-0199");
  await expectNoAxeViolations(page, javaScriptEnabled);
});

test("with JavaScript, the idle warning offers more time, and signs out when time is up", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "the warning needs JavaScript; without it the server ends the session on its own");
  await page.clock.install();
  await page.goto(await mintLink("DEMO-1001"));
  await answerDateOfBirth(page, "Your date of birth", ALEX);
  await page.getByRole("button", { name: "Continue" }).click();
  await answerEmailNotices(page);
  await expect(page.getByText("You owe $1,240.50.")).toBeVisible();
  // The warning loads after hydration; move the clock only once its timers are set.
  await expect(page.locator("[data-idle-deadline]")).toBeAttached();

  await page.clock.fastForward("13:05");
  const dialog = page.getByRole("alertdialog", { name: "Do you need more time?" });
  await expect(dialog).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await dialog.getByRole("button", { name: "Stay signed in" }).click();
  await expect(dialog).toBeHidden();

  await page.clock.fastForward("15:30");
  await expect(page.getByRole("heading", { level: 1, name: "We signed you out" })).toBeVisible();
  expect(new URL(page.url()).search).toBe("?reason=expired");
  await expect(page.getByText("For your safety we signed you out after 15 minutes without activity.")).toBeVisible();
});
