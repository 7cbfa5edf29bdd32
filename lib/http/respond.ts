import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError, toAppError } from "../errors";
import { log } from "../log";

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(payload);
}

/** Answers any thrown value safely: AppError's message, or a generic 500; the cause goes to the log. */
export function sendError(res: ServerResponse, err: unknown, context: Record<string, unknown> = {}, req?: IncomingMessage): void {
  const appError = toAppError(err);
  if (appError.status >= 500) log.error({ ...context, err: appError.cause ?? appError, code: appError.code }, "request failed");
  else log.debug({ ...context, code: appError.code }, appError.message);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (appError.retryAfter !== undefined) headers["retry-after"] = String(appError.retryAfter);
  // An answer sent before the body was read (413, 401): close the socket rather than reuse a
  // connection with unread upload bytes on it.
  if (req && !req.complete) headers["connection"] = "close";
  sendJson(res, appError.status, appError.toBody(), headers);
}

export { AppError };
