import { test as base, expect, type Page } from "@playwright/test";
import { E2E_ADMIN, E2E_KEY, E2E_PROJECT } from "./env";

/** Signs in through the real sign-in page, as an operator would. */
export async function signIn(page: Page, creds: { email: string; password: string }): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(creds.email);
  await page.getByLabel("Password", { exact: true }).fill(creds.password);
  await page.getByRole("button", { name: /sign in/i }).click();
  await expect(page).toHaveURL(/\/p\/[^/]+\//);
}

/** Sends events through the public ingestion API with the e2e project's key. */
export async function ingest(baseURL: string, events: Record<string, unknown>[]): Promise<{ accepted: number }> {
  const res = await fetch(`${baseURL}/api/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${E2E_KEY}` },
    body: JSON.stringify({ events }),
  });
  if (!res.ok) throw new Error(`ingest failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { accepted: number };
}

type Fixtures = { signedInPage: Page; projectSlug: string };

export const test = base.extend<Fixtures>({
  projectSlug: [E2E_PROJECT, { option: true }],
  signedInPage: async ({ page }, provide) => {
    await signIn(page, E2E_ADMIN);
    await provide(page);
  },
});

export { expect };
