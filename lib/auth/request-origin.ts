/**
 * Facts about where a request came from, read the same way by the CSRF check, better-auth's
 * cookie choice and the login limiter. Proxy headers count only with PITWALL_TRUST_PROXY=1.
 */

/** Set by server.ts from the socket (client values are overwritten), so it cannot be spoofed. */
export const CLIENT_IP_HEADER = "x-pitwall-client-ip";

export function trustProxy(): boolean {
  return process.env.PITWALL_TRUST_PROXY === "1" || process.env.PITWALL_TRUST_PROXY === "true";
}

/** The configured public URL (PITWALL_PUBLIC_URL, or better-auth's BETTER_AUTH_URL), if any. */
export function publicUrl(): string | undefined {
  const raw = process.env.PITWALL_PUBLIC_URL || process.env.BETTER_AUTH_URL;
  if (!raw) return undefined;
  try {
    return new URL(raw).origin;
  } catch {
    return undefined;
  }
}

/** Extra origins allowed to send cookie-authenticated mutations (comma-separated). */
export function extraTrustedOrigins(): string[] {
  const list = (process.env.PITWALL_TRUSTED_ORIGINS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const pub = publicUrl();
  return pub ? [pub, ...list] : list;
}

function firstValue(v: string | null): string | null {
  if (!v) return null;
  const first = v.split(",")[0]!.trim();
  return first || null;
}

/** The host the browser addressed: Host, or X-Forwarded-Host behind a trusted proxy. */
export function requestHost(headers: Headers, url?: string): string | null {
  if (trustProxy()) {
    const forwarded = firstValue(headers.get("x-forwarded-host"));
    if (forwarded) return forwarded.toLowerCase();
  }
  const host = headers.get("host");
  if (host) return host.toLowerCase();
  if (url) {
    try {
      return new URL(url).host.toLowerCase();
    } catch {
      return null;
    }
  }
  return null;
}

/** True when the browser reached us over HTTPS: then session cookies are Secure. */
export function requestIsHttps(headers: Headers, url?: string): boolean {
  if (process.env.PITWALL_SECURE_COOKIES === "1") return true;
  if (publicUrl()?.startsWith("https:")) return true;
  if (trustProxy() && firstValue(headers.get("x-forwarded-proto"))?.toLowerCase() === "https") return true;
  return url?.startsWith("https:") ?? false;
}

/** The client address for rate limiting: the server-set header, else the proxy's, else unknown. */
export function clientIp(headers: Headers): string {
  const own = headers.get(CLIENT_IP_HEADER);
  if (own) return own;
  if (trustProxy()) {
    const chain = (headers.get("x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const last = chain.at(-1);
    if (last) return last;
  }
  return "unknown";
}

/**
 * The socket-level client address for server.ts to stamp on every request; behind a trusted
 * proxy, the address the proxy appended last.
 */
export function socketClientIp(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined): string {
  if (trustProxy()) {
    const raw = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
    const last = raw.split(",").map((s) => s.trim()).filter(Boolean).at(-1);
    if (last) return last;
  }
  return remoteAddress ?? "unknown";
}
