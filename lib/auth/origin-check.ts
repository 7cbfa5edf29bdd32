import { AppError } from "../errors";
import { extraTrustedOrigins, requestHost } from "./request-origin";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isSafeMethod(method: string | undefined): boolean {
  // A caller that passes no method (a server component reading headers()) is rendering, not
  // mutating; Next checks Origin itself for server actions.
  return method === undefined || SAFE_METHODS.has(method.toUpperCase());
}

/**
 * CSRF guard for cookie-authenticated mutations: the browser's Origin must be this server (the
 * Host it addressed) or an origin the operator trusts. Browsers always send Origin on
 * cross-origin and non-GET requests, so a missing Origin is refused too.
 */
export function assertSameOrigin(headers: Headers, url?: string): void {
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite === "cross-site" || fetchSite === "same-site") throw csrf();
  const origin = headers.get("origin");
  if (!origin || origin === "null") throw csrf();
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    throw csrf();
  }
  if (extraTrustedOrigins().includes(originUrl.origin)) return;
  const host = requestHost(headers, url);
  if (!host || originUrl.host.toLowerCase() !== host) throw csrf();
}

function csrf(): AppError {
  return new AppError("forbidden:origin", "Cross-origin request refused: send it from the Pitwall app itself.");
}
