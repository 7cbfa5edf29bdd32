import { describe, expect, it } from "vitest";
import { decodedRows } from "./testing/decoded-rows";
import { llmRow, toolRow, trafficOf } from "./testing/traffic-rows";
import { allRows } from "./traffic";
import { BlockEncoder, BlockFormatError, decodeBlockInto } from "./traffic-block-codec";
import { TrafficBuilder } from "./traffic-builder";

const T0 = Date.parse("2026-11-30T00:00:00Z");

function roundTrip(t: ReturnType<typeof trafficOf>, into = new TrafficBuilder({ projectId: t.projectId, fromMs: t.fromMs, toMs: t.toMs })) {
  decodeBlockInto(new BlockEncoder(t).encode(allRows(t)), into);
  return into.finish();
}

describe("traffic blocks (codec)", () => {
  it("gives back every row and value, nulls and NaN included", () => {
    const t = trafficOf(
      [
        llmRow({ tsMs: T0 + 1, route: "faq", agent: "bot", session: "s1", trace: "tr1", parent: "tool1", user: "u1", tags: { team: "a" }, promptHash: "ph", systemHash: "sh",
          status: "error", responseCache: "hit", streamed: false, unpriced: true, latencyMs: 812.5, ttftMs: null, inputTokens: 4_000_000_000, cacheReadTokens: 7,
          systemTokens: 4100, messageCount: 3, toolCount: 2, policyVersion: 9, requestedCacheTtlSec: 0, costNano: 2 ** 52 + 1, receivedUs: 1.7e15 + 3 }),
        llmRow({ tsMs: T0 + 2, route: null, agent: null, model: null, requestedModel: null, tags: {}, promptHash: null, latencyMs: null, systemTokens: null, messageCount: null }),
      ],
      [toolRow({ id: "tool1", tsMs: T0, parent: null, name: null, latencyMs: null, status: "aborted", receivedUs: 5 }), toolRow({ tsMs: T0 + 3, parent: "tool1", session: "s1" })],
    );
    const back = roundTrip(t);
    expect(decodedRows(back)).toEqual(decodedRows(t));
    expect(back.tags).toEqual(t.tags);
  });

  it("codes with one, two or four bytes as the block's dictionary needs, into a builder that already holds rows", () => {
    for (const distinct of [200, 300, 70_000]) {
      const rows = Array.from({ length: distinct }, (_, k) => llmRow({ tsMs: T0 + k, trace: `trace-${k}`, promptHash: k % 2 ? null : `h${k}` }));
      const t = trafficOf(rows);
      const into = new TrafficBuilder({ projectId: t.projectId, fromMs: t.fromMs, toMs: t.toMs });
      into.addLlm(llmRow({ tsMs: T0 - 1, trace: "trace-7" }));
      const back = roundTrip(t, into);
      expect(back.llm.length).toBe(distinct + 1);
      expect(decodedRows(back).llm.slice(1)).toEqual(decodedRows(t).llm);
      // The string the builder held already keeps its code.
      expect(back.llm.trace[0]).toBe(back.llm.trace[8]);
    }
  });

  it("encodes a range of rows only, with only the strings those rows use", () => {
    const t = trafficOf([llmRow({ tsMs: T0, route: "a" }), llmRow({ tsMs: T0 + 1, route: "b" }), llmRow({ tsMs: T0 + 2, route: "c" })], [toolRow({ tsMs: T0 + 1 })]);
    const block = new BlockEncoder(t).encode({ llm: [1, 2], tools: [0, 0] });
    const b = new TrafficBuilder({ projectId: t.projectId, fromMs: t.fromMs, toMs: t.toMs });
    decodeBlockInto(block, b);
    const back = b.finish();
    expect(back.llm.length).toBe(1);
    expect(back.tools.length).toBe(0);
    expect(back.routes.values).toEqual(["b"]);
  });

  it("refuses bytes it did not write", () => {
    const t = trafficOf([llmRow({ tsMs: T0 })]);
    const block = new BlockEncoder(t).encode(allRows(t));
    const fresh = () => new TrafficBuilder({ projectId: t.projectId, fromMs: t.fromMs, toMs: t.toMs });
    expect(() => decodeBlockInto(block.subarray(0, block.length - 3), fresh())).toThrow(BlockFormatError);
    const other = block.slice();
    other[4] = 99; // another format
    expect(() => decodeBlockInto(other, fresh())).toThrow(/format 99/);
    expect(() => decodeBlockInto(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), fresh())).toThrow(BlockFormatError);
    const longer = new Uint8Array(block.length + 1);
    longer.set(block);
    expect(() => decodeBlockInto(longer, fresh())).toThrow(/past its end/);
  });
});
