import { test, expect, type Page } from "@playwright/test";
import { readFileSync, statSync } from "node:fs";
import { FRESH_SETUP_TOKEN_FILE } from "./env";
import { signIn } from "./fixtures";

/**
 * The operator journey on a first-run Pitwall (the quickstart: demo project, no account yet):
 * set up the first admin, sign in, create a key, invite a viewer, and find the policy editor
 * read-only as that viewer. Runs once, in order, against the "first-run" server.
 */
test.describe.configure({ mode: "serial" });

const ADMIN = { name: "First Admin", email: "first.admin@e2e.test", password: "first-admin-password-1" };
const VIEWER = { name: "Vera Viewer", email: "vera.viewer@e2e.test", password: "viewer-password-123" };
let inviteUrl = "";

async function signOut(page: Page) {
  await page.goto("/sign-out");
  await page.getByTestId("sign-out-confirm").click();
  await expect(page).toHaveURL(/\/sign-in/);
}

async function fillAdmin(page: Page) {
  await page.getByLabel("Your name").fill(ADMIN.name);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill(ADMIN.password);
}

test("setup asks for the one-time token the server printed, and a wrong one claims nothing", async ({ page, request, baseURL }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel("Setup token").fill("not-the-token");
  await fillAdmin(page);
  await page.getByRole("button", { name: /create admin account/i }).click();
  await expect(page.getByTestId("form-error")).toContainText(/not the one this server printed/i);
  // A script that reaches the port is refused as well, with or without a guess.
  const scripted = await request.post("/api/v1/setup", { headers: { origin: baseURL! }, data: { email: "bot@e2e.test", name: "Bot", password: "bot-password-123" } });
  expect(scripted.status()).toBe(403);
  expect(((await scripted.json()) as { error: { code: string } }).error.code).toBe("forbidden:setup_token");
  await page.reload();
  await expect(page).toHaveURL(/\/setup$/);
});

test("the first visit shows setup; with the token the first admin lands in the demo project", async ({ page }) => {
  const token = readFileSync(FRESH_SETUP_TOKEN_FILE, "utf8").trim();
  expect(statSync(FRESH_SETUP_TOKEN_FILE).mode & 0o777).toBe(0o600);
  // The link the log prints fills the token in.
  await page.goto(`/setup?token=${encodeURIComponent(token)}`);
  await expect(page.getByLabel("Setup token")).toHaveValue(token);
  await expect(page.getByText("You will be admin of")).toContainText("demo");
  await page.screenshot({ path: "test-results/e2e/setup-token.png", fullPage: true });
  await fillAdmin(page);
  await page.getByRole("button", { name: /create admin account/i }).click();
  await expect(page).toHaveURL(/\/p\/demo\/overview/);
});

test("setup is gone once an admin exists, and the admin signs in through the sign-in page", async ({ page }) => {
  await page.goto("/setup");
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill("not-the-password");
  await page.getByRole("button", { name: /sign in/i }).click();
  await expect(page.getByTestId("form-error")).toContainText(/wrong email or password/i);
  await signIn(page, ADMIN);
  await expect(page).toHaveURL(/\/p\/demo\//);
});

test("an admin creates an ingest key, sees its secret once, and it works", async ({ page, context, baseURL }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, ADMIN);
  await page.goto("/p/demo/keys");
  await page.getByLabel("Name").fill("e2e ingest key");
  await page.getByRole("button", { name: /create key/i }).click();
  const secret = (await page.getByTestId("new-key-secret").textContent())!.trim();
  expect(secret).toMatch(/^pw_sk_[A-Za-z0-9_-]{40}$/);
  await page.getByTestId("copy-button").click();
  await expect(page.getByTestId("copy-button")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await expect(page.getByTestId("key-row").filter({ hasText: "e2e ingest key" })).toContainText("active");

  const send = () =>
    fetch(`${baseURL}/api/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify({ events: [{ id: `e2e-${Date.now()}-${Math.random()}`, timestamp: new Date().toISOString(), model: "claude-haiku-4-5", latencyMs: 10, inputTokens: 1, outputTokens: 1 }] }),
    });
  expect((await send()).status).toBe(200);

  // After a reload the secret is nowhere on the page: it was shown once.
  await page.reload();
  await expect(page.getByTestId("key-row").filter({ hasText: "e2e ingest key" })).toBeVisible();
  expect(await page.content()).not.toContain(secret);

  // Revoked, it stops working within 5 s.
  page.once("dialog", (d) => void d.accept());
  await page.getByTestId("key-row").filter({ hasText: "e2e ingest key" }).getByTestId("revoke-key").click();
  await expect(page.getByTestId("key-row").filter({ hasText: "e2e ingest key" })).toContainText("revoked");
  const revokedAt = Date.now();
  await expect.poll(async () => (await send()).status, { timeout: 5000, intervals: [250] }).toBe(401);
  expect(Date.now() - revokedAt).toBeLessThan(5000);
});

test("an admin invites a viewer with a one-time link", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/p/demo/members");
  await page.getByLabel("Role", { exact: true }).selectOption("viewer");
  await page.getByRole("button", { name: /create invitation link/i }).click();
  inviteUrl = (await page.getByTestId("invite-url").textContent())!.trim();
  expect(inviteUrl).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId("pending-invites")).toContainText("viewer");
  await signOut(page);
});

test("the viewer joins through the link and finds the policy editor read-only", async ({ page }) => {
  expect(inviteUrl).not.toBe("");
  await page.goto(new URL(inviteUrl).pathname);
  await expect(page.getByTestId("invite-summary")).toContainText("viewer");
  await page.getByLabel("Your name").fill(VIEWER.name);
  await page.getByLabel("Email").fill(VIEWER.email);
  await page.getByLabel("Password", { exact: true }).fill(VIEWER.password);
  await page.getByLabel("Confirm password").fill(VIEWER.password);
  await page.getByRole("button", { name: /create account and join/i }).click();
  await expect(page).toHaveURL(/\/p\/demo\/overview/);

  // A spent link cannot be used again.
  await signOut(page);
  await page.goto(new URL(inviteUrl).pathname);
  await expect(page.getByTestId("invite-invalid")).toBeVisible();

  await signIn(page, VIEWER);
  await page.goto("/p/demo/policies");
  // The form is read-only too: no add, reorder or delete controls.
  await expect(page.getByTestId("policy-add-rule")).toHaveCount(0);
  await page.getByTestId("policy-view-json").click();
  const editor = page.getByTestId("policy-editor").first();
  await expect(editor).toBeVisible();
  await expect(editor).not.toBeEditable();
  await expect(page.getByTestId("policy-save")).toHaveCount(0);

  // The admin pages are hidden from the viewer, and the server refuses them anyway.
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" })).toHaveCount(0);
  await page.goto("/p/demo/keys");
  await expect(page.getByText(/managed by project admins/i)).toBeVisible();
  const status = await page.evaluate(async () => {
    const res = await fetch("/api/v1/keys?project=demo", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "sneaky", scopes: ["ingest"] }) });
    return res.status;
  });
  expect(status).toBe(403);
});

test("signed out, project pages send you to sign-in", async ({ page }) => {
  await page.goto("/p/demo/settings");
  await expect(page).toHaveURL(/\/sign-in\?next=/);
});
