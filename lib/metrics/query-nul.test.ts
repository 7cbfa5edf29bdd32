import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { signedInUser, webRequest } from "../auth/testing/sessions";
import { webHandler } from "../http/web-handler";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";
import { handleCacheStats } from "./http/cache";
import { handleDimensions } from "./http/dimensions";
import { handleEventDetail, handleEventExport, handleEventList } from "./http/events";
import { handleRecomputeStatus } from "./http/recompute";
import { handleSummary } from "./http/summary";
import { handleTimeseries } from "./http/timeseries";
import { ingestAndFlush } from "./testing/rollup-oracle";

/**
 * A NUL (U+0000) cannot be stored in a Postgres text value, so no filter holding one can match;
 * sent to the database it fails the query (a 500). Every metrics and events parameter answers 400.
 */
let handle: DbHandle;
let project: { id: string; slug: string };
let key: string;
let editorCookie: string;

const routes = {
  summary: { handle: (req: Request) => handleSummary(handle.db, req), params: ["project", "range", "from", "to", "model", "route", "agent", "status", "kind"] },
  timeseries: {
    handle: (req: Request) => handleTimeseries(handle.db, req),
    base: { metric: "latency" },
    params: ["project", "range", "from", "to", "model", "route", "agent", "status", "kind", "metric", "bucket", "groupBy", "limit"],
  },
  cache: { handle: (req: Request) => handleCacheStats(handle.db, req), params: ["project", "range", "model", "route", "agent", "status", "kind"] },
  dimensions: { handle: (req: Request) => handleDimensions(handle.db, req), params: ["project", "range", "model", "route", "agent"] },
  list: {
    handle: (req: Request) => handleEventList(handle.db, req),
    params: ["project", "range", "from", "to", "model", "route", "agent", "status", "kind", "sessionId", "traceId", "responseCache", "cursor", "limit"],
  },
  detail: { handle: (req: Request) => handleEventDetail(handle.db, req), base: { id: "n1" }, params: ["project", "id"] },
  export: { handle: (req: Request) => handleEventExport(handle.db, req), params: ["project", "range", "model", "route", "agent", "sessionId", "traceId", "responseCache"] },
  recomputeStatus: { handle: (req: Request) => handleRecomputeStatus(handle.db, req), params: ["project", "id"], cookie: true },
} as const;

async function call(name: keyof typeof routes, query: Record<string, string>, auth: { key?: string; cookie?: string }) {
  const qs = new URLSearchParams(query);
  const req = webRequest(`/api/v1/x?${qs}`, { cookie: auth.cookie, headers: auth.key ? { authorization: `Bearer ${auth.key}` } : {} });
  const res = await webHandler(routes[name].handle)(req, undefined);
  return { status: res.status, body: (await res.text()).slice(0, 500) };
}

beforeAll(async () => {
  handle = await createTestDb();
  const created = await projectWithKey(handle.db);
  project = created.project;
  key = created.key;
  editorCookie = (await signedInUser(handle.db, { projectId: project.id, role: "admin" })).cookie;
  await ingestAndFlush(handle.db, project.id, [llmEvent({ id: "n1", model: "m" })]);
});
afterAll(async () => {
  await handle?.close();
});

describe("a NUL in a metrics or events query parameter", () => {
  for (const [name, route] of Object.entries(routes) as [keyof typeof routes, (typeof routes)[keyof typeof routes]][]) {
    it(`is a 400 naming the parameter on ${name}, for each of its parameters`, async () => {
      const base: Record<string, string> = { project: project.slug, ...("base" in route ? route.base : {}) };
      const auth = "cookie" in route ? { cookie: editorCookie } : { key };
      // The clean request works, so each 400 below is the NUL's doing.
      expect((await call(name, base, auth)).status).toBe(200);
      for (const param of route.params) {
        for (const value of ["\u0000", `a\u0000b`]) {
          const res = await call(name, { ...base, [param]: value }, auth);
          expect({ param, status: res.status }).toEqual({ param, status: 400 });
          expect(res.body).toContain(param);
          expect(res.body).toMatch(/NUL/);
        }
      }
    });
  }

  it("is a 400 for a signed-in caller's project slug too (checked before the slug is looked up)", async () => {
    const res = await call("summary", { project: "\u0000" }, { cookie: editorCookie });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/project.*NUL/);
  });

  it("is a 400 in a parameter name", async () => {
    const res = await call("summary", { project: project.slug, "mo\u0000del": "x" }, { key });
    expect(res.status).toBe(400);
  });
});
