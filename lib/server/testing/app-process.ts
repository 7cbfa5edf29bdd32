import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

/**
 * Starts scripts/policy-app-process.ts as a separate OS process on `databaseUrl` (test and bench
 * helper, never imported by production code). Resolves with its base URL once it listens.
 */
export function startAppProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<{ url: string; stop: () => Promise<void> }> {
  const script = path.join(process.cwd(), "scripts", "policy-app-process.ts");
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", PITWALL_DEMO_TRAFFIC: "0", ANTHROPIC_API_KEY: "", PITWALL_UPSTREAM_URL: "", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    });
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const line = buf.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, stop });
    });
    child.once("exit", (code) => reject(new Error(`app process exited with ${code}`)));
  });
}
