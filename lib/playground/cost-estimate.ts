import { PriceBook, type PriceRow } from "../pricing/compute-cost";
import type { ExperimentConfig, PaneConfig } from "./config-schema";

/** ~4 characters a token: the estimate the gateway and the simulator use too. */
function tokensOf(chars: number): number {
  return Math.ceil(chars / 4);
}

export function promptCharsOf(config: Pick<ExperimentConfig, "prompt" | "history">, pane: Pick<PaneConfig, "system" | "tools">): number {
  return config.prompt.length + config.history.reduce((s, t) => s + t.content.length, 0) + pane.system.length + pane.tools.length;
}

export type CostEstimate = {
  /** N x (max_tokens x output price + estimated input x input price), summed over priced panes. */
  worstCaseNanoUsd: bigint;
  /** Panes whose model has no price: their cost is not in the figure. */
  unpriced: string[];
};

/**
 * The worst case of a run before it starts: every call writes max_tokens and pays the full input
 * price (no prompt-cache discount), N times per pane. Prices are the ones in force now.
 */
export function estimateWorstCase(config: Pick<ExperimentConfig, "prompt" | "history" | "panes">, n: number, prices: PriceRow[], at = new Date()): CostEstimate {
  const book = new PriceBook(prices);
  let total = 0n;
  const unpriced: string[] = [];
  for (const pane of config.panes) {
    const input = tokensOf(promptCharsOf(config, pane));
    const price = book.find(pane.model, at, input);
    if (!price) {
      unpriced.push(pane.name);
      continue;
    }
    const perCall = BigInt(input) * BigInt(price.inputNano) + BigInt(pane.maxTokens) * BigInt(price.outputNano);
    total += perCall * BigInt(n);
  }
  return { worstCaseNanoUsd: total, unpriced };
}

/** The default confirmation threshold of Run x N: $1. */
export const CONFIRM_ABOVE_NANO_USD = 1_000_000_000n;
