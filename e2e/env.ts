import os from "node:os";
import path from "node:path";

/**
 * The two servers the e2e suite starts (see playwright.config.ts):
 * - "fresh": a first-run Pitwall (no admin yet, demo project with demo traffic), as the quickstart.
 * - "app": a seeded Pitwall with a headless-initialised admin, project and ingest key.
 */
export const FRESH_PORT = Number(process.env.E2E_FRESH_PORT ?? 3311);
export const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3312);
export const FRESH_URL = `http://127.0.0.1:${FRESH_PORT}`;
export const APP_URL = `http://127.0.0.1:${APP_PORT}`;

export const E2E_ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password-1" };
export const E2E_PROJECT = "e2e";
// A fixed test-only key for the throwaway e2e database; never valid anywhere else.
export const E2E_KEY = "pw_sk_e2etest0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

// One id per run, shared by the Playwright runner and its workers (they inherit its environment).
export const E2E_RUN_ID = (process.env.E2E_RUN_ID ??= `${process.pid}-${Date.now()}`);
export const e2eDataDir = (name: string) => path.join(os.tmpdir(), `pitwall-e2e-${name}-${E2E_RUN_ID}`);
// Where the first-run server writes its one-time setup token (`setup-token` in its data dir).
export const FRESH_SETUP_TOKEN_FILE = path.join(e2eDataDir("fresh"), "setup-token");
