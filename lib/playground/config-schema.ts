import { z } from "zod";
import { MAX_RESPONSE_CACHE_TTL_SEC } from "../policies/cache-policy-schema";
import { maxOutputTokensFor } from "./model-limits";

/**
 * The playground's configuration: 2-4 panes and one shared prompt. Browser-safe: the page
 * validates with these same schemas before it sends, and the API validates again.
 */

export const MIN_PANES = 2;
export const MAX_PANES = 4;
/** The prompt box and the history together; well above a 200 KB prompt, below the body cap. */
export const MAX_PROMPT_CHARS = 400_000;
export const MAX_SYSTEM_CHARS = 200_000;
export const MAX_HISTORY_TURNS = 40;

export const PANE_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,31}$/;

/** One tool as the Messages API takes it: a custom tool with an object input_schema, or a server tool by type. */
const CustomTool = z.looseObject({
  type: z.literal("custom").optional(),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, "a tool name is 1-128 letters, digits, _ or -"),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal("object", { error: 'input_schema.type must be "object"' }) }),
});
const ServerTool = z.looseObject({
  type: z.string().regex(/^[a-z_]+_\d{8}$/, "a server tool type looks like web_search_20250305"),
  name: z.string().min(1),
});
export const ToolParam = z.union([CustomTool, ServerTool]);
export const ToolsParam = z.array(ToolParam).max(128);

/**
 * The tools box: empty, or a JSON array of tools. Answers the parsed array, or a message that
 * says what is wrong (bad JSON, or where the shape breaks).
 */
export function parseToolsJson(text: string): { ok: true; tools: unknown[] | null } | { ok: false; message: string } {
  if (text.trim() === "") return { ok: true, tools: null };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `Tools: not valid JSON (${(err as Error).message}).` };
  }
  if (!Array.isArray(json)) return { ok: false, message: "Tools: must be a JSON array of tools, e.g. [{\"name\": \"get_weather\", \"input_schema\": {\"type\": \"object\"}}]." };
  for (let i = 0; i < json.length; i++) {
    const item = json[i] as unknown;
    const custom = CustomTool.safeParse(item);
    if (custom.success) continue;
    const server = ServerTool.safeParse(item);
    if (server.success) continue;
    // Explain against the custom shape: it is the one people write by hand.
    const issue = custom.error.issues[0]!;
    const where = [i, ...issue.path].map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    return { ok: false, message: `Tools${where}: ${issue.message}.` };
  }
  if (json.length > 128) return { ok: false, message: "Tools: at most 128 tools." };
  return { ok: true, tools: json };
}

export const PROMPT_CACHING = ["off", "5m", "1h"] as const;
export type PromptCaching = (typeof PROMPT_CACHING)[number];

/** "model": call this model; "policy": let the routing policy choose, matching on route/agent/tags. */
export const PaneTarget = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("model") }),
  z.object({
    kind: z.literal("policy"),
    route: z.string().max(128).default(""),
    agent: z.string().max(128).default(""),
    tags: z.record(z.string().min(1).max(64), z.string().max(256)).default({}),
  }),
]);

export const PaneConfig = z
  .object({
    name: z.string().regex(PANE_NAME, "a pane name is 1-32 letters, digits, spaces, _ . or -, starting with a letter or digit"),
    target: PaneTarget.default({ kind: "model" }),
    /** The model called (with "policy", the model asked for before the policy's rules apply). */
    model: z.string().min(1, "pick a model").max(256),
    system: z.string().max(MAX_SYSTEM_CHARS).default(""),
    promptCaching: z.enum(PROMPT_CACHING).default("off"),
    /** null: the project's cache policy decides; 0: off; else the TTL in seconds. */
    responseCacheTtlSec: z.number().int().min(0).max(MAX_RESPONSE_CACHE_TTL_SEC).nullable().default(0),
    maxTokens: z.number().int("max_tokens must be a whole number").min(1, "max_tokens must be at least 1"),
    /** The tools box as typed (JSON text); checked by parseToolsJson. */
    tools: z.string().max(200_000).default(""),
  })
  .superRefine((pane, ctx) => {
    const limit = maxOutputTokensFor(pane.model);
    if (pane.maxTokens > limit) {
      ctx.addIssue({ code: "custom", path: ["maxTokens"], message: `max_tokens of ${pane.model} is at most ${limit}` });
    }
    const tools = parseToolsJson(pane.tools);
    if (!tools.ok) ctx.addIssue({ code: "custom", path: ["tools"], message: tools.message });
  });
export type PaneConfig = z.infer<typeof PaneConfig>;

export const HistoryTurn = z.object({ role: z.enum(["user", "assistant"]), content: z.string().max(MAX_PROMPT_CHARS) });
export type HistoryTurn = z.infer<typeof HistoryTurn>;

/** Fields that can be shared by every pane ("sync") or set per pane. */
export const SYNCABLE = ["system", "promptCaching", "responseCacheTtlSec", "maxTokens", "tools"] as const;
export type SyncableField = (typeof SYNCABLE)[number];

export const ExperimentConfig = z
  .object({
    panes: z.array(PaneConfig).min(MIN_PANES, `at least ${MIN_PANES} panes`).max(MAX_PANES, `at most ${MAX_PANES} panes`),
    prompt: z.string().min(1, "write a prompt").max(MAX_PROMPT_CHARS),
    /** Earlier turns sent before the prompt (multi-turn), oldest first. */
    history: z.array(HistoryTurn).max(MAX_HISTORY_TURNS).default([]),
    sync: z.partialRecord(z.enum(SYNCABLE), z.boolean()).default({}),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.panes.forEach((p, i) => {
      if (seen.has(p.name.toLowerCase())) ctx.addIssue({ code: "custom", path: ["panes", i, "name"], message: `two panes are named "${p.name}"` });
      seen.add(p.name.toLowerCase());
    });
    const chars = config.prompt.length + config.history.reduce((s, t) => s + t.content.length, 0);
    if (chars > MAX_PROMPT_CHARS) ctx.addIssue({ code: "custom", path: ["prompt"], message: `the prompt and history together are over ${MAX_PROMPT_CHARS} characters` });
  });
export type ExperimentConfig = z.infer<typeof ExperimentConfig>;
export type ExperimentConfigInput = z.input<typeof ExperimentConfig>;

/** The first issue of a failed parse as one sentence: "panes[1].maxTokens: max_tokens must be at least 1". */
export function describeConfigIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");
  return path ? `${path}: ${issue.message}` : issue.message;
}

export const MIN_REPEAT = 2;
export const MAX_REPEAT = 100;

/** A run: once (n = 1, the live race) or Run x N. */
export const RunRequest = z
  .object({
    config: ExperimentConfig,
    n: z.number().int().min(1, `N is from ${MIN_REPEAT} to ${MAX_REPEAT}`).max(MAX_REPEAT, `N is from ${MIN_REPEAT} to ${MAX_REPEAT}`).default(1),
    concurrency: z.number().int().min(1, "concurrency is at least 1").max(32, "concurrency is at most 32").default(1),
  })
  .superRefine((run, ctx) => {
    if (run.concurrency > Math.max(1, run.n)) ctx.addIssue({ code: "custom", path: ["concurrency"], message: "concurrency cannot be above N" });
  });
export type RunRequest = z.infer<typeof RunRequest>;
