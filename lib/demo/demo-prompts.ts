/**
 * The demo agents' long, shared system prompts and their question pools. Each system prompt is
 * well above its model's minimum cacheable length (4096 tokens for Haiku 4.5 and Opus 4.6, 1024
 * for Sonnet 4.6), so prompt caching shows on the dashboards; the pools are small so questions
 * repeat and the response cache hits.
 */

const PRODUCTS = ["Pitwall Cloud", "Pitwall Self-Hosted", "the gateway", "the ingestion API", "the dashboards", "the CLI"];
const FAQ: [string, string][] = [
  ["Rotating an API key", "Create the new key under Settings → API keys, deploy it to every agent, then revoke the old key. Revocation takes effect within five seconds on every gateway process; requests with the old key then receive 401 authentication_error."],
  ["Key scopes", "A key carries scopes: ingest (send events), gateway (call models through Pitwall) and metrics:read (read dashboards over the API). Give each agent only the scopes it needs; a key without the gateway scope receives 403 on /gateway."],
  ["Invoices and billing", "Invoices are issued on the first of the month for the previous month's usage and are available under Settings → Billing. Costs shown on dashboards are computed from the price table in effect when each call was made."],
  ["Price changes", "When Anthropic changes a price, add an effective-dated row to the price table. Calls before the date keep their old cost; a recompute job can restate a period if a price was entered late."],
  ["Response cache", "The response cache stores complete, successful answers keyed on the request after routing. Send Cache-Control: no-cache to skip reading it for one call, or no-store to neither read nor write. x-pitwall-cache response headers say HIT, MISS or BYPASS."],
  ["Prompt caching", "Prompt caching is Anthropic's: mark long, stable prefixes (system prompts, tools) with cache_control. Reads cost a tenth of the input price on most models. The routing policy can add breakpoints automatically above each model's minimum length."],
  ["Routing and fallbacks", "The routing policy matches calls by route, agent, tags, model and size, then serves them with a chosen model, a weighted split for canaries, or a fallback chain taken on 429, 529, 5xx and timeouts before the first byte."],
  ["Sessions", "Send x-pitwall-session with a stable id per conversation. Sessions group calls on the dashboards and keep sticky routing decisions, so one conversation is never split across models mid-way."],
  ["Data retention", "Events are kept for 400 days by default. Prompts and completions are never stored unless capture is turned on for a route; when it is, they are kept for 30 days and can be purged per session."],
  ["Rate limits", "Anthropic's rate limits apply per organisation. The gateway relays retry-after and honours it inside the fallback time budget; a spend-limit 429 is never retried because waiting does not help."],
  ["Latency figures", "TTFT is the time from the gateway receiving the request to the first content byte; latency is until the last byte. Both are recorded per call and shown as p50, p90 and p99 per route and model."],
  ["Self-hosting requirements", "Pitwall runs on Node 20 with Postgres 15 or later, or on embedded PGlite for trials. Redis is optional and shares the response cache between gateway processes."],
  ["Exporting data", "Every dashboard can be exported as CSV, and the metrics API returns the same figures as JSON for a project key with the metrics:read scope."],
  ["Single sign-on", "Organisations on the Business plan can sign in with SAML or OIDC. Roles (owner, admin, member, viewer) are assigned per project; only owners and admins can edit policies."],
  ["Outages", "If Pitwall's database is unreachable, the gateway keeps serving: records are buffered in memory, then spooled to disk, and replayed when the database returns. /api/health reports the counts."],
  ["Deleting a project", "Owners can delete a project under Settings → Danger zone. Deletion removes its events, keys and policies after a seven-day grace period during which it can be restored."],
];
const TONE = [
  "Answer in at most five short paragraphs, with the exact menu path or header name when one exists.",
  "Never ask the customer for an API key or a password, and never repeat one they paste: tell them to revoke it.",
  "If the question is about a bill, state the figure's source (the price table) and offer to open a ticket.",
  "When you do not know, say so and name the documentation page that is most likely to help.",
  "Prefer the customer's own terminology, but correct a wrong term once, gently.",
];

function releaseNotes(count: number): string {
  const areas = ["gateway", "dashboards", "ingestion", "policies", "response cache", "CLI", "pricing", "alerts"];
  const changes = ["faster p99 under load", "a clearer error message for malformed headers", "CSV export for every chart", "sticky routing per session", "a retry budget per route", "per-model minimum cacheable lengths", "effective-dated prices", "spool replay progress in /api/health"];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const area = areas[i % areas.length]!;
    const change = changes[(i * 3) % changes.length]!;
    lines.push(`- 2.${Math.floor(i / 4)}.${i % 4}: ${area}: ${change}; upgrade note: no configuration change is needed, and existing ${area} settings are kept as they are.`);
  }
  return lines.join("\n");
}

export const SUPPORT_SYSTEM = [
  "You are Pitwall's customer support assistant. Pitwall is a self-hosted control room for the speed and cost of Claude agents.",
  `Products you support: ${PRODUCTS.join(", ")}.`,
  "## How to answer",
  ...TONE.map((t) => `- ${t}`),
  "## Knowledge base",
  ...FAQ.map(([title, body]) => `### ${title}\n${body}`),
  "## Release notes (newest last)",
  releaseNotes(100),
  "## Escalation",
  "Escalate to a human when the customer reports data loss, a security concern, a bill above 10,000 USD, or asks twice for the same thing.",
].join("\n\n");

export const SUPPORT_QUESTIONS = [
  "How do I rotate an API key without downtime?",
  "Why does my dashboard cost differ from the Anthropic invoice?",
  "What does x-pitwall-cache: BYPASS mean?",
  "How long do you keep my events?",
  "Can I turn off the response cache for one request?",
  "Which scopes does a gateway-only key need?",
  "How do fallbacks work when Anthropic returns 529?",
  "Do you store my prompts?",
  "How do I export last month's costs as CSV?",
  "What happens to the gateway if the database goes down?",
  "How do I set up SSO?",
  "Why was my request not retried after a 429?",
];

const REVIEW_RULES = [
  "Names say what a thing is; a function is a verb phrase, a value a noun phrase. Abbreviations only when universal (id, url, db).",
  "Parse at the boundary with a schema; inside, trust the types. Flag any `as` cast on external input.",
  "Money is an integer in the smallest unit; flag floats for prices, costs or token counts.",
  "Every query is scoped to the caller's project; flag any query without the project filter.",
  "Errors carry a code that maps to a status and a safe message; the cause is logged, never sent.",
  "Secrets never appear in logs, responses or error messages; flag string interpolation of keys.",
  "No unbounded memory: buffers, caches and queues have a cap and a policy for what happens at the cap.",
  "Hot paths avoid per-request allocation of large objects, synchronous crypto on big inputs, and JSON re-serialisation.",
  "Streams are piped chunk by chunk; flag any code that collects a stream before forwarding it.",
  "Timeouts everywhere a network call is made; flag fetch or http requests without a timeout or signal.",
  "A retry has a budget and a backoff with jitter; flag retries on 4xx other than 408, 409 and 429.",
  "Tests name the behaviour they check and fail when it breaks; flag tests that assert nothing or sleep for timing.",
  "Comments explain why, not what; flag comments that restate the code.",
  "Files have one job and stay under about 400 lines; suggest a split when a file grows two concerns.",
  "Prefer early returns to nested conditionals; flag functions with more than three levels of nesting.",
  "Dates are stored in UTC with a timezone-aware type; flag naive timestamps.",
  "Migrations are generated and additive; flag edits to a migration that has shipped.",
  "Public functions take one object argument when they take more than two parameters.",
  "Avoid boolean parameters that change behaviour; prefer two functions or an options object with a named field.",
  "Concurrency: every Promise is awaited or deliberately detached with a catch; flag floating promises.",
  "Resource cleanup in finally blocks: sockets, file handles, timers and database connections.",
  "User-facing copy is short and concrete, and says what to do next.",
  "Dependencies: flag new packages that duplicate an existing one or that pull a large tree for a small helper.",
  "Accessibility: interactive elements have labels, charts have a text summary, colour is never the only signal.",
];

const GLOSSARY: [string, string][] = [
  ["project", "the tenant boundary: every row, key, policy and query belongs to exactly one project"],
  ["caller", "the authenticated principal of a request, with its project id and role, built once per request"],
  ["hot path", "a request path served by the custom node:http server before Next: the gateway, event ingestion and OTLP"],
  ["event", "one recorded model call or span, with tokens by cache kind, cost in nano-USD, latency and TTFT"],
  ["nano-USD", "the unit of money: one billionth of a dollar, stored as a bigint so sums are exact"],
  ["route", "the caller-declared purpose of a call (x-pitwall-route), the main key of policies and dashboards"],
  ["policy version", "an immutable, numbered revision of a routing or cache policy; every event records the one it ran under"],
  ["fallback chain", "the ordered models tried when the first answers 429, 529, 5xx or times out before the first byte"],
  ["response cache", "exact-match storage of complete answers keyed on the normalised request after routing"],
  ["prompt cache", "Anthropic's prefix cache, billed as cache writes and reads in usage"],
  ["spool", "the on-disk overflow of the event writer, replayed when the database returns"],
  ["TTFT", "time to first token: request received to first content byte sent to the client"],
  ["rollup", "a pre-aggregated metrics table per project, route, model and time bucket"],
  ["seed prices", "the default price table copied into each new project and editable per project"],
  ["session", "a conversation id (x-pitwall-session) grouping calls and pinning sticky routing"],
  ["scope", "what an API key may do: ingest, gateway or metrics:read"],
];

export const REVIEW_SYSTEM = [
  "You are a senior code reviewer for a TypeScript codebase (Next.js app router, drizzle over Postgres, zod at boundaries).",
  "Review the diff the user sends. Report at most five findings, most important first, each with the file, the line, the rule it breaks and a concrete fix. Say plainly when the diff is fine.",
  "## Review rules",
  ...REVIEW_RULES.map((rule, i) => `${i + 1}. ${rule}`),
  "## Severity",
  "blocker: data loss, a security hole, a wrong bill. major: a bug users will hit. minor: style, naming, a missing test. nit: taste.",
  "## Glossary (use these terms exactly)",
  ...GLOSSARY.map(([term, meaning]) => `- ${term}: ${meaning}.`),
  "## Format",
  "One finding per bullet: `severity file:line: problem. fix.` Then one sentence of overall judgement.",
].join("\n\n");

export const REVIEW_DIFFS = [
  "diff --git a/lib/billing/total.ts\n+export function total(rows: { cost: number }[]) {\n+  return rows.reduce((sum, r) => sum + r.cost, 0.0);\n+}",
  "diff --git a/lib/keys/log.ts\n+log.info(`created key ${secret} for ${projectId}`);",
  "diff --git a/lib/events/list.ts\n+export async function listEvents(db: Db, limit: number) {\n+  return db.select().from(events).limit(limit);\n+}",
  "diff --git a/lib/gateway/proxy.ts\n+const body = await collect(upstream.body);\n+res.end(body);",
  "diff --git a/lib/http/fetch-price.ts\n+const res = await fetch(url);\n+return res.json();",
  "diff --git a/lib/jobs/retry.ts\n+for (let i = 0; i < 10; i++) { try { return await call(); } catch {} }",
  "diff --git a/lib/cache/memo.ts\n+const memo = new Map<string, unknown>();\n+export function remember(k: string, v: unknown) { memo.set(k, v); }",
  "diff --git a/app/settings/page.tsx\n+<button onClick={save}><Icon name=\"floppy\" /></button>",
];
export const REVIEW_FOLLOW_UPS = ["Can you show the fixed version of the first finding?", "Is there a test I should add for this?", "Which finding should block the merge?"];

const SOURCES = [
  "Anthropic pricing page", "Anthropic rate-limit docs", "internal latency dashboards", "the gateway benchmark report", "customer interview notes",
  "support ticket export", "the routing policy history", "OpenTelemetry GenAI semantic conventions", "the incident log", "cloud cost reports",
];

function sourceCatalogue(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const source = SOURCES[i % SOURCES.length]!;
    lines.push(`- S${i + 1}: ${source}, edition ${Math.floor(i / SOURCES.length) + 1}. Reliability: ${["high", "medium", "high", "low"][i % 4]}. Use for: ${["figures", "definitions", "trends", "anecdotes"][i % 4]}. Cite as [S${i + 1}] and quote no more than two sentences verbatim; paraphrase the rest and keep numbers exact.`);
  }
  return lines.join("\n");
}

export const RESEARCH_SYSTEM = [
  "You are a research planner. Break the user's question into steps, call tools to gather evidence, then write a short, sourced answer.",
  "## Method",
  "1. Restate the question in one sentence and list what would change the answer.\n2. Search internal docs first, then fetch pages for primary figures, then query the warehouse for our own numbers.\n3. Stop when two independent sources agree or when three tool calls found nothing new.\n4. Answer with a one-paragraph summary, a table of figures with sources, and open questions.",
  "## Tool etiquette",
  "Use search_docs for internal documentation, fetch_page for a URL you already know, run_sql for read-only warehouse queries (events, costs, sessions tables). Never run a query without a time filter.",
  "## Source catalogue",
  sourceCatalogue(100),
].join("\n\n");

export const RESEARCH_TOOLS = [
  {
    name: "search_docs",
    description: "Full-text search over internal documentation and past research notes. Returns titles, URLs and snippets.",
    input_schema: { type: "object" as const, properties: { query: { type: "string" }, limit: { type: "integer", minimum: 1, maximum: 10 } }, required: ["query"] },
  },
  {
    name: "fetch_page",
    description: "Fetches a web page or internal URL and returns its main text.",
    input_schema: { type: "object" as const, properties: { url: { type: "string" } }, required: ["url"] },
  },
  {
    name: "run_sql",
    description: "Runs a read-only SQL query against the analytics warehouse and returns up to 100 rows.",
    input_schema: { type: "object" as const, properties: { sql: { type: "string" }, timeout_s: { type: "integer", minimum: 1, maximum: 60 } }, required: ["sql"] },
  },
];

export const RESEARCH_QUESTIONS = [
  "How much would moving support traffic from Sonnet to Haiku save per month? Use run_sql for our volumes.",
  "What is a realistic TTFT target for our code-review agent? search_docs for past benchmarks.",
  "Which routes would benefit most from prompt caching?",
  "Compare our p99 latency this month with last month and explain the change.",
  "Estimate the cost impact of enabling 1h prompt caching on the research agent.",
  "Which customers hit rate limits most often, and when?",
];
export const RESEARCH_FOLLOW_UPS = ["Turn that into a one-paragraph recommendation for the team.", "What data would make you more confident?"];
