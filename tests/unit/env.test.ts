import { expect, test } from "vitest";
import { EnvError, parseEnv } from "~/utils/env.server";

function failures(source: Record<string, string>): string[] {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error.lines;
    throw error;
  }
  throw new Error("expected the environment to be refused");
}

test("an empty environment runs every service on its local stand-in", () => {
  const env = parseEnv({});
  expect(env.local).toEqual({ supabase: true, stripe: true, email: true });
  expect(env.anyLocal).toBe(true);
  expect(env.PORT).toBe(3000);
  expect(env.APP_URL).toBe("http://localhost:3000");
  expect(env.SESSION_SECRETS).toHaveLength(1);
});

test("a full production environment uses the real services", () => {
  const env = parseEnv({
    NODE_ENV: "production",
    APP_URL: "https://pay.example.com/",
    SESSION_SECRET: "a".repeat(32) + "," + "b".repeat(40),
    SUPABASE_URL: "https://abc.supabase.co",
    SUPABASE_SERVICE_ROLE_KEY: "service-role-key",
    STRIPE_SECRET_KEY: "sk_test_123abc",
    STRIPE_WEBHOOK_SECRET: "whsec_abc123",
    RESEND_API_KEY: "re_abc123",
    EMAIL_FROM: "Northwind <pay@example.com>",
  });
  expect(env.local).toEqual({ supabase: false, stripe: false, email: false });
  expect(env.anyLocal).toBe(false);
  expect(env.APP_URL).toBe("https://pay.example.com");
  expect(env.SESSION_SECRETS).toEqual(["a".repeat(32), "b".repeat(40)]);
});

test("each malformed variable gets its own line naming it", () => {
  const lines = failures({ PORT: "eighty", DATABASE_URL: "mysql://x", STRIPE_SECRET_KEY: "pk_test_1", STRIPE_WEBHOOK_SECRET: "whsec_1" });
  expect(lines.some((l) => l.includes("PORT"))).toBe(true);
  expect(lines.some((l) => l.includes("DATABASE_URL"))).toBe(true);
  expect(lines.some((l) => l.includes("STRIPE_SECRET_KEY") && l.includes("sk_test_"))).toBe(true);
  expect(lines).toHaveLength(3);
});

test("half a service's variables names the missing half", () => {
  const lines = failures({ SUPABASE_URL: "https://abc.supabase.co", RESEND_API_KEY: "re_1" });
  expect(lines).toEqual([
    expect.stringContaining("SUPABASE_SERVICE_ROLE_KEY: is required when SUPABASE_URL is set"),
    expect.stringContaining("EMAIL_FROM: is required when RESEND_API_KEY is set"),
  ]);
});

test("production refuses the local stand-ins and a missing session secret", () => {
  const lines = failures({ NODE_ENV: "production", APP_URL: "https://pay.example.com" });
  expect(lines.join("\n")).toMatch(/SESSION_SECRET/);
  expect(lines.join("\n")).toMatch(/SUPABASE_URL: .*local stand-in/);
  expect(lines.join("\n")).toMatch(/STRIPE_SECRET_KEY: .*local stand-in/);
  expect(lines.join("\n")).toMatch(/RESEND_API_KEY: .*local stand-in/);
});

test("production starts on local stand-ins only with ALLOW_LOCAL_SERVICES=1", () => {
  const env = parseEnv({
    NODE_ENV: "production",
    ALLOW_LOCAL_SERVICES: "1",
    APP_URL: "http://localhost:3123",
    SESSION_SECRET: "s".repeat(32),
  });
  expect(env.anyLocal).toBe(true);
  expect(env.isProduction).toBe(true);
});

test("a short session secret is refused", () => {
  expect(failures({ SESSION_SECRET: "short" })).toEqual([expect.stringContaining("SESSION_SECRET")]);
});
