import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/db/test-db";
import type { DbHandle } from "@/db/client";
import { projectWithMembers, type Caller, type ProjectWithMembers } from "../../auth/testing/project-members";
import { webHandler } from "../../http/web-handler";
import { createApiKey } from "../../auth/api-keys";
import { getActivePolicies } from "../active-policies";
import { postDryRun } from "./dry-run-handler";
import { activatePolicy, getPolicies, getPolicy, postPolicy, putPolicy } from "./policies-handlers";
import { getAudit, getChanges, getVersionHistory, postRollback } from "./versions-handlers";

let handle: DbHandle;
let slug: string, projectId: string, key: string;
let headersFor: ProjectWithMembers["headersFor"];

beforeAll(async () => {
  handle = await createTestDb();
  ({ slug, projectId, key, headersFor } = await projectWithMembers(handle.db));
});
afterAll(async () => handle?.close());

type Who = Caller;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Res = { status: number; headers: Headers; json: any };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (db: any, req: Request, ctx: any) => Promise<Response>;

async function call(fn: Handler, who: Who, path: string, opts: { method?: string; body?: unknown; headers?: Record<string, string>; params?: Record<string, string>; query?: string } = {}): Promise<Res> {
  const headers: Record<string, string> = { "content-type": "application/json", ...opts.headers, ...headersFor(who) };
  const init: RequestInit = { method: opts.method ?? "GET", headers };
  if (opts.body !== undefined) init.body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  const req = new Request(`http://localhost/api/v1/policies${path}?project=${slug}${opts.query ?? ""}`, init);
  const res = await webHandler<unknown>((r, c) => fn(handle.db, r, c))(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

const put = (who: Who, kind: string, body: unknown, ifMatch?: string) =>
  call(putPolicy, who, `/${kind}`, { method: "PUT", body, params: { kind }, ...(ifMatch ? { headers: { "if-match": ifMatch } } : {}) });
const history = (kind: string) => call(getVersionHistory, "viewer", `/${kind}/versions`, { params: { kind } });
const rollback = (who: Who, kind: string, n: string) => call(postRollback, who, `/${kind}/versions/${n}/rollback`, { method: "POST", params: { kind, n } });
const dryRun = (who: Who, kind: string, body: unknown) => call(postDryRun, who, `/${kind}/dry-run`, { method: "POST", body, params: { kind } });
const versionCount = async (kind: string) => (await history(kind)).json.versions.length as number;

const support = { id: "support", description: "short support questions", match: { route: "support", messageCount: { max: 2 } }, action: { model: "claude-haiku-4-5" } };
const canary = { id: "canary", match: { agent: "planner-*" }, action: { split: { arms: [{ model: "claude-sonnet-4-5", weight: 90 }, { model: "claude-opus-4-5", weight: 10 }] }, fallbacks: ["claude-sonnet-4"], maxTokensCap: 512 } };
const request = { model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user", content: "How do I reset my password?" }] };

describe("policy versions API", () => {
  it("saves with PUT on the live version, answers 409 on a stale If-Match and saves nothing", async () => {
    const first = await put("editor", "routing", { document: { rules: [support] }, comment: "fast support" }, '"0"');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ version: 1, active: true, createdBy: "editor@example.test", warnings: [] });
    expect(first.headers.get("etag")).toBe('"1"');
    const second = await put("admin", "routing", { document: { rules: [support, canary] } }, '"1"');
    expect(second.json.version).toBe(2);

    const stale = await put("editor", "routing", { document: { rules: [] } }, '"1"');
    expect(stale.status).toBe(409);
    expect(stale.json.error).toMatchObject({ code: "conflict:policy_version", details: { liveVersion: 2, expectedVersion: 1 } });
    expect(await versionCount("routing")).toBe(2);
    // The body form of If-Match is checked the same way.
    expect((await put("editor", "routing", { document: { rules: [] }, expectedVersion: 1 })).status).toBe(409);
    expect((await put("editor", "routing", { document: {} }, "version two")).status).toBe(400);
    expect(await versionCount("routing")).toBe(2);
  });

  it("lists the history newest first, each version with its semantic diff to the one before", async () => {
    const res = await history("routing");
    expect(res.status).toBe(200);
    expect(res.json.liveVersion).toBe(2);
    const [v2, v1] = res.json.versions;
    expect(v2).toMatchObject({ version: 2, live: true, diff: { added: [{ id: "canary", index: 1 }], removed: [], changed: [] }, summary: ["added rule canary"] });
    expect(v1).toMatchObject({ version: 1, live: false, comment: "fast support", diff: { added: [{ id: "support", index: 0 }] } });
  });

  it("rolls back in one call: a new version equal to the old one, live, audited", async () => {
    const res = await rollback("editor", "routing", "1");
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ version: 3, rolledBackTo: 1, comment: "Rollback to version 1" });
    const live = await getActivePolicies(handle.db, projectId);
    expect(live.routingVersion).toBe(3);
    expect(live.routing.rules.map((r) => r.id)).toEqual(["support"]);
    const v3 = (await history("routing")).json.versions[0];
    expect(v3.diff).toMatchObject({ removed: [{ id: "canary" }], added: [] });
    expect((await rollback("editor", "routing", "99")).status).toBe(404);
    expect((await rollback("editor", "routing", "abc")).status).toBe(400);
  });

  it("refuses a viewer saving, rolling back or activating with 403, and saves nothing", async () => {
    expect((await put("viewer", "routing", { document: {} })).status).toBe(403);
    expect((await rollback("viewer", "routing", "1")).status).toBe(403);
    expect((await call(activatePolicy, "viewer", "/routing/activate", { method: "POST", body: { version: 1 }, params: { kind: "routing" } })).status).toBe(403);
    expect((await put({ key }, "routing", { document: {} })).status).toBe(403);
    expect(await versionCount("routing")).toBe(3);
  });

  it("records who changed what and when in the audit log, activation and rollback included", async () => {
    expect((await call(activatePolicy, "admin", "/routing/activate", { method: "POST", body: { version: 2 }, params: { kind: "routing" } })).status).toBe(200);
    const res = await call(getAudit, "viewer", "/audit");
    expect(res.status).toBe(200);
    const entries = res.json.entries.map((e: { action: string; version: number; previousVersion: number | null; actor: string; sourceVersion: number | null }) => [e.action, e.version, e.previousVersion, e.sourceVersion, e.actor]);
    expect(entries).toEqual([
      ["activate", 2, 3, null, "admin@example.test"],
      ["rollback", 3, 2, 1, "editor@example.test"],
      ["save", 2, 1, null, "admin@example.test"],
      ["save", 1, null, null, "editor@example.test"],
    ]);
  });

  it("answers the change markers oldest first within from/to, and 400 for a bad range", async () => {
    const res = await call(getChanges, { key }, "/changes");
    expect(res.status).toBe(200);
    expect(res.json.changes.map((c: { version: number }) => c.version)).toEqual([1, 2, 3, 2]);
    expect(res.json.changes[0]).toMatchObject({ kind: "routing", actor: "editor@example.test", live: true });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await call(getChanges, "viewer", "/changes", { query: `&from=${encodeURIComponent(future)}&to=${encodeURIComponent(future)}` })).json.changes).toEqual([]);
    expect((await call(getChanges, "viewer", "/changes", { query: "&from=yesterday" })).status).toBe(400);
  });

  it("serves both live documents with an ETag and answers 304 to If-None-Match", async () => {
    const res = await call(getPolicies, { key }, "");
    expect(res.status).toBe(200);
    expect(res.json.routing).toMatchObject({ version: 2, document: { rules: [{ id: "support" }, { id: "canary" }] } });
    expect(res.json.cache).toMatchObject({ version: 0, document: { default: { ttlSec: 0 } } });
    const etag = res.headers.get("etag")!;
    expect(etag).toBe('"routing-2.cache-0"');
    const again = await call(getPolicies, { key }, "", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.json).toBeNull();
    expect((await call(getPolicy, "viewer", "/cache", { params: { kind: "cache" } })).headers.get("etag")).toBe('"0"');
  });

  it("lets an agent's ingest or gateway key read both live documents, and nothing else of the policies", async () => {
    for (const scope of ["ingest", "gateway"] as const) {
      const agentKey = (await createApiKey(handle.db, { projectId, name: `agent-${scope}`, scopes: [scope] })).secret;
      const res = await call(getPolicies, { key: agentKey }, "");
      expect(res.status).toBe(200);
      expect(res.json.routing.version).toBe(2);
      expect((await call(getPolicy, { key: agentKey }, "/routing", { params: { kind: "routing" } })).status).toBe(403);
    }
  });

  it("says when each version last went live, and null for a draft that never was", async () => {
    const draft = await call(postPolicy, "editor", "/routing", { method: "POST", body: { document: { rules: [] }, activate: false }, params: { kind: "routing" } });
    expect(draft.json).toMatchObject({ version: 4, active: false });
    const audit = (await call(getAudit, "viewer", "/audit", { query: "&kind=routing" })).json.entries as { action: string; version: number; at: string }[];
    const [v4, v3, v2, v1] = (await history("routing")).json.versions as { version: number; live: boolean; wentLiveAt: string | null }[];
    expect(v4).toMatchObject({ version: 4, live: false, wentLiveAt: null });
    expect(v3!.wentLiveAt).toBe(audit.find((a) => a.action === "rollback" && a.version === 3)!.at);
    // Version 2 went live twice (its save, then an activation): the later one.
    expect(v2).toMatchObject({ live: true, wentLiveAt: audit.find((a) => a.action === "activate" && a.version === 2)!.at });
    expect(v1!.wentLiveAt).toBe(audit.find((a) => a.action === "save" && a.version === 1)!.at);
  });
});

describe("dry-run", () => {
  it("names the matched rule, the field each earlier rule failed, and the plan", async () => {
    const res = await dryRun("viewer", "routing", { request: { ...request, max_tokens: 4096 }, agent: "planner-7" });
    expect(res.status).toBe(200);
    expect(res.json.routing).toMatchObject({
      version: 2,
      matched: { ruleId: "canary", index: 1 },
      skipped: [{ ruleId: "support", index: 0, field: "route" }],
      split: [
        { model: "claude-sonnet-4-5", weight: 90 },
        { model: "claude-opus-4-5", weight: 10 },
      ],
      fallbacks: ["claude-sonnet-4"],
      maxTokensCap: 512,
      maxTokens: { requested: 4096, sent: 512, capped: true },
    });
    const models = res.json.estimate.candidates.map((c: { model: string; role: string; priced: boolean }) => [c.model, c.role, c.priced]);
    expect(models).toEqual([
      ["claude-sonnet-4-5", "arm", true],
      ["claude-opus-4-5", "arm", true],
      ["claude-sonnet-4", "fallback", true],
    ]);
    expect(res.json.estimate.candidates[1].costUsd).toBeGreaterThan(res.json.estimate.candidates[0].costUsd);
  });

  it("runs a draft document instead of the live one, with prompt caching shown as the rewritten system block", async () => {
    const system = "You are a support agent. ".repeat(800);
    const document = { rules: [{ id: "cache-system", action: { promptCaching: { enabled: true, ttl: "1h" } } }] };
    const res = await dryRun("editor", "routing", { request: { ...request, system }, route: "support", document });
    expect(res.status).toBe(200);
    expect(res.json.routing).toMatchObject({ version: null, matched: { ruleId: "cache-system" }, promptCaching: { ttl: "1h", added: ["system"] } });
    expect(res.json.routing.promptCaching.system).toEqual([{ type: "text", text: system, cache_control: { type: "ephemeral", ttl: "1h" } }]);
  });

  it("explains the cache rule: TTL and key scope, user scope off without a user", async () => {
    const document = { rules: [{ id: "faq", match: { route: "faq" }, ttlSec: 3600 }, { id: "mine", match: { tags: { team: "a" } }, ttlSec: 600, scope: "user" }] };
    const faq = await dryRun("viewer", "cache", { request, route: "faq", document });
    expect(faq.json.cache).toMatchObject({ version: null, matched: { ruleId: "faq" }, ttlSec: 3600, scope: "project", offReason: null });
    const mine = await dryRun("viewer", "cache", { request, tags: { team: "a" }, document });
    expect(mine.json.cache).toMatchObject({ matched: { ruleId: "mine" }, skipped: [{ ruleId: "faq", field: "route" }], ttlSec: 0, scope: "user", offReason: "no_user" });
  });

  it.each([
    ["no messages", { model: "claude-sonnet-4-5", max_tokens: 10 }, "request.messages"],
    ["no max_tokens", { model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] }, "request.max_tokens"],
    ["a number as the model", { model: 7, max_tokens: 10, messages: [{ role: "user", content: "hi" }] }, "request.model"],
    ["a message without content", { model: "m", max_tokens: 10, messages: [{ role: "user" }] }, "request.messages.0.content"],
  ])("answers 400 naming the field for a request with %s", async (_what, bad, field) => {
    const res = await dryRun("viewer", "routing", { request: bad });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain(field);
    expect(res.json.error.details.issues[0].path).toBe(field);
  });

  it("answers 400 with the policy issues for an invalid draft", async () => {
    const res = await dryRun("viewer", "routing", { request, document: { rules: [{ id: "x", action: { split: { arms: [{ model: "a", weight: 50 }] } } }] } });
    expect(res.status).toBe(400);
    expect(res.json.error.details.issues[0].path).toBe("rules.0.action.split.arms");
  });
});

describe("bad policy input: a clear message, nothing saved, never a 500", () => {
  const live = () => getActivePolicies(handle.db, projectId).then((p) => p.routingVersion);
  const refused = async (kind: string, document: unknown, path: string, message: RegExp) => {
    const before = await versionCount(kind);
    const res = await put("editor", kind, { document });
    expect(res.status).toBe(400);
    const issue = res.json.error.details.issues.find((i: { path: string }) => i.path === path);
    expect(issue?.message).toMatch(message);
    expect(await versionCount(kind)).toBe(before);
  };

  it("split weights not totalling 100", async () => {
    await refused("routing", { rules: [{ id: "c", action: { split: { arms: [{ model: "claude-haiku-4-5", weight: 60 }, { model: "claude-sonnet-4-5", weight: 30 }] } } }] }, "rules.0.action.split.arms", /sum to 100/);
  });

  it.each([
    ["negative", -1, /greater than or equal to 0|>=0/],
    ["a string", "3600", /expected number/],
    ["over 30 days", 30 * 86400 + 1, /less than or equal|<=/],
    ["fractional", 1.5, /whole number/],
  ])("a TTL that is %s", async (_what, ttlSec, message) => {
    await refused("cache", { rules: [{ id: "t", ttlSec }] }, "rules.0.ttlSec", message);
  });

  it("a TTL that is NaN (not representable in JSON: the body is refused before the schema)", async () => {
    const res = await call(putPolicy, "editor", "/cache", { method: "PUT", body: '{"document":{"rules":[{"id":"t","ttlSec":NaN}]}}', params: { kind: "cache" } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("bad_request:json");
  });

  it("a 100 KB pattern", async () => {
    await refused("routing", { rules: [{ id: "big", match: { route: "a".repeat(100_000) }, action: {} }] }, "rules.0.match.route", /at most 200 characters|expected string/i);
  });

  it("10,000 rules", async () => {
    const rules = Array.from({ length: 10_000 }, (_, i) => ({ id: `r${i}`, action: {} }));
    await refused("routing", { rules }, "rules", /at most 200 rules/);
  });

  it("duplicate rule ids", async () => {
    await refused("routing", { rules: [{ id: "a", action: {} }, { id: "a", action: {} }] }, "rules.1.id", /duplicate rule id "a"/);
  });

  it("an unknown model is a warning, not a block", async () => {
    const res = await put("editor", "routing", { document: { rules: [{ id: "new", action: { model: "claude-future-9" } }] } }, `"${await live()}"`);
    expect(res.status).toBe(200);
    expect(res.json.warnings).toEqual([{ path: "rules.0.action.model", message: '"claude-future-9" has no price row: its calls will be recorded as unpriced' }]);
  });

  it("HTML and script in rule names and descriptions are stored as text and answered as JSON", async () => {
    const description = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const res = await put("editor", "cache", { document: { rules: [{ id: "faq", description, ttlSec: 60 }] } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.json.document.rules[0].description).toBe(description);
    // Rule ids are the names shown in tables and markers: markup cannot be one.
    await refused("cache", { rules: [{ id: "<b>x</b>", ttlSec: 60 }] }, "rules.0.id", /letters, digits/);
  });
});
