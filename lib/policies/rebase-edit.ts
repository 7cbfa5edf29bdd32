import type { PolicyKind } from "@/db/schema";
import { parsePolicyDocument } from "./policy-document";

/**
 * Rebasing an edit onto a newer live version (the editor's "reload and reapply my edit" after a
 * 409): a 3-way merge of `base` (the version the edit started from), `mine` (the edit) and `theirs`
 * (the version someone saved meanwhile). Whatever only one side changed is taken from that side;
 * where both changed the same field differently the edit's value is kept and the field is reported
 * as a conflict, so nothing is dropped without the editor saying so. Rules are matched by id, like
 * the semantic diff, so a rule both sides kept merges field by field wherever it moved.
 */
export type MergeConflict = {
  /** `rules.<id>.action.maxTokensCap`, `default.promptCaching`, `rules (order)`. */
  path: string;
  /** For people: `rule faq: action.maxTokensCap`, `default.promptCaching`, `rule order`. */
  label: string;
  mine: unknown;
  theirs: unknown;
};
export type RebaseResult = { document: Record<string, unknown>; conflicts: MergeConflict[] };

type Obj = Record<string, unknown>;
type Rule = Obj & { id: string };

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!same(a[k], b[k])) return false;
    return true;
  }
  return false;
}

// Both sides are compared with defaults filled in (as the diff does): an edit that leaves out
// `sticky: false` did not change it, and must not undo theirs.
function normalize(kind: PolicyKind, doc: unknown): Obj {
  const parsed = parsePolicyDocument(kind, doc);
  if (parsed.ok) return parsed.document as unknown as Obj;
  return isObj(doc) ? doc : {};
}

type Ctx = { conflicts: MergeConflict[] };

function conflict(ctx: Ctx, path: string[], label: string, mine: unknown, theirs: unknown) {
  ctx.conflicts.push({ path: path.join("."), label, mine, theirs });
}

/** One value: the changed side wins; objects both changed merge key by key; anything else conflicts. */
function mergeValue(base: unknown, mine: unknown, theirs: unknown, path: string[], label: (p: string[]) => string, ctx: Ctx): unknown {
  if (same(mine, theirs)) return mine;
  if (same(base, mine)) return theirs;
  if (same(base, theirs)) return mine;
  // Only an object both sides changed merges key by key: two objects added independently (no base)
  // are two different settings, and fusing their keys would make one neither side wrote.
  if (isObj(mine) && isObj(theirs) && isObj(base)) {
    const b = base;
    const out: Obj = {};
    for (const k of new Set([...Object.keys(mine), ...Object.keys(theirs), ...Object.keys(b)])) {
      const v = mergeValue(b[k], mine[k], theirs[k], [...path, k], label, ctx);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  conflict(ctx, path, label(path), mine, theirs);
  return mine;
}

function rulesWithIds(doc: Obj): Rule[] | null {
  if (doc.rules === undefined) return [];
  if (!Array.isArray(doc.rules)) return null;
  const ids = new Set<string>();
  for (const r of doc.rules) {
    if (!isObj(r) || typeof r.id !== "string" || ids.has(r.id)) return null;
    ids.add(r.id);
  }
  return doc.rules as Rule[];
}

const ruleLabel = (id: string) => (p: string[]) => (p.length > 2 ? `rule ${id}: ${p.slice(2).join(".")}` : `rule ${id}`);

/**
 * A rule id both sides added, for different rules (new rules are named by position, so two
 * editors of one version both add "rule-2"): theirs keeps the id (it is live, and events name
 * it), the edit's rule gets the next free one, and both are kept, reported.
 */
function renameCollisions(base: Rule[], mine: Rule[], theirs: Rule[], ctx: Ctx): Rule[] {
  const baseIds = new Set(base.map((r) => r.id));
  const theirsById = new Map(theirs.map((r) => [r.id, r]));
  const taken = new Set([...baseIds, ...theirsById.keys(), ...mine.map((r) => r.id)]);
  return mine.map((r) => {
    const t = theirsById.get(r.id);
    if (baseIds.has(r.id) || t === undefined || same(r, t)) return r;
    let n = 2;
    while (taken.has(`${r.id}-${n}`)) n++;
    const id = `${r.id}-${n}`;
    taken.add(id);
    conflict(ctx, ["rules", r.id], `rule ${r.id} (you and the live version both added a rule by that name: yours is now ${id})`, { ...r, id }, t);
    return { ...r, id };
  });
}

function mergeRules(base: Rule[], mineIn: Rule[], theirs: Rule[], ctx: Ctx): Rule[] {
  const mine = renameCollisions(base, mineIn, theirs, ctx);
  const byId = (rules: Rule[]) => new Map(rules.map((r) => [r.id, r]));
  const [b, m, t] = [byId(base), byId(mine), byId(theirs)];
  const merged = new Map<string, Rule>();
  for (const id of new Set([...m.keys(), ...t.keys(), ...b.keys()])) {
    const path = ["rules", id];
    const [br, mr, tr] = [b.get(id), m.get(id), t.get(id)];
    if (mr && tr) {
      merged.set(id, mergeValue(br, mr, tr, path, ruleLabel(id), ctx) as Rule);
    } else if (mr && br) {
      // They deleted it. Gone unless the edit changed it: then it stays, reported.
      if (!same(mr, br)) {
        conflict(ctx, path, `rule ${id} (you changed it, version deleted it)`, mr, undefined);
        merged.set(id, mr);
      }
    } else if (tr && br) {
      // The edit deleted it: gone unless they changed it, then still gone but reported.
      if (!same(tr, br)) conflict(ctx, path, `rule ${id} (you deleted it, version changed it)`, undefined, tr);
    } else if (mr) merged.set(id, mr);
    else if (tr) merged.set(id, tr);
  }

  // Order (first match wins): the side that reordered the rules both kept gives the order; both
  // reordering differently is a conflict, and the edit's order is kept.
  const kept = (rules: Rule[]) => rules.map((r) => r.id).filter((id) => b.has(id) && m.has(id) && t.has(id));
  const [bo, mo, to] = [kept(base), kept(mine), kept(theirs)];
  const mineMoved = !same(bo, mo);
  const theirsMoved = !same(bo, to);
  if (mineMoved && theirsMoved && !same(mo, to)) conflict(ctx, ["rules (order)"], "rule order", mo, to);
  const [lead, other] = theirsMoved && !mineMoved ? [theirs, mine] : [mine, theirs];
  const order = lead.map((r) => r.id).filter((id) => merged.has(id));
  // Rules only the other side has go after the rule that precedes them there (else first).
  other.forEach((r, i) => {
    if (!merged.has(r.id) || order.includes(r.id)) return;
    let at = 0;
    for (let j = i - 1; j >= 0; j--) {
      const k = order.indexOf(other[j]!.id);
      if (k >= 0) {
        at = k + 1;
        break;
      }
    }
    order.splice(at, 0, r.id);
  });
  return order.map((id) => merged.get(id)!);
}

export function rebaseEdit(kind: PolicyKind, base: unknown, mine: unknown, theirs: unknown): RebaseResult {
  const [b, m, t] = [normalize(kind, base ?? {}), normalize(kind, mine), normalize(kind, theirs ?? {})];
  const ctx: Ctx = { conflicts: [] };
  const { rules: _b, ...bRest } = b;
  const { rules: _m, ...mRest } = m;
  const { rules: _t, ...tRest } = t;
  const settings = mergeValue(bRest, mRest, tRest, [], (p) => p.join("."), ctx) as Obj;
  const [br, mr, tr] = [rulesWithIds(b), rulesWithIds(m), rulesWithIds(t)];
  // Rules without unique ids cannot be matched: the list merges as one value.
  const rules = br && mr && tr ? mergeRules(br, mr, tr, ctx) : mergeValue(b.rules, m.rules, t.rules, ["rules"], () => "rules", ctx);
  return { document: { rules, ...settings }, conflicts: ctx.conflicts };
}

/** What the editor knows when it reapplies: the live view just fetched (with its newest versions). */
export type LiveWithVersions = {
  active: { version: number; document: unknown };
  versions: readonly { version: number; document: unknown }[];
};

/**
 * The editor's "reload live version and reapply my edit": the edit made on `baseVersion`, rebased
 * onto the live version. The base document comes from the versions the live view lists (version
 * 0 is the empty policy); a base too old to be listed cannot be merged safely, and says so.
 */
export function reapplyEdit(
  kind: PolicyKind,
  params: { baseVersion: number; mine: unknown; live: LiveWithVersions; empty: unknown },
): ({ ok: true; version: number } & RebaseResult) | { ok: false; message: string } {
  const { baseVersion, mine, live } = params;
  const base = baseVersion === 0 ? params.empty : live.versions.find((v) => v.version === baseVersion)?.document;
  if (base === undefined) return { ok: false, message: `Version ${baseVersion} is too old to merge your edit automatically; copy it from the JSON view and reapply it by hand.` };
  return { ok: true, version: live.active.version, ...rebaseEdit(kind, base, mine, live.active.document) };
}
