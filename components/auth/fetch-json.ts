/**
 * Client-side JSON calls to Pitwall's API: same-origin (the browser sends Origin and the session
 * cookie), and any error answer becomes an Error carrying the server's safe message.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfter?: number,
    /** The answer's `error.details` (e.g. a policy's zod issues), when it has one. */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export async function fetchJson<T>(url: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const res = await fetch(url, {
    ...rest,
    credentials: "same-origin",
    headers: { ...(json !== undefined ? { "content-type": "application/json" } : {}), ...rest.headers },
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const retry = Number(res.headers.get("retry-after") ?? res.headers.get("x-retry-after"));
    const details = (body as { error?: { details?: unknown } } | null)?.error?.details;
    throw new ApiError(messageOf(body, res.status), res.status, Number.isFinite(retry) && retry > 0 ? retry : undefined, details);
  }
  return body as T;
}

/** The server's safe message in an error answer's body (parsed JSON, or null). */
export function messageOf(body: unknown, status: number): string {
  const b = body as { error?: { message?: unknown }; message?: unknown } | null;
  const message = b?.error?.message ?? b?.message;
  if (typeof message === "string" && message) return message;
  return status === 401 ? "Your session has ended: sign in again." : status === 403 ? "You are not allowed to do that." : `Request failed (${status}).`;
}
