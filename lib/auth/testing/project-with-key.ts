import type { Db } from "@/db/client";
import type { ApiKeyScope } from "@/db/schema";
import { createProject } from "../../projects/project-queries";
import { createApiKey } from "../api-keys";

let counter = 0;

/** A fresh project with a key, for one test. */
export async function projectWithKey(db: Db, scopes?: ApiKeyScope[]) {
  const project = await createProject(db, { slug: `p-${process.pid}-${Date.now().toString(36)}-${counter++}` });
  const key = await createApiKey(db, { projectId: project.id, name: "test", scopes });
  return { project, key: key.secret, keyId: key.id };
}
