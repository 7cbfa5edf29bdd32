import { E2E_ADMIN, E2E_KEY, E2E_PROJECT } from "./env";
import { expect, signIn, test } from "./fixtures";

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

test("a save conflict keeps the edit: reload and reapply puts it on top of the other save, unsaved", async ({ signedInPage: a, browser }) => {
  test.setTimeout(120_000);
  // Two editors on the same live version: A in the fixture's page, B in a browser of its own.
  const bContext = await browser.newContext();
  const b = await bContext.newPage();
  await signIn(b, E2E_ADMIN);
  await a.goto(`/p/${E2E_PROJECT}/policies`);
  await b.goto(`/p/${E2E_PROJECT}/policies`);
  const ruleIndex = async (page: typeof a) => {
    const ids = await page.getByTestId("policy-rules").locator(':scope > li input[data-testid$="-id"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    const i = ids.indexOf("support-fast");
    expect(i).toBeGreaterThanOrEqual(0);
    return i;
  };
  const i = await ruleIndex(a);
  const live = Number(/version (\d+)/.exec((await a.getByTestId("policy-active").textContent()) ?? "")![1]);

  // B turns on prompt caching for the rule; A caps max_tokens on it and saves first.
  await b.getByTestId(`policy-rule-${i}-action-prompt-caching`).selectOption("1h");
  await expect(b.getByTestId("policy-diff")).toContainText("changed rule support-fast: action.promptCaching");
  await a.getByTestId(`policy-rule-${i}-action-cap`).fill("1000");
  await a.getByTestId("policy-save").click();
  await expect(a.getByTestId("policy-notice")).toContainText(`Saved version ${live + 1}`);

  await b.getByTestId("policy-save").click();
  await expect(b.getByTestId("policy-conflict")).toContainText(`Someone saved version ${live + 1} while you were editing version ${live}. Your edit is kept.`);
  await b.getByTestId("policy-reapply").click();
  await expect(b.getByTestId("policy-conflict")).toBeHidden();
  // A's cap and B's caching, still unsaved: the diff against A's version is B's change alone.
  await expect(b.getByTestId("policy-active")).toContainText(`Live: version ${live + 1}`);
  await expect(b.getByTestId("policy-dirty")).toBeVisible();
  await expect(b.getByTestId(`policy-rule-${i}-action-prompt-caching`)).toHaveValue("1h");
  await expect(b.getByTestId(`policy-rule-${i}-action-cap`)).toHaveValue("1000");
  await expect(b.getByTestId("policy-diff")).toContainText("changed rule support-fast: action.promptCaching");
  await expect(b.getByTestId("policy-diff")).not.toContainText("maxTokensCap");
  await expect(b.getByTestId("policy-merge-conflicts")).toHaveCount(0);
  await expect(b.getByTestId("policy-save")).toBeEnabled();
  await b.getByTestId("policy-save").click();
  await expect(b.getByTestId("policy-notice")).toContainText(`Saved version ${live + 2}`);
  await expect(b.getByTestId(`policy-version-${live + 2}-diff`)).toContainText("changed rule support-fast: action.promptCaching");
  await expect(b.getByTestId(`policy-version-${live + 2}-diff`)).not.toContainText("maxTokensCap");

  // The same field changed on both sides is reported, and the edit's value kept.
  await a.reload();
  await a.getByTestId(`policy-rule-${i}-action-cap`).fill("700");
  await b.getByTestId(`policy-rule-${i}-action-cap`).fill("800");
  await a.getByTestId("policy-save").click();
  await expect(a.getByTestId("policy-notice")).toContainText(`Saved version ${live + 3}`);
  await b.getByTestId("policy-save").click();
  await b.getByTestId("policy-reapply").click();
  await expect(b.getByTestId("policy-merge-conflicts")).toContainText("rule support-fast: action.maxTokensCap: yours 800, version " + String(live + 3) + ": 700");
  await expect(b.getByTestId(`policy-rule-${i}-action-cap`)).toHaveValue("800");
  await expect(b.getByTestId("policy-diff")).toContainText("changed rule support-fast: action.maxTokensCap");
  await bContext.close();
});

test("the models page marks the changes on its latency chart and sparklines, with before/after deltas", async ({ signedInPage: page }) => {
  test.setTimeout(120_000);
  await page.goto(`/p/${E2E_PROJECT}/models`);
  const chart = page.getByTestId("chart-model-latency");
  const marker = chart.getByTestId("chart-change-marker").last();
  await expect(marker).toBeVisible({ timeout: 60_000 });
  await expect(marker).toHaveAccessibleName(/^routing v\d+ live/);
  // The served model's sparkline draws the same changes (thin lines; the chart above is the clickable one).
  const haiku = page.locator('[data-testid="model-row"][data-model="claude-haiku-4-5"]').getByTestId("p95-trend").locator("[data-markers]");
  await expect(haiku).toHaveAttribute("data-markers", /^[1-9]\d*$/);
  await marker.click();
  await expect(page.getByTestId("change-deltas")).toBeVisible();
  await expect(page.getByTestId("change-deltas-table")).toContainText("Cost per request");
  await expect(page.getByTestId("change-deltas-table")).toContainText("too few requests");
  await page.getByTestId("change-deltas").getByRole("button", { name: "Close" }).click();
  await expect(page.getByTestId("change-deltas")).toBeHidden();
});

async function cachedTwice(baseURL: string): Promise<string | null> {
  // One body twice: the second answer comes from the cache only if the header may switch it on.
  const body = JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 16, messages: [{ role: "user", content: `ttl ${ROUTE} ${Date.now()}` }] });
  const send = () =>
    fetch(`${baseURL}/gateway/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": E2E_KEY, "content-type": "application/json", "anthropic-version": "2023-06-01", "x-pitwall-route": ROUTE, "x-pitwall-cache-ttl": "60" },
      body,
    });
  expect((await send()).status).toBe(200);
  const second = await send();
  expect(second.status).toBe(200);
  return second.headers.get("x-pitwall-cache");
}

test("the cache policy's clientTtl is edited in the form, validated, saved and applied", async ({ signedInPage: page, baseURL }) => {
  test.setTimeout(120_000);
  // With the default ("lower") a caller's header cannot switch the cache on where the policy gives 0.
  expect(await cachedTwice(baseURL!)).not.toBe("HIT");

  await page.goto(`/p/${E2E_PROJECT}/policies?kind=cache`);
  const select = page.getByTestId("policy-client-ttl");
  await expect(select).toHaveValue("lower");
  await select.selectOption("any");
  await expect(page.getByTestId("policy-client-ttl-hint")).toContainText("chooses how long");
  await expect(page.getByTestId("policy-diff")).toContainText("changed clientTtl");

  // A value the schema refuses, typed in the JSON view: shown on the field, and nothing can be saved.
  await page.getByTestId("policy-view-json").click();
  const json = page.getByTestId("policy-editor");
  await expect(json).toHaveValue(/"clientTtl": "any"/);
  await json.fill(((await json.inputValue()) ?? "").replace('"clientTtl": "any"', '"clientTtl": "raise"'));
  await page.getByTestId("policy-view-form").click();
  await expect(select).toHaveValue("invalid");
  await expect(page.getByTestId("policy-errors")).toContainText('clientTtl: must be "lower" or "any"');
  await expect(page.getByTestId("policy-save")).toBeDisabled();

  await select.selectOption("any");
  await expect(page.getByTestId("policy-valid")).toBeVisible();
  await page.getByTestId("policy-comment").fill("callers choose their TTL");
  await page.getByTestId("policy-save").click();
  await expect(page.getByTestId("policy-notice")).toContainText(/Saved version \d+/);
  await page.reload();
  await expect(page.getByTestId("policy-client-ttl")).toHaveValue("any");
  await expect.poll(() => cachedTwice(baseURL!), { timeout: 5000 }).toBe("HIT");

  // Back to the default, so the rest of the suite runs under "lower".
  await page.getByTestId("policy-client-ttl").selectOption("lower");
  await expect(page.getByTestId("policy-diff")).toContainText("changed clientTtl");
  await page.getByTestId("policy-save").click();
  await expect(page.getByTestId("policy-notice")).toContainText(/Saved version \d+/);
  await expect.poll(() => cachedTwice(baseURL!), { timeout: 5000 }).not.toBe("HIT");
});
