import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createTestDb } from "@/db/test-db";
import { clearApiKeyCache, listApiKeys, revokeApiKey, verifyApiKey } from "../auth/api-keys";
import { getProjectBySlug } from "../projects/project-queries";
import { ensureDemoKey } from "./demo-key";

let handle: DbHandle;
let dir: string;

beforeAll(async () => {
  handle = await createTestDb();
  dir = await mkdtemp(path.join(os.tmpdir(), "pitwall-demo-key-"));
});
afterAll(async () => {
  await handle.close();
  await rm(dir, { recursive: true, force: true });
});

describe("ensureDemoKey", () => {
  it("creates the demo project and a gateway-only key, saved readable by the owner only", async () => {
    const file = path.join(dir, "a", "demo-api-key");
    const first = await ensureDemoKey(handle.db, { file });
    expect(first.created).toBe(true);
    expect(first.apiKey).toMatch(/^pw_sk_/);
    expect((await getProjectBySlug(handle.db, "demo"))?.id).toBe(first.projectId);
    const verified = await verifyApiKey(handle.db, first.apiKey, "gateway");
    expect(verified.projectId).toBe(first.projectId);
    expect(verified.scopes).toEqual(["gateway"]);
    expect((await readFile(file, "utf8")).trim()).toBe(first.apiKey);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("reuses the saved key on the next start", async () => {
    const file = path.join(dir, "b", "demo-api-key");
    const first = await ensureDemoKey(handle.db, { file });
    const again = await ensureDemoKey(handle.db, { file });
    expect(again).toEqual({ ...first, created: false });
    const keys = (await listApiKeys(handle.db, first.projectId)).filter((k) => k.revokedAt === null);
    expect(keys.some((k) => first.apiKey.startsWith(k.displayPrefix.replace("…", "")))).toBe(true);
  });

  it("replaces a saved key that was revoked or belongs to no project here", async () => {
    const file = path.join(dir, "c", "demo-api-key");
    const first = await ensureDemoKey(handle.db, { file });
    const keyId = (await verifyApiKey(handle.db, first.apiKey, "gateway")).keyId;
    await revokeApiKey(handle.db, { projectId: first.projectId, keyId });
    clearApiKeyCache();
    const replaced = await ensureDemoKey(handle.db, { file });
    expect(replaced.created).toBe(true);
    expect(replaced.apiKey).not.toBe(first.apiKey);

    await writeFile(file, "pw_sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
    const fromGarbage = await ensureDemoKey(handle.db, { file });
    expect(fromGarbage.created).toBe(true);
    expect((await readFile(file, "utf8")).trim()).toBe(fromGarbage.apiKey);
  });
});
