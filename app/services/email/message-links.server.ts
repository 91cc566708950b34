/**
 * The web addresses an email links to, for /dev/outbox: listing them as ordinary anchors lets
 * a person or an end-to-end test follow a borrower's link without clicking inside the
 * sandboxed preview. The HTML is our own React Email output, so a tolerant pattern suffices;
 * only http(s) addresses are returned (never javascript:, data: or mailto:).
 */
const HREF = /<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
const TEXT_URL = /https?:\/\/[^\s<>"')\]]+/g;

const ENTITIES: Record<string, string> = { amp: "&", quot: '"', apos: "'", lt: "<", gt: ">", "#39": "'", "#x27": "'", "#x2F": "/", "#47": "/" };

function decodeEntities(value: string): string {
  return value.replace(/&(#x27|#x2F|#39|#47|amp|quot|apos|lt|gt);/gi, (match, name: string) => ENTITIES[name] ?? ENTITIES[name.toLowerCase()] ?? match);
}

function webAddress(candidate: string): string | null {
  try {
    const url = new URL(candidate.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Distinct http(s) links, in order of first appearance: the HTML's anchors, then any only in the text. */
export function linksInMessage(html: string | null, text: string | null): string[] {
  const found: string[] = [];
  for (const match of (html ?? "").matchAll(HREF)) found.push(decodeEntities(match[1] ?? match[2] ?? ""));
  for (const match of (text ?? "").matchAll(TEXT_URL)) found.push(match[0].replace(/[.,;:!?]+$/, ""));
  const links = found.map(webAddress).filter((link): link is string => link !== null);
  return [...new Set(links)];
}

/**
 * The HTML for the preview iframe, with `<base target="_blank">` so a click opens a new tab
 * instead of navigating the frame (this site refuses to be framed: X-Frame-Options DENY).
 */
export function previewDocument(html: string): string {
  const base = '<base target="_blank">';
  return /<head\b[^>]*>/i.test(html) ? html.replace(/<head\b[^>]*>/i, (head) => head + base) : base + html;
}
