/**
 * `npm run simulator -- --port N [--host H] [--seed S] [--latency-scale X] [--fixed-latency-ms N]
 * [--delta-interval-ms N]`: the simulated Anthropic upstream on its own port (benchmarks, load
 * tests, an offline stand-in for api.anthropic.com).
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { checkedArgs } from "./checked-args";
import { startSimulatorServer } from "../lib/simulator/server";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
    seed: { type: "string" },
    "latency-scale": { type: "string" },
    "fixed-latency-ms": { type: "string" },
    "delta-interval-ms": { type: "string" },
  },
});

const num = (schema: z.ZodNumber) => z.coerce.number().pipe(schema).optional();
const Args = z.object({
  port: num(z.number().int().min(0).max(65535)),
  host: z.string().min(1),
  seed: num(z.number().int()),
  "latency-scale": num(z.number().min(0)),
  "fixed-latency-ms": num(z.number().min(0)),
  "delta-interval-ms": num(z.number().min(0)),
});

const args = checkedArgs(Args, values);
const server = await startSimulatorServer({
  port: args.port,
  host: args.host,
  seed: args.seed,
  latencyScale: args["latency-scale"],
  fixedLatencyMs: args["fixed-latency-ms"],
  deltaIntervalMs: args["delta-interval-ms"],
});
console.log(`Simulated Anthropic API on ${server.url} (SDK: new Anthropic({ baseURL: "${server.url}", apiKey: "any" }))`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
