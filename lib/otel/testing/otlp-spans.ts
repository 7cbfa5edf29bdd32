/** Builders of OTLP/JSON requests for the receiver's tests (never imported by production code). */
import { randomBytes } from "node:crypto";

export type JsonAttr = { key: string; value: Record<string, unknown> };

export const hexId = (bytes: number) => randomBytes(bytes).toString("hex");

export function attrs(values: Record<string, string | number | boolean | bigint>): JsonAttr[] {
  return Object.entries(values).map(([key, v]) => ({
    key,
    value:
      typeof v === "string"
        ? { stringValue: v }
        : typeof v === "boolean"
          ? { boolValue: v }
          : typeof v === "bigint"
            ? { intValue: v.toString() }
            : Number.isInteger(v)
              ? { intValue: v }
              : { doubleValue: v },
  }));
}

export function jsonSpan(over: Record<string, unknown> = {}, attributes: JsonAttr[] = []): Record<string, unknown> {
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  return {
    traceId: hexId(16),
    spanId: hexId(8),
    name: "chat claude-haiku-4-5",
    kind: 3,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 1_500_000_000n).toString(),
    attributes,
    status: { code: 0 },
    ...over,
  };
}

export function chatAttrs(over: Record<string, string | number | boolean | bigint> = {}): JsonAttr[] {
  return attrs({
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "anthropic",
    "gen_ai.request.model": "claude-haiku-4-5",
    "gen_ai.response.model": "claude-haiku-4-5-20251001",
    "gen_ai.usage.input_tokens": 1000,
    "gen_ai.usage.output_tokens": 200,
    ...over,
  });
}

export function jsonRequest(spans: Record<string, unknown>[], scope = "@opentelemetry/instrumentation-anthropic", service = "agent-a") {
  return {
    resourceSpans: [
      {
        resource: { attributes: attrs({ "service.name": service }) },
        scopeSpans: [{ scope: { name: scope, version: "1.0.0" }, spans }],
      },
    ],
  };
}
