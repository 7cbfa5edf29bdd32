import { describe, expect, it } from "vitest";
import type { Finding } from "../finding-schema";
import { worldPrices } from "../testing/traffic-world";
import { llmRow, TEST_WINDOW, trafficOf } from "../testing/traffic-rows";
import { analyzeFindings } from "./analyze-findings";

/**
 * Five sessions of eight turns on Sonnet 4.5 ($3 per million input tokens) over the test window's
 * two days; turn k sends 1,000 + 2,000k prompt tokens (1K, 3K, ... 15K: 64K a session).
 * N = half the median session length = 4, S = the median growth = 2,000 tokens.
 * Sliding window of 4: turns 4..7 send prompt(k-4) - prompt(0) fewer: 0 + 2K + 4K + 6K = 12K a session.
 * Summary at 4 turns: turns 4..7 each send prompt(3) - prompt(0) - S = 6K - 2K = 4K fewer: 16K a session.
 */
function growingSessions() {
  const rows = [];
  for (let s = 0; s < 5; s++) {
    for (let k = 0; k < 8; k++) {
      rows.push(llmRow({ route: "chat", session: `s${s}`, tsMs: TEST_WINDOW.fromMs + 3_600_000 + s * 600_000 + k * 30_000, inputTokens: 1000 + 2000 * k, outputTokens: 50 }));
    }
  }
  return trafficOf(rows);
}

describe("context growth: a sliding window or a summary at N turns", () => {
  const answer = analyzeFindings(growingSessions(), { prices: worldPrices(), projectSlug: "demo" });
  const growth = answer.findings.find((f) => f.kind === "context_growth") as Finding;

  it("prices the sliding window of N turns", () => {
    expect(growth.evidence.affected).toBe(40);
    expect(growth.evidence.details.growthPerTurn).toBe(2000);
    // 5 x 12K = 60K tokens of 320K; 60K x $3/M over two days = $0.09 a day.
    expect(growth.evidence.details.slidingWindow).toEqual({ turns: 4, tokensSaved: 60_000, tokensSavedShare: 0.1875, usdPerDay: 0.09 });
    // The fields the page and the plan already read are kept.
    expect(growth.evidence.details).toMatchObject({ windowTurns: 4, tokensSaved: 60_000, tokensSavedShare: 0.1875, turnsPerSession: 8, sessions: 5 });
    expect(growth.impact.usdPerDay).toBe(0.09);
  });

  it("prices a summary of the median per-turn growth at N turns", () => {
    // 5 x 16K = 80K tokens of 320K; 80K x $3/M over two days = $0.12 a day.
    expect(growth.evidence.details.summary).toEqual({ atTurns: 4, summaryTokens: 2000, tokensSaved: 80_000, tokensSavedShare: 0.25, usdPerDay: 0.12 });
  });

  it("names both options and their savings in the recommendation", () => {
    expect(growth.recommendation).toBe(
      "Keep a sliding window of the last 4 turns: 19% of these sessions' input tokens would not be sent ($0.09/day). Or, after 4 turns, replace the history so far with a ~2,000-token summary: 25% ($0.12/day).",
    );
  });
});
