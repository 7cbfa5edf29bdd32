import { attrCount } from "./attributes";
import type { OtlpSpan } from "./otlp-span";
import { SpanError } from "./span-error";

/**
 * Input-token meaning differs by emitter. The GenAI spec (and OpenLLMetry) count cache reads and
 * writes inside `gen_ai.usage.input_tokens`; OpenInference reports Anthropic's raw `input_tokens`,
 * which excludes them. Pitwall stores Anthropic's meaning, so spec counts are reduced by the cache
 * tokens. The semantics are chosen by instrumentation scope; an unknown scope is read as the spec.
 */
export type TokenSemantics = "spec" | "openinference";

const SCOPE_SEMANTICS: { prefix: string; semantics: TokenSemantics }[] = [
  { prefix: "@arizeai/openinference-instrumentation-", semantics: "openinference" },
  { prefix: "openinference.instrumentation.", semantics: "openinference" },
  { prefix: "@traceloop/instrumentation-", semantics: "spec" },
  { prefix: "opentelemetry.instrumentation.", semantics: "spec" },
  { prefix: "@opentelemetry/instrumentation-", semantics: "spec" },
];

export function tokenSemanticsOf(scopeName: string): TokenSemantics {
  for (const { prefix, semantics } of SCOPE_SEMANTICS) if (scopeName.startsWith(prefix)) return semantics;
  return "spec";
}

export type SpanUsage = {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  // No 5m/1h split is reported: cache writes count as 5-minute writes, Anthropic's default TTL.
  cacheWrite5mTokens: number;
};

export function readUsage(span: OtlpSpan): SpanUsage {
  const a = span.attributes;
  const semantics = tokenSemanticsOf(span.scopeName);
  const cacheRead =
    attrCount(a, "gen_ai.usage.cache_read.input_tokens") ??
    attrCount(a, "gen_ai.usage.cache_read_input_tokens") ??
    attrCount(a, "llm.token_count.prompt_details.cache_read") ??
    0;
  const cacheWrite =
    attrCount(a, "gen_ai.usage.cache_creation.input_tokens") ??
    attrCount(a, "gen_ai.usage.cache_creation_input_tokens") ??
    attrCount(a, "llm.token_count.prompt_details.cache_write") ??
    0;
  const output =
    attrCount(a, "gen_ai.usage.output_tokens") ?? attrCount(a, "gen_ai.usage.completion_tokens") ?? attrCount(a, "llm.token_count.completion") ?? 0;

  // OpenInference's own attribute is raw wherever it appears; gen_ai.* follows the scope's meaning.
  const rawPrompt = attrCount(a, "llm.token_count.prompt");
  if (rawPrompt !== undefined) return { inputTokens: rawPrompt, outputTokens: output, cacheReadTokens: cacheRead, cacheWrite5mTokens: cacheWrite };

  const input = attrCount(a, "gen_ai.usage.input_tokens") ?? attrCount(a, "gen_ai.usage.prompt_tokens") ?? 0;
  if (semantics === "openinference") return { inputTokens: input, outputTokens: output, cacheReadTokens: cacheRead, cacheWrite5mTokens: cacheWrite };
  const uncached = input - cacheRead - cacheWrite;
  if (uncached < 0 && input > 0) {
    throw new SpanError(
      `gen_ai.usage.input_tokens (${input}) is smaller than its cache tokens (${cacheRead + cacheWrite}); under the spec's semantics (scope ${JSON.stringify(span.scopeName.slice(0, 80))}) it includes them`,
    );
  }
  // An input count of 0 with cache counts means the emitter reported no input at all.
  return { inputTokens: Math.max(0, uncached), outputTokens: output, cacheReadTokens: cacheRead, cacheWrite5mTokens: cacheWrite };
}
