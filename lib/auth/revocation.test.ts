import { spawn } from "node:child_process";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import { openPostgres, type DbHandle } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { toAppError } from "../errors";
import { projectWithKey } from "./testing/project-with-key";
import { revokeApiKey, verifyApiKey } from "./api-keys";

/** The brief: a revoked key stops working everywhere within 5 s, across processes. */
let handle: DbHandle & { url?: string };

beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

async function statusOf(db: DbHandle["db"], secret: string): Promise<number> {
  try {
    await verifyApiKey(db, secret, "ingest");
    return 200;
  } catch (err) {
    return toAppError(err).status;
  }
}

describe("key revocation", () => {
  it("a key revoked behind this process's back (as another process would) fails within 5 s", async () => {
    const { key, keyId } = await projectWithKey(handle.db);
    expect(await statusOf(handle.db, key)).toBe(200); // now cached in this process
    // Revoke with plain SQL, skipping revokeApiKey's local cache eviction.
    await handle.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, keyId));
    const t0 = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - t0 < 6000) {
      await new Promise((r) => setTimeout(r, 50));
      status = await statusOf(handle.db, key);
    }
    expect(status).toBe(401);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("revokeApiKey stops the key at once in the revoking process", async () => {
    const { project, key, keyId } = await projectWithKey(handle.db);
    expect(await statusOf(handle.db, key)).toBe(200);
    await revokeApiKey(handle.db, { projectId: project.id, keyId });
    expect(await statusOf(handle.db, key)).toBe(401);
  });

  it.runIf(Boolean(process.env.DATABASE_URL))("on Postgres: a second handle sees the revocation within 5 s", async () => {
    const second = openPostgres(handle.url!, { max: 1 });
    try {
      const { project, key, keyId } = await projectWithKey(handle.db);
      expect(await statusOf(second.db, key)).toBe(200);
      await revokeApiKey(handle.db, { projectId: project.id, keyId });
      const t0 = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - t0 < 6000) {
        await new Promise((r) => setTimeout(r, 50));
        status = await statusOf(second.db, key);
      }
      expect(status).toBe(401);
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      await second.close();
    }
  });

  it.runIf(Boolean(process.env.DATABASE_URL))("on Postgres: a second process stops accepting the key within 5 s", async () => {
    const { project, key, keyId } = await projectWithKey(handle.db);
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/revocation-probe.ts", handle.url!, key], {
      cwd: process.cwd(),
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines: { at: number; text: string }[] = [];
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let i;
      while ((i = buffer.indexOf("\n")) >= 0) {
        lines.push({ at: Date.now(), text: buffer.slice(0, i) });
        buffer = buffer.slice(i + 1);
      }
    });
    const waitFor = async (pred: () => boolean, ms: number) => {
      const until = Date.now() + ms;
      while (!pred() && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      return pred();
    };
    try {
      expect(await waitFor(() => lines.some((l) => l.text === "ok"), 30_000)).toBe(true);
      await revokeApiKey(handle.db, { projectId: project.id, keyId });
      const t0 = Date.now();
      expect(await waitFor(() => lines.some((l) => l.at >= t0 && l.text === "401"), 6000)).toBe(true);
      const refusedAt = lines.find((l) => l.at >= t0 && l.text === "401")!.at;
      expect(refusedAt - t0).toBeLessThan(5000);
    } finally {
      child.stdin!.end();
      child.kill("SIGTERM");
    }
  }, 60_000);
});
