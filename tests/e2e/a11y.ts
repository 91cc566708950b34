import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/**
 * Zero axe violations (WCAG 2.2 AA rules) on the page as the visitor sees it. With
 * JavaScript off axe itself cannot run in the page (STACK.md §11), so the same URL is
 * scanned in a page whose scripts are blocked: the server-rendered markup, exactly.
 */
export async function expectNoAxeViolations(page: Page, javaScriptEnabled: boolean) {
  let target = page;
  if (!javaScriptEnabled) {
    const browser = page.context().browser();
    if (!browser) throw new Error("no browser");
    const context = await browser.newContext({
      javaScriptEnabled: true,
      viewport: page.viewportSize() ?? { width: 360, height: 780 },
      extraHTTPHeaders: { "accept-language": (await page.evaluate(() => navigator.language).catch(() => "en")) ?? "en" },
    });
    await context.addCookies(await page.context().cookies());
    target = await context.newPage();
    await target.route("**/assets/*.js", (route) => route.abort());
    await target.goto(page.url());
  }
  const results = await new AxeBuilder({ page: target })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(summary).toEqual([]);
  if (target !== page) await target.context().close();
}
