type Json = Record<string, unknown>;

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A block as content_block_start announces it: its payload arrives in the deltas that follow. */
function startOf(block: Json): { start: Json; deltas: Json[] } {
  switch (block.type) {
    case "text": {
      const { text, citations, ...rest } = block;
      const deltas: Json[] = [];
      if (typeof text === "string" && text) deltas.push({ type: "text_delta", text });
      if (Array.isArray(citations)) for (const citation of citations) deltas.push({ type: "citations_delta", citation });
      return { start: { ...rest, text: "", ...(Array.isArray(citations) ? { citations: [] } : {}) }, deltas };
    }
    case "tool_use":
    case "server_tool_use": {
      const { input, ...rest } = block;
      const json = JSON.stringify(input ?? {});
      return { start: { ...rest, input: {} }, deltas: json === "{}" ? [] : [{ type: "input_json_delta", partial_json: json }] };
    }
    case "thinking": {
      const { thinking, signature, ...rest } = block;
      const deltas: Json[] = [];
      if (typeof thinking === "string" && thinking) deltas.push({ type: "thinking_delta", thinking });
      if (typeof signature === "string" && signature) deltas.push({ type: "signature_delta", signature });
      return { start: { ...rest, thinking: "", signature: "" }, deltas };
    }
    default:
      // redacted_thinking, tool results and unknown kinds arrive whole in content_block_start.
      return { start: block, deltas: [] };
  }
}

/**
 * A complete Message as the SSE stream the API would have sent for it, so a streaming client
 * served from the response cache gets a valid stream whose accumulated message is identical.
 */
export function messageToSse(message: Json): string {
  const content = Array.isArray(message.content) ? (message.content as Json[]) : [];
  const usage = (message.usage as Json | undefined) ?? {};
  let out = frame("message_start", {
    type: "message_start",
    message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage },
  });
  content.forEach((block, index) => {
    const { start, deltas } = startOf(block);
    out += frame("content_block_start", { type: "content_block_start", index, content_block: start });
    for (const delta of deltas) out += frame("content_block_delta", { type: "content_block_delta", index, delta });
    out += frame("content_block_stop", { type: "content_block_stop", index });
  });
  out += frame("message_delta", {
    type: "message_delta",
    delta: { stop_reason: message.stop_reason ?? null, stop_sequence: message.stop_sequence ?? null },
    usage,
  });
  out += frame("message_stop", { type: "message_stop" });
  return out;
}
