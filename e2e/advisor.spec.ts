import type { Browser, Page } from "@playwright/test";
import { expect, ingest, test } from "./fixtures";
import { APP_URL, E2E_PROJECT } from "./env";

/**
 * The advisor journey as a user runs it: recorded traffic in, the advisor page, the findings
 * card (with its progress and Cancel), a what-if replay with its trust, a failing candidate named
 * by field, the plan and Apply phase creating a draft the policy editor opens, and a viewer who
 * sees it all read-only.
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

const CHAT = "e2e-advisor-chat";

/** 6 sessions of 8 turns whose prompt grows 3,000 tokens a turn (1K … 22K): a context-growth finding. */
function growingSessions(): Record<string, unknown>[] {
  const now = Date.now();
  return Array.from({ length: 48 }, (_, i) => {
    const session = Math.floor(i / 8);
    const turn = i % 8;
    return {
      id: `adv-chat-${now}-${i}`,
      timestamp: new Date(now - 25 * 60_000 + session * 120_000 + turn * 15_000).toISOString(),
      route: CHAT,
      sessionId: `adv-chat-${now}-s${session}`,
      model: "claude-sonnet-4-5",
      latencyMs: 1200 + turn * 100,
      ttftMs: 400 + turn * 100,
      streamed: true,
      inputTokens: 1000 + 3000 * turn,
      outputTokens: 80,
      promptHash: `adv-chat-p-${now}-${i}`,
      messageCount: 1 + 2 * turn,
      toolCount: 0,
      responseCache: "none",
    };
  });
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
    await ingest(APP_URL, [...traffic(), ...growingSessions()]);
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

  test("Refresh analyses the window up to now, the calls recorded since included", async ({ signedInPage: page }) => {
    await page.goto(ADVISOR);
    const summary = page.getByTestId("advisor-findings-summary");
    await expect(summary).toBeVisible({ timeout: 30_000 });
    const requests = async () => Number(/over ([\d,]+) requests/.exec((await summary.textContent()) ?? "")?.[1]?.replace(/,/g, "") ?? NaN);
    const before = await requests();
    expect(before).toBeGreaterThan(0);
    const now = Date.now();
    await ingest(
      APP_URL,
      Array.from({ length: 12 }, (_, i) => ({ id: `adv-refresh-${now}-${i}`, timestamp: new Date(now - 5_000 + i * 100).toISOString(), route: ROUTE, model: "claude-sonnet-4-5", latencyMs: 900, inputTokens: 500, outputTokens: 50 })),
    );
    // The server moves its kept window forward (only its last minutes and the new part are read); the count must be the whole window's.
    await expect
      .poll(
        async () => {
          await page.getByTestId("advisor-refresh").click();
          await expect(summary).toBeVisible({ timeout: 30_000 });
          return requests();
        },
        { timeout: 30_000, intervals: [500, 1000, 2000] },
      )
      .toBe(before + 12);
  });

  test("shows the findings' progress with a Cancel that leaves nothing behind, and Retry brings them", async ({ signedInPage: page }) => {
    // Hold the findings request in the browser so the analysis is still running when Cancel is clicked.
    const accepts: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(/\/api\/v1\/advisor\/findings\?/, async (route) => {
      accepts.push(route.request().headers()["accept"] ?? "");
      await held;
      await route.continue().catch(() => undefined);
    });
    await page.goto(ADVISOR);
    const card = page.getByTestId("advisor-findings");
    const progress = card.getByTestId("findings-progress");
    await expect(progress).toBeVisible();
    await expect(progress.getByRole("progressbar")).toBeVisible();
    // The page asks for the NDJSON progress stream, not the plain JSON answer.
    expect(accepts[0]).toContain("application/x-ndjson");
    await progress.getByRole("button", { name: "Cancel" }).click();
    await expect(card.getByTestId("findings-cancelled")).toContainText("Cancelled: nothing was saved.");
    await expect(progress).toBeHidden();
    await expect(card.getByTestId("findings-list").locator("li")).toHaveCount(0);
    await page.unroute(/\/api\/v1\/advisor\/findings\?/);
    release();
    // Keyboard: the focus is on Retry once Cancel's button has gone.
    await expect(card.getByRole("button", { name: "Retry" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(card.getByTestId("finding-response_cache").filter({ hasText: ROUTE })).toBeVisible({ timeout: 30_000 });
    await expect(card.getByTestId("findings-cancelled")).toBeHidden();
    await expect(card.getByTestId("advisor-findings-summary")).toContainText(/\d+ findings? over \d+ requests/);
  });

  test("prices a sliding window and a summary at N turns for growing sessions", async ({ signedInPage: page }) => {
    await page.goto(ADVISOR);
    const growth = page.getByTestId("findings-list").getByTestId("finding-context_growth").filter({ hasText: CHAT });
    await expect(growth).toBeVisible({ timeout: 30_000 });
    // Sessions of 8 turns: N = 4, S = the median growth of 3,000 tokens. Of 92K tokens a session, the
    // window saves 0 + 3K + 6K + 9K on turns 4..7 and the summary 4 x (prompt(3) - prompt(0) - S) = 4 x 6K.
    await expect(growth).toContainText("Keep a sliding window of the last 4 turns: 20% of these sessions' input tokens would not be sent");
    await expect(growth).toContainText("Or, after 4 turns, replace the history so far with a ~3,000-token summary: 26%");
    await growth.getByTestId("finding-evidence-toggle").click();
    const options = growth.getByTestId("finding-context-options");
    await expect(options.locator("tbody tr")).toHaveCount(2);
    await expect(options.locator("tbody tr").nth(0)).toContainText("Sliding window of 4 turns");
    await expect(options.locator("tbody tr").nth(0)).toContainText("108k (19.6%)");
    await expect(options.locator("tbody tr").nth(1)).toContainText("Summary at 4 turns");
    await expect(options.locator("tbody tr").nth(1)).toContainText("~3,000-token summary");
    await expect(options.locator("tbody tr").nth(1)).toContainText("144k (26.1%)");
  });

  test("Apply phase from the plan creates a draft version the policy editor opens, with the finding linked", async ({ signedInPage: page }) => {
    await page.goto(ADVISOR);
    await expect(page.getByTestId("finding-response_cache").filter({ hasText: ROUTE })).toBeVisible({ timeout: 30_000 });
    await page.getByRole("button", { name: "Make the plan" }).click();
    const plan = page.getByTestId("advisor-plan");
    const phase = plan.getByTestId("phase-response_cache");
    await expect(phase).toBeVisible({ timeout: 60_000 });
    await expect(phase.getByTestId("phase-response_cache-projection")).toContainText("After this phase (cumulative)");
    const apply = phase.getByRole("button", { name: "Apply phase" });
    await expect(apply).toBeEnabled();
    await apply.click();
    const applied = phase.getByTestId("phase-response_cache-applied");
    await expect(applied).toContainText(/Saved as draft cache version \d+, not live yet\./);
    await expect(phase.getByTestId("phase-response_cache-apply")).toBeDisabled();
    const version = /version (\d+)/.exec((await applied.textContent()) ?? "")![1]!;
    // Keyboard: the focus moves from the now disabled button to the editor link; Enter follows it.
    await expect(applied.getByRole("link", { name: "Open it in the policy editor" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`/p/${E2E_PROJECT}/policies\\?kind=cache&draft=${version}$`));
    const draft = page.getByTestId("policy-open-draft");
    await expect(draft).toContainText(`Draft version ${version} (saved, not live)`);
    await expect(draft).toContainText(`for response_cache on ${ROUTE}`);
    await expect(page.getByTestId("policy-activate-draft")).toHaveText(`Make version ${version} live`);
    // The finding is linked in the draft's message: it leads back to the finding on the advisor page.
    await draft.getByTestId("policy-draft-finding-link").click();
    await expect(page).toHaveURL(new RegExp(`${ADVISOR}#finding-response_cache$`));
    await expect(page.locator("#finding-response_cache")).toBeInViewport({ timeout: 30_000 });
  });

  test("a viewer sees the advisor read-only: the plan without an enabled Apply, and applying answers 403", async ({ signedInPage: admin, browser }) => {
    await admin.goto(ADVISOR);
    const viewer = await viewerPage(browser, admin);
    await viewer.goto(ADVISOR);
    await expect(viewer.getByTestId("advisor-readonly")).toContainText("read-only: viewer");
    await expect(viewer.getByTestId("finding-response_cache").filter({ hasText: ROUTE })).toBeVisible({ timeout: 30_000 });
    await viewer.getByRole("button", { name: "Make the plan" }).click();
    const phase = viewer.getByTestId("advisor-plan").getByTestId("phase-response_cache");
    await expect(phase).toBeVisible({ timeout: 60_000 });
    await expect(phase.getByTestId("phase-response_cache-apply")).toBeDisabled();
    await expect(phase).toContainText("Editors can apply a phase.");
    const status = await viewer.evaluate(async (project) => {
      const res = await fetch(`/api/v1/advisor/plan/apply?project=${project}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({}) });
      return res.status;
    }, E2E_PROJECT);
    expect(status).toBe(403);
  });
});
