import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { llmRow, toolRow, trafficOf } from "./testing/traffic-rows";
import { decode, NONE } from "./traffic";
import { Interner } from "./traffic-builder";

describe("TrafficBuilder", () => {
  it("puts rows in time order whatever order they came in, keeping each row's values together", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 300 }), (times) => {
        const rows = times.map((t, k) => llmRow({ id: `id${k}`, tsMs: 1.7e12 + t, inputTokens: k }));
        const t = trafficOf(rows);
        for (let i = 1; i < t.llm.length; i++) expect(t.llm.tsMs[i - 1]!).toBeLessThanOrEqual(t.llm.tsMs[i]!);
        for (let i = 0; i < t.llm.length; i++) {
          const k = t.llm.inputTokens[i]!;
          expect(t.llm.id.at(i)).toBe(`id${k}`);
          expect(t.llm.tsMs[i]).toBe(1.7e12 + times[k]!);
        }
      }),
    );
  });

  it("sorts spans wider than the packed key allows with the comparator", () => {
    const t = trafficOf([llmRow({ id: "b", tsMs: 8e15 }), llmRow({ id: "a", tsMs: 1 }), llmRow({ id: "c", tsMs: 4e15 })]);
    expect([t.llm.id.at(0), t.llm.id.at(1), t.llm.id.at(2)]).toEqual(["a", "c", "b"]);
  });

  it("interns equal strings to one code and null to NONE", () => {
    const t = trafficOf([llmRow({ route: "x", promptHash: "h" }), llmRow({ route: "y", promptHash: "h" }), llmRow({ route: null, promptHash: null })]);
    expect(t.llm.promptHash[0]).toBe(t.llm.promptHash[1]);
    expect(t.llm.route[0]).not.toBe(t.llm.route[1]);
    expect(t.llm.route[2]).toBe(NONE);
    expect(decode(t.routes, t.llm.route[1]!)).toBe("y");
  });

  it("gives a tags object the code of the same object's jsonb text", () => {
    const t = trafficOf([llmRow({ tags: { tier: "gold", a: "1" } }), llmRow({ tags: '{"a": "1", "tier": "gold"}' })]);
    expect(t.tags[t.llm.tagSet[0]!]).toEqual({ a: "1", tier: "gold" });
    expect(t.llm.tagSet[1]).toBe(t.llm.tagSet[0]);
  });

  it("links a tool span's id to the calls and spans that name it as parent", () => {
    const t = trafficOf([llmRow({ parent: "span-1" })], [toolRow({ id: "span-1" }), toolRow({ id: "span-2", parent: "span-1" })]);
    expect(t.tools.span[0]).toBe(t.llm.parent[0]);
    expect(t.tools.parent[1]).toBe(t.tools.span[0]);
  });
});

describe("Interner", () => {
  it("gives every distinct string its own code and the same code again, from strings or bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 400 }), (strings) => {
        const d = new Interner();
        const enc = new TextEncoder();
        const codes = new Map<string, number>();
        for (const s of strings) {
          const b = enc.encode(`..${s}..`);
          const c = strings.indexOf(s) % 2 === 0 ? d.code(s) : d.codeBytes(b, 2, b.length - 2);
          if (codes.has(s)) expect(c).toBe(codes.get(s));
          else codes.set(s, c);
        }
        expect(new Set(codes.values()).size).toBe(codes.size);
        for (const [s, c] of codes) expect(d.values[c]).toBe(s);
      }),
    );
  });
});
