/**
 * Issue 9 item 7 on a 360×780 phone, JavaScript on and off, axe at zero: from any page's
 * footer a borrower says how it went (a missing rating is asked for on its field), then makes
 * a complaint (Alex, a copy of DEMO-1001), sees its reference and answer-by date, and finds
 * the acknowledgement in /dev/outbox. Signed out, the complaint page says how to sign in.
 */
import { expect, test } from "@playwright/test";
import { expectNoAxeViolations } from "./a11y";
import { cloneOfDemo1001, signIn } from "./borrower";

test.describe.configure({ timeout: 180_000 });

test("signed out: a rating from the footer; the complaint page says how to sign in", async ({ page, javaScriptEnabled }) => {
  await page.goto("/genuine");
  await page.getByRole("contentinfo").getByRole("link", { name: "How did it go?" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "How did it go?" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("link", { name: "Choose how easy it was" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByText("Easy", { exact: true }).click();
  await page.getByRole("textbox", { name: /Anything you want to tell us/ }).fill("Clear page, thank you.");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Thank you" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("contentinfo").getByRole("link", { name: "Make a complaint" }).click();
  await expect(page.getByText("To make a complaint online, sign in first with your secure link.")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
});

test("Alex makes a complaint and gets a reference, the date we answer by, and an email", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOfDemo1001(testInfo, "COMPLAINT");
  await signIn(page, reference);
  await page.getByRole("contentinfo").getByRole("link", { name: "Make a complaint" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Make a complaint" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("button", { name: "Send my complaint" }).click();
  await expect(page.getByRole("link", { name: "Choose what it is about" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Tell us what happened" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByText("How or when we contacted you").click();
  await page.getByRole("textbox", { name: /What happened/ }).fill("I got three emails on one Sunday.");
  await page.getByRole("button", { name: "Send my complaint" }).click();
  await expect(page.getByText("We have your complaint")).toBeVisible();
  const referenceText = await page.getByText(/^Your reference is C-\d{6}\.$/).textContent();
  const complaintRef = /C-\d{6}/.exec(referenceText ?? "")![0];
  await expect(page.getByText(/^We will answer you in writing by /)).toBeVisible();
  await expect(page.getByRole("region", { name: "Your complaints" })).toContainText(complaintRef);
  await expectNoAxeViolations(page, javaScriptEnabled);

  // The email goes just after the answer (the outbox): look again until it is there.
  await expect(async () => {
    await page.goto("/dev/outbox");
    await expect(page.getByRole("listitem").filter({ hasText: `We have your complaint ${complaintRef}` })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
});
