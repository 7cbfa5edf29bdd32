import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { signedInUser } from "../../auth/testing/sessions";
import { webHandler } from "../../http/web-handler";
import { FindingsAnswer } from "../finding-schema";
import { insertRows } from "../testing/row-loader";
import { llmRow } from "../testing/traffic-rows";
import { loadTraffic } from "../traffic-load";
import { getFindings } from "./findings-handler";

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
});
