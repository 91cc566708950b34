import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3123);
const phone = {
  ...devices["Pixel 7"],
  viewport: { width: 360, height: 780 },
  screen: { width: 360, height: 780 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

/**
 * End-to-end tests run the production build (with the local stand-ins allowed) in Debian's
 * Chromium on a 360×780 touch phone, once with JavaScript and once without.
 */
export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: true,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    },
  },
  projects: [
    { name: "phone-js", use: { ...phone, javaScriptEnabled: true } },
    { name: "phone-no-js", use: { ...phone, javaScriptEnabled: false } },
  ],
  webServer: {
    command: `rm -rf .data/e2e && npm run start`,
    url: `http://localhost:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(port),
      APP_URL: `http://localhost:${port}`,
      ALLOW_LOCAL_SERVICES: "1",
      SESSION_SECRET: "e2e-session-secret-that-is-long-enough-to-pass",
      PGLITE_DIR: ".data/e2e/pglite",
      LOG_LEVEL: "warn",
      DATABASE_URL: "",
    },
  },
});
