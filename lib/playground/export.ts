import { csvField } from "../metrics/event-csv";
import { nanoToUsdString } from "../metrics/money";
import type { Experiment, Run } from "./experiments";
import type { CallMeasurement } from "./measurement";

type Data = { experiment: Experiment; runs: Run[] };

/** The whole experiment: configuration, and every run with its calls (cost as exact nano-USD strings). */
export function experimentJson(data: Data): string {
  return JSON.stringify({ experiment: data.experiment, runs: data.runs }, null, 2);
}

const COLUMNS: [string, (c: CallMeasurement, run: Run) => string | number | null][] = [
  ["run", (_c, r) => r.seq],
  ["run_id", (_c, r) => r.id],
  ["pane", (c) => c.pane],
  ["event_id", (c) => c.eventId],
  ["ts", (c) => c.ts],
  ["status", (c) => c.status],
  ["error_type", (c) => c.errorType],
  ["model", (c) => c.model],
  ["requested_model", (c) => c.requestedModel],
  ["ttft_ms", (c) => c.ttftMs],
  ["latency_ms", (c) => c.latencyMs],
  ["input_tokens", (c) => c.inputTokens],
  ["cache_read_tokens", (c) => c.cacheReadTokens],
  ["cache_write_5m_tokens", (c) => c.cacheWrite5mTokens],
  ["cache_write_1h_tokens", (c) => c.cacheWrite1hTokens],
  ["output_tokens", (c) => c.outputTokens],
  ["cost_usd", (c) => nanoToUsdString(BigInt(c.costNanoUsd))],
  ["response_cache", (c) => c.responseCache],
];

/** One line per call of every run, oldest run first. */
export function experimentCsv(data: Data): string {
  const lines = [COLUMNS.map(([name]) => name).join(",")];
  for (const run of data.runs) for (const call of run.calls) lines.push(COLUMNS.map(([, get]) => csvField(get(call, run))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
