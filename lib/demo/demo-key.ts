import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/db/client";
import { createApiKey, verifyApiKey } from "../auth/api-keys";
import { log } from "../log";
import { ensureProject } from "../projects/project-queries";

export const DEMO_PROJECT_SLUG = "demo";
const KEY_FILE = "demo-api-key";

/** Where the demo key lives: under .pitwall/ (git-ignored), readable by the owner only. */
export function demoKeyPath(dir = path.join(process.cwd(), ".pitwall")): string {
  return path.join(dir, KEY_FILE);
}

/**
 * The gateway key the demo traffic uses: loaded from .pitwall/demo-api-key when it still works
 * for the "demo" project in this database, else created (gateway scope only) and saved there.
 * A key from another database (the file outlived a reset) is simply replaced.
 */
export async function ensureDemoKey(db: Db, opts: { file?: string } = {}): Promise<{ apiKey: string; projectId: string; created: boolean }> {
  const file = opts.file ?? demoKeyPath();
  const project = await ensureProject(db, DEMO_PROJECT_SLUG, "Demo");
  const saved = await readFile(file, "utf8").then(
    (text) => text.trim(),
    () => "",
  );
  if (saved) {
    const valid = await verifyApiKey(db, saved, "gateway").then(
      (key) => key.projectId === project.id,
      () => false,
    );
    if (valid) return { apiKey: saved, projectId: project.id, created: false };
  }
  const key = await createApiKey(db, { projectId: project.id, name: "demo traffic", scopes: ["gateway"] });
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written to a temp file first so a crash never leaves half a key behind.
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${key.secret}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  log.info({ project: DEMO_PROJECT_SLUG, key: key.displayPrefix }, "created the demo traffic key");
  return { apiKey: key.secret, projectId: project.id, created: true };
}
