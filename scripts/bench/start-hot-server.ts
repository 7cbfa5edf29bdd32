import { spawn } from "node:child_process";

export type HotServer = { port: number; stop: () => Promise<void> };

/**
 * Starts scripts/bench/hot-server.ts (the hot paths without Next) on `databaseUrl` as its own
 * process, with `env` on top of the bench defaults, and resolves once it listens. It is started
 * with node itself, not npx: a signal to an npx wrapper never reaches the server it started.
 * BENCH_CPU_PROF_DIR=<dir> profiles the server (node --cpu-prof; the file is written as it exits).
 */
export async function startHotServer(databaseUrl: string, env: Record<string, string> = {}): Promise<HotServer> {
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  const prof = profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [];
  const child = spawn(process.execPath, [...prof, "--import", "tsx", "scripts/bench/hot-server.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", NODE_ENV: "production", PITWALL_DB_POOL: "8", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`bench server exited ${code}`)));
  });
  return {
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
