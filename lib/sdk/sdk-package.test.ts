import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildSdk } from "../../scripts/build-sdk";
import { startFaultServer, type FaultServer } from "./testing/fault-server";

let server: FaultServer;
let bundle: string;
beforeAll(async () => {
  server = await startFaultServer(() => "ok");
  bundle = await buildSdk(path.join(mkdtempSync(path.join(tmpdir(), "pitwall-sdk-")), "index.mjs"));
});
afterAll(() => server.close());

function runNode(code: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (exitCode) => resolve({ code: exitCode, stderr }));
  });
}

describe("pitwall/sdk as a package", () => {
  it("is exported from package.json as pitwall/sdk", async () => {
    const sdk = await import("pitwall/sdk");
    expect(typeof sdk.createPitwall).toBe("function");
  });

  it("bundles with no package and no node: builtin (no server or database code), as plain JS", () => {
    const text = readFileSync(bundle, "utf8");
    expect(text).not.toMatch(/\bfrom\s+["']|require\(|import\(|drizzle|postgres|pglite/i);
  });

  it("bundles the gateway's own policy functions, lru-cache and nothing else of the server", () => {
    const inputs = JSON.parse(readFileSync(`${bundle}.inputs.json`, "utf8")) as string[];
    for (const shared of ["lib/policies/plan-route.ts", "lib/policies/resolve-cache-rule.ts", "lib/policies/apply-prompt-caching.ts", "lib/policies/next-attempt.ts", "lib/response-cache/normalize-for-cache.ts"]) {
      expect(inputs).toContain(shared);
    }
    const outside = inputs.filter((f) => !f.startsWith("lib/sdk/") && !f.startsWith("lib/policies/") && !f.startsWith("node_modules/lru-cache/"));
    expect(outside.sort()).toEqual(["lib/canonical-json.ts", "lib/gateway/usage.ts", "lib/pricing/model-family.ts", "lib/response-cache/normalize-for-cache.ts"]);
    // No zod: the policy schemas are imported as types only.
    expect(inputs.filter((f) => f.includes("schema") || f.includes("node_modules/zod"))).toEqual([]);
  });

  it("runs in plain Node without TypeScript and flushes on process exit", async () => {
    const before = server.stored.size;
    const { code, stderr } = await runNode(`
      import { createPitwall } from ${JSON.stringify(bundle)};
      const pw = createPitwall({ baseUrl: ${JSON.stringify(server.url)}, apiKey: "pw_sk_${"e".repeat(40)}", agent: "exit-test" });
      await pw.trace("t", () => pw.tool("step", async () => {}));
      pw.track({ kind: "tool", latencyMs: 5, metadata: { name: "manual" } });
      // No flush(): the beforeExit hook sends both events before the process ends.
    `);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(server.stored.size - before).toBe(2);
    const agents = [...server.stored.values()].map((e) => (e as { agent: string }).agent);
    expect(agents.filter((a) => a === "exit-test")).toHaveLength(2);
  });

  it("without AsyncLocalStorage (a fetch-only runtime), the explicit context still links calls", async () => {
    vi.resetModules();
    const proc = process as unknown as { getBuiltinModule?: unknown };
    const saved = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      const { createPitwall } = await import("./pitwall");
      const { hasAsyncContext } = await import("./context");
      expect(hasAsyncContext).toBe(false);
      const pw = createPitwall({ baseUrl: server.url, apiKey: "pw_sk_" + "e".repeat(40), flushOnExit: false });
      let ids: string[] = [];
      await pw.trace("explicit", (ctx) =>
        ctx.tool("outer", async (inner) => {
          await new Promise((r) => setTimeout(r, 5));
          ids = [inner.parentId!, inner.run(() => pw.track({ kind: "tool", latencyMs: 1 }))];
        }),
      );
      await pw.flush();
      const manual = server.stored.get(ids[1]!) as { parentId: string; traceId: string };
      const outer = server.stored.get(ids[0]!) as { traceId: string; parentId: string | null };
      expect(manual.parentId).toBe(ids[0]);
      expect(manual.traceId).toBe(outer.traceId);
      expect(outer.parentId).toBeNull();
    } finally {
      proc.getBuiltinModule = saved;
      vi.resetModules();
    }
  });
});
