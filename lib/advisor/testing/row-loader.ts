import type { Db } from "@/db/client";
import { events } from "@/db/schema";
import type { LlmRow } from "../traffic-builder";

/** Test-only: inserts the world's recorded calls as events of a project, in chunks. */
export async function insertRows(db: Db, projectId: string, rows: LlmRow[]): Promise<void> {
  for (let k = 0; k < rows.length; k += 500) {
    await db.insert(events).values(
      rows.slice(k, k + 500).map((r) => ({
        projectId,
        id: r.id,
        ts: new Date(r.tsMs),
        kind: "llm" as const,
        provider: "anthropic",
        route: r.route,
        agent: r.agent,
        sessionId: r.session,
        traceId: r.trace,
        parentId: r.parent,
        userId: r.user,
        model: r.model,
        requestedModel: r.requestedModel,
        status: r.status,
        latencyMs: r.latencyMs,
        ttftMs: r.ttftMs,
        streamed: r.streamed,
        inputTokens: r.inputTokens,
        outputTokens: r.outputTokens,
        cacheReadTokens: r.cacheReadTokens,
        cacheWrite5mTokens: r.cacheWrite5mTokens,
        cacheWrite1hTokens: r.cacheWrite1hTokens,
        responseCache: r.responseCache,
        costNanoUsd: BigInt(r.costNano),
        costSource: r.unpriced ? ("unpriced" as const) : ("computed" as const),
        promptHash: r.promptHash,
        systemHash: r.systemHash,
        systemTokens: r.systemTokens,
        messageCount: r.messageCount,
        toolCount: r.toolCount,
        policyVersion: r.policyVersion,
        requestedCacheTtlSec: r.requestedCacheTtlSec,
        tags: typeof r.tags === "string" ? (JSON.parse(r.tags) as Record<string, string>) : r.tags,
      })),
    );
  }
}
