/**
 * What a phone downloads to show a page for the first time: every script and stylesheet the
 * server-rendered HTML references, measured from the build output, raw and gzipped.
 *
 * Usage: npm run build, start the server (npm start), then
 *   npx tsx tests/bench/first-load.ts http://localhost:3000/ [more URLs]
 * For a signed-in page, pass the session cookie: COOKIE='repay_session=…' npx tsx …
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

async function measure(url: string) {
  const html = await (await fetch(url, { headers: { "accept-language": "en", cookie: process.env.COOKIE ?? "" } })).text();
  const assets = new Set<string>();
  for (const match of html.matchAll(/(?:href|src)="(\/assets\/[^"]+\.(?:js|css))"/g)) assets.add(match[1]!);
  for (const match of html.matchAll(/import\s*(?:[^"']*from\s*)?["'](\/assets\/[^"']+\.js)["']/g)) assets.add(match[1]!);
  let js = { raw: 0, gzip: 0, files: 0 };
  let css = { raw: 0, gzip: 0, files: 0 };
  for (const asset of assets) {
    const bytes = readFileSync(join("build/client", asset));
    const entry = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    if (asset.endsWith(".js")) js = { raw: js.raw + entry.raw, gzip: js.gzip + entry.gzip, files: js.files + 1 };
    else css = { raw: css.raw + entry.raw, gzip: css.gzip + entry.gzip, files: css.files + 1 };
  }
  const htmlGzip = gzipSync(Buffer.from(html)).length;
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `${url}\n  HTML ${kb(html.length)} (gzip ${kb(htmlGzip)})\n  JS   ${js.files} files, ${kb(js.raw)} (gzip ${kb(js.gzip)})\n  CSS  ${css.files} files, ${kb(css.raw)} (gzip ${kb(css.gzip)})`,
  );
}

for (const url of process.argv.slice(2).length ? process.argv.slice(2) : ["http://localhost:3000/"]) {
  await measure(url);
}
