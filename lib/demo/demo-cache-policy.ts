import type { Db } from "@/db/client";
import { getActiveVersions, saveVersion } from "../policies/policy-queries";

/**
 * The demo's support agents pick their own response-cache TTL with x-pitwall-cache-ttl, which a
 * cache policy must allow (by default the header may only lower the policy's TTL). The demo
 * project gets a policy saying so, once: a policy an operator saved is never replaced.
 */
export async function ensureDemoCachePolicy(db: Db, projectId: string): Promise<void> {
  const active = await getActiveVersions(db, projectId);
  if (active.some((v) => v.kind === "cache")) return;
  await saveVersion(db, {
    projectId,
    kind: "cache",
    document: { rules: [], clientTtl: "any" },
    comment: "Demo: agents choose their TTL with x-pitwall-cache-ttl",
  });
}
