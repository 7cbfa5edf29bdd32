import http from "node:http";
import type { AddressInfo } from "node:net";
import type { HotHandler } from "../hot-router";

/** Serves one node handler on a random loopback port for a test; returns its base URL. */
export async function serveHandler(handler: HotHandler): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
