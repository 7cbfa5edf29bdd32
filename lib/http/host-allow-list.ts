import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./respond";

/**
 * The Host allow-list: every request (hot paths and Next) must name a host this server answers
 * to. A DNS-rebinding page reaches the port under its own name, so refusing unknown Host headers
 * keeps a browser on the operator's machine from being used against a local Pitwall.
 * Allowed: localhost, 127.0.0.1 and ::1; the host of PITWALL_PUBLIC_URL; the entries of
 * PITWALL_ALLOWED_HOSTS (comma-separated; `.example.com` allows it and its subdomains, `*` any host).
 */
type Env = Readonly<Record<string, string | undefined>>;

export type HostRules = { any: boolean; exact: ReadonlySet<string>; suffixes: readonly string[] };

export const DEFAULT_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "::1"] as const;

export function hostRules(env: Env = process.env): HostRules {
  const exact = new Set<string>(DEFAULT_ALLOWED_HOSTS);
  const suffixes: string[] = [];
  let any = false;
  const publicUrl = env.PITWALL_PUBLIC_URL || env.BETTER_AUTH_URL;
  if (publicUrl) {
    try {
      exact.add(normalizeHostname(new URL(publicUrl).hostname));
    } catch {
      // An unparsable public URL adds nothing; the origin check reports it where it is used.
    }
  }
  for (const raw of (env.PITWALL_ALLOWED_HOSTS ?? "").split(",")) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") any = true;
    else if (entry.startsWith(".")) suffixes.push(normalizeHostname(entry));
    else exact.add(hostnameOf(entry) ?? normalizeHostname(entry));
  }
  return { any, exact, suffixes };
}

function normalizeHostname(h: string): string {
  let v = h.trim().toLowerCase();
  if (v.startsWith("[") && v.endsWith("]")) v = v.slice(1, -1);
  return v.endsWith(".") ? v.slice(0, -1) : v;
}

/** The hostname of a Host header value (`name`, `name:port`, `[v6]:port`), or null when malformed. */
export function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  const v = hostHeader.trim().toLowerCase();
  if (!v || /[\s/\\@?#]/.test(v)) return null;
  if (v.startsWith("[")) {
    const end = v.indexOf("]");
    if (end === -1) return null;
    const rest = v.slice(end + 1);
    if (rest && !/^:\d{1,5}$/.test(rest)) return null;
    return v.slice(1, end);
  }
  const colon = v.indexOf(":");
  if (colon === -1) return normalizeHostname(v);
  // More than one colon without brackets is a bare IPv6 literal, which Host never carries.
  if (v.indexOf(":", colon + 1) !== -1 || !/^\d{1,5}$/.test(v.slice(colon + 1))) return null;
  return normalizeHostname(v.slice(0, colon));
}

function isIpLiteral(hostname: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.includes(":");
}

function bareAddress(address: string | undefined): string | undefined {
  const a = address?.toLowerCase();
  return a?.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}

export type HostCheck = {
  /** The Host header, or X-Forwarded-Host behind a trusted proxy: the name the client used. */
  host: string | undefined;
  /** The socket's own and peer addresses, for this server's calls to itself by IP. */
  localAddress?: string;
  remoteAddress?: string;
};

/**
 * True when the request names an allowed host. Besides the list, this server may call itself by
 * the IP it listens on (the gateway reaching the in-process simulator): an IP literal cannot be
 * rebound, and the peer being this very address means the caller runs on this machine.
 */
export function isHostAllowed(check: HostCheck, rules: HostRules): boolean {
  if (rules.any) return true;
  const name = hostnameOf(check.host);
  if (!name) return false;
  if (rules.exact.has(name)) return true;
  if (rules.suffixes.some((s) => name.endsWith(s) || name === s.slice(1))) return true;
  const local = bareAddress(check.localAddress);
  return isIpLiteral(name) && name === local && bareAddress(check.remoteAddress) === local;
}

export function hostRefusedMessage(host: string | undefined): string {
  const shown = (hostnameOf(host) ?? host ?? "").slice(0, 100) || "(none)";
  return `Host "${shown}" is not allowed. If this is how you reach Pitwall, add it to PITWALL_ALLOWED_HOSTS (comma-separated; .example.com for subdomains) or set PITWALL_PUBLIC_URL to the URL users open, then restart.`;
}

/**
 * server.ts calls this first for every request: false when it has answered 403 itself.
 * The rules are read once, at start.
 */
export function createHostGuard(env: Env = process.env): (req: IncomingMessage, res: ServerResponse) => boolean {
  const rules = hostRules(env);
  const trustProxy = env.PITWALL_TRUST_PROXY === "1" || env.PITWALL_TRUST_PROXY === "true";
  return (req, res) => {
    const forwarded = trustProxy ? firstValue(req.headers["x-forwarded-host"]) : undefined;
    const host = forwarded || req.headers.host;
    if (isHostAllowed({ host, localAddress: req.socket.localAddress, remoteAddress: req.socket.remoteAddress }, rules)) return true;
    req.resume();
    sendJson(res, 403, { error: { code: "forbidden:host", message: hostRefusedMessage(host) } }, { connection: "close" });
    return false;
  };
}

function firstValue(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s?.split(",")[0]?.trim() || undefined;
}
