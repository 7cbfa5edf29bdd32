import type { Page, TestInfo } from "@playwright/test";
import { E2E_PROJECT } from "./env";
import { expect, ingest, test } from "./fixtures";

/**
 * Charts on a fresh install: the first hour of traffic is one bucket of a 24 h chart, and a line
 * needs two neighbouring values to draw anything. Each chart is checked with one point, two
 * neighbouring points, points split by gaps, and a one-bucket range; a screenshot of each is kept.
 */
test.describe.configure({ mode: "serial" });

const HOUR = 3_600_000;
const RUN = Date.now().toString(36);
const ONE = `sparse1-${RUN}`;
const TWO = `sparse2-${RUN}`;
const GAPS = `sparseg-${RUN}`;
const now = Date.now();
const hourStart = Math.floor(now / HOUR) * HOUR;
// The current bucket (a second ago) or a whole bucket k hours back.
const inBucket = (k: number) => new Date(k === 0 ? now - 1000 : hourStart - k * HOUR + 60_000).toISOString();

function events(agent: string, buckets: number[]): Record<string, unknown>[] {
  return buckets.flatMap((k, b) =>
    [0, 1, 2].map((i) => ({
      id: `${agent}-${b}-${i}`,
      timestamp: inBucket(k),
      model: "claude-sonnet-4-5",
      agent,
      latencyMs: 400 + 100 * i,
      ttftMs: 120 + 10 * i,
      streamed: true,
      inputTokens: 1000,
      outputTokens: 50,
      cacheReadTokens: 500,
      responseCache: i === 0 ? "hit" : "miss",
    })),
  );
}

async function shot(page: Page, testInfo: TestInfo, name: string) {
  const body = await page.screenshot({ fullPage: true, path: testInfo.outputPath(`${name}.png`) });
  await testInfo.attach(name, { body, contentType: "image/png" });
}

/** How many lone-value dots and drawn line segments a chart shows. */
async function lineMarks(page: Page, chart: string) {
  const card = page.getByTestId(chart);
  await expect(card.locator("[data-state=ready]")).toBeVisible();
  const dots = await card.getByTestId("isolated-point").count();
  const paths = await card.locator("path.recharts-line-curve").evaluateAll((ps) => ps.filter((p) => /L/.test(p.getAttribute("d") ?? "")).length);
  return { dots, paths };
}

test.beforeAll(async ({ baseURL }) => {
  const all = [...events(ONE, [0]), ...events(TWO, [0, 1]), ...events(GAPS, [1, 3, 4, 6])];
  expect((await ingest(baseURL!, all)).accepted).toBe(all.length);
});

test("one hour of traffic on the default 24 h range draws a dot on every line chart and the models trend", async ({ signedInPage: page }, testInfo) => {
  await page.goto(`/p/${E2E_PROJECT}/overview?agent=${ONE}`);
  await expect(page.getByTestId("kpi-requests")).toContainText("3");
  // p50, p95 and p99: one dot each, no segment.
  await expect.poll(() => lineMarks(page, "chart-latency")).toEqual({ dots: 3, paths: 0 });
  expect(await lineMarks(page, "chart-ttft")).toEqual({ dots: 3, paths: 0 });
  expect(await lineMarks(page, "chart-cache")).toEqual({ dots: 2, paths: 0 });
  await expect(page.getByTestId("chart-throughput").locator(".recharts-bar-rectangle path").first()).toBeVisible();
  await shot(page, testInfo, "overview-one-point");

  await page.goto(`/p/${E2E_PROJECT}/models?agent=${ONE}`);
  await expect(page.getByTestId("p95-trend").getByTestId("isolated-point")).toHaveCount(1);
  await shot(page, testInfo, "models-one-point");
});

test("two neighbouring hours draw a line and no dot", async ({ signedInPage: page }, testInfo) => {
  await page.goto(`/p/${E2E_PROJECT}/overview?agent=${TWO}`);
  await expect.poll(() => lineMarks(page, "chart-latency")).toEqual({ dots: 0, paths: 3 });
  expect(await lineMarks(page, "chart-cache")).toEqual({ dots: 0, paths: 2 });
  await page.goto(`/p/${E2E_PROJECT}/models?agent=${TWO}`);
  await expect(page.getByTestId("p95-trend").locator("path.recharts-line-curve")).toHaveAttribute("d", /L/);
  await expect(page.getByTestId("p95-trend").getByTestId("isolated-point")).toHaveCount(0);
  await shot(page, testInfo, "models-two-points");
});

test("values split by gaps: lone values get dots, neighbours a segment, gaps stay gaps", async ({ signedInPage: page }, testInfo) => {
  await page.goto(`/p/${E2E_PROJECT}/overview?agent=${GAPS}`);
  // Buckets 6, 4-3, 1 hours back: two lone values and one pair, per series.
  await expect.poll(() => lineMarks(page, "chart-latency")).toEqual({ dots: 6, paths: 3 });
  await shot(page, testInfo, "overview-gaps");
});

test("a one-bucket range puts its point and bars in the middle of the axis", async ({ signedInPage: page }, testInfo) => {
  const from = new Date(hourStart - HOUR + 60_000).toISOString();
  const to = new Date(hourStart - HOUR + 120_000).toISOString();
  await page.goto(`/p/${E2E_PROJECT}/overview?agent=${GAPS}&range=custom&from=${from}&to=${to}`);
  await expect.poll(() => lineMarks(page, "chart-latency")).toEqual({ dots: 3, paths: 0 });
  const card = page.getByTestId("chart-latency");
  const plot = await card.locator(".recharts-cartesian-grid").boundingBox();
  const dot = await card.getByTestId("isolated-point").first().boundingBox();
  expect(plot && dot).toBeTruthy();
  const centre = dot!.x + dot!.width / 2;
  expect(Math.abs(centre - (plot!.x + plot!.width / 2))).toBeLessThan(plot!.width * 0.1);
  await expect(page.getByTestId("chart-throughput").locator(".recharts-bar-rectangle path").first()).toBeVisible();
  await shot(page, testInfo, "overview-one-bucket");
});
