import type { ServerResponse } from "node:http";

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

/** An error the simulator answers in Anthropic's shape, so SDK error classes map as they would. */
export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    readonly type: AnthropicErrorType,
    message: string,
    readonly opts: { retryAfter?: number; details?: Record<string, unknown>; shouldRetry?: boolean } = {},
  ) {
    super(message);
  }

  static invalidRequest(message: string): SimulatorError {
    return new SimulatorError(400, "invalid_request_error", message);
  }

  static internal(): SimulatorError {
    return new SimulatorError(500, "api_error", "Internal server error (simulated).");
  }

  body(requestId: string): Record<string, unknown> {
    const error: Record<string, unknown> = { type: this.type, message: this.message };
    if (this.opts.details) error.details = this.opts.details;
    return { type: "error", error, request_id: requestId };
  }
}

export function sendSimulatorError(res: ServerResponse, err: SimulatorError, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify(err.body(requestId));
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    "request-id": requestId,
  };
  if (err.opts.retryAfter !== undefined) headers["retry-after"] = String(err.opts.retryAfter);
  if (err.opts.shouldRetry !== undefined) headers["x-should-retry"] = String(err.opts.shouldRetry);
  res.writeHead(err.status, headers);
  res.end(payload);
}
