import type { Browser, Page } from "@playwright/test";
import { formatCount, formatMs, formatUsd } from "../lib/metrics/format";
import { expect, test } from "./fixtures";
import { E2E_PROJECT } from "./env";

/**
 * The playground journey on the simulated upstream (real per-model latency profiles): two panes
 * stream at once, the figures shown are the recorded events', Stop aborts, Run x 10 gives a
 * summary and verdict that reopen from the link, and a viewer sees it read-only.
 */
const PLAYGROUND = `/p/${E2E_PROJECT}/playground`;

type EventDetail = { id: string; status: string; ttftMs: number | null; costNanoUsd: string; route: string; responseCache: string; tags: Record<string, string> };

async function eventOf(page: Page, id: string): Promise<EventDetail> {
  return page.evaluate(async ([project, eventId]) => {
    const res = await fetch(`/api/v1/events/detail?project=${project}&id=${eventId}`);
    return (await res.json()) as EventDetail;
  }, [E2E_PROJECT, id] as const);
}

async function recordedId(page: Page, pane: string): Promise<string> {
  const text = await page.locator(`[data-pane="${pane}"]`).getByText(/recorded as gw_/).textContent();
  return text!.replace("recorded as ", "").trim();
}

test("two panes with different models stream at the same time, and show the recorded TTFT and cost", async ({ signedInPage: page }) => {
  await page.goto(PLAYGROUND);
  await expect(page.getByTestId("playground-upstream")).toContainText("Simulated upstream");
  await expect(page.locator('[data-pane="A"]')).toBeVisible();
  await page.getByRole("button", { name: "Run", exact: true }).click();
  // True streaming: partial text in both panes while both are still streaming.
  await page.waitForFunction(() => {
    const panes = ["A", "B"].map((n) => document.querySelector(`[data-pane="${n}"]`)!);
    return panes.every((p) => p.getAttribute("data-status") === "streaming" && (p.querySelector('[data-testid="pane-output"]')?.textContent ?? "").length > 0);
  });
  for (const name of ["A", "B"]) await expect(page.locator(`[data-pane="${name}"]`).getByText(/recorded as gw_/)).toBeVisible();
  const served = await Promise.all(["A", "B"].map((n) => page.locator(`[data-pane="${n}"]`).getByTestId("pane-served-model").textContent()));
  expect(served).toEqual(["claude-haiku-4-5", "claude-sonnet-4-6"]);
  for (const name of ["A", "B"]) {
    const event = await eventOf(page, await recordedId(page, name));
    expect(event.route).toBe("playground");
    expect(event.tags.pane).toBe(name);
    const pane = page.locator(`[data-pane="${name}"]`);
    await expect(pane.getByTestId("pane-ttft")).toHaveText(formatMs(event.ttftMs));
    await expect(pane.getByTestId("pane-cost")).toHaveText(formatUsd(Number(event.costNanoUsd) / 1e9));
    await expect(pane.getByTestId("pane-response-cache")).toHaveText(`response cache: ${event.responseCache}`);
  }
  await expect(page).toHaveURL(/experiment=exp_/);
});

test("the dashboards leave playground calls out by default; the filter bar's toggle puts them back, in the URL", async ({ signedInPage: page }) => {
  type Summary = { requests: number };
  const summary = (query: string) =>
    page.evaluate(async (q) => ((await (await fetch(`/api/v1/metrics/summary?${q}`)).json()) as Summary).requests, `project=${E2E_PROJECT}&range=1h${query}`);
  // The race above recorded playground calls in the last hour.
  await expect.poll(() => summary("&route=playground"), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  await page.goto(`/p/${E2E_PROJECT}/overview?range=1h`);
  const toggle = page.getByTestId("filter-playground");
  await expect(toggle).not.toBeChecked();
  await expect(page.getByTestId("kpi-requests")).toHaveText(formatCount(await summary("")));
  await toggle.check();
  await expect(page).toHaveURL(/playground=include/);
  const withPlayground = await summary("&playground=include");
  expect(withPlayground).toBeGreaterThanOrEqual((await summary("")) + 2);
  await expect(page.getByTestId("kpi-requests")).toHaveText(formatCount(withPlayground));
  // The same URL state on the events list.
  await page.goto(`/p/${E2E_PROJECT}/events?range=1h&playground=include`);
  await expect(page.getByTestId("filter-playground")).toBeChecked();
  await expect(page.getByTestId("events-table")).toContainText("playground");
});

test("Stop cancels both streams and the calls are recorded as aborted", async ({ signedInPage: page }) => {
  await page.goto(PLAYGROUND);
  // Opus streams slowest in the simulator (45 tok/s): both answers are still coming when Stop lands.
  for (const name of ["A", "B"]) {
    await page.locator(`[data-pane="${name}"]`).getByLabel("Model").fill("claude-opus-4-6");
    await page.locator(`[data-pane="${name}"]`).getByRole("spinbutton", { name: "max_tokens" }).fill("4000");
  }
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await page.waitForFunction(() => ["A", "B"].every((n) => (document.querySelector(`[data-pane="${n}"] [data-testid="pane-output"]`)?.textContent ?? "").length > 0));
  await page.getByRole("button", { name: "Stop" }).click();
  for (const name of ["A", "B"]) {
    await expect(page.locator(`[data-pane="${name}"]`)).toHaveAttribute("data-status", "aborted");
    await expect(page.locator(`[data-pane="${name}"]`).getByText(/recorded as gw_/)).toBeVisible();
    expect((await eventOf(page, await recordedId(page, name))).status).toBe("aborted");
  }
});

test("Run x 10 fills the summary, the distributions and the verdict, and the experiment reopens from its link", async ({ signedInPage: page }) => {
  await page.goto(PLAYGROUND);
  for (const name of ["A", "B"]) await page.locator(`[data-pane="${name}"]`).getByRole("spinbutton", { name: "max_tokens" }).fill("12");
  await page.getByLabel("N", { exact: true }).fill("10");
  await page.getByLabel("Concurrency").fill("4");
  await page.getByRole("button", { name: "Run x 10" }).click();
  const summary = page.getByTestId("run-summary");
  await expect(summary).toBeVisible({ timeout: 45_000 });
  await expect(summary.locator('[data-summary-pane="A"]')).toContainText("10");
  await expect(page.getByTestId("hist-ttft")).toBeVisible();
  await expect(page.getByTestId("hist-latency")).toBeVisible();
  const verdict = (await page.getByTestId("verdict").textContent())!;
  expect(verdict).toMatch(/10 runs each; (clear|likely|no difference|not enough runs)\./);
  // Each pane still shows its last call: its response-cache status is the recorded one.
  for (const name of ["A", "B"]) {
    const pane = page.locator(`[data-pane="${name}"]`);
    const event = await eventOf(page, (await pane.getAttribute("data-event-id"))!);
    expect(event.tags.pane).toBe(name);
    await expect(pane.getByTestId("pane-response-cache")).toHaveText(`response cache: ${event.responseCache}`);
  }

  const link = (await page.getByTestId("share-link").getAttribute("href"))!;
  expect(link).toMatch(/experiment=exp_.*&run=\d+/);
  await page.goto(link);
  await expect(page.getByTestId("run-summary")).toBeVisible();
  await expect(page.getByTestId("verdict")).toHaveText(verdict);
  await page.goto(`${PLAYGROUND}/experiments`);
  await expect(page.getByTestId("experiments-table")).toContainText("10 runs each");
});

async function viewerPage(browser: Browser, admin: Page): Promise<Page> {
  const url = await admin.evaluate(async (project) => {
    const res = await fetch(`/api/v1/members/invites?project=${project}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ role: "viewer" }) });
    return ((await res.json()) as { url: string }).url;
  }, E2E_PROJECT);
  const context = await browser.newContext({ baseURL: new URL(admin.url()).origin });
  const page = await context.newPage();
  await page.goto(new URL(url).pathname);
  const email = `viewer-${Date.now()}@e2e.test`;
  await page.getByLabel("Your name").fill("Pat Viewer");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("viewer-password-123");
  await page.getByLabel("Confirm password").fill("viewer-password-123");
  await page.getByRole("button", { name: /create account and join/i }).click();
  await expect(page).toHaveURL(/\/p\/[^/]+\//);
  return page;
}

test("a viewer sees an experiment read-only: Run is disabled and the API answers 403", async ({ signedInPage: admin, browser }) => {
  await admin.goto(`${PLAYGROUND}/experiments`);
  const href = (await admin.getByTestId("experiments-table").getByRole("link").first().getAttribute("href"))!;
  const viewer = await viewerPage(browser, admin);
  await viewer.goto(href);
  await expect(viewer.getByTestId("read-only-note")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Run", exact: true })).toBeDisabled();
  await expect(viewer.getByLabel("Model").first()).toBeDisabled();
  const status = await viewer.evaluate(async (project) => {
    const res = await fetch(`/api/v1/playground/runs?project=${project}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ config: {} }) });
    return res.status;
  }, E2E_PROJECT);
  expect(status).toBe(403);
  await viewer.context().close();
});
