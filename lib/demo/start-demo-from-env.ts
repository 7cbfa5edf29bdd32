import { z } from "zod";
import type { Db } from "@/db/client";
import { log } from "../log";
import { ensureDemoCachePolicy } from "./demo-cache-policy";
import { ensureDemoKey } from "./demo-key";
import { startDemoTraffic, type DemoTraffic } from "./demo-traffic";

const DemoEnv = z.object({
  PITWALL_DEMO_TRAFFIC: z.enum(["0", "1", "true", "false"]).optional(),
  PITWALL_DEMO_RATE: z.coerce.number().positive().max(100).optional(),
});

/**
 * The server's in-process demo traffic: on when PITWALL_DEMO_TRAFFIC=1 (the PGlite quickstart sets
 * it; PITWALL_DEMO_TRAFFIC=0 turns it off), through this server's own gateway with the demo
 * project's key. A failure to start is logged, never fatal: the demo is optional.
 */
export async function startDemoTrafficFromEnv(
  db: Db,
  port: number,
  env: Record<string, string | undefined> = process.env,
  opts: { keyFile?: string; startDelayMs?: number; host?: string } = {},
): Promise<DemoTraffic | undefined> {
  const parsed = DemoEnv.safeParse(env);
  if (!parsed.success) {
    log.error({ issue: parsed.error.issues[0]?.path.join(".") }, "PITWALL_DEMO_TRAFFIC must be 0 or 1 and PITWALL_DEMO_RATE a positive number; demo traffic off");
    return undefined;
  }
  const on = parsed.data.PITWALL_DEMO_TRAFFIC === "1" || parsed.data.PITWALL_DEMO_TRAFFIC === "true";
  if (!on) return undefined;
  try {
    const { apiKey, projectId } = await ensureDemoKey(db, { file: opts.keyFile });
    await ensureDemoCachePolicy(db, projectId);
    const rate = parsed.data.PITWALL_DEMO_RATE ?? 1;
    log.info({ rate }, "demo traffic on (PITWALL_DEMO_TRAFFIC=0 turns it off)");
    return startDemoTraffic({ baseUrl: `http://${loopbackHost(opts.host)}:${port}/gateway`, apiKey, rate, startDelayMs: opts.startDelayMs ?? 3_000 });
  } catch (err) {
    log.error({ err }, "demo traffic could not start");
    return undefined;
  }
}

/** A wildcard listen address is reached over loopback; a specific one (HOST=10.0.0.5) as itself. */
function loopbackHost(host: string | undefined): string {
  if (!host || host === "0.0.0.0" || host === "::" || host === "localhost") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
