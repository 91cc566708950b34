/**
 * Issue 5 "Done when", end to end on a 360×780 phone with JavaScript on and off: Alex
 * (DEMO-1001, $1,240.50, the demo policy) simulates $100 a month (13 payments, the last
 * $40.50, approved at once), agrees, sees the confirmation, finds the email in /dev/outbox and
 * sees the plan on the overview; $50 a month is refused as longer than the longest plan, with
 * the reason; $60 a month (21 payments) ends pending review; then he moves a payment and
 * cancels. axe reports zero violations on every page.
 *
 * An account holds one live arrangement at a time and both browser projects run at once, so
 * every test that agrees works on its own copy of DEMO-1001 (same borrower answers, same
 * ledger, same creditor and policy), made by tests/e2e/clone-account.ts.
 */
import { expect, test, type Page } from "@playwright/test";
import { expectNoAxeViolations } from "./a11y";
import { cloneOfDemo1001, signIn } from "./borrower";

test.describe.configure({ timeout: 120_000 });

/** Types an amount and, without JavaScript, submits the GET form (with it, results are live). */
async function simulate(page: Page, javaScriptEnabled: boolean, amount: string): Promise<void> {
  await page.getByRole("textbox", { name: /^Each payment/ }).fill(amount);
  await page.getByRole("radio", { name: "Every month" }).check();
  if (!javaScriptEnabled) await page.getByRole("button", { name: "Show my plan" }).click();
  else await expect(page.getByRole("button", { name: "Show my plan" })).toHaveCount(0);
}

const result = (page: Page) => page.getByRole("region", { name: "Your plan" });

test("$100 a month: 13 payments, the last $40.50, agreed at once, confirmed by email and on the overview", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOfDemo1001(testInfo, "PLAN100");
  await signIn(page, reference);
  await page.getByRole("link", { name: /^Set up a payment plan/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Choose how to pay" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await simulate(page, javaScriptEnabled, "100");
  await expect(result(page)).toContainText("13 payments.");
  await expect(result(page)).toContainText("$100.00 each time. The last payment is $40.50.");
  await expect(result(page)).toContainText("Total you pay: $1,240.50");
  await expect(result(page)).toContainText("It starts as soon as you agree.");
  await expect(page.getByRole("table", { name: "What each option costs in all, and when it ends" })).toContainText("$1,054.43");
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("link", { name: "Review and agree" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Review and agree" })).toBeVisible();
  const terms = page.getByRole("region", { name: "Your agreement" });
  await expect(terms).toContainText("You agree to pay Northwind Lending $1,240.50");
  await expect(terms).toContainText("The last payment is $40.50, so the total is exactly $1,240.50.");
  await expect(terms).toContainText("adds no interest and no fees");
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("button", { name: "I agree" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "My plan" })).toBeVisible();
  await expect(page.getByText("Done. Your plan is set up.")).toBeVisible();
  await expect(page.getByText(/A copy of the terms is on its way to e•••@example\.com/)).toBeVisible();
  await expect(page.getByRole("table", { name: "All payments" })).toContainText("$40.50");
  await expectNoAxeViolations(page, javaScriptEnabled);

  // The written confirmation, with the whole schedule and the terms, in the local outbox. The
  // outbox sends it just after the page answers, so look again until it is there.
  const myPlan = page.url();
  const email = page.getByRole("listitem").filter({ hasText: `${reference.toLowerCase()}@example.com` });
  const link = email.getByRole("link", { name: "Your payment plan with Northwind Lending" });
  await expect(async () => {
    await page.goto("/dev/outbox");
    await expect(link).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await link.click();
  const text = page.locator(".outbox-text");
  await expect(text).toContainText("$40.50");
  await expect(text).toContainText("Total: $1,240.50");
  await expect(text).toContainText("The last payment is $40.50, so the total is exactly $1,240.50.");

  // The overview shows the plan, and the plan option becomes "My plan".
  await page.goto(myPlan);
  await page.getByRole("link", { name: "Back to your account" }).click();
  const plan = page.getByRole("region", { name: "Your payment plan" });
  await expect(plan).toContainText("It is active.");
  await expect(plan).toContainText("Next payment: $100.00 on");
  await expect(page.getByRole("link", { name: /^My plan/ })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
});

test("$50 a month is refused as longer than the longest plan; $60 a month waits for review", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOfDemo1001(testInfo, "PLAN60");
  await signIn(page, reference);
  await page.getByRole("link", { name: /^Set up a payment plan/ }).click();

  // Bad input first: a clear message beside the field, nothing else.
  await simulate(page, javaScriptEnabled, "0");
  await expect(page.getByText("Enter an amount more than zero").first()).toBeVisible();
  await simulate(page, javaScriptEnabled, "1.240,50");
  await expect(page.getByText("Enter an amount like 100 or 100.50").first()).toBeVisible();

  await simulate(page, javaScriptEnabled, "50");
  await expect(result(page)).toContainText("25 payments.");
  await expect(result(page)).toContainText("Northwind Lending cannot accept this:");
  await expect(result(page)).toContainText("a plan can last up to 24 months");
  await expect(page.getByRole("link", { name: "Review and agree" })).toHaveCount(0);
  await expectNoAxeViolations(page, javaScriptEnabled);

  await simulate(page, javaScriptEnabled, "60");
  await expect(result(page)).toContainText("21 payments.");
  await expect(result(page)).toContainText("Northwind Lending needs to look at this first, because it lasts longer than 18 months.");
  await page.getByRole("link", { name: "Review and agree" }).click();
  await expect(page.getByRole("region", { name: "Your agreement" })).toContainText("will look at this and reply by");
  await page.getByRole("button", { name: "I agree" }).click();
  await expect(page.getByText("Done. We have your request.")).toBeVisible();
  await expect(page.getByText(/Waiting for Northwind Lending\. You will have an answer by/)).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
});

test("Alex moves one payment, then cancels his plan, with each consequence stated first", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOfDemo1001(testInfo, "MOVE");
  await signIn(page, reference);
  await page.getByRole("link", { name: /^Set up a payment plan/ }).click();
  await simulate(page, javaScriptEnabled, "100");
  await page.getByRole("link", { name: "Review and agree" }).click();
  await page.getByRole("button", { name: "I agree" }).click();
  await expect(page.getByText("Done. Your plan is set up.")).toBeVisible();

  await page.getByRole("link", { name: /^Move a payment/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Move a payment" })).toBeVisible();
  await page.getByRole("radio").first().check();
  await page.getByRole("button", { name: "Check the new date" }).click();
  // The dates that keep the schedule in order are listed; the first is the day after.
  await expect(page.getByRole("combobox", { name: "New date" })).toBeVisible();
  await page.getByRole("button", { name: "Check the new date" }).click();
  await expect(page.getByText(/^Your payment of \$100\.00 on .* moves to .*\. The other payments stay the same\.$/)).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("button", { name: "Move this payment" }).click();
  await expect(page.getByText(/Done\. Your payment is moved to/)).toBeVisible();
  await expect(page.getByRole("table", { name: "All payments" })).toContainText("moved from");
  // Once in 6 months: the option is gone now.
  await expect(page.getByRole("link", { name: /^Move a payment/ })).toHaveCount(0);

  await page.getByRole("link", { name: /^Cancel this plan/ }).click();
  await expect(page.getByText("Your plan stops. No more payments are due under it.")).toBeVisible();
  await expect(page.getByText("You will still owe what is left: $1,240.50.")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("button", { name: "Cancel my plan" }).click();
  await expect(page.getByText("Your plan is cancelled.")).toBeVisible();
  await expect(page.getByText(/^Cancelled on/)).toBeVisible();
  await expect(page.getByRole("link", { name: "Choose how to pay" })).toBeVisible();
});

test("Alex settles for less in one payment, cancels, then promises $200 on a date", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOfDemo1001(testInfo, "SETTLE");
  await signIn(page, reference);
  await page.getByRole("link", { name: /^Set up a payment plan/ }).click();

  await page.getByRole("link", { name: "Settle for less" }).click();
  await expect(page.getByText("Pay $1,054.43 instead of $1,240.50. That is $186.07 off (15%).")).toBeVisible();
  if (!javaScriptEnabled) await page.getByRole("button", { name: "Show my plan" }).click();
  await expect(result(page)).toContainText("One payment, on");
  await expect(result(page)).toContainText("When you have paid $1,054.43, you owe nothing more on this account.");
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("link", { name: "Review and agree" }).click();
  await expect(page.getByRole("region", { name: "Your agreement" })).toContainText(
    "Northwind Lending will accept $1,054.43 instead of $1,240.50 to settle the account",
  );
  await page.getByRole("button", { name: "I agree" }).click();
  await expect(page.getByText("Done. Your settlement is agreed.")).toBeVisible();

  await page.getByRole("link", { name: /^Cancel this plan/ }).click();
  await page.getByRole("button", { name: "Cancel my plan" }).click();
  await expect(page.getByText("Your plan is cancelled.")).toBeVisible();

  await page.getByRole("link", { name: "Choose how to pay" }).click();
  await page.getByRole("link", { name: "Pay on a date" }).click();
  await page.getByRole("textbox", { name: /^Amount you will pay/ }).fill("200");
  if (!javaScriptEnabled) await page.getByRole("button", { name: "Check this date" }).click();
  await expect(result(page)).toContainText("After this payment, you would still owe $1,040.50.");
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("link", { name: "Review and agree" }).click();
  await expect(page.getByRole("region", { name: "Your agreement" })).toContainText("You will pay Northwind Lending $200.00 on");
  await page.getByRole("button", { name: "I agree" }).click();
  await expect(page.getByText("Done. Your promise to pay is noted.")).toBeVisible();
  await expect(page.getByText("Promise to pay", { exact: true })).toBeVisible();
});
