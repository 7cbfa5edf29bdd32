import { E2E_KEY, E2E_PROJECT } from "./env";
import { expect, test } from "./fixtures";

/**
 * The policy editor journey: edit a rule in the form, see the semantic diff, save; the gateway
 * serves the new model within a second; dry-run a request; roll back; find the change marker on
 * the overview chart and open its before/after deltas. (A viewer's read-only page is in auth.spec.)
 * The rule matches a run-unique route, so other specs' traffic is untouched.
 */
test.describe.configure({ mode: "serial" });

const ROUTE = `pol-${Date.now().toString(36)}`;

async function served(baseURL: string): Promise<string> {
  const res = await fetch(`${baseURL}/gateway/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": E2E_KEY, "content-type": "application/json", "anthropic-version": "2023-06-01", "x-pitwall-route": ROUTE },
    body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { model: string }).model;
}

test("edit, diff, save, serve within a second, dry-run, roll back, and see the marker", async ({ signedInPage: page, baseURL }) => {
  // Six dashboard queries load the overview; on a loaded CI machine that alone can take half a minute.
  test.setTimeout(150_000);
  await page.goto(`/p/${E2E_PROJECT}/policies`);
  expect(await served(baseURL!)).toBe("claude-sonnet-4-5");

  // Edit a rule in the form.
  await page.getByTestId("policy-add-rule").click();
  const rules = page.getByTestId("policy-rules").locator(":scope > li");
  const i = (await rules.count()) - 1;
  await page.getByTestId(`policy-rule-${i}-id`).fill("support-fast");
  await page.getByTestId(`policy-rule-${i}-match-route`).fill(ROUTE);
  await page.getByTestId(`policy-rule-${i}-action-mode`).selectOption("model");
  await page.getByTestId(`policy-rule-${i}-action-model`).fill("claude-haiku-4-5");
  // The semantic diff against the live version, then save.
  await expect(page.getByTestId("policy-diff")).toContainText("added rule support-fast");
  await page.getByTestId("policy-comment").fill("fast support");
  await page.getByTestId("policy-save").click();
  await expect(page.getByTestId("policy-notice")).toContainText(/Saved version \d+/);
  const saved = Date.now();
  let model = await served(baseURL!);
  while (model !== "claude-haiku-4-5" && Date.now() - saved < 1000) model = await served(baseURL!);
  expect(model).toBe("claude-haiku-4-5");
  expect(Date.now() - saved).toBeLessThan(1000);
  const first = Number(/version (\d+)/.exec((await page.getByTestId("policy-notice").textContent()) ?? "")![1]);

  // Dry-run a request and see the matched rule.
  await page.getByTestId("dry-run-route").fill(ROUTE);
  await page.getByTestId("dry-run-submit").click();
  await expect(page.getByTestId("dry-run-matched")).toContainText("support-fast");
  await expect(page.getByTestId("dry-run-model")).toContainText("claude-haiku-4-5");

  // A second version, then roll back to the first in one click.
  await page.getByTestId(`policy-rule-${i}-action-model`).fill("claude-opus-4-5");
  await expect(page.getByTestId("policy-diff")).toContainText("changed rule support-fast: action.model");
  await page.getByTestId("policy-save").click();
  await expect(page.getByTestId("policy-notice")).toContainText(`Saved version ${first + 1}`);
  await expect(page.getByTestId(`policy-version-${first + 1}-diff`)).toContainText("changed rule support-fast: action.model");
  await page.getByTestId(`policy-rollback-${first}`).click();
  await expect(page.getByTestId("policy-notice")).toContainText(`Rolled back to version ${first}`);
  await expect.poll(() => served(baseURL!), { timeout: 5000 }).toBe("claude-haiku-4-5");

  // The marker on the overview's latency chart, and its before/after deltas.
  await page.goto(`/p/${E2E_PROJECT}/overview`);
  // Three changes seconds apart: the newest (the rollback) is the last label.
  const marker = page.getByTestId("chart-latency").getByTestId("chart-change-marker").last();
  await expect(marker).toBeVisible({ timeout: 60_000 });
  await marker.click();
  await expect(page.getByTestId("change-deltas")).toBeVisible();
  await expect(page.getByTestId("change-deltas-table")).toContainText("Latency p95");
  await expect(page.getByTestId("change-deltas-table")).toContainText("too few requests");
});
