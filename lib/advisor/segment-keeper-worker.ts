/**
 * The advisor's segment keeper on a worker thread (started by segment-keeper-start.ts on
 * Postgres): each pass loads and encodes up to a day of traffic per project and sends its segment
 * to Postgres (as bytea, hex-encoded by postgres.js: a string twice the segment's size), seconds
 * of work that would otherwise hold the gateway's event loop. Its own small pool; niced.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openPostgres } from "@/db/client";
import { lowerThreadPriority } from "../thread-priority";
import { PassLoop } from "./pass-loop";
import { keeperPass } from "./segment-keeper";
import type { KeeperFromWorker, KeeperToWorker, KeeperWorkerSettings } from "./segment-keeper-messages";

const settings = workerData as KeeperWorkerSettings;
const port = parentPort!;
lowerThreadPriority(settings.nice);
const handle = openPostgres(settings.url, { max: 2 });
const send = (m: KeeperFromWorker) => port.postMessage(m);

const loop = new PassLoop(
  async (signal) => {
    const outcome = await keeperPass(handle, settings.days, signal);
    if (outcome) send(outcome);
  },
  settings.firstAfterMs,
  settings.everyMs,
);

port.on("message", (m: KeeperToWorker) => {
  if (m.type === "pass-now") loop.now();
  else if (m.type === "close") {
    void loop
      .close()
      .then(() => handle.close())
      .catch(() => {})
      .finally(() => {
        send({ type: "closed" });
        port.close();
      });
  }
});
