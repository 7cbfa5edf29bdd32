import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { startHarness, type Harness } from "../gateway/testing/gateway-harness";
import { updateProject } from "../projects/project-queries";
import { projectWithKey } from "./testing/project-with-key";
import { keyRateLimiter } from "./rate-limit";

/** The gateway authenticates through authenticate(), which applies the per-key limit. */
let handle: DbHandle;
let harness: Harness;
let key: string;

beforeAll(async () => {
  handle = await createTestDb();
  const created = await projectWithKey(handle.db, ["gateway"]);
  key = created.key;
  await updateProject(handle.db, created.project.id, { settings: { rateLimitPerSecond: 2, rateLimitBurst: 0 } });
  keyRateLimiter().invalidate(created.project.id);
  harness = await startHarness(handle, key);
});
afterAll(async () => {
  await harness?.close();
  await handle?.close();
});

describe("gateway per-key rate limit", () => {
  it("answers Anthropic's 429 rate_limit_error with retry-after once the key is over its limit", async () => {
    const call = () =>
      fetch(`${harness.baseURL}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key, "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
      });
    // Together, so all land in one one-second window.
    const responses = await Promise.all(Array.from({ length: 4 }, call));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429]);
    const limited = responses.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = (await limited.json()) as { type: string; error: { type: string } };
    expect(body).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    await Promise.all(responses.filter((r) => r !== limited).map((r) => r.text()));
  });
});
