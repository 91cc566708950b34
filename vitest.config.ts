/**
 * Vitest for unit and integration tests (DESIGN §8). Separate from vite.config.ts so the
 * Remix plugin stays out of test runs. Every integration test file gets its own freshly
 * migrated and seeded database, copied from one template built once per run
 * (tests/setup/global-setup.ts and setup-db.ts): PGlite by default, a real Postgres server
 * when DATABASE_URL is set.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "~": fileURLToPath(new URL("./app", import.meta.url)),
      "~emails": fileURLToPath(new URL("./emails", import.meta.url)),
    },
  },
  test: {
    environment: "node",
    // Expected failures (a refused email, say) log warnings; keep the run's output readable.
    env: { LOG_LEVEL: "error" },
    include: ["tests/unit/**/*.test.{ts,tsx}", "tests/integration/**/*.test.{ts,tsx}"],
    globalSetup: ["tests/setup/global-setup.ts"],
    setupFiles: ["tests/setup/setup-db.ts"],
    // Two workers, each reused across files (isolate: false): a fresh process per file
    // cost more than the database copy itself. Each file still gets its own database, and
    // setup-db.ts resets the env, database and Supabase singletons between files.
    pool: "forks",
    poolOptions: { forks: { minForks: 1, maxForks: 2, isolate: false } },
    unstubEnvs: true,
    unstubGlobals: true,
    restoreMocks: true,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
