import type { IncomingMessage } from "node:http";
import { SimulatorError } from "./simulator-error";

/**
 * A simulator-only request header: the reply's text is written to about this many tokens (still
 * cut at max_tokens). Workloads with planted output lengths (the advisor's reference workload)
 * use it; without it a reply is 40-300 tokens. The gateway forwards x-simulator-* headers only to
 * the simulator.
 */
export const OUTPUT_TOKENS_HEADER = "x-simulator-output-tokens";
const MAX_OUTPUT_TOKENS = 128_000;

export function requestedOutputTokens(req: IncomingMessage): number | undefined {
  const raw = req.headers[OUTPUT_TOKENS_HEADER];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_OUTPUT_TOKENS) {
    throw SimulatorError.invalidRequest(`${OUTPUT_TOKENS_HEADER} must be a whole number of tokens from 1 to ${MAX_OUTPUT_TOKENS}; got "${value.slice(0, 20)}".`);
  }
  return Number(value);
}
