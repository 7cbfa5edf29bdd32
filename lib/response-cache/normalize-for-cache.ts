// The request as it affects the answer, for the response-cache key. Pure (no node: imports), so
// pitwall/sdk's in-process cache keys requests exactly as the gateway does.

/**
 * Fields that never change the answer: `stream` (a cached message replays as JSON or SSE alike)
 * and `metadata` (only identifies the end user, who is part of the scope instead). Every other
 * field, including ones this code does not know yet, is part of the key: an unknown field that
 * changes the answer must never produce a false hit.
 */
const IGNORED_FIELDS = new Set(["stream", "metadata", "cache_control"]);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Prompt-caching breakpoints change cost, not content: strip them from a block. */
function withoutCacheControl(block: unknown): unknown {
  if (!isObject(block)) return block;
  let out: Json = block;
  if (block.cache_control !== undefined) {
    const { cache_control: _ignored, ...rest } = block;
    out = rest;
  }
  if (Array.isArray(out.content)) out = { ...out, content: out.content.map(withoutCacheControl) };
  return out;
}

/** A string prompt and the same text as one text block are the same request. */
function asBlocks(content: unknown): unknown {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (Array.isArray(content)) return content.map(withoutCacheControl);
  return content;
}

/** The request as it affects the answer: see IGNORED_FIELDS and the two helpers above. */
export function normalizeForCache(body: Json): Json {
  const out: Json = {};
  for (const [field, value] of Object.entries(body)) {
    if (IGNORED_FIELDS.has(field) || value === undefined) continue;
    if (field === "system") out.system = asBlocks(value);
    else if (field === "tools" && Array.isArray(value)) out.tools = value.map(withoutCacheControl);
    else if (field === "messages" && Array.isArray(value)) {
      out.messages = value.map((m) => (isObject(m) ? { ...m, content: asBlocks(m.content) } : m));
    } else out[field] = value;
  }
  return out;
}
