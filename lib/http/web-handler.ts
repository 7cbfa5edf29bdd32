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

/** Parses a JSON body for a mutation; bad JSON is a clear 400. */
export async function readJson(req: Request, maxBytes = 1024 * 1024): Promise<unknown> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") throw new AppError("unsupported_media_type:content_type", "Content-Type must be application/json.");
  const text = await req.text();
  if (Buffer.byteLength(text) > maxBytes) throw new AppError("payload_too_large:body", "The request body is too large.");
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request:json", "The body is not valid JSON.");
  }
}
