import http from "node:http";
import Anthropic from "@anthropic-ai/sdk";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { log } from "../log";
import type { IngestFn } from "../recording/event-writer";
import { startSimulatorServer, type SimulatorServer } from "../simulator";
import { projectWithKey } from "../auth/testing/project-with-key";
import { serveHandler } from "../http/testing/serve-handler";
import { createGateway } from "./gateway";
import { startHarness, waitFor, type Harness } from "./testing/gateway-harness";
import { resolveUpstream } from "./upstream";

const PROVIDER_KEY = "sk-ant-api03-PROVIDERSECRET0123456789abcdefghijklmnopqrstuvwxyz";
let handle: DbHandle;
let clientKey: string;
let sim: SimulatorServer;
let hop: { url: string; close: () => Promise<void> };
let h: Harness;
const upstreamSaw: http.IncomingHttpHeaders[] = [];
const logLines: string[] = [];
const answers: string[] = [];
let restoreLog: () => void;
let writerDown = false;

beforeAll(async () => {
  // Capture every log line the process writes, at the most verbose level.
  const stream = log[pino.symbols.streamSym as unknown as keyof typeof log] as unknown;
  const previousLevel = log.level;
  (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = { write: (s: string) => logLines.push(s) };
  log.level = "trace";
  restoreLog = () => {
    (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = stream;
    log.level = previousLevel;
  };

  handle = await createTestDb();
  clientKey = (await projectWithKey(handle.db)).key;
  sim = await startSimulatorServer({ latencyScale: 0 });
  // The upstream as the gateway sees it: records the headers it receives, then asks the
  // simulator. `x-test-upstream: 401` answers as Anthropic does for a bad key; `echo-key` as a
  // broken upstream that echoes the key back in its error.
  hop = await serveHandler(async (req, res) => {
    upstreamSaw.push(req.headers);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const mode = req.headers["x-api-key"] && JSON.parse(Buffer.concat(chunks).toString("utf8")).metadata?.user_id;
    if (mode === "401" || mode === "echo-key") {
      const message = mode === "401" ? "invalid x-api-key" : `invalid key ${String(req.headers["x-api-key"])}`;
      res.writeHead(mode === "401" ? 401 : 400, { "content-type": "application/json", "request-id": "req_hop" });
      res.end(JSON.stringify({ type: "error", error: { type: mode === "401" ? "authentication_error" : "invalid_request_error", message }, request_id: "req_hop" }));
      return;
    }
    const up = http.request(`${sim.url}${req.url}`, { method: "POST", headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    up.end(Buffer.concat(chunks));
  });
  const failing = (real: IngestFn): IngestFn => async (p, e) => {
    if (writerDown) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    return real(p, e);
  };
  h = await startHarness(handle, clientKey, { env: { ANTHROPIC_API_KEY: PROVIDER_KEY, PITWALL_UPSTREAM_URL: hop.url }, ingest: failing });
});
afterAll(async () => {
  await h?.close();
  await hop?.close();
  await sim?.close();
  await handle?.close();
  restoreLog?.();
});

async function keep(p: Promise<unknown>): Promise<void> {
  try {
    const v = await p;
    answers.push(JSON.stringify(v));
  } catch (err) {
    const e = err as { message?: string; headers?: Headers; error?: unknown };
    answers.push(`${e.message} ${JSON.stringify(e.error)} ${JSON.stringify([...(e.headers?.entries() ?? [])])}`);
  }
}

describe("secrets never leak", () => {
  it("the provider key goes only to the upstream, the client key nowhere; neither appears in logs or answers", async () => {
    const client = h.client();
    const ask = (user?: string) => ({ model: "claude-haiku-4-5", max_tokens: 50, messages: [{ role: "user" as const, content: "hello" }], ...(user ? { metadata: { user_id: user } } : {}) });
    await keep(client.messages.create(ask()).withResponse().then((r) => ({ data: r.data, headers: [...r.response.headers.entries()] })));
    await keep(client.messages.stream(ask()).finalMessage());
    await keep(client.messages.countTokens({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "hi" }] }));
    await keep(client.messages.create({ ...ask(), temperature: 1 } as never)); // upstream 400
    await keep(client.messages.create(ask("401"))); // upstream refuses the provider key
    await keep(client.messages.create(ask("echo-key"))); // a broken upstream echoing the key
    await keep(new Anthropic({ baseURL: h.baseURL, apiKey: `${clientKey.slice(0, -4)}ZZZZ`, maxRetries: 0 }).messages.create(ask())); // wrong key
    // Failures that log: an unreachable upstream (with the provider key configured)...
    const dead = createGateway({ getDb: () => handle.db, upstream: resolveUpstream({ ANTHROPIC_API_KEY: PROVIDER_KEY, PITWALL_UPSTREAM_URL: "http://127.0.0.1:9" }) });
    const deadServer = await serveHandler(dead.handler);
    await keep(new Anthropic({ baseURL: `${deadServer.url}/gateway`, apiKey: clientKey, maxRetries: 0 }).messages.create(ask()));
    await deadServer.close();
    await dead.close();
    // ...and the event writer losing its database.
    writerDown = true;
    await keep(client.messages.create(ask()));
    await waitFor(() => h.writer.stats().spooled > 0, 5_000);
    writerDown = false;
    await waitFor(() => h.writer.stats().spooled === 0, 5_000);

    // What the upstream received: the provider key as x-api-key, never the client's key.
    expect(upstreamSaw.length).toBeGreaterThanOrEqual(6);
    for (const headers of upstreamSaw) {
      expect(headers["x-api-key"]).toBe(PROVIDER_KEY);
      expect(headers.authorization).toBeUndefined();
      expect(JSON.stringify(headers)).not.toContain(clientKey);
    }
    // The 401 became a 502 that names the server's configuration, not the client's key.
    expect(answers[4]).toMatch(/502/);
    expect(answers[4]).toMatch(/ANTHROPIC_API_KEY/);

    // The failures above did log (with their causes), so the check below has something to read.
    expect(logLines.some((l) => l.includes("gateway request failed") && l.includes("ECONNREFUSED"))).toBe(true);
    expect(logLines.some((l) => l.includes("spooling events to disk"))).toBe(true);
    const everything = [...logLines, ...answers].join("\n");
    expect(everything).not.toContain(PROVIDER_KEY);
    expect(everything).not.toContain(PROVIDER_KEY.slice(10, 40));
    expect(everything).not.toContain(clientKey);
    expect(everything).not.toContain(clientKey.slice(14));
  });
});
