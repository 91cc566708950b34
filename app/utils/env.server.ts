/**
 * The one place that reads `process.env`. Everything else asks `getEnv()`.
 *
 * Each outside service's variables come all or none: with none set, that service runs on
 * its local stand-in (DESIGN §4); with some but not all set, start-up stops and names the
 * missing ones. In production a local stand-in is refused unless ALLOW_LOCAL_SERVICES=1
 * (used only by the end-to-end tests of the production build).
 */
import { z } from "zod";

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const flag = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().trim().min(1).default("127.0.0.1"),
    APP_URL: z.url({ protocol: /^https?$/ }).optional(),
    SESSION_SECRET: optionalString.pipe(z.string().min(32).optional()),
    TRUST_PROXY: flag,
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    ALLOW_LOCAL_SERVICES: flag,

    DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    PGLITE_DIR: z.string().trim().min(1).default(".data/pglite"),

    SUPABASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    SUPABASE_SERVICE_ROLE_KEY: optionalString,

    STRIPE_SECRET_KEY: optionalString.pipe(
      z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, "must start with sk_test_, sk_live_, rk_test_ or rk_live_").optional(),
    ),
    STRIPE_WEBHOOK_SECRET: optionalString.pipe(
      z.string().regex(/^whsec_[A-Za-z0-9+/=_-]+$/, "must start with whsec_").optional(),
    ),

    RESEND_API_KEY: optionalString.pipe(z.string().regex(/^re_[A-Za-z0-9_]+$/, "must start with re_").optional()),
    EMAIL_FROM: optionalString,

    JOBS_SECRET: optionalString.pipe(z.string().min(32).optional()),
  })
  .superRefine((env, ctx) => {
    const groups: Array<[string, string[]]> = [
      ["Supabase", ["SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY"]],
      ["Stripe", ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]],
      ["Resend", ["RESEND_API_KEY", "EMAIL_FROM"]],
    ];
    for (const [service, names] of groups) {
      const set = names.filter((n) => env[n as keyof typeof env] !== undefined);
      if (set.length > 0 && set.length < names.length) {
        for (const name of names.filter((n) => !set.includes(n))) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `is required when ${set.join(" and ")} ${set.length > 1 ? "are" : "is"} set (${service} needs all of ${names.join(", ")})`,
          });
        }
      }
    }
    const production = env.NODE_ENV === "production";
    if (production && !env.SESSION_SECRET) {
      ctx.addIssue({ code: "custom", path: ["SESSION_SECRET"], message: "is required in production (at least 32 characters; comma-separate several to rotate)" });
    }
    if (production && !env.APP_URL) {
      ctx.addIssue({ code: "custom", path: ["APP_URL"], message: "is required in production (the public https address of the portal)" });
    }
    if (production && !env.ALLOW_LOCAL_SERVICES) {
      for (const [service, names] of groups) {
        if (names.every((n) => env[n as keyof typeof env] === undefined)) {
          ctx.addIssue({
            code: "custom",
            path: [names[0]!],
            message: `is not set, so ${service} would run on its local stand-in, which production refuses (set ${names.join(", ")}, or ALLOW_LOCAL_SERVICES=1 for end-to-end tests only)`,
          });
        }
      }
    }
  });

export type RawEnv = z.output<typeof EnvSchema>;

export type Env = RawEnv & {
  APP_URL: string;
  SESSION_SECRETS: string[];
  /** Which services run on their local stand-ins. */
  local: { supabase: boolean; stripe: boolean; email: boolean };
  /** True when any stand-in runs: `/dev/*` and `/sandbox/*` answer only then. */
  anyLocal: boolean;
  isProduction: boolean;
};

/** Development-only default; production refuses to start without SESSION_SECRET. */
const DEV_SESSION_SECRET = "repay-local-development-secret-not-for-production";

export class EnvError extends Error {
  constructor(public readonly lines: string[]) {
    super(`Invalid environment:\n${lines.join("\n")}`);
    this.name = "EnvError";
  }
}

/** Parses an environment. Throws EnvError with one line per bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join(".") || "environment";
      return `  ${name}: ${issue.message}`;
    });
    throw new EnvError([...new Set(lines)]);
  }
  const env = result.data;
  const local = {
    supabase: env.SUPABASE_URL === undefined,
    stripe: env.STRIPE_SECRET_KEY === undefined,
    email: env.RESEND_API_KEY === undefined,
  };
  return {
    ...env,
    APP_URL: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ""),
    SESSION_SECRETS: (env.SESSION_SECRET ?? DEV_SESSION_SECRET).split(",").map((s) => s.trim()).filter(Boolean),
    local,
    anyLocal: local.supabase || local.stripe || local.email,
    isProduction: env.NODE_ENV === "production",
  };
}

const globalForEnv = globalThis as unknown as { __repayEnv?: Env };

/** The parsed environment of this process (parsed once, shared by every module copy). */
export function getEnv(): Env {
  globalForEnv.__repayEnv ??= parseEnv(process.env);
  return globalForEnv.__repayEnv;
}

/** For tests that start services with a particular environment. */
export function resetEnvForTests(): void {
  globalForEnv.__repayEnv = undefined;
}

/** The lines the server prints at start about which services are real and which are stand-ins. */
export function describeServices(env: Env): string[] {
  const db = env.DATABASE_URL ? "Postgres at DATABASE_URL" : `embedded PGlite in ${env.PGLITE_DIR}`;
  return [
    env.local.supabase ? `LOCAL  Supabase: in-process PostgREST stand-in over ${db}` : `real   Supabase: ${new URL(env.SUPABASE_URL!).host}`,
    env.local.stripe ? "LOCAL  Stripe: in-process sandbox (no real money moves)" : `real   Stripe: ${env.STRIPE_SECRET_KEY!.includes("_live_") ? "LIVE mode" : "test mode"}`,
    env.local.email ? "LOCAL  Email: in-process outbox, read it at /dev/outbox (nothing is sent)" : "real   Email: Resend",
  ];
}
