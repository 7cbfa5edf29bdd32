import { intBetween, pick, type Rng } from "./prng";

const WORDS = ["latency", "cache", "gateway", "session", "pricing", "router", "timeout", "quota", "fallback", "tokens", "stream", "agent"];

/**
 * A plausible value for a JSON schema: what the simulated model puts in a tool call's input. It
 * honours type, enum, const, required properties, array items and anyOf/oneOf (first branch);
 * optional properties appear about half the time.
 */
export function fakeValue(schema: unknown, rng: Rng, depth = 0): unknown {
  const s = (schema && typeof schema === "object" ? schema : {}) as Record<string, unknown>;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return pick(rng, s.enum);
  const branches = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(branches) && branches.length > 0) return fakeValue(branches[0], rng, depth + 1);
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== "null") ?? "string") : (s.type ?? (s.properties ? "object" : "string"));
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      if (depth > 4) return out;
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
      for (const [name, sub] of Object.entries(properties)) {
        if (required.has(name) || rng() < 0.5) out[name] = fakeValue(sub, rng, depth + 1);
      }
      return out;
    }
    case "array": {
      if (depth > 4) return [];
      const min = typeof s.minItems === "number" ? s.minItems : 1;
      const max = typeof s.maxItems === "number" ? s.maxItems : Math.max(min, 3);
      return Array.from({ length: intBetween(rng, min, Math.max(min, Math.min(max, min + 2))) }, () => fakeValue(s.items, rng, depth + 1));
    }
    case "integer":
      return intBetween(rng, typeof s.minimum === "number" ? s.minimum : 1, typeof s.maximum === "number" ? s.maximum : 100);
    case "number":
      return Math.round(rng() * 1000) / 10;
    case "boolean":
      return rng() < 0.5;
    case "null":
      return null;
    default:
      return `${pick(rng, WORDS)} ${pick(rng, WORDS)}`;
  }
}
