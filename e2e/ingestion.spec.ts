import { test, expect, ingest } from "./fixtures";
import { APP_URL, E2E_KEY, E2E_PROJECT } from "./env";

/**
 * The Foundation path end to end: an agent posts a batch to the ingestion API of the running
 * server and the operator sees the project's event counts change.
 */
test("ingested events show up in the project's event counts", async ({ signedInPage: page }) => {
  await page.goto(`/p/${E2E_PROJECT}/settings`);
  // No ANTHROPIC_API_KEY in the e2e server: the UI says the gateway runs on the simulator.
  await expect(page.getByTestId("upstream-badge")).toHaveText("Simulated upstream");
  const total = page.getByTestId("count-total");
  const before = Number((await total.textContent())!.replace(/,/g, ""));

  const now = Date.now();
  const events = Array.from({ length: 25 }, (_, i) => ({
    id: `e2e-ingest-${now}-${i}`,
    timestamp: new Date(now - i * 1000).toISOString(),
    agent: "e2e-agent",
    route: "e2e-route",
    model: "claude-haiku-4-5-20251001",
    latencyMs: 300 + i,
    inputTokens: 100,
    outputTokens: 20,
  }));
  expect((await ingest(APP_URL, events)).accepted).toBe(25);

  // One bad event among good ones: 207, the good ones stored, the bad index named.
  const res = await fetch(`${APP_URL}/api/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${E2E_KEY}` },
    body: JSON.stringify({ events: [{ ...events[0], id: `e2e-ingest-${now}-ok` }, { ...events[0], id: `e2e-ingest-${now}-bad`, latencyMs: -1 }] }),
  });
  expect(res.status).toBe(207);
  const body = (await res.json()) as { accepted: number; rejected: { index: number }[] };
  expect(body.accepted).toBe(1);
  expect(body.rejected[0]!.index).toBe(1);

  await page.reload();
  await expect(total).toHaveText((before + 26).toLocaleString("en-US"));
});

test("the health endpoint answers liveness to anyone and the details to a metrics:read key", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ status: "ok" });
  const detailed = await request.get("/api/health", { headers: { authorization: `Bearer ${E2E_KEY}` } });
  expect(await detailed.json()).toMatchObject({ status: "ok", db: process.env.E2E_DATABASE_URL ? "postgres" : "pglite" });
});
