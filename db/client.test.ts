import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "./client";

const root = mkdtempSync(path.join(os.tmpdir(), "pitwall-client-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("openPglite", () => {
  it("creates missing parent directories of the data dir (a fresh checkout has no .pitwall/)", async () => {
    const handle = openPglite(path.join(root, ".pitwall", "pglite"));
    try {
      await handle.db.execute(sql`select 1`);
      expect(handle.kind).toBe("pglite");
    } finally {
      await handle.close();
    }
  });
});
