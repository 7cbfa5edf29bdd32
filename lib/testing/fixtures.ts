import type { Db } from "@/db/client";
import { createApiKey } from "../auth/api-keys";
import { createProject } from "../projects/project-queries";
import type { ApiKeyScope } from "@/db/schema";

let counter = 0;

/** A fresh project with a key, for one test. */
export async function projectWithKey(db: Db, scopes?: ApiKeyScope[]) {
  const project = await createProject(db, { slug: `p-${process.pid}-${Date.now().toString(36)}-${counter++}` });
  const key = await createApiKey(db, { projectId: project.id, name: "test", scopes });
  return { project, key: key.secret, keyId: key.id };
}

/** A valid llm event, `overrides` applied. */
export function llmEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `evt-${Math.random().toString(36).slice(2)}-${counter++}`,
    timestamp: new Date(Date.now() - 60_000).toISOString(),
    model: "claude-sonnet-4-5",
    latencyMs: 1234,
    inputTokens: 100,
    outputTokens: 50,
    ...overrides,
  };
}
