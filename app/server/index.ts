/**
 * Repay's HTTP server: the one small custom file in front of Remix (STACK.md §15).
 *
 * Order matters. For every request: a nonce and the security headers; then the cross-site
 * refusal and the rate limit (both before any Remix action can run); then static files;
 * then Remix. In development Vite runs inside this process as middleware, so `npm run dev`
 * is one command; in production the built app is served.
 *
 * At start it parses the environment (stopping with one line per bad variable), says loudly
 * which services run on local stand-ins, and in local mode migrates and seeds the embedded
 * database and shares it on loopback for `npm run link` and friends.
 */
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import { networkInterfaces } from "node:os";
import { EnvError, describeServices, getEnv, type Env } from "~/utils/env.server";
import { requestMemoStorage } from "~/utils/request-memo.server";
import { requestOriginStorage } from "~/utils/request-origin.server";
import { hashClientIp } from "~/utils/client-ip.server";
import {
  RateLimiter,
  allowedOriginsFor,
  createNonce,
  isCrossSiteRequest,
  isLoopbackAddress,
  isSelfAuthenticatingPath,
  redactPath,
  securityHeaders,
} from "./security";
import { prepareLocalDatabase } from "./local-database";
import { plainPage } from "./plain-page";

function loadEnv(): Env {
  try {
    return getEnv();
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`Repay cannot start: the environment has problems.\n${error.lines.join("\n")}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw error;
  }
}

function log(level: "info" | "warn" | "error", event: string, fields: Record<string, unknown> = {}) {
  const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields });
  (level === "info" ? process.stdout : process.stderr).write(line + "\n");
}

async function main() {
  const env = loadEnv();
  const dev = !env.isProduction;

  if (env.anyLocal) {
    const banner = [
      "",
      "  ============================================================",
      "  LOCAL MODE: some services are stand-ins on this machine.",
      ...describeServices(env).map((line) => `    ${line}`),
      "  Real money, real email and real data are NOT involved.",
      "  ============================================================",
      "",
    ].join("\n");
    process.stdout.write(banner + "\n");
  }

  if (env.local.supabase) {
    try {
      await prepareLocalDatabase(env);
    } catch (error) {
      process.stderr.write(`Repay cannot start: the local database could not be prepared: ${(error as Error).message}\n`);
      process.exit(1);
    }
  }

  const viteDevServer = dev
    ? await import("vite").then((vite) =>
        vite.createServer({ server: { middlewareMode: true, hmr: { port: Number(process.env.HMR_PORT ?? 24678) } } }),
      )
    : undefined;

  const app = express();
  app.disable("x-powered-by");
  if (env.TRUST_PROXY) app.set("trust proxy", true);

  // 1. Nonce, security headers and the request log line.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const nonce = createNonce();
    res.locals.cspNonce = nonce;
    for (const [name, value] of Object.entries(securityHeaders(nonce, { dev, production: env.isProduction, https: env.APP_URL.startsWith("https:") }))) {
      res.setHeader(name, value);
    }
    // A route that sets its own policy (e.g. the outbox's raw email HTML) replaces ours
    // instead of adding a second header that browsers would enforce as well.
    const append = res.append.bind(res);
    res.append = (field: string, value?: string | string[]) =>
      field.toLowerCase() === "content-security-policy" && value !== undefined ? res.set(field, value) : append(field, value);
    const started = performance.now();
    res.on("finish", () => {
      if (req.path.startsWith("/assets/") || req.path.startsWith("/@") || req.path.startsWith("/node_modules/")) return;
      log(res.statusCode >= 500 ? "error" : "info", "http", {
        method: req.method,
        path: redactPath(req.originalUrl),
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
      });
    });
    next();
  });

  // 2. Cross-site refusal: before any action runs.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const origins = allowedOriginsFor(env.APP_URL, req.get("host"), req.protocol);
    if (isCrossSiteRequest(req.method, req.path, req.headers, origins)) {
      void plainPage(req, "crossSite").then((html) => res.status(403).type("html").send(html));
      return;
    }
    // Our no-referrer policy makes browsers send `Origin: null` on same-site form posts.
    // Remix 2.17 compares Origin with Host before actions and answers such posts with a
    // blank 500; the check above already decided this request is not cross-site.
    if (req.headers.origin === "null") delete req.headers.origin;
    next();
  });

  // 3. Coarse rate limits per client address (sign-in attempts have their own, in the database).
  const pageLimiter = new RateLimiter(600, 60_000);
  const writeLimiter = new RateLimiter(60, 60_000);
  // Stripe's webhooks (and the scheduler) come in bursts from a few addresses and prove
  // themselves with a signature or a secret: a browser's limit would only delay money.
  const signedLimiter = new RateLimiter(6_000, 60_000);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith("/assets/") || req.path.startsWith("/locales/")) return next();
    const ip = req.ip ?? req.socket.remoteAddress ?? "unknown";
    const limiter = isSelfAuthenticatingPath(req.path) ? signedLimiter : req.method === "GET" || req.method === "HEAD" ? pageLimiter : writeLimiter;
    const wait = limiter.hit(ip);
    if (wait > 0) {
      res.setHeader("Retry-After", String(wait));
      void plainPage(req, "tooMany").then((html) => res.status(429).type("html").send(html));
      return;
    }
    next();
  });

  app.use(compression());

  if (viteDevServer) {
    app.use(viteDevServer.middlewares);
  } else {
    app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
    app.use("/locales", express.static("build/client/locales", { maxAge: "5m" }));
    app.use(express.static("build/client", { maxAge: "1h" }));
  }

  const build = viteDevServer
    ? () => viteDevServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>
    : ((await import(/* @vite-ignore */ `${process.cwd()}/build/server/index.js`)) as ServerBuild);

  const remixHandler = createRequestHandler({
    build,
    mode: dev ? "development" : "production",
    getLoadContext: (req, res) => {
      const forwarded = req.headers["x-forwarded-for"];
      return {
        cspNonce: String(res.locals.cspNonce),
        clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
        // A proxy on this machine makes every client look local: a forwarded request is never loopback.
        isLoopback: isLoopbackAddress(req.socket.remoteAddress) && forwarded === undefined,
      };
    },
  });
  // One memo per request, shared by its loaders (app/utils/request-memo.server.ts).
  // And the request's origin for the audit trail (app/utils/request-origin.server.ts).
  app.all("*", (req, res, next) =>
    requestOriginStorage.run(hashClientIp(req.ip ?? req.socket.remoteAddress ?? "unknown"), () =>
      requestMemoStorage.run(new Map(), () => remixHandler(req, res, next)),
    ),
  );

  const server = app.listen(env.PORT, env.HOST, () => {
    const addresses = [`http://localhost:${env.PORT}`];
    if (env.HOST === "0.0.0.0" || env.HOST === "::") {
      for (const list of Object.values(networkInterfaces())) {
        for (const net of list ?? []) {
          if (net.family === "IPv4" && !net.internal) addresses.push(`http://${net.address}:${env.PORT}`);
        }
      }
    }
    process.stdout.write(`\nRepay is running. Open ${addresses.join(" or ")}\n`);
    if (env.anyLocal) process.stdout.write(`Emails sent locally: ${addresses[0]}/dev/outbox\n`);
    process.stdout.write("\n");
  });

  server.on("error", (error: NodeJS.ErrnoException) => {
    const reason = error.code === "EADDRINUSE" ? `port ${env.PORT} is already in use (set PORT to another number)` : error.message;
    process.stderr.write(`Repay cannot start: ${reason}\n`);
    process.exit(1);
  });

  const shutdown = () => {
    server.close();
    void viteDevServer?.close();
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

void main();
