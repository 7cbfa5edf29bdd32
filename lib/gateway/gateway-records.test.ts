import { APIError } from "@anthropic-ai/sdk";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { events } from "@/db/schema";
import { createTestDb } from "@/db/test-db";
import { createIngestHandler } from "../ingestion/http-handler";
import type { IngestFn } from "../recording/event-writer";
import { llmEvent } from "../events/testing/llm-event";
import { projectWithKey } from "../auth/testing/project-with-key";
import { serveHandler } from "../http/testing/serve-handler";
import { startHarness, waitFor, waitForEvents, type Harness } from "./testing/gateway-harness";

/**
 * Every call the gateway serves is in the spend records exactly once, under the gateway's own
 * event: no header value can make its event unstorable, and no client event can take its id.
 */
let handle: DbHandle;
let projectId: string;
let key: string;
let h: Harness;
let ingestUrl: string;
let closeIngest: () => Promise<void>;
/** While set, the gateway's recorder waits before storing (the window a pre-empting client needs). */
let hold: Promise<void> | null = null;

beforeAll(async () => {
  handle = await createTestDb();
  const p = await projectWithKey(handle.db);
  projectId = p.project.id;
  key = p.key;
  const held = (real: IngestFn): IngestFn => async (pid, evs) => {
    if (hold) await hold;
    return real(pid, evs);
  };
  h = await startHarness(handle, key, { ingest: held });
  const ingest = await serveHandler(createIngestHandler(() => handle.db));
  ingestUrl = `${ingest.url}/api/v1/events`;
  closeIngest = ingest.close;
});
afterAll(async () => {
  await closeIngest?.();
  await h?.close();
  await handle?.close();
});

const body = { model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user" as const, content: "hi" }] };

async function postEvents(evs: unknown[]): Promise<{ status: number; json: { accepted: number; rejected: { index: number; error: string }[] } }> {
  const res = await fetch(ingestUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify({ events: evs }),
  });
  return { status: res.status, json: (await res.json()) as never };
}

async function countRows(): Promise<number> {
  return (await handle.db.select({ id: events.id }).from(events).where(eq(events.projectId, projectId))).length;
}

describe("header values that could not be recorded", () => {
  for (const [header, value] of [
    ["x-pitwall-route", "%00"],
    ["x-pitwall-agent", "bot%00"],
    ["x-pitwall-session", "s%00"],
    ["x-pitwall-tags", "team=a%00"],
    ["x-pitwall-tags", "a%00=b"],
  ] as const) {
    it(`${header}: ${value} is a 400 in Anthropic's shape and never reaches the upstream`, async () => {
      const before = h.sim.simulator.stats.requests;
      const err = await h
        .client()
        .messages.create(body, { headers: { [header]: value } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(APIError);
      expect((err as APIError).status).toBe(400);
      expect((err as APIError).error).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringMatching(/NUL/) } });
      expect(h.sim.simulator.stats.requests).toBe(before);
    });
  }
});

describe("client events and gateway ids", () => {
  it("an event posted with a gw_ id is refused with a clear error, the rest of its batch stored", async () => {
    const { status, json } = await postEvents([llmEvent({ id: "gw_0123456789abcdef0123456789abcdef", costUsd: 0 }), llmEvent()]);
    expect(status).toBe(207);
    expect(json.accepted).toBe(1);
    expect(json.rejected).toEqual([{ index: 0, id: "gw_0123456789abcdef0123456789abcdef", error: expect.stringMatching(/gw_ prefix is reserved/) }]);
  });

  it("a client that posts the id it was just given cannot pre-empt the call's event", async () => {
    let release!: () => void;
    hold = new Promise<void>((r) => (release = r));
    try {
      const { response } = await h.client().messages.create(body).withResponse();
      const id = response.headers.get("x-pitwall-request-id")!;
      expect(id).toMatch(/^gw_/);
      const forged = await postEvents([llmEvent({ id, costUsd: 0, inputTokens: 0, outputTokens: 0, model: "forged" })]);
      expect(forged.status).toBe(400);
      release();
      const rows = await waitForEvents(handle, projectId, [id]);
      const row = rows.get(id)!;
      expect(row.model).toBe("claude-haiku-4-5");
      expect(row.inputTokens).toBeGreaterThan(0);
      expect(row.costNanoUsd).toBeGreaterThan(0n);
      expect(row.costSource).toBe("computed");
    } finally {
      release?.();
      hold = null;
    }
  });
});

describe("every served call has exactly one event", () => {
  it("a mix of plain, percent-encoded, streamed and refused calls: one event per served call, none for refused ones", async () => {
    const startRows = await countRows();
    const refusedBefore = h.writer.stats();
    const served: string[] = [];
    let refused = 0;
    const variants: Record<string, string>[] = [
      {},
      { "x-pitwall-route": "caf%C3%A9", "x-pitwall-tags": "q=a%2Cb" },
      { "x-pitwall-route": "%00" },
      { "x-pitwall-session": "%E0%A4%A" },
      { "x-pitwall-agent": "a".repeat(300) },
    ];
    for (let i = 0; i < 20; i++) {
      const headers = variants[i % variants.length]!;
      const stream = i % 2 === 1;
      try {
        if (stream) {
          const s = h.client().messages.stream(body, { headers });
          await s.finalMessage();
          const { response } = await s.withResponse();
          served.push(response.headers.get("x-pitwall-request-id")!);
        } else {
          const { response } = await h.client().messages.create(body, { headers }).withResponse();
          served.push(response.headers.get("x-pitwall-request-id")!);
        }
      } catch (err) {
        expect((err as APIError).status).toBe(400);
        refused++;
      }
    }
    expect(served).toHaveLength(8);
    expect(refused).toBe(12);
    const rows = await waitForEvents(handle, projectId, served);
    expect([...rows.keys()].sort()).toEqual([...served].sort());
    await waitFor(async () => (await countRows()) === startRows + served.length);
    // Give a stray late write the chance to show up before the final count.
    await new Promise((r) => setTimeout(r, 200));
    expect(await countRows()).toBe(startRows + served.length);
    expect(h.writer.stats().rejected).toBe(refusedBefore.rejected);
  });
});
