import { describe, expect, it } from "vitest";
import { advisorLinkParts, changeOf, progressLabel, rankFindings, trustLabel, trusted, windowOf } from "./advisor-view";
import { finding } from "./testing/findings";

describe("advisor view", () => {
  it("ranks findings by dollars per day saved", () => {
    const ranked = rankFindings([finding("streaming", "a", {}, 1), finding("response_cache", "b", {}, 30), finding("batch", "c", {}, 5)]);
    expect(ranked.map((f) => f.kind)).toEqual(["response_cache", "batch", "streaming"]);
  });
  it("ranks findings that save no money by the perceived wait they save, as the API does", () => {
    const streaming = { ...finding("streaming", "a", {}, 0), impact: { p50Ms: 0, p95Ms: 0, ttftP95Ms: 0, perceivedMs: 1300, usdPerRequest: 0, usdPerDay: 0 } };
    const tools = { ...finding("sequential_tools", "b", {}, 0), impact: { p50Ms: 800, p95Ms: 900, ttftP95Ms: 0, perceivedMs: 400, usdPerRequest: 0, usdPerDay: 0 } };
    expect(rankFindings([tools, streaming]).map((f) => f.kind)).toEqual(["streaming", "sequential_tools"]);
  });
  it("computes a change only from two known figures and a non-zero baseline", () => {
    expect(changeOf(3200, 500)).toBeCloseTo(-0.84375, 5);
    expect(changeOf(null, 1)).toBeNull();
    expect(changeOf(0, 1)).toBeNull();
  });
  it("labels the backtest error as the prediction's trust", () => {
    expect(trustLabel(-0.0412)).toBe("±4.1%");
    expect(trustLabel(null)).toBe("—");
    expect(trusted(0.049)).toBe(true);
    expect(trusted(-0.06)).toBe(false);
    expect(trusted(null)).toBe(false);
  });
  it("makes a window ending now", () => {
    expect(windowOf(24, Date.parse("2026-12-02T00:00:00Z"))).toEqual({ from: "2026-12-01T00:00:00.000Z", to: "2026-12-02T00:00:00.000Z" });
  });

  it("names each progress stage for people, and passes an unknown one through", () => {
    expect(progressLabel("loading")).toBe("Loading the window's calls");
    expect(progressLabel("analysing context_growth")).toBe("Analysing context growth");
    expect(progressLabel("projecting")).toBe("Projecting each phase");
    expect(progressLabel("something new")).toBe("something new");
  });

  it("finds the link back to the advisor finding in a draft's message", () => {
    expect(advisorLinkParts('Advisor phase "Cache" for response_cache on faq: /p/e2e/advisor#finding-response_cache')).toEqual([
      { text: 'Advisor phase "Cache" for response_cache on faq: ', href: null },
      { text: "/p/e2e/advisor#finding-response_cache", href: "/p/e2e/advisor#finding-response_cache" },
    ]);
    expect(advisorLinkParts("a plain note")).toEqual([{ text: "a plain note", href: null }]);
    expect(advisorLinkParts("see https://evil.example/x")).toEqual([{ text: "see https://evil.example/x", href: null }]);
  });
});
