/**
 * Issue 7 item 3 end to end on a 360×780 phone with JavaScript on and off, axe at zero on
 * every page: Alex (a copy of DEMO-1001) says he is working with a debt adviser, is told to
 * tick the consent before giving his adviser's details, gives them with it, sees until when
 * collection is paused (on the page, the help page and the overview) and finds the email in
 * /dev/outbox, then tells us he is no longer working with the adviser. María (a copy of
 * DEMO-1002) does it in Spanish without her adviser's details.
 */
import { expect, test } from "@playwright/test";
import { expectNoAxeViolations } from "./a11y";
import { cloneOf, cloneOfDemo1001, signIn } from "./borrower";

test.describe.configure({ timeout: 180_000 });

const MARIA_DOB = { month: "11", day: "3", year: "1979" };

test("Alex tells us he is working with a debt adviser, sees the pause, then ends it", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOfDemo1001(testInfo, "ADVISER");
  await signIn(page, reference);

  await page.getByRole("link", { name: /^I'm struggling to pay/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Ask for help" })).toBeVisible();
  await page.getByRole("link", { name: "Tell us you are getting debt advice" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Getting debt advice" })).toBeVisible();
  // The US creditor has no statutory breathing space: no such choice.
  await expect(page.getByRole("radio")).toHaveCount(0);
  await expectNoAxeViolations(page, javaScriptEnabled);

  // The adviser's phone without the consent, and no organisation: both refused on their fields.
  await page.getByRole("textbox", { name: /^Your adviser's phone number/ }).fill("(800) 388-2227");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("link", { name: "Enter the name of the organization giving you debt advice" })).toBeVisible();
  await expect(page.getByRole("link", { name: 'To give us this, tick "I agree to this" above first. Or leave it empty.' })).toBeVisible();
  await expect(page.getByRole("textbox", { name: /^Your adviser's phone number/ })).toHaveValue("(800) 388-2227");
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("textbox", { name: /^Name of the debt advice organization/ }).fill("GreenPath Financial Wellness");
  await page.getByRole("checkbox", { name: "I agree to this" }).check();
  await page.getByRole("textbox", { name: /^Your adviser's name/ }).fill("Dana Whitfield");
  await page.getByRole("textbox", { name: /^Your adviser's email address/ }).fill("dana@greenpath.example.org");
  await page.getByRole("button", { name: "Send" }).click();

  await expect(page.getByText("Thank you for telling us")).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Collection is paused" })).toBeVisible();
  await expect(page.getByText(/you told us you are working with a debt adviser at GreenPath Financial Wellness/)).toBeVisible();
  await expect(page.getByText(/^We will not ask you to pay this account until the end of/)).toBeVisible();
  await expect(page.getByText("1-800-388-2227")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("link", { name: "Back to Ask for help" }).click();
  await expect(page.getByRole("region", { name: "Debt advice" })).toContainText("until the end of");
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("link", { name: "Back to your account" }).click();
  await expect(page.getByRole("region", { name: "Debt advice" })).toContainText("GreenPath Financial Wellness");
  await expectNoAxeViolations(page, javaScriptEnabled);

  // The email goes just after the answer (the outbox): look again until it is there.
  const accountPage = page.url();
  await expect(async () => {
    await page.goto("/dev/outbox");
    await expect(
      page.getByRole("listitem").filter({ hasText: `${reference.toLowerCase()}@example.com` }).filter({ hasText: "We have paused collection" }).first(),
    ).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });

  await page.goto(accountPage);
  await page.getByRole("region", { name: "Debt advice" }).getByRole("link", { name: "See or change this" }).click();
  await page.getByRole("button", { name: "I'm no longer working with an adviser" }).click();
  await expect(page.getByText("Thank you for letting us know")).toBeVisible();
  await expect(page.getByText(/Collection on this account has started again/)).toBeVisible();
  await expect(page.getByRole("textbox", { name: /^Name of the debt advice organization/ })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
});

test("María tells us in Spanish that an adviser is helping her", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOf(testInfo, "DEMO-1002", "ADVISER-ES");
  await signIn(page, reference, MARIA_DOB, "Su cuenta con Northwind Lending");
  await page.getByRole("link", { name: /^Me cuesta pagar/ }).click();
  await page.getByRole("link", { name: "Decirnos que recibe asesoría de deudas" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Recibir asesoría de deudas" })).toBeVisible();
  await page.getByRole("textbox", { name: /^Nombre de la organización/ }).fill("Consumer Credit Counseling Service");
  await page.getByRole("button", { name: "Enviar" }).click();
  await expect(page.getByText("Gracias por decírnoslo")).toBeVisible();
  await expect(page.getByText(/^No le pediremos que pague esta cuenta hasta el final del/)).toBeVisible();
  await expect(page.getByText(/así que Northwind Lending se comunicará solo con usted/)).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
});
