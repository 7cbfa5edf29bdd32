import { costNanoUsd } from "../../pricing/compute-cost";
import { seededRandom } from "../../seeded-random";
import { medianTtftMs, profileFor } from "../../simulator/latency-profiles";
import type { WorkloadManifest } from "../../demo/reference/manifest";
import type { Traffic } from "../traffic";
import type { LlmRow, ToolRow } from "../traffic-builder";
import { worldPrices } from "./traffic-world";
import { llmRow, toolRow, trafficOf } from "./traffic-rows";

/**
 * Test-only: in-memory traffic with a manifest's planted rates, as the reference workload would
 * record it (route shares, exact repeats, uncached system prompts, streaming, sessions whose
 * context grows, tool spans in or out of order, tags), timed by the simulator's tables and priced
 * from the seed price table. Seeded: the same seed gives the same traffic.
 */
export function manifestTraffic(manifest: WorkloadManifest, opts: { seed: number; requests: number; spanMs?: number }): Traffic {
  const rnd = seededRandom(opts.seed);
  const prices = worldPrices();
  const start = Date.parse("2026-11-30T00:00:00Z");
  const span = opts.spanMs ?? 3_600_000;
  const llm: LlmRow[] = [];
  const tools: ToolRow[] = [];
  for (const r of manifest.routes) {
    const count = Math.round(opts.requests * r.requestShare);
    const prompts: string[] = [];
    const sessions = Math.ceil(count / r.turnsPerSession);
    let made = 0;
    for (let s = 0; s < sessions && made < count; s++) {
      let ts = start + rnd() * span * 0.9;
      for (let turn = 0; turn < r.turnsPerSession && made < count; turn++, made++) {
        const repeat = prompts.length > 0 && rnd() < r.repeatShare / (1 - 0) && r.turnsPerSession === 1;
        const promptHash = repeat ? prompts[Math.floor(rnd() * prompts.length)]! : `${r.route}-p${made}`;
        if (!repeat) prompts.push(promptHash);
        const prompt = r.turnsPerSession === 1 ? r.maxContextTokens : r.systemTokens + 200 + turn * r.contextGrowthPerTurn;
        const uncached = rnd() < r.uncachedSystemShare || r.systemTokens < 1024;
        const read = uncached || made === 0 ? 0 : r.systemTokens;
        const usage = { inputTokens: prompt - read, outputTokens: r.outputTokens, cacheReadTokens: read, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 };
        const p = profileFor(r.model);
        const ttft = medianTtftMs(p, usage);
        const latency = ttft + (r.outputTokens / p.outputTokensPerSec) * 1000;
        const price = prices.find(r.model, new Date(ts), prompt)!;
        const trace = r.toolsPerTrace > 0 ? `${r.route}-t${made}` : null;
        llm.push(
          llmRow({
            id: `${r.route}-${made}`,
            tsMs: ts,
            route: r.route,
            agent: r.agent,
            session: r.turnsPerSession > 1 ? `${r.route}-s${s}` : null,
            trace,
            model: r.model,
            requestedModel: r.model,
            tags: r.interactive ? {} : { interactive: "false" },
            promptHash,
            systemHash: `${r.route}-system`,
            systemTokens: r.systemTokens,
            streamed: rnd() < r.streamedShare,
            latencyMs: latency,
            ttftMs: ttft,
            ...usage,
            messageCount: 1 + turn * 2,
            costNano: Number(costNanoUsd(price, usage)),
          }),
        );
        if (trace) {
          let toolTs = ts + latency;
          for (let k = 0; k < r.toolsPerTrace; k++) {
            tools.push(toolRow({ id: `${trace}-tool${k}`, tsMs: toolTs, latencyMs: r.toolMs, trace, parent: null, agent: r.agent }));
            if (r.toolsSequential) toolTs += r.toolMs;
          }
        }
        ts += latency + 2000 + rnd() * 20_000;
      }
    }
  }
  return trafficOf(llm, tools, { fromMs: start, toMs: start + span });
}
