import { modelFamily } from "../pricing/model-family";

/**
 * Looks a model up in a table keyed by family prefix ("claude-opus-4" covers claude-opus-4-1 and
 * claude-opus-4-20250514); the longest matching key wins, so "claude-opus-4-5" overrides
 * "claude-opus-4". "*" matches anything.
 */
export function matchModel<T>(table: Readonly<Record<string, T>>, model: string): T | undefined {
  const family = modelFamily(model);
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (key === "*") continue;
    if ((family === key || family.startsWith(`${key}-`)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best !== undefined ? table[best] : table["*"];
}
