import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { startHarness, type Harness } from "../gateway/testing/gateway-harness";
import { createIngestHandler } from "../ingestion/http-handler";
import { serveHandler } from "../http/testing/serve-handler";
import { projectWithKey } from "./testing/project-with-key";
import { clearApiKeyCache } from "./api-keys";
import { AuthFailureLimiter, authFailuresPerMinute, setAuthFailureLimiter } from "./auth-failure-limit";
import { memoryLimiters } from "./rate-limit-store";

/** Failed key authentication is limited per client address on the hot paths (ingestion, gateway). */
const BUDGET = 5;
let handle: DbHandle;
let ingest: { url: string; close: () => Promise<void> };
let gateway: Harness;
let ingestKey: string;

beforeAll(async () => {
  handle = await createTestDb();
  ingestKey = (await projectWithKey(handle.db, ["ingest"])).key;
  ingest = await serveHandler(createIngestHandler(() => handle.db));
  gateway = await startHarness(handle, (await projectWithKey(handle.db, ["gateway"])).key);
});
afterAll(async () => {
  setAuthFailureLimiter(undefined);
  await ingest?.close();
  await gateway?.close();
  await handle?.close();
});

const junk = (i: number) => `pw_sk_junk${String(i).padStart(4, "0")}${"x".repeat(30)}`;
const postEvents = (key: string) =>
  fetch(`${ingest.url}/api/v1/events`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: '{"events":[]}' });

describe("failed authentication per client address", () => {
  it("ingestion: distinct junk keys get 401 for the budget's worth of failures, then 429 with Retry-After; a verified key keeps working", async () => {
    setAuthFailureLimiter(new AuthFailureLimiter(memoryLimiters(), BUDGET));
    clearApiKeyCache();
    expect((await postEvents(ingestKey)).status).not.toBe(401); // verified and cached
    for (let i = 0; i < BUDGET; i++) expect((await postEvents(junk(i))).status).toBe(401);
    const next = await postEvents(junk(101));
    expect(next.status).toBe(429);
    expect(Number(next.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await next.json()) as { error: { code: string } }).error.code).toBe("rate_limited:auth_failures");
    // The agent whose key this process already verified is not cut off by its neighbour.
    expect((await postEvents(ingestKey)).status).not.toBe(429);
  });

  it("gateway: the same budget answers with Anthropic's 429 shape", async () => {
    setAuthFailureLimiter(new AuthFailureLimiter(memoryLimiters(), BUDGET));
    const call = (key: string) =>
      fetch(`${gateway.baseURL}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key, "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < BUDGET + 2; i++) statuses.push((await call(junk(200 + i))).status);
    expect(statuses.slice(0, BUDGET)).toEqual(Array(BUDGET).fill(401));
    expect(statuses.slice(BUDGET)).toEqual([429, 429]);
    const body = (await (await call(junk(300))).json()) as { type: string; error: { type: string } };
    expect(body).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
  });

  it("reads PITWALL_AUTH_FAILURES_PER_MINUTE (0 turns the limit off; junk falls back to the default)", () => {
    expect(authFailuresPerMinute({})).toBe(30);
    expect(authFailuresPerMinute({ PITWALL_AUTH_FAILURES_PER_MINUTE: "0" })).toBe(0);
    expect(authFailuresPerMinute({ PITWALL_AUTH_FAILURES_PER_MINUTE: "7" })).toBe(7);
    expect(authFailuresPerMinute({ PITWALL_AUTH_FAILURES_PER_MINUTE: "lots" })).toBe(30);
  });
});
