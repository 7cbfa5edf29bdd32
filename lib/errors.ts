/**
 * The one error type of Pitwall. `code` is `type:surface` (e.g. `unauthorized:api_key`); the type
 * picks the HTTP status and the message is safe to send. Causes are logged, never sent.
 */
export type ErrorType =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unavailable"
  | "internal";

const STATUS: Record<ErrorType, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class AppError extends Error {
  readonly type: ErrorType;
  readonly surface: string;
  readonly status: number;
  readonly details?: unknown;
  /** Seconds, for 429 and 503 answers. */
  readonly retryAfter?: number;

  constructor(
    code: `${ErrorType}:${string}`,
    message: string,
    opts: { cause?: unknown; details?: unknown; retryAfter?: number } = {},
  ) {
    super(message, { cause: opts.cause });
    const [type, surface] = code.split(":") as [ErrorType, string];
    this.type = type;
    this.surface = surface;
    this.status = STATUS[type];
    this.details = opts.details;
    this.retryAfter = opts.retryAfter;
  }

  get code(): string {
    return `${this.type}:${this.surface}`;
  }

  toBody(): { error: { code: string; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

/** Anything thrown that is not an AppError becomes a generic 500; the caller logs the original. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) {
    return new AppError("unavailable:database", "The database is unavailable; retry shortly.", { cause: err, retryAfter: 5 });
  }
  return new AppError("internal:unexpected", "Internal error.", { cause: err });
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);

/** The database cannot be reached (or is going away), as opposed to refusing this statement. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
    // SQLSTATE class 08: connection exception.
    if (typeof code === "string" && code.length === 5 && code.startsWith("08")) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
