import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count } from "drizzle-orm";
import { advisorPredictions, events, policyVersions } from "@/db/schema";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { signedInUser } from "../../auth/testing/sessions";
import { webHandler } from "../../http/web-handler";
import { saveVersion } from "../../policies/policy-queries";
import { FindingsAnswer } from "../finding-schema";
import { insertRows } from "../testing/row-loader";
import { llmRow } from "../testing/traffic-rows";
import { loadTraffic } from "../traffic-load";
import { getFindings } from "./findings-handler";
import { NDJSON } from "./progress-stream";
import type { LoadTraffic } from "./replay-handler";

let handle: DbHandle;
let slug: string;
let otherSlug: string;
let viewer: string;
let key: string;
const T0 = Date.now() - 3_600_000;
const from = new Date(T0 - 1000).toISOString();
const to = new Date(T0 + 600_000).toISOString();

beforeAll(async () => {
  handle = await createTestDb();
  const created = await projectWithKey(handle.db, ["metrics:read"]);
  slug = created.project.slug;
  key = created.key;
  otherSlug = (await projectWithKey(handle.db)).project.slug;
  viewer = (await signedInUser(handle.db, { projectId: created.project.id, role: "viewer" })).cookie;
  // 80 calls of "faq", every other one an exact repeat of the one before, 5 s apart; and a thin route.
  const rows = Array.from({ length: 80 }, (_, k) => llmRow({ id: `faq-${k}`, tsMs: T0 + k * 5000, route: "faq", promptHash: `q${Math.floor(k / 2)}` }));
  rows.push(...Array.from({ length: 5 }, (_, k) => llmRow({ id: `thin-${k}`, tsMs: T0 + k * 1000, route: "thin" })));
  await insertRows(handle.db, created.project.id, rows);
}, 60_000);
afterAll(async () => handle?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function get(query: string, auth: { cookie?: string; key?: string } = { cookie: viewer }): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = auth.cookie ? { cookie: auth.cookie } : auth.key ? { authorization: `Bearer ${auth.key}` } : {};
  const res = await webHandler((r) => getFindings(handle.db, r, { loadTraffic }))(new Request(`http://localhost/api/v1/advisor/findings?${query}`, { headers }), undefined);
  return { status: res.status, json: await res.json() };
}

describe("GET /api/v1/advisor/findings", () => {
  it("answers a key with metrics:read", async () => {
    const res = await get(`project=${slug}&from=${from}&to=${to}`, { key });
    expect(res.status).toBe(200);
    expect(res.json.requests).toBe(85);
  });

  it("lets a viewer read the window's findings and the skipped routes", async () => {
    const res = await get(`project=${slug}&from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    expect(FindingsAnswer.safeParse(res.json).success).toBe(true);
    const rc = res.json.findings.find((f: { kind: string }) => f.kind === "response_cache");
    expect(rc.route).toBe("faq");
    expect(rc.evidence.rate).toBe(0.5);
    expect(res.json.skipped).toEqual([{ route: "thin", agent: "a", requests: 5, reason: "not enough data: 5 requests, 30 needed" }]);
  });

  it("measures the response cache against the project's live cache policy", async () => {
    const cached = await projectWithKey(handle.db);
    const rows = Array.from({ length: 80 }, (_, k) => llmRow({ id: `cached-${k}`, tsMs: T0 + k * 5000, route: "faq", promptHash: `q${Math.floor(k / 2)}` }));
    await insertRows(handle.db, cached.project.id, rows);
    const cookie = (await signedInUser(handle.db, { projectId: cached.project.id, role: "viewer", email: "cached-viewer@example.test" })).cookie;
    const kinds = async () => (await get(`project=${cached.project.slug}&from=${from}&to=${to}`, { cookie })).json.findings.map((f: { kind: string }) => f.kind);
    expect(await kinds()).toContain("response_cache");
    // A live 10-minute TTL on faq is past the knee (repeats come 5 s apart): nothing left to recommend.
    await saveVersion(handle.db, { projectId: cached.project.id, kind: "cache", document: { rules: [{ id: "faq", match: { route: "faq" }, ttlSec: 600 }] } });
    expect(await kinds()).not.toContain("response_cache");
  });

  it("answers no findings for a window with no traffic", async () => {
    const res = await get(`project=${slug}&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ requests: 0, findings: [], skipped: [] });
  });

  it("refuses a bad window with a clear 400", async () => {
    for (const q of [`from=yesterday`, `from=${to}&to=${from}`, `from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z`, `from=2026-01-01T00:00:00Z%00`]) {
      const res = await get(`project=${slug}&${q}`);
      expect([q, res.status]).toEqual([q, 400]);
      expect(res.json.error.code).toBe("bad_request:range");
    }
  });

  it("does not show another project's findings to this project's viewer", async () => {
    const res = await get(`project=${otherSlug}&from=${from}&to=${to}`);
    expect([403, 404]).toContain(res.status);
    expect(JSON.stringify(res.json)).not.toContain("faq");
  });

  it("refuses an anonymous caller", async () => {
    const res = await get(`project=${slug}`, {});
    expect(res.status).toBe(401);
  });

  it("streams progress (loading, then each kind) and then the same answer as the JSON one when asked for NDJSON", async () => {
    const plain = await get(`project=${slug}&from=${from}&to=${to}`);
    const res = await ndjson(`project=${slug}&from=${from}&to=${to}`, { loadTraffic });
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/x-ndjson/);
    const lines = res.lines;
    expect(lines[0]).toEqual({ type: "progress", stage: "loading", fraction: 0 });
    expect(lines).toContainEqual({ type: "progress", stage: "loading", fraction: 1 });
    const stages = [...new Set(lines.filter((l) => l.type === "progress").map((l) => l.stage))];
    expect(stages).toEqual(["loading", "analysing response_cache", "analysing prompt_caching", "analysing streaming", "analysing sequential_tools", "analysing context_growth", "analysing model_right_sizing", "analysing batch"]);
    for (const l of lines.filter((x) => x.type === "progress")) expect(l.fraction >= 0 && l.fraction <= 1).toBe(true);
    expect(lines.at(-1)).toEqual({ type: "result", result: plain.json });
    expect(plain.json.findings.map((f: { kind: string }) => f.kind)).toContain("response_cache");
  });

  it("answers a bad window with a 400 before streaming anything", async () => {
    const res = await ndjson(`project=${slug}&from=yesterday`, { loadTraffic });
    expect(res.status).toBe(400);
  });

  it("stops loading when the request is cancelled, sending no result and writing nothing", async () => {
    const before = await tableCounts();
    const ctl = new AbortController();
    let load: "running" | "finished" | "stopped" = "running";
    const watched: LoadTraffic = async (db, p) => {
      // The client goes away once the load has started.
      queueMicrotask(() => ctl.abort());
      try {
        const t = await loadTraffic(db, p);
        load = "finished";
        return t;
      } catch (err) {
        load = "stopped";
        throw err;
      }
    };
    const res = await ndjson(`project=${slug}&from=${from}&to=${to}`, { loadTraffic: watched }, ctl.signal);
    expect(load).toBe("stopped");
    expect(res.lines.map((l) => l.type)).not.toContain("result");
    expect(res.lines.map((l) => l.type)).not.toContain("error");
    expect(res.lines.filter((l) => l.type === "progress" && String(l.stage).startsWith("analysing"))).toEqual([]);
    expect(await tableCounts()).toEqual(before);
  });

  it("stops the analysis when the request is cancelled after the load", async () => {
    const ctl = new AbortController();
    const thenCancel: LoadTraffic = async (db, p) => {
      const t = await loadTraffic(db, p);
      ctl.abort();
      return t;
    };
    const res = await ndjson(`project=${slug}&from=${from}&to=${to}`, { loadTraffic: thenCancel }, ctl.signal);
    const stages = res.lines.filter((l) => l.type === "progress").map((l) => l.stage);
    // The first kind is announced, then the analysis sees the abort at its first yield.
    expect(stages.filter((s) => String(s).startsWith("analysing"))).toEqual(["analysing response_cache"]);
    expect(res.lines.map((l) => l.type)).not.toContain("result");
  });
});

async function tableCounts(): Promise<number[]> {
  const n = async (t: typeof events | typeof policyVersions | typeof advisorPredictions) => (await handle.db.select({ n: count() }).from(t))[0]!.n;
  return [await n(events), await n(policyVersions), await n(advisorPredictions)];
}

/** GET with accept NDJSON; reads the stream to its end (or until the cancelled request closes it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function ndjson(query: string, deps: { loadTraffic: LoadTraffic }, signal?: AbortSignal): Promise<{ status: number; contentType: string; lines: any[] }> {
  const req = new Request(`http://localhost/api/v1/advisor/findings?${query}`, { headers: { cookie: viewer, accept: NDJSON }, ...(signal ? { signal } : {}) });
  const res = await webHandler((r) => getFindings(handle.db, r, deps))(req, undefined);
  let text = "";
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (value) text += value;
    if (done) break;
  }
  if (res.status !== 200) return { status: res.status, contentType: res.headers.get("content-type") ?? "", lines: [] };
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", lines: text.trim() ? text.trim().split("\n").map((l) => JSON.parse(l)) : [] };
}
