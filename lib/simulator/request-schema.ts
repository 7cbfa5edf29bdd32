import { z } from "zod";

/**
 * The Messages API request as the simulator understands it. Objects are loose: the real API grows
 * new fields faster than this file, and a gateway passes fields through untouched, so unknown keys
 * are accepted; the fields the simulator acts on are checked strictly.
 */
export const CacheControl = z.object({
  type: z.literal("ephemeral"),
  ttl: z.enum(["5m", "1h"]).optional(),
});
export type CacheControl = z.infer<typeof CacheControl>;

const cacheControlField = CacheControl.nullish();

export const TextBlockParam = z.looseObject({
  type: z.literal("text"),
  text: z.string(),
  cache_control: cacheControlField,
});
export type TextBlockParam = z.infer<typeof TextBlockParam>;

// Required fields per known block type; other block types (documents, search results, server tool
// results...) pass with just a `type`, as they do not change what the simulator does.
const KNOWN_BLOCKS: Record<string, z.ZodType> = {
  text: TextBlockParam,
  image: z.looseObject({ source: z.looseObject({ type: z.string() }) }),
  tool_use: z.looseObject({ id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()) }),
  tool_result: z.looseObject({ tool_use_id: z.string().min(1), content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).optional() }),
  thinking: z.looseObject({ thinking: z.string(), signature: z.string() }),
  redacted_thinking: z.looseObject({ data: z.string() }),
};

export const ContentBlockParam = z
  .looseObject({ type: z.string().min(1), cache_control: cacheControlField })
  .superRefine((block, ctx) => {
    const schema = KNOWN_BLOCKS[block.type];
    if (!schema) return;
    const parsed = schema.safeParse(block);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
  });
export type ContentBlockParam = z.infer<typeof ContentBlockParam> & Record<string, unknown>;

export const MessageParam = z.looseObject({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(ContentBlockParam)]),
});
export type MessageParam = z.infer<typeof MessageParam>;

export const ToolParam = z
  .looseObject({
    name: z.string().min(1),
    type: z.string().optional(),
    description: z.string().optional(),
    input_schema: z.looseObject({ type: z.literal("object") }).optional(),
    cache_control: cacheControlField,
  })
  .refine((tool) => (tool.type !== undefined && tool.type !== "custom") || tool.input_schema !== undefined, {
    message: "Field required: custom tools need an input_schema",
    path: ["input_schema"],
  });
export type ToolParam = z.infer<typeof ToolParam>;

export const ToolChoice = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("tool"), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("none") }),
]);
export type ToolChoice = z.infer<typeof ToolChoice>;

const promptFields = {
  model: z.string().min(1),
  messages: z.array(MessageParam).min(1),
  system: z.union([z.string(), z.array(TextBlockParam)]).optional(),
  tools: z.array(ToolParam).optional(),
  tool_choice: ToolChoice.optional(),
  cache_control: cacheControlField,
  thinking: z.looseObject({ type: z.string(), budget_tokens: z.number().int().min(1).optional() }).optional(),
};

export const CountTokensRequest = z.looseObject(promptFields);
export type CountTokensRequest = z.infer<typeof CountTokensRequest>;

export const MessagesRequest = z.looseObject({
  ...promptFields,
  max_tokens: z.number().int().min(1),
  stream: z.boolean().optional(),
  stop_sequences: z.array(z.string().min(1)).optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
});
export type MessagesRequest = z.infer<typeof MessagesRequest>;

/** The prompt part shared by both endpoints: what token counting and prompt caching read. */
export type PromptRequest = CountTokensRequest;

/** Turns the first zod issue into the API's `path: message` style, "Field required" for a missing field. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request.";
  const path = issue.path.map(String).join(".");
  const missing = issue.message.endsWith("received undefined");
  const message = missing ? "Field required" : issue.message;
  return path ? `${path}: ${message}` : message;
}
