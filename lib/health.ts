import { sql } from "drizzle-orm";
import type { DbHandle } from "@/db/client";

/**
 * Components (e.g. the gateway's event writer) add their own figures to /api/health's details,
 * which only signed-in users and metrics:read keys see (lib/health-handler.ts); anyone gets the status.
 */
type HealthContributor = () => Record<string, unknown>;
const KEY = Symbol.for("pitwall.health");
type G = typeof globalThis & { [KEY]?: Map<string, HealthContributor> };

export function registerHealth(name: string, contributor: HealthContributor): void {
  const g = globalThis as G;
  (g[KEY] ??= new Map()).set(name, contributor);
}

export async function checkHealth(handle: DbHandle): Promise<{ status: number; body: Record<string, unknown> }> {
  let dbOk = true;
  try {
    await Promise.race([
      handle.db.execute(sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 3000)),
    ]);
  } catch {
    dbOk = false;
  }
  const extra: Record<string, unknown> = {};
  for (const [name, fn] of (globalThis as G)[KEY] ?? []) extra[name] = fn();
  return {
    status: dbOk ? 200 : 503,
    body: { status: dbOk ? "ok" : "unavailable", db: handle.kind, dbReachable: dbOk, uptimeSec: Math.round(process.uptime()), ...extra },
  };
}
