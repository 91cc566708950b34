/**
 * Loopback throughput of a signed-in borrower's overview against a page of the same server
 * that touches no database (the landing page) and a static file, in one run, so the ratios
 * mean something on whatever machine runs it.
 *
 * Usage: build and start the production server (local stand-ins allowed), then
 *   npx tsx tests/bench/throughput.ts http://localhost:3000 "<link from npm run link -- DEMO-1001>" 1985-04-12
 * (the date of birth of that account's borrower). Options: --seconds 10 --connections 10
 *
 * Start the server with TRUST_PROXY=1: each request carries a different X-Forwarded-For, so
 * the per-client rate limit (600 pages a minute) measures nothing here. Any non-2xx answer
 * is counted as an error, so a limiter that still bites shows up in the table.
 */
import autocannon from "autocannon";

const [base, link, dob] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
if (!base || !link || !dob) {
  console.error("usage: tsx tests/bench/throughput.ts BASE_URL LINK DATE_OF_BIRTH [--seconds N] [--connections N]");
  process.exit(2);
}

/** Cookie jar of name=value pairs, enough for our own cookies. */
const jar = new Map<string, string>();
const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
function remember(response: Response) {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const [name, ...value] = (pair ?? "").split("=");
    if (name) jar.set(name.trim(), value.join("="));
  }
}

async function signIn(): Promise<string> {
  let response = await fetch(link!, { redirect: "manual" });
  remember(response);
  response = await fetch(new URL("/sign-in", base), { headers: { cookie: cookieHeader() } });
  remember(response);
  const [year, month, day] = dob!.split("-");
  const form = new URLSearchParams({ "dob.day": day!, "dob.month": month!, "dob.year": year! });
  response = await fetch(new URL("/sign-in", base), {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: { cookie: cookieHeader(), "content-type": "application/x-www-form-urlencoded", origin: new URL(base!).origin },
  });
  remember(response);
  const account = await fetch(new URL("/account", base), { redirect: "manual", headers: { cookie: cookieHeader() } });
  const location = account.headers.get("location");
  if (!location?.startsWith("/account/")) throw new Error(`sign-in failed: /account answered ${account.status} ${location ?? ""}`);
  return location;
}

let client = 0;
async function run(path: string, headers: Record<string, string> = {}) {
  const result = await autocannon({
    url: new URL(path, base).toString(),
    connections: flag("connections", 10),
    duration: flag("seconds", 10),
    headers,
    requests: [
      {
        setupRequest: (request) => {
          client = (client + 1) % 65_000;
          const forwarded = `10.${(client >> 8) & 255}.${client & 255}.1`;
          return { ...request, headers: { ...request.headers, "x-forwarded-for": forwarded } };
        },
      },
    ],
  });
  const non2xx = result.non2xx;
  return { path, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + non2xx };
}

/** A calendar date this many days from today in the demo creditor's zone. */
function inDays(days: number): string {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date());
  const date = new Date(`${today}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

const overview = await signIn();
const rows = [
  await run("/favicon.svg"),
  await run("/"),
  // The overview keeps the session alive (each request touches it), as a real visit does.
  await run(overview, { cookie: cookieHeader() }),
  // The simulator rendered by the server (a GET form without JavaScript): $100 a month.
  await run(`${overview}/plan?kind=plan&by=amount&amount=100&frequency=monthly&start=${inDays(7)}`, { cookie: cookieHeader() }),
];
const landing = rows[1]!.rps;
console.log("path                 req/s    p50 ms  p99 ms  errors  vs landing");
for (const row of rows) {
  const label = row.path.startsWith("/account/") ? (row.path.includes("/plan") ? "/account/:id/plan?…" : "/account/:id") : row.path;
  console.log(
    `${label.padEnd(20)} ${row.rps.toFixed(0).padStart(6)} ${String(row.p50).padStart(8)} ${String(row.p99).padStart(7)} ${String(row.errors).padStart(7)}  ${(row.rps / landing).toFixed(2)}×`,
  );
}
