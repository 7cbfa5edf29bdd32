import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { count } from "drizzle-orm";
import { policyVersions } from "@/db/schema";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { signedInUser } from "../../auth/testing/sessions";
import { webHandler } from "../../http/web-handler";
import { insertRows } from "../testing/row-loader";
import { loadTraffic } from "../traffic-load";
import { clientRequests, recordWorldRows } from "../testing/traffic-world";
import { NDJSON } from "./progress-stream";
import { postReplay } from "./replay-handler";

let handle: DbHandle;
let slug: string;
let viewer: string;
let from: string;
let to: string;

beforeAll(async () => {
  handle = await createTestDb();
  const { project } = await projectWithKey(handle.db);
  slug = project.slug;
  viewer = (await signedInUser(handle.db, { projectId: project.id, role: "viewer", email: "viewer@example.test" })).cookie;
  const reqs = clientRequests({ seed: 11, count: 300, routes: ["faq", "agent"], model: "claude-sonnet-4-5", repeatShare: 0.3 });
  await insertRows(handle.db, project.id, recordWorldRows(reqs, {}));
  from = new Date(reqs[0]!.ts).toISOString();
  to = new Date(reqs[reqs.length - 1]!.ts + 1).toISOString();
}, 60_000);
afterAll(async () => handle?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function replay(body: unknown, opts: { window?: string; accept?: string } = {}): Promise<{ status: number; json: any; text: string }> {
  const req = new Request(`http://localhost/api/v1/advisor/replay?project=${slug}${opts.window ?? `&from=${from}&to=${to}`}`, {
    method: "POST",
    headers: { cookie: viewer, origin: "http://localhost", "content-type": "application/json", ...(opts.accept ? { accept: opts.accept } : {}) },
    body: JSON.stringify(body),
  });
  const res = await webHandler((r) => postReplay(handle.db, r, { loadTraffic }))(req, undefined);
  const text = await res.text();
  return { status: res.status, text, json: opts.accept ? null : JSON.parse(text) };
}

describe("POST /api/v1/advisor/replay", () => {
  it("answers the candidate per route and overall next to the backtest and its error", async () => {
    const res = await replay({ cache: { default: { ttlSec: 600 } } });
    expect(res.status).toBe(200);
    expect(res.json.notEnoughData).toBeNull();
    expect(res.json.routes.map((r: { route: string }) => r.route).sort()).toEqual(["agent", "faq"]);
    expect(Math.abs(res.json.overall.backtestError.latencyP95Ms)).toBeLessThanOrEqual(0.05);
    expect(res.json.overall.predicted.responseCacheHitRate).toBeGreaterThan(0.15);
    expect(res.json.overall.backtest.responseCacheHitRate).toBe(0);
  });

  it("refuses a candidate that fails the policy schema with a 400 naming the field", async () => {
    const res = await replay({ routing: { rules: [{ id: "r1", action: { model: "" } }] } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("bad_request:policy");
    expect(res.json.error.message).toMatch(/^Invalid candidate policy: routing\.rules\.0\.action\.model: /);
    const ttl = await replay({ cache: { default: { ttlSec: -5 } } });
    expect(ttl.status).toBe(400);
    expect(ttl.json.error.message).toMatch(/cache\.default\.ttlSec/);
  });

  it("says not enough data for a window with no traffic", async () => {
    const res = await replay({}, { window: "&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z" });
    expect(res.status).toBe(200);
    expect(res.json.requests).toBe(0);
    expect(res.json.notEnoughData).toMatch(/^not enough data: 0 requests/);
    expect(res.json.overall.predicted).toBeNull();
  });

  it("stops when the request is cancelled mid-way, answering no result and writing nothing", async () => {
    const ctl = new AbortController();
    const req = new Request(`http://localhost/api/v1/advisor/replay?project=${slug}&from=${from}&to=${to}`, {
      method: "POST",
      headers: { cookie: viewer, origin: "http://localhost", "content-type": "application/json", accept: NDJSON },
      body: JSON.stringify({ cache: { default: { ttlSec: 600 } } }),
      signal: ctl.signal,
    });
    const res = await webHandler((r) => postReplay(handle.db, r, { loadTraffic }))(req, undefined);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    expect(JSON.parse(first.value!.split("\n")[0]!)).toMatchObject({ type: "progress", stage: "loading" });
    // Cancel while the window is loading: the loader and the replay watch the request's signal.
    ctl.abort();
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (value) rest += value;
      if (done) break;
    }
    expect(rest).not.toContain('"type":"result"');
    const written = await handle.db.select({ n: count() }).from(policyVersions);
    expect(written[0]!.n).toBe(0);
  });

  it("streams progress lines and then the result when asked for NDJSON", async () => {
    const res = await replay({}, { accept: NDJSON });
    const lines = res.text.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: "progress", stage: "loading" });
    expect(lines.at(-1)).toMatchObject({ type: "result" });
    expect(lines.at(-1).result.overall.measured.requests).toBe(300);
  });
});
