import { AppError } from "../errors";

type HeaderBag = Record<string, string | string[] | undefined>;

const QUERY_KEY_NAMES = ["key", "api_key", "apikey", "api-key", "token", "access_token"];

/**
 * Reads the caller's key from `Authorization: Bearer` or `x-api-key` (Anthropic clients send
 * either). A key in the query string is refused outright: URLs end up in proxy and access logs.
 */
export function extractApiKey(headers: HeaderBag, url: string | undefined): string {
  if (url && url.includes("?")) {
    const params = new URLSearchParams(url.slice(url.indexOf("?") + 1));
    for (const name of QUERY_KEY_NAMES) {
      if (params.has(name)) {
        throw new AppError("unauthorized:query_key", "API keys are not accepted in the query string; send Authorization: Bearer <key>.");
      }
    }
  }
  const auth = first(headers["authorization"]);
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth.length > 512 ? "" : auth);
    if (!match) throw invalidKey();
    return match[1]!;
  }
  const xKey = first(headers["x-api-key"]);
  if (xKey) return xKey.trim();
  throw new AppError("unauthorized:api_key", "Missing API key: send Authorization: Bearer <key> or x-api-key.");
}

export function invalidKey(): AppError {
  return new AppError("unauthorized:api_key", "Invalid or revoked API key.");
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
