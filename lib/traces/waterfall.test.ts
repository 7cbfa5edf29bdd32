import { describe, expect, it } from "vitest";
import { buildWaterfall, seconds, type TraceSpanInput } from "./waterfall";

const T = 1_760_000_000_000;
const span = (id: string, kind: "llm" | "tool", start: number, duration: number, parentId: string | null = null): TraceSpanInput => ({
  id,
  parentId,
  kind,
  name: id,
  startMs: T + start,
  durationMs: duration,
  status: "ok",
});

describe("trace waterfall", () => {
  it("five sequential 200 ms tools: the hint says 1.0 s could run in 0.2 s", () => {
    const spans = [span("plan", "llm", 0, 500), ...[0, 1, 2, 3, 4].map((i) => span(`t${i}`, "tool", 500 + i * 200, 200)), span("answer", "llm", 1500, 400)];
    const w = buildWaterfall(spans);
    expect(w.hints).toHaveLength(1);
    expect(w.hints[0]).toMatchObject({ parentId: null, toolIds: ["t0", "t1", "t2", "t3", "t4"], sequentialMs: 1000, parallelMs: 200 });
    expect(w.hints[0]!.message).toBe("sequential: 1.0 s of tools could run in 0.2 s in parallel");
    expect(w.durationMs).toBe(1900);
    // Everything is on the critical path of a strictly sequential trace.
    expect(w.rows.every((r) => r.critical)).toBe(true);
  });

  it("parallel tools give no hint, and only the longest one is critical", () => {
    const spans = [span("plan", "llm", 0, 100), span("a", "tool", 100, 200), span("b", "tool", 100, 500), span("c", "tool", 105, 300), span("answer", "llm", 600, 100)];
    const w = buildWaterfall(spans);
    expect(w.hints).toEqual([]);
    expect(w.rows.filter((r) => r.critical).map((r) => r.id)).toEqual(["plan", "b", "answer"]);
  });

  it("tools split by an LLM call are not one run (the call decides the next tool)", () => {
    const spans = [span("t1", "tool", 0, 200), span("think", "llm", 200, 300), span("t2", "tool", 500, 200)];
    expect(buildWaterfall(spans).hints).toEqual([]);
  });

  it("nests children under their parent with depth and offsets, and finds hints per parent", () => {
    const spans = [span("agent-tool", "tool", 0, 1000), span("sub1", "tool", 100, 300, "agent-tool"), span("sub2", "tool", 400, 300, "agent-tool"), span("llm", "llm", 800, 150, "agent-tool")];
    const w = buildWaterfall(spans);
    expect(w.rows.map((r) => [r.id, r.depth, r.offsetMs, r.endMs])).toEqual([
      ["agent-tool", 0, 0, 1000],
      ["sub1", 1, 100, 400],
      ["sub2", 1, 400, 700],
      ["llm", 1, 800, 950],
    ]);
    expect(w.hints).toEqual([expect.objectContaining({ parentId: "agent-tool", toolIds: ["sub1", "sub2"], sequentialMs: 600, parallelMs: 300 })]);
  });

  it("a parent missing from the trace makes a root; a cycle is cut, never looped", () => {
    const w = buildWaterfall([span("a", "tool", 0, 10, "b"), span("b", "tool", 0, 10, "a"), span("c", "llm", 5, 10, "gone")]);
    expect(w.rows.map((r) => r.id).sort()).toEqual(["a", "b", "c"]);
    expect(w.rows.find((r) => r.id === "c")!.depth).toBe(0);
  });

  it("an empty trace is empty", () => {
    expect(buildWaterfall([])).toEqual({ startMs: 0, durationMs: 0, rows: [], hints: [] });
  });

  it("formats seconds with one decimal under 10 s", () => {
    expect([seconds(1000), seconds(200), seconds(12_400)]).toEqual(["1.0 s", "0.2 s", "12 s"]);
  });
});
