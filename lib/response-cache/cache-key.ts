import { createHash } from "node:crypto";
import { canonicalJson } from "../canonical-json";
import { normalizeForCache } from "./normalize-for-cache";

export { normalizeForCache };

export type CacheKeyScope = {
  projectId: string;
  /** Set for a per-user scope: only the same end user can hit the entry. */
  userId?: string | null;
  /**
   * Anything outside the body that changes the answer, such as the anthropic-beta header. The
   * gateway passes it verbatim; requests with different variants never share an entry.
   */
  variant?: string | null;
  /** The anthropic-version header: another API version may answer the same body differently. */
  anthropicVersion?: string | null;
};

type Json = Record<string, unknown>;

/**
 * The response-cache key of a request after routing (so `model` is the served model): sha256 hex
 * of its canonical normalized JSON, bound to the project and, for a per-user scope, the user.
 */
export function responseCacheKey(body: Json, scope: CacheKeyScope): string {
  const hash = createHash("sha256");
  hash.update("pitwall-response-cache:v1\n");
  hash.update(`project:${scope.projectId}\n`);
  hash.update(scope.userId ? `user:${scope.userId.length}:${scope.userId}\n` : "user:-\n");
  hash.update(scope.variant ? `variant:${scope.variant.length}:${scope.variant}\n` : "variant:-\n");
  const version = scope.anthropicVersion;
  hash.update(version ? `version:${version.length}:${version}\n` : "version:-\n");
  hash.update(canonicalJson(normalizeForCache(body)));
  return hash.digest("hex");
}
