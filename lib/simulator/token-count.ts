import { canonicalJson } from "../canonical-json";
import type { CacheControl, ContentBlockParam, PromptRequest, ToolParam } from "./request-schema";

/**
 * A deterministic stand-in for the tokenizer: about four characters per token. count_tokens,
 * usage and prompt caching all read the same block list below, so their figures always agree
 * (input + cache_read + cache_creation = count_tokens for the same prompt).
 */
export const CHARS_PER_TOKEN = 4;
/** Role framing added to the first block of every message, as real tokenizers add turn markers. */
export const MESSAGE_OVERHEAD_TOKENS = 3;
/** Images are billed by size, not by their base64 length; a flat figure keeps the estimate sane. */
export const IMAGE_TOKENS = 1_600;

export function textTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** One cacheable unit of the prompt, in the order Anthropic builds the prefix: tools, system, messages. */
export type PromptBlock = {
  /** The block's content without cache_control, with its position kind: what the prefix hash covers. */
  canonical: string;
  tokens: number;
  cacheControl?: CacheControl;
};

export function promptBlocks(request: PromptRequest): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  for (const tool of request.tools ?? []) blocks.push(toolBlock(tool));
  if (typeof request.system === "string") {
    if (request.system.length > 0) blocks.push({ canonical: `system|${request.system}`, tokens: textTokens(request.system) });
  } else {
    for (const block of request.system ?? []) {
      blocks.push({ canonical: `system|${block.text}`, tokens: textTokens(block.text), cacheControl: block.cache_control ?? undefined });
    }
  }
  for (const message of request.messages) {
    const content: ContentBlockParam[] = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    content.forEach((block, i) => {
      // The first block of a message carries the turn marker, so "two messages" and "one message
      // with two blocks" never hash alike.
      const marker = i === 0 ? `turn:${message.role}|` : "cont|";
      blocks.push({
        canonical: marker + canonicalJson(withoutCacheControl(block)),
        tokens: blockTokens(block) + (i === 0 ? MESSAGE_OVERHEAD_TOKENS : 0),
        cacheControl: block.cache_control ?? undefined,
      });
    });
    if (content.length === 0) blocks.push({ canonical: `turn:${message.role}|`, tokens: MESSAGE_OVERHEAD_TOKENS });
  }
  return blocks;
}

export function countPromptTokens(blocks: PromptBlock[]): number {
  let total = 0;
  for (const block of blocks) total += block.tokens;
  return total;
}

function toolBlock(tool: ToolParam): PromptBlock {
  const body = canonicalJson(withoutCacheControl(tool));
  return { canonical: `tool|${body}`, tokens: textTokens(body), cacheControl: tool.cache_control ?? undefined };
}

function blockTokens(block: ContentBlockParam): number {
  const b = block as Record<string, unknown>;
  switch (block.type) {
    case "text":
      return textTokens(String(b.text ?? ""));
    case "image":
      return IMAGE_TOKENS;
    case "thinking":
      return textTokens(String(b.thinking ?? ""));
    case "tool_use":
      return textTokens(String(b.name ?? "")) + textTokens(JSON.stringify(b.input ?? {}));
    case "tool_result": {
      const content = b.content;
      if (typeof content === "string") return textTokens(content) + 1;
      if (Array.isArray(content)) return 1 + content.reduce<number>((n, c) => n + blockTokens(c as ContentBlockParam), 0);
      return 1;
    }
    default:
      return textTokens(canonicalJson(withoutCacheControl(block)));
  }
}

function withoutCacheControl(value: object): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  delete copy.cache_control;
  return copy;
}
