import { expect, test } from "@playwright/test";
import { expectNoAxeViolations } from "./a11y";

test("the landing page explains Repay in English, with no accessibility violations", async ({ page, javaScriptEnabled }) => {
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "Skip to main content" })).toBeAttached();
  await expectNoAxeViolations(page, javaScriptEnabled);
});

test.describe("in Spanish", () => {
  test.use({ extraHTTPHeaders: { "accept-language": "es-US,es;q=0.9" }, locale: "es-US" });

  test("Accept-Language: es gives the Spanish page, with no accessibility violations", async ({ page, javaScriptEnabled }) => {
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", "es");
    await expect(page.getByRole("link", { name: "Ir al contenido principal" })).toBeAttached();
    await expectNoAxeViolations(page, javaScriptEnabled);
  });
});

test("the language switcher works, and the choice sticks", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
});

test("an unknown address gets a kind, translated 404 page", async ({ page, javaScriptEnabled }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "We can't find that page" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
});
