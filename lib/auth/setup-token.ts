import { randomBytes, timingSafeEqual, createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors";

/**
 * Who may create the first admin of a fresh install. By default the caller must present the
 * one-time setup token, which the server prints in its log at start and writes to a file only the
 * server's user can read: reaching the port (or a DNS-rebinding page in someone's browser) is not
 * enough. PITWALL_SETUP_ACCESS=loopback is the explicit alternative: setup from this machine only,
 * without a token.
 */
export type SetupAccess = "token" | "loopback";
type Env = Readonly<Record<string, string | undefined>>;

export function setupAccess(env: Env = process.env): SetupAccess {
  const raw = (env.PITWALL_SETUP_ACCESS ?? "").trim().toLowerCase();
  if (raw === "" || raw === "token") return "token";
  if (raw === "loopback") return "loopback";
  throw new AppError("internal:config", `PITWALL_SETUP_ACCESS must be "token" (the default) or "loopback", not "${raw.slice(0, 40)}".`);
}

/** Where the token is written: PITWALL_SETUP_TOKEN_FILE, else `setup-token` in the data directory. */
export function setupTokenFile(env: Env = process.env): string {
  if (env.PITWALL_SETUP_TOKEN_FILE) return path.resolve(env.PITWALL_SETUP_TOKEN_FILE);
  const dataDir = env.PITWALL_DATA_DIR ?? path.join(process.cwd(), ".pitwall", "pglite");
  return path.resolve(dataDir, "setup-token");
}

export function generateSetupToken(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * At start, while no account exists: the token to print. PITWALL_SETUP_TOKEN when set (several
 * processes or machines then share one), else the one already in the file (a restart keeps it,
 * and so do other processes on this data directory), else a new one, written with mode 0600.
 */
export function ensureSetupTokenFile(env: Env = process.env): { token: string; file: string } {
  const file = setupTokenFile(env);
  const fixed = env.PITWALL_SETUP_TOKEN?.trim();
  const token = fixed || readTokenFile(file) || generateSetupToken();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file };
}

/** Once an admin exists the token means nothing; the file goes so nobody mistakes it for a secret that matters. */
export function removeSetupTokenFile(env: Env = process.env): void {
  rmSync(setupTokenFile(env), { force: true });
}

function readTokenFile(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim() || null;
  } catch {
    return null;
  }
}

/** The token the server expects now, or null when none exists (the server has not started setup). */
export function expectedSetupToken(env: Env = process.env): string | null {
  return env.PITWALL_SETUP_TOKEN?.trim() || readTokenFile(setupTokenFile(env));
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function setupTokenMatches(given: string | undefined, expected: string | null): boolean {
  if (!given || !expected) return false;
  const a = createHash("sha256").update(given.trim()).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export function isLoopbackAddress(ip: string): boolean {
  const v = ip.trim().toLowerCase();
  return v === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v);
}

/**
 * The rule POST /api/v1/setup applies, before any account is created: 403 with a message saying
 * what to do. `clientIp` is the socket's peer (or the trusted proxy's last hop).
 */
export function assertSetupAllowed(params: { token?: string; clientIp: string; env?: Env }): void {
  const env = params.env ?? process.env;
  if (setupAccess(env) === "loopback") {
    if (isLoopbackAddress(params.clientIp)) return;
    throw new AppError("forbidden:setup_loopback", "Setup is allowed from this machine only (PITWALL_SETUP_ACCESS=loopback): open Pitwall on localhost.");
  }
  if (!params.token?.trim()) {
    throw new AppError("forbidden:setup_token", "Enter the setup token: Pitwall prints it in its log at start and writes it to the setup-token file in its data directory.");
  }
  if (!setupTokenMatches(params.token, expectedSetupToken(env))) {
    throw new AppError("forbidden:setup_token", "That setup token is not the one this server printed at start. Copy it again from the log or the setup-token file.");
  }
}
