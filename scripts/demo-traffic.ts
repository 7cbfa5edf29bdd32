/**
 * `npm run demo:traffic -- [--base-url URL] [--key pw_sk_...] [--rate N] [--duration S] [--seed N]
 * [--concurrency N]`: simulated agents calling a Pitwall gateway with the official SDK. The key
 * defaults to $PITWALL_API_KEY, then to the demo key the server saved in .pitwall/demo-api-key.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { checkedArgs } from "./checked-args";
import { demoKeyPath } from "../lib/demo/demo-key";
import { startDemoTraffic } from "../lib/demo/demo-traffic";

const { values } = parseArgs({
  options: {
    "base-url": { type: "string", default: `http://127.0.0.1:${process.env.PORT ?? 3000}/gateway` },
    key: { type: "string" },
    rate: { type: "string", default: "1" },
    duration: { type: "string" },
    seed: { type: "string" },
    concurrency: { type: "string", default: "4" },
  },
});

const Args = z.object({
  "base-url": z.url(),
  key: z.string().min(1).optional(),
  rate: z.coerce.number().positive().max(1000),
  duration: z.coerce.number().positive().optional(),
  seed: z.coerce.number().int().optional(),
  concurrency: z.coerce.number().int().min(1).max(256),
});
const args = checkedArgs(Args, values);

function savedKey(): string | undefined {
  try {
    return readFileSync(demoKeyPath(), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
const apiKey = args.key ?? process.env.PITWALL_API_KEY ?? savedKey();
if (!apiKey) {
  console.error("No key: pass --key, set PITWALL_API_KEY, or start the server once with PITWALL_DEMO_TRAFFIC=1 to create .pitwall/demo-api-key.");
  process.exit(2);
}

const demo = startDemoTraffic({
  baseUrl: args["base-url"],
  apiKey,
  rate: args.rate,
  durationMs: args.duration !== undefined ? args.duration * 1000 : undefined,
  seed: args.seed,
  concurrency: args.concurrency,
});
console.log(`Demo traffic → ${args["base-url"]} at ${args.rate} call/s${args.duration ? ` for ${args.duration} s` : " (Ctrl-C to stop)"}`);
const report = () => console.log(JSON.stringify(demo.stats));
const timer = setInterval(report, 10_000);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void demo.stop());
await demo.done;
clearInterval(timer);
report();
process.exit(demo.stats.ok > 0 || demo.stats.calls === 0 ? 0 : 1);
