import { createRng, intBetween, pick, seedFrom } from "../simulator/prng";

/**
 * What the demo's tools "return": deterministic text per tool and input, sized like real tool
 * output (a few hundred characters), so the next turn's prompt grows as an agent's does.
 */
export function toolResultFor(name: string, input: unknown): string {
  const rng = createRng(seedFrom(name, JSON.stringify(input ?? {})));
  switch (name) {
    case "search_docs": {
      const titles = ["Gateway latency report", "Prompt caching rollout notes", "Q3 cost review", "Routing policy changelog", "Support deflection study"];
      const hits = Array.from({ length: intBetween(rng, 2, 4) }, (_, i) => `${i + 1}. ${pick(rng, titles)} (docs/${pick(rng, ["eng", "ops", "finance"])}/${intBetween(rng, 100, 999)}): "...p99 fell from ${intBetween(rng, 900, 1500)} ms to ${intBetween(rng, 400, 899)} ms after..."`);
      return hits.join("\n");
    }
    case "fetch_page":
      return `Page text (truncated): Pricing per million tokens varies by model. Cache reads are billed at ${pick(rng, ["0.1x", "0.08x", "0.05x"])} the input rate on most models; writes at 1.25x for 5 minutes and 2x for one hour. Last updated ${intBetween(rng, 1, 28)} days ago.`;
    case "run_sql": {
      const rows = Array.from({ length: intBetween(rng, 3, 6) }, () => `${pick(rng, ["support-answer", "code-review", "research-planner"])} | ${intBetween(rng, 1_000, 90_000)} calls | ${(rng() * 900).toFixed(2)} USD`);
      return `route | calls | cost\n${rows.join("\n")}\n(${rows.length} rows)`;
    }
    default:
      return `No result for ${name}.`;
  }
}
