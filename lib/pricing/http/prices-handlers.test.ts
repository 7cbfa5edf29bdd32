import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { projectWithKey } from "../../testing/fixtures";
import { webHandler } from "../../http/web-handler";
import { getPrices, putPrices } from "./prices-handlers";

let handle: DbHandle;
let key: string;
let otherKey: string;

beforeAll(async () => {
  handle = await createTestDb();
  ({ key } = await projectWithKey(handle.db));
  ({ key: otherKey } = await projectWithKey(handle.db));
});
afterAll(async () => handle?.close());

const get = (headers: Record<string, string>) =>
  webHandler((req) => getPrices(handle.db, req))(new Request("http://localhost/api/v1/prices", { headers }), undefined);
const put = (headers: Record<string, string>, body: unknown) =>
  webHandler((req) => putPrices(handle.db, req))(
    new Request("http://localhost/api/v1/prices", { method: "PUT", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }),
    undefined,
  );

describe("GET /api/v1/prices", () => {
  it("lists the seeded table in USD per million tokens for a key with metrics:read", async () => {
    const res = await get({ authorization: `Bearer ${key}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { prices: { model: string; inputPerMTok: number; cacheReadPerMTok: number; verified: boolean }[] };
    const haiku = body.prices.find((p) => p.model === "claude-haiku-4-5")!;
    expect(haiku).toMatchObject({ inputPerMTok: 1, cacheReadPerMTok: 0.1, verified: true });
    expect(body.prices.find((p) => p.model === "claude-sonnet-5")!.verified).toBe(false);
  });

  it("refuses an anonymous caller with 401", async () => {
    expect((await get({})).status).toBe(401);
  });

  it("refuses a key without metrics:read", async () => {
    const { key: ingestOnly } = await projectWithKey(handle.db, ["ingest"]);
    expect((await get({ authorization: `Bearer ${ingestOnly}` })).status).toBe(403);
  });
});

describe("PUT /api/v1/prices", () => {
  const row = { model: "claude-haiku-4-5", effectiveFrom: "2026-06-01T00:00:00Z", inputPerMTok: 2, cacheWrite5mPerMTok: 2.5, cacheWrite1hPerMTok: 4, cacheReadPerMTok: 0.2, outputPerMTok: 10 };

  it("refuses API keys: prices change only by a signed-in editor", async () => {
    const res = await put({ authorization: `Bearer ${key}` }, { prices: [row] });
    expect(res.status).toBe(403);
  });

  it("refuses an anonymous caller with 401 and changes nothing", async () => {
    expect((await put({}, { prices: [row] })).status).toBe(401);
    const body = (await (await get({ authorization: `Bearer ${otherKey}` })).json()) as { prices: { model: string; effectiveFrom: string }[] };
    expect(body.prices.some((p) => p.effectiveFrom.startsWith("2026-06-01"))).toBe(false);
  });
});
