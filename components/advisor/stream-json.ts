import { ApiError } from "@/components/auth/fetch-json";
import type { ProgressLine } from "@/lib/advisor/http/progress-stream";

/**
 * Asks for NDJSON progress (a GET, or a POST of `body` when one is given); calls onProgress per
 * line and resolves with the result. Aborting `signal` closes the request, which stops the
 * server's work.
 */
export async function requestWithProgress<T>(url: string, opts: { body?: unknown; signal: AbortSignal; onProgress: (stage: string, fraction: number) => void }): Promise<T> {
  const post = opts.body !== undefined;
  const res = await fetch(url, {
    method: post ? "POST" : "GET",
    credentials: "same-origin",
    headers: { ...(post ? { "content-type": "application/json" } : {}), accept: "application/x-ndjson" },
    ...(post ? { body: JSON.stringify(opts.body) } : {}),
    signal: opts.signal,
  });
  if (!res.ok) {
    const parsed = (await res.json().catch(() => null)) as { error?: { message?: string; details?: unknown } } | null;
    throw new ApiError(parsed?.error?.message ?? `Request failed (${res.status})`, res.status, undefined, parsed?.error?.details);
  }
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = JSON.parse(buffer.slice(0, nl)) as ProgressLine<T>;
      buffer = buffer.slice(nl + 1);
      if (line.type === "progress") opts.onProgress(line.stage, line.fraction);
      else if (line.type === "result") return line.result;
      else throw new ApiError(line.error.message, 500);
    }
    if (done) throw new ApiError("The analysis ended without a result.", 500);
  }
}
