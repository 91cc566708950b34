import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { supportedLanguages } from "~/i18n/config";
import { namespaces } from "~/i18n/resources.server";

const root = join(process.cwd(), "public", "locales");

function keys(value: unknown, prefix = ""): string[] {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

const load = (language: string, ns: string) => JSON.parse(readFileSync(join(root, language, `${ns}.json`), "utf8")) as unknown;

test("every language has the same namespace files, and all are bundled for the server", () => {
  const files = (language: string) => readdirSync(join(root, language)).filter((f) => f.endsWith(".json")).sort();
  for (const language of supportedLanguages) {
    expect(files(language)).toEqual(files("en"));
  }
  expect([...namespaces].sort()).toEqual(files("en").map((f) => f.replace(/\.json$/, "")).sort());
});

test.each(supportedLanguages.filter((l) => l !== "en"))("%s has every key that English has, and no extra ones", (language) => {
  for (const ns of namespaces) {
    const english = keys(load("en", ns)).sort();
    const other = keys(load(language, ns)).sort();
    expect({ ns, missing: english.filter((k) => !other.includes(k)) }).toEqual({ ns, missing: [] });
    expect({ ns, extra: other.filter((k) => !english.includes(k)) }).toEqual({ ns, extra: [] });
  }
});

test("no translation is empty", () => {
  for (const language of supportedLanguages) {
    for (const ns of namespaces) {
      const flat = (value: unknown): unknown[] =>
        value && typeof value === "object" ? Object.values(value).flatMap(flat) : [value];
      for (const text of flat(load(language, ns))) {
        expect(typeof text === "string" && text.trim().length > 0, `${language}/${ns} has an empty string`).toBe(true);
      }
    }
  }
});
