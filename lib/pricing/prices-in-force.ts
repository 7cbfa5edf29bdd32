import { modelFamily } from "./model-family";

/** What "in force" needs of a price row: the API's rows (ISO dates) and the table's (Dates) both fit. */
export type DatedTier = { model: string; effectiveFrom: string | Date; minPromptTokens: number };

const timeOf = (d: string | Date) => (typeof d === "string" ? Date.parse(d) : d.getTime());

/**
 * The rows that price some request at `at`, by the rule PriceBook.find applies (compute-cost.ts):
 * within a model family, a request takes the newest effective date (not after `at`) that has a tier
 * its prompt reaches. So a row is in force unless a newer row of its family, effective by `at`,
 * has a tier at or below its own: every prompt that reaches this row's tier reaches that one too.
 * A newer date that only adds a long-context tier leaves the older short-prompt rate in force.
 */
export function pricesInForce<T extends DatedTier>(rows: readonly T[], at: Date): Set<T> {
  const now = at.getTime();
  const byFamily = new Map<string, { row: T; t: number }[]>();
  for (const row of rows) {
    const t = timeOf(row.effectiveFrom);
    if (!(t <= now)) continue;
    const family = modelFamily(row.model);
    const list = byFamily.get(family) ?? [];
    list.push({ row, t });
    byFamily.set(family, list);
  }
  const out = new Set<T>();
  for (const list of byFamily.values()) {
    list.sort((a, b) => b.t - a.t || a.row.minPromptTokens - b.row.minPromptTokens || byModelId(a.row, b.row));
    // Lowest tier among strictly newer dates: a row at or above it is never reached first.
    let lowestNewerTier = Infinity;
    for (let i = 0; i < list.length; ) {
      const date = list[i]!.t;
      let lowestHere = Infinity;
      let lastTier = -1;
      for (; i < list.length && list[i]!.t === date; i++) {
        const { row } = list[i]!;
        // Two ids of one family on one date and tier: the first by id prices it (PriceBook's tie-break).
        if (row.minPromptTokens < lowestNewerTier && row.minPromptTokens !== lastTier) out.add(row);
        lastTier = row.minPromptTokens;
        lowestHere = Math.min(lowestHere, row.minPromptTokens);
      }
      lowestNewerTier = Math.min(lowestNewerTier, lowestHere);
    }
  }
  return out;
}

/** Code-unit order of model ids: the same in every locale, in the browser and on the server. */
export function byModelId(a: { model: string }, b: { model: string }): number {
  return a.model < b.model ? -1 : a.model > b.model ? 1 : 0;
}
