/**
 * `npm run demo:reference -- [--base-url http://127.0.0.1:3000] [--key pw_sk_...] [--variant reference|clean]
 * [--seed N] [--requests N] [--concurrency N] [--latency-scale X] [--arrivals-per-sec N] [--stream]
 * [--parallel-tools] [--context-window N]`: the advisor's reference (or clean) workload through a
 * Pitwall gateway whose upstream is the simulator. The key needs the gateway and ingest scopes
 * (default $PITWALL_API_KEY). --latency-scale must match the server's PITWALL_SIMULATOR_LATENCY_SCALE.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { checkedArgs } from "./checked-args";
import { runReferenceWorkload, WORKLOAD_VARIANTS } from "../lib/demo/reference";

const { values } = parseArgs({
  options: {
    "base-url": { type: "string", default: `http://127.0.0.1:${process.env.PORT ?? 3000}` },
    key: { type: "string" },
    variant: { type: "string", default: "reference" },
    seed: { type: "string", default: "1" },
    requests: { type: "string", default: "300" },
    concurrency: { type: "string", default: "64" },
    "latency-scale": { type: "string", default: process.env.PITWALL_SIMULATOR_LATENCY_SCALE || "1" },
    "arrivals-per-sec": { type: "string", default: "2" },
    stream: { type: "boolean", default: false },
    "parallel-tools": { type: "boolean", default: false },
    "context-window": { type: "string" },
  },
});

const Args = z.object({
  "base-url": z.url(),
  key: z.string().min(1).optional(),
  variant: z.enum(WORKLOAD_VARIANTS),
  seed: z.coerce.number().int(),
  requests: z.coerce.number().int().min(1).max(1_000_000),
  concurrency: z.coerce.number().int().min(1).max(1024),
  "latency-scale": z.coerce.number().positive().max(10),
  "arrivals-per-sec": z.coerce.number().positive().max(10_000),
  stream: z.boolean(),
  "parallel-tools": z.boolean(),
  "context-window": z.coerce.number().int().min(1).optional(),
});
const args = checkedArgs(Args, values);
const apiKey = args.key ?? process.env.PITWALL_API_KEY;
if (!apiKey) {
  console.error("No key: pass --key or set PITWALL_API_KEY (a project key with the gateway and ingest scopes).");
  process.exit(2);
}

const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => controller.abort());
console.log(`${args.variant} workload → ${args["base-url"]}: ${args.requests} requests, seed ${args.seed}, latency scale ${args["latency-scale"]}`);
let lastPrint = 0;
const result = await runReferenceWorkload({
  baseUrl: args["base-url"],
  apiKey,
  variant: args.variant,
  seed: args.seed,
  requests: args.requests,
  concurrency: args.concurrency,
  latencyScale: args["latency-scale"],
  arrivalsPerSec: args["arrivals-per-sec"],
  options: { stream: args.stream, parallelTools: args["parallel-tools"], contextWindowTurns: args["context-window"] },
  signal: controller.signal,
  onCall: (done, planned) => {
    if (Date.now() - lastPrint < 2_000) return;
    lastPrint = Date.now();
    console.log(`${done}/${planned} calls`);
  },
});
const { requestIds: _ids, ...summary } = result;
console.log(JSON.stringify(summary, null, 2));
process.exit(result.failed === 0 && result.skipped === 0 ? 0 : 1);
