/**
 * npm run bench:policies [-- --events 1000000 --saves 50]: the three policy figures, each next to
 * a baseline measured in the same run.
 *   1. Impact preview on N recorded events (p95 of 5 runs; target ≤ 2 s). Baseline: a bare
 *      count(*) of the same window, the least any answer over those events costs.
 *   2. Rollout lag from a save through app process A to process B serving it (p99 over the saves;
 *      target ≤ 1 s), B's polling set to a minute so only LISTEN/NOTIFY can deliver. Baseline: one
 *      gateway round trip on B, the resolution of the measurement.
 *   3. planRoute per request with 200 rules, none matching (p99 target ≤ 20 µs): route-keyed
 *      rules (the route index skips them) and rules without a route (all 200 walked). Baseline:
 *      planRoute with no rules. `--only plan-route` runs this one alone, without a database.
 * Needs DATABASE_URL (Postgres): two processes share the database. A fresh database is created
 * and dropped.
 */
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { fmt, percentile } from "./bench/stats";

const { values: args } = parseArgs({
  options: { events: { type: "string", default: "1000000" }, saves: { type: "string", default: "50" }, only: { type: "string" } },
});
const EVENTS = Number(args.events);
const SAVES = Number(args.saves);

async function main(): Promise<void> {
  console.log(`load average: ${loadavg().map((l) => l.toFixed(2)).join(" ")} (${availableParallelism()} cores)`);
  // --only plan-route: the CPU-only figure, without a database.
  if (args.only === "plan-route") return planRouteFigure();
  if (!process.env.DATABASE_URL) throw new Error("bench:policies needs DATABASE_URL (Postgres)");
  const { createTestDb } = await import("../db/test-db");
  const { projectWithKey } = await import("../lib/auth/testing/project-with-key");
  const handle = await createTestDb();
  try {
    await planRouteFigure();
    await previewFigure(handle);
    await rolloutFigure(handle);
  } finally {
    await handle.close();
  }
  async function previewFigure(h: typeof handle) {
    const { project } = await projectWithKey(h.db);
    process.stderr.write(`  filling ${EVENTS.toLocaleString("en-US")} events…\n`);
    const started = performance.now();
    // Spread over the last 7 days, with routes, agents, tags, models and token counts varied.
    for (let done = 0; done < EVENTS; done += 200_000) {
      const n = Math.min(200_000, EVENTS - done);
      await h.db.execute(sql`
        insert into events (project_id, id, ts, kind, agent, route, user_id, provider, model, requested_model, status, streamed,
          input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, response_cache,
          cost_nano_usd, cost_source, system_tokens, message_count, tool_count, tags)
        select ${project.id}::uuid, 'b' || (${done} + g), now() - (random() * interval '7 days'), 'llm',
          (array['planner-1','bot','support-bot',null])[1 + (g % 4)], (array['support','faq','code',null])[1 + ((g / 4) % 4)],
          case when g % 2 = 0 then 'u' || (g % 100) end, 'anthropic',
          (array['claude-sonnet-4-5','claude-opus-4-5','claude-haiku-4-5'])[1 + (g % 3)], (array['claude-sonnet-4-5','claude-opus-4-5','claude-haiku-4-5'])[1 + (g % 3)],
          'ok', false, (random() * 6000)::int, (random() * 800)::int, 0, 0, 0, 'none',
          (random() * 10000000)::bigint, 'computed', case when g % 2 = 0 then 4500 end, 1 + (g % 6), g % 3,
          case when g % 5 = 0 then '{"team":"a"}'::jsonb else '{}'::jsonb end
        from generate_series(1, ${n}) as g
      `);
    }
    await h.db.execute(sql`analyze events`);
    process.stderr.write(`  filled in ${fmt((performance.now() - started) / 1000)} s\n`);
    const { RoutingPolicy } = await import("../lib/policies/routing-policy-schema");
    const { getPriceBook } = await import("../lib/pricing/price-queries");
    const { loadPreviewEvents } = await import("../lib/policies/impact-queries");
    const { estimateImpact } = await import("../lib/policies/impact-estimate");
    const draft = RoutingPolicy.parse({
      rules: [
        { id: "support-fast", match: { route: "support", messageCount: { max: 2 } }, action: { model: "claude-haiku-4-5", maxTokensCap: 300 } },
        { id: "canary", match: { agent: "planner-*" }, action: { split: { arms: [{ model: "claude-sonnet-4-5", weight: 90 }, { model: "claude-opus-4-5", weight: 10 }] } } },
        { id: "long", match: { inputTokens: { min: 3000 } }, action: { promptCaching: { enabled: true, ttl: "1h" } } },
      ],
    });
    const to = new Date();
    const from = new Date(to.getTime() - 7 * 86_400_000);
    const prices = await getPriceBook(h.db, project.id);
    const previews: number[] = [];
    const counts: number[] = [];
    let basis = "";
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await h.db.execute(sql`select count(*) from events where project_id = ${project.id}::uuid and ts >= ${from.toISOString()}::timestamptz and ts < ${to.toISOString()}::timestamptz and kind = 'llm'`);
      counts.push(performance.now() - t0);
      const t1 = performance.now();
      const loaded = await loadPreviewEvents(h.db, { projectId: project.id, from, to });
      estimateImpact("routing", draft, RoutingPolicy.parse({}), loaded.events, prices, loaded.totalEvents / Math.max(1, loaded.events.length));
      previews.push(performance.now() - t1);
      basis = `${loaded.sampled ? "sample" : "all"} of ${loaded.events.length.toLocaleString("en-US")} / ${loaded.totalEvents.toLocaleString("en-US")} events`;
    }
    const p95 = percentile([...previews].sort((a, b) => a - b), 95);
    const base = percentile([...counts].sort((a, b) => a - b), 95);
    console.log(`impact preview, ${EVENTS.toLocaleString("en-US")} events (${basis}): p95 ${fmt(p95, 0)} ms (target ≤ 2000) · baseline count(*) p95 ${fmt(base, 0)} ms · ratio ${fmt(p95 / base, 1)}x`);
  }
}

async function planRouteFigure(): Promise<void> {
  const { planRoute } = await import("../lib/policies/plan-route");
  const { RoutingPolicy } = await import("../lib/policies/routing-policy-schema");
  const names = (i: number) => ({ route: `route-${i}-*`, agent: ["planner-*", `agent-${i}`], requestedModel: "claude-opus-*" });
  const rule = (i: number, named: Partial<ReturnType<typeof names>>) => ({
    id: `r${i}`,
    match: { ...named, tags: { team: `t${i}` }, messageCount: { min: 1, max: 50 } },
    action: { model: "claude-haiku-4-5" },
  });
  const policyOf = (named: (i: number) => Partial<ReturnType<typeof names>>) => RoutingPolicy.parse({ rules: Array.from({ length: 200 }, (_, i) => rule(i, named(i))) });
  // Rules naming a route (and an agent and a model): the rule index (rule-index.ts) skips those whose names cannot match.
  const keyed = policyOf(names);
  // Rules naming an agent only: the index is built on the agent.
  const agentKeyed = policyOf((i) => ({ agent: names(i).agent }));
  // Rules naming nothing (tags and ranges only): every request walks all 200 compiled matchers, the worst case.
  const unkeyed = policyOf(() => ({}));
  const empty = RoutingPolicy.parse({});
  const facts = { route: "support", agent: "bot", tags: { team: "x" }, requestedModel: "claude-sonnet-4-5", estimatedInputTokens: 1200, hasTools: false, messageCount: 3 };
  // Wall time per request (p99 of 100-call batches), and the same batches' on-CPU time: on a
  // shared machine a batch the scheduler paused shows in the wall figure only.
  const perCall = (policy: typeof keyed) => {
    const BATCH = 100;
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 2000; i++) planRoute(policy, facts, { policyVersion: 1 }); // warm-up
    for (let b = 0; b < 2000; b++) {
      const c = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < BATCH; i++) planRoute(policy, facts, { policyVersion: 1 });
      wall.push(((performance.now() - t) * 1000) / BATCH);
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / BATCH);
    }
    wall.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    return { p50: percentile(wall, 50), p99: percentile(wall, 99), cpuP99: percentile(cpu, 99) };
  };
  const base = perCall(empty);
  const walked = perCall(unkeyed);
  const indexed = perCall(keyed);
  const byAgent = perCall(agentKeyed);
  const line = (label: string, r: ReturnType<typeof perCall>) =>
    console.log(
      `planRoute, ${label}: p99 ${fmt(r.p99, 2)} µs per request (target ≤ 20), p50 ${fmt(r.p50, 2)} µs, on-CPU p99 ${fmt(r.cpuP99, 2)} µs · baseline no rules p99 ${fmt(base.p99, 2)} µs · ratio ${fmt(r.p99 / base.p99, 1)}x`,
    );
  line("200 rules naming a route, none matching", indexed);
  line("200 rules naming an agent only, none matching", byAgent);
  line("200 rules walked (tags and ranges only, nothing to index on), none matching", walked);
}

async function rolloutFigure(handle: { db: import("../db/client").Db; url?: string }): Promise<void> {
  const { startAppProcess } = await import("../lib/server/testing/app-process");
  const { projectWithKey } = await import("../lib/auth/testing/project-with-key");
  const { signedInUser } = await import("../lib/auth/testing/sessions");
  const { project, key } = await projectWithKey(handle.db);
  const editor = await signedInUser(handle.db, { projectId: project.id, role: "editor" });
  // The simulated upstream answers at once: the lag measured is the policy's, not a model's latency.
  const instant = { PITWALL_SIMULATOR_LATENCY_SCALE: "0" };
  const [a, b] = await Promise.all([startAppProcess(handle.url!, instant), startAppProcess(handle.url!, { ...instant, PITWALL_POLICY_POLL_MS: "60000" })]);
  try {
    const ask = async () => {
      const res = await fetch(`${b.url}/gateway/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
      });
      return ((await res.json()) as { model: string }).model;
    };
    for (let i = 0; i < 5; i++) await ask();
    const lags: number[] = [];
    const trips: number[] = [];
    let version = 0;
    for (let i = 0; i < SAVES; i++) {
      const model = i % 2 === 0 ? "claude-haiku-4-5" : "claude-opus-4-5";
      const t0 = performance.now();
      const put = await fetch(`${a.url}/api/v1/policies/routing?project=${project.slug}`, {
        method: "PUT",
        headers: { cookie: editor.cookie, origin: a.url, "content-type": "application/json", "if-match": `"${version}"` },
        body: JSON.stringify({ document: { rules: [{ id: "all", action: { model } }] } }),
      });
      if (put.status !== 200) throw new Error(`save answered ${put.status}: ${await put.text()}`);
      version = ((await put.json()) as { version: number }).version;
      const saved = performance.now();
      for (;;) {
        const t = performance.now();
        const served = await ask();
        trips.push(performance.now() - t);
        if (served === model) break;
        if (performance.now() - saved > 10_000) throw new Error("process B never served the new version");
      }
      lags.push(performance.now() - saved);
      void t0;
    }
    const p99 = percentile([...lags].sort((x, y) => x - y), 99);
    const trip = percentile([...trips].sort((x, y) => x - y), 50);
    console.log(`rollout lag, save via A → served by B, ${SAVES} saves: p99 ${fmt(p99, 0)} ms (target ≤ 1000), p50 ${fmt(percentile([...lags].sort((x, y) => x - y), 50), 0)} ms · baseline gateway round trip on B p50 ${fmt(trip, 0)} ms · ratio ${fmt(p99 / trip, 1)}x`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
