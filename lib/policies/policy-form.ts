/**
 * Pure helpers of the policy form editor (client-safe, unit-tested): immutable edits of a draft
 * document, rule list operations, and the text forms of lists, tags and TTLs.
 */
import { CLIENT_TTL_MODES, type ClientTtlMode } from "./cache-policy-schema";
import type { Issue } from "./policy-text";

export type Draft = { rules?: Record<string, unknown>[]; default?: Record<string, unknown>; [k: string]: unknown };
type Path = (string | number)[];

/** A copy of `obj` with `value` at `path`; `undefined` removes the key (and empty parent objects). */
export function setIn<T>(obj: T, path: Path, value: unknown): T {
  if (path.length === 0) return value as T;
  const [head, ...rest] = path;
  const base: Record<string | number, unknown> | unknown[] = Array.isArray(obj) ? [...obj] : { ...(obj as Record<string, unknown> | undefined) };
  const current = (base as Record<string | number, unknown>)[head!];
  const next = rest.length === 0 ? value : setIn(current ?? (typeof rest[0] === "number" ? [] : {}), rest, value);
  if (Array.isArray(base)) {
    base[head as number] = next;
    return base as T;
  }
  const emptyObject = next !== null && typeof next === "object" && !Array.isArray(next) && Object.keys(next).length === 0;
  if (next === undefined || (rest.length > 0 && emptyObject)) delete (base as Record<string, unknown>)[head as string];
  else (base as Record<string, unknown>)[head as string] = next;
  return base as T;
}

export function getIn(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const next = [...list];
  if (from < 0 || from >= next.length || to < 0 || to >= next.length) return next;
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
}

/** `base`, else `base-2`, `base-3`… whichever no rule has yet. */
export function uniqueRuleId(base: string, taken: readonly string[]): string {
  const set = new Set(taken);
  if (!set.has(base)) return base;
  for (let n = 2; ; n++) if (!set.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * A new rule's id: `rule-<its position>` (the next free number from there), so the diff reads
 * "added rule rule-3", not "added rule rule". Still an ordinary, editable id.
 */
export function newRuleId(taken: readonly string[]): string {
  const set = new Set(taken);
  for (let n = taken.length + 1; ; n++) if (!set.has(`rule-${n}`)) return `rule-${n}`;
}

export function newRule(kind: "routing" | "cache", taken: readonly string[]): Record<string, unknown> {
  const id = newRuleId(taken);
  return kind === "routing" ? { id, match: {}, action: {} } : { id, match: {}, ttlSec: 3600, scope: "project" };
}

export function duplicateRule(rule: Record<string, unknown>, taken: readonly string[]): Record<string, unknown> {
  const copy = structuredClone(rule);
  copy.id = uniqueRuleId(`${String(rule.id ?? "rule")}-copy`, taken);
  return copy;
}

/** "a, b" → "a" or ["a","b"]; "" → undefined (the field is removed, i.e. matches anything). */
export function parseList(text: string): string | string[] | undefined {
  const items = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) return undefined;
  return items.length === 1 ? items[0] : items;
}

export function formatList(value: unknown): string {
  if (typeof value === "string") return value;
  return Array.isArray(value) ? value.join(", ") : "";
}

/** "team=a, env=prod" → { team: "a", env: "prod" }; pairs without "=" are reported, not dropped silently. */
export function parseTagText(text: string): { tags: Record<string, string> | undefined; error: string | null } {
  const tags: Record<string, string> = {};
  for (const pair of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) return { tags: undefined, error: `"${pair.slice(0, 40)}" is not key=value` };
    tags[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return { tags: Object.keys(tags).length > 0 ? tags : undefined, error: null };
}

export function formatTags(tags: unknown): string {
  if (tags === null || typeof tags !== "object") return "";
  return Object.entries(tags as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(", ");
}

export const TTL_UNITS = [
  { unit: "s", seconds: 1, label: "seconds" },
  { unit: "m", seconds: 60, label: "minutes" },
  { unit: "h", seconds: 3600, label: "hours" },
  { unit: "d", seconds: 86400, label: "days" },
] as const;
export type TtlUnit = (typeof TTL_UNITS)[number]["unit"];

/** The largest unit that shows `ttlSec` as a whole number (3600 → 1 h). */
export function ttlParts(ttlSec: unknown): { value: string; unit: TtlUnit } {
  if (typeof ttlSec !== "number" || !Number.isFinite(ttlSec)) return { value: ttlSec === undefined ? "" : String(ttlSec), unit: "s" };
  for (const u of [...TTL_UNITS].reverse()) if (ttlSec !== 0 && ttlSec % u.seconds === 0) return { value: String(ttlSec / u.seconds), unit: u.unit };
  return { value: String(ttlSec), unit: "s" };
}

/** The number to store for "value unit": NaN and fractions pass through so the schema names them. */
export function ttlSeconds(value: string, unit: TtlUnit): number | string | undefined {
  if (value.trim() === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) return value;
  return n * TTL_UNITS.find((u) => u.unit === unit)!.seconds;
}

/** A number input's value for the document: "" removes the field, anything else is a number (the schema judges it). */
export function numberField(text: string): number | undefined {
  if (text.trim() === "") return undefined;
  return Number(text);
}

export function splitTotal(arms: unknown): number {
  if (!Array.isArray(arms)) return 0;
  return arms.reduce((sum: number, a) => sum + (typeof (a as { weight?: unknown })?.weight === "number" ? (a as { weight: number }).weight : 0), 0);
}

/** The issues at `prefix` or under it, for the inline message next to a field. */
export function issuesAt(issues: readonly Issue[], prefix: string): Issue[] {
  return issues.filter((i) => i.path === prefix || i.path.startsWith(`${prefix}.`));
}

/**
 * The cache policy's `clientTtl` as the form's select shows it: absent means "lower" (the
 * default), and a value the schema refuses (typed in the JSON view) is shown as such, not hidden
 * behind a valid option.
 */
export function clientTtlChoice(value: unknown): ClientTtlMode | "invalid" {
  if (value === undefined) return "lower";
  return (CLIENT_TTL_MODES as readonly unknown[]).includes(value) ? (value as ClientTtlMode) : "invalid";
}

/** What the select writes: "lower" is the default, so the field is left out rather than spelled. */
export function clientTtlValue(choice: ClientTtlMode): ClientTtlMode | undefined {
  return choice === "lower" ? undefined : choice;
}
