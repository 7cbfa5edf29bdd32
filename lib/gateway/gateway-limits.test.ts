import http from "node:http";
import { APIError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { FAULT_HEADER } from "../simulator/faults";
import { projectWithKey } from "../auth/testing/project-with-key";
import { gatewayLimitsFromEnv } from "./admission";
import { startHarness, waitFor, type Harness } from "./testing/gateway-harness";

/** Past the in-flight caps and the body-byte ceiling, calls are refused at once with Retry-After. */
let handle: DbHandle;
let keyA: string;
let keyB: string;
let h: Harness;
const BUDGET = 1024 * 1024;

beforeAll(async () => {
  handle = await createTestDb();
  keyA = (await projectWithKey(handle.db)).key;
  keyB = (await projectWithKey(handle.db)).key;
  h = await startHarness(handle, keyA, { gateway: { limits: { maxInFlight: 3, maxInFlightPerKey: 2, maxBufferedBytes: BUDGET } } });
});
afterAll(async () => {
  await h?.close();
  await handle?.close();
});

const ask = (content = "hi") => ({ model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user" as const, content }] });

/** A call the simulator holds open until it is aborted; resolves once the upstream has it. */
async function stalled(key: string, content = "hi"): Promise<() => Promise<void>> {
  const controller = new AbortController();
  const before = h.sim.simulator.stats.inFlight;
  const pending = h
    .client({ apiKey: key })
    .messages.create(ask(content), { signal: controller.signal, headers: { [FAULT_HEADER]: "stall" } })
    .catch(() => {});
  await waitFor(() => h.sim.simulator.stats.inFlight > before, 5_000);
  return async () => {
    controller.abort();
    await pending;
  };
}

async function refusal(p: Promise<unknown>): Promise<APIError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(APIError);
  return err as APIError;
}

describe("in-flight caps", () => {
  it("a key past its cap gets a 429 with Retry-After; another key is still served; the process cap is a 503", async () => {
    const releases = [await stalled(keyA), await stalled(keyA)];
    try {
      const perKey = await refusal(h.client({ apiKey: keyA }).messages.create(ask()));
      expect(perKey.status).toBe(429);
      expect(perKey.headers?.get("retry-after")).toBe("1");
      expect(perKey.error).toMatchObject({ error: { type: "rate_limit_error", message: expect.stringMatching(/PITWALL_GATEWAY_MAX_IN_FLIGHT_PER_KEY/) } });

      expect((await h.client({ apiKey: keyB }).messages.create(ask())).type).toBe("message");

      releases.push(await stalled(keyB));
      const simBefore = h.sim.simulator.stats.requests;
      const overloaded = await refusal(h.client({ apiKey: keyB }).messages.create(ask()));
      expect(overloaded.status).toBe(503);
      expect(overloaded.headers?.get("retry-after")).toBe("1");
      expect(overloaded.error).toMatchObject({ error: { type: "overloaded_error", message: expect.stringMatching(/PITWALL_GATEWAY_MAX_IN_FLIGHT/) } });
      expect(h.sim.simulator.stats.requests).toBe(simBefore);
    } finally {
      for (const release of releases) await release();
    }
    await waitFor(() => h.gateway.active === 0, 2_000);
    // Every slot came back.
    expect((await h.client({ apiKey: keyA }).messages.create(ask())).type).toBe("message");
    expect((await h.client({ apiKey: keyA }).messages.create(ask())).type).toBe("message");
  });
});

/** Posts `total` bytes of a valid request chunk by chunk, without Content-Length. */
function chunkedPost(key: string, total: number): Promise<{ status: number; body: string; retryAfter?: string }> {
  const url = new URL(`${h.baseURL}/v1/messages`);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" } }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body, retryAfter: res.headers["retry-after"] as string | undefined }));
    });
    req.on("error", reject);
    const head = '{"model":"claude-haiku-4-5","max_tokens":16,"messages":[{"role":"user","content":"';
    const tail = '"}]}';
    req.write(head);
    let left = total - head.length - tail.length;
    const piece = "x".repeat(64 * 1024);
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, piece.length);
        left -= n;
        if (!req.write(piece.slice(0, n))) return void req.once("drain", pump);
      }
      req.end(tail);
    };
    req.on("response", () => (left = 0));
    pump();
  });
}

describe("the ceiling on buffered request bytes", () => {
  it("a body that would take the process past it is a 503 with Retry-After, declared or chunked; small calls still pass", async () => {
    const release = await stalled(keyA, "x".repeat(600 * 1024));
    try {
      expect(h.gateway.bufferedBytes).toBeGreaterThan(600 * 1024);
      const declared = await refusal(h.client({ apiKey: keyB }).messages.create(ask("y".repeat(600 * 1024))));
      expect(declared.status).toBe(503);
      expect(declared.headers?.get("retry-after")).toBe("1");
      expect(declared.error).toMatchObject({ error: { type: "overloaded_error", message: expect.stringMatching(/PITWALL_GATEWAY_MAX_BUFFERED_MB/) } });

      const chunked = await chunkedPost(keyB, 600 * 1024);
      expect(chunked.status).toBe(503);
      expect(chunked.retryAfter).toBe("1");
      expect(JSON.parse(chunked.body)).toMatchObject({ type: "error", error: { type: "overloaded_error" } });

      expect((await h.client({ apiKey: keyB }).messages.create(ask())).type).toBe("message");
    } finally {
      await release();
    }
    await waitFor(() => h.gateway.active === 0, 2_000);
    expect(h.gateway.bufferedBytes).toBe(0);
    expect((await h.client({ apiKey: keyB }).messages.create(ask("y".repeat(600 * 1024)))).type).toBe("message");
    expect((await chunkedPost(keyB, 600 * 1024)).status).toBe(200);
  });
});

describe("limit settings", () => {
  it("reads the three settings and refuses a bad value by name", () => {
    expect(gatewayLimitsFromEnv({})).toEqual({ maxInFlight: 1024, maxInFlightPerKey: 256, maxBufferedBytes: 128 * 1024 * 1024 });
    expect(
      gatewayLimitsFromEnv({ PITWALL_GATEWAY_MAX_IN_FLIGHT: "10", PITWALL_GATEWAY_MAX_IN_FLIGHT_PER_KEY: "5", PITWALL_GATEWAY_MAX_BUFFERED_MB: "64" }),
    ).toEqual({ maxInFlight: 10, maxInFlightPerKey: 5, maxBufferedBytes: 64 * 1024 * 1024 });
    expect(() => gatewayLimitsFromEnv({ PITWALL_GATEWAY_MAX_BUFFERED_MB: "0" })).toThrow(/PITWALL_GATEWAY_MAX_BUFFERED_MB must be a positive whole number/);
  });
});
