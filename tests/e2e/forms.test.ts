import { expect, test } from "@playwright/test";
import { expectNoAxeViolations } from "./a11y";

// /dev/kit is a local-only page (the e2e server runs on stand-ins, on loopback) with one form
// of every UI-kit field, checked on the server: a real page-route form post, with and
// without JavaScript.
test("a form posted empty shows translated errors, with the summary first", async ({ page, javaScriptEnabled }) => {
  await page.goto("/dev/kit");
  await page.getByRole("button", { name: "Check my answers" }).click();
  const summary = page.getByRole("alert").filter({ hasText: "Enter your full name" });
  await expect(summary).toBeVisible();
  await expect(page.getByRole("textbox", { name: /Full name/ })).toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(page, javaScriptEnabled);
});

test("a form filled in correctly is accepted, and the amount is read exactly", async ({ page }) => {
  await page.goto("/dev/kit");
  await page.getByRole("textbox", { name: /Full name/ }).fill("Alex Rivera");
  await page.getByRole("textbox", { name: /How much do you want to pay/ }).fill("1,240.50");
  const dateOfBirth = page.getByRole("group", { name: "What is your date of birth?" });
  await dateOfBirth.getByRole("textbox", { name: "Month" }).fill("4");
  await dateOfBirth.getByRole("textbox", { name: "Day" }).fill("12");
  await dateOfBirth.getByRole("textbox", { name: "Year" }).fill("1985");
  await page.getByText("Every month", { exact: true }).click();
  await page.getByText("I have read the terms").click();
  await page.getByRole("button", { name: "Check my answers" }).click();
  const accepted = page.getByRole("status").filter({ hasText: "The server accepted the form" });
  await expect(accepted).toContainText("$1,240.50");
  await expect(accepted).toContainText("1985-04-12");
});
