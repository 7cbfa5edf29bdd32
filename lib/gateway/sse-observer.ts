import { StringDecoder } from "node:string_decoder";
import { mergeUsage, ZERO_USAGE, type CallUsage } from "./usage";

type Json = Record<string, unknown>;

/**
 * Reads a Messages SSE stream on the side while its bytes are piped to the client untouched:
 * chunk by chunk, keeping only the unfinished frame. It learns when the first content delta came
 * (TTFT), the usage, the stop reason and any error event; with `assemble` it also rebuilds the
 * final Message (what a non-streaming call would have answered) for the response cache.
 */
export class SseObserver {
  usage: CallUsage = { ...ZERO_USAGE };
  model: string | undefined;
  stopReason: string | null = null;
  /** `now()` at the first content_block_delta, and at the first byte. */
  firstDeltaAt: number | undefined;
  firstByteAt: number | undefined;
  /** Characters of text, thinking and tool input seen: the estimate of output for a cut stream. */
  outputChars = 0;
  error: { type: string; message: string } | undefined;
  /** message_stop seen. */
  complete = false;
  private message: Json | undefined;
  private assembleFailed = false;
  private readonly partialJson = new Map<number, string>();
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";

  constructor(private readonly opts: { assemble: boolean; now: () => number }) {}

  push(chunk: Buffer): void {
    this.firstByteAt ??= this.opts.now();
    let text = this.pending + this.decoder.write(chunk);
    if (text.includes("\r")) {
      // A \r at the very end may be half of a \r\n split across chunks: keep it for the next one.
      const held = text.endsWith("\r") ? "\r" : "";
      text = (held ? text.slice(0, -1) : text).replace(/\r\n?/g, "\n") + held;
    }
    let start = 0;
    for (let end = text.indexOf("\n\n", start); end !== -1; end = text.indexOf("\n\n", start)) {
      this.frame(text.slice(start, end));
      start = end + 2;
    }
    this.pending = start === 0 ? text : text.slice(start);
  }

  /**
   * The final Message rebuilt from the stream, or undefined when it is not complete and exact
   * (cut short, an error event, a block type this code cannot rebuild).
   */
  finalMessage(): Json | undefined {
    if (!this.opts.assemble || !this.complete || this.error || this.assembleFailed || !this.message) return undefined;
    return this.message;
  }

  private frame(frame: string): void {
    let event = "";
    let data = "";
    for (const line of frame.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data += (data ? "\n" : "") + line.slice(line.startsWith("data: ") ? 6 : 5);
    }
    if (!event || event === "ping") return;
    let payload: Json;
    try {
      payload = JSON.parse(data) as Json;
    } catch {
      if (event !== "ping") this.assembleFailed = true;
      return;
    }
    switch (event) {
      case "message_start":
        return this.onMessageStart(payload.message as Json | undefined);
      case "content_block_start":
        return this.onBlockStart(payload);
      case "content_block_delta":
        return this.onDelta(payload);
      case "content_block_stop":
        return this.onBlockStop(payload);
      case "message_delta": {
        const delta = payload.delta as Json | undefined;
        if (delta && "stop_reason" in delta) this.stopReason = (delta.stop_reason as string | null) ?? null;
        mergeUsage(this.usage, payload.usage);
        if (this.message && delta) {
          if ("stop_reason" in delta) this.message.stop_reason = delta.stop_reason;
          if ("stop_sequence" in delta) this.message.stop_sequence = delta.stop_sequence;
          const usage = payload.usage as Json | undefined;
          if (usage) this.message.usage = { ...(this.message.usage as Json | undefined), ...usage };
        }
        return;
      }
      case "message_stop":
        this.complete = true;
        return;
      case "error": {
        const err = payload.error as Json | undefined;
        this.error = { type: String(err?.type ?? "api_error"), message: String(err?.message ?? "") };
        return;
      }
      default:
        return; // unknown events are tolerated, as the API asks of clients
    }
  }

  private onMessageStart(message: Json | undefined): void {
    if (!message) return;
    if (typeof message.model === "string") this.model = message.model;
    mergeUsage(this.usage, message.usage);
    if (this.opts.assemble) this.message = { ...message, content: [] };
  }

  private onBlockStart(payload: Json): void {
    if (!this.message) return;
    const index = payload.index as number;
    const block = payload.content_block as Json | undefined;
    if (!Number.isInteger(index) || !block) {
      this.assembleFailed = true;
      return;
    }
    (this.message.content as Json[])[index] = { ...block };
    if (block.type === "tool_use" || block.type === "server_tool_use") this.partialJson.set(index, "");
  }

  private onDelta(payload: Json): void {
    this.firstDeltaAt ??= this.opts.now();
    const delta = payload.delta as Json | undefined;
    if (!delta) return;
    const piece =
      delta.type === "text_delta" ? delta.text : delta.type === "input_json_delta" ? delta.partial_json : delta.type === "thinking_delta" ? delta.thinking : undefined;
    if (typeof piece === "string") this.outputChars += piece.length;
    if (!this.message) return;
    const block = (this.message.content as Json[])[payload.index as number];
    if (!block) {
      this.assembleFailed = true;
      return;
    }
    switch (delta.type) {
      case "text_delta":
        block.text = String(block.text ?? "") + String(delta.text ?? "");
        return;
      case "input_json_delta": {
        const index = payload.index as number;
        this.partialJson.set(index, (this.partialJson.get(index) ?? "") + String(delta.partial_json ?? ""));
        return;
      }
      case "thinking_delta":
        block.thinking = String(block.thinking ?? "") + String(delta.thinking ?? "");
        return;
      case "signature_delta":
        block.signature = String(block.signature ?? "") + String(delta.signature ?? "");
        return;
      case "citations_delta":
        block.citations = [...((block.citations as unknown[] | undefined) ?? []), delta.citation];
        return;
      default:
        this.assembleFailed = true; // a delta kind we cannot fold into the message
    }
  }

  private onBlockStop(payload: Json): void {
    if (!this.message) return;
    const index = payload.index as number;
    const json = this.partialJson.get(index);
    if (json === undefined) return;
    this.partialJson.delete(index);
    const block = (this.message.content as Json[])[index];
    if (!block) return;
    try {
      block.input = json === "" ? {} : JSON.parse(json);
    } catch {
      this.assembleFailed = true;
    }
  }
}
