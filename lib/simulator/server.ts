import http from "node:http";
import type { AddressInfo } from "node:net";
import { createSimulator, type Simulator } from "./handler";
import type { SimulatorOptions } from "./options";

/** The base URL of the simulator mounted in Pitwall's own server (hot route prefix /_sim/). */
export function simulatorBaseUrl(port: number, host = "127.0.0.1"): string {
  return `http://${host}:${port}/_sim`;
}

export type SimulatorServer = {
  /** Base URL for an SDK client (`new Anthropic({ baseURL: url })`). */
  url: string;
  port: number;
  simulator: Simulator;
  close: () => Promise<void>;
};

/** The simulator on its own port (the benchmark's upstream, `npm run simulator`). Port 0 = random. */
export async function startSimulatorServer(opts: SimulatorOptions & { port?: number; host?: string } = {}): Promise<SimulatorServer> {
  const { port = 0, host = "127.0.0.1", ...options } = opts;
  const simulator = createSimulator(options);
  const server = http.createServer({ keepAliveTimeout: 65_000, noDelay: true }, (req, res) => void simulator(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${bound}`,
    port: bound,
    simulator,
    close: () =>
      new Promise<void>((resolve) => {
        simulator.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
