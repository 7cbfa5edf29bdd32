/** `npm run cli -- create-key --project <slug> [--name N] [--scopes ingest,gateway]` prints a key once. */
import { parseArgs } from "node:util";
import { getDbHandle } from "../db/client";
import { bootstrap } from "../lib/bootstrap";
import { createApiKey, ALL_SCOPES } from "../lib/auth/api-keys";
import { ensureProject, getProjectBySlug } from "../lib/projects/project-queries";
import type { ApiKeyScope } from "../db/schema";

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({
  args: rest,
  options: { project: { type: "string" }, name: { type: "string" }, scopes: { type: "string" }, create: { type: "boolean" } },
});

async function main(): Promise<number> {
  if (command !== "create-key" || !values.project) {
    console.error("usage: npm run cli -- create-key --project <slug> [--name NAME] [--scopes ingest,gateway,metrics:read] [--create]");
    return 2;
  }
  const handle = getDbHandle();
  try {
    await bootstrap(handle, { NODE_ENV: "production" });
    const project = values.create ? await ensureProject(handle.db, values.project) : await getProjectBySlug(handle.db, values.project);
    if (!project) {
      console.error(`No project "${values.project}". Pass --create to create it.`);
      return 1;
    }
    const scopes = (values.scopes?.split(",").map((s) => s.trim()) ?? ALL_SCOPES) as ApiKeyScope[];
    const bad = scopes.filter((s) => !ALL_SCOPES.includes(s));
    if (bad.length) {
      console.error(`Unknown scope(s): ${bad.join(", ")}. Known: ${ALL_SCOPES.join(", ")}`);
      return 2;
    }
    const key = await createApiKey(handle.db, { projectId: project.id, name: values.name ?? "cli key", scopes });
    console.log(`Created key for project ${project.slug}. It is shown once; store it now:\n${key.secret}`);
    return 0;
  } finally {
    await handle.close();
  }
}

process.exit(await main());
