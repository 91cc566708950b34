/**
 * Issue 9 items 5 and 6 on a 360×780 phone, JavaScript on and off, axe at zero: Alex (a copy of
 * DEMO-1001) signs in for the first time and is asked once about notices by email, agrees,
 * opens Contact preferences, switches the language to Español (the page answers in Spanish),
 * is told clearly when the hours end before they start, sets his hours, and reads what he has
 * agreed to with the words he saw. A broken unsubscribe link gets a calm 400 page.
 */
import { expect, test } from "@playwright/test";
import { expectNoAxeViolations } from "./a11y";
import { cloneOfDemo1001, linkPathFor } from "./borrower";

test.describe.configure({ timeout: 180_000 });

test("first sign-in asks about notices by email once; the preference centre changes language and hours and lists consents", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOfDemo1001(testInfo, "PREFS");
  await page.goto(await linkPathFor(reference));
  await page.locator('input[name="dob.month"]').fill("4");
  await page.locator('input[name="dob.day"]').fill("12");
  await page.locator('input[name="dob.year"]').fill("1985");
  await page.getByRole("button", { name: "Continue" }).click();

  // Asked once, in plain words, at the masked address.
  await expect(page.getByRole("heading", { level: 1, name: "Can we send you notices by email?" })).toBeVisible();
  await expect(page.getByText("Northwind Lending would like to send you notices by email at e•••@example.com.")).toBeVisible();
  await expect(page.getByText("This means reminders before a payment is taken, and notices about your account.")).toBeVisible();
  await expect(page.getByText("Receipts, and anything you ask for, are emailed to you either way.")).toBeVisible();
  await expect(page.getByText(/in your contact preferences, or with the link at the end of every reminder email/)).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("button", { name: "Yes, email me" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your account with Northwind Lending" })).toBeVisible();

  // The preference centre, from the account's options.
  await page.getByRole("link", { name: /^Contact preferences/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Contact preferences" })).toBeVisible();
  await expect(page.getByText("Text messages and letters come from Northwind Lending's other systems, not this website. We keep your choice for them.")).toBeVisible();
  await expect(page.getByText("You agreed to get notices by email: reminders before a payment and notices about your account.")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  // Español: the page answers in Spanish.
  await page.getByRole("radio", { name: "Español" }).check();
  await page.getByRole("button", { name: "Save preferences" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Preferencias de contacto" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await expect(page.getByText("Guardamos sus preferencias.")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  // Hours that end before they start: a clear message on the field; nothing saved.
  await page.getByRole("combobox", { name: "Desde" }).selectOption("17:00");
  await page.getByRole("combobox", { name: "Hasta" }).selectOption("09:00");
  await page.getByRole("button", { name: "Guardar preferencias" }).click();
  await expect(page.locator("#hoursTo-error")).toHaveText("La hora de fin debe ser posterior a la hora de inicio");
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("combobox", { name: "Desde" }).selectOption("09:00");
  await page.getByRole("combobox", { name: "Hasta" }).selectOption("17:00");
  await page.getByRole("button", { name: "Guardar preferencias" }).click();
  await expect(page.getByText("Guardamos sus preferencias.")).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Desde" })).toHaveValue("09:00");
  await expect(page.getByRole("combobox", { name: "Hasta" })).toHaveValue("17:00");

  // What he agreed to, newest first, each with the words he saw.
  const consents = page.getByRole("region", { name: "Lo que usted ha aceptado" });
  await expect(consents.getByRole("heading", { level: 3, name: "Preferencias de contacto" })).toHaveCount(2);
  await expect(consents.getByRole("heading", { level: 3, name: "Avisos por correo electrónico" })).toHaveCount(1);
  const newest = consents.getByRole("listitem").first();
  await newest.getByText("El texto que usted vio").click();
  await expect(newest.getByText("Mejor hora para contactarme: de 9:00 a.m. a 5:00 p.m.")).toBeVisible();
  await expect(newest.getByText("Idioma: Español")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  // Asked only once: the next sign-in goes straight to the account.
  await page.goto(await linkPathFor(reference));
  await page.locator('input[name="dob.month"]').fill("4");
  await page.locator('input[name="dob.day"]').fill("12");
  await page.locator('input[name="dob.year"]').fill("1985");
  await page.locator('main form button[type="submit"]').click();
  await expect(page.getByRole("heading", { level: 1, name: "Su cuenta con Northwind Lending" })).toBeVisible();
});

test("a broken unsubscribe link gets a calm page and a 400", async ({ page, javaScriptEnabled }) => {
  const response = await page.goto("/unsubscribe/v1.not-a-real-token");
  expect(response?.status()).toBe(400);
  await expect(page.getByRole("heading", { level: 1, name: "This link does not work" })).toBeVisible();
  await expect(page.getByText("The link may have been cut short or changed. Nothing was changed.")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
});
