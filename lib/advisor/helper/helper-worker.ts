/**
 * The advisor's helper thread (started by helper-start.ts): runs replay passes and findings over a
 * Traffic whose columns the main thread shares (traffic-share.ts). Pure work: no database.
 */
import { parentPort } from "node:worker_threads";
import { log } from "../../log";
import { PriceBook } from "../../pricing/compute-cost";
import { contextOf, findingsOfKinds } from "../findings/analyze-findings";
import { routeGroups } from "../findings/route-groups";
import { passFigures, replayRows } from "../replay/figures";
import { simulate, type EventPredictions } from "../replay/simulate";
import { TimingModel } from "../replay/timing-fit";
import { trafficFromMessage } from "../traffic-share";
import type { FindingsTask, HelperReply, HelperRequest, PredictionsMessage, SimulateTask } from "./helper-messages";

const port = parentPort!;
const running = new Map<number, AbortController>();
const send = (m: HelperReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on("message", (m: HelperRequest) => {
  if (m.type === "cancel") running.get(m.id)?.abort(new Error("cancelled"));
  else void run(m);
});

async function run(m: Extract<HelperRequest, { type: "run" }>): Promise<void> {
  const controller = new AbortController();
  running.set(m.id, controller);
  try {
    const traffic = trafficFromMessage(m.traffic);
    const prices = new PriceBook(m.task.priceRows);
    if (m.task.kind === "simulate") {
      const timing = new TimingModel(m.task.timing.fitted, m.task.timing.thin);
      const p = await simulateTask(m.id, traffic, prices, timing, m.task, controller.signal);
      const msg = predictionsMessage(p, timing.all().map((t) => t.model));
      if (m.task.figures) msg.figures = passFigures(p, replayRows(traffic));
      send({ type: "done", id: m.id, result: msg }, transferList(msg));
    } else {
      send({ type: "done", id: m.id, result: await findingsTask(traffic, prices, m.task, controller.signal) });
    }
  } catch (err) {
    if (!controller.signal.aborted) log.error({ err }, "advisor: the analysis helper's task failed");
    send({ type: "failed", id: m.id, aborted: controller.signal.aborted });
  } finally {
    running.delete(m.id);
  }
}

function simulateTask(id: number, traffic: ReturnType<typeof trafficFromMessage>, prices: PriceBook, timing: TimingModel, task: SimulateTask, signal: AbortSignal): Promise<EventPredictions> {
  let shown = 0;
  return simulate({
    traffic,
    live: task.live,
    candidate: task.candidate,
    ...(task.code ? { code: task.code } : {}),
    prices,
    timing,
    seed: task.seed,
    signal,
    onProgress: (fraction) => {
      // A message per tenth: the main thread's progress line needs no more.
      if (fraction - shown < 0.1 && fraction < 1) return;
      shown = fraction;
      send({ type: "progress", id, fraction });
    },
  });
}

function findingsTask(traffic: ReturnType<typeof trafficFromMessage>, prices: PriceBook, task: FindingsTask, signal: AbortSignal) {
  const { groups } = routeGroups(traffic);
  const ctx = contextOf(traffic, { prices, projectSlug: task.projectSlug, ...(task.liveCache ? { liveCache: task.liveCache } : {}) });
  const pause = async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    signal.throwIfAborted();
  };
  return findingsOfKinds(ctx, groups, task.kinds, pause);
}

function predictionsMessage(p: EventPredictions, timedModels: string[]): PredictionsMessage {
  const { model, ...rest } = p;
  const codes = new Map<string, number>();
  const modelCodes = new Int32Array(model.length);
  for (let i = 0; i < model.length; i++) {
    const m = model[i];
    if (m === null || m === undefined) {
      modelCodes[i] = -1;
      continue;
    }
    let c = codes.get(m);
    if (c === undefined) codes.set(m, (c = codes.size));
    modelCodes[i] = c;
  }
  return { ...rest, modelCodes, models: [...codes.keys()], timedModels };
}

function transferList(m: PredictionsMessage): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const v of Object.values(m)) if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) out.push(v.buffer);
  return out;
}
