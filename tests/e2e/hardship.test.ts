/**
 * Issue 7 "Done when", end to end on a 360×780 phone with JavaScript on and off, axe at zero
 * on every step: María (a copy of DEMO-1002, in Spanish) asks for help with her income and
 * expenditure, a letter (PDF) and a 60-day payment break, sees the confirmation and finds the email in
 * /dev/outbox; Alex (a copy of DEMO-1001) says the amount is wrong and sees the tracker.
 */
import { expect, test } from "@playwright/test";
import { expectNoAxeViolations } from "./a11y";
import { cloneOf, cloneOfDemo1001, signIn } from "./borrower";

test.describe.configure({ timeout: 180_000 });

const MARIA_DOB = { month: "11", day: "3", year: "1979" };

test("María asks for a 60-day payment break, in Spanish, and gets the confirmation and the email", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOf(testInfo, "DEMO-1002", "HARDSHIP");
  await signIn(page, reference, MARIA_DOB, "Su cuenta con Northwind Lending");
  const saveAndGo = async () => {
    await page.getByRole("button", { name: "Guardar y seguir" }).click();
  };

  await page.getByRole("link", { name: /^Me cuesta pagar/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pedir ayuda" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("link", { name: "Empezar" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Qué pasó" })).toBeVisible();
  await expect(page.getByText("Paso 1 de 9")).toBeVisible();
  await page.getByRole("checkbox", { name: "Perdí mi trabajo o ahora gano menos" }).check();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await saveAndGo();

  await expect(page.getByRole("heading", { level: 1, name: "El dinero que recibe" })).toBeVisible();
  const earnings = page.getByRole("group", { name: "Sueldo o ingresos por cuenta propia" });
  await earnings.getByRole("textbox", { name: /Monto/ }).fill("1,200.50");
  const benefits = page.getByRole("group", { name: "Beneficios y ayudas" });
  await benefits.getByRole("textbox", { name: /Monto/ }).fill("$50");
  await benefits.getByRole("combobox", { name: "Cada cuánto" }).selectOption("weekly");
  if (javaScriptEnabled) await expect(page.getByText("Al mes: $1,417.17")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await saveAndGo();

  await expect(page.getByRole("heading", { level: 1, name: "Las cuentas que debe pagar" })).toBeVisible();
  await page.getByRole("group", { name: "Renta o hipoteca" }).getByRole("textbox", { name: /Monto/ }).fill("950");
  await expectNoAxeViolations(page, javaScriptEnabled);
  await saveAndGo();

  await expect(page.getByRole("heading", { level: 1, name: "Los gastos del día a día" })).toBeVisible();
  const food = page.getByRole("group", { name: "Comida y casa" });
  await food.getByRole("textbox", { name: /Monto/ }).fill("mil");
  await saveAndGo();
  await expect(page.getByText("Escriba un monto como 120 o 120.50").first()).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await food.getByRole("textbox", { name: /Monto/ }).fill("100");
  await food.getByRole("combobox", { name: "Cada cuánto" }).selectOption("weekly");
  await saveAndGo();

  await expect(page.getByRole("heading", { level: 1, name: "Otras deudas" })).toBeVisible();
  await saveAndGo();

  await expect(page.getByRole("heading", { level: 1, name: "La ayuda que quiere" })).toBeVisible();
  await page.getByRole("radio", { name: /^Un descanso de los pagos/ }).check();
  await page.getByRole("radio", { name: "60 días" }).check();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await saveAndGo();

  await expect(page.getByRole("heading", { level: 1, name: "Salud u otra cosa que debamos saber" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await saveAndGo();

  await expect(page.getByRole("heading", { level: 1, name: "Documentos" })).toBeVisible();
  await page.getByLabel("Elija un archivo").setInputFiles({ name: "carta-despido.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n% carta\n") });
  await page.getByRole("button", { name: "Agregar este documento" }).click();
  await expect(page.getByRole("link", { name: "carta-despido.pdf" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await saveAndGo();

  await expect(page.getByRole("heading", { level: 1, name: "Revisar y enviar" })).toBeVisible();
  await expect(page.getByText("Un descanso de los pagos por 60 días")).toBeVisible();
  await expect(page.getByText("$1,417.17")).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("button", { name: "Enviar mi solicitud" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Su solicitud de ayuda" })).toBeVisible();
  await expect(page.getByText("Recibimos su solicitud")).toBeVisible();
  await expect(page.getByText(/No le pediremos que pague esta cuenta mientras la revisamos/)).toBeVisible();
  await expect(page.getByText(/nfcc\.org/)).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);
  await page.getByRole("link", { name: "Volver a su cuenta" }).click();
  await expect(page.getByRole("region", { name: "Su solicitud de ayuda" })).toContainText("Le responderemos a más tardar el");

  // The email goes just after the answer (the outbox): look again until it is there.
  await expect(async () => {
    await page.goto("/dev/outbox");
    await expect(page.getByRole("listitem").filter({ hasText: `${reference.toLowerCase()}@example.com` }).first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
});

test("Alex says the amount is wrong and sees where the dispute is", async ({ page, javaScriptEnabled }, testInfo) => {
  const reference = await cloneOfDemo1001(testInfo, "DISPUTE");
  await signIn(page, reference);
  await page.getByRole("link", { name: /^I don't recogni[sz]e this debt/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tell us something is wrong" })).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText("Choose what is wrong").first()).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("radio", { name: /^The amount is wrong/ }).check();
  await page.getByRole("textbox", { name: /^Tell us more/ }).fill("The $44.00 late fee was refunded in May.");
  await page.getByRole("button", { name: "Send" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Your dispute" })).toBeVisible();
  await expect(page.getByText("We have your dispute.")).toBeVisible();
  const steps = page.getByRole("list").filter({ hasText: "We received it on" });
  await expect(steps.getByRole("listitem")).toHaveCount(3);
  await expect(page.getByText(/We will not ask you to pay this account while we look/)).toBeVisible();
  await expectNoAxeViolations(page, javaScriptEnabled);

  await page.getByRole("link", { name: "Back to your account" }).click();
  await expect(page.getByRole("region", { name: "Your dispute" })).toContainText("We will answer in writing by");
});
