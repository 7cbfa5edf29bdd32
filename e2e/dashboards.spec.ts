import type { Page, TestInfo } from "@playwright/test";
import { formatCount, formatMs, formatUsd } from "../lib/metrics/format";
import { E2E_KEY, E2E_PROJECT } from "./env";
import { expect, ingest, test } from "./fixtures";

/**
 * The dashboards against a seeded Pitwall: KPIs equal the metrics API, range and filters change
 * the charts, events list and export, a price change recomputed with progress, and a screenshot
 * of every page. Seeded events carry a run-unique agent, so traffic from other specs never
 * changes what these pages show.
 */
test.describe.configure({ mode: "serial" });

const AGENT = `dash-${Date.now().toString(36)}`;
const MODELS = ["claude-sonnet-4-5", "claude-haiku-4-5", "e2e-dash-model"];
const HOUR = 3_600_000;

function seedEvents(now: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < 240; i++) {
    const model = MODELS[i % 3]!;
    // Two thirds in the last day, a third two to six days back: 24h and 7d draw different charts.
    const ago = i % 3 === 2 ? 30 * HOUR + (i % 97) * HOUR : (i % 23) * HOUR + 5 * 60_000;
    out.push({
      id: `${AGENT}-${i}`,
      timestamp: new Date(now - ago).toISOString(),
      model,
      agent: AGENT,
      route: i % 4 === 0 ? "support" : "research",
      status: i % 17 === 0 ? "error" : "ok",
      latencyMs: 200 + ((i * 37) % 1800) + (i % 20 === 0 ? 6000 : 0),
      ttftMs: 80 + ((i * 13) % 400),
      streamed: true,
      inputTokens: 500 + i * 3,
      outputTokens: 100 + (i % 50),
      cacheReadTokens: i % 2 ? 1024 : 0,
      responseCache: i % 4 === 0 ? (i % 8 === 0 ? "hit" : "miss") : "bypass",
    });
  }
  return out;
}

async function api<T>(baseURL: string, path: string, query: Record<string, string>): Promise<T> {
  const res = await fetch(`${baseURL}${path}?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${E2E_KEY}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

type Summary = { requests: number; costUsd: number; latencyMs: { p95: number | null } };

async function shot(page: Page, testInfo: TestInfo, name: string) {
  const body = await page.screenshot({ fullPage: true, path: testInfo.outputPath(`${name}.png`) });
  await testInfo.attach(name, { body, contentType: "image/png" });
}

test.beforeAll(async ({ baseURL }) => {
  const events = seedEvents(Date.now());
  const { accepted } = await ingest(baseURL!, events);
  expect(accepted).toBe(events.length);
  // Rollups follow within about a second of the acknowledgement.
  await expect
    .poll(async () => (await api<Summary>(baseURL!, "/api/v1/metrics/summary", { range: "7d", agent: AGENT })).requests, { timeout: 10_000 })
    .toBe(events.length);
});

test("the overview's p95 and cost equal the metrics API's", async ({ signedInPage: page, baseURL }, testInfo) => {
  await page.goto(`/p/${E2E_PROJECT}/overview?range=7d&agent=${AGENT}`);
  const summary = await api<Summary>(baseURL!, "/api/v1/metrics/summary", { range: "7d", agent: AGENT });
  await expect(page.getByTestId("kpi-latency-p95")).toHaveText(formatMs(summary.latencyMs.p95));
  await expect(page.getByTestId("kpi-cost")).toHaveText(formatUsd(summary.costUsd));
  await expect(page.getByTestId("kpi-requests")).toHaveText(formatCount(summary.requests));
  await expect(page.getByTestId("chart-latency").locator("[data-state]")).toHaveAttribute("data-state", "ready");
  await expect(page.getByTestId("count-total")).not.toHaveText("0");
  await shot(page, testInfo, "overview");
});

test("changing the range and the model filter updates the charts", async ({ signedInPage: page, baseURL }, testInfo) => {
  await page.goto(`/p/${E2E_PROJECT}/overview?range=7d&agent=${AGENT}`);
  const throughput = page.getByTestId("chart-throughput").locator("[data-state]");
  await expect(throughput).toHaveAttribute("data-state", "ready");
  const week = { rows: await throughput.getAttribute("data-rows"), sum: Number(await throughput.getAttribute("data-sum")) };
  expect(week.sum).toBe(240);

  await page.getByTestId("range-24h").click();
  // 24h is the default, so the URL drops the parameter rather than spelling it out.
  await expect(page).not.toHaveURL(/range=/);
  await expect(page.getByTestId("range-24h")).toHaveAttribute("aria-pressed", "true");
  await expect(throughput).not.toHaveAttribute("data-rows", week.rows!);
  const day = await api<Summary>(baseURL!, "/api/v1/metrics/summary", { range: "24h", agent: AGENT });
  await expect(throughput).toHaveAttribute("data-sum", String(day.requests));
  expect(day.requests).toBeLessThan(240);

  await page.getByTestId("filter-model").selectOption("claude-haiku-4-5");
  await expect(page).toHaveURL(/model=claude-haiku-4-5/);
  const haiku = await api<Summary>(baseURL!, "/api/v1/metrics/summary", { range: "24h", agent: AGENT, model: "claude-haiku-4-5" });
  await expect(throughput).toHaveAttribute("data-sum", String(haiku.requests));
  await expect(page.getByTestId("chart-cost").locator("[data-state]")).toHaveAttribute("data-series", "claude-haiku-4-5");
  await expect(page.getByTestId("kpi-cost")).toHaveText(formatUsd(haiku.costUsd));
  await shot(page, testInfo, "overview-filtered");
});

test("the models page ranks models with their figures", async ({ signedInPage: page }, testInfo) => {
  await page.goto(`/p/${E2E_PROJECT}/models?range=7d&agent=${AGENT}`);
  await expect(page.getByTestId("model-row")).toHaveCount(3);
  await page.getByTestId("sort-requests").click();
  await expect(page).toHaveURL(/sort=requests/);
  await expect(page.getByTestId("model-row").first()).toContainText(/\d/);
  await shot(page, testInfo, "models");
});

test("the cache page shows the response cache by route", async ({ signedInPage: page }, testInfo) => {
  await page.goto(`/p/${E2E_PROJECT}/cache?range=7d&agent=${AGENT}`);
  await expect(page.getByTestId("cache-route-row").filter({ hasText: "support" })).toBeVisible();
  await expect(page.getByTestId("rc-hit-rate")).toHaveText("50.0%");
  await shot(page, testInfo, "cache");
});

test("the events page pages through events, opens one, and exports the filtered list", async ({ signedInPage: page }, testInfo) => {
  await page.goto(`/p/${E2E_PROJECT}/events?range=7d&agent=${AGENT}`);
  await expect(page.getByTestId("event-row")).toHaveCount(50);
  await page.getByTestId("load-more").click();
  await expect(page.getByTestId("event-row")).toHaveCount(100);
  const first = page.getByTestId("event-row").first();
  const id = await first.getAttribute("data-event-id");
  await first.click();
  await expect(page).toHaveURL(new RegExp(`event=${id}`));
  await expect(page.getByTestId("event-detail")).toContainText(AGENT);
  await shot(page, testInfo, "events");

  const href = await page.getByTestId("export-csv").getAttribute("href");
  const csv = await page.request.get(href!);
  expect(csv.headers()["content-type"]).toMatch(/text\/csv/);
  const lines = (await csv.text()).trimEnd().split("\r\n");
  expect(lines[0]).toMatch(/^timestamp,id,kind,model/);
  expect(lines).toHaveLength(241);
});

test("a price change offers to recompute stored costs, with progress, and the overview follows", async ({ signedInPage: page, baseURL }, testInfo) => {
  const before = await api<Summary>(baseURL!, "/api/v1/metrics/summary", { range: "7d", agent: AGENT, model: "e2e-dash-model" });
  expect(before.costUsd).toBe(0); // no price yet

  await page.goto(`/p/${E2E_PROJECT}/pricing`);
  await page.getByTestId("add-price").click();
  await page.getByLabel("Model", { exact: true }).fill("e2e-dash-model");
  const weekAgo = new Date(Date.now() - 8 * 86_400_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await page.getByLabel("Effective from").fill(weekAgo);
  for (const [key, value] of [["inputPerMTok", "2"], ["cacheWrite5mPerMTok", "2.5"], ["cacheWrite1hPerMTok", "4"], ["cacheReadPerMTok", "0.2"], ["outputPerMTok", "10"]]) {
    await page.getByTestId(`price-${key}`).fill(value!);
  }
  await page.getByTestId("save-price").click();
  await expect(page.getByTestId("recompute-offer")).toBeVisible();
  await expect(page.getByTestId("price-row").filter({ hasText: "e2e-dash-model" })).toBeVisible();
  await page.getByTestId("start-recompute").click();
  await expect(page.getByTestId("recompute-job")).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  await shot(page, testInfo, "pricing");

  await expect
    .poll(async () => (await api<Summary>(baseURL!, "/api/v1/metrics/summary", { range: "7d", agent: AGENT, model: "e2e-dash-model" })).costUsd, { timeout: 10_000 })
    .toBeGreaterThan(0);
  const after = await api<Summary>(baseURL!, "/api/v1/metrics/summary", { range: "7d", agent: AGENT, model: "e2e-dash-model" });
  await page.goto(`/p/${E2E_PROJECT}/overview?range=7d&agent=${AGENT}&model=e2e-dash-model`);
  await expect(page.getByTestId("kpi-cost")).toHaveText(formatUsd(after.costUsd));
});

test("the pricing page marks in force exactly the rows costs use: a newer flat rate retires an older long-context tier", async ({ signedInPage: page }, testInfo) => {
  const model = `e2e-force-${Date.now().toString(36)}`;
  const local = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await page.goto(`/p/${E2E_PROJECT}/pricing?q=${model}`);
  for (const [daysAgo, tier, input] of [[10, "0", "1"], [10, "200001", "2"], [2, "0", "3"]] as const) {
    await page.getByTestId("add-price").click();
    await page.getByLabel("Model", { exact: true }).fill(model);
    await page.getByLabel("Effective from").fill(local(daysAgo));
    await page.getByLabel("Min prompt tokens").fill(tier);
    for (const key of ["inputPerMTok", "cacheWrite5mPerMTok", "cacheWrite1hPerMTok", "cacheReadPerMTok", "outputPerMTok"]) await page.getByTestId(`price-${key}`).fill(input);
    await page.getByTestId("save-price").click();
    await expect(page.getByTestId("price-form")).toBeHidden();
  }
  const rows = page.getByTestId("price-row").filter({ hasText: model });
  await expect(rows).toHaveCount(3);
  // Every prompt reaches the newest date's tier 0, so PriceBook never reaches the older tiers.
  await expect(rows.filter({ hasText: "in force" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "in force" })).toContainText("$3.00");
  await expect(rows.filter({ hasText: "≥ 200,001" })).not.toContainText("in force");
  await shot(page, testInfo, "pricing-in-force");
});
