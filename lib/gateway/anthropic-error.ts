import type { ServerResponse } from "node:http";
import { toAppError, type AppError, type ErrorType } from "../errors";
import { log } from "../log";

/** Anthropic's error types, so the official SDK raises the same classes through the gateway. */
export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "billing_error"
  | "permission_error"
  | "not_found_error"
  | "conflict_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

const TYPE_OF: Record<ErrorType, AnthropicErrorType> = {
  bad_request: "invalid_request_error",
  unauthorized: "authentication_error",
  forbidden: "permission_error",
  not_found: "not_found_error",
  conflict: "conflict_error",
  payload_too_large: "request_too_large",
  unsupported_media_type: "invalid_request_error",
  rate_limited: "rate_limit_error",
  unavailable: "api_error",
  internal: "api_error",
};

export function anthropicErrorBody(type: AnthropicErrorType, message: string, requestId: string): string {
  return JSON.stringify({ type: "error", error: { type, message }, request_id: requestId });
}

/** One error the gateway itself raises (not one relayed from the upstream). */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly type: AnthropicErrorType,
    message: string,
    readonly opts: { cause?: unknown; retryAfterSec?: number } = {},
  ) {
    super(message, { cause: opts.cause });
  }

  static fromAppError(err: AppError): GatewayError {
    return new GatewayError(err.status, TYPE_OF[err.type], err.message, { cause: err.cause, retryAfterSec: err.retryAfter });
  }
}

export function toGatewayError(err: unknown): GatewayError {
  return err instanceof GatewayError ? err : GatewayError.fromAppError(toAppError(err));
}

/**
 * Answers in Anthropic's error shape with `request-id` (what the SDK reads as requestID). If the
 * answer already started (a stream), the socket is closed instead: there is no honest way to put
 * an HTTP error after a 200.
 */
export function sendGatewayError(res: ServerResponse, err: GatewayError, requestId: string, headers: Record<string, string> = {}): void {
  // Refusals under load are expected answers (admission logs them, rate-limited), not failures.
  if (err.status >= 500 && err.type !== "overloaded_error") log.error({ err: err.cause ?? err, requestId, status: err.status }, "gateway request failed");
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = anthropicErrorBody(err.type, err.message, requestId);
  const out: Record<string, string | number> = {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    "request-id": requestId,
  };
  if (err.opts.retryAfterSec !== undefined) out["retry-after"] = String(err.opts.retryAfterSec);
  res.writeHead(err.status, out);
  res.end(payload);
}
