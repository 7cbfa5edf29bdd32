import { AppError, toAppError } from "../errors";
import { log } from "../log";

/**
 * Wraps a web-standard (Request -> Response) handler, as Next route files re-export them:
 * AppError becomes its status and safe message; anything else a logged, generic 500.
 */
export function webHandler<Ctx = unknown>(fn: (req: Request, ctx: Ctx) => Promise<Response>) {
  return async (req: Request, ctx: Ctx): Promise<Response> => {
    try {
      return await fn(req, ctx);
    } catch (err) {
      const appError = toAppError(err);
      if (appError.status >= 500) log.error({ err: appError.cause ?? appError, code: appError.code, path: new URL(req.url).pathname }, "request failed");
      const headers: Record<string, string> = { "cache-control": "no-store" };
      if (appError.retryAfter !== undefined) headers["retry-after"] = String(appError.retryAfter);
      return Response.json(appError.toBody(), { status: appError.status, headers });
    }
  };
}

/** JSON answer that serializes bigints (nano-USD) as strings. */
export function json(body: unknown, init: ResponseInit = {}): Response {
  const text = JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  return new Response(text, { ...init, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...init.headers } });
}

/**
 * A request body as text, refused with a 413 as soon as it passes `maxBytes`: the cap is checked
 * while reading, so a huge (or endless) upload never sits in memory whole.
 */
export async function readText(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw bodyTooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge();
    }
    chunks.push(value);
  }
  // TextDecoder drops a leading BOM, as Request.text() does.
  return new TextDecoder().decode(Buffer.concat(chunks, size));
}

function bodyTooLarge(): AppError {
  return new AppError("payload_too_large:body", "The request body is too large.");
}

/** Parses a JSON body for a mutation; bad JSON is a clear 400. */
export async function readJson(req: Request, maxBytes = 1024 * 1024): Promise<unknown> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") throw new AppError("unsupported_media_type:content_type", "Content-Type must be application/json.");
  const text = await readText(req, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request:json", "The body is not valid JSON.");
  }
}
