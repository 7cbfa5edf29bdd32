import { createRng, pick, seedFrom } from "../../simulator/prng";
import { CHARS_PER_TOKEN } from "../../simulator/token-count";

const WORDS = [
  "gateway", "latency", "budget", "customer", "invoice", "refund", "shipment", "ticket", "account", "policy",
  "region", "cluster", "deploy", "rollback", "quota", "session", "report", "metric", "threshold", "incident",
  "owner", "priority", "escalate", "review", "contract", "renewal", "discount", "warehouse", "carrier", "delay",
  "the", "a", "for", "with", "after", "before", "when", "each", "every", "which", "should", "must", "can", "and",
];

/**
 * Deterministic prose of exactly `tokens` simulator tokens (4 characters each), from the parts
 * given: the same parts always give the same text, so prompts repeat exactly when they should.
 */
export function fillerText(tokens: number, ...parts: (string | number)[]): string {
  const chars = Math.max(0, Math.round(tokens)) * CHARS_PER_TOKEN;
  if (chars === 0) return "";
  const rng = createRng(seedFrom("filler", ...parts));
  let text = "";
  while (text.length < chars) {
    const sentence = Array.from({ length: 8 + Math.floor(rng() * 8) }, () => pick(rng, WORDS)).join(" ");
    text += `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}. `;
  }
  return text.slice(0, chars);
}
