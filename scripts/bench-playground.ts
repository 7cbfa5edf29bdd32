/**
 * `npm run bench:playground`: the playground's three figures, measured in Chromium against a real
 * Pitwall server whose in-process simulator answers at a fixed latency.
 *
 * 1. TTFT agreement: the TTFT a pane shows (gateway elapsed at the head + what the browser saw from
 *    head to first delta) against the TTFT the gateway recorded, per call; p95 of the difference.
 * 2. Responsiveness: four panes streaming ~200 tokens/s each. PerformanceObserver("longtask") gives
 *    the longest main-thread task; a MutationObserver counts DOM commits per animation frame (at
 *    most one per frame = paints batched per frame).
 * 3. Run x N at concurrency 8 in the page against the same calls made directly through the gateway
 *    from Node (official SDK, same bodies, same concurrency), in the same run.
 *
 * Needs a build: `PITWALL_NEXT_DIST_DIR=.next-e2e npx next build` (or `npm run build`, dist .next).
 * Options: --port 3463  --dist .next-e2e  --calls 20 (figure 1)  --n 50 (figure 3, per pane)
 *          --screenshot public/playground.png (on a second server, port + 1, with the per-model
 *          latency profiles; "" skips it)  --only 1,2,3  --trace file.json (figure 2)  --delta-ms 10
 *          --rounds 3 (figure 3: page and direct take turns; the median ratio is printed)
 *          --cpu-prof dir (the benchmark server runs under node --cpu-prof, profiles written there)
 *          --trace3 file.json (a Chromium trace of figure 3's first page run, summarized here)
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os, { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import Anthropic from "@anthropic-ai/sdk";
import { chromium, type Browser, type Page } from "@playwright/test";
import { buildPaneCall } from "../lib/playground/build-request";
import { ExperimentConfig, type ExperimentConfigInput } from "../lib/playground/config-schema";
import { encodeConfig } from "../lib/playground/url-state";
import { fmt, percentile, runPool } from "./bench/stats";

const { values: opts } = parseArgs({
  options: {
    port: { type: "string", default: "3463" },
    dist: { type: "string", default: process.env.PITWALL_NEXT_DIST_DIR ?? ".next-e2e" },
    calls: { type: "string", default: "20" },
    n: { type: "string", default: "50" },
    screenshot: { type: "string", default: "public/playground.png" },
    // Which figures to measure (e.g. --only 2), and a Chromium trace of figure 2 (summarized here).
    only: { type: "string", default: "1,2,3" },
    trace: { type: "string" },
    "delta-ms": { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
    "cpu-prof": { type: "string" },
    trace3: { type: "string" },
  },
});
const ONLY = new Set(opts.only!.split(",").map((x) => Number(x.trim())));

const PORT = Number(opts.port);
const BASE = `http://127.0.0.1:${PORT}`;
const PROJECT = "bench";
const KEY = "pw_sk_benchpg0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const ADMIN = { email: "bench@pitwall.test", password: "bench-playground-pw-1" };
// Fixed simulator latency: first token after 50 ms, then a delta every --delta-ms. The simulator's
// deltas carry ~2.3 tokens (1-3 words), so 10 ms is ~230 tokens/s as sent; the rate each pane
// measured (tokens over first-to-last delta) is printed with figure 2.
const FIXED_MS = 50;
const DELTA_MS = Number(opts["delta-ms"]);

const loadNow = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} (${availableParallelism()} cores)`;

/** A Pitwall server on `port`; `simulator` env sets its in-process simulator's latency (none: the per-model profiles). */
async function startServer(port = PORT, simulator: Record<string, string> = { PITWALL_SIMULATOR_FIXED_LATENCY_MS: String(FIXED_MS), PITWALL_SIMULATOR_DELTA_INTERVAL_MS: String(DELTA_MS) }): Promise<() => Promise<void>> {
  const base = `http://127.0.0.1:${port}`;
  if (!existsSync(path.join(opts.dist!, "BUILD_ID"))) throw new Error(`No Next build in ${opts.dist}: run PITWALL_NEXT_DIST_DIR=${opts.dist} npx next build first.`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "pitwall-bench-playground-"));
  const child = spawn(process.execPath, [...(opts["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${opts["cpu-prof"]}`] : []), "--import", "tsx", "server.ts"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: "",
      PITWALL_DATA_DIR: dataDir,
      PITWALL_NEXT_DIST_DIR: opts.dist,
      PITWALL_INIT_PROJECT: PROJECT,
      PITWALL_INIT_API_KEY: KEY,
      PITWALL_INIT_ADMIN_EMAIL: ADMIN.email,
      PITWALL_INIT_ADMIN_PASSWORD: ADMIN.password,
      PITWALL_DEMO_TRAFFIC: "0",
      PITWALL_SIMULATOR_FIXED_LATENCY_MS: "",
      PITWALL_SIMULATOR_DELTA_INTERVAL_MS: "",
      ...simulator,
      ANTHROPIC_API_KEY: "",
      PITWALL_UPSTREAM_URL: "",
      LOG_LEVEL: "warn",
    },
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error("the server did not start in 120 s");
    await new Promise((r) => setTimeout(r, 250));
  }
  let stopped: Promise<void> | undefined;
  return () =>
    (stopped ??= (async () => {
      const exited = child.exitCode === null ? new Promise((r) => child.once("exit", r)) : Promise.resolve();
      child.kill("SIGTERM");
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    })());
}

const pane = (name: string, model: string, maxTokens: number) => ({ name, model, maxTokens, target: { kind: "model" as const }, system: "", promptCaching: "off" as const, responseCacheTtlSec: 0, tools: "" });
const config = (panes: ReturnType<typeof pane>[], prompt = "Explain in detail how the gateway routes, caches and records each call."): ExperimentConfigInput => ({ panes, prompt, history: [], sync: {} });

async function signIn(page: Page, base = BASE): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.waitForURL(/\/p\/[^/]+\//);
}

async function openPlayground(page: Page, c: ExperimentConfigInput, base = BASE): Promise<void> {
  await page.goto(`${base}/p/${PROJECT}/playground?c=${encodeConfig(c)}`);
  await page.locator("[data-pane]").first().waitFor();
  await page.getByLabel("Confirmation threshold").fill("1000000");
}

async function waitRecorded(page: Page, panes: string[]): Promise<void> {
  for (const name of panes) await page.locator(`[data-pane="${name}"]`).getByText(/recorded as gw_/).waitFor({ timeout: 60_000 });
}

async function figureTtft(page: Page): Promise<void> {
  const c = config([pane("A", "claude-haiku-4-5", 32), pane("B", "claude-sonnet-4-6", 32)]);
  const diffs: number[] = [];
  const calls = Number(opts.calls);
  for (let i = 0; i < calls; i++) {
    await openPlayground(page, c);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await waitRecorded(page, ["A", "B"]);
    for (const name of ["A", "B"]) {
      const el = page.locator(`[data-pane="${name}"]`);
      const live = Number(await el.getAttribute("data-live-ttft"));
      const id = (await el.getByText(/recorded as gw_/).textContent())!.replace("recorded as ", "").trim();
      const recorded = await page.evaluate(async ([p, eventId]) => {
        const res = await fetch(`/api/v1/playground/calls?project=${p}&ids=${eventId}`);
        return ((await res.json()) as { calls: { ttftMs: number }[] }).calls[0]!.ttftMs;
      }, [PROJECT, id] as const);
      diffs.push(Math.abs(live - recorded));
    }
  }
  diffs.sort((a, b) => a - b);
  console.log(`1. TTFT shown vs recorded, ${diffs.length} calls: |diff| p50 ${fmt(percentile(diffs, 50), 2)} ms, p95 ${fmt(percentile(diffs, 95), 2)} ms, max ${fmt(diffs.at(-1)!, 2)} ms (target: p95 within 5 ms)`);
}

async function figureResponsiveness(page: Page): Promise<void> {
  const names = ["A", "B", "C", "D"];
  await openPlayground(page, config(names.map((n) => pane(n, "claude-sonnet-4-6", 600))));
  // A string, not a function: tsx's transpiled helpers (__name) do not exist in the page.
  await page.evaluate(`(() => {
    const b = { longest: 0, tasks: 0, commits: 0, frames: new Set(), multi: 0, frame: 0 };
    window.__bench = b;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) { b.longest = Math.max(b.longest, e.duration); b.tasks++; }
    }).observe({ type: "longtask", buffered: false });
    const tick = () => { b.frame++; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const perFrame = new Map();
    new MutationObserver(() => {
      b.commits++;
      const n = (perFrame.get(b.frame) ?? 0) + 1;
      perFrame.set(b.frame, n);
      if (n === 2) b.multi++;
      b.frames.add(b.frame);
    }).observe(document.querySelector("[data-pane]").parentElement, { subtree: true, childList: true, characterData: true });
  })()`);
  if (opts.trace) await page.context().browser()!.startTracing(page, { path: opts.trace, categories: ["devtools.timeline", "disabled-by-default-devtools.timeline"] });
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await waitRecorded(page, names);
  if (opts.trace) {
    await page.context().browser()!.stopTracing();
    await summarizeTrace(opts.trace);
  }
  const deltas = await Promise.all(names.map(async (n) => Number(await page.locator(`[data-pane="${n}"]`).getAttribute("data-deltas"))));
  const tokens = await Promise.all(names.map(async (n) => Number(await page.locator(`[data-pane="${n}"]`).getByTestId("pane-output-tokens").textContent())));
  const tps = await Promise.all(names.map(async (n) => Number(await page.locator(`[data-pane="${n}"]`).getByTestId("pane-tps").textContent())));
  const r = (await page.evaluate("({ longest: window.__bench.longest, tasks: window.__bench.tasks, commits: window.__bench.commits, frames: window.__bench.frames.size, multi: window.__bench.multi })")) as {
    longest: number;
    tasks: number;
    commits: number;
    frames: number;
    multi: number;
  };
  console.log(
    `   (${tokens.map((t, i) => `${t} tokens in ${deltas[i]} deltas`).join(", ")})\n` +
    `2. Four panes streaming (${tps.map((t) => `${t} tok/s`).join(", ")}): longest main-thread task ${r.tasks === 0 ? "none over 50 ms (no longtask entries)" : `${fmt(r.longest, 0)} ms (${r.tasks} long tasks)`}; ` +
      `${r.commits} DOM commits in ${r.frames} frames, ${r.multi} frames with more than one commit (target: longest task < 50 ms, paints batched per frame)`,
  );
}

async function figureRepeat(page: Page): Promise<void> {
  const n = Number(opts.n);
  const rounds = Number(opts.rounds);
  const c = config([pane("A", "claude-haiku-4-5", 32), pane("B", "claude-sonnet-4-6", 32)], "Name three ways to make an agent faster.");
  const parsed = ExperimentConfig.parse(c);
  const client = new Anthropic({ baseURL: `${BASE}/gateway`, apiKey: KEY, maxRetries: 0 });
  const jobs = Array.from({ length: n }, () => parsed.panes).flat();
  const ratios: number[] = [];
  // Page and direct take turns, so a machine whose load drifts weighs on both alike.
  for (let round = 1; round <= rounds; round++) {
    await openPlayground(page, c);
    await page.getByLabel("N", { exact: true }).fill(String(n));
    await page.getByLabel("Concurrency").fill("8");
    // The page marks when the run was saved, its last call ended and the run closed (one request,
    // use-playground-run.ts); read against the page's clock at the click.
    // The clock runs in the page, from the click to the frame after the one that painted the
    // finished summary: Playwright's waitFor polls every 500 ms once it has waited ~300 ms, which
    // put up to half a second of polling on the page's figure. The stop also reads the share link,
    // which must name the saved experiment and run.
    await page.evaluate(`(() => {
      performance.clearMarks();
      window.__runClick = 0;
      window.__summaryShown = 0;
      window.__summaryLink = null;
      let seen = false;
      const obs = new MutationObserver(() => {
        if (seen || !document.querySelector('[data-testid="run-summary"] [data-testid="verdict"]')) return;
        seen = true;
        obs.disconnect();
        requestAnimationFrame(() => setTimeout(() => {
          window.__summaryShown = performance.now();
          window.__summaryLink = document.querySelector('[data-testid="share-link"]')?.getAttribute("href") ?? null;
        }, 0));
      });
      obs.observe(document.body, { childList: true, subtree: true });
    })()`);
    await page.getByRole("button", { name: `Run x ${n}` }).evaluate((b) => b.addEventListener("click", () => ((window as unknown as { __runClick: number }).__runClick = performance.now()), { once: true }));
    const trace = round === 1 && opts.trace3;
    if (trace) await page.context().browser()!.startTracing(page, { path: trace, categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-v8.cpu_profiler"] });
    const t0 = performance.now();
    await page.getByRole("button", { name: `Run x ${n}` }).click();
    await page.getByTestId("run-summary").waitFor({ timeout: 300_000 });
    const seenMs = performance.now() - t0;
    await page.waitForFunction("window.__summaryShown > 0");
    const shown = (await page.evaluate("({ ms: window.__summaryShown - window.__runClick, link: window.__summaryLink })")) as { ms: number; link: string | null };
    if (!shown.link || !/experiment=exp_[^&]+&run=\d+/.test(shown.link)) throw new Error(`The summary was drawn without the saved experiment and run in its link: ${shown.link}`);
    const pageMs = shown.ms;
    if (trace) {
      await page.context().browser()!.stopTracing();
      await summarizeTrace(trace);
    }

    // The same calls straight through the gateway from Node: same bodies and hints, same concurrency.
    const t1 = performance.now();
    await runPool(jobs.length, 8, async (i) => {
      const call = buildPaneCall(parsed, jobs[i]!, { experimentId: "bench-direct", runId: "bench-direct" }, { repeat: true });
      const headers = Object.fromEntries(Object.entries(call.headers).filter(([k]) => k.startsWith("x-pitwall-") || k === "cache-control")) as Record<string, string>;
      const stream = client.messages.stream(call.body as unknown as Anthropic.MessageStreamParams, { headers });
      await stream.finalMessage();
    });
    const directMs = performance.now() - t1;
    ratios.push(pageMs / directMs);
    const marks = (await page.evaluate(
      "Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('playground:')).map((m) => [m.name.slice(11), m.startTime - window.__runClick]))",
    )) as Record<string, number>;
    const at = (k: string) => (marks[k] !== undefined ? `${fmt(marks[k] / 1000, 2)} s` : "n/a");
    console.log(
      `3. Run x ${n} at concurrency 8 (${jobs.length} calls), round ${round}: page ${fmt(pageMs / 1000, 2)} s click to summary painted (Playwright's poll saw it at ${fmt(seenMs / 1000, 2)} s; run saved at ${at("run-saved")}, calls done at ${at("calls-done")}, run closed at ${at("run-closed")}), ` +
        `direct through the gateway from Node ${fmt(directMs / 1000, 2)} s; ratio ${fmt(pageMs / directMs, 2)}x (target: at most 1.2x); ${loadNow()}`,
    );
  }
  ratios.sort((a, b) => a - b);
  if (rounds > 1) console.log(`   median ratio over ${rounds} rounds: ${fmt(percentile(ratios, 50), 2)}x`);
}

/**
 * The README screenshot, on a second server whose simulator uses its per-model latency profiles
 * (not the benchmark's fixed latency): a race of Haiku and Sonnet, then Run x 10 with its summary,
 * distributions and verdict.
 */
async function takeScreenshot(browser: Browser, file: string): Promise<void> {
  const port = PORT + 1;
  const base = `http://127.0.0.1:${port}`;
  const stop = await startServer(port, {});
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, base);
    await openPlayground(page, config([pane("A", "claude-haiku-4-5", 160), pane("B", "claude-sonnet-4-6", 160)], "Name three ways to make an agent faster."), base);
    // The default threshold (the worst case here is cents): the screenshot shows the page as an operator has it.
    await page.getByLabel("Confirmation threshold").fill("1");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await waitRecorded(page, ["A", "B"]);
    await page.getByLabel("N", { exact: true }).fill("10");
    await page.getByLabel("Concurrency").fill("4");
    await page.getByRole("button", { name: "Run x 10" }).click();
    await page.getByTestId("verdict").waitFor({ timeout: 120_000 });
    // The figures, timelines and summary, not the editors.
    for (const summary of await page.locator("[data-pane] details > summary").all()) await summary.click();
    await page.screenshot({ path: file, fullPage: true });
    console.log(`screenshot (per-model simulator profiles): ${file}; verdict: ${await page.getByTestId("verdict").first().textContent()}`);
  } finally {
    await stop();
  }
}

/**
 * The renderer main thread in a Chromium trace: its tasks (RunTask) by duration, and the time in
 * script, style/layout and paint within them, so a long task can be told apart from a busy one.
 */
async function summarizeTrace(file: string): Promise<void> {
  const { readFile } = await import("node:fs/promises");
  type Ev = { name: string; ph: string; dur?: number; pid: number; tid: number; args?: { name?: string } };
  const raw = JSON.parse(await readFile(file, "utf8")) as { traceEvents: Ev[] } | Ev[];
  const events = Array.isArray(raw) ? raw : raw.traceEvents;
  const main = events.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  if (!main) return console.log("   trace: no renderer main thread found");
  const mine = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === "X" && e.dur !== undefined);
  const tasks = mine.filter((e) => e.name === "RunTask").map((e) => e.dur! / 1000).sort((a, b) => a - b);
  const sum = (names: string[]) => mine.filter((e) => names.includes(e.name)).reduce((n, e) => n + e.dur! / 1000, 0);
  console.log(
    `   trace (${file}): ${tasks.length} main-thread tasks, p50 ${fmt(percentile(tasks, 50), 2)} ms, p99 ${fmt(percentile(tasks, 99), 2)} ms, max ${fmt(tasks.at(-1) ?? NaN, 1)} ms, ` +
      `${tasks.filter((t) => t > 16).length} over 16 ms; busy ${fmt(tasks.reduce((a, b) => a + b, 0), 0)} ms: script ${fmt(sum(["FunctionCall", "EvaluateScript"]), 0)} ms, ` +
      `style+layout ${fmt(sum(["UpdateLayoutTree", "Layout"]), 0)} ms, paint ${fmt(sum(["Paint", "PrePaint", "Layerize", "UpdateLayer"]), 0)} ms`,
  );
}

async function main(): Promise<void> {
  const stop = await startServer();
  const browser = await chromium.launch({ executablePath: process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await signIn(page);
    console.log(`bench:playground on ${BASE} (simulator fixed at ${FIXED_MS} ms to first token, a delta every ${DELTA_MS} ms); ${loadNow()}`);
    if (ONLY.has(1)) await figureTtft(page);
    if (ONLY.has(2)) await figureResponsiveness(page);
    if (ONLY.has(3)) await figureRepeat(page);
    console.log(`done; ${loadNow()}`);
    await stop();
    if (opts.screenshot) await takeScreenshot(browser, opts.screenshot);
  } finally {
    await browser.close();
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
