import type Anthropic from "@anthropic-ai/sdk";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { projectWithKey } from "../../auth/testing/project-with-key";
import { invalidateActivePolicies } from "../../policies/active-policies";
import type { CachePolicyInput } from "../../policies/cache-policy-schema";
import { saveVersion } from "../../policies/policy-queries";
import { createResponseCache } from "../../response-cache/create-response-cache";
import type { ResponseCache } from "../../response-cache/response-cache";
import { startHarness, type Harness } from "./gateway-harness";

export type CachedGateway = {
  handle: DbHandle;
  projectId: string;
  /** The project's key (for clients with their own options). */
  key: string;
  h: Harness;
  cache: ResponseCache;
  /** An SDK client of the project that sends `anthropicVersion` (part of the cache key). */
  client: Anthropic;
  close: () => Promise<void>;
};

/**
 * A fresh database and project behind the gateway with the Postgres-table response cache (no
 * REDIS_URL) under the in-process LRU, `policy` live as the project's cache policy.
 */
export async function startCachedGateway(policy: CachePolicyInput, opts: { anthropicVersion: string }): Promise<CachedGateway> {
  const handle = await createTestDb();
  const p = await projectWithKey(handle.db);
  const cache = createResponseCache(handle.db, { redisUrl: "" });
  const h = await startHarness(handle, p.key, { responseCache: cache });
  await saveVersion(handle.db, { projectId: p.project.id, kind: "cache", document: policy });
  invalidateActivePolicies(handle.db, p.project.id);
  return {
    handle,
    projectId: p.project.id,
    key: p.key,
    h,
    cache,
    client: h.client({ defaultHeaders: { "anthropic-version": opts.anthropicVersion } }),
    close: async () => {
      await h.close();
      await cache.close();
      await handle.close();
    },
  };
}
