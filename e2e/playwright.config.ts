import { defineConfig } from "@playwright/test";
import path from "node:path";
import { APP_PORT, APP_URL, E2E_ADMIN, E2E_KEY, E2E_PROJECT, e2eDataDir as dataDir, FRESH_PORT, FRESH_URL } from "./env";

// `npm run test:e2e` builds into .next-e2e first; both servers serve that build.
const distDir = process.env.PITWALL_NEXT_DIST_DIR ?? ".next-e2e";
const root = path.resolve(import.meta.dirname, "..");

const baseEnv = {
  NODE_ENV: "production",
  PITWALL_NEXT_DIST_DIR: distDir,
  LOG_LEVEL: "warn",
  // Each e2e server gets its own throwaway PGlite unless a test database is named.
  DATABASE_URL: process.env.E2E_DATABASE_URL ?? "",
};

export default defineConfig({
  testDir: ".",
  outputDir: "../test-results/e2e",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [
    ["list"],
    ["html", { outputFolder: "../playwright-report", open: "never" }],
    ["json", { outputFile: "../test-results/playwright.json" }],
  ],
  use: {
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ?? "/usr/bin/chromium",
      // This machine has no network: background services would only fail (see the env notes).
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [
    { name: "first-run", testMatch: /first-run\.spec\.ts|auth\.spec\.ts/, use: { baseURL: FRESH_URL } },
    { name: "app", testMatch: /.*\.spec\.ts/, testIgnore: /first-run\.spec\.ts|auth\.spec\.ts/, use: { baseURL: APP_URL } },
  ],
  webServer: [
    {
      command: "npx tsx server.ts",
      cwd: root,
      url: `${FRESH_URL}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      env: { ...baseEnv, PORT: String(FRESH_PORT), PITWALL_DATA_DIR: dataDir("fresh"), PITWALL_INIT_PROJECT: "demo", PITWALL_DEMO_TRAFFIC: "1" },
    },
    {
      command: "npx tsx server.ts",
      cwd: root,
      url: `${APP_URL}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      env: {
        ...baseEnv,
        PORT: String(APP_PORT),
        PITWALL_DATA_DIR: dataDir("app"),
        PITWALL_INIT_PROJECT: E2E_PROJECT,
        PITWALL_INIT_API_KEY: E2E_KEY,
        PITWALL_INIT_ADMIN_EMAIL: E2E_ADMIN.email,
        PITWALL_INIT_ADMIN_PASSWORD: E2E_ADMIN.password,
        PITWALL_DEMO_TRAFFIC: "0",
      },
    },
  ],
});
