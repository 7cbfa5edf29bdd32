import diff from "microdiff";
import type { PolicyKind } from "@/db/schema";
import { parsePolicyDocument } from "./policy-document";

/**
 * The semantic diff of two policy documents: rules are matched by id, so a reorder is a move and
 * an edit names the fields that changed (`action.model`, `match.tags.team`), not lines of JSON.
 * Both sides are compared with defaults filled in, so `{}` and `{ "match": {} }` are the same rule.
 */
export type RuleRef = { id: string; index: number };
export type RuleChange = { id: string; index: number; fields: string[] };
export type RuleMove = { id: string; from: number; to: number };

export type PolicyDiff = {
  added: RuleRef[];
  removed: RuleRef[];
  changed: RuleChange[];
  /** Rules whose order relative to the other kept rules changed (first match wins, so order matters). */
  moved: RuleMove[];
  /** Changed fields outside the rule list: `default.model`, `promptCachingMinTokens.claude-*`. */
  settings: string[];
  unchanged: boolean;
};

type Doc = { rules?: { id: string }[] } & Record<string, unknown>;

function normalize(kind: PolicyKind, doc: unknown): Doc {
  const parsed = parsePolicyDocument(kind, doc);
  if (parsed.ok) {
    const d = parsed.document as unknown as Doc;
    // An absent clientTtl means "lower": spelling it out or leaving it out is no change in meaning.
    return kind === "cache" && d.clientTtl === undefined ? { ...d, clientTtl: "lower" } : d;
  }
  // An invalid draft is still diffed as written so the editor can show what it would change.
  return doc !== null && typeof doc === "object" && !Array.isArray(doc) ? (doc as Doc) : {};
}

function rulesOf(doc: Doc): { id: string }[] {
  return Array.isArray(doc.rules) ? doc.rules.filter((r): r is { id: string } => r !== null && typeof r === "object" && typeof r.id === "string") : [];
}

function fieldPaths(before: unknown, after: unknown): string[] {
  if (before === null || typeof before !== "object" || after === null || typeof after !== "object") return before === after ? [] : [""];
  const paths = new Set<string>();
  for (const d of diff(before as Record<string, unknown>, after as Record<string, unknown>)) paths.add(d.path.map(String).join("."));
  return [...paths].sort();
}

/** `before` is the older (or live) document, `after` the newer (or draft); null = nothing saved. */
export function diffPolicies(kind: PolicyKind, before: unknown, after: unknown): PolicyDiff {
  const a = normalize(kind, before ?? {});
  const b = normalize(kind, after ?? {});
  const aRules = rulesOf(a);
  const bRules = rulesOf(b);
  // The first rule with an id is the one the gateway can reach; later duplicates are invalid anyway.
  const aIndex = new Map<string, number>();
  aRules.forEach((r, i) => aIndex.has(r.id) || aIndex.set(r.id, i));
  const bIndex = new Map<string, number>();
  bRules.forEach((r, i) => bIndex.has(r.id) || bIndex.set(r.id, i));

  const added: RuleRef[] = [];
  const changed: RuleChange[] = [];
  for (const [id, index] of bIndex) {
    const from = aIndex.get(id);
    if (from === undefined) {
      added.push({ id, index });
      continue;
    }
    const fields = fieldPaths(aRules[from], bRules[index]);
    if (fields.length > 0) changed.push({ id, index, fields });
  }
  const removed: RuleRef[] = [];
  for (const [id, index] of aIndex) if (!bIndex.has(id)) removed.push({ id, index });

  // Among the rules both sides keep, the longest run that stayed in order did not move; the
  // others did. Dragging one rule to the top then reports that one rule, not every rule it passed.
  const keptBefore = [...aIndex.keys()].filter((id) => bIndex.has(id));
  const stayed = longestIncreasing(keptBefore.map((id) => bIndex.get(id)!));
  const moved: RuleMove[] = [];
  keptBefore.forEach((id, i) => {
    if (!stayed.has(i)) moved.push({ id, from: aIndex.get(id)!, to: bIndex.get(id)! });
  });

  const { rules: _a, ...aRest } = a;
  const { rules: _b, ...bRest } = b;
  const settings = fieldPaths(aRest, bRest);
  return { added, removed, changed, moved, settings, unchanged: added.length + removed.length + changed.length + moved.length + settings.length === 0 };
}

/** Indices of one longest strictly increasing subsequence of `xs` (patience sorting, O(n log n)). */
function longestIncreasing(xs: number[]): Set<number> {
  const tails: number[] = [];
  const prev = new Array<number>(xs.length).fill(-1);
  for (let i = 0; i < xs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[tails[mid]!]! < xs[i]!) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out = new Set<number>();
  for (let i = tails.length > 0 ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) out.add(i);
  return out;
}

/** One line per change, for the history list and the save dialog. */
export function describeDiff(d: PolicyDiff): string[] {
  const lines: string[] = [];
  for (const r of d.added) lines.push(`added rule ${r.id}`);
  for (const r of d.removed) lines.push(`removed rule ${r.id}`);
  for (const c of d.changed) lines.push(`changed rule ${c.id}: ${c.fields.join(", ")}`);
  for (const m of d.moved) lines.push(`moved rule ${m.id} from position ${m.from + 1} to ${m.to + 1}`);
  for (const s of d.settings) lines.push(`changed ${s}`);
  return lines;
}
