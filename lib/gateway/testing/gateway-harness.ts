import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Anthropic, { type ClientOptions } from "@anthropic-ai/sdk";
import { and, eq, inArray } from "drizzle-orm";
import type { DbHandle } from "@/db/client";
import { events, type EventRow } from "@/db/schema";
import { ingestBatch } from "../../ingestion/ingest-batch";
import { EventWriter, type IngestFn } from "../../recording/event-writer";
import type { ResponseCache } from "../../response-cache/response-cache";
import { startSimulatorServer, type SimulatorOptions, type SimulatorServer } from "../../simulator";
import { serveHandler } from "../../http/testing/serve-handler";
import { createGateway, type Gateway, type GatewayOptions } from "../gateway";
import { resolveUpstream } from "../upstream";

export type Harness = {
  /** The SDK's baseURL: http://127.0.0.1:<port>/gateway */
  baseURL: string;
  sim: SimulatorServer;
  gateway: Gateway;
  writer: EventWriter;
  client: (opts?: ClientOptions) => Anthropic;
  close: () => Promise<void>;
};

export type HarnessOptions = {
  sim?: SimulatorOptions;
  /** Extra environment for resolveUpstream (ANTHROPIC_API_KEY...). */
  env?: Record<string, string>;
  responseCache?: ResponseCache | null;
  /** Wraps the writer's ingest (outage tests). */
  ingest?: (real: IngestFn) => IngestFn;
  gateway?: Partial<GatewayOptions>;
};

/**
 * A gateway served on a random loopback port, in front of a simulator on another, recording
 * into `db` through a real EventWriter. For tests only.
 */
export async function startHarness(db: DbHandle, key: string, opts: HarnessOptions = {}): Promise<Harness> {
  const sim = await startSimulatorServer({ latencyScale: 0, ...opts.sim });
  const spoolDir = await mkdtemp(path.join(os.tmpdir(), "pitwall-gw-spool-"));
  const real: IngestFn = (projectId, evs) => ingestBatch(db.db, projectId, evs, { source: "gateway" });
  const writer = new EventWriter({ ingest: opts.ingest ? opts.ingest(real) : real, spoolDir, flushIntervalMs: 20, retryMinMs: 50, retryMaxMs: 200 });
  const gateway = createGateway({
    getDb: () => db.db,
    upstream: resolveUpstream({ PITWALL_UPSTREAM_URL: sim.url, ...opts.env }),
    recorder: writer,
    responseCache: opts.responseCache ?? null,
    ...opts.gateway,
  });
  const server = await serveHandler(gateway.handler);
  const baseURL = `${server.url}/gateway`;
  return {
    baseURL,
    sim,
    gateway,
    writer,
    client: (clientOpts = {}) => new Anthropic({ baseURL, apiKey: key, maxRetries: 0, ...clientOpts }),
    close: async () => {
      await server.close();
      await gateway.close();
      await writer.close();
      await sim.close();
      await rm(spoolDir, { recursive: true, force: true });
    },
  };
}

/** Waits until every id is stored (the writer is asynchronous), then returns the rows by id. */
export async function waitForEvents(db: DbHandle, projectId: string, ids: string[], timeoutMs = 10_000): Promise<Map<string, EventRow>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = ids.length === 0 ? [] : await db.db.select().from(events).where(and(eq(events.projectId, projectId), inArray(events.id, ids)));
    if (rows.length >= new Set(ids).size) return new Map(rows.map((r) => [r.id, r]));
    if (Date.now() > deadline) throw new Error(`only ${rows.length} of ${ids.length} events were recorded`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
