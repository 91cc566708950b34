/**
 * The few answers the server gives before Remix runs (403 cross-site, 429 too many
 * requests): a tiny translated HTML page with no scripts, in the visitor's language.
 */
import type { Request } from "express";
import { fallbackLanguage, isLanguage, type Language } from "~/i18n/config";
import { languageCookie } from "~/i18n/i18next.server";
import { resources } from "~/i18n/resources.server";

export type PlainPageKey = "crossSite" | "tooMany";

async function languageOf(req: Request): Promise<Language> {
  const fromCookie: unknown = await languageCookie.parse(req.headers.cookie ?? null).catch(() => null);
  if (isLanguage(fromCookie)) return fromCookie;
  const header = req.headers["accept-language"] ?? "";
  for (const part of header.split(",")) {
    const primary = part.split(";")[0]?.trim().split("-")[0]?.toLowerCase();
    if (isLanguage(primary)) return primary;
  }
  return fallbackLanguage;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export async function plainPage(req: Request, key: PlainPageKey): Promise<string> {
  const language = await languageOf(req);
  const errors = resources[language].common.errors;
  const message = errors[key];
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(message.title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5"><h1>${escapeHtml(message.title)}</h1><p>${escapeHtml(message.body)}</p><p><a href="/">${escapeHtml(errors.goHome)}</a></p></body></html>`;
}
