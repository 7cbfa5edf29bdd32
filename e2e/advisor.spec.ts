import type { Browser, Page } from "@playwright/test";
import { expect, ingest, test } from "./fixtures";
import { APP_URL, E2E_PROJECT } from "./env";

/**
 * The advisor journey as a user runs it: recorded traffic in, the advisor page, the findings
 * card, a what-if replay with its trust, a failing candidate named by field, Apply phase creating
 * a draft the policy editor opens, and a viewer who sees it all read-only.
 */
const ADVISOR = `/p/${E2E_PROJECT}/advisor`;
const ROUTE = "e2e-advisor-faq";

/** 90 calls in the last half hour: a third repeat an earlier prompt, all with a 6K system prompt. */
function traffic(): Record<string, unknown>[] {
  const now = Date.now();
  return Array.from({ length: 90 }, (_, i) => ({
    id: `adv-${now}-${i}`,
    timestamp: new Date(now - 30 * 60_000 + i * 15_000).toISOString(),
    route: ROUTE,
    model: "claude-sonnet-4-5",
    latencyMs: 900 + ((i * 37) % 400) + (i % 10) * 50,
    streamed: false,
    inputTokens: 6000 + (i % 7) * 300,
    outputTokens: 120 + (i % 5) * 30,
    promptHash: `adv-p-${i % 3 === 2 ? i - 2 : i}`,
    systemHash: "adv-system",
    systemTokens: 6000,
    messageCount: 1,
    toolCount: 0,
    responseCache: "none",
  }));
}

async function viewerPage(browser: Browser, admin: Page): Promise<Page> {
  const url = await admin.evaluate(async (project) => {
    const res = await fetch(`/api/v1/members/invites?project=${project}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ role: "viewer" }) });
    return ((await res.json()) as { url: string }).url;
  }, E2E_PROJECT);
  const context = await browser.newContext({ baseURL: new URL(admin.url()).origin });
  const page = await context.newPage();
  await page.goto(new URL(url).pathname);
  await page.getByLabel("Your name").fill("Ada Viewer");
  await page.getByLabel("Email").fill(`advisor-viewer-${Date.now()}@e2e.test`);
  await page.getByLabel("Password", { exact: true }).fill("viewer-password-123");
  await page.getByLabel("Confirm password").fill("viewer-password-123");
  await page.getByRole("button", { name: /create account and join/i }).click();
  await expect(page).toHaveURL(/\/p\/[^/]+\//);
  return page;
}

test.describe.serial("advisor", () => {
  test.beforeAll(async () => {
    await ingest(APP_URL, traffic());
  });

  test("replays a candidate cache policy next to its backtest, and names a failing field", async ({ signedInPage: page }) => {
    await page.goto(`/p/${E2E_PROJECT}/overview`);
    await page.getByRole("link", { name: "Advisor" }).click();
    await expect(page).toHaveURL(new RegExp(`${ADVISOR}$`));
    await expect(page.getByTestId("advisor-findings")).toBeVisible();

    const replay = page.getByTestId("advisor-replay");
    await replay.getByTestId("replay-cache").fill(JSON.stringify({ rules: [{ id: "faq", match: { route: ROUTE }, ttlSec: 3600 }] }));
    await replay.getByTestId("replay-run").click();
    await expect(replay.getByTestId("replay-result")).toBeVisible({ timeout: 30_000 });
    // A third of the calls repeat within the hour: the candidate's predicted hit rate shows it.
    await expect(replay.getByTestId("replay-overall-predicted-responseCacheHitRate")).not.toHaveText("0.0%");
    await expect(replay.getByTestId("replay-overall")).toContainText(/±\d+\.\d%/);

    await replay.getByTestId("replay-cache").fill(JSON.stringify({ default: { ttlSec: -1 } }));
    await expect(replay.getByTestId("replay-invalid")).toContainText("cache.default.ttlSec");
    await expect(replay.getByTestId("replay-run")).toBeDisabled();
  });

  test("lists the findings ranked with their evidence, the TTL curve and links to the events view", async ({ signedInPage: page }) => {
    await page.goto(ADVISOR);
    const list = page.getByTestId("findings-list");
    const cache = list.getByTestId("finding-response_cache").filter({ hasText: ROUTE });
    await expect(cache).toBeVisible({ timeout: 30_000 });
    // A third of the calls repeat an earlier prompt.
    await expect(cache).toContainText("33% of e2e-advisor-faq requests repeat an earlier prompt exactly");
    await expect(cache).toContainText(/confidence/);
    await cache.getByTestId("finding-evidence-toggle").click();
    const evidence = cache.getByTestId("finding-evidence");
    await expect(evidence.getByTestId("findings-ttl-chart")).toBeVisible();
    await expect(evidence.getByTestId("findings-gap-histogram")).toBeVisible();
    await expect(evidence.locator("svg").first()).toBeVisible();
    // Keyboard: the toggle closes again from the keyboard.
    await cache.getByTestId("finding-evidence-toggle").focus();
    await page.keyboard.press("Enter");
    await expect(evidence).toBeHidden();
    await cache.getByTestId("finding-evidence-toggle").click();
    await cache.getByTestId("finding-evidence").getByRole("link").first().click();
    await expect(page).toHaveURL(new RegExp(`/p/${E2E_PROJECT}/events\\?event=adv-`));
  });

  test("Apply phase creates a draft version the policy editor opens, with the finding linked", async ({ signedInPage: page }) => {
    await page.goto(ADVISOR);
    const document = { rules: [{ id: "advisor-cache-faq", match: { route: ROUTE }, ttlSec: 3600 }] };
    const answer = await page.evaluate(
      async ([project, doc]) => {
        const replay = await (await fetch(`/api/v1/advisor/replay?project=${project}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ cache: doc }) })).json();
        const res = await fetch(`/api/v1/advisor/plan/apply?project=${project}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            phase: "response_cache",
            title: "Cache exact repeats",
            kind: "cache",
            document: doc,
            finding: { kind: "response_cache", routes: ["e2e-advisor-faq"], title: "a third of the calls repeat" },
            predicted: replay.overall.predicted,
            baseline: replay.overall.measured,
            backtestError: replay.overall.backtestError,
          }),
        });
        return { status: res.status, body: await res.json() };
      },
      [E2E_PROJECT, document] as const,
    );
    expect(answer.status).toBe(201);
    await page.goto(answer.body.editorUrl);
    await expect(page.getByTestId("policy-open-draft")).toContainText(`Draft version ${answer.body.version} (saved, not live)`);
    await expect(page.getByTestId("policy-open-draft")).toContainText(`/p/${E2E_PROJECT}/advisor#finding-response_cache`);
    await expect(page.getByTestId("policy-activate-draft")).toBeVisible();
  });

  test("a viewer sees the advisor read-only and applying a phase answers 403", async ({ signedInPage: admin, browser }) => {
    await admin.goto(ADVISOR);
    const viewer = await viewerPage(browser, admin);
    await viewer.goto(ADVISOR);
    await expect(viewer.getByTestId("advisor-readonly")).toContainText("read-only: viewer");
    const status = await viewer.evaluate(async (project) => {
      const res = await fetch(`/api/v1/advisor/plan/apply?project=${project}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({}) });
      return res.status;
    }, E2E_PROJECT);
    expect(status).toBe(403);
  });
});
