import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "@/db/client";
import { verifyApiKey } from "@/lib/auth/api-keys";

const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), "pitwall-cli-"));
const env = { ...process.env, DATABASE_URL: "", PITWALL_DATA_DIR: dir, LOG_LEVEL: "silent" };

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run cli -- create-key", () => {
  it("prints a new key once, and the key works for its project", async () => {
    const { stdout } = await run("npx", ["tsx", "scripts/cli.ts", "create-key", "--project", "cli-test", "--create", "--scopes", "ingest"], { env });
    const secret = /pw_sk_[A-Za-z0-9_-]{40}/.exec(stdout)?.[0];
    expect(secret).toBeDefined();
    const handle = openPglite(dir);
    try {
      const key = await verifyApiKey(handle.db, secret!, "ingest");
      expect(key.scopes).toEqual(["ingest"]);
    } finally {
      await handle.close();
    }
  }, 60_000);

  it("refuses an unknown project without --create and an unknown scope", async () => {
    await expect(run("npx", ["tsx", "scripts/cli.ts", "create-key", "--project", "nope"], { env })).rejects.toMatchObject({ stderr: expect.stringMatching(/No project "nope"/) });
    await expect(run("npx", ["tsx", "scripts/cli.ts", "create-key", "--project", "cli-test", "--scopes", "root"], { env })).rejects.toMatchObject({ stderr: expect.stringMatching(/Unknown scope/) });
  }, 60_000);
});
