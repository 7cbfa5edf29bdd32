import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { signedInUser, webRequest, type TestUser } from "../auth/testing/sessions";
import { startHarness, waitFor, waitForEvents, type Harness } from "../gateway/testing/gateway-harness";
import { webHandler } from "../http/web-handler";
import { handleEventList } from "../metrics/http/events";
import { projectWithKey } from "../auth/testing/project-with-key";
import { serveHandler } from "../http/testing/serve-handler";
import type { ExperimentConfigInput } from "./config-schema";
import type { Experiment, Run } from "./experiments";
import { getExperimentDetail, getExperimentExport, getExperimentList, postRun, postRunComplete, RUN_BODY_MAX_BYTES } from "./http/experiments-handlers";
import { createPlaygroundStreamHandler, PLAYGROUND_STREAM_PATH } from "./http/stream-handler";
import type { CallMeasurement } from "./measurement";
import type { RunSummary } from "./run-summary";

let handle: DbHandle;
let project: { id: string; slug: string };
let other: { id: string; slug: string };
let editor: TestUser;
let viewer: TestUser;
let outsider: TestUser;
let h: Harness;
let stream: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  handle = await createTestDb();
  let key: string;
  ({ project, key } = await projectWithKey(handle.db));
  ({ project: other } = await projectWithKey(handle.db));
  editor = await signedInUser(handle.db, { projectId: project.id, role: "editor" });
  viewer = await signedInUser(handle.db, { projectId: project.id, role: "viewer" });
  outsider = await signedInUser(handle.db, { projectId: other.id, role: "admin" });
  // Deltas 30 ms apart: long answers stay in flight long enough to abort.
  h = await startHarness(handle, key, { sim: { fixedLatencyMs: 5, deltaIntervalMs: 30 } });
  stream = await serveHandler(createPlaygroundStreamHandler(() => handle.db, h.gateway.runMessages));
}, 60_000);
afterAll(async () => {
  await stream?.close();
  await h?.close();
  await handle?.close();
});

const pane = (name: string, model: string, extra: Record<string, unknown> = {}) => ({ name, model, maxTokens: 40, ...extra });
const config = (extra: Partial<ExperimentConfigInput> = {}): ExperimentConfigInput => ({
  panes: [pane("A", "claude-haiku-4-5"), pane("B", "claude-sonnet-4-6")],
  prompt: "Name three ways to make an agent faster.",
  ...extra,
});

async function startRun(user: TestUser, body: Record<string, unknown>, slug = project.slug): Promise<Response> {
  return webHandler((req) => postRun(handle.db, req))(webRequest(`/api/v1/playground/runs?project=${slug}`, { method: "POST", cookie: user.cookie, body }), undefined);
}

async function startOk(body: Record<string, unknown>): Promise<{ experiment: Experiment; run: Run }> {
  const res = await startRun(editor, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { experiment: Experiment; run: Run };
}

function postStream(user: TestUser, body: Record<string, unknown>, opts: { signal?: AbortSignal; slug?: string } = {}): Promise<Response> {
  return fetch(`${stream.url}${PLAYGROUND_STREAM_PATH}?project=${opts.slug ?? project.slug}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: user.cookie, origin: stream.url },
    body: JSON.stringify(body),
    signal: opts.signal,
  });
}

/** Reads an SSE answer whole: its text deltas joined, and the event names seen. */
async function readSse(res: Response): Promise<{ text: string; events: string[] }> {
  const raw = await res.text();
  const events: string[] = [];
  let text = "";
  for (const frame of raw.split("\n\n")) {
    const name = /^event: (.+)$/m.exec(frame)?.[1];
    if (name) events.push(name);
    const data = /^data: (.+)$/m.exec(frame)?.[1];
    if (name === "content_block_delta" && data) text += (JSON.parse(data) as { delta: { text?: string } }).delta.text ?? "";
  }
  return { text, events };
}

async function complete(experimentId: string, runId: string, expected: number): Promise<{ run: Run; summary: RunSummary }> {
  const res = await webHandler((req) => postRunComplete(handle.db, req))(
    webRequest(`/api/v1/playground/runs/complete?project=${project.slug}`, { method: "POST", cookie: editor.cookie, body: { experimentId, runId, expected } }),
    undefined,
  );
  expect(res.status).toBe(200);
  return (await res.json()) as { run: Run; summary: RunSummary };
}

describe("a run streamed through the gateway", () => {
  it("streams each pane's answer as SSE and records the calls with route playground and the experiment, pane and run tags", async () => {
    const { experiment, run } = await startOk({ config: config() });
    expect(experiment.id).toMatch(/^exp_/);
    const [a, b] = await Promise.all(["A", "B"].map((p) => postStream(editor, { experimentId: experiment.id, runId: run.id, pane: p })));
    for (const res of [a!, b!]) {
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      expect(Number(res.headers.get("x-pitwall-elapsed-ms"))).toBeGreaterThanOrEqual(0);
    }
    expect(a!.headers.get("x-pitwall-model")).toBe("claude-haiku-4-5");
    expect(b!.headers.get("x-pitwall-model")).toBe("claude-sonnet-4-6");
    const ids = [a!.headers.get("x-pitwall-request-id")!, b!.headers.get("x-pitwall-request-id")!];
    const [sa, sb] = await Promise.all([readSse(a!), readSse(b!)]);
    expect(sa.text.length).toBeGreaterThan(0);
    expect(sa.events).toContain("message_stop");
    expect(sb.events).toContain("message_stop");

    const rows = await waitForEvents(handle, project.id, ids);
    for (const [i, id] of ids.entries()) {
      const row = rows.get(id)!;
      expect(row.route).toBe("playground");
      expect(row.tags).toMatchObject({ experiment: experiment.id, pane: i === 0 ? "A" : "B", run: run.id });
      expect(row.status).toBe("ok");
      expect(row.ttftMs).not.toBeNull();
      expect(row.costNanoUsd).toBeGreaterThan(0n);
    }

    const done = await complete(experiment.id, run.id, 2);
    expect(done.run.calls.map((c) => c.eventId).sort()).toEqual([...ids].sort());
    expect(done.run.verdict).toBeNull(); // a single race has no verdict
    expect(done.summary.panes.map((p) => [p.pane, p.ok])).toEqual([["A", 1], ["B", 1]]);
  });

  it("carries the TTFT and response-cache status the gateway records: none (TTL 0, or a TTL the policy lowers to 0), bypass (Run x N, policy deciding)", async () => {
    const timing = (raw: string) => (JSON.parse(/event: pitwall_timing\ndata: (.+)/.exec(raw)![1]!) as { ttft_ms: number }).ttft_ms;
    const cases: { body: Record<string, unknown>; pane: string; expected: string[] }[] = [
      { body: { config: config() }, pane: "A", expected: ["none"] },
      { body: { config: config({ panes: [pane("A", "claude-haiku-4-5", { responseCacheTtlSec: null }), pane("B", "claude-sonnet-4-6")] }), n: 2, concurrency: 1 }, pane: "A", expected: ["bypass"] },
      // The default cache policy has TTL 0 and lets a caller only lower it: the header says BYPASS, the event "none".
      { body: { config: config({ panes: [pane("A", "claude-haiku-4-5", { responseCacheTtlSec: 300 }), pane("B", "claude-sonnet-4-6")] }) }, pane: "A", expected: ["none"] },
    ];
    const diffs: number[] = [];
    for (const c of cases) {
      const { experiment, run } = await startOk(c.body);
      for (const want of c.expected) {
        const res = await postStream(editor, { experimentId: experiment.id, runId: run.id, pane: c.pane });
        const id = res.headers.get("x-pitwall-request-id")!;
        const shownCache = res.headers.get("x-pitwall-cache-status");
        const shownTtft = timing(await res.text());
        const row = (await waitForEvents(handle, project.id, [id])).get(id)!;
        expect([shownCache, row.responseCache]).toEqual([want, want]);
        diffs.push(Math.abs(shownTtft - row.ttftMs!));
      }
    }
    // The same clock, read next to the recorder's: a tenth of a ms apart (a loaded machine can
    // pause the process between the two reads, so the median, not every call; p95 in the bench).
    diffs.sort((a, b) => a - b);
    expect(diffs[1], `|shown - recorded| ms: ${diffs.join(", ")}`).toBeLessThan(1);
  });

  it("puts the system prompt behind a cache_control breakpoint when prompt caching is on (a second call reads the cache)", async () => {
    const system = "You are a terse assistant for an operations team. ".repeat(200);
    const { experiment, run } = await startOk({
      config: config({ panes: [pane("cached", "claude-sonnet-4-6", { system, promptCaching: "1h" }), pane("plain", "claude-sonnet-4-6", { system })] }),
    });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await postStream(editor, { experimentId: experiment.id, runId: run.id, pane: "cached" });
      ids.push(res.headers.get("x-pitwall-request-id")!);
      await res.text();
    }
    const rows = await waitForEvents(handle, project.id, ids);
    expect(rows.get(ids[0]!)!.cacheWrite1hTokens).toBeGreaterThan(0);
    expect(rows.get(ids[1]!)!.cacheReadTokens).toBeGreaterThan(0);
  });

  it("Stop: closing the stream cancels the upstream call within 1 s, recorded as aborted", async () => {
    const { experiment, run } = await startOk({ config: config({ panes: [pane("A", "claude-haiku-4-5", { maxTokens: 4000 }), pane("B", "claude-sonnet-4-6")] }) });
    const controller = new AbortController();
    const res = await postStream(editor, { experimentId: experiment.id, runId: run.id, pane: "A" }, { signal: controller.signal });
    const id = res.headers.get("x-pitwall-request-id")!;
    const reader = res.body!.getReader();
    await reader.read();
    const abortedBefore = h.sim.simulator.stats.aborted;
    const t = Date.now();
    controller.abort();
    controller.abort(); // Stop pressed twice
    await waitFor(() => h.sim.simulator.stats.aborted > abortedBefore, 1_000);
    expect(Date.now() - t).toBeLessThan(1_000);
    const row = (await waitForEvents(handle, project.id, [id])).get(id)!;
    expect(row.status).toBe("aborted");
    expect(row.tags.experiment).toBe(experiment.id);
  });

  it("an unknown model still runs, and the upstream's error comes back in the stream's answer", async () => {
    const { experiment, run } = await startOk({ config: config({ panes: [pane("A", "claude-haiku-4-5"), pane("B", "gpt-imaginary")] }) });
    const res = await postStream(editor, { experimentId: experiment.id, runId: run.id, pane: "B" });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "not_found_error", message: "model: gpt-imaginary" } });
  });
});

describe("the events list", () => {
  it("leaves playground calls out by default and shows them with playground=include", async () => {
    const { experiment, run } = await startOk({ config: config() });
    const res = await postStream(editor, { experimentId: experiment.id, runId: run.id, pane: "A" });
    const id = res.headers.get("x-pitwall-request-id")!;
    await res.text();
    await waitForEvents(handle, project.id, [id]);
    const list = async (query: string) => {
      const r = await webHandler((req) => handleEventList(handle.db, req))(webRequest(`/api/v1/events/list?project=${project.slug}&range=1h${query}`, { cookie: viewer.cookie }), undefined);
      expect(r.status).toBe(200);
      return ((await r.json()) as { events: { id: string }[] }).events.map((e) => e.id);
    };
    expect(await list("")).not.toContain(id);
    expect(await list("&playground=include")).toContain(id);
    expect(await list("&route=playground")).toContain(id);
  });
});

describe("roles and scoping", () => {
  it("a viewer cannot start a run (403) nor stream a pane (403), but reads the experiment", async () => {
    const { experiment, run } = await startOk({ config: config() });
    expect((await startRun(viewer, { config: config() })).status).toBe(403);
    const res = await postStream(viewer, { experimentId: experiment.id, runId: run.id, pane: "A" });
    expect(res.status).toBe(403);
    const detail = await webHandler<{ params: Promise<{ id: string }> }>((req, ctx) => getExperimentDetail(handle.db, req, ctx))(
      webRequest(`/api/v1/playground/experiments/${experiment.id}?project=${project.slug}`, { cookie: viewer.cookie }),
      { params: Promise.resolve({ id: experiment.id }) },
    );
    expect(detail.status).toBe(200);
    const body = (await detail.json()) as { experiment: Experiment; runs: Run[] };
    expect(body.experiment.config.panes.map((p) => p.name)).toEqual(["A", "B"]);
    expect(body.runs).toHaveLength(1);
  });

  it("answers 404 for another project's experiment, in the API and on the stream", async () => {
    const { experiment, run } = await startOk({ config: config() });
    const detail = await webHandler<{ params: Promise<{ id: string }> }>((req, ctx) => getExperimentDetail(handle.db, req, ctx))(
      webRequest(`/api/v1/playground/experiments/${experiment.id}?project=${other.slug}`, { cookie: outsider.cookie }),
      { params: Promise.resolve({ id: experiment.id }) },
    );
    expect(detail.status).toBe(404);
    const res = await postStream(outsider, { experimentId: experiment.id, runId: run.id, pane: "A" }, { slug: other.slug });
    expect(res.status).toBe(404);
    // A rerun appended to another project's experiment is refused the same way.
    const rerun = await webHandler((req) => postRun(handle.db, req))(
      webRequest(`/api/v1/playground/runs?project=${other.slug}`, { method: "POST", cookie: outsider.cookie, body: { experimentId: experiment.id, config: config() } }),
      undefined,
    );
    expect(rerun.status).toBe(404);
  });

  it("refuses a stream request without a session (401) and from another origin (403)", async () => {
    const res = await fetch(`${stream.url}${PLAYGROUND_STREAM_PATH}?project=${project.slug}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(401);
    const cross = await fetch(`${stream.url}${PLAYGROUND_STREAM_PATH}?project=${project.slug}`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: editor.cookie, origin: "http://evil.example" },
      body: "{}",
    });
    expect(cross.status).toBe(403);
  });
});

describe("bad input: a 4xx with a clear message, never a 500", () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ["tools JSON that does not parse", { config: config({ panes: [pane("A", "claude-haiku-4-5", { tools: "[{nope" }), pane("B", "claude-sonnet-4-6")] }) }, /panes\[0\]\.tools: Tools: not valid JSON/],
    [
      "tools that do not match the shape",
      { config: config({ panes: [pane("A", "claude-haiku-4-5", { tools: '[{"name":"get_weather","input_schema":{"type":"array"}}]' }), pane("B", "claude-sonnet-4-6")] }) },
      /Tools\[0\]\.input_schema\.type/,
    ],
    ["tools that are not an array", { config: config({ panes: [pane("A", "claude-haiku-4-5", { tools: '{"name":"x"}' }), pane("B", "claude-sonnet-4-6")] }) }, /must be a JSON array/],
    ["max_tokens of 0", { config: config({ panes: [pane("A", "claude-haiku-4-5", { maxTokens: 0 }), pane("B", "claude-sonnet-4-6")] }) }, /max_tokens must be at least 1/],
    ["negative max_tokens", { config: config({ panes: [pane("A", "claude-haiku-4-5", { maxTokens: -5 }), pane("B", "claude-sonnet-4-6")] }) }, /max_tokens must be at least 1/],
    ["max_tokens above the model's limit", { config: config({ panes: [pane("A", "claude-3-5-haiku", { maxTokens: 9000 }), pane("B", "claude-sonnet-4-6")] }) }, /max_tokens of claude-3-5-haiku is at most 8192/],
    ["N of 0", { config: config(), n: 0 }, /N is from 2 to 100/],
    ["N of 101", { config: config(), n: 101 }, /N is from 2 to 100/],
    ["concurrency above N", { config: config(), n: 3, concurrency: 4 }, /concurrency cannot be above N/],
    ["one pane", { config: config({ panes: [pane("A", "claude-haiku-4-5")] }) }, /at least 2 panes/],
    ["five panes", { config: config({ panes: ["A", "B", "C", "D", "E"].map((n) => pane(n, "claude-haiku-4-5")) }) }, /at most 4 panes/],
    ["two panes with one name", { config: config({ panes: [pane("A", "claude-haiku-4-5"), pane("a", "claude-sonnet-4-6")] }) }, /two panes are named/],
    ["an empty prompt", { config: config({ prompt: "" }) }, /write a prompt/],
  ];
  for (const [what, body, message] of bad) {
    it(`refuses ${what} with a 400 that says why`, async () => {
      const res = await startRun(editor, body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect(json.error.message).toMatch(message);
    });
  }

  it("takes a 200 KB prompt, and refuses a body above the cap with 413", async () => {
    const ok = await startRun(editor, { config: config({ prompt: "x".repeat(200 * 1024) }) });
    expect(ok.status).toBe(201);
    const tooBig = await startRun(editor, { config: config({ prompt: "x".repeat(RUN_BODY_MAX_BYTES + 10) }) });
    expect(tooBig.status).toBe(413);
  });

  it("answers a stream request for a pane the run does not have with 404, and a malformed one with 400", async () => {
    const { experiment, run } = await startOk({ config: config() });
    expect((await postStream(editor, { experimentId: experiment.id, runId: run.id, pane: "Z" })).status).toBe(404);
    expect((await postStream(editor, { experimentId: experiment.id })).status).toBe(400);
  });
});

describe("experiments", () => {
  it("Run x N: a rerun appends a run; completing it stores every call, the summary and a verdict; list and export show it", async () => {
    const first = await startOk({ config: config(), name: "haiku vs sonnet" });
    const { run } = await startOk({ experimentId: first.experiment.id, config: config(), n: 5, concurrency: 2 });
    expect(run.seq).toBe(2);
    for (let i = 0; i < 5; i++) {
      await Promise.all(["A", "B"].map(async (p) => (await postStream(editor, { experimentId: first.experiment.id, runId: run.id, pane: p })).text()));
    }
    const done = await complete(first.experiment.id, run.id, 10);
    expect(done.run.calls).toHaveLength(10);
    expect(done.run.verdict).toMatch(/5 runs each/);
    const a = done.summary.panes.find((p) => p.pane === "A")!;
    expect(a.ttftMs.n).toBe(5);
    expect(a.latencyMs.p50).not.toBeNull();

    const list = await webHandler((req) => getExperimentList(handle.db, req))(webRequest(`/api/v1/playground/experiments?project=${project.slug}`, { cookie: viewer.cookie }), undefined);
    const items = ((await list.json()) as { experiments: { id: string; name: string; runs: number; lastN: number; verdict: string; panes: string[]; lastRunBy: string }[] }).experiments;
    const item = items.find((e) => e.id === first.experiment.id)!;
    expect(item).toMatchObject({ name: "haiku vs sonnet", runs: 2, lastN: 5, panes: ["A", "B"], lastRunBy: editor.email });
    expect(item.verdict).toBe(done.run.verdict);

    const exportAs = async (format: string) =>
      webHandler<{ params: Promise<{ id: string }> }>((req, ctx) => getExperimentExport(handle.db, req, ctx))(
        webRequest(`/api/v1/playground/experiments/${first.experiment.id}/export?project=${project.slug}&format=${format}`, { cookie: viewer.cookie }),
        { params: Promise.resolve({ id: first.experiment.id }) },
      );
    const csv = await (await exportAs("csv")).text();
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toMatch(/^run,run_id,pane,event_id,/);
    expect(lines).toHaveLength(1 + 10); // the first run was never completed: no calls stored
    const exported = JSON.parse(await (await exportAs("json")).text()) as { runs: { calls: CallMeasurement[] }[] };
    expect(exported.runs[1]!.calls.map((c) => c.eventId).sort()).toEqual(done.run.calls.map((c) => c.eventId).sort());
    expect((await exportAs("xml")).status).toBe(400);
  });
});
