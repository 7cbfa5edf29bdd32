import { modelFamily } from "./model-family";
import { byModelId } from "./prices-in-force";

export type PriceRow = {
  model: string;
  effectiveFrom: Date;
  minPromptTokens: number;
  inputNano: number;
  cacheWrite5mNano: number;
  cacheWrite1hNano: number;
  cacheReadNano: number;
  outputNano: number;
};

export type TokenUsage = {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
};

/** A project's prices grouped by model family, newest effective date first within each tier. */
export class PriceBook {
  private readonly byModel = new Map<string, PriceRow[]>();
  private readonly families = new Map<string, string>();

  /** The rows it was made of (a PriceBook on another thread is made of them again). */
  readonly rows: readonly PriceRow[];

  constructor(rows: readonly PriceRow[]) {
    this.rows = rows;
    for (const row of rows) {
      const key = modelFamily(row.model);
      const list = this.byModel.get(key) ?? [];
      list.push(row);
      this.byModel.set(key, list);
    }
    for (const list of this.byModel.values()) {
      // Two ids of one family on one date and tier: the first by id wins, whatever the row order.
      list.sort((a, b) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime() || b.minPromptTokens - a.minPromptTokens || byModelId(a, b));
    }
  }

  /**
   * The rate in force at `at` for a prompt of `promptTokens` (input + cache read + cache writes,
   * since Anthropic's input_tokens excludes cached tokens): among rows effective by `at`, the
   * newest date that has a tier the prompt reaches, and its highest such tier. A date that only
   * brings a long-context row does not leave shorter prompts unpriced: they keep the older rate.
   */
  find(model: string, at: Date, promptTokens: number): PriceRow | undefined {
    // The advisor prices a million calls of a handful of models: the family is worked out once per model.
    let family = this.families.get(model);
    if (family === undefined) {
      family = modelFamily(model);
      if (this.families.size < 10_000) this.families.set(model, family);
    }
    const list = this.byModel.get(family);
    if (!list) return undefined;
    const t = at.getTime();
    for (const row of list) {
      if (row.effectiveFrom.getTime() <= t && promptTokens >= row.minPromptTokens) return row;
    }
    return undefined;
  }
}

/** Exact cost in integer nano-USD, by Anthropic's accounting. */
export function costNanoUsd(price: PriceRow, usage: TokenUsage): bigint {
  return (
    BigInt(usage.inputTokens) * BigInt(price.inputNano) +
    BigInt(usage.cacheWrite5mTokens) * BigInt(price.cacheWrite5mNano) +
    BigInt(usage.cacheWrite1hTokens) * BigInt(price.cacheWrite1hNano) +
    BigInt(usage.cacheReadTokens) * BigInt(price.cacheReadNano) +
    BigInt(usage.outputTokens) * BigInt(price.outputNano)
  );
}

export function promptTokens(usage: TokenUsage): number {
  return usage.inputTokens + usage.cacheReadTokens + usage.cacheWrite5mTokens + usage.cacheWrite1hTokens;
}

export function nanoToUsd(nano: bigint | number): number {
  return Number(nano) / 1e9;
}

/** A client-supplied USD cost, stored exactly to the nano-dollar. */
export function usdToNano(usd: number): bigint {
  return BigInt(Math.round(usd * 1e9));
}
