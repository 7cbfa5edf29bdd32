import { test, expect } from "./fixtures";
import { APP_URL, E2E_PROJECT } from "./env";

/**
 * Settings > Demo traffic: an admin starts the advisor's workload, watches it progress through
 * the gateway, cancels it; the calls it made are in the project's events under its routes.
 */
test("an admin starts the reference workload from the settings page, sees it progress, and cancels it", async ({ signedInPage: page }) => {
  await page.goto(`/p/${E2E_PROJECT}/settings`);
  const card = page.getByTestId("reference-workload");
  await expect(card).toBeVisible();
  await card.getByLabel("Variant").selectOption("clean");
  await card.getByLabel("Requests").fill("40");
  await card.getByRole("button", { name: "Run reference workload" }).click();

  const headline = card.getByTestId("reference-headline");
  await expect(headline).toContainText(/Clean workload running: \d+ of 40 calls/);
  await expect(card.getByRole("button", { name: "Run reference workload" })).toBeDisabled();
  // Wait until some calls have finished (Haiku answers first), then cancel.
  await expect(headline).toContainText(/running: ([1-9]\d*) of 40/, { timeout: 30_000 });
  await card.getByRole("button", { name: "Cancel" }).click();
  await expect(card.getByTestId("reference-run")).toHaveAttribute("data-state", "cancelled", { timeout: 30_000 });
  await expect(headline).toContainText(/Clean workload cancelled after \d+ of 40 calls/);
  await expect(card.getByTestId("reference-routes").locator("tr[data-route]").first()).toBeVisible();

  // What it sent was recorded by the gateway, on the workload's routes.
  const res = await page.request.get(`${APP_URL}/api/v1/demo/reference?project=${E2E_PROJECT}`);
  const { run } = (await res.json()) as { run: { result: { ok: number; byRoute: Record<string, { ok: number }> } } };
  expect(run.result.ok).toBeGreaterThan(0);
  await page.goto(`/p/${E2E_PROJECT}/events?route=ticket-triage`);
  await expect(page.getByTestId("event-row").first()).toBeVisible();
  // Started again, it runs again (one run at a time, not one per server).
  await page.goto(`/p/${E2E_PROJECT}/settings`);
  await expect(page.getByTestId("reference-workload").getByRole("button", { name: "Run reference workload" })).toBeEnabled();
});
