import { afterEach, describe, expect, it } from "vitest";
import { createPitwall } from "./pitwall";
import { startFaultServer, type Fault, type FaultServer } from "./testing/fault-server";

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const KEY = "pw_sk_" + "t".repeat(40);
const toolEvent = (i: number) => ({ kind: "tool" as const, latencyMs: i % 1000, metadata: { name: `t${i}` } });

describe("SDK delivery", () => {
  it("delivers 10,000 events exactly once through 503s, 429s, timeouts, resets and slow answers", async () => {
    const faults: Fault[] = ["503", "429", "timeout", "reset-before", "reset-after", "slow"];
    // A fixed pattern: every third request fails in one of six ways; first attempts fail more often.
    server = await startFaultServer((n) => (n % 3 === 0 ? faults[(n / 3) % faults.length]! : "ok"), { holdMs: 400 });
    const errors: Error[] = [];
    const pitwall = createPitwall({
      baseUrl: server.url,
      apiKey: KEY,
      agent: "load",
      requestTimeoutMs: 250,
      backoffBaseMs: 5,
      backoffMaxMs: 50,
      maxQueue: 20_000,
      flushOnExit: false,
      onError: (e) => errors.push(e),
    });
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(pitwall.track(toolEvent(i)));
    await pitwall.flush();

    expect(errors).toEqual([]);
    expect(server.stored.size).toBe(10_000);
    expect([...server.stored.keys()].every((id) => ids.has(id))).toBe(true);
    expect(pitwall.stats).toMatchObject({ dropped: 0, failed: 0, rejected: 0 });
    // Every fault kind happened, and resends carried the same ids (some arrived twice, stored once).
    expect(new Set(server.requests.map((r) => r.fault))).toEqual(new Set([...faults, "ok"]));
    expect([...server.seen.values()].some((n) => n > 1)).toBe(true);
    expect(pitwall.stats.retries).toBeGreaterThan(0);
    // Batches of at most 100 events.
    expect(Math.max(...server.requests.map((r) => r.ids.length))).toBe(100);
    await pitwall.shutdown();
  }, 120_000);

  it("never retries a 400: the batch is sent once and counted as rejected", async () => {
    server = await startFaultServer(() => "400");
    const errors: Error[] = [];
    const pitwall = createPitwall({ baseUrl: server.url, apiKey: KEY, flushOnExit: false, backoffBaseMs: 1, onError: (e) => errors.push(e) });
    for (let i = 0; i < 3; i++) pitwall.track(toolEvent(i));
    await pitwall.flush();
    expect(server.requests).toHaveLength(1);
    expect(pitwall.stats).toMatchObject({ rejected: 3, retries: 0, sent: 0 });
    expect(errors[0]?.message).toMatch(/refused 3 events \(400\)/);
  });

  it("honours Retry-After on a 429 before the next attempt", async () => {
    server = await startFaultServer((n) => (n === 0 ? "429" : "ok"), { retryAfter: "1" });
    const pitwall = createPitwall({ baseUrl: server.url, apiKey: KEY, flushOnExit: false, backoffBaseMs: 1, backoffMaxMs: 2 });
    pitwall.track(toolEvent(1));
    await pitwall.flush();
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(990);
    expect(server.requests[1]!.ids).toEqual(server.requests[0]!.ids);
  });

  it("keeps the queue bounded and counts what it drops", async () => {
    server = await startFaultServer(() => "ok");
    const pitwall = createPitwall({ baseUrl: server.url, apiKey: KEY, flushOnExit: false, maxQueue: 50, maxBatch: 100 });
    for (let i = 0; i < 80; i++) pitwall.track(toolEvent(i));
    expect(pitwall.stats).toMatchObject({ dropped: 30, queued: 50 });
    await pitwall.flush();
    expect(server.stored.size).toBe(50);
    expect(pitwall.stats.sent).toBe(50);
  });

  it("sends a partial batch after the flush interval, and a full one at once", async () => {
    server = await startFaultServer(() => "ok");
    const pitwall = createPitwall({ baseUrl: server.url, apiKey: KEY, flushOnExit: false, flushIntervalMs: 200 });
    const t0 = Date.now();
    pitwall.track(toolEvent(1));
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 250));
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.at - t0).toBeGreaterThanOrEqual(190);
    for (let i = 0; i < 100; i++) pitwall.track(toolEvent(i));
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.ids).toHaveLength(100);
    await pitwall.shutdown();
  });

  it("gives up after maxAttempts on a server that stays down, counting the events as failed", async () => {
    server = await startFaultServer(() => "503");
    const pitwall = createPitwall({ baseUrl: server.url, apiKey: KEY, flushOnExit: false, maxAttempts: 3, backoffBaseMs: 1, backoffMaxMs: 2 });
    pitwall.track(toolEvent(1));
    await pitwall.flush();
    expect(server.requests).toHaveLength(3);
    expect(pitwall.stats).toMatchObject({ failed: 1, retries: 2 });
  });

  it("drops (and counts) events tracked after shutdown", async () => {
    server = await startFaultServer(() => "ok");
    const pitwall = createPitwall({ baseUrl: server.url, apiKey: KEY, flushOnExit: false });
    pitwall.track(toolEvent(1));
    await pitwall.shutdown();
    pitwall.track(toolEvent(2));
    expect(server.stored.size).toBe(1);
    expect(pitwall.stats.dropped).toBe(1);
  });
});
