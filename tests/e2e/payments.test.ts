/**
 * Issue 6 "Done when" (first part), end to end on a 360×780 phone with JavaScript on and off:
 * Alex pays $50 with 4242 4242 4242 4242 on the local Stripe sandbox's page and sees the
 * balance fall to $1,190.50 once the webhook has arrived; a declined card
 * (4000 0000 0000 0002) leaves the balance unchanged, with a kind message. axe at zero.
 * Each test pays on its own copy of DEMO-1001.
 */
import { expect, test } from "@playwright/test";
import { expectNoAxeViolations } from "./a11y";
import { cloneOfDemo1001, signIn } from "./borrower";

test.describe.configure({ timeout: 120_000 });

test("Alex pays $50 by card; the balance falls to $1,190.50 when Stripe confirms", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOfDemo1001(testInfo, "PAY50");
  await signIn(page, reference);
  await page.getByRole("link", { name: /^Pay now/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pay now" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("radio", { name: /^Another amount/ }).check();
  await page.getByRole("textbox", { name: /^Amount/ }).fill("50");
  await page.getByRole("button", { name: "Continue to payment" }).click();

  // The sandbox's hosted page stands where Stripe Checkout would.
  await expect(page).toHaveURL(/\/sandbox\/stripe\/checkout\//);
  await expect(page.getByText("$50.00").first()).toBeVisible();
  await page.getByRole("textbox", { name: /^Card number/ }).fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: "Pay $50.00" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Your payment" })).toBeVisible();
  // The page refreshes itself until the webhook has arrived (with or without JavaScript).
  await expect(page.getByText("Thank you. We received $50.00.")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("You now owe $1,190.50.")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("link", { name: "Back to your account" }).click();
  await expect(page.getByRole("region", { name: "What you owe today" })).toContainText("You owe $1,190.50.");
});

test("a declined card leaves the balance unchanged, and says so kindly", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOfDemo1001(testInfo, "DECLINE");
  await signIn(page, reference);
  await page.getByRole("link", { name: /^Pay now/ }).click();
  await page.getByRole("radio", { name: /^Another amount/ }).check();
  await page.getByRole("textbox", { name: /^Amount/ }).fill("50");
  await page.getByRole("button", { name: "Continue to payment" }).click();

  await page.getByRole("textbox", { name: /^Card number/ }).fill("4000 0000 0000 0002");
  await page.getByRole("button", { name: "Pay $50.00" }).click();
  await expect(page.getByText("The payment did not go through")).toBeVisible();
  await page.getByRole("link", { name: "Go back without paying" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Your payment" })).toBeVisible();
  await expect(page.getByText(/Nothing was taken\./).first()).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("link", { name: "Back to your account" }).click();
  await expect(page.getByRole("region", { name: "What you owe today" })).toContainText("You owe $1,240.50.");
});
