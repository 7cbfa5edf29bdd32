import { toAppError } from "../../errors";
import { log } from "../../log";

export const NDJSON = "application/x-ndjson";

export function wantsProgress(req: Request): boolean {
  return (req.headers.get("accept") ?? "").includes(NDJSON);
}

/** One line of a progress stream: progress lines, then one result or one error line. */
export type ProgressLine<T> = { type: "progress"; stage: string; fraction: number } | { type: "result"; result: T } | { type: "error"; error: { code: string; message: string } };

/**
 * Streams `work`'s progress as NDJSON lines (each new stage, else at most one per 100 ms) and then its result. When
 * the client goes away the signal aborts the work; nothing is written by it, so nothing is left
 * half-done.
 */
export function progressStream<T>(work: (onProgress: (stage: string, fraction: number) => void) => Promise<T>, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (line: ProgressLine<T>) => {
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
        } catch {
          // The client is gone: the signal stops the work.
        }
      };
      let last = 0;
      let lastStage = "";
      try {
        const result = await work((stage, fraction) => {
          const now = Date.now();
          // A new stage always goes out (the page names it); within a stage, one line per 100 ms.
          if (now - last < 100 && fraction < 1 && stage === lastStage) return;
          last = now;
          lastStage = stage;
          send({ type: "progress", stage, fraction });
        });
        send({ type: "result", result });
      } catch (err) {
        if (!signal.aborted) {
          const e = toAppError(err);
          if (e.status >= 500) log.error({ err: e.cause ?? e, code: e.code }, "advisor analysis failed");
          send({ type: "error", error: { code: e.code, message: e.message } });
        }
      } finally {
        try {
          controller.close();
        } catch {
          // Already closed by a cancelled client.
        }
      }
    },
  });
  return new Response(stream, { headers: { "content-type": `${NDJSON}; charset=utf-8`, "cache-control": "no-store" } });
}
